//go:build !purego

#include "textflag.h"

// The AVX-512 compression of Streebog (RFC 6986, Section 8), the twin of
// blocksGeneric in block.go.
//
// Every 512-bit vector of the algorithm lives in one ZMM register,
// transposed: byte 8j+w of the register (byte w of qword lane j) holds byte j
// of state word w. LPS of such a vector x is computed without tables (see
// gen.go, amd64Consts, for the derivation of the constants):
//
//   S: y = π(x), 64 byte lookups at once: two VPERMI2B look the low seven
//      bits up in π[0:128] and π[128:256]; VGF2P8AFFINEQB with the matrix
//      whose rows are all 0x80 (in Z31) spreads the high bit of every byte
//      over the byte, and VPTERNLOGQ chooses by it;
//   P and L: for every input byte position k, VPERMB copies word k of y into
//      all eight lanes and VGF2P8AFFINEQB applies, in lane j, the 8×8 bit
//      matrix that maps byte k of a word to byte j of its image under l; the
//      XOR of the eight results is LPS(x), transposed again.
//
// No memory access depends on the data, unlike the table lookups of the
// generic code.
//
// The two chains of E, K_{i+1} = LPS(K_i ⊕ C_i) and s_{i+1} = LPS(s_i ⊕ K_i),
// are independent within a round, so the CPU overlaps them; the key chain
// comes first, so that it gets ahead. On AMD Zen 5 a round takes about 29
// cycles: one LPS alone has a latency of about 24 (S 7, then VPERMB 5,
// VGF2P8AFFINEQB 3 and the XORs, with its 8+8 permutations and affine maps
// spread over the two vector pipes that execute both kinds), and the two
// chains compete for those pipes.
//
// Measured and dropped (Zen 5, Go 1.26): interleaving the two chains
// instruction by instruction, with a flat 16-term XOR tree (4% slower); and
// computing L as an 8×8 matrix over GF(2^8) in every lane, with VPERMB for P
// only, byte rotations (VPRORQ) and VGF2P8MULB in the AES representation of
// the field (8% slower: the extra transposition and rotation lengthen the
// chain more than the fewer permutations save).
//
// Registers:
//
//   Z0-Z3    π, 64 bytes each
//   Z4-Z11   gather[0]…gather[7]
//   Z12      h, transposed
//   Z13      N, in wire order (lane 0 is also in DX)
//   Z14      the message block m, transposed
//   Z15      the transposition index
//   Z16      K_i ⊕ C_i
//   Z17      s_i ⊕ K_i
//   Z18-Z30  temporaries
//   Z31      0x80 in every byte: the VGF2P8AFFINEQB matrix of the high bit
//   K3       1, lane 0 of a qword vector
//   AX       the constants; DI the offset of the next round constant
//   BX       inc; CX blocks left; DX lane 0 of N; SI the message
//   R8-R15   Σ

// Offsets in avx512Consts.
#define PI 0
#define GATHER 256
#define MATRIX 768
#define CONSTS 1280
#define TRANSPOSE 2112

// TERM sets dst to the part of LPS that comes from byte k of every word:
// word k of y in every lane (VPERMB with gather[k], kept in register g),
// times the matrices of k.
#define TERM(y, g, k, dst) \
	VPERMB         y, g, dst \
	VGF2P8AFFINEQB $0, MATRIX+k*64(AX), dst, dst

// LPS leaves LPS(x) = a ⊕ b, both transposed, with lo, hi, c and d
// clobbered. a may be x.
#define LPS(x, lo, hi, a, b, c, d) \
	VMOVDQU64      x, lo            \ // S
	VPERMI2B       Z1, Z0, lo       \
	VMOVDQU64      x, hi            \
	VPERMI2B       Z3, Z2, hi       \
	VGF2P8AFFINEQB $0, Z31, x, b    \
	VPTERNLOGQ     $0xD8, b, hi, lo \
	TERM(lo, Z4, 0, a)              \ // P and L
	TERM(lo, Z5, 1, b)              \
	TERM(lo, Z6, 2, c)              \
	VPTERNLOGQ     $0x96, c, b, a   \
	TERM(lo, Z7, 3, b)              \
	TERM(lo, Z8, 4, c)              \
	TERM(lo, Z9, 5, d)              \
	VPTERNLOGQ     $0x96, d, c, b   \
	TERM(lo, Z10, 6, c)             \
	TERM(lo, Z11, 7, d)             \
	VPTERNLOGQ     $0x96, d, c, a

// func blocksAVX512(h, n, sigma *[8]uint64, p []byte, inc uint64, c *avx512Consts)
TEXT ·blocksAVX512(SB), NOSPLIT, $0-64
	MOVQ c+56(FP), AX
	VMOVDQU64 PI+0*64(AX), Z0
	VMOVDQU64 PI+1*64(AX), Z1
	VMOVDQU64 PI+2*64(AX), Z2
	VMOVDQU64 PI+3*64(AX), Z3
	VMOVDQU64 GATHER+0*64(AX), Z4
	VMOVDQU64 GATHER+1*64(AX), Z5
	VMOVDQU64 GATHER+2*64(AX), Z6
	VMOVDQU64 GATHER+3*64(AX), Z7
	VMOVDQU64 GATHER+4*64(AX), Z8
	VMOVDQU64 GATHER+5*64(AX), Z9
	VMOVDQU64 GATHER+6*64(AX), Z10
	VMOVDQU64 GATHER+7*64(AX), Z11
	VMOVDQU64 TRANSPOSE(AX), Z15
	MOVQ         $0x8080808080808080, BX
	VPBROADCASTQ BX, Z31

	MOVQ h+0(FP), DI
	VMOVDQU64 (DI), Z12
	VPERMB    Z12, Z15, Z12
	MOVQ n+8(FP), DI
	VMOVDQU64 (DI), Z13
	MOVQ (DI), DX
	MOVQ sigma+16(FP), DI
	MOVQ 0(DI), R8
	MOVQ 8(DI), R9
	MOVQ 16(DI), R10
	MOVQ 24(DI), R11
	MOVQ 32(DI), R12
	MOVQ 40(DI), R13
	MOVQ 48(DI), R14
	MOVQ 56(DI), R15
	MOVL $1, BX
	KMOVW BX, K3
	MOVQ inc+48(FP), BX
	MOVQ p_base+24(FP), SI
	MOVQ p_len+32(FP), CX
	SHRQ $6, CX
	JZ   done

loop:
	// K_1 = LPS(h ⊕ N).
	VPERMB     Z13, Z15, Z16
	VPXORQ     Z12, Z16, Z16
	VMOVDQU64  (SI), Z14
	VPERMB     Z14, Z15, Z14
	LPS(Z16, Z18, Z19, Z16, Z24, Z26, Z28)
	VPXORQ     Z24, Z16, Z30
	VPTERNLOGQ $0x96, CONSTS(AX), Z24, Z16 // K_1 ⊕ C_1
	VPXORQ     Z14, Z30, Z17               // s_1 ⊕ K_1 = m ⊕ K_1

	// Σ += m.
	ADDQ 0(SI), R8
	ADCQ 8(SI), R9
	ADCQ 16(SI), R10
	ADCQ 24(SI), R11
	ADCQ 32(SI), R12
	ADCQ 40(SI), R13
	ADCQ 48(SI), R14
	ADCQ 56(SI), R15

	// N += inc: lane 0 of Z13, and, on a carry, the other limbs through
	// memory.
	ADDQ BX, DX
	JCS  carry
	VPBROADCASTQ DX, K3, Z13

rounds:
	MOVQ $CONSTS+64, DI

round:
	// Round i: K_{i+1} ⊕ C_{i+1} and s_{i+1} ⊕ K_{i+1}. The last round
	// XORs a zero constant, and leaves E(K_1, m) = s_13 ⊕ K_13 in Z17.
	LPS(Z16, Z18, Z19, Z16, Z24, Z26, Z28)
	LPS(Z17, Z20, Z21, Z17, Z25, Z27, Z29)
	VPXORQ     Z24, Z16, Z30        // K_{i+1}
	VPTERNLOGQ $0x96, (AX)(DI*1), Z24, Z16
	VPTERNLOGQ $0x96, Z30, Z25, Z17
	ADDQ       $64, DI
	CMPQ       DI, $CONSTS+13*64
	JNE        round

	// h = E(K_1, m) ⊕ h ⊕ m.
	VPTERNLOGQ $0x96, Z14, Z17, Z12

	ADDQ $64, SI
	DECQ CX
	JNZ  loop

done:
	VPERMB    Z12, Z15, Z12
	MOVQ      h+0(FP), DI
	VMOVDQU64 Z12, (DI)
	MOVQ      n+8(FP), DI
	VMOVDQU64 Z13, (DI)
	MOVQ      sigma+16(FP), DI
	MOVQ      R8, 0(DI)
	MOVQ      R9, 8(DI)
	MOVQ      R10, 16(DI)
	MOVQ      R11, 24(DI)
	MOVQ      R12, 32(DI)
	MOVQ      R13, 40(DI)
	MOVQ      R14, 48(DI)
	MOVQ      R15, 56(DI)
	VZEROUPPER
	RET

carry:
	// The carry flag of ADDQ BX, DX is still set.
	MOVQ      n+8(FP), DI
	VMOVDQU64 Z13, (DI)
	MOVQ      DX, 0(DI)
	ADCQ      $0, 8(DI)
	ADCQ      $0, 16(DI)
	ADCQ      $0, 24(DI)
	ADCQ      $0, 32(DI)
	ADCQ      $0, 40(DI)
	ADCQ      $0, 48(DI)
	ADCQ      $0, 56(DI)
	VMOVDQU64 (DI), Z13
	JMP       rounds

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

//go:build ignore

// gen.go derives the lookup tables of tables.go from the parameters of
// GOST R 34.11-2012 as published in RFC 6986, and writes the unrolled LPS
// kernels of lps.go. Run it with
//
//	go generate ./gost/streebog
//
// It writes tables.go, lps.go and consts_amd64.go next to itself.
//
// The tables fold the three transformations S, P and L of RFC 6986, Section 7,
// into 8×256 uint64 words, so that one LPS costs 64 table lookups:
//
//   - The state is eight little-endian 64-bit words; word k is the wire-order
//     bytes 8k…8k+7, byte 0 least significant (RFC 6986 prints a 512-bit
//     vector a_63‖…‖a_0 with a_0 last, so a_i is the wire-order byte i).
//   - S replaces every byte b by π(b) (Section 6.2).
//   - P sets output byte i to input byte τ(i), τ(i) = 8·(i mod 8) + ⌊i/8⌋
//     (Section 6.3): output word w gathers byte w of every input word.
//   - L applies the linear map l to each word (Section 6.4): bit j of the word
//     (j = 63 is the most significant) contributes row A[63-j] of the matrix.
//
// Hence output word w of LPS(x) is the XOR over k = 0…7 of
// l(π(byte w of x_k) << 8k), and table k holds l(π(v) << 8k) for every byte v.
package main

import (
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
)

// pi is the nonlinear bijection π of RFC 6986, Section 6.2 (the same π as in
// GOST R 34.12-2015, RFC 7801), in the decimal form the RFC prints.
var pi = [256]byte{
	252, 238, 221, 17, 207, 110, 49, 22, 251, 196, 250, 218, 35, 197, 4, 77,
	233, 119, 240, 219, 147, 46, 153, 186, 23, 54, 241, 187, 20, 205, 95, 193,
	249, 24, 101, 90, 226, 92, 239, 33, 129, 28, 60, 66, 139, 1, 142, 79,
	5, 132, 2, 174, 227, 106, 143, 160, 6, 11, 237, 152, 127, 212, 211, 31,
	235, 52, 44, 81, 234, 200, 72, 171, 242, 42, 104, 162, 253, 58, 206, 204,
	181, 112, 14, 86, 8, 12, 118, 18, 191, 114, 19, 71, 156, 183, 93, 135,
	21, 161, 150, 41, 16, 123, 154, 199, 243, 145, 120, 111, 157, 158, 178, 177,
	50, 117, 25, 61, 255, 53, 138, 126, 109, 84, 198, 128, 195, 189, 13, 87,
	223, 245, 36, 169, 62, 168, 67, 201, 215, 121, 214, 246, 124, 34, 185, 3,
	224, 15, 236, 222, 122, 148, 176, 188, 220, 232, 40, 80, 78, 51, 10, 74,
	167, 151, 96, 115, 30, 0, 98, 68, 26, 184, 56, 130, 100, 159, 38, 65,
	173, 69, 70, 146, 39, 94, 85, 47, 140, 163, 165, 125, 105, 213, 149, 59,
	7, 88, 179, 64, 134, 172, 29, 247, 48, 55, 107, 228, 136, 217, 231, 137,
	225, 27, 131, 73, 76, 63, 248, 254, 141, 83, 170, 144, 202, 216, 133, 97,
	32, 113, 103, 164, 45, 43, 9, 91, 203, 155, 37, 208, 190, 229, 108, 82,
	89, 166, 116, 210, 230, 244, 180, 192, 209, 102, 175, 194, 57, 75, 99, 182,
}

// matrixA holds the 64 rows A[0]…A[63] of the matrix of the linear
// transformation l, RFC 6986, Section 6.4, in the order the RFC prints them.
var matrixA = [64]uint64{
	0x8e20faa72ba0b470, 0x47107ddd9b505a38, 0xad08b0e0c3282d1c, 0xd8045870ef14980e,
	0x6c022c38f90a4c07, 0x3601161cf205268d, 0x1b8e0b0e798c13c8, 0x83478b07b2468764,
	0xa011d380818e8f40, 0x5086e740ce47c920, 0x2843fd2067adea10, 0x14aff010bdd87508,
	0x0ad97808d06cb404, 0x05e23c0468365a02, 0x8c711e02341b2d01, 0x46b60f011a83988e,
	0x90dab52a387ae76f, 0x486dd4151c3dfdb9, 0x24b86a840e90f0d2, 0x125c354207487869,
	0x092e94218d243cba, 0x8a174a9ec8121e5d, 0x4585254f64090fa0, 0xaccc9ca9328a8950,
	0x9d4df05d5f661451, 0xc0a878a0a1330aa6, 0x60543c50de970553, 0x302a1e286fc58ca7,
	0x18150f14b9ec46dd, 0x0c84890ad27623e0, 0x0642ca05693b9f70, 0x0321658cba93c138,
	0x86275df09ce8aaa8, 0x439da0784e745554, 0xafc0503c273aa42a, 0xd960281e9d1d5215,
	0xe230140fc0802984, 0x71180a8960409a42, 0xb60c05ca30204d21, 0x5b068c651810a89e,
	0x456c34887a3805b9, 0xac361a443d1c8cd2, 0x561b0d22900e4669, 0x2b838811480723ba,
	0x9bcf4486248d9f5d, 0xc3e9224312c8c1a0, 0xeffa11af0964ee50, 0xf97d86d98a327728,
	0xe4fa2054a80b329c, 0x727d102a548b194e, 0x39b008152acb8227, 0x9258048415eb419d,
	0x492c024284fbaec0, 0xaa16012142f35760, 0x550b8e9e21f7a530, 0xa48b474f9ef5dc18,
	0x70a6a56e2440598e, 0x3853dc371220a247, 0x1ca76e95091051ad, 0x0edd37c48a08a6d8,
	0x07e095624504536c, 0x8d70c431ac02a736, 0xc83862965601dd1b, 0x641c314b2b8ee083,
}

// iterationConstants are C_1…C_12 of RFC 6986, Section 6.5, exactly as the
// RFC prints them: as 512-bit numbers, most significant byte (a_63) first.
var iterationConstants = [12]string{
	"b1085bda1ecadae9ebcb2f81c0657c1f2f6a76432e45d016714eb88d7585c4fc4b7ce09192676901a2422a08a460d31505767436cc744d23dd806559f2a64507",
	"6fa3b58aa99d2f1a4fe39d460f70b5d7f3feea720a232b9861d55e0f16b501319ab5176b12d699585cb561c2db0aa7ca55dda21bd7cbcd56e679047021b19bb7",
	"f574dcac2bce2fc70a39fc286a3d843506f15e5f529c1f8bf2ea7514b1297b7bd3e20fe490359eb1c1c93a376062db09c2b6f443867adb31991e96f50aba0ab2",
	"ef1fdfb3e81566d2f948e1a05d71e4dd488e857e335c3c7d9d721cad685e353fa9d72c82ed03d675d8b71333935203be3453eaa193e837f1220cbebc84e3d12e",
	"4bea6bacad4747999a3f410c6ca923637f151c1f1686104a359e35d7800fffbdbfcd1747253af5a3dfff00b723271a167a56a27ea9ea63f5601758fd7c6cfe57",
	"ae4faeae1d3ad3d96fa4c33b7a3039c02d66c4f95142a46c187f9ab49af08ec6cffaa6b71c9ab7b40af21f66c2bec6b6bf71c57236904f35fa68407a46647d6e",
	"f4c70e16eeaac5ec51ac86febf240954399ec6c7e6bf87c9d3473e33197a93c90992abc52d822c3706476983284a05043517454ca23c4af38886564d3a14d493",
	"9b1f5b424d93c9a703e7aa020c6e41414eb7f8719c36de1e89b4443b4ddbc49af4892bcb929b069069d18d2bd1a5c42f36acc2355951a8d9a47f0dd4bf02e71e",
	"378f5a541631229b944c9ad8ec165fde3a7d3a1b258942243cd955b7e00d0984800a440bdbb2ceb17b2b8a9aa6079c540e38dc92cb1f2a607261445183235adb",
	"abbedea680056f52382ae548b2e4f3f38941e71cff8a78db1fffe18a1b3361039fe76702af69334b7a1e6c303b7652f43698fad1153bb6c374b4c7fb98459ced",
	"7bcd9ed0efc889fb3002c6cd635afe94d8fa6bbbebab076120018021148466798a1d71efea48b9caefbacd1d7d476e98dea2594ac06fd85d6bcaa4cd81f32d1b",
	"378ee767f11631bad21380b00449b17acda43c32bcdf1d77f82012d430219f9b5d80ef9d1891cc86e71da4aa88e12852faf417d5d9b21b9948bc924af11bd720",
}

// l is the linear transformation of RFC 6986, Section 6.4:
// l(a_63‖…‖a_0) = ⊕ a_j·A[63-j] over the bits a_j of the word.
func l(a uint64) uint64 {
	var r uint64
	for j := 0; j < 64; j++ {
		if a>>j&1 == 1 {
			r ^= matrixA[63-j]
		}
	}
	return r
}

// words turns a 512-bit number printed most significant byte first into the
// eight little-endian state words used by the package: the last 16 hex digits
// are word 0.
func words(s string) [8]uint64 {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 64 {
		log.Fatalf("bad constant %q", s)
	}
	var w [8]uint64
	for i := range 8 {
		for _, c := range b[64-8*(i+1) : 64-8*i] {
			w[i] = w[i]<<8 | uint64(c)
		}
	}
	return w
}

func main() {
	tablesOut := flag.String("tables", "tables.go", "output file for the tables")
	kernelOut := flag.String("kernel", "lps.go", "output file for the LPS kernels")
	amd64Out := flag.String("amd64", "consts_amd64.go", "output file for the constants of the AVX-512 kernel")
	flag.Parse()

	// π must be a bijection; a typo in the table above would break that.
	var seen [256]bool
	for _, v := range pi {
		if seen[v] {
			log.Fatalf("π is not a permutation: %d repeats", v)
		}
		seen[v] = true
	}

	var buf bytes.Buffer
	fmt.Fprintf(&buf, `// Code generated by gen.go; DO NOT EDIT.

package streebog

// lps[k][v] = l(π(v) << 8k): the contribution of byte v, found at byte
// position w of state word k, to word w of LPS(state). See gen.go.
var lps = [8][256]uint64{
`)
	for k := range 8 {
		var row [256]uint64
		for v := range row {
			row[v] = l(uint64(pi[v]) << (8 * k))
		}
		writeRow(&buf, fmt.Sprintf("k = %d", k), row[:])
	}
	buf.WriteString("}\n\n")

	fmt.Fprintf(&buf, `// roundConst[i] is the iteration constant C_{i+1} of RFC 6986, Section 6.5,
// as eight little-endian state words.
var roundConst = [12][8]uint64{
`)
	for i, s := range iterationConstants {
		w := words(s)
		writeRow(&buf, fmt.Sprintf("C_%d", i+1), w[:])
	}
	buf.WriteString("}\n")

	writeSource(*tablesOut, buf.Bytes())
	writeSource(*kernelOut, kernel())
	writeSource(*amd64Out, amd64Consts())
}

// writeRow writes one braced row of a uint64 array literal, four words a
// line, with a comment naming it.
func writeRow(buf *bytes.Buffer, name string, words []uint64) {
	fmt.Fprintf(buf, "\t{ // %s\n", name)
	for i, x := range words {
		if i%4 == 0 {
			buf.WriteString("\t\t")
		}
		fmt.Fprintf(buf, "0x%016x,", x)
		if i%4 == 3 {
			buf.WriteString("\n")
		} else {
			buf.WriteString(" ")
		}
	}
	buf.WriteString("\t},\n")
}

func writeSource(name string, b []byte) {
	src, err := format.Source(b)
	if err != nil {
		log.Fatalf("%s: %v", name, err)
	}
	if err := os.WriteFile(name, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

// kernel returns the source of lps.go: LPS fully unrolled over the eight
// input words and the eight output words, so that every byte offset is a
// constant and the compiler checks no bounds.
//
// Word w of LPS(x) is the XOR over the eight words k of x of
// lps[k][byte w of word k]. The kernels load bytes w and w+1 of word k
// together, as one 16-bit value v, and look up uint8(v) and v>>8: per two
// lookups one load, one zero-extension and one shift. That balances the
// load ports against the ALUs better than loading every byte separately
// (two loads per lookup) or splitting whole words with shifts (which Go's
// scheduler turns into spills); see block.go.
func kernel() []byte {
	var b bytes.Buffer
	// lps2 emits the code that sets a0, a1 to words w, w+1 of LPS(src).
	lps2 := func(a, src string, w int) {
		for k := range 8 {
			fmt.Fprintf(&b, "\tv = uint(binary.LittleEndian.Uint16(%s[%d:]))\n", src, 8*k+w)
			if k == 0 {
				fmt.Fprintf(&b, "\t%[1]s0, %[1]s1 = t[0][uint8(v)], t[0][v>>8]\n", a)
			} else {
				fmt.Fprintf(&b, "\t%[1]s0, %[1]s1 = %[1]s0^t[%[2]d][uint8(v)], %[1]s1^t[%[2]d][v>>8]\n", a, k)
			}
		}
	}
	put := func(dst string, w int, expr string) {
		fmt.Fprintf(&b, "\tbinary.LittleEndian.PutUint64(%s[%d:], %s)\n", dst, 8*w, expr)
	}

	b.WriteString(`// Code generated by gen.go; DO NOT EDIT.

package streebog

import "encoding/binary"

// round computes, for s = LPS(sk) and k = LPS(kc), dsk = s ⊕ k and
// dkc = k ⊕ c: one round of E, RFC 6986, Section 8 (see block.go). The
// tables come in as t, not as the global lps, so that the compiler keeps one
// base register for all eight of them.
func round(t *[8][256]uint64, dsk, dkc, sk, kc *[BlockSize]byte, c *[8]uint64) {
	var v uint
	var k0, k1, s0, s1 uint64
`)
	for w := 0; w < 8; w += 2 {
		fmt.Fprintf(&b, "\n\t// Words %d and %d.\n", w, w+1)
		lps2("k", "kc", w)
		lps2("s", "sk", w)
		put("dsk", w, "s0^k0")
		put("dsk", w+1, "s1^k1")
		put("dkc", w, fmt.Sprintf("k0^c[%d]", w))
		put("dkc", w+1, fmt.Sprintf("k1^c[%d]", w+1))
	}
	b.WriteString(`}

// lpsXor sets dst = LPS(src) ⊕ mask.
func lpsXor(t *[8][256]uint64, dst, src *[BlockSize]byte, mask *[8]uint64) {
	var v uint
	var a0, a1 uint64
`)
	for w := 0; w < 8; w += 2 {
		fmt.Fprintf(&b, "\n\t// Words %d and %d.\n", w, w+1)
		lps2("a", "src", w)
		put("dst", w, fmt.Sprintf("a0^mask[%d]", w))
		put("dst", w+1, fmt.Sprintf("a1^mask[%d]", w+1))
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// amd64Consts returns the source of consts_amd64.go: the constants of the
// AVX-512 kernel of block_amd64.s, which computes LPS without the tables
// above. It keeps a 512-bit vector x in one register "transposed": byte
// 8j+w of the register (byte w of 64-bit lane j) holds byte j of state
// word w, x[8w+j]. Then, with y = S(x):
//
//   - gather[k] is a VPERMB index that copies word k of y (bytes k, 8+k, …,
//     56+k of the register) into every lane: gather[k][8j+w] = 8w+k;
//   - matrix[k] holds, in lane j, the 8×8 bit matrix M_jk of the linear map
//     l restricted to input byte k and output byte j, in the row order of
//     VGF2P8AFFINEQB (row i, which gives output bit i, is byte 7-i of the
//     qword; bit b of the row selects input bit b);
//
// so that VGF2P8AFFINEQB(matrix[k], VPERMB(gather[k], y)) has, in byte
// 8j+w, M_jk applied to byte k of word w of P(S(x)), and the XOR of the
// eight is byte j of word w of LPS(x): LPS(x), transposed again.
//
// The round constants C_1…C_12, followed by a zero vector for the last
// round, are stored transposed; transpose is the VPERMB index that turns a
// vector in wire order into the transposed layout and back.
func amd64Consts() []byte {
	var b bytes.Buffer
	b.WriteString(`// Code generated by gen.go; DO NOT EDIT.

//go:build !purego

package streebog

// avx512 holds the constants of the AVX-512 kernel in block_amd64.s, in the
// layout of avx512Consts; gen.go explains how they are derived.
var avx512 = avx512Consts{
`)
	writeBytes := func(name string, v []byte) {
		fmt.Fprintf(&b, "\t%s: [%d]byte{", name, len(v))
		for i, x := range v {
			if i%16 == 0 {
				b.WriteString("\n\t\t")
			} else {
				b.WriteString(" ")
			}
			fmt.Fprintf(&b, "0x%02x,", x)
		}
		b.WriteString("\n\t},\n")
	}
	writeBytes("pi", pi[:])

	b.WriteString("\tgather: [8][64]byte{\n")
	for k := range 8 {
		var g [64]byte
		for j := range 8 {
			for w := range 8 {
				g[8*j+w] = byte(8*w + k)
			}
		}
		fmt.Fprintf(&b, "\t\t{ // word %d of y into every lane\n\t\t", k)
		for i, x := range g {
			if i > 0 && i%16 == 0 {
				b.WriteString("\n\t\t")
			} else if i > 0 {
				b.WriteString(" ")
			}
			fmt.Fprintf(&b, "%d,", x)
		}
		b.WriteString("\n\t\t},\n")
	}
	b.WriteString("\t},\n")

	b.WriteString("\tmatrix: [8][8]uint64{\n")
	for k := range 8 {
		var m [8]uint64
		for j := range 8 {
			for i := range 8 {
				var row uint64
				for bit := range 8 {
					row |= (l(1<<(8*k+bit)) >> (8*j + i) & 1) << bit
				}
				m[j] |= row << (8 * (7 - i))
			}
		}
		writeRow(&b, fmt.Sprintf("M_jk for input byte k = %d, lane j", k), m[:])
	}
	b.WriteString("\t},\n")

	b.WriteString("\tc: [13][8]uint64{\n")
	for i := range 13 {
		var w [8]uint64
		name := "zero, for the last round"
		if i < 12 {
			w = transposeWords(words(iterationConstants[i]))
			name = fmt.Sprintf("C_%d, transposed", i+1)
		}
		writeRow(&b, name, w[:])
	}
	b.WriteString("\t},\n")

	var t [64]byte
	for j := range 8 {
		for w := range 8 {
			t[8*j+w] = byte(8*w + j)
		}
	}
	writeBytes("transpose", t[:])
	b.WriteString("}\n")
	return b.Bytes()
}

// transposeWords returns the 8×8 byte transpose of w: byte w of word j of
// the result is byte j of word w of the input.
func transposeWords(w [8]uint64) [8]uint64 {
	var t [8]uint64
	for j := range 8 {
		for k := range 8 {
			t[j] |= (w[k] >> (8 * j) & 0xff) << (8 * k)
		}
	}
	return t
}

//go:build !purego

package streebog

// On amd64 CPUs with AVX-512 (F and VBMI) and GFNI, blocks runs the
// assembly of block_amd64.s, which computes LPS with vector permutations
// and Galois-field affine maps instead of table lookups (see gen.go,
// amd64Consts): about 2.5 times as fast as blocksGeneric on AMD Zen 5.
// Everywhere else, and with -tags purego, it runs blocksGeneric.

// avx512Consts is the layout of the constants block_amd64.s reads; the
// offsets are repeated there as #defines, and TestAVX512ConstsLayout checks
// them.
type avx512Consts struct {
	pi        [256]byte     // π, offset 0
	gather    [8][64]byte   // VPERMB indexes, offset 256
	matrix    [8][8]uint64  // VGF2P8AFFINEQB matrices, offset 768
	c         [13][8]uint64 // C_1…C_12 and zero, transposed, offset 1280
	transpose [64]byte      // VPERMB index, offset 2112
}

// useAVX512 selects the assembly. It is a variable so that the tests can
// run the generic code too.
var useAVX512 = hasAVX512GFNI()

// maxAsmBlocks bounds the blocks hashed per call of the assembly, which is
// not preemptible: 1024 blocks take well under a millisecond.
const maxAsmBlocks = 1024

// blocks is blocksGeneric, run by the assembly when the CPU has it.
func blocks(h, n, sigma *[8]uint64, p []byte, inc uint64) {
	if !useAVX512 {
		blocksGeneric(h, n, sigma, p, inc)
		return
	}
	for len(p) >= BlockSize {
		k := min(len(p)&^(BlockSize-1), maxAsmBlocks*BlockSize)
		blocksAVX512(h, n, sigma, p[:k], inc, &avx512)
		p = p[k:]
	}
}

// blocksAVX512 is blocksGeneric for len(p)/BlockSize blocks, with c = &avx512.
//
//go:noescape
func blocksAVX512(h, n, sigma *[8]uint64, p []byte, inc uint64, c *avx512Consts)

// cpuid and xgetbv execute the instructions of the same name.
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

// hasAVX512GFNI reports whether the CPU and the operating system support
// what blocksAVX512 uses: AVX-512 F and VBMI, and GFNI.
func hasAVX512GFNI() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const osxsave = 1 << 27
	if ecx1&osxsave == 0 {
		return false
	}
	// XCR0: SSE, AVX, opmask, ZMM0-15 upper halves and ZMM16-31 state all
	// enabled by the OS.
	const zmmState = 1<<1 | 1<<2 | 1<<5 | 1<<6 | 1<<7
	if xcr0, _ := xgetbv(); xcr0&zmmState != zmmState {
		return false
	}
	_, ebx7, ecx7, _ := cpuid(7, 0)
	const (
		avx512F    = 1 << 16 // EBX
		avx512VBMI = 1 << 1  // ECX
		gfni       = 1 << 8  // ECX
	)
	return ebx7&avx512F != 0 && ecx7&(avx512VBMI|gfni) == avx512VBMI|gfni
}

//go:build !purego

package streebog

import "unsafe"

// asmImpls are the assembly implementations of blocks on this architecture.
var asmImpls = []asmImpl{{
	name:      "AVX512-GFNI",
	supported: hasAVX512GFNI(),
	use:       &useAVX512,
	blocks: func(h, n, sigma *[8]uint64, p []byte, inc uint64) {
		blocksAVX512(h, n, sigma, p, inc, &avx512)
	},
}}

const maxAsmBlocksForTest = maxAsmBlocks

// avx512ConstsOffsets returns the offsets of the fields of avx512Consts,
// under the names block_amd64.s gives them.
func avx512ConstsOffsets() map[string]uintptr {
	var c avx512Consts
	return map[string]uintptr{
		"PI":        unsafe.Offsetof(c.pi),
		"GATHER":    unsafe.Offsetof(c.gather),
		"MATRIX":    unsafe.Offsetof(c.matrix),
		"CONSTS":    unsafe.Offsetof(c.c),
		"TRANSPOSE": unsafe.Offsetof(c.transpose),
	}
}

//go:build !amd64 || purego

package streebog

// asmImpls is empty: this build has no assembly.
var asmImpls []asmImpl

const maxAsmBlocksForTest = 4

func avx512ConstsOffsets() map[string]uintptr { return nil }

//go:build !amd64 || purego

package streebog

// blocks is blocksGeneric: this build has no assembly.
func blocks(h, n, sigma *[8]uint64, p []byte, inc uint64) {
	blocksGeneric(h, n, sigma, p, inc)
}

package streebog

import "encoding/binary"

// This file holds the compression function g_N of RFC 6986, Section 8, and
// the block loop of Section 9.2, in pure Go: the only implementation with
// -tags purego or off amd64, and the twin that the assembly of
// block_amd64.s is tested against.
//
// E(K, m) of Section 8 alternates, twelve times, LPS of the state XOR the
// round key with LPS of the round key XOR the next constant:
//
//	s_1 = m,  s_{i+1} = LPS(s_i ⊕ K_i),  K_{i+1} = LPS(K_i ⊕ C_i),
//	E(K_1, m) = s_13 ⊕ K_13.
//
// Only the sums s_i ⊕ K_i and K_i ⊕ C_i are ever fed to LPS, so a round keeps
// exactly those two 64-byte vectors, in stack arrays that round ping-pongs
// between so that no output overwrites an input still needed.
//
// The rounds themselves, round and lpsXor, are generated into lps.go by
// gen.go, fully unrolled. One LPS is 64 table lookups (see gen.go), each
// needing one byte of its input. Loading every byte on its own makes the
// loads, not the arithmetic, the bottleneck (two loads per lookup); loading
// whole words and splitting them with shifts makes Go's scheduler hoist the
// shifts and spill. Loading two neighbouring bytes at once, and so producing
// two output words per pass, is the balance that measured fastest (about 20%
// over one load per byte on AMD Zen 5, and 10% over four bytes and four
// output words per pass): per two lookups, one 16-bit load, one
// zero-extension, one shift and two load-and-XORs. Unrolling over the output
// words, rather than looping, gains another 10%.

// blocksGeneric runs h = g_N(h, m); N += inc; Σ += m (RFC 6986, Section
// 9.2, with inc = 512) for each full block m of p; len(p) must be a multiple
// of BlockSize. It is the pure-Go twin of the assembly of block_amd64.s and
// the only implementation elsewhere or with -tags purego; blocks, in
// block_amd64.go or block_noasm.go, picks between them.
func blocksGeneric(h, n, sigma *[8]uint64, p []byte, inc uint64) {
	hh, nn, ss := *h, *n, *sigma
	for len(p) >= BlockSize {
		b := p[:BlockSize]
		var m [8]uint64
		m[0] = binary.LittleEndian.Uint64(b[0:])
		m[1] = binary.LittleEndian.Uint64(b[8:])
		m[2] = binary.LittleEndian.Uint64(b[16:])
		m[3] = binary.LittleEndian.Uint64(b[24:])
		m[4] = binary.LittleEndian.Uint64(b[32:])
		m[5] = binary.LittleEndian.Uint64(b[40:])
		m[6] = binary.LittleEndian.Uint64(b[48:])
		m[7] = binary.LittleEndian.Uint64(b[56:])
		compress(&hh, &nn, &m)
		incN(&nn, inc)
		add512(&ss, &m)
		p = p[BlockSize:]
	}
	*h, *n, *sigma = hh, nn, ss
}

// compress sets h = g_N(h, m) = E(LPS(h ⊕ N), m) ⊕ h ⊕ m (RFC 6986,
// Section 8).
func compress(h, n, m *[8]uint64) {
	var x, y, u, v [BlockSize]byte

	// y = K_1 ⊕ C_1 with K_1 = LPS(h ⊕ N); x = s_1 ⊕ K_1 = m ⊕ y ⊕ C_1.
	for i := range 8 {
		binary.LittleEndian.PutUint64(u[8*i:], h[i]^n[i])
	}
	lpsXor(&lps, &y, &u, &roundConst[0])
	for i := range 8 {
		binary.LittleEndian.PutUint64(x[8*i:],
			m[i]^roundConst[0][i]^binary.LittleEndian.Uint64(y[8*i:]))
	}

	// Round i leaves s_{i+1} ⊕ K_{i+1} and K_{i+1} ⊕ C_{i+1}.
	for i := 1; i < 11; i += 2 {
		round(&lps, &u, &v, &x, &y, &roundConst[i])
		round(&lps, &x, &y, &u, &v, &roundConst[i+1])
	}
	round(&lps, &u, &v, &x, &y, &roundConst[11])
	// Round 12 leaves E(K_1, m) = s_13 ⊕ K_13 in x; there is no C_13, and
	// what it leaves in y is not needed.
	var none [8]uint64
	round(&lps, &x, &y, &u, &v, &none)

	for i := range 8 {
		h[i] ^= binary.LittleEndian.Uint64(x[8*i:]) ^ m[i]
	}
}

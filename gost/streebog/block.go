package streebog

import "encoding/binary"

// This file holds the compression function g_N of RFC 6986, Section 8, and
// the block loop of Section 9.2. It is the only hot code in the package.
//
// E(K, m) of Section 8 alternates, twelve times, LPS of the state XOR the
// round key with LPS of the round key XOR the next constant:
//
//	s_1 = m,  s_{i+1} = LPS(s_i ⊕ K_i),  K_{i+1} = LPS(K_i ⊕ C_i),
//	E(K_1, m) = s_13 ⊕ K_13.
//
// Only the sums s_i ⊕ K_i and K_i ⊕ C_i are ever fed to LPS, so a round keeps
// exactly those two 64-byte vectors, as bytes in stack arrays: LPS reads its
// input one byte at a time (a single load with a constant offset each) and
// its output, eight words, is written back with two XORs per word. Rounds
// ping-pong between two pairs of arrays so that no output overwrites an input
// that is still needed.

// blocks runs h = g_N(h, m); N += 512; Σ += m (RFC 6986, Section 9.2) for
// each full block m of p; len(p) must be a multiple of BlockSize.
func blocks(d *digest, p []byte) {
	h, n, sigma := d.h, d.n, d.sigma
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
		compress(&h, &n, &m)
		incN(&n, 8*BlockSize)
		add512(&sigma, &m)
		p = p[BlockSize:]
	}
	d.h, d.n, d.sigma = h, n, sigma
}

// compress sets h = g_N(h, m) = E(LPS(h ⊕ N), m) ⊕ h ⊕ m (RFC 6986,
// Section 8).
func compress(h, n, m *[8]uint64) {
	var x, y, u, v [BlockSize]byte

	// K_1 = LPS(h ⊕ N).
	for i := range 8 {
		binary.LittleEndian.PutUint64(x[8*i:], h[i]^n[i])
	}
	var k [8]uint64
	lpsWords(&k, &x)

	// x = s_1 ⊕ K_1, y = K_1 ⊕ C_1.
	for i := range 8 {
		binary.LittleEndian.PutUint64(x[8*i:], m[i]^k[i])
		binary.LittleEndian.PutUint64(y[8*i:], k[i]^roundConst[0][i])
	}

	// Rounds 1…11; round i leaves s_{i+1} ⊕ K_{i+1} and K_{i+1} ⊕ C_{i+1}.
	for i := 1; i < 11; i += 2 {
		round(&u, &v, &x, &y, &roundConst[i])
		round(&x, &y, &u, &v, &roundConst[i+1])
	}
	round(&u, &v, &x, &y, &roundConst[11])
	// Round 12 leaves s_13 ⊕ K_13 = E(K_1, m) in x.
	lastRound(&x, &u, &v)

	for i := range 8 {
		h[i] ^= binary.LittleEndian.Uint64(x[8*i:]) ^ m[i]
	}
}

// lpsLo and lpsHi return the two halves of word w of LPS(x): the XOR, over
// the eight words k of x, of the table entry for byte w of word k (see
// gen.go). w is a constant at every call site, so after inlining each byte is
// one load at a fixed offset and no bounds are checked. The word is split in
// halves only to stay within the compiler's inlining budget.
func lpsLo(x *[BlockSize]byte, w int) uint64 {
	return lps[0][x[w]] ^ lps[1][x[8+w]] ^ lps[2][x[16+w]] ^ lps[3][x[24+w]]
}

func lpsHi(x *[BlockSize]byte, w int) uint64 {
	return lps[4][x[32+w]] ^ lps[5][x[40+w]] ^ lps[6][x[48+w]] ^ lps[7][x[56+w]]
}

// lpsWords sets k = LPS(x).
func lpsWords(k *[8]uint64, x *[BlockSize]byte) {
	k[0] = lpsLo(x, 0) ^ lpsHi(x, 0)
	k[1] = lpsLo(x, 1) ^ lpsHi(x, 1)
	k[2] = lpsLo(x, 2) ^ lpsHi(x, 2)
	k[3] = lpsLo(x, 3) ^ lpsHi(x, 3)
	k[4] = lpsLo(x, 4) ^ lpsHi(x, 4)
	k[5] = lpsLo(x, 5) ^ lpsHi(x, 5)
	k[6] = lpsLo(x, 6) ^ lpsHi(x, 6)
	k[7] = lpsLo(x, 7) ^ lpsHi(x, 7)
}

// round computes, for t = LPS(sk) and k = LPS(kc),
// dsk = t ⊕ k and dkc = k ⊕ c.
func round(dsk, dkc, sk, kc *[BlockSize]byte, c *[8]uint64) {
	var k, t uint64
	k, t = lpsLo(kc, 0)^lpsHi(kc, 0), lpsLo(sk, 0)^lpsHi(sk, 0)
	binary.LittleEndian.PutUint64(dsk[0:], t^k)
	binary.LittleEndian.PutUint64(dkc[0:], k^c[0])
	k, t = lpsLo(kc, 1)^lpsHi(kc, 1), lpsLo(sk, 1)^lpsHi(sk, 1)
	binary.LittleEndian.PutUint64(dsk[8:], t^k)
	binary.LittleEndian.PutUint64(dkc[8:], k^c[1])
	k, t = lpsLo(kc, 2)^lpsHi(kc, 2), lpsLo(sk, 2)^lpsHi(sk, 2)
	binary.LittleEndian.PutUint64(dsk[16:], t^k)
	binary.LittleEndian.PutUint64(dkc[16:], k^c[2])
	k, t = lpsLo(kc, 3)^lpsHi(kc, 3), lpsLo(sk, 3)^lpsHi(sk, 3)
	binary.LittleEndian.PutUint64(dsk[24:], t^k)
	binary.LittleEndian.PutUint64(dkc[24:], k^c[3])
	k, t = lpsLo(kc, 4)^lpsHi(kc, 4), lpsLo(sk, 4)^lpsHi(sk, 4)
	binary.LittleEndian.PutUint64(dsk[32:], t^k)
	binary.LittleEndian.PutUint64(dkc[32:], k^c[4])
	k, t = lpsLo(kc, 5)^lpsHi(kc, 5), lpsLo(sk, 5)^lpsHi(sk, 5)
	binary.LittleEndian.PutUint64(dsk[40:], t^k)
	binary.LittleEndian.PutUint64(dkc[40:], k^c[5])
	k, t = lpsLo(kc, 6)^lpsHi(kc, 6), lpsLo(sk, 6)^lpsHi(sk, 6)
	binary.LittleEndian.PutUint64(dsk[48:], t^k)
	binary.LittleEndian.PutUint64(dkc[48:], k^c[6])
	k, t = lpsLo(kc, 7)^lpsHi(kc, 7), lpsLo(sk, 7)^lpsHi(sk, 7)
	binary.LittleEndian.PutUint64(dsk[56:], t^k)
	binary.LittleEndian.PutUint64(dkc[56:], k^c[7])
}

// lastRound sets dst = LPS(sk) ⊕ LPS(kc): round 12, after which no round key
// is needed.
func lastRound(dst, sk, kc *[BlockSize]byte) {
	var t, k [8]uint64
	lpsWords(&t, sk)
	lpsWords(&k, kc)
	for w := range 8 {
		binary.LittleEndian.PutUint64(dst[8*w:], t[w]^k[w])
	}
}

package ec

import (
	"math/big"
	"math/bits"
)

// scalarField is arithmetic modulo the group order q, on n ≤ 8 limbs with
// a modulus known only at run time. It is used a few times per signature, so
// it is written as simple loops (Montgomery multiplication, CIOS) rather than
// generated code.
//
// Every function is constant time with respect to the values: loop bounds
// depend only on n, and conditional subtractions use masks.
type scalarField struct {
	n    int    // limbs
	q    scalar // the order, little-endian limbs
	qInv uint64 // −q⁻¹ mod 2^64
	rr   scalar // R² mod q, R = 2^(64n)
}

// scalar is an integer of up to 8 little-endian limbs; only the first n are used.
type scalar [8]uint64

func newScalarField(q *big.Int, size int) *scalarField {
	f := &scalarField{n: size / 8}
	copy(f.q[:], limbsOf(q, f.n))
	r64 := new(big.Int).Lsh(big.NewInt(1), 64)
	inv := new(big.Int).ModInverse(new(big.Int).Mod(q, r64), r64)
	f.qInv = new(big.Int).Sub(r64, inv).Uint64()
	rr := new(big.Int).Lsh(big.NewInt(1), uint(128*f.n))
	copy(f.rr[:], limbsOf(rr.Mod(rr, q), f.n))
	return f
}

func limbsOf(v *big.Int, n int) []uint64 {
	b := v.FillBytes(make([]byte, 8*n))
	l := make([]uint64, n)
	getLimbs(l, b)
	return l
}

// set reads a big-endian value of exactly 8n bytes.
func (f *scalarField) set(z *scalar, b []byte) { getLimbs(z[:f.n], b) }

// bytes writes z as 8n big-endian bytes into b.
func (f *scalarField) bytes(b []byte, z *scalar) []byte {
	putLimbs(b[:8*f.n], z[:f.n])
	return b[:8*f.n]
}

// mul sets z = x·y·R⁻¹ mod q, fully reduced, for x·y < q·R (e.g. x < R and
// y < q). CIOS Montgomery multiplication, constant time.
func (f *scalarField) mul(z, x, y *scalar) {
	n := f.n
	var t [10]uint64
	for i := 0; i < n; i++ {
		// t += x[i]·y
		var c uint64
		for j := 0; j < n; j++ {
			hi, lo := bits.Mul64(x[i], y[j])
			var cc uint64
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j], c = lo, hi
		}
		var cc uint64
		t[n], cc = bits.Add64(t[n], c, 0)
		t[n+1] = cc
		// t = (t + m·q) / 2^64
		m := t[0] * f.qInv
		hi, lo := bits.Mul64(m, f.q[0])
		_, cc = bits.Add64(lo, t[0], 0)
		c = hi + cc
		for j := 1; j < n; j++ {
			hi, lo = bits.Mul64(m, f.q[j])
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j-1], c = lo, hi
		}
		t[n-1], cc = bits.Add64(t[n], c, 0)
		t[n] = t[n+1] + cc
	}
	// t < 2q: subtract q once unless that borrows (with no carry word).
	var s scalar
	var b uint64
	for j := 0; j < n; j++ {
		s[j], b = bits.Sub64(t[j], f.q[j], b)
	}
	keep := -(b &^ t[n]) // all ones: t < q
	for j := 0; j < n; j++ {
		z[j] = t[j]&keep | s[j]&^keep
	}
}

// reduce sets z = x mod q for any x < R.
func (f *scalarField) reduce(z, x *scalar) {
	var one scalar
	one[0] = 1
	f.mul(z, x, &f.rr) // x·R mod q
	f.mul(z, z, &one)  // x mod q
}

// mulMod sets z = x·y mod q for any x, y < R.
func (f *scalarField) mulMod(z, x, y *scalar) {
	var t scalar
	f.mul(&t, x, &f.rr) // x·R mod q
	f.mul(z, &t, y)     // x·y mod q
}

// add sets z = x + y mod q for x, y < q.
func (f *scalarField) add(z, x, y *scalar) {
	var s, t scalar
	var c, b uint64
	for j := 0; j < f.n; j++ {
		s[j], c = bits.Add64(x[j], y[j], c)
	}
	for j := 0; j < f.n; j++ {
		t[j], b = bits.Sub64(s[j], f.q[j], b)
	}
	keep := -(b &^ c)
	for j := 0; j < f.n; j++ {
		z[j] = s[j]&keep | t[j]&^keep
	}
}

// neg sets z = −x mod q for 0 < x < q (and z = q for x = 0, which callers avoid).
func (f *scalarField) neg(z, x *scalar) {
	var b uint64
	for j := 0; j < f.n; j++ {
		z[j], b = bits.Sub64(f.q[j], x[j], b)
	}
}

// isZero returns 1 if z = 0, in constant time.
func (f *scalarField) isZero(z *scalar) int {
	var d uint64
	for j := 0; j < f.n; j++ {
		d |= z[j]
	}
	return int((d|-d)>>63) ^ 1
}

// isValid returns 1 if 0 < z < q, in constant time.
func (f *scalarField) isValid(z *scalar) int {
	var b uint64
	for j := 0; j < f.n; j++ {
		_, b = bits.Sub64(z[j], f.q[j], b)
	}
	return int(b) & (f.isZero(z) ^ 1)
}

// selectOne sets z to 1 if z == 0, in constant time.
func (f *scalarField) selectOne(z *scalar) {
	z[0] |= uint64(f.isZero(z))
}

// invVar sets z = x⁻¹ mod q for 0 < x < q. Variable time (math/big): for
// public values only. Its dozen small allocations are the only ones Verify
// makes; a binary extended Euclid on limbs was measured 2–6× slower.
func (f *scalarField) invVar(z, x *scalar) {
	var buf [64]byte
	b := f.bytes(buf[:], x)
	v := new(big.Int).SetBytes(b)
	qb := f.bytes(make([]byte, 64), &f.q)
	v.ModInverse(v, new(big.Int).SetBytes(qb))
	f.set(z, v.FillBytes(buf[:8*f.n]))
}

// bitLen returns the bit length of q.
func (f *scalarField) bitLen() int {
	for j := f.n - 1; j >= 0; j-- {
		if f.q[j] != 0 {
			return 64*j + bits.Len64(f.q[j])
		}
	}
	return 0
}

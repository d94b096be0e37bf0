package ec

import (
	"encoding/binary"
	"errors"
	"math/bits"
)

var (
	errFieldLength = errors.New("ec: invalid field element length")
	errFieldRange  = errors.New("ec: invalid field element encoding")
)

// getLimbs reads the big-endian b (len(b) == 8·len(l)) into little-endian
// 64-bit limbs.
func getLimbs(l []uint64, b []byte) {
	n := len(l)
	for i := range l {
		l[i] = binary.BigEndian.Uint64(b[8*(n-1-i):])
	}
}

// putLimbs writes little-endian limbs l as big-endian bytes to b.
func putLimbs(b []byte, l []uint64) {
	n := len(l)
	for i := range l {
		binary.BigEndian.PutUint64(b[8*(n-1-i):], l[i])
	}
}

// addBytes sets a += b for equal-length big-endian integers and returns the
// carry out. Variable time is irrelevant here: it is used on public values.
func addBytes(a, b []byte) int {
	var c uint16
	for i := len(a) - 1; i >= 0; i-- {
		c += uint16(a[i]) + uint16(b[i])
		a[i] = byte(c)
		c >>= 8
	}
	return int(c)
}

// signedDigits writes the width-w signed-digit recoding of the big-endian
// scalar k, least significant digit first: k = Σ out[i]·2^(w·i) with every
// digit in [−2^(w−1) + 1, 2^(w−1)], for 2 ≤ w ≤ 8. len(out) must be
// ⌈8·len(k)/w⌉ and the top window must leave room for the last carry (true
// for the curves here, whose top window holds at most 4 bits of k).
//
// Constant time in k: byte positions depend only on i and w, and the carry
// is computed arithmetically.
func signedDigits(out []int8, k []byte, w uint) {
	n := len(k)
	half, mask := int32(1)<<(w-1), uint32(1)<<w-1
	var carry int32
	for i := range out {
		pos := uint(i) * w
		bi := int(pos / 8)
		var v uint32
		if bi < n {
			v = uint32(k[n-1-bi])
		}
		if bi+1 < n {
			v |= uint32(k[n-2-bi]) << 8
		}
		d := int32(v>>(pos%8)&mask) + carry
		// d ∈ [0, 2^w]; map d > 2^(w−1) to d − 2^w and carry one.
		carry = (half - d) >> 31 & 1
		out[i] = int8(d - carry<<w)
	}
}

// digitAbs returns (1, −d) for a negative digit and (0, d) otherwise, in
// constant time.
func digitAbs(d int8) (neg int, abs int32) {
	v := int32(d)
	m := v >> 31
	return int(m & 1), (v ^ m) - m
}

// wnaf writes the width-5 non-adjacent form of the big-endian scalar k,
// least significant first (digits odd in [−15, 15] or 0, at most one
// non-zero digit in any 5 consecutive), and returns the number of digits.
// Variable time: for public scalars only.
func wnaf(out []int8, k []byte) int {
	var l [9]uint64 // up to 512 bits plus room for the borrow of a negative digit
	nl := len(k) / 8
	getLimbs(l[:nl], k)
	n := 0
	for i := 0; ; i++ {
		zero := true
		for _, w := range l {
			if w != 0 {
				zero = false
				break
			}
		}
		if zero {
			break
		}
		var d int8
		if l[0]&1 == 1 {
			d = int8(l[0] & 31)
			if d >= 16 {
				d -= 32
			}
			// l −= d
			if d > 0 {
				var b uint64
				l[0], b = bits.Sub64(l[0], uint64(d), 0)
				for j := 1; j < len(l) && b != 0; j++ {
					l[j], b = bits.Sub64(l[j], 0, b)
				}
			} else {
				var c uint64
				l[0], c = bits.Add64(l[0], uint64(-int64(d)), 0)
				for j := 1; j < len(l) && c != 0; j++ {
					l[j], c = bits.Add64(l[j], 0, c)
				}
			}
		}
		out[i] = d
		n = i + 1
		for j := 0; j < len(l)-1; j++ {
			l[j] = l[j]>>1 | l[j+1]<<63
		}
		l[len(l)-1] >>= 1
	}
	return n
}

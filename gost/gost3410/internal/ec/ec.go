package ec

import (
	"errors"
	"math/big"
	"sync"
)

// ErrRetry is returned by Sign when r or s came out zero; the caller must
// pick another nonce (GOST R 34.10-2012 §6.1 steps 4 and 5).
var ErrRetry = errors.New("ec: signature value is zero, retry with another nonce")

var (
	errScalar     = errors.New("ec: invalid private scalar")
	errNonce      = errors.New("ec: invalid nonce")
	errLength     = errors.New("ec: input has the wrong length")
	errRange      = errors.New("ec: public key coordinate out of range")
	errNotOnCurve = errors.New("ec: public key not on curve")
	errSubgroup   = errors.New("ec: public key not in the prime-order subgroup")
)

// Curve is one GOST R 34.10-2012 elliptic curve with its base point P of
// prime order q. Values are shared and immutable; all methods are safe for
// concurrent use.
type Curve struct {
	id    int
	def   *curveDef
	size  int
	order []byte // q, big-endian
	sf    *scalarField
}

func newCurve(id int, d *curveDef) *Curve {
	q := mustHex(d.q)
	return &Curve{
		id: id, def: d, size: d.size,
		order: q.FillBytes(make([]byte, d.size)),
		sf:    newScalarField(q, d.size),
	}
}

var (
	test256    = sync.OnceValue(func() *Curve { return newCurve(idTest256, &defTest256) })
	cryptoProA = sync.OnceValue(func() *Curve { return newCurve(idCryptoProA, &defCryptoProA) })
	cryptoProB = sync.OnceValue(func() *Curve { return newCurve(idCryptoProB, &defCryptoProB) })
	cryptoProC = sync.OnceValue(func() *Curve { return newCurve(idCryptoProC, &defCryptoProC) })
	tc26256A   = sync.OnceValue(func() *Curve { return newCurve(idTC26256A, &defTC26256A) })
	test512    = sync.OnceValue(func() *Curve { return newCurve(idTest512, &defTest512) })
	tc26512A   = sync.OnceValue(func() *Curve { return newCurve(idTC26512A, &defTC26512A) })
	tc26512B   = sync.OnceValue(func() *Curve { return newCurve(idTC26512B, &defTC26512B) })
	tc26512C   = sync.OnceValue(func() *Curve { return newCurve(idTC26512C, &defTC26512C) })
)

// Test256 is id-GostR3410-2001-TestParamSet (RFC 7091 example 1).
func Test256() *Curve { return test256() }

// CryptoProA is the curve of CryptoPro-A, CryptoPro-XchA and tc26-256-B (p = 2^256 − 617).
func CryptoProA() *Curve { return cryptoProA() }

// CryptoProB is the curve of CryptoPro-B and tc26-256-C (p = 2^255 + 3225).
func CryptoProB() *Curve { return cryptoProB() }

// CryptoProC is the curve of CryptoPro-C, CryptoPro-XchB and tc26-256-D.
func CryptoProC() *Curve { return cryptoProC() }

// TC26256A is id-tc26-gost-3410-12-256-paramSetA (cofactor 4, twisted Edwards).
func TC26256A() *Curve { return tc26256A() }

// Test512 is id-tc26-gost-3410-12-512-paramSetTest (RFC 7091 example 2).
func Test512() *Curve { return test512() }

// TC26512A is id-tc26-gost-3410-12-512-paramSetA.
func TC26512A() *Curve { return tc26512A() }

// TC26512B is id-tc26-gost-3410-12-512-paramSetB.
func TC26512B() *Curve { return tc26512B() }

// TC26512C is id-tc26-gost-3410-12-512-paramSetC (cofactor 4, twisted Edwards).
func TC26512C() *Curve { return tc26512C() }

// Size is the length in bytes of p, q, coordinates and scalars: 32 or 64.
func (c *Curve) Size() int { return c.size }

// Params are the curve constants as big integers, for tests and documentation.
type Params struct{ P, A, B, Q, X, Y, Cofactor *big.Int }

// Params returns a fresh copy of the curve constants.
func (c *Curve) Params() *Params { return c.def.params() }

// Order returns q, big-endian, Size bytes.
func (c *Curve) Order() []byte { return append([]byte(nil), c.order...) }

// ScalarIsValid returns 1 iff k is Size bytes and 0 < k < q, in constant
// time (the length is public).
func (c *Curve) ScalarIsValid(k []byte) int {
	if len(k) != c.size {
		return 0
	}
	var z scalar
	c.sf.set(&z, k)
	return c.sf.isValid(&z)
}

// ReduceScalar returns a mod q for any Size-byte a, in constant time. It
// panics if len(a) != Size.
func (c *Curve) ReduceScalar(a []byte) []byte {
	c.mustSize(a)
	var z scalar
	c.sf.set(&z, a)
	c.sf.reduce(&z, &z)
	return c.sf.bytes(make([]byte, c.size), &z)
}

// MulScalar returns a·b mod q for any Size-byte a and b, in constant time.
// It panics if a length is not Size.
func (c *Curve) MulScalar(a, b []byte) []byte {
	c.mustSize(a)
	c.mustSize(b)
	var x, y scalar
	c.sf.set(&x, a)
	c.sf.set(&y, b)
	c.sf.mulMod(&x, &x, &y)
	return c.sf.bytes(make([]byte, c.size), &x)
}

func (c *Curve) mustSize(b []byte) {
	if len(b) != c.size {
		panic("ec: scalar has the wrong length")
	}
}

// PublicKey returns Q = d·P in affine coordinates, big-endian. It fails
// unless 0 < d < q. Constant time with respect to d.
func (c *Curve) PublicKey(d []byte) (x, y []byte, err error) {
	if c.ScalarIsValid(d) != 1 {
		return nil, nil, errScalar
	}
	out := make([]byte, 2*c.size)
	x, y = out[:c.size:c.size], out[c.size:]
	c.baseMult(x, y, d)
	return x, y, nil
}

// Sign computes the GOST R 34.10-2012 signature (r, s) of the digest value
// alpha with private key d and nonce k (§6.1; FACTS §2.1):
// e = alpha mod q (1 if that is 0), C = k·P, r = x_C mod q,
// s = (r·d + k·e) mod q. It returns ErrRetry if r or s is zero.
//
// Constant time with respect to d, k and the results; alpha is treated as
// secret too, though it is normally public.
func (c *Curve) Sign(d, alpha, k []byte) (r, s []byte, err error) {
	if len(alpha) != c.size {
		return nil, nil, errLength
	}
	if c.ScalarIsValid(d) != 1 {
		return nil, nil, errScalar
	}
	if c.ScalarIsValid(k) != 1 {
		return nil, nil, errNonce
	}
	f := c.sf
	out := make([]byte, 2*c.size)
	r, s = out[:c.size:c.size], out[c.size:]

	// r = x(k·P) mod q. x < p < 2^(8·Size), so reduce handles it whatever
	// the ratio of p to q (up to 4 for the cofactor-4 curves).
	c.baseMult(r, nil, k)
	var rv, dv, kv, ev, t1, t2 scalar
	f.set(&rv, r)
	f.reduce(&rv, &rv)

	// e = alpha mod q, or 1.
	f.set(&ev, alpha)
	f.reduce(&ev, &ev)
	f.selectOne(&ev)

	// s = (r·d + k·e) mod q: two Montgomery products (each carrying R⁻¹),
	// their sum, and one product by R² mod q to remove R⁻¹.
	f.set(&dv, d)
	f.set(&kv, k)
	f.mul(&t1, &rv, &dv)
	f.mul(&t2, &kv, &ev)
	f.add(&t1, &t1, &t2)
	f.mul(&t1, &t1, &f.rr)

	f.bytes(r, &rv)
	f.bytes(s, &t1)
	// Branching here reveals only that the signature would be degenerate.
	if f.isZero(&rv)|f.isZero(&t1) != 0 {
		return nil, nil, ErrRetry
	}
	return r, s, nil
}

// CheckPublicKey returns an error unless x, y are Size bytes, below p, the
// point (x, y) is on the curve and, for the cofactor-4 curves, q·(x, y) is
// the identity. Variable time: public keys are public.
func (c *Curve) CheckPublicKey(x, y []byte) error {
	if len(x) != c.size || len(y) != c.size {
		return errRange
	}
	return c.checkPoint(x, y)
}

// Verify reports whether (r, s) is a valid signature of the digest value
// alpha under the public key (x, y) (GOST R 34.10-2012 §6.2; FACTS §2.1).
// It rejects r or s outside [1, q−1] and any (x, y) not on the curve.
// Variable time: every input is public.
func (c *Curve) Verify(x, y, alpha, r, s []byte) bool {
	n := c.size
	if len(x) != n || len(y) != n || len(alpha) != n || len(r) != n || len(s) != n {
		return false
	}
	f := c.sf
	var rv, sv, ev, v, z1, z2 scalar
	f.set(&rv, r)
	f.set(&sv, s)
	if f.isValid(&rv) != 1 || f.isValid(&sv) != 1 {
		return false
	}
	f.set(&ev, alpha)
	f.reduce(&ev, &ev)
	f.selectOne(&ev)
	f.invVar(&v, &ev)
	// z1 = s·v, z2 = −r·v (mod q).
	f.mulMod(&z1, &sv, &v)
	f.mulMod(&z2, &rv, &v)
	f.neg(&z2, &z2)
	var buf [128]byte
	u1 := f.bytes(buf[:n], &z1)
	u2 := f.bytes(buf[n:2*n], &z2)
	return c.verifyMult(x, y, u1, u2, r)
}

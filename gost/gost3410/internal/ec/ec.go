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

// Curve is one GOST R 34.10-2012 elliptic curve with its base point.
type Curve struct {
	def  *curveDef
	ref  *refCurve
	size int
}

func newCurve(d *curveDef) *Curve {
	return &Curve{def: d, ref: newRefCurve(d.params()), size: d.size}
}

var (
	test256    = sync.OnceValue(func() *Curve { return newCurve(&defTest256) })
	cryptoProA = sync.OnceValue(func() *Curve { return newCurve(&defCryptoProA) })
	cryptoProB = sync.OnceValue(func() *Curve { return newCurve(&defCryptoProB) })
	cryptoProC = sync.OnceValue(func() *Curve { return newCurve(&defCryptoProC) })
	tc26256A   = sync.OnceValue(func() *Curve { return newCurve(&defTC26256A) })
	test512    = sync.OnceValue(func() *Curve { return newCurve(&defTest512) })
	tc26512A   = sync.OnceValue(func() *Curve { return newCurve(&defTC26512A) })
	tc26512B   = sync.OnceValue(func() *Curve { return newCurve(&defTC26512B) })
	tc26512C   = sync.OnceValue(func() *Curve { return newCurve(&defTC26512C) })
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

// Params returns a fresh copy of the curve constants.
func (c *Curve) Params() *Params { return c.def.params() }

// Params are the curve constants as big integers, for tests and documentation.
type Params struct{ P, A, B, Q, X, Y, Cofactor *big.Int }

// Order returns q, big-endian, Size bytes.
func (c *Curve) Order() []byte { return c.ref.q.FillBytes(make([]byte, c.size)) }

func (c *Curve) bytes(v *big.Int) []byte { return v.FillBytes(make([]byte, c.size)) }

func (c *Curve) scalar(b []byte) (*big.Int, bool) {
	if len(b) != c.size {
		return nil, false
	}
	v := new(big.Int).SetBytes(b)
	return v, v.Sign() > 0 && v.Cmp(c.ref.q) < 0
}

// PublicKey returns Q = d·P in affine coordinates.
func (c *Curve) PublicKey(d []byte) (x, y []byte, err error) {
	k, ok := c.scalar(d)
	if !ok {
		return nil, nil, errScalar
	}
	pt := c.ref.mul(k, c.ref.base())
	return c.bytes(pt.x), c.bytes(pt.y), nil
}

// Sign computes a GOST R 34.10-2012 signature (FACTS §2.1).
func (c *Curve) Sign(d, alpha, k []byte) (r, s []byte, err error) {
	dd, ok := c.scalar(d)
	if !ok {
		return nil, nil, errScalar
	}
	kk, ok := c.scalar(k)
	if !ok {
		return nil, nil, errNonce
	}
	if len(alpha) != c.size {
		return nil, nil, errLength
	}
	rr, ss, ok := c.ref.sign(dd, new(big.Int).SetBytes(alpha), kk)
	if !ok {
		return nil, nil, ErrRetry
	}
	return c.bytes(rr), c.bytes(ss), nil
}

// ScalarIsValid returns 1 iff 0 < k < q.
func (c *Curve) ScalarIsValid(k []byte) int {
	if _, ok := c.scalar(k); ok {
		return 1
	}
	return 0
}

// ReduceScalar returns a mod q.
func (c *Curve) ReduceScalar(a []byte) []byte {
	return c.bytes(new(big.Int).Mod(new(big.Int).SetBytes(a), c.ref.q))
}

// MulScalar returns a·b mod q.
func (c *Curve) MulScalar(a, b []byte) []byte {
	v := new(big.Int).Mul(new(big.Int).SetBytes(a), new(big.Int).SetBytes(b))
	return c.bytes(v.Mod(v, c.ref.q))
}

// CheckPublicKey checks that (x, y) is a valid public key.
func (c *Curve) CheckPublicKey(x, y []byte) error {
	if len(x) != c.size || len(y) != c.size {
		return errRange
	}
	bx, by := new(big.Int).SetBytes(x), new(big.Int).SetBytes(y)
	if bx.Cmp(c.ref.p) >= 0 || by.Cmp(c.ref.p) >= 0 {
		return errRange
	}
	if !c.ref.onCurve(bx, by) {
		return errNotOnCurve
	}
	if !c.ref.mul(c.ref.q, refPoint{x: bx, y: by}).inf {
		return errSubgroup
	}
	return nil
}

// Verify checks a signature (FACTS §2.1).
func (c *Curve) Verify(x, y, alpha, r, s []byte) bool {
	for _, b := range [][]byte{x, y, alpha, r, s} {
		if len(b) != c.size {
			return false
		}
	}
	return c.ref.verify(new(big.Int).SetBytes(x), new(big.Int).SetBytes(y),
		new(big.Int).SetBytes(alpha), new(big.Int).SetBytes(r), new(big.Int).SetBytes(s))
}

package gost3410

import (
	"crypto"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"slices"
)

// PrivateKey is a GOST R 34.10-2012 private key. It implements crypto.Signer
// and crypto.MessageSigner. The zero value is not usable; make one with
// GenerateKey, NewPrivateKey or ParsePKCS8PrivateKey.
type PrivateKey struct {
	pub PublicKey
	d   []byte // the scalar d, big-endian, Size bytes, 0 < d < q
}

// PublicKey is a GOST R 34.10-2012 public key: a point of the curve's
// prime-order subgroup, other than the point at infinity.
type PublicKey struct {
	ps   *ParamSet
	x, y []byte // affine coordinates, big-endian, Size bytes each
}

var errNilParamSet = errors.New("gost3410: nil parameter set")

// GenerateKey makes a new private key on ps, drawing d uniformly from
// [1, q−1] with bytes read from rand (crypto/rand.Reader when rand is nil).
func GenerateKey(ps *ParamSet, rand io.Reader) (*PrivateKey, error) {
	if ps == nil {
		return nil, errNilParamSet
	}
	c := ps.curve()
	d, err := randomScalar(c, rand)
	if err != nil {
		return nil, err
	}
	return newPrivateKey(ps, d)
}

// NewPrivateKey makes a private key on ps from its raw form LE(d): the
// little-endian scalar, Size bytes, as PKCS#8 files written by OpenSSL and
// PKCS#11 tokens hold it (FACTS §4.2). d must be in [1, q−1].
func NewPrivateKey(ps *ParamSet, raw []byte) (*PrivateKey, error) {
	if ps == nil {
		return nil, errNilParamSet
	}
	if len(raw) != ps.size {
		return nil, fmt.Errorf("gost3410: private key is %d bytes, want %d for %s", len(raw), ps.size, ps.name)
	}
	return newPrivateKey(ps, reversed(raw))
}

// newPrivateKey takes ownership of d (big-endian).
func newPrivateKey(ps *ParamSet, d []byte) (*PrivateKey, error) {
	x, y, err := ps.curve().PublicKey(d)
	if err != nil {
		return nil, errors.New("gost3410: invalid private key: the scalar is not in [1, q-1]")
	}
	return &PrivateKey{pub: PublicKey{ps: ps, x: x, y: y}, d: d}, nil
}

// Bytes returns the raw form of the key, LE(d) (FACTS §4.2).
func (k *PrivateKey) Bytes() []byte { return reversed(k.d) }

// ParamSet returns the key's parameter set.
func (k *PrivateKey) ParamSet() *ParamSet { return k.pub.ps }

// Public returns the public key, a *PublicKey.
func (k *PrivateKey) Public() crypto.PublicKey { return k.PublicKey() }

// PublicKey returns the public key.
func (k *PrivateKey) PublicKey() *PublicKey {
	p := k.pub
	return &p
}

// Equal reports whether k and x are the same key on the same parameter set.
// The scalars are compared in constant time.
func (k *PrivateKey) Equal(x crypto.PrivateKey) bool {
	o, ok := x.(*PrivateKey)
	return ok && k.pub.ps == o.pub.ps && subtle.ConstantTimeCompare(k.d, o.d) == 1
}

// NewPublicKey makes a public key on ps from its raw form LE(x) ‖ LE(y), 2·Size
// bytes, as the SubjectPublicKeyInfo OCTET STRING and a token's CKA_VALUE hold
// it (FACTS §4.1, §5.3). The point must lie on the curve, in the prime-order
// subgroup.
func NewPublicKey(ps *ParamSet, raw []byte) (*PublicKey, error) {
	if ps == nil {
		return nil, errNilParamSet
	}
	n := ps.size
	if len(raw) != 2*n {
		return nil, fmt.Errorf("gost3410: public key is %d bytes, want %d for %s", len(raw), 2*n, ps.name)
	}
	x, y := reversed(raw[:n]), reversed(raw[n:])
	if err := ps.curve().CheckPublicKey(x, y); err != nil {
		return nil, fmt.Errorf("gost3410: invalid public key for %s: %w", ps.name, err)
	}
	return &PublicKey{ps: ps, x: x, y: y}, nil
}

// Bytes returns the raw form LE(x) ‖ LE(y) (FACTS §4.1).
func (p *PublicKey) Bytes() []byte {
	return append(reversed(p.x), reversed(p.y)...)
}

// ParamSet returns the key's parameter set.
func (p *PublicKey) ParamSet() *ParamSet { return p.ps }

// Equal reports whether p and x are the same point on the same parameter set.
func (p *PublicKey) Equal(x crypto.PublicKey) bool {
	o, ok := x.(*PublicKey)
	return ok && p.ps == o.ps && slices.Equal(p.x, o.x) && slices.Equal(p.y, o.y)
}

// reversed returns a reversed copy of b: it turns little-endian into
// big-endian and back.
func reversed(b []byte) []byte {
	r := slices.Clone(b)
	slices.Reverse(r)
	return r
}

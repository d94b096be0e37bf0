package gost3410

import (
	"crypto"
	cryptorand "crypto/rand"
	"crypto/sha3"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/bits"

	"github.com/podpis/podpis/gost/gost3410/internal/ec"
	"github.com/podpis/podpis/gost/streebog"
)

// Hash names a Streebog variant (GOST R 34.11-2012). crypto.Hash is a closed
// list without Streebog, so GOST keys take SignerOpts, as Ed25519 keys take
// ed25519.Options.
type Hash uint8

const (
	// Streebog256 is GOST R 34.11-2012 with a 256-bit result (OID 1.2.643.7.1.1.2.2).
	Streebog256 Hash = 1 + iota
	// Streebog512 is GOST R 34.11-2012 with a 512-bit result (OID 1.2.643.7.1.1.2.3).
	Streebog512
)

// Size returns the digest length in bytes, or 0 for an unknown value.
func (h Hash) Size() int {
	switch h {
	case Streebog256:
		return streebog.Size256
	case Streebog512:
		return streebog.Size512
	}
	return 0
}

// New returns a new hash.Hash computing h. It panics for an unknown value.
func (h Hash) New() hash.Hash {
	switch h {
	case Streebog256:
		return streebog.New256()
	case Streebog512:
		return streebog.New512()
	}
	panic("gost3410: unknown Hash value")
}

func (h Hash) String() string {
	switch h {
	case Streebog256:
		return "Streebog-256"
	case Streebog512:
		return "Streebog-512"
	}
	return fmt.Sprintf("gost3410.Hash(%d)", uint8(h))
}

// SignerOpts are the options of PrivateKey.Sign and SignMessage.
//
// Hash names the Streebog variant that made the digest given to Sign (its
// length is checked), or that SignMessage is to apply. The zero value, a nil
// crypto.SignerOpts and crypto.Hash(0) all mean "digest already computed" for
// Sign — any digest of the key's Size — and the key's own variant
// (ParamSet.Hash) for SignMessage.
type SignerOpts struct {
	Hash Hash
}

// HashFunc returns 0: Streebog is not a crypto.Hash.
func (SignerOpts) HashFunc() crypto.Hash { return 0 }

// hashFor returns the Streebog variant that opts name for a key on ps, or 0
// when opts say the digest is already computed.
func hashFor(ps *ParamSet, opts crypto.SignerOpts) (Hash, error) {
	var h Hash
	switch o := opts.(type) {
	case nil:
	case SignerOpts:
		h = o.Hash
	case *SignerOpts:
		h = o.Hash
	default:
		if opts.HashFunc() != 0 {
			return 0, fmt.Errorf("gost3410: %v is not a GOST R 34.11-2012 hash; pass gost3410.SignerOpts", opts.HashFunc())
		}
	}
	if h != 0 && h.Size() == 0 {
		return 0, fmt.Errorf("gost3410: unknown hash %v", h)
	}
	if h != 0 && h.Size() != ps.size {
		return 0, fmt.Errorf("gost3410: %v cannot be used with a %d-bit key (%s)", h, 8*ps.size, ps.name)
	}
	return h, nil
}

// Sign signs a digest (GOST R 34.10-2012 §6.1, FACTS §2.1) and returns the
// signature BE(s) ‖ BE(r), 2·Size bytes: the form X.509, CMS, PKCS#11 and
// OpenSSL use. The digest is in wire order, as a hash.Hash returns it; its
// little-endian reading is the integer α of the standard.
//
// Signatures are hedged: the nonce is derived with SHAKE256 from the private
// key, the digest and 32 bytes from rand (crypto/rand.Reader when rand is
// nil), so a broken random source does not reveal the key; with a good one the
// nonce is uniform.
func (k *PrivateKey) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if _, err := hashFor(k.pub.ps, opts); err != nil {
		return nil, err
	}
	if len(digest) != k.pub.ps.size {
		return nil, fmt.Errorf("gost3410: digest is %d bytes, want %d for %s", len(digest), k.pub.ps.size, k.pub.ps.name)
	}
	return k.signDigest(rand, digest)
}

// SignMessage hashes msg with the Streebog variant opts name (the key's own
// one by default) and signs the digest as Sign does. It implements
// crypto.MessageSigner.
func (k *PrivateKey) SignMessage(rand io.Reader, msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	h, err := hashFor(k.pub.ps, opts)
	if err != nil {
		return nil, err
	}
	if h == 0 {
		h = k.pub.ps.Hash()
	}
	return k.signDigest(rand, digestOf(h, msg))
}

func (k *PrivateKey) signDigest(rand io.Reader, digest []byte) ([]byte, error) {
	c := k.pub.ps.curve()
	alpha := reversed(digest)
	entropy := make([]byte, 32)
	if rand == nil {
		rand = cryptorand.Reader
	}
	if _, err := io.ReadFull(rand, entropy); err != nil {
		return nil, fmt.Errorf("gost3410: reading randomness: %w", err)
	}
	// The nonce stream is SHAKE256 over a domain label, d, α and the entropy.
	// SHAKE256 is constant-time in its input; Streebog, which is table-driven,
	// would not be (see the streebog package doc), so it is not used on d here.
	xof := sha3.NewSHAKE256()
	xof.Write([]byte("podpis gost3410 hedged nonce v1\x00"))
	xof.Write(k.d)
	xof.Write(alpha)
	xof.Write(entropy)
	for range 64 {
		nonce := sampleScalar(c, xof)
		r, s, err := c.Sign(k.d, alpha, nonce)
		if errors.Is(err, ec.ErrRetry) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("gost3410: %w", err)
		}
		return append(s, r...), nil
	}
	// Each try fails with probability about 2/q; sixty-four in a row do not happen.
	panic("gost3410: internal error: no usable nonce in 64 tries")
}

// randomScalar draws a scalar uniformly from [1, q−1] with bytes from rand.
func randomScalar(c *ec.Curve, rand io.Reader) ([]byte, error) {
	if rand == nil {
		rand = cryptorand.Reader
	}
	for range 1000 {
		k := make([]byte, c.Size())
		if _, err := io.ReadFull(rand, k); err != nil {
			return nil, fmt.Errorf("gost3410: reading randomness: %w", err)
		}
		maskToOrder(c, k)
		if c.ScalarIsValid(k) == 1 {
			return k, nil
		}
	}
	return nil, errors.New("gost3410: the random source keeps returning out-of-range values")
}

// sampleScalar reads candidates from the XOF until one lies in [1, q−1]. Each
// candidate has as many bits as q, so at least about half are accepted; the
// number of rejections depends only on the XOF output, not on which candidate
// is kept, as in crypto/ecdsa's rejection sampling.
func sampleScalar(c *ec.Curve, xof io.Reader) []byte {
	k := make([]byte, c.Size())
	for {
		xof.Read(k) // a SHAKE never fails
		maskToOrder(c, k)
		if c.ScalarIsValid(k) == 1 {
			return k
		}
	}
}

// maskToOrder clears the bits of the big-endian k above the bit length of q.
func maskToOrder(c *ec.Curve, k []byte) {
	q := c.Order()
	i := 0
	for i < len(q) && q[i] == 0 {
		k[i] = 0
		i++
	}
	if i < len(q) {
		k[i] &= byte(1<<bits.Len8(q[i]) - 1)
	}
}

// Verify reports whether sig, BE(s) ‖ BE(r), is a valid signature of digest by
// pub (GOST R 34.10-2012 §6.2, FACTS §2.1). The digest is in wire order, as for
// Sign. Verification uses only public values and may take variable time.
func Verify(pub *PublicKey, digest, sig []byte) bool {
	n := pub.ps.size
	if len(digest) != n || len(sig) != 2*n {
		return false
	}
	return pub.ps.curve().Verify(pub.x, pub.y, reversed(digest), sig[n:], sig[:n])
}

// VerifyMessage hashes msg with the key's Streebog variant (ParamSet.Hash) and
// reports whether sig is a valid signature of it by pub.
func VerifyMessage(pub *PublicKey, msg, sig []byte) bool {
	return Verify(pub, digestOf(pub.ps.Hash(), msg), sig)
}

func digestOf(h Hash, msg []byte) []byte {
	if h == Streebog512 {
		d := streebog.Sum512(msg)
		return d[:]
	}
	d := streebog.Sum256(msg)
	return d[:]
}

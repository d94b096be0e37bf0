//go:build cgo

package pkcs11

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/miekg/pkcs11"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/gost/gost3410"
)

// Sign signs a digest on the token; rand is ignored (the token draws its
// own nonce). It is SignContext without a deadline.
func (k *Key) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.SignContext(context.Background(), digest, opts)
}

// SignMessage signs msg; rand is ignored. It is SignMessageContext without
// a deadline.
func (k *Key) SignMessage(_ io.Reader, msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.SignMessageContext(context.Background(), msg, opts)
}

// SignContext signs a digest computed on the host, as crypto.Signer does:
//
//   - GOST keys: opts are nil, crypto.Hash(0) or gost3410.SignerOpts naming
//     the Streebog variant of the key's size; the digest is in wire order, as
//     a hash.Hash returns it. The token signs it with CKM_GOSTR3410 (256) or
//     CKM_GOSTR3410_512, and the signature, BE(s) ‖ BE(r), is returned as the
//     token gives it (FACTS §5.3).
//   - ECDSA keys: CKM_ECDSA; the token's r ‖ s is returned as an ASN.1
//     ECDSA-Sig-Value, as crypto/ecdsa does.
//   - RSA keys: PKCS#1 v1.5 (CKM_RSA_PKCS over the DigestInfo of
//     opts.HashFunc(), or the bare digest for crypto.Hash(0)); RSASSA-PSS
//     (CKM_RSA_PKCS_PSS) when opts is *rsa.PSSOptions.
//
// The first signature of each Key (every one with Options.VerifyEach, and
// every RSA one) is verified against the key's public key before it is
// returned, so a module that signs with another byte order, parameter set or
// key cannot hand out bad signatures. ctx bounds the
// wait for a free session and for the login (a PIN prompt).
func (k *Key) SignContext(ctx context.Context, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	switch k.alg {
	case algGOST:
		pub := k.pub.(*gost3410.PublicKey)
		if err := checkGOSTOpts(pub.ParamSet(), opts); err != nil {
			return nil, err
		}
		return k.signGOST(ctx, pub, digest)
	case algECDSA:
		return k.signECDSA(ctx, digest, opts)
	case algRSA:
		return k.signRSA(ctx, digest, opts)
	}
	panic("pkcs11: internal error: key of unknown algorithm")
}

// SignMessageContext signs msg (crypto.MessageSigner). A GOST key on a
// token offering CKM_GOSTR3410_WITH_GOSTR3411_12_256 (or _512) has the
// token hash msg; otherwise msg is hashed on the host with the Streebog
// variant of the key's size (opts as for SignContext), or with
// opts.HashFunc() for ECDSA and RSA keys, and signed as SignContext does.
// The signature is verified as SignContext says.
func (k *Key) SignMessageContext(ctx context.Context, msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	if k.alg != algGOST {
		h := opts.HashFunc()
		if h == 0 || !h.Available() {
			return nil, fmt.Errorf("pkcs11: SignMessage needs a hash function, got %v", h)
		}
		d := h.New()
		d.Write(msg)
		return k.SignContext(ctx, d.Sum(nil), opts)
	}
	pub := k.pub.(*gost3410.PublicKey)
	ps := pub.ParamSet()
	if err := checkGOSTOpts(ps, opts); err != nil {
		return nil, err
	}
	d := ps.Hash().New()
	d.Write(msg)
	digest := d.Sum(nil)
	mech := uint(ckmGOSTR3410With3411_12_256)
	if ps.Size() == 64 {
		mech = ckmGOSTR3410With3411_12_512
	}
	if !k.tok.has(mech) {
		return k.signGOST(ctx, pub, digest)
	}
	sig, err := k.tokenSign(ctx, pkcs11.NewMechanism(mech, nil), msg)
	if err != nil {
		return nil, err
	}
	return sig, k.checkGOST(pub, digest, sig)
}

// checkGOSTOpts accepts what gost3410.PrivateKey.Sign accepts: no hash
// named, or the Streebog variant of the key's size.
func checkGOSTOpts(ps *gost3410.ParamSet, opts crypto.SignerOpts) error {
	var h gost3410.Hash
	switch o := opts.(type) {
	case nil:
	case gost3410.SignerOpts:
		h = o.Hash
	case *gost3410.SignerOpts:
		h = o.Hash
	default:
		if opts.HashFunc() != 0 {
			return fmt.Errorf("pkcs11: %v is not a GOST R 34.11-2012 hash; pass gost3410.SignerOpts", opts.HashFunc())
		}
	}
	if h != 0 && h.Size() != ps.Size() {
		return fmt.Errorf("pkcs11: %v cannot be used with a %d-bit GOST key", h, 8*ps.Size())
	}
	return nil
}

func (k *Key) signGOST(ctx context.Context, pub *gost3410.PublicKey, digest []byte) ([]byte, error) {
	n := pub.ParamSet().Size()
	if len(digest) != n {
		return nil, fmt.Errorf("pkcs11: digest is %d bytes, want %d for a %d-bit GOST key", len(digest), n, 8*n)
	}
	mech, name := uint(pkcs11.CKM_GOSTR3410), "CKM_GOSTR3410 (0x1201)"
	if n == 64 {
		mech, name = ckmGOSTR3410_512, "CKM_GOSTR3410_512 (0xD4321006)"
	}
	if !k.tok.has(mech) {
		return nil, fmt.Errorf("pkcs11: token %q does not offer %s", k.tok.info.Label, name)
	}
	sig, err := k.tokenSign(ctx, pkcs11.NewMechanism(mech, nil), digest)
	if err != nil {
		return nil, err
	}
	return sig, k.checkGOST(pub, digest, sig)
}

// checkGOST verifies a GOST signature from the token (FACTS §5.3: it is
// BE(s) ‖ BE(r), used as is).
func (k *Key) checkGOST(pub *gost3410.PublicKey, digest, sig []byte) error {
	return k.check(func() bool { return gost3410.Verify(pub, digest, sig) })
}

// check runs verify on the first signature of the key, or on each with
// Options.VerifyEach (see SignContext).
func (k *Key) check(verify func() bool) error {
	if k.verified.Load() && !k.verifyEach {
		return nil
	}
	if !verify() {
		return k.badSignature()
	}
	k.verified.Store(true)
	return nil
}

func (k *Key) badSignature() error {
	return fmt.Errorf("pkcs11: token %q returned a signature that does not verify with key %q's public key; it was not used", k.tok.info.Label, k.label)
}

func (k *Key) signECDSA(ctx context.Context, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	pub := k.pub.(*ecdsa.PublicKey)
	if h := opts.HashFunc(); h != 0 && len(digest) != h.Size() {
		return nil, fmt.Errorf("pkcs11: digest is %d bytes, want %d for %v", len(digest), h.Size(), h)
	}
	if !k.tok.has(pkcs11.CKM_ECDSA) {
		return nil, fmt.Errorf("pkcs11: token %q does not offer CKM_ECDSA", k.tok.info.Label)
	}
	n := (pub.Curve.Params().BitSize + 7) / 8
	in := digest
	if len(in) > n && pub.Curve.Params().BitSize%8 == 0 {
		in = in[:n] // the leftmost bits, as ECDSA uses them (SEC 1 §4.1.3)
	}
	raw, err := k.tokenSign(ctx, pkcs11.NewMechanism(pkcs11.CKM_ECDSA, nil), in)
	if err != nil {
		return nil, err
	}
	if len(raw) != 2*n {
		return nil, fmt.Errorf("pkcs11: token %q returned an ECDSA signature of %d bytes, want %d", k.tok.info.Label, len(raw), 2*n)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(new(big.Int).SetBytes(raw[:n]))
		b.AddASN1BigInt(new(big.Int).SetBytes(raw[n:]))
	})
	sig := b.BytesOrPanic()
	if err := k.check(func() bool { return ecdsa.VerifyASN1(pub, digest, sig) }); err != nil {
		return nil, err
	}
	return sig, nil
}

// digestInfoPrefix is the DER DigestInfo before the digest, for PKCS#1
// v1.5 signatures (RFC 8017 §9.2, note 1).
var digestInfoPrefix = map[crypto.Hash][]byte{
	crypto.SHA1:   {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14},
	crypto.SHA224: {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c},
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// pssMechanisms are the CKM_ hash and CKG_MGF1_ values of CK_RSA_PKCS_PSS_PARAMS.
var pssMechanisms = map[crypto.Hash][2]uint{
	crypto.SHA1:   {pkcs11.CKM_SHA_1, pkcs11.CKG_MGF1_SHA1},
	crypto.SHA224: {pkcs11.CKM_SHA224, pkcs11.CKG_MGF1_SHA224},
	crypto.SHA256: {pkcs11.CKM_SHA256, pkcs11.CKG_MGF1_SHA256},
	crypto.SHA384: {pkcs11.CKM_SHA384, pkcs11.CKG_MGF1_SHA384},
	crypto.SHA512: {pkcs11.CKM_SHA512, pkcs11.CKG_MGF1_SHA512},
}

func (k *Key) signRSA(ctx context.Context, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	pub := k.pub.(*rsa.PublicKey)
	h := opts.HashFunc()
	if h != 0 && len(digest) != h.Size() {
		return nil, fmt.Errorf("pkcs11: digest is %d bytes, want %d for %v", len(digest), h.Size(), h)
	}
	if pss, ok := opts.(*rsa.PSSOptions); ok {
		params, ok := pssMechanisms[h]
		if !ok {
			return nil, fmt.Errorf("pkcs11: RSASSA-PSS with %v is not supported", h)
		}
		if !k.tok.has(pkcs11.CKM_RSA_PKCS_PSS) {
			return nil, fmt.Errorf("pkcs11: token %q does not offer CKM_RSA_PKCS_PSS", k.tok.info.Label)
		}
		salt := pss.SaltLength
		switch salt {
		case rsa.PSSSaltLengthEqualsHash:
			salt = h.Size()
		case rsa.PSSSaltLengthAuto: // as large as possible, as rsa.SignPSS does
			salt = (pub.N.BitLen()-1+7)/8 - 2 - h.Size()
		}
		if salt < 0 {
			return nil, fmt.Errorf("pkcs11: RSASSA-PSS salt length %d is invalid", pss.SaltLength)
		}
		mech := pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS_PSS, pkcs11.NewPSSParams(params[0], params[1], uint(salt)))
		sig, err := k.tokenSign(ctx, mech, digest)
		if err != nil {
			return nil, err
		}
		if rsa.VerifyPSS(pub, h, digest, sig, &rsa.PSSOptions{SaltLength: salt}) != nil {
			return nil, k.badSignature()
		}
		return sig, nil
	}
	in := digest
	if h != 0 {
		prefix, ok := digestInfoPrefix[h]
		if !ok {
			return nil, fmt.Errorf("pkcs11: RSA PKCS#1 v1.5 with %v is not supported", h)
		}
		in = append(append([]byte(nil), prefix...), digest...)
	}
	if !k.tok.has(pkcs11.CKM_RSA_PKCS) {
		return nil, fmt.Errorf("pkcs11: token %q does not offer CKM_RSA_PKCS", k.tok.info.Label)
	}
	sig, err := k.tokenSign(ctx, pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS, nil), in)
	if err != nil {
		return nil, err
	}
	if rsa.VerifyPKCS1v15(pub, h, digest, sig) != nil {
		return nil, k.badSignature()
	}
	return sig, nil
}

// tokenSign runs C_SignInit and C_Sign with mech over data in a pool
// session, logging in first when the token needs it. A key with
// CKA_ALWAYS_AUTHENTICATE gets its context-specific login between the two.
// When the token says the user is not logged in (it forgot the login, e.g.
// after a power glitch) the login is done again once, with a fresh PIN:
// that is not a retry of a rejected PIN, which never happens.
func (k *Key) tokenSign(ctx context.Context, mech *pkcs11.Mechanism, data []byte) ([]byte, error) {
	var sig []byte
	err := k.use(func() error {
		var err error
		for attempt := 0; attempt < 2; attempt++ {
			if err = k.tok.login(ctx, k.pin); err != nil {
				return err
			}
			err = k.tok.withSession(ctx, func(s pkcs11.SessionHandle) error {
				c := k.tok.mod.ctx
				if err := c.SignInit(s, []*pkcs11.Mechanism{mech}, k.priv); err != nil {
					return callErr("C_SignInit", err)
				}
				if k.alwaysAuth {
					if err := k.tok.authenticate(ctx, s, pkcs11.CKU_CONTEXT_SPECIFIC, k.pin, true); err != nil {
						return err
					}
				}
				var err error
				sig, err = c.Sign(s, data)
				return callErr("C_Sign", err)
			})
			if rvOf(err) != pkcs11.CKR_USER_NOT_LOGGED_IN {
				break
			}
		}
		return err
	})
	var rv *rvError
	if errors.As(err, &rv) {
		return nil, fmt.Errorf("pkcs11: signing with key %q on token %q: %w", k.label, k.tok.info.Label, err)
	}
	return sig, err
}

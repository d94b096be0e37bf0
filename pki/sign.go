package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/gost/gost3410"
)

var (
	// ErrSignatureInvalid means a signature does not verify: the bytes were
	// changed, the wrong key was used, or the algorithm does not fit the key.
	ErrSignatureInvalid = errors.New("pki: signature invalid")
	// ErrUnsupportedAlgorithm means podpis cannot check or make a signature
	// with this algorithm or key: GOST R 34.10-2001, SHA-1, an unknown OID,
	// or a public key that was not decoded.
	ErrUnsupportedAlgorithm = errors.New("pki: unsupported algorithm")
)

// asn1NULL is the DER NULL that RSA AlgorithmIdentifiers carry (RFC 4055 §5).
var asn1NULL = asn1.RawValue{FullBytes: []byte{0x05, 0x00}}

// CheckSignature verifies sig over signed with pub.
//
// sigAlg is a signature algorithm OID, or a key algorithm OID as CMS producers
// often write (FACTS §4.5: the GOST key OID 1.2.643.7.1.1.1.1 where
// 1.2.643.7.1.1.3.2 belongs; rsaEncryption or id-ecPublicKey with a separate
// digest); digestAlg names the digest when sigAlg does not, and must agree
// with it when both do (it may be nil).
//
// GOST R 34.10-2012 signatures are BE(s) ‖ BE(r) over Streebog(signed), the
// variant fixed by the key size (FACTS §4.4). RSA PKCS#1 v1.5 and RSASSA-PSS
// (digest from digestAlg, any salt length), ECDSA with SHA-2 and Ed25519 go
// through the standard library. Errors wrap ErrSignatureInvalid or
// ErrUnsupportedAlgorithm.
func CheckSignature(pub crypto.PublicKey, sigAlg, digestAlg asn1.ObjectIdentifier, signed, sig []byte) error {
	return checkSignature(pub, pkix.AlgorithmIdentifier{Algorithm: sigAlg}, digestAlg, signed, sig)
}

// checkSignature is CheckSignature with the whole AlgorithmIdentifier, whose
// parameters matter for RSASSA-PSS.
func checkSignature(pub crypto.PublicKey, alg pkix.AlgorithmIdentifier, digestAlg asn1.ObjectIdentifier, signed, sig []byte) error {
	sigAlg := alg.Algorithm
	if sigAlg.Equal(oidGOST2001Sig) || sigAlg.Equal(oidGOST2001Key) {
		return fmt.Errorf("%w: GOST R 34.10-2001 with GOST R 34.11-94 (%v)", ErrUnsupportedAlgorithm, sigAlg)
	}
	switch pub := pub.(type) {
	case *gost3410.PublicKey:
		return checkGOST(pub, sigAlg, digestAlg, signed, sig)
	case *rsa.PublicKey:
		return checkRSA(pub, alg, digestAlg, signed, sig)
	case *ecdsa.PublicKey:
		h, err := digestFor(sigAlg, digestAlg, map[string]crypto.Hash{
			OIDECDSAWithSHA256.String(): crypto.SHA256,
			OIDECDSAWithSHA384.String(): crypto.SHA384,
			OIDECDSAWithSHA512.String(): crypto.SHA512,
		}, OIDECPublicKey)
		if err != nil {
			return err
		}
		if !ecdsa.VerifyASN1(pub, stdDigest(h, signed), sig) {
			return fmt.Errorf("%w: ECDSA", ErrSignatureInvalid)
		}
		return nil
	case ed25519.PublicKey:
		if !sigAlg.Equal(oidEd25519) {
			return mismatch(sigAlg, "Ed25519")
		}
		if !ed25519.Verify(pub, signed, sig) {
			return fmt.Errorf("%w: Ed25519", ErrSignatureInvalid)
		}
		return nil
	case nil:
		return fmt.Errorf("%w: public key not decoded", ErrUnsupportedAlgorithm)
	}
	return fmt.Errorf("%w: public key of type %T", ErrUnsupportedAlgorithm, pub)
}

func mismatch(sigAlg asn1.ObjectIdentifier, key string) error {
	if known(sigAlg) {
		return fmt.Errorf("%w: signature algorithm %v does not fit a %s key", ErrSignatureInvalid, sigAlg, key)
	}
	return fmt.Errorf("%w: signature algorithm %v", ErrUnsupportedAlgorithm, sigAlg)
}

// known reports whether podpis knows the signature or key algorithm oid.
func known(oid asn1.ObjectIdentifier) bool {
	for _, o := range []asn1.ObjectIdentifier{
		OIDGOSTKey256, OIDGOSTKey512, OIDGOSTAgreement256, OIDGOSTAgreement512, OIDGOSTSig256, OIDGOSTSig512,
		OIDRSAEncryption, oidRSAPSS, OIDSHA256WithRSA, OIDSHA384WithRSA, OIDSHA512WithRSA,
		OIDECPublicKey, OIDECDSAWithSHA256, OIDECDSAWithSHA384, OIDECDSAWithSHA512, oidEd25519,
	} {
		if o.Equal(oid) {
			return true
		}
	}
	return false
}

func checkGOST(pub *gost3410.PublicKey, sigAlg, digestAlg asn1.ObjectIdentifier, signed, sig []byte) error {
	var want gost3410.Hash
	switch {
	case sigAlg.Equal(OIDGOSTSig256), sigAlg.Equal(OIDGOSTKey256), sigAlg.Equal(OIDGOSTAgreement256):
		want = gost3410.Streebog256
	case sigAlg.Equal(OIDGOSTSig512), sigAlg.Equal(OIDGOSTKey512), sigAlg.Equal(OIDGOSTAgreement512):
		want = gost3410.Streebog512
	default:
		return mismatch(sigAlg, "GOST R 34.10-2012")
	}
	h := pub.ParamSet().Hash()
	if want != h {
		return fmt.Errorf("%w: signature algorithm %v does not fit a %d-bit GOST key", ErrSignatureInvalid, sigAlg, 8*pub.ParamSet().Size())
	}
	if digestAlg != nil && !digestAlg.Equal(h.OID()) {
		return fmt.Errorf("%w: digest %v does not fit signature algorithm %v", ErrSignatureInvalid, digestAlg, sigAlg)
	}
	d := h.New()
	d.Write(signed)
	if !gost3410.Verify(pub, d.Sum(nil), sig) {
		return fmt.Errorf("%w: GOST R 34.10-2012", ErrSignatureInvalid)
	}
	return nil
}

func checkRSA(pub *rsa.PublicKey, alg pkix.AlgorithmIdentifier, digestAlg asn1.ObjectIdentifier, signed, sig []byte) error {
	if alg.Algorithm.Equal(oidRSAPSS) {
		h, salt, err := pssParams(alg.Parameters.FullBytes, digestAlg)
		if err != nil {
			return err
		}
		if err := rsa.VerifyPSS(pub, h, stdDigest(h, signed), sig, &rsa.PSSOptions{SaltLength: salt, Hash: h}); err != nil {
			return fmt.Errorf("%w: RSASSA-PSS", ErrSignatureInvalid)
		}
		return nil
	}
	h, err := digestFor(alg.Algorithm, digestAlg, map[string]crypto.Hash{
		OIDSHA256WithRSA.String(): crypto.SHA256,
		OIDSHA384WithRSA.String(): crypto.SHA384,
		OIDSHA512WithRSA.String(): crypto.SHA512,
	}, OIDRSAEncryption)
	if err != nil {
		return err
	}
	if err := rsa.VerifyPKCS1v15(pub, h, stdDigest(h, signed), sig); err != nil {
		return fmt.Errorf("%w: RSA PKCS#1 v1.5", ErrSignatureInvalid)
	}
	return nil
}

// digestFor picks the SHA-2 digest of a signature OID from table, or from
// digestAlg when sigAlg is the bare key OID.
func digestFor(sigAlg, digestAlg asn1.ObjectIdentifier, table map[string]crypto.Hash, keyOID asn1.ObjectIdentifier) (crypto.Hash, error) {
	var fromDigest crypto.Hash
	if digestAlg != nil {
		h, ok := stdHashByOID(digestAlg)
		if !ok {
			return 0, fmt.Errorf("%w: digest %v", ErrUnsupportedAlgorithm, digestAlg)
		}
		fromDigest = h
	}
	if sigAlg.Equal(keyOID) {
		if fromDigest == 0 {
			return 0, fmt.Errorf("%w: key algorithm %v as signature algorithm without a digest", ErrUnsupportedAlgorithm, sigAlg)
		}
		return fromDigest, nil
	}
	h, ok := table[sigAlg.String()]
	if !ok {
		return 0, mismatch(sigAlg, keyName(keyOID))
	}
	if fromDigest != 0 && fromDigest != h {
		return 0, fmt.Errorf("%w: digest %v does not fit signature algorithm %v", ErrSignatureInvalid, digestAlg, sigAlg)
	}
	return h, nil
}

func keyName(keyOID asn1.ObjectIdentifier) string {
	if keyOID.Equal(OIDRSAEncryption) {
		return "RSA"
	}
	return "ECDSA"
}

func stdDigest(h crypto.Hash, msg []byte) []byte {
	d := h.New()
	d.Write(msg)
	return d.Sum(nil)
}

// pssParams reads RSASSA-PSS-params (RFC 4055 §3.1). Only SHA-2 with MGF1
// over the same digest is accepted (the SHA-1 defaults are refused). Without
// parameters, as a CMS caller passes only an OID, the digest comes from
// digestAlg and any salt length is accepted.
func pssParams(params []byte, digestAlg asn1.ObjectIdentifier) (crypto.Hash, int, error) {
	bad := fmt.Errorf("%w: RSASSA-PSS parameters", ErrUnsupportedAlgorithm)
	if len(params) == 0 || (len(params) == 2 && params[0] == 0x05) {
		h, ok := stdHashByOID(digestAlg)
		if !ok {
			return 0, 0, bad
		}
		return h, rsa.PSSSaltLengthAuto, nil
	}
	in := cryptobyte.String(params)
	var seq, hashAlg, mgf, mgfHash cryptobyte.String
	var hashOID, mgfOID, mgfHashOID asn1.ObjectIdentifier
	var salt int64 = 20
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() ||
		!seq.ReadASN1(&hashAlg, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!hashAlg.ReadASN1(&hashAlg, cbasn1.SEQUENCE) || !hashAlg.ReadASN1ObjectIdentifier(&hashOID) ||
		!seq.ReadASN1(&mgf, cbasn1.Tag(1).Constructed().ContextSpecific()) ||
		!mgf.ReadASN1(&mgf, cbasn1.SEQUENCE) || !mgf.ReadASN1ObjectIdentifier(&mgfOID) ||
		!mgf.ReadASN1(&mgfHash, cbasn1.SEQUENCE) || !mgfHash.ReadASN1ObjectIdentifier(&mgfHashOID) ||
		!seq.ReadOptionalASN1Integer(&salt, cbasn1.Tag(2).Constructed().ContextSpecific(), int64(20)) {
		return 0, 0, bad
	}
	var trailer int64 = 1
	if !seq.ReadOptionalASN1Integer(&trailer, cbasn1.Tag(3).Constructed().ContextSpecific(), int64(1)) || !seq.Empty() || trailer != 1 {
		return 0, 0, bad
	}
	h, ok := stdHashByOID(hashOID)
	if !ok || !mgfOID.Equal(oidMGF1) || !mgfHashOID.Equal(hashOID) || salt < 0 || salt > 1<<16 {
		return 0, 0, bad
	}
	if digestAlg != nil && !digestAlg.Equal(hashOID) {
		return 0, 0, fmt.Errorf("%w: digest %v does not fit RSASSA-PSS with %v", ErrSignatureInvalid, digestAlg, hashOID)
	}
	return h, int(salt), nil
}

// Sign signs msg with signer, choosing the digest from the key:
// Streebog-256 or Streebog-512 by GOST key size, SHA-256 for RSA and P-256,
// SHA-384 for P-384, SHA-512 for P-521; Ed25519 signs msg itself. It returns
// the signature, the signature AlgorithmIdentifier podpis writes (GOST:
// 1.2.643.7.1.1.3.2 or 1.2.643.7.1.1.3.3 with parameters absent, FACTS §4.3;
// RSA: PKCS#1 v1.5 with NULL parameters, RFC 4055 §5) and the digest OID
// (SHA-512 for Ed25519, RFC 8419 §3).
//
// A signer that implements crypto.MessageSigner, such as a token that hashes
// on the card, is given msg; any other is given the digest. The signature is
// verified before it is returned, so a faulty signer (a token, a remote key)
// cannot hand out a bad one.
func Sign(rand io.Reader, signer crypto.Signer, msg []byte) (sig []byte, sigAlg pkix.AlgorithmIdentifier, digestAlg asn1.ObjectIdentifier, err error) {
	pub := signer.Public()
	sigAlg, digestAlg, opts, err := signingParams(pub)
	if err != nil {
		return nil, pkix.AlgorithmIdentifier{}, nil, err
	}
	switch {
	case opts == nil: // Ed25519 signs the message itself
		sig, err = signer.Sign(rand, msg, crypto.Hash(0))
	case opts.HashFunc() != 0:
		sig, err = crypto.SignMessage(signer, rand, msg, opts)
	default: // GOST: crypto.Hash has no Streebog, so crypto.SignMessage cannot hash
		if ms, ok := signer.(crypto.MessageSigner); ok {
			sig, err = ms.SignMessage(rand, msg, opts)
		} else {
			d := opts.(gost3410.SignerOpts).Hash.New()
			d.Write(msg)
			sig, err = signer.Sign(rand, d.Sum(nil), opts)
		}
	}
	if err != nil {
		return nil, pkix.AlgorithmIdentifier{}, nil, fmt.Errorf("pki: signing: %w", err)
	}
	if err := checkSignature(pub, sigAlg, nil, msg, sig); err != nil {
		return nil, pkix.AlgorithmIdentifier{}, nil, fmt.Errorf("pki: the signer produced a signature that does not verify: %w", err)
	}
	return sig, sigAlg, digestAlg, nil
}

// signingParams returns what Sign uses for a key: the signature
// AlgorithmIdentifier, the digest OID and the signer options (nil for
// Ed25519).
func signingParams(pub crypto.PublicKey) (sigAlg pkix.AlgorithmIdentifier, digestAlg asn1.ObjectIdentifier, opts crypto.SignerOpts, err error) {
	switch k := pub.(type) {
	case *gost3410.PublicKey:
		if k.ParamSet().Hash() == gost3410.Streebog512 {
			return pkix.AlgorithmIdentifier{Algorithm: OIDGOSTSig512}, OIDStreebog512, gost3410.SignerOpts{Hash: gost3410.Streebog512}, nil
		}
		return pkix.AlgorithmIdentifier{Algorithm: OIDGOSTSig256}, OIDStreebog256, gost3410.SignerOpts{Hash: gost3410.Streebog256}, nil
	case *rsa.PublicKey:
		return pkix.AlgorithmIdentifier{Algorithm: OIDSHA256WithRSA, Parameters: asn1NULL}, OIDSHA256, crypto.SHA256, nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return pkix.AlgorithmIdentifier{Algorithm: OIDECDSAWithSHA256}, OIDSHA256, crypto.SHA256, nil
		case elliptic.P384():
			return pkix.AlgorithmIdentifier{Algorithm: OIDECDSAWithSHA384}, OIDSHA384, crypto.SHA384, nil
		case elliptic.P521():
			return pkix.AlgorithmIdentifier{Algorithm: OIDECDSAWithSHA512}, OIDSHA512, crypto.SHA512, nil
		}
		return sigAlg, nil, nil, fmt.Errorf("%w: ECDSA curve %s", ErrUnsupportedAlgorithm, k.Curve.Params().Name)
	case ed25519.PublicKey:
		return pkix.AlgorithmIdentifier{Algorithm: oidEd25519}, OIDSHA512, nil, nil
	}
	return sigAlg, nil, nil, fmt.Errorf("%w: signer with public key of type %T", ErrUnsupportedAlgorithm, pub)
}

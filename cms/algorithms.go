package cms

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
)

// What podpis writes (the decision; both forms are read, FACTS §4.3, §4.5):
//
//   - SignerInfo.signatureAlgorithm for a GOST key is the key algorithm OID,
//     id-tc26-gost3410-12-256 (1.2.643.7.1.1.1.1) or -512 (…1.1.2), with
//     parameters absent. That is what OpenSSL's GOST engine, CryptoPro CSP
//     (CAdESCOM, КриптоАРМ, КриптоПро PDF), BouncyCastle and the TC 26
//     examples write (shared realworld/PROVENANCE.md §8), continuing the
//     RFC 4490 §3.2 convention of the GOST 2001 generation, so every GOST
//     verifier in the field reads it. The signwithdigest OID (1.2.643.7.1.1.3.2,
//     FNS's choice) is read as well. RSA and ECDSA signers get the signature
//     OID package pki chooses (sha256WithRSAEncryption, ecdsa-with-SHA256 …).
//   - digestAlgorithm (and the digestAlgorithms SET, and the ESSCertIDv2
//     hashAlgorithm) are written with parameters absent, as RFC 9215 §3 and
//     RFC 5754 §2 ask; OpenSSL writes NULL, and both are read.

// digestForKey returns the digest package pki's Sign uses for a key, which
// the content and the signed attributes of a SignerInfo are hashed with:
// Streebog-256/512 by GOST key size, SHA-256 for RSA and P-256, SHA-384 for
// P-384, SHA-512 for P-521 and Ed25519 (RFC 8419 §3).
func digestForKey(pub crypto.PublicKey) (asn1.ObjectIdentifier, error) {
	switch k := pub.(type) {
	case *gost3410.PublicKey:
		if k.ParamSet().Hash() == gost3410.Streebog512 {
			return pki.OIDStreebog512, nil
		}
		return pki.OIDStreebog256, nil
	case *rsa.PublicKey:
		return pki.OIDSHA256, nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return pki.OIDSHA256, nil
		case elliptic.P384():
			return pki.OIDSHA384, nil
		case elliptic.P521():
			return pki.OIDSHA512, nil
		}
	case ed25519.PublicKey:
		return pki.OIDSHA512, nil
	}
	return nil, fmt.Errorf("cms: %w: signer key of type %T", pki.ErrUnsupportedAlgorithm, pub)
}

// signatureAlgorithmFor returns what podpis writes in SignerInfo.signatureAlgorithm
// (see above); pkiAlg is what pki.Sign returned.
func signatureAlgorithmFor(pub crypto.PublicKey, pkiAlg pkix.AlgorithmIdentifier) pkix.AlgorithmIdentifier {
	if k, ok := pub.(*gost3410.PublicKey); ok {
		return pkix.AlgorithmIdentifier{Algorithm: k.ParamSet().KeyAlgorithmOID()}
	}
	return pkiAlg
}

// stdHashes maps SHA-2 digest OIDs to crypto.Hash.
var stdHashes = []struct {
	oid asn1.ObjectIdentifier
	h   crypto.Hash
}{
	{pki.OIDSHA256, crypto.SHA256},
	{pki.OIDSHA384, crypto.SHA384},
	{pki.OIDSHA512, crypto.SHA512},
}

// checkDigestSignature verifies a SignerInfo without signed attributes, whose
// signature covers the content digest directly (RFC 5652 §5.4). It works on
// the digest so that detached content is streamed once, never held in
// memory; with signed attributes pki.CheckSignature gets the message itself.
// GOST R 34.10-2012, RSA PKCS #1 v1.5 and ECDSA are supported; the
// signature algorithm may be written as the key or the signature OID.
func checkDigestSignature(pub crypto.PublicKey, sigAlg, digestAlg asn1.ObjectIdentifier, digest, sig []byte) error {
	switch k := pub.(type) {
	case *gost3410.PublicKey:
		want := pki.OIDStreebog256
		keyOIDs := []asn1.ObjectIdentifier{pki.OIDGOSTKey256, pki.OIDGOSTSig256, pki.OIDGOSTAgreement256}
		if k.ParamSet().Hash() == gost3410.Streebog512 {
			want = pki.OIDStreebog512
			keyOIDs = []asn1.ObjectIdentifier{pki.OIDGOSTKey512, pki.OIDGOSTSig512, pki.OIDGOSTAgreement512}
		}
		if !digestAlg.Equal(want) || !oneOf(sigAlg, keyOIDs...) {
			return fmt.Errorf("%w: %v with %v for a %d-bit GOST key", pki.ErrUnsupportedAlgorithm, sigAlg, digestAlg, 8*k.ParamSet().Size())
		}
		if !gost3410.Verify(k, digest, sig) {
			return pki.ErrSignatureInvalid
		}
		return nil
	case *rsa.PublicKey:
		h, ok := stdHash(digestAlg)
		if !ok || !sigFits(pki.OIDRSAEncryption, sigAlg, digestAlg) {
			return fmt.Errorf("%w: %v with %v for an RSA key", pki.ErrUnsupportedAlgorithm, sigAlg, digestAlg)
		}
		if rsa.VerifyPKCS1v15(k, h, digest, sig) != nil {
			return pki.ErrSignatureInvalid
		}
		return nil
	case *ecdsa.PublicKey:
		_, ok := stdHash(digestAlg)
		if !ok || !sigFits(pki.OIDECPublicKey, sigAlg, digestAlg) {
			return fmt.Errorf("%w: %v with %v for an ECDSA key", pki.ErrUnsupportedAlgorithm, sigAlg, digestAlg)
		}
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return pki.ErrSignatureInvalid
		}
		return nil
	}
	return fmt.Errorf("%w: key of type %T", pki.ErrUnsupportedAlgorithm, pub)
}

func stdHash(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	for _, s := range stdHashes {
		if s.oid.Equal(oid) {
			return s.h, true
		}
	}
	return 0, false
}

func oneOf(oid asn1.ObjectIdentifier, set ...asn1.ObjectIdentifier) bool {
	for _, o := range set {
		if oid.Equal(o) {
			return true
		}
	}
	return false
}

// sigDigests pairs the RSA and ECDSA signature OIDs with their digest; the
// key OIDs (rsaEncryption, id-ecPublicKey) fit any digest, taken from
// digestAlgorithm.
var sigDigests = []struct {
	sig, digest, key asn1.ObjectIdentifier
}{
	{pki.OIDSHA256WithRSA, pki.OIDSHA256, pki.OIDRSAEncryption},
	{pki.OIDSHA384WithRSA, pki.OIDSHA384, pki.OIDRSAEncryption},
	{pki.OIDSHA512WithRSA, pki.OIDSHA512, pki.OIDRSAEncryption},
	{pki.OIDECDSAWithSHA256, pki.OIDSHA256, pki.OIDECPublicKey},
	{pki.OIDECDSAWithSHA384, pki.OIDSHA384, pki.OIDECPublicKey},
	{pki.OIDECDSAWithSHA512, pki.OIDSHA512, pki.OIDECPublicKey},
}

// sigFits reports whether sigAlg may sign with digestAlg for keys of keyOID.
func sigFits(keyOID, sigAlg, digestAlg asn1.ObjectIdentifier) bool {
	if sigAlg.Equal(keyOID) {
		return true
	}
	for _, s := range sigDigests {
		if s.key.Equal(keyOID) && s.sig.Equal(sigAlg) {
			return s.digest.Equal(digestAlg)
		}
	}
	return false
}

func algorithmID(oid asn1.ObjectIdentifier) pkix.AlgorithmIdentifier {
	return pkix.AlgorithmIdentifier{Algorithm: oid}
}

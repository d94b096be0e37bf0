package pki

import (
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"hash"

	"github.com/podpis/podpis/gost/streebog"
)

// Digest algorithm identifiers (FACTS §1.3, §4.3; RFC 5754 §2).
var (
	OIDStreebog256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2} // id-tc26-gost3411-12-256
	OIDStreebog512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3} // id-tc26-gost3411-12-512
	OIDSHA256      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	OIDSHA384      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	OIDSHA512      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
)

// Key and signature algorithm identifiers. GOST: FACTS §3.1, §4.1, §4.3;
// RSA: RFC 8017 Appendix C, RFC 4055; ECDSA: RFC 5758 §3.2, RFC 5480;
// Ed25519: RFC 8410.
var (
	OIDGOSTKey256       = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1} // id-tc26-gost3410-12-256
	OIDGOSTKey512       = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2} // id-tc26-gost3410-12-512
	OIDGOSTAgreement256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 6, 1} // id-tc26-agreement-gost-3410-12-256
	OIDGOSTAgreement512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 6, 2} // id-tc26-agreement-gost-3410-12-512
	OIDGOSTSig256       = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 2} // id-tc26-signwithdigest-gost3410-12-256
	OIDGOSTSig512       = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 3} // id-tc26-signwithdigest-gost3410-12-512
	oidGOST2001Key      = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19}      // id-GostR3410-2001
	oidGOST2001Sig      = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 3}       // id-GostR3411-94-with-GostR3410-2001

	OIDRSAEncryption   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAPSS          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	OIDSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	OIDSHA384WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	OIDSHA512WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidMGF1            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	OIDECPublicKey     = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	OIDECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	OIDECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	OIDECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	oidEd25519         = asn1.ObjectIdentifier{1, 3, 101, 112}
)

// digests lists the digest algorithms podpis computes, by OID.
var digests = []struct {
	oid  asn1.ObjectIdentifier
	new  func() hash.Hash
	std  crypto.Hash // 0 for Streebog, which crypto.Hash does not name
	name string
}{
	{OIDStreebog256, streebog.New256, 0, "Streebog-256"},
	{OIDStreebog512, streebog.New512, 0, "Streebog-512"},
	{OIDSHA256, sha256.New, crypto.SHA256, "SHA-256"},
	{OIDSHA384, sha512.New384, crypto.SHA384, "SHA-384"},
	{OIDSHA512, sha512.New, crypto.SHA512, "SHA-512"},
}

// HashByOID returns the constructor of the digest algorithm oid names:
// Streebog-256/512 (GOST R 34.11-2012) or SHA-256/384/512.
func HashByOID(oid asn1.ObjectIdentifier) (func() hash.Hash, bool) {
	for _, d := range digests {
		if d.oid.Equal(oid) {
			return d.new, true
		}
	}
	return nil, false
}

// stdHashByOID returns the crypto.Hash of a SHA-2 digest OID.
func stdHashByOID(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	for _, d := range digests {
		if d.oid.Equal(oid) && d.std != 0 {
			return d.std, true
		}
	}
	return 0, false
}

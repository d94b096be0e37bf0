package cms

import (
	"bytes"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/asn1"
	"fmt"
	"hash"
	"math/big"
	"strings"

	"crypto/x509/pkix"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/pki"
)

// The ESS signing-certificate attributes (RFC 2634 §5.4, RFC 5035 §3):
//
//	SigningCertificateV2 ::= SEQUENCE {
//	    certs    SEQUENCE OF ESSCertIDv2,
//	    policies SEQUENCE OF PolicyInformation OPTIONAL }
//	ESSCertIDv2 ::= SEQUENCE {
//	    hashAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256},
//	    certHash      OCTET STRING,
//	    issuerSerial  IssuerSerial OPTIONAL }
//	ESSCertID ::= SEQUENCE { certHash OCTET STRING (SHA-1), issuerSerial IssuerSerial OPTIONAL }
//	IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }
//
// With GOST the hash is Streebog-256, so hashAlgorithm must be present
// (FACTS §4.5); the first ESSCertID names the signer's certificate.

// hashFor returns the digest constructor of an ESS hash algorithm: those of
// pki.HashByOID plus SHA-1, which the v1 attribute and some TSAs still use.
func hashFor(oid asn1.ObjectIdentifier) (func() hash.Hash, bool) {
	if oid.Equal(oidSHA1) {
		return sha1.New, true
	}
	return pki.HashByOID(oid)
}

func parseSigningCertificate(v []byte, v2 bool) (*ESSCertID, error) {
	name := "signingCertificateV2"
	if !v2 {
		name = "signingCertificate"
	}
	bad := fmt.Errorf("malformed %s attribute", name)
	s := cryptobyte.String(v)
	var body, certs, first cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !s.Empty() ||
		!body.ReadASN1(&certs, cbasn1.SEQUENCE) || !certs.ReadASN1(&first, cbasn1.SEQUENCE) {
		return nil, bad
	}
	id := &ESSCertID{V2: v2, HashAlgorithm: oidSHA1}
	if v2 {
		id.HashAlgorithm = pki.OIDSHA256
		if first.PeekASN1Tag(cbasn1.SEQUENCE) {
			var el cryptobyte.String
			if !first.ReadASN1Element(&el, cbasn1.SEQUENCE) {
				return nil, bad
			}
			ai, ok := parseAlgorithmIdentifier(el)
			if !ok {
				return nil, bad
			}
			id.HashAlgorithm = ai.Algorithm
		}
	}
	var certHash cryptobyte.String
	if !first.ReadASN1(&certHash, cbasn1.OCTET_STRING) {
		return nil, bad
	}
	id.CertHash = certHash
	if !first.Empty() {
		is, err := parseIssuerSerial(&first)
		if err != nil || !first.Empty() {
			return nil, bad
		}
		id.IssuerSerial = is
	}
	return id, nil
}

func parseIssuerSerial(s *cryptobyte.String) (*IssuerSerial, error) {
	var body, names cryptobyte.String
	serial := new(big.Int)
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1(&names, cbasn1.SEQUENCE) || !body.ReadASN1Integer(serial) {
		return nil, fmt.Errorf("malformed IssuerSerial")
	}
	// issuerUID may follow (RFC 5755 §4.1); it is not compared.
	is := &IssuerSerial{SerialNumber: serial}
	for !names.Empty() {
		var gn cryptobyte.String
		var tag cbasn1.Tag
		if !names.ReadAnyASN1(&gn, &tag) {
			return nil, fmt.Errorf("malformed GeneralNames")
		}
		if tag == cbasn1.Tag(4).Constructed().ContextSpecific() && is.RawIssuer == nil {
			var name cryptobyte.String
			if !gn.ReadASN1Element(&name, cbasn1.SEQUENCE) || !gn.Empty() {
				return nil, fmt.Errorf("malformed directoryName")
			}
			is.RawIssuer = name
		}
	}
	return is, nil
}

// matches reports whether id names cert: the hash over the DER certificate
// and, when present, the issuer and serial number. An unknown hash algorithm
// does not match.
func (id *ESSCertID) matches(cert *pki.Certificate) bool {
	h, ok := hashFor(id.HashAlgorithm)
	if !ok {
		return false
	}
	d := h()
	d.Write(cert.Raw)
	if subtle.ConstantTimeCompare(d.Sum(nil), id.CertHash) != 1 {
		return false
	}
	if is := id.IssuerSerial; is != nil {
		if is.SerialNumber.Cmp(cert.SerialNumber) != 0 {
			return false
		}
		if is.RawIssuer != nil && !namesEqual(is.RawIssuer, cert.RawIssuer) {
			return false
		}
	}
	return true
}

// marshalSigningCertificateV2 returns the DER SigningCertificateV2 value for
// cert: the hash named by hashAlg over the DER certificate, hashAlgorithm
// written unless it is the DEFAULT SHA-256 (DER omits defaults, X.690
// §11.5), issuerSerial present (FACTS §4.5).
func marshalSigningCertificateV2(cert *pki.Certificate, hashAlg asn1.ObjectIdentifier) ([]byte, error) {
	h, ok := pki.HashByOID(hashAlg)
	if !ok {
		return nil, fmt.Errorf("cms: no hash %v for signingCertificateV2", hashAlg)
	}
	d := h()
	d.Write(cert.Raw)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SigningCertificateV2
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // certs
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ESSCertIDv2
				if !hashAlg.Equal(pki.OIDSHA256) {
					addAlgorithm(b, hashAlg, false)
				}
				b.AddASN1OctetString(d.Sum(nil))
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerSerial
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // GeneralNames
						b.AddASN1(cbasn1.Tag(4).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							b.AddBytes(cert.RawIssuer)
						})
					})
					b.AddASN1BigInt(cert.SerialNumber)
				})
			})
		})
	})
	return b.Bytes()
}

// addAlgorithm writes AlgorithmIdentifier { oid } with parameters absent, or
// NULL when null is set.
func addAlgorithm(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, null bool) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if null {
			b.AddASN1NULL()
		}
	})
}

// namesEqual compares two DER Names: byte for byte first, then attribute by
// attribute with case and inner whitespace folded, as OpenSSL's canonical
// comparison does (RFC 5280 §7.1). Producers re-encode issuer names in the
// signer identifier with another string type more often than one would hope.
func namesEqual(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var ra, rb pkix.RDNSequence
	if rest, err := asn1.Unmarshal(a, &ra); err != nil || len(rest) != 0 {
		return false
	}
	if rest, err := asn1.Unmarshal(b, &rb); err != nil || len(rest) != 0 {
		return false
	}
	if len(ra) != len(rb) {
		return false
	}
	for i := range ra {
		if len(ra[i]) != len(rb[i]) {
			return false
		}
		for j := range ra[i] {
			x, y := ra[i][j], rb[i][j]
			if !x.Type.Equal(y.Type) {
				return false
			}
			xs, ok1 := x.Value.(string)
			ys, ok2 := y.Value.(string)
			if !ok1 || !ok2 || !strings.EqualFold(strings.Join(strings.Fields(xs), " "), strings.Join(strings.Fields(ys), " ")) {
				return false
			}
		}
	}
	return true
}

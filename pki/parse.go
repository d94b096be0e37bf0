package pki

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/gost/gost3410"
)

// Certificate is a parsed X.509 certificate. It embeds Go's *x509.Certificate,
// which parses GOST certificates but leaves PublicKey nil; ParseCertificate
// sets PublicKey to a *gost3410.PublicKey for GOST R 34.10-2012 keys and
// leaves RSA, ECDSA and Ed25519 keys as Go parsed them.
//
// The other fields are the Russian parts of a qualified certificate (FACTS
// §6), decoded from the raw certificate. The extensions among them are
// removed from UnhandledCriticalExtensions, as crypto/x509 asks of code that
// handles an extension itself.
type Certificate struct {
	*x509.Certificate

	// SubjectName and IssuerName are the subject and issuer with the
	// Russian attributes typed (FACTS §6.1).
	SubjectName, IssuerName Name

	// SignatureAlgorithmID is the certificate's signatureAlgorithm as written,
	// parameters included (GOST: FACTS §4.3; crypto/x509 reduces it to an
	// enum without GOST).
	SignatureAlgorithmID pkix.AlgorithmIdentifier

	// SubjectSignTool is the subjectSignTool extension (1.2.643.100.111):
	// the crypto tool the key holder uses, "" when absent.
	SubjectSignTool string
	// IssuerSignTool is the issuerSignTool extension (1.2.643.100.112), nil
	// when absent.
	IssuerSignTool *IssuerSignTool
	// SignToolClasses are the certificate policies that name the class of
	// the holder's crypto tool, КС1…КА1 (1.2.643.100.113.x), in order.
	SignToolClasses []SignToolClass
	// IdentificationKind is the identificationKind extension
	// (1.2.643.100.114): how the holder was identified; nil when absent.
	IdentificationKind *IdentificationKind
	// PrivateKeyUsagePeriod is the privateKeyUsagePeriod extension
	// (2.5.29.16, RFC 5280 §4.2.1.4 — deprecated there, still written by
	// Russian CAs); nil when absent.
	PrivateKeyUsagePeriod *Period

	// keyErr records why a GOST public key was not decoded.
	keyErr error
}

// ParseCertificate parses one DER certificate. Input is untrusted: errors
// are returned, never panics.
func ParseCertificate(der []byte) (*Certificate, error) {
	xc, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	c := &Certificate{Certificate: xc}
	if c.SignatureAlgorithmID, err = outerAlgorithm(xc.Raw); err != nil {
		return nil, err
	}
	c.PublicKey, c.keyErr = publicKey(xc.PublicKey, xc.RawSubjectPublicKeyInfo)
	c.SubjectName = nameFrom(xc.Subject)
	c.IssuerName = nameFrom(xc.Issuer)
	if err := c.parseExtensions(); err != nil {
		return nil, err
	}
	return c, nil
}

// publicKey returns the GOST R 34.10-2012 key of spki when it holds one, and
// goKey (Go's parse, nil for keys Go does not know) otherwise. A GOST key
// that does not decode (GOST R 34.10-2001, an unknown parameter set, a point
// off the curve) is left nil with the reason, so that parsing stays lenient
// and operations on it fail with ErrUnsupportedAlgorithm.
func publicKey(goKey any, spki []byte) (any, error) {
	if goKey != nil {
		return goKey, nil
	}
	alg, err := spkiAlgorithm(spki)
	if err != nil {
		return nil, err
	}
	switch {
	case alg.Equal(OIDGOSTKey256), alg.Equal(OIDGOSTKey512), alg.Equal(OIDGOSTAgreement256), alg.Equal(OIDGOSTAgreement512):
		k, err := gost3410.ParsePKIXPublicKey(spki)
		if err != nil {
			return nil, err
		}
		return k, nil
	case alg.Equal(oidGOST2001Key):
		return nil, errors.New("GOST R 34.10-2001 key")
	}
	return nil, fmt.Errorf("key algorithm %v", alg)
}

// spkiAlgorithm returns the algorithm OID of a SubjectPublicKeyInfo.
func spkiAlgorithm(spki []byte) (asn1.ObjectIdentifier, error) {
	s := cryptobyte.String(spki)
	var seq, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return nil, errors.New("malformed SubjectPublicKeyInfo")
	}
	return oid, nil
}

// outerAlgorithm reads the signatureAlgorithm of a signed structure —
// SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING } — as certificates, CRLs
// and PKCS#10 requests share it (RFC 5280 §4.1.1.2, §5.1.1.2; RFC 2986 §4.2).
func outerAlgorithm(raw []byte) (pkix.AlgorithmIdentifier, error) {
	s := cryptobyte.String(raw)
	var seq, alg cryptobyte.String
	var id pkix.AlgorithmIdentifier
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.SkipASN1(cbasn1.SEQUENCE) ||
		!seq.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&id.Algorithm) {
		return id, errors.New("pki: malformed signatureAlgorithm")
	}
	if !alg.Empty() {
		var params cryptobyte.String
		var tag cbasn1.Tag
		if !alg.ReadAnyASN1Element(&params, &tag) || !alg.Empty() {
			return id, errors.New("pki: malformed signatureAlgorithm parameters")
		}
		id.Parameters = asn1.RawValue{FullBytes: bytes.Clone(params)}
	}
	return id, nil
}

// ParseCertificates reads every certificate in data: PEM ("CERTIFICATE"
// blocks; other blocks are skipped), one or more concatenated DER
// certificates, or bare Base64 of DER as Windows .cer files sometimes hold.
// The form is sniffed from the bytes, never from a file name.
func ParseCertificates(data []byte) ([]*Certificate, error) {
	ders, err := splitCertificates(data)
	if err != nil {
		return nil, err
	}
	out := make([]*Certificate, 0, len(ders))
	for i, der := range ders {
		c, err := ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("pki: certificate %d: %w", i+1, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// splitCertificates returns the DER certificates in data.
func splitCertificates(data []byte) ([][]byte, error) {
	// DER is recognised before any trimming: a signature may end in bytes
	// that bytes.TrimSpace would take for white space.
	if len(data) > 0 && data[0] == 0x30 {
		var ders [][]byte
		s := cryptobyte.String(data)
		for !s.Empty() {
			var der cryptobyte.String
			if !s.ReadASN1Element(&der, cbasn1.SEQUENCE) {
				return nil, errors.New("pki: malformed DER certificate")
			}
			ders = append(ders, der)
		}
		return ders, nil
	}
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return nil, errors.New("pki: no certificate: empty input")
	case bytes.Contains(trimmed, []byte("-----BEGIN")):
		return pemBlocks(trimmed, "CERTIFICATE", "X509 CERTIFICATE")
	}
	der, err := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(trimmed), nil)))
	if err != nil || len(der) == 0 || der[0] != 0x30 {
		return nil, errors.New("pki: input is not a PEM, DER or Base64 certificate")
	}
	return [][]byte{der}, nil
}

// CheckSignatureFrom verifies that parent's key signed c: GOST R 34.10-2012
// over Streebog of the DER TBSCertificate (FACTS §4.4), RSA, ECDSA or Ed25519.
// It checks the signature only; whether parent may issue certificates
// (basicConstraints, keyUsage, names, validity) is Verify's business.
// Errors wrap ErrSignatureInvalid or ErrUnsupportedAlgorithm.
func (c *Certificate) CheckSignatureFrom(parent *Certificate) error {
	if parent.PublicKey == nil {
		return parent.keyError()
	}
	return checkSignature(parent.PublicKey, c.SignatureAlgorithmID, nil, c.RawTBSCertificate, c.Signature)
}

func (c *Certificate) keyError() error {
	if c.keyErr != nil {
		return fmt.Errorf("%w: issuer public key: %v", ErrUnsupportedAlgorithm, c.keyErr)
	}
	return fmt.Errorf("%w: issuer public key not decoded", ErrUnsupportedAlgorithm)
}

// Equal reports whether c and other are the same certificate, byte for byte.
func (c *Certificate) Equal(other *Certificate) bool {
	if c == nil || other == nil {
		return c == other
	}
	return bytes.Equal(c.Raw, other.Raw)
}

// pemOrDER returns the DER of the first PEM block of one of types in data,
// or data itself when it starts as DER does.
func pemOrDER(data []byte, types ...string) ([]byte, error) {
	if len(data) > 0 && data[0] == 0x30 {
		return data, nil // DER, untrimmed (see splitCertificates)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("pki: empty input")
	}
	ders, err := pemBlocks(data, types...)
	if err != nil {
		return nil, err
	}
	return ders[0], nil
}

// pemBlocks returns the contents of every PEM block of one of types in
// data, skipping blocks of other types.
func pemBlocks(data []byte, types ...string) ([][]byte, error) {
	var ders [][]byte
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		for _, t := range types {
			if b.Type == t {
				ders = append(ders, b.Bytes)
				break
			}
		}
	}
	if len(ders) == 0 {
		return nil, fmt.Errorf("pki: no PEM %q block in input", types[0])
	}
	return ders, nil
}

package pki

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// CertificateRequest is a parsed PKCS#10 certification request (RFC 2986).
// It embeds Go's *x509.CertificateRequest, with PublicKey set to a
// *gost3410.PublicKey for GOST R 34.10-2012 keys, and adds the subject with
// the Russian attributes typed and the signature algorithm as written.
type CertificateRequest struct {
	*x509.CertificateRequest

	SubjectName          Name
	SignatureAlgorithmID pkix.AlgorithmIdentifier

	keyErr error
}

// ParseCertificateRequest parses a PKCS#10 request, DER or PEM
// ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST"), sniffed.
func ParseCertificateRequest(data []byte) (*CertificateRequest, error) {
	der, err := pemOrDER(data, "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST")
	if err != nil {
		return nil, err
	}
	xr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	r := &CertificateRequest{CertificateRequest: xr, SubjectName: nameFrom(xr.Subject)}
	if r.SignatureAlgorithmID, err = outerAlgorithm(xr.Raw); err != nil {
		return nil, err
	}
	r.PublicKey, r.keyErr = publicKey(xr.PublicKey, xr.RawSubjectPublicKeyInfo)
	return r, nil
}

// CheckSignature verifies the request's self-signature, the proof that its
// maker holds the private key. Errors wrap ErrSignatureInvalid or
// ErrUnsupportedAlgorithm.
func (r *CertificateRequest) CheckSignature() error {
	if r.PublicKey == nil {
		return fmt.Errorf("%w: public key not decoded: %v", ErrUnsupportedAlgorithm, r.keyErr)
	}
	return checkSignature(r.PublicKey, r.SignatureAlgorithmID, nil, r.RawTBSCertificateRequest, r.Signature)
}

// RequestTemplate describes a PKCS#10 request for CreateCertificateRequest.
// The extensions are asked for in an extensionRequest attribute (RFC 2985
// §5.4.2), in the order CreateCertificate writes them.
type RequestTemplate struct {
	Subject            Name
	KeyUsage           x509.KeyUsage
	ExtKeyUsage        []x509.ExtKeyUsage
	UnknownExtKeyUsage []asn1.ObjectIdentifier
	SignToolClasses    []SignToolClass
	Policies           []asn1.ObjectIdentifier
	SubjectSignTool    string
	ExtraExtensions    []pkix.Extension
}

// CreateCertificateRequest makes a DER PKCS#10 request for signer's public
// key, signed with it. The DER is deterministic except for the signature;
// with no extensions the attributes field is present and empty, as RFC 2986
// requires and OpenSSL writes.
func CreateCertificateRequest(template *RequestTemplate, signer crypto.Signer) ([]byte, error) {
	t := template
	pub := signer.Public()
	subject, spki, err := subjectAndKey(t.Subject, pub)
	if err != nil {
		return nil, err
	}
	var e extensions
	if err := firstError(
		func() error { return e.addKeyUsage(t.KeyUsage) },
		func() error { return e.addExtKeyUsage(t.ExtKeyUsage, t.UnknownExtKeyUsage) },
		func() error { return e.addPolicies(t.SignToolClasses, t.Policies) },
		func() error { return e.addSubjectSignTool(t.SubjectSignTool) },
	); err != nil {
		return nil, err
	}
	exts := append(e, t.ExtraExtensions...)
	sigAlg, _, _, err := signingParams(pub)
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0) // version v1
		b.AddBytes(subject)
		b.AddBytes(spki)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			if len(exts) == 0 {
				return
			}
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidExtensionRequest)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { marshalExtensions(b, exts) })
			})
		})
	})
	return signAndCheck("request", &b, sigAlg, signer, func(der []byte) error {
		_, err := ParseCertificateRequest(der)
		return err
	})
}

package pki

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/gost/gost3410"
)

// Template describes a certificate for CreateCertificate. Fields left zero
// are not written, except where a default is documented.
type Template struct {
	// SerialNumber is required: positive, at most 20 bytes (RFC 5280
	// §4.1.2.2). RandomSerial makes a good one.
	SerialNumber *big.Int
	// Subject is the holder's name, with the Russian attributes
	// (FACTS §6.1; see Name for how it is written).
	Subject Name
	// NotBefore and NotAfter bound the validity; both are required and
	// are written in whole seconds, UTC.
	NotBefore, NotAfter time.Time

	// KeyUsage, when not zero, is written as a critical keyUsage.
	KeyUsage x509.KeyUsage
	// ExtKeyUsage and UnknownExtKeyUsage (sector-specific 1.2.643.*
	// purposes, for example) are written together as extKeyUsage.
	ExtKeyUsage        []x509.ExtKeyUsage
	UnknownExtKeyUsage []asn1.ObjectIdentifier

	// IsCA writes a critical basicConstraints with cA TRUE, and
	// MaxPathLen as its pathLenConstraint: zero is a limit of zero (the
	// CA may issue only end-entity certificates); negative means none.
	IsCA       bool
	MaxPathLen int

	// SubjectKeyID defaults to SHA-1 over the public key's BIT STRING
	// content, as OpenSSL and CryptoPro compute it (FACTS §4.4).
	SubjectKeyID []byte
	// AuthorityKeyID defaults to the parent's subject key identifier (to
	// SubjectKeyID when self-signed).
	AuthorityKeyID []byte

	// CRLDistributionPoints, OCSPServer and IssuingCertificateURL are URLs
	// written in crlDistributionPoints and authorityInfoAccess.
	CRLDistributionPoints []string
	OCSPServer            []string
	IssuingCertificateURL []string

	// SignToolClasses (КС1…КА1) and Policies are written, in that order,
	// as certificatePolicies (FACTS §6.2).
	SignToolClasses []SignToolClass
	Policies        []asn1.ObjectIdentifier

	// SubjectSignTool, IssuerSignTool, IdentificationKind and
	// PrivateKeyUsagePeriod are the qualified-certificate extensions
	// (FACTS §6.2), written non-critical when set.
	SubjectSignTool       string
	IssuerSignTool        *IssuerSignTool
	IdentificationKind    *IdentificationKind
	PrivateKeyUsagePeriod *Period

	// ExtraExtensions are appended as given.
	ExtraExtensions []pkix.Extension
}

// RandomSerial returns a positive serial number of 16 random bytes (the
// first byte's top bit cleared), read from rand (crypto/rand when nil).
func RandomSerial(rand io.Reader) (*big.Int, error) {
	if rand == nil {
		rand = cryptoRand
	}
	b := make([]byte, 16)
	if _, err := io.ReadFull(rand, b); err != nil {
		return nil, fmt.Errorf("pki: serial number: %w", err)
	}
	b[0] &= 0x7f
	b[0] |= 0x40 // 16 significant bytes, never zero
	return new(big.Int).SetBytes(b), nil
}

var cryptoRand = rand.Reader

// CreateCertificate makes a DER certificate for pub from template, issued by
// parent and signed with signer, whose public key must be parent's; with a
// nil parent the certificate is self-signed and signer's key must be pub.
// Any crypto.Signer over a GOST R 34.10-2012, RSA, ECDSA or Ed25519 key
// works (see Sign for the algorithms chosen).
//
// The DER is built with cryptobyte and is deterministic: the same inputs give
// the same bytes except the signature. Extensions are written in this order:
// keyUsage, extKeyUsage, basicConstraints, subjectKeyIdentifier,
// authorityKeyIdentifier, certificatePolicies, crlDistributionPoints,
// authorityInfoAccess, subjectSignTool, issuerSignTool, identificationKind,
// privateKeyUsagePeriod, then ExtraExtensions. The result is parsed back and
// its signature verified before it is returned.
func CreateCertificate(template *Template, parent *Certificate, pub crypto.PublicKey, signer crypto.Signer) ([]byte, error) {
	t := template
	if t.SerialNumber == nil || t.SerialNumber.Sign() <= 0 || len(t.SerialNumber.Bytes()) > 20 {
		return nil, errors.New("pki: serial number must be positive and at most 20 bytes")
	}
	if t.NotBefore.IsZero() || t.NotAfter.IsZero() || t.NotAfter.Before(t.NotBefore) {
		return nil, errors.New("pki: validity period missing or reversed")
	}
	subject, spki, err := subjectAndKey(t.Subject, pub)
	if err != nil {
		return nil, err
	}
	if len(subject) <= 2 {
		// An empty subject needs subjectAltName (RFC 5280 §4.1.2.6), which
		// Template does not write.
		return nil, errors.New("pki: empty subject")
	}
	skid := t.SubjectKeyID
	if skid == nil {
		if skid, err = keyIDOf(spki); err != nil {
			return nil, err
		}
	}
	issuer, akid := subject, skid
	if parent != nil {
		if !publicKeysEqual(signer.Public(), parent.PublicKey) {
			return nil, errors.New("pki: signer's key is not the parent certificate's key")
		}
		issuer, akid = parent.RawSubject, parent.SubjectKeyId
	} else if !publicKeysEqual(signer.Public(), pub) {
		return nil, errors.New("pki: self-signed certificate: signer's key is not the certificate's key")
	}
	if t.AuthorityKeyID != nil {
		akid = t.AuthorityKeyID
	}
	exts, err := t.extensions(skid, akid)
	if err != nil {
		return nil, err
	}
	sigAlg, _, _, err := signingParams(signer.Public())
	if err != nil {
		return nil, err
	}

	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1Int64(2) }) // v3
		b.AddASN1BigInt(t.SerialNumber)
		addAlgorithmIdentifier(b, sigAlg)
		b.AddBytes(issuer)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addTime(b, t.NotBefore)
			addTime(b, t.NotAfter)
		})
		b.AddBytes(subject)
		b.AddBytes(spki)
		if len(exts) > 0 {
			b.AddASN1(cbasn1.Tag(3).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				marshalExtensions(b, exts)
			})
		}
	})
	return signAndCheck("certificate", &b, sigAlg, signer, func(der []byte) error {
		_, err := ParseCertificate(der)
		return err
	})
}

// extensions lists the template's extensions in the documented order.
func (t *Template) extensions(skid, akid []byte) ([]pkix.Extension, error) {
	var e extensions
	err := firstError(
		func() error { return e.addKeyUsage(t.KeyUsage) },
		func() error { return e.addExtKeyUsage(t.ExtKeyUsage, t.UnknownExtKeyUsage) },
		func() error {
			if !t.IsCA {
				return nil
			}
			return e.addBasicConstraints(t.MaxPathLen)
		},
		func() error { return e.addOctetString(oidExtSubjectKeyID, skid) },
		func() error { return e.addAuthorityKeyID(akid) },
		func() error { return e.addPolicies(t.SignToolClasses, t.Policies) },
		func() error { return e.addCRLDistributionPoints(t.CRLDistributionPoints) },
		func() error { return e.addAIA(t.OCSPServer, t.IssuingCertificateURL) },
		func() error { return e.addSubjectSignTool(t.SubjectSignTool) },
		func() error { return e.addIssuerSignTool(t.IssuerSignTool) },
		func() error { return e.addIdentificationKind(t.IdentificationKind) },
		func() error { return e.addPrivateKeyUsagePeriod(t.PrivateKeyUsagePeriod) },
	)
	if err != nil {
		return nil, err
	}
	return append(e, t.ExtraExtensions...), nil
}

// firstError runs steps in order and returns the first error.
func firstError(steps ...func() error) error {
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// subjectAndKey returns the DER of a subject name and of a public key.
func subjectAndKey(n Name, pub crypto.PublicKey) (subject, spki []byte, err error) {
	if spki, err = marshalPublicKey(pub); err != nil {
		return nil, nil, err
	}
	if subject, err = n.marshal(); err != nil {
		return nil, nil, err
	}
	return subject, spki, nil
}

// signAndCheck takes the to-be-signed bytes built in b, signs them and wraps
// them as SEQUENCE { tbs, signatureAlgorithm, signature BIT STRING }, the
// shape certificates, CRLs and PKCS#10 requests share, then parses the result
// back with parse. sigAlg is what tbs already names; Sign must agree.
func signAndCheck(what string, b *cryptobyte.Builder, sigAlg pkix.AlgorithmIdentifier, signer crypto.Signer, parse func([]byte) error) ([]byte, error) {
	tbs, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("pki: building %s: %w", what, err)
	}
	sig, gotAlg, _, err := Sign(nil, signer, tbs)
	if err != nil {
		return nil, err
	}
	if !gotAlg.Algorithm.Equal(sigAlg.Algorithm) || !bytes.Equal(gotAlg.Parameters.FullBytes, sigAlg.Parameters.FullBytes) {
		return nil, errors.New("pki: internal error: signature algorithm changed while signing")
	}
	var out cryptobyte.Builder
	out.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		addAlgorithmIdentifier(b, sigAlg)
		b.AddASN1BitString(sig)
	})
	der, err := out.Bytes()
	if err != nil {
		return nil, fmt.Errorf("pki: building %s: %w", what, err)
	}
	if err := parse(der); err != nil {
		return nil, fmt.Errorf("pki: internal error: created %s does not parse: %w", what, err)
	}
	return der, nil
}

// marshalPublicKey returns the SubjectPublicKeyInfo of pub: GOST keys as
// OpenSSL's GOST engine writes them (FACTS §4.1), others as crypto/x509 does.
func marshalPublicKey(pub crypto.PublicKey) ([]byte, error) {
	if k, ok := pub.(*gost3410.PublicKey); ok {
		return gost3410.MarshalPKIXPublicKey(k)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedAlgorithm, err)
	}
	return der, nil
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && b != nil && k.Equal(b)
}

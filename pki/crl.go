package pki

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ErrNotIssuer means a certificate cannot have issued a CRL: its subject is
// not the CRL's issuer, or its keyUsage lacks cRLSign.
var ErrNotIssuer = errors.New("pki: certificate is not the CRL's issuer")

// RevocationList is a parsed CRL (RFC 5280 §5). It embeds Go's
// *x509.RevocationList, which parses GOST CRLs but cannot check their
// signatures, and adds the issuer with the Russian attributes typed and the
// signature algorithm as written.
type RevocationList struct {
	*x509.RevocationList

	IssuerName           Name
	SignatureAlgorithmID pkix.AlgorithmIdentifier
}

// ParseRevocationList parses a CRL, DER or PEM ("X509 CRL"), sniffed.
func ParseRevocationList(data []byte) (*RevocationList, error) {
	der, err := pemOrDER(data, "X509 CRL", "CRL")
	if err != nil {
		return nil, err
	}
	xl, err := x509.ParseRevocationList(der)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	l := &RevocationList{RevocationList: xl, IssuerName: nameFrom(xl.Issuer)}
	if l.SignatureAlgorithmID, err = outerAlgorithm(xl.Raw); err != nil {
		return nil, err
	}
	return l, nil
}

// CheckSignatureFrom verifies that issuer signed the CRL: issuer's subject
// must be the CRL's issuer name, its keyUsage (when present) must include
// cRLSign (RFC 5280 §4.2.1.3), and its key must verify the signature. Errors
// wrap ErrNotIssuer, ErrSignatureInvalid or ErrUnsupportedAlgorithm. Whether
// the CRL is current (thisUpdate, nextUpdate) is for the caller to judge.
func (l *RevocationList) CheckSignatureFrom(issuer *Certificate) error {
	if nameKey(issuer.Subject) != nameKey(l.Issuer) {
		return fmt.Errorf("%w: CRL issued by %q, certificate is %q", ErrNotIssuer, l.Issuer.String(), issuer.Subject.String())
	}
	if issuer.KeyUsage != 0 && issuer.KeyUsage&x509.KeyUsageCRLSign == 0 {
		return fmt.Errorf("%w: keyUsage lacks cRLSign", ErrNotIssuer)
	}
	if issuer.PublicKey == nil {
		return issuer.keyError()
	}
	return checkSignature(issuer.PublicKey, l.SignatureAlgorithmID, nil, l.RawTBSRevocationList, l.Signature)
}

// RevokedCertificate is one entry of a CRL to create.
type RevokedCertificate struct {
	SerialNumber   *big.Int
	RevocationTime time.Time
	// ReasonCode is the CRLReason (RFC 5280 §5.3.1): 1 keyCompromise,
	// 2 cACompromise, 3 affiliationChanged, 4 superseded, 5
	// cessationOfOperation, 6 certificateHold, 8 removeFromCRL, 9
	// privilegeWithdrawn, 10 aACompromise. Zero (unspecified) writes no
	// reason, as RFC 5280 asks.
	ReasonCode int
}

// CRLTemplate describes a CRL for CreateRevocationList.
type CRLTemplate struct {
	// Number is the cRLNumber, required (RFC 5280 §5.2.3): non-negative,
	// at most 20 bytes, increasing with each CRL.
	Number *big.Int
	// ThisUpdate is required; NextUpdate should be set (RFC 5280 §5.1.2.5).
	ThisUpdate, NextUpdate time.Time
	Revoked                []RevokedCertificate
	// ExtraExtensions are appended to the CRL extensions
	// (authorityKeyIdentifier, cRLNumber).
	ExtraExtensions []pkix.Extension
}

// CreateRevocationList makes a DER CRL (version 2) issued by issuer and
// signed with signer, whose key must be issuer's. The DER is deterministic
// except for the signature; entries are written in the order given.
func CreateRevocationList(template *CRLTemplate, issuer *Certificate, signer crypto.Signer) ([]byte, error) {
	t := template
	if issuer == nil {
		return nil, errors.New("pki: a CRL needs its issuer's certificate")
	}
	if !publicKeysEqual(signer.Public(), issuer.PublicKey) {
		return nil, errors.New("pki: signer's key is not the issuer certificate's key")
	}
	if issuer.KeyUsage != 0 && issuer.KeyUsage&x509.KeyUsageCRLSign == 0 {
		return nil, fmt.Errorf("%w: keyUsage lacks cRLSign", ErrNotIssuer)
	}
	if t.Number == nil || t.Number.Sign() < 0 || len(t.Number.Bytes()) > 20 {
		return nil, errors.New("pki: CRL number must be non-negative and at most 20 bytes")
	}
	if t.ThisUpdate.IsZero() || (!t.NextUpdate.IsZero() && t.NextUpdate.Before(t.ThisUpdate)) {
		return nil, errors.New("pki: thisUpdate missing or after nextUpdate")
	}
	for _, r := range t.Revoked {
		if r.SerialNumber == nil || r.RevocationTime.IsZero() || r.ReasonCode < 0 || r.ReasonCode > 10 || r.ReasonCode == 7 {
			return nil, errors.New("pki: revoked entry needs a serial number, a time and a valid reason code")
		}
	}
	var e extensions
	if err := e.addAuthorityKeyID(issuer.SubjectKeyId); err != nil {
		return nil, err
	}
	if err := e.add(oidExtCRLNumber, false, func(b *cryptobyte.Builder) { b.AddASN1BigInt(t.Number) }); err != nil {
		return nil, err
	}
	exts := append(e, t.ExtraExtensions...)
	sigAlg, _, _, err := signingParams(signer.Public())
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1) // v2
		addAlgorithmIdentifier(b, sigAlg)
		b.AddBytes(issuer.RawSubject)
		addTime(b, t.ThisUpdate)
		if !t.NextUpdate.IsZero() {
			addTime(b, t.NextUpdate)
		}
		if len(t.Revoked) > 0 {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, r := range t.Revoked {
					addRevoked(b, r)
				}
			})
		}
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			marshalExtensions(b, exts)
		})
	})
	return signAndCheck("CRL", &b, sigAlg, signer, func(der []byte) error {
		_, err := ParseRevocationList(der)
		return err
	})
}

func addRevoked(b *cryptobyte.Builder, r RevokedCertificate) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(r.SerialNumber)
		addTime(b, r.RevocationTime)
		if r.ReasonCode == 0 {
			return
		}
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidExtReasonCode)
				b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) {
					b.AddASN1Enum(int64(r.ReasonCode))
				})
			})
		})
	})
}

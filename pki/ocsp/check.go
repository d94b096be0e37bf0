package ocsp

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/podpis/podpis/pki"
)

// ErrNoResponder means no certificate that may sign for the issuer matches
// the response's responderID.
var ErrNoResponder = errors.New("ocsp: no authorised responder found for the response")

// CheckSignatureFrom finds who signed the response for certificates of
// issuer and checks the signature. The signer must match the responderID
// and be either issuer itself or a responder certificate that issuer signed,
// that carries id-kp-OCSPSigning in extKeyUsage and is valid at at (RFC 6960
// §4.2.2.2); candidates are issuer, the response's certificates, then more.
// It returns the signer's certificate. Whether the delegated responder's own
// certificate is revoked is for the caller (see NoCheck).
func (r *Response) CheckSignatureFrom(issuer *pki.Certificate, at time.Time, more ...*pki.Certificate) (*pki.Certificate, error) {
	if r.Status != Successful {
		return nil, fmt.Errorf("ocsp: response status %s has no signature", r.Status)
	}
	if issuer == nil {
		return nil, errors.New("ocsp: checking a response needs the issuer's certificate")
	}
	var firstErr error
	for _, c := range append(append([]*pki.Certificate{issuer}, r.Certificates...), more...) {
		if c == nil || !r.namedBy(c) {
			continue
		}
		err := r.checkSigner(c, issuer, at)
		if err == nil {
			return c, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return nil, ErrNoResponder
}

func (r *Response) checkSigner(c, issuer *pki.Certificate, at time.Time) error {
	self := bytes.Equal(c.Raw, issuer.Raw) ||
		(bytes.Equal(c.RawSubjectPublicKeyInfo, issuer.RawSubjectPublicKeyInfo) && bytes.Equal(c.RawSubject, issuer.RawSubject))
	if !self {
		if err := c.CheckSignatureFrom(issuer); err != nil {
			return fmt.Errorf("ocsp: responder %q was not issued by the certificate's issuer: %w", c.Subject.CommonName, err)
		}
		if !slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning) {
			return fmt.Errorf("ocsp: responder %q lacks id-kp-OCSPSigning", c.Subject.CommonName)
		}
		if at.Before(c.NotBefore) || at.After(c.NotAfter) {
			return fmt.Errorf("ocsp: responder certificate %q is not valid at %s", c.Subject.CommonName, at.UTC().Format(time.RFC3339))
		}
	}
	if c.PublicKey == nil {
		return fmt.Errorf("ocsp: responder %q: %w", c.Subject.CommonName, pki.ErrUnsupportedAlgorithm)
	}
	if err := pki.CheckSignature(c.PublicKey, r.SignatureAlgorithm.Algorithm, nil, r.RawResponseData, r.Signature); err != nil {
		return fmt.Errorf("ocsp: response signature: %w", err)
	}
	return nil
}

// namedBy reports whether c matches the responderID.
func (r *Response) namedBy(c *pki.Certificate) bool {
	if r.ResponderKeyHash != nil {
		h, err := KeyHash(c)
		return err == nil && bytes.Equal(h, r.ResponderKeyHash)
	}
	if bytes.Equal(r.ResponderName, c.RawSubject) {
		return true
	}
	// The same name in other string types or case: compare as crypto/x509
	// prints them.
	var a, b pkix.RDNSequence
	if _, err := asn1.Unmarshal(r.ResponderName, &a); err != nil {
		return false
	}
	if _, err := asn1.Unmarshal(c.RawSubject, &b); err != nil {
		return false
	}
	return a.String() == b.String()
}

// NoCheck reports whether c carries id-pkix-ocsp-nocheck: its own
// revocation status need not be checked (RFC 6960 §4.2.2.2.1).
func NoCheck(c *pki.Certificate) bool {
	for _, e := range c.Extensions {
		if e.Id.Equal(OIDNoCheck) {
			return true
		}
	}
	return false
}

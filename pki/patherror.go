package pki

import (
	"fmt"
	"time"
)

// Code is a stable identifier of why a certification path was refused.
// Programs switch on it; package verify maps it to an ETSI EN 319 102-1
// sub-indication.
type Code string

// Path validation codes (RFC 5280 §6.1.3, §6.1.4 name the checks).
const (
	CodeCertExpired            Code = "CERT_EXPIRED"                 // notAfter is before the validation time
	CodeCertNotYetValid        Code = "CERT_NOT_YET_VALID"           // notBefore is after the validation time
	CodeChainUntrusted         Code = "CHAIN_UNTRUSTED"              // no path to a trusted root
	CodeCertSignatureInvalid   Code = "CERT_SIGNATURE_INVALID"       // an issuer's signature does not verify
	CodeNotACA                 Code = "NOT_A_CA"                     // an issuer lacks basicConstraints cA
	CodePathTooLong            Code = "PATH_TOO_LONG"                // an issuer's pathLenConstraint is exceeded
	CodeKeyUsage               Code = "KEY_USAGE"                    // an issuer's keyUsage lacks keyCertSign
	CodeExtKeyUsage            Code = "EXT_KEY_USAGE"                // the path does not allow the usage asked for
	CodeUnhandledCritical      Code = "UNHANDLED_CRITICAL_EXTENSION" // a critical extension podpis does not understand
	CodeAlgorithmUnsupported   Code = "ALGORITHM_UNSUPPORTED"        // a signature podpis cannot check (GOST 2001, SHA-1 …)
	CodeTooManySignatureChecks Code = "TOO_MANY_SIGNATURE_CHECKS"    // the search gave up (see maxSignatureChecks)
)

// PathError is why Verify found no acceptable certification path: the rule
// that failed (Code), the certificate it failed on, and detail. Errors of the
// same Code are equal under errors.Is, so
//
//	errors.Is(err, &pki.PathError{Code: pki.CodeCertExpired})
//
// tests for an expired certificate anywhere on the path. Signature failures
// also unwrap to ErrSignatureInvalid or ErrUnsupportedAlgorithm.
type PathError struct {
	Code   Code
	Cert   *Certificate // the certificate the rule failed on; nil when none applies
	Detail string       // a sentence for people, in English
	Err    error        // the underlying error, if any
}

func (e *PathError) Error() string {
	s := "pki: " + string(e.Code)
	if e.Cert != nil && e.Cert.Certificate != nil {
		s += fmt.Sprintf(": certificate %q (serial %X)", displayCN(e.Cert), e.Cert.SerialNumber)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *PathError) Unwrap() error { return e.Err }

// Is reports whether target is a *PathError with the same Code.
func (e *PathError) Is(target error) bool {
	t, ok := target.(*PathError)
	return ok && t.Code == e.Code
}

func displayCN(c *Certificate) string {
	if c.SubjectName.CommonName != "" {
		return c.SubjectName.CommonName
	}
	return c.Subject.String()
}

// checkValidity applies RFC 5280 §6.1.3 (a)(2): t within [notBefore, notAfter].
func checkValidity(c *Certificate, t time.Time) *PathError {
	const layout = "2006-01-02 15:04:05 MST"
	switch {
	case t.Before(c.NotBefore):
		return &PathError{Code: CodeCertNotYetValid, Cert: c,
			Detail: fmt.Sprintf("valid from %s, checked at %s", c.NotBefore.UTC().Format(layout), t.UTC().Format(layout))}
	case t.After(c.NotAfter):
		return &PathError{Code: CodeCertExpired, Cert: c,
			Detail: fmt.Sprintf("expired %s, checked at %s", c.NotAfter.UTC().Format(layout), t.UTC().Format(layout))}
	}
	return nil
}

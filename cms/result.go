package cms

import (
	"encoding/asn1"
	"math/big"
	"time"

	"github.com/podpis/podpis/pki"
)

// Code is the stable outcome of checking one signer or one timestamp: programs
// switch on it, people read it. New codes may be added; existing ones keep
// their meaning. Package verify maps them to the ETSI EN 319 102-1
// indications (in parentheses below).
type Code string

const (
	// OK: the signature verifies with the certificate reported, and the
	// content digest matches.
	OK Code = "OK"
	// FormatFailure: the SignerInfo or its attributes are malformed, a
	// mandatory attribute is missing or repeated, or contentType disagrees
	// with the encapsulated content type (TOTAL-FAILED/FORMAT_FAILURE).
	FormatFailure Code = "FORMAT_FAILURE"
	// AlgorithmUnsupported: podpis cannot check this digest or signature
	// algorithm (GOST R 34.10-2001, SHA-1 …) (INDETERMINATE/
	// CRYPTO_CONSTRAINTS_FAILURE_NO_POE).
	AlgorithmUnsupported Code = "ALGORITHM_UNSUPPORTED"
	// SignerCertNotFound: no certificate in the SignedData or in
	// VerifyOptions.Certificates matches the signer identifier
	// (INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND).
	SignerCertNotFound Code = "SIGNER_CERT_NOT_FOUND"
	// SignatureInvalid: the signature value does not verify over the signed
	// attributes (or the content digest) with the signer's key
	// (TOTAL-FAILED/SIG_CRYPTO_FAILURE).
	SignatureInvalid Code = "SIGNATURE_INVALID"
	// SigningCertMismatch: the signingCertificate(V2) attribute names another
	// certificate than the one whose key verified the signature
	// (TOTAL-FAILED/SIG_CONSTRAINTS_FAILURE).
	SigningCertMismatch Code = "SIGNING_CERT_MISMATCH"
	// ContentMismatch: the content's digest differs from the messageDigest
	// attribute (TOTAL-FAILED/HASH_FAILURE).
	ContentMismatch Code = "CONTENT_MISMATCH"
	// ContentMissing: the signature is detached and no content (or digest)
	// was given; the signature over the signed attributes was checked when
	// there are signed attributes (INDETERMINATE/SIGNED_DATA_NOT_FOUND).
	ContentMissing Code = "CONTENT_MISSING"
	// TimestampMismatch: a timestamp token is valid but its message imprint
	// does not cover this signature value (TOTAL-FAILED/HASH_FAILURE on the
	// timestamp).
	TimestampMismatch Code = "TIMESTAMP_MISMATCH"
)

// Result is what Verify found: the parsed SignedData and one entry per
// SignerInfo, in the order they appear.
type Result struct {
	SignedData *SignedData
	Signers    []SignerResult
}

// Valid reports whether there is at least one signer and every signer is OK.
// Timestamps and certificate paths are not part of it.
func (r *Result) Valid() bool {
	if r == nil || len(r.Signers) == 0 {
		return false
	}
	for _, s := range r.Signers {
		if s.Code != OK {
			return false
		}
	}
	return true
}

// SignerResult is the outcome for one SignerInfo.
type SignerResult struct {
	// Index is the position of the SignerInfo in the SignedData.
	Index int
	// Code is OK or the first failure found, in the order of the constants
	// above; Detail says more, in English, for a person.
	Code   Code
	Detail string

	Signer *SignerInfo
	// Certificate is the certificate whose key verified the signature, or the
	// best candidate when none did; nil when none matched the identifier.
	Certificate *pki.Certificate
	// SignatureValid reports that the signature value verified with
	// Certificate's key. ContentChecked reports that the content digest was
	// compared (it matched unless Code is ContentMismatch).
	SignatureValid bool
	ContentChecked bool

	// Attributes are the signed attributes, decoded.
	Attributes SignedAttributes

	// Timestamps are the signature timestamp tokens in the unsigned
	// attributes (CAdES-T), each checked.
	Timestamps []TimestampResult
}

// SignedAttributes are the signed attributes podpis understands, decoded.
type SignedAttributes struct {
	// Present reports whether the SignerInfo has signed attributes at all.
	Present       bool
	ContentType   asn1.ObjectIdentifier
	MessageDigest []byte
	// SigningTime is the signingTime attribute; zero when absent.
	SigningTime time.Time
	// SigningCertificate is the first ESSCertID(v2) of the
	// signingCertificateV2 attribute (or of the v1 attribute when only that
	// is present); nil when neither is.
	SigningCertificate *ESSCertID
	// Other lists the attributes not decoded above, as received.
	Other []Attribute

	essV1 *ESSCertID // the v1 attribute when v2 is present too; both are checked
}

// ESSCertID identifies the signer's certificate inside the signature
// (RFC 2634 §5.4.1, RFC 5035 §4).
type ESSCertID struct {
	// V2 is false for the SHA-1 signingCertificate attribute.
	V2 bool
	// HashAlgorithm is the digest of CertHash; SHA-256 when a v2 attribute
	// leaves it to the DEFAULT, SHA-1 for v1.
	HashAlgorithm asn1.ObjectIdentifier
	CertHash      []byte
	// IssuerSerial is the optional issuer and serial number; nil when absent.
	IssuerSerial *IssuerSerial
	// Matches reports that CertHash (and IssuerSerial, when present) fit the
	// certificate reported in SignerResult.
	Matches bool
}

// IssuerSerial is ESS IssuerSerial: the issuer's DER Name (the directoryName
// of the GeneralNames) and the certificate serial number.
type IssuerSerial struct {
	RawIssuer    []byte
	SerialNumber *big.Int
}

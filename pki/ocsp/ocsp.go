// Package ocsp reads and writes the Online Certificate Status Protocol
// messages of RFC 6960 with GOST R 34.10-2012 signatures: requests, responses
// and the certificate identifiers (CertID) that tie them to a certificate.
//
// # Specifications
//
//   - RFC 6960 §4.1 (OCSPRequest), §4.2 (OCSPResponse, BasicOCSPResponse),
//     §4.2.2.2 (who may sign a response: the CA itself, or a responder
//     certificate the CA issued with id-kp-OCSPSigning), §4.2.2.2.1
//     (id-pkix-ocsp-nocheck), §4.4.1 (the nonce extension), Appendix A.1
//     (HTTP: POST application/ocsp-request, or GET with the request in the
//     URL).
//   - RFC 8954 §2.1: a nonce is 1 to 32 octets; requests use 32.
//   - CertID hashes: Streebog-256 and Streebog-512 (GOST R 34.11-2012, the
//     hashes Russian responders use, shared spec gost/FACTS.md §1.3) are
//     written; SHA-1 (RFC 6960's default, what OpenSSL's client sends) and
//     SHA-256/384/512 are also read and matched. The responderID byKey hash is
//     SHA-1 over the key's BIT STRING content, as RFC 6960 §4.2.1 fixes.
//
// # Security
//
// Every message parsed here is untrusted: it comes off the network. Parsers
// return errors and never panic; what they return is not authenticated until
// Response.CheckSignatureFrom has found a signer the issuer authorised and
// checked the signature with it, and the caller has compared the CertID, the
// nonce and the times with what it asked for (Response.Find does the CertID).
// Hashing in CertIDs is over public data; nothing here is secret.
package ocsp

import (
	"crypto/sha1"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/pki"
)

// Object identifiers (RFC 6960 §4.2.1, §4.2.2.2, §4.4; RFC 5280 §4.2.1.12).
var (
	OIDBasicResponse = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1} // id-pkix-ocsp-basic
	OIDNonce         = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2} // id-pkix-ocsp-nonce
	OIDCrlID         = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 3} // id-pkix-ocsp-crl
	OIDNoCheck       = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5} // id-pkix-ocsp-nocheck
	OIDOCSPSigning   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 9}     // id-kp-OCSPSigning
	OIDSHA1          = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}            // id-sha1 (RFC 3279 §2.2.1)
)

// MaxNonce is the largest nonce RFC 8954 §2.1 allows.
const MaxNonce = 32

// ResponseStatus is OCSPResponseStatus (RFC 6960 §4.2.1).
type ResponseStatus int

// Response statuses; 4 is not used.
const (
	Successful       ResponseStatus = 0
	MalformedRequest ResponseStatus = 1
	InternalError    ResponseStatus = 2
	TryLater         ResponseStatus = 3
	SigRequired      ResponseStatus = 5
	Unauthorized     ResponseStatus = 6
)

func (s ResponseStatus) String() string {
	switch s {
	case Successful:
		return "successful"
	case MalformedRequest:
		return "malformedRequest"
	case InternalError:
		return "internalError"
	case TryLater:
		return "tryLater"
	case SigRequired:
		return "sigRequired"
	case Unauthorized:
		return "unauthorized"
	}
	return fmt.Sprintf("status %d", int(s))
}

// Status is a certificate's CertStatus (RFC 6960 §4.2.1).
type Status int

// Certificate statuses.
const (
	Good    Status = 0
	Revoked Status = 1
	Unknown Status = 2
)

func (s Status) String() string {
	switch s {
	case Good:
		return "good"
	case Revoked:
		return "revoked"
	case Unknown:
		return "unknown"
	}
	return fmt.Sprintf("status %d", int(s))
}

// CertID identifies a certificate by its issuer and serial number (RFC 6960
// §4.1.1): hashes of the issuer's DER name and of its public key's BIT
// STRING content, with the hash algorithm named.
type CertID struct {
	HashAlgorithm  asn1.ObjectIdentifier
	IssuerNameHash []byte
	IssuerKeyHash  []byte
	SerialNumber   *big.Int
}

// hashByOID returns the hash a CertID may use: those of pki.HashByOID, and
// SHA-1, which RFC 6960 names and OpenSSL's client sends by default.
func hashByOID(oid asn1.ObjectIdentifier) (func() hash.Hash, bool) {
	if oid.Equal(OIDSHA1) {
		return sha1.New, true
	}
	return pki.HashByOID(oid)
}

// NewCertID computes the CertID of the certificate with serial number serial
// issued by issuer, hashing with hashAlg (pki.OIDStreebog256 is what Russian
// responders expect; SHA-1 and SHA-2 work too).
func NewCertID(hashAlg asn1.ObjectIdentifier, issuer *pki.Certificate, serial *big.Int) (CertID, error) {
	h, ok := hashByOID(hashAlg)
	if !ok {
		return CertID{}, fmt.Errorf("ocsp: CertID hash %v is not supported", hashAlg)
	}
	key, err := keyBits(issuer.RawSubjectPublicKeyInfo)
	if err != nil {
		return CertID{}, err
	}
	return CertID{
		HashAlgorithm:  hashAlg,
		IssuerNameHash: sum(h, issuer.RawSubject),
		IssuerKeyHash:  sum(h, key),
		SerialNumber:   new(big.Int).Set(serial),
	}, nil
}

// IssuedBy reports whether id names a certificate of issuer, recomputing the
// hashes with id's algorithm; false when the algorithm is not supported.
func (id CertID) IssuedBy(issuer *pki.Certificate) bool {
	want, err := NewCertID(id.HashAlgorithm, issuer, big.NewInt(0))
	if err != nil {
		return false
	}
	return string(want.IssuerNameHash) == string(id.IssuerNameHash) && string(want.IssuerKeyHash) == string(id.IssuerKeyHash)
}

// Equal reports whether id and other are the same CertID.
func (id CertID) Equal(other CertID) bool {
	return id.HashAlgorithm.Equal(other.HashAlgorithm) &&
		string(id.IssuerNameHash) == string(other.IssuerNameHash) &&
		string(id.IssuerKeyHash) == string(other.IssuerKeyHash) &&
		id.SerialNumber != nil && other.SerialNumber != nil && id.SerialNumber.Cmp(other.SerialNumber) == 0
}

func sum(h func() hash.Hash, data []byte) []byte {
	d := h()
	d.Write(data)
	return d.Sum(nil)
}

// keyBits returns the content of a SubjectPublicKeyInfo's subjectPublicKey
// BIT STRING, which CertID and responderID byKey hash (RFC 6960 §4.1.1).
func keyBits(spki []byte) ([]byte, error) {
	s := cryptobyte.String(spki)
	var seq cryptobyte.String
	var bits asn1.BitString
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.SkipASN1(cbasn1.SEQUENCE) || !seq.ReadASN1BitString(&bits) {
		return nil, errors.New("ocsp: malformed SubjectPublicKeyInfo")
	}
	return bits.Bytes, nil
}

// KeyHash is the responderID byKey of a certificate: SHA-1 over its public
// key's BIT STRING content (RFC 6960 §4.2.1).
func KeyHash(c *pki.Certificate) ([]byte, error) {
	key, err := keyBits(c.RawSubjectPublicKeyInfo)
	if err != nil {
		return nil, err
	}
	return sum(sha1.New, key), nil
}

// Request is a parsed OCSPRequest (RFC 6960 §4.1.1). A signed request's
// signature is not checked; podpis' responder does not require one.
type Request struct {
	CertIDs []CertID
	// Nonce is the id-pkix-ocsp-nonce value, nil when absent.
	Nonce []byte
	// Signed reports whether the request carried optionalSignature.
	Signed bool
}

// SingleResponse is one certificate's status in a response (RFC 6960
// §4.2.1).
type SingleResponse struct {
	CertID CertID
	Status Status
	// RevokedAt and Reason are set when Status is Revoked; Reason is the
	// CRLReason (RFC 5280 §5.3.1), -1 when the response gives none.
	RevokedAt time.Time
	Reason    int
	// ThisUpdate is when the status was known correct; NextUpdate, when
	// not zero, is when newer information will be available (§4.2.2.1).
	ThisUpdate, NextUpdate time.Time
}

// Response is a parsed OCSPResponse. Unless Status is Successful, only
// Status is set.
type Response struct {
	Status ResponseStatus

	// ResponderName is the DER Name of a responderID byName; ResponderKeyHash
	// the SHA-1 key hash of a responderID byKey. One of them is set.
	ResponderName    []byte
	ResponderKeyHash []byte
	ProducedAt       time.Time
	Responses        []SingleResponse
	// Nonce is the response's nonce extension, nil when absent.
	Nonce []byte
	// Certificates are those the response carries to help check its
	// signature (a delegated responder's certificate).
	Certificates []*pki.Certificate

	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	// RawResponseData is the DER tbsResponseData, the signed bytes.
	RawResponseData []byte
	// RawBasic is the DER BasicOCSPResponse, as CAdES-X keeps it in
	// revocationValues.
	RawBasic []byte
}

// Find returns the response for id, or nil.
func (r *Response) Find(id CertID) *SingleResponse {
	for i := range r.Responses {
		if r.Responses[i].CertID.Equal(id) {
			return &r.Responses[i]
		}
	}
	return nil
}

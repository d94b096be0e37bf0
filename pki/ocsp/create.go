package ocsp

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/pki"
)

// NewNonce returns a fresh 32-octet nonce (RFC 8954 §2.1) from crypto/rand.
func NewNonce() ([]byte, error) {
	n := make([]byte, MaxNonce)
	if _, err := rand.Read(n); err != nil {
		return nil, err
	}
	return n, nil
}

// CreateRequest makes an unsigned DER OCSPRequest for ids, with a nonce
// extension when nonce is not nil (1 to 32 octets, RFC 8954).
func CreateRequest(ids []CertID, nonce []byte) ([]byte, error) {
	if len(ids) == 0 {
		return nil, errors.New("ocsp: a request needs at least one CertID")
	}
	if nonce != nil && (len(nonce) == 0 || len(nonce) > MaxNonce) {
		return nil, fmt.Errorf("ocsp: nonce of %d octets; RFC 8954 allows 1 to %d", len(nonce), MaxNonce)
	}
	for _, id := range ids {
		if err := id.check(); err != nil {
			return nil, err
		}
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // OCSPRequest
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // TBSRequest
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, id := range ids {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { addCertID(b, id) })
				}
			})
			if nonce != nil {
				b.AddASN1(tag2, func(b *cryptobyte.Builder) { addNonceExtension(b, nonce) })
			}
		})
	})
	return b.Bytes()
}

func (id CertID) check() error {
	if _, ok := hashByOID(id.HashAlgorithm); !ok {
		return fmt.Errorf("ocsp: CertID hash %v is not supported", id.HashAlgorithm)
	}
	if id.SerialNumber == nil {
		return errors.New("ocsp: CertID without a serial number")
	}
	return nil
}

func addCertID(b *cryptobyte.Builder, id CertID) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(id.HashAlgorithm)
			if id.HashAlgorithm.Equal(OIDSHA1) {
				b.AddASN1NULL() // RFC 3279 §2.2.1 writes NULL; OpenSSL does
			}
		})
		b.AddASN1OctetString(id.IssuerNameHash)
		b.AddASN1OctetString(id.IssuerKeyHash)
		b.AddASN1BigInt(id.SerialNumber)
	})
}

// addNonceExtension writes Extensions with the nonce: extnValue is the DER
// of an OCTET STRING holding the nonce (RFC 8954 §2.1).
func addNonceExtension(b *cryptobyte.Builder, nonce []byte) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(OIDNonce)
			b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) { b.AddASN1OctetString(nonce) })
		})
	})
}

// ResponseTemplate is what CreateResponse signs.
type ResponseTemplate struct {
	// ProducedAt defaults to now.
	ProducedAt time.Time
	Responses  []SingleResponse
	// Nonce is echoed from the request, nil for none.
	Nonce []byte
	// ByName names the responder by its subject name; by default by its
	// key hash.
	ByName bool
	// Certificates are added to the response's certs; the responder's own
	// certificate is added by CreateResponse when it is not the issuer.
	Certificates []*pki.Certificate
}

// CreateResponse makes a successful DER OCSPResponse signed by signer, whose
// certificate is responder: the CA itself, or a delegated responder the CA
// issued with id-kp-OCSPSigning (RFC 6960 §4.2.2.2). A delegated
// responder's certificate is included so clients can check the signature.
// Every SingleResponse needs a CertID and a ThisUpdate; times are written in
// whole seconds (GeneralizedTime, RFC 6960 §4.2.2.1). The signature is
// checked before the DER is returned.
func CreateResponse(t *ResponseTemplate, responder *pki.Certificate, signer crypto.Signer, issuer *pki.Certificate) ([]byte, error) {
	if responder == nil || signer == nil {
		return nil, errors.New("ocsp: a response needs the responder's certificate and key")
	}
	if len(t.Responses) == 0 {
		return nil, errors.New("ocsp: a response needs at least one SingleResponse")
	}
	if t.Nonce != nil && (len(t.Nonce) == 0 || len(t.Nonce) > MaxNonce) {
		return nil, fmt.Errorf("ocsp: nonce of %d octets; RFC 8954 allows 1 to %d", len(t.Nonce), MaxNonce)
	}
	for _, sr := range t.Responses {
		if err := sr.CertID.check(); err != nil {
			return nil, err
		}
		if sr.ThisUpdate.IsZero() || (!sr.NextUpdate.IsZero() && sr.NextUpdate.Before(sr.ThisUpdate)) {
			return nil, errors.New("ocsp: thisUpdate missing or after nextUpdate")
		}
		if sr.Status == Revoked && (sr.RevokedAt.IsZero() || sr.Reason > 10 || sr.Reason == 7) {
			return nil, errors.New("ocsp: a revoked status needs a time and a valid reason code")
		}
	}
	keyHash, err := KeyHash(responder)
	if err != nil {
		return nil, err
	}
	produced := t.ProducedAt
	if produced.IsZero() {
		produced = time.Now()
	}
	var tbs cryptobyte.Builder
	tbs.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if t.ByName {
			b.AddASN1(tag1, func(b *cryptobyte.Builder) { b.AddBytes(responder.RawSubject) })
		} else {
			b.AddASN1(tag2, func(b *cryptobyte.Builder) { b.AddASN1OctetString(keyHash) })
		}
		b.AddASN1GeneralizedTime(utc(produced))
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, sr := range t.Responses {
				addSingle(b, sr)
			}
		})
		if t.Nonce != nil {
			b.AddASN1(tag1, func(b *cryptobyte.Builder) { addNonceExtension(b, t.Nonce) })
		}
	})
	tbsDER, err := tbs.Bytes()
	if err != nil {
		return nil, err
	}
	sig, sigAlg, _, err := pki.Sign(rand.Reader, signer, tbsDER)
	if err != nil {
		return nil, fmt.Errorf("ocsp: %w", err)
	}
	certs := t.Certificates
	if issuer == nil || !bytes.Equal(responder.Raw, issuer.Raw) {
		certs = append([]*pki.Certificate{responder}, certs...)
	}
	var basic cryptobyte.Builder
	basic.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbsDER)
		addAlgorithm(b, sigAlg)
		b.AddASN1BitString(sig)
		if len(certs) > 0 {
			b.AddASN1(tag0, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for _, c := range certs {
						b.AddBytes(c.Raw)
					}
				})
			})
		}
	})
	basicDER, err := basic.Bytes()
	if err != nil {
		return nil, err
	}
	var resp cryptobyte.Builder
	resp.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Enum(int64(Successful))
		b.AddASN1(tag0, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(OIDBasicResponse)
				b.AddASN1OctetString(basicDER)
			})
		})
	})
	der, err := resp.Bytes()
	if err != nil {
		return nil, err
	}
	r, err := ParseResponse(der)
	if err != nil {
		return nil, fmt.Errorf("ocsp: the response made does not parse: %w", err)
	}
	if err := pki.CheckSignature(responder.PublicKey, r.SignatureAlgorithm.Algorithm, nil, r.RawResponseData, r.Signature); err != nil {
		return nil, fmt.Errorf("ocsp: the response made does not verify: %w", err)
	}
	return der, nil
}

func addAlgorithm(b *cryptobyte.Builder, alg pkix.AlgorithmIdentifier) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(alg.Algorithm)
		if len(alg.Parameters.FullBytes) > 0 {
			b.AddBytes(alg.Parameters.FullBytes)
		}
	})
}

func addSingle(b *cryptobyte.Builder, sr SingleResponse) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addCertID(b, sr.CertID)
		switch sr.Status {
		case Good:
			b.AddASN1(tagGood, func(*cryptobyte.Builder) {})
		case Revoked:
			b.AddASN1(tagRevoked, func(b *cryptobyte.Builder) {
				b.AddASN1GeneralizedTime(utc(sr.RevokedAt))
				if sr.Reason > 0 { // unspecified (0) is not written, RFC 5280 §5.3.1
					b.AddASN1(tag0, func(b *cryptobyte.Builder) { b.AddASN1Enum(int64(sr.Reason)) })
				}
			})
		default:
			b.AddASN1(tagUnknown, func(*cryptobyte.Builder) {})
		}
		b.AddASN1GeneralizedTime(utc(sr.ThisUpdate))
		if !sr.NextUpdate.IsZero() {
			b.AddASN1(tag0, func(b *cryptobyte.Builder) { b.AddASN1GeneralizedTime(utc(sr.NextUpdate)) })
		}
	})
}

// ErrorResponse returns the DER OCSPResponse for an unsuccessful status
// (malformedRequest, internalError, tryLater, sigRequired, unauthorized),
// which carries no responseBytes and no signature (RFC 6960 §4.2.1).
func ErrorResponse(status ResponseStatus) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1Enum(int64(status)) })
	return b.BytesOrPanic()
}

package tsp

import (
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/internal/ber"
	"github.com/podpis/podpis/pki"
)

// ErrFormat is wrapped by the errors of ParseRequest and ParseResponse.
var ErrFormat = errors.New("tsp: malformed message")

// Request is a TimeStampReq (RFC 3161 §2.4.1):
//
//	TimeStampReq ::= SEQUENCE {
//	    version        INTEGER { v1(1) },
//	    messageImprint MessageImprint,
//	    reqPolicy      TSAPolicyId OPTIONAL,
//	    nonce          INTEGER OPTIONAL,
//	    certReq        BOOLEAN DEFAULT FALSE,
//	    extensions     [0] IMPLICIT Extensions OPTIONAL }
//	MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }
type Request struct {
	HashAlgorithm asn1.ObjectIdentifier
	HashedMessage []byte
	// Policy is the TSA policy asked for; nil leaves it to the TSA.
	Policy asn1.ObjectIdentifier
	// Nonce, when not nil, must come back in the token.
	Nonce *big.Int
	// CertReq asks the TSA to put its certificate in the token.
	CertReq    bool
	Extensions []pkix.Extension
}

// NewRequest returns a request for the digest (made with hashAlg) with a
// random 64-bit nonce and CertReq set, as a careful client sends it.
func NewRequest(hashAlg asn1.ObjectIdentifier, digest []byte) (*Request, error) {
	h, ok := pki.HashByOID(hashAlg)
	if !ok {
		return nil, fmt.Errorf("tsp: %w: digest %v", pki.ErrUnsupportedAlgorithm, hashAlg)
	}
	if len(digest) != h().Size() {
		return nil, fmt.Errorf("tsp: digest is %d bytes, %v gives %d", len(digest), hashAlg, h().Size())
	}
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, err
	}
	return &Request{HashAlgorithm: hashAlg, HashedMessage: digest, Nonce: nonce, CertReq: true}, nil
}

// Marshal returns the DER TimeStampReq. The hash AlgorithmIdentifier is
// written with parameters absent.
func (r *Request) Marshal() ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(r.HashAlgorithm) })
			b.AddASN1OctetString(r.HashedMessage)
		})
		if r.Policy != nil {
			b.AddASN1ObjectIdentifier(r.Policy)
		}
		if r.Nonce != nil {
			b.AddASN1BigInt(r.Nonce)
		}
		if r.CertReq {
			b.AddASN1Boolean(true)
		}
		if len(r.Extensions) > 0 {
			addExtensions(b, r.Extensions)
		}
	})
	return b.Bytes()
}

func addExtensions(b *cryptobyte.Builder, exts []pkix.Extension) {
	der, err := asn1.Marshal(exts)
	if err != nil {
		b.SetError(err)
		return
	}
	b.AddBytes(append([]byte{0xa0}, der[1:]...)) // [0] IMPLICIT SEQUENCE OF
}

// ParseRequest parses a TimeStampReq, DER or BER (OpenSSL's `ts -query`
// writes DER).
func ParseRequest(data []byte) (*Request, error) {
	der, err := ber.Normalize(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	bad := func(what string) error { return fmt.Errorf("%w: TimeStampReq: %s", ErrFormat, what) }
	s := cryptobyte.String(der)
	var body, imprint, alg, hashed cryptobyte.String
	var version int64
	r := &Request{}
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, bad("not a SEQUENCE")
	}
	if !body.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) || version != 1 {
		return nil, bad("version is not 1")
	}
	if !body.ReadASN1(&imprint, cbasn1.SEQUENCE) || !imprint.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!alg.ReadASN1ObjectIdentifier(&r.HashAlgorithm) || !imprint.ReadASN1(&hashed, cbasn1.OCTET_STRING) || !imprint.Empty() {
		return nil, bad("bad messageImprint")
	}
	// alg may still hold NULL parameters; they are ignored.
	r.HashedMessage = hashed
	if body.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) && !body.ReadASN1ObjectIdentifier(&r.Policy) {
		return nil, bad("bad reqPolicy")
	}
	if body.PeekASN1Tag(cbasn1.INTEGER) {
		r.Nonce = new(big.Int)
		if !body.ReadASN1Integer(r.Nonce) {
			return nil, bad("bad nonce")
		}
	}
	if body.PeekASN1Tag(cbasn1.BOOLEAN) && !body.ReadASN1Boolean(&r.CertReq) {
		return nil, bad("bad certReq")
	}
	if tag := cbasn1.Tag(0).Constructed().ContextSpecific(); body.PeekASN1Tag(tag) {
		var exts cryptobyte.String
		if !body.ReadASN1Element(&exts, tag) {
			return nil, bad("bad extensions")
		}
		if rest, err := asn1.Unmarshal(append([]byte{0x30}, exts[1:]...), &r.Extensions); err != nil || len(rest) != 0 {
			return nil, bad("bad extensions")
		}
	}
	if !body.Empty() {
		return nil, bad("trailing data")
	}
	return r, nil
}

// Status is a PKIStatus (RFC 3161 §2.4.2).
type Status int

const (
	Granted                Status = 0
	GrantedWithMods        Status = 1
	Rejection              Status = 2
	Waiting                Status = 3
	RevocationWarning      Status = 4
	RevocationNotification Status = 5
)

// FailureInfo is a PKIFailureInfo bit (RFC 3161 §2.4.2); a Response carries a
// set of them as FailureInfo(1)<<bit ORed together.
type FailureInfo uint32

// The PKIFailureInfo bits, as masks.
const (
	BadAlg              FailureInfo = 1 << 0
	BadRequest          FailureInfo = 1 << 2
	BadDataFormat       FailureInfo = 1 << 5
	TimeNotAvailable    FailureInfo = 1 << 14
	UnacceptedPolicy    FailureInfo = 1 << 15
	UnacceptedExtension FailureInfo = 1 << 16
	AddInfoNotAvailable FailureInfo = 1 << 17
	SystemFailure       FailureInfo = 1 << 25
)

// Response is a TimeStampResp (RFC 3161 §2.4.2):
//
//	TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL }
//	PKIStatusInfo ::= SEQUENCE {
//	    status PKIStatus, statusString PKIFreeText OPTIONAL, failInfo PKIFailureInfo OPTIONAL }
type Response struct {
	Status       Status
	StatusString []string
	FailInfo     FailureInfo
	// Token is the DER TimeStampToken (a ContentInfo); nil unless granted.
	Token []byte
}

// Marshal returns the DER TimeStampResp.
func (r *Response) Marshal() ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(int64(r.Status))
			if len(r.StatusString) > 0 {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for _, s := range r.StatusString {
						b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
					}
				})
			}
			if r.FailInfo != 0 {
				b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) { b.AddBytes(namedBits(uint32(r.FailInfo))) })
			}
		})
		if r.Token != nil {
			b.AddBytes(r.Token)
		}
	})
	return b.Bytes()
}

// namedBits encodes a named-bit BIT STRING value in DER: bit n is the n-th
// bit from the most significant of the first octet, trailing zero bits
// dropped (X.690 §11.2.2). It returns the contents with the unused-bits octet.
func namedBits(mask uint32) []byte {
	high := -1
	for i := 31; i >= 0; i-- {
		if mask&(1<<i) != 0 {
			high = i
			break
		}
	}
	n := high/8 + 1
	out := make([]byte, 1+n)
	out[0] = byte(7 - high%8)
	for i := 0; i <= high; i++ {
		if mask&(1<<i) != 0 {
			out[1+i/8] |= 0x80 >> (i % 8)
		}
	}
	return out
}

// ParseResponse parses a TimeStampResp, DER or BER. The token is returned as
// received (normalised to DER); check it with cms.VerifyTimestampToken.
func ParseResponse(data []byte) (*Response, error) {
	der, err := ber.Normalize(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	bad := func(what string) error { return fmt.Errorf("%w: TimeStampResp: %s", ErrFormat, what) }
	s := cryptobyte.String(der)
	var body, info cryptobyte.String
	var status int64
	r := &Response{}
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !s.Empty() || !body.ReadASN1(&info, cbasn1.SEQUENCE) {
		return nil, bad("not a TimeStampResp")
	}
	if !info.ReadASN1Int64WithTag(&status, cbasn1.INTEGER) || status < 0 || status > 5 {
		return nil, bad("bad status")
	}
	r.Status = Status(status)
	if info.PeekASN1Tag(cbasn1.SEQUENCE) {
		var text cryptobyte.String
		if !info.ReadASN1(&text, cbasn1.SEQUENCE) {
			return nil, bad("bad statusString")
		}
		for !text.Empty() {
			var str cryptobyte.String
			if !text.ReadASN1(&str, cbasn1.UTF8String) {
				return nil, bad("bad statusString")
			}
			r.StatusString = append(r.StatusString, string(str))
		}
	}
	if info.PeekASN1Tag(cbasn1.BIT_STRING) {
		var bits asn1.BitString
		if !info.ReadASN1BitString(&bits) {
			return nil, bad("bad failInfo")
		}
		for i := 0; i < bits.BitLength && i < 32; i++ {
			if bits.At(i) == 1 {
				r.FailInfo |= 1 << i
			}
		}
	}
	if !info.Empty() {
		return nil, bad("trailing data in PKIStatusInfo")
	}
	if !body.Empty() {
		var tok cryptobyte.String
		if !body.ReadASN1Element(&tok, cbasn1.SEQUENCE) || !body.Empty() {
			return nil, bad("bad timeStampToken")
		}
		r.Token = tok
	}
	return r, nil
}

package tsp

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"net/http"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/pki"
)

// MaxRequestSize bounds the body the HTTP handler reads. A TimeStampReq with
// a Streebog-512 imprint, a policy and a nonce is under 150 bytes.
const MaxRequestSize = 16 << 10

// Authority is a time-stamp authority: it answers Requests with tokens
// signed by Signer. The fields are read on every request; do not change them
// while the Authority serves.
type Authority struct {
	// Signer and Certificate are the TSA's key and certificate; RFC 3161
	// §2.3 wants the certificate to carry only the timeStamping extended key
	// usage, marked critical (OpenSSL's `ts -verify` insists on it).
	Signer      crypto.Signer
	Certificate *pki.Certificate
	// Chain are more certificates to include when a request sets certReq.
	Chain []*pki.Certificate
	// Policy is the TSA policy of every token; Policies are other policies
	// a request may ask for. A request for any other policy is rejected.
	Policy   asn1.ObjectIdentifier
	Policies []asn1.ObjectIdentifier
	// Clock gives genTime; nil means time.Now. The time is written to the
	// microsecond.
	Clock func() time.Time
	// Serial gives serial numbers, which must be unique per TSA; nil means
	// 128 random bits (pki.RandomSerial).
	Serial func() (*big.Int, error)
	// Accuracy is written in each token when not zero.
	Accuracy time.Duration
	// Rand is the randomness for signatures and serials; nil means crypto/rand.
	Rand io.Reader
}

func reject(fail FailureInfo, text string) *Response {
	return &Response{Status: Rejection, FailInfo: fail, StatusString: []string{text}}
}

// Respond answers req: a granted Response with a token, or a rejection saying
// why (unknown hash algorithm, digest of the wrong size, unaccepted policy,
// extensions, which this TSA does not support). An error is returned, with a
// systemFailure response, only when signing fails.
func (a *Authority) Respond(req *Request) (*Response, error) {
	h, ok := pki.HashByOID(req.HashAlgorithm)
	if !ok {
		return reject(BadAlg, "unsupported hash algorithm"), nil
	}
	if len(req.HashedMessage) != h().Size() {
		return reject(BadDataFormat, "digest length does not match the hash algorithm"), nil
	}
	if len(req.Extensions) > 0 {
		return reject(UnacceptedExtension, "extensions are not supported"), nil
	}
	policy := a.Policy
	if req.Policy != nil && !req.Policy.Equal(a.Policy) {
		policy = nil
		for _, p := range a.Policies {
			if p.Equal(req.Policy) {
				policy = p
			}
		}
		if policy == nil {
			return reject(UnacceptedPolicy, "policy not accepted"), nil
		}
	}
	token, err := a.token(req, policy)
	if err != nil {
		return reject(SystemFailure, "the TSA could not sign"), err
	}
	return &Response{Status: Granted, Token: token}, nil
}

// token makes the TimeStampToken for req.
func (a *Authority) token(req *Request, policy asn1.ObjectIdentifier) ([]byte, error) {
	if a.Signer == nil || a.Certificate == nil || policy == nil {
		return nil, errors.New("tsp: Authority needs a Signer, a Certificate and a Policy")
	}
	now := time.Now
	if a.Clock != nil {
		now = a.Clock
	}
	gen := now().UTC().Truncate(time.Microsecond)
	serial, err := a.serial()
	if err != nil {
		return nil, err
	}
	info := &cms.TSTInfo{
		Policy:        policy,
		HashAlgorithm: algorithm(req.HashAlgorithm),
		HashedMessage: req.HashedMessage,
		SerialNumber:  serial,
		GenTime:       gen,
		Accuracy:      a.Accuracy,
		Nonce:         req.Nonce,
	}
	der, err := info.Marshal()
	if err != nil {
		return nil, err
	}
	cfg := cms.SignerConfig{Signer: a.Signer, Certificate: a.Certificate, SigningTime: gen, Rand: a.Rand}
	if req.CertReq {
		cfg.Chain = a.Chain
	}
	return cms.Sign(bytes.NewReader(der), cfg, cms.SignOptions{ContentType: cms.OIDTSTInfo, NoCertificates: !req.CertReq})
}

func (a *Authority) serial() (*big.Int, error) {
	if a.Serial != nil {
		return a.Serial()
	}
	return pki.RandomSerial(a.Rand)
}

// ServeHTTP implements the HTTP transport of RFC 3161 §3.4: a POST of
// application/timestamp-query answered with application/timestamp-reply.
// Malformed requests get a rejection TimeStampResp (badDataFormat) with HTTP
// status 200, as the protocol carries its own status; other methods get 405,
// other content types 415.
func (a *Authority) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST a timestamp query", http.StatusMethodNotAllowed)
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/timestamp-query" {
		http.Error(w, "Content-Type must be application/timestamp-query", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestSize))
	var resp *Response
	switch {
	case err != nil:
		resp = reject(BadRequest, "request too large or unreadable")
	default:
		req, perr := ParseRequest(body)
		if perr != nil {
			resp = reject(BadDataFormat, "malformed TimeStampReq")
			break
		}
		resp, _ = a.Respond(req)
	}
	out, err := resp.Marshal()
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	w.Header().Set("Content-Length", fmt.Sprint(len(out)))
	w.Write(out)
}

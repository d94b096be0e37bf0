package ocsp

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/pki"
)

// Explicit context tags of RFC 6960's module (EXPLICIT TAGS by default).
var (
	tag0 = cbasn1.Tag(0).Constructed().ContextSpecific()
	tag1 = cbasn1.Tag(1).Constructed().ContextSpecific()
	tag2 = cbasn1.Tag(2).Constructed().ContextSpecific()
)

// maxCertificates bounds the certificates a response may carry.
const maxCertificates = 16

func malformed(what string) error { return fmt.Errorf("ocsp: malformed %s", what) }

// ParseRequest parses a DER OCSPRequest.
func ParseRequest(der []byte) (*Request, error) {
	s := cryptobyte.String(der)
	var req, tbs cryptobyte.String
	if !s.ReadASN1(&req, cbasn1.SEQUENCE) || !s.Empty() || !req.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, malformed("OCSPRequest")
	}
	r := &Request{}
	if req.PeekASN1Tag(tag0) {
		r.Signed = true
		if !req.SkipASN1(tag0) {
			return nil, malformed("request signature")
		}
	}
	if !req.Empty() {
		return nil, malformed("OCSPRequest")
	}
	if err := readVersion(&tbs); err != nil {
		return nil, err
	}
	if !tbs.SkipOptionalASN1(tag1) { // requestorName
		return nil, malformed("requestorName")
	}
	var list cryptobyte.String
	if !tbs.ReadASN1(&list, cbasn1.SEQUENCE) {
		return nil, malformed("requestList")
	}
	for !list.Empty() {
		var one cryptobyte.String
		if !list.ReadASN1(&one, cbasn1.SEQUENCE) {
			return nil, malformed("Request")
		}
		id, err := readCertID(&one)
		if err != nil {
			return nil, err
		}
		if !one.SkipOptionalASN1(tag0) || !one.Empty() {
			return nil, malformed("singleRequestExtensions")
		}
		r.CertIDs = append(r.CertIDs, id)
	}
	if len(r.CertIDs) == 0 {
		return nil, errors.New("ocsp: request names no certificate")
	}
	exts, err := readExtensions(&tbs, tag2)
	if err != nil {
		return nil, err
	}
	if !tbs.Empty() {
		return nil, malformed("TBSRequest")
	}
	for _, e := range exts {
		switch {
		case e.Id.Equal(OIDNonce):
			if r.Nonce, err = parseNonce(e.Value); err != nil {
				return nil, err
			}
		case e.Critical:
			return nil, fmt.Errorf("ocsp: request has critical extension %v", e.Id)
		}
	}
	return r, nil
}

// parseNonce reads a nonce extension's value: an OCTET STRING of 1 to 32
// octets (RFC 8954 §2.1). Responders that put the raw octets in extnValue,
// as some did before RFC 8954, are read as they wrote it.
func parseNonce(v []byte) ([]byte, error) {
	s := cryptobyte.String(v)
	var n cryptobyte.String
	if !s.ReadASN1(&n, cbasn1.OCTET_STRING) || !s.Empty() {
		n = cryptobyte.String(v)
	}
	if len(n) == 0 || len(n) > MaxNonce {
		return nil, fmt.Errorf("ocsp: nonce of %d octets; RFC 8954 allows 1 to %d", len(n), MaxNonce)
	}
	return append([]byte(nil), n...), nil
}

func readVersion(s *cryptobyte.String) error {
	var v cryptobyte.String
	var present bool
	if !s.ReadOptionalASN1(&v, &present, tag0) {
		return malformed("version")
	}
	if present {
		var n int64
		if !v.ReadASN1Int64WithTag(&n, cbasn1.INTEGER) || !v.Empty() || n != 0 {
			return errors.New("ocsp: unsupported version (only v1 exists)")
		}
	}
	return nil
}

func readCertID(s *cryptobyte.String) (CertID, error) {
	var seq, alg cryptobyte.String
	var id CertID
	var name, key []byte
	id.SerialNumber = new(big.Int)
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!alg.ReadASN1ObjectIdentifier(&id.HashAlgorithm) ||
		!readOctets(&seq, &name) || !readOctets(&seq, &key) ||
		!seq.ReadASN1Integer(id.SerialNumber) || !seq.Empty() {
		return CertID{}, malformed("CertID")
	}
	// Parameters: absent or NULL (RFC 5754 §2 for SHA-2; GOST hashes have
	// none, FACTS §4.3).
	if !alg.Empty() && !(alg.SkipASN1(cbasn1.NULL) && alg.Empty()) {
		return CertID{}, malformed("CertID hash algorithm")
	}
	id.IssuerNameHash, id.IssuerKeyHash = name, key
	return id, nil
}

func readOctets(s *cryptobyte.String, out *[]byte) bool {
	var v cryptobyte.String
	if !s.ReadASN1(&v, cbasn1.OCTET_STRING) {
		return false
	}
	*out = append([]byte(nil), v...)
	return true
}

// readExtensions reads an optional [tag] EXPLICIT Extensions.
func readExtensions(s *cryptobyte.String, tag cbasn1.Tag) ([]pkix.Extension, error) {
	var wrap, seq cryptobyte.String
	var present bool
	if !s.ReadOptionalASN1(&wrap, &present, tag) {
		return nil, malformed("extensions")
	}
	if !present {
		return nil, nil
	}
	if !wrap.ReadASN1(&seq, cbasn1.SEQUENCE) || !wrap.Empty() {
		return nil, malformed("extensions")
	}
	var exts []pkix.Extension
	for !seq.Empty() {
		var ext cryptobyte.String
		var e pkix.Extension
		if !seq.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&e.Id) ||
			!ext.ReadOptionalASN1Boolean(&e.Critical, cbasn1.BOOLEAN, false) ||
			!readOctets(&ext, &e.Value) || !ext.Empty() {
			return nil, malformed("extension")
		}
		exts = append(exts, e)
	}
	return exts, nil
}

// ParseResponse parses a DER OCSPResponse. A response whose status is not
// successful parses without error; its Status says what the responder
// answered.
func ParseResponse(der []byte) (*Response, error) {
	s := cryptobyte.String(der)
	var resp cryptobyte.String
	var status int
	if !s.ReadASN1(&resp, cbasn1.SEQUENCE) || !s.Empty() || !resp.ReadASN1Enum(&status) {
		return nil, malformed("OCSPResponse")
	}
	r := &Response{Status: ResponseStatus(status)}
	if r.Status != Successful {
		if status < 0 || status > 6 || status == 4 {
			return nil, fmt.Errorf("ocsp: unknown response status %d", status)
		}
		return r, nil
	}
	var wrap, bytesSeq, basic cryptobyte.String
	var typ asn1.ObjectIdentifier
	if !resp.ReadASN1(&wrap, tag0) || !resp.Empty() || !wrap.ReadASN1(&bytesSeq, cbasn1.SEQUENCE) || !wrap.Empty() ||
		!bytesSeq.ReadASN1ObjectIdentifier(&typ) || !bytesSeq.ReadASN1(&basic, cbasn1.OCTET_STRING) || !bytesSeq.Empty() {
		return nil, malformed("responseBytes")
	}
	if !typ.Equal(OIDBasicResponse) {
		return nil, fmt.Errorf("ocsp: response type %v is not id-pkix-ocsp-basic", typ)
	}
	return ParseBasicResponse(basic)
}

// ParseBasicResponse parses a DER BasicOCSPResponse, the form CAdES-X Long
// keeps in revocationValues (RFC 5126 §6.3.4).
func ParseBasicResponse(der []byte) (*Response, error) {
	s := cryptobyte.String(der)
	var basic, tbs, alg cryptobyte.String
	var sig asn1.BitString
	r := &Response{Status: Successful, RawBasic: append([]byte(nil), der...)}
	if !s.ReadASN1(&basic, cbasn1.SEQUENCE) || !s.Empty() ||
		!basic.ReadASN1Element(&tbs, cbasn1.SEQUENCE) ||
		!basic.ReadASN1Element(&alg, cbasn1.SEQUENCE) ||
		!basic.ReadASN1BitString(&sig) {
		return nil, malformed("BasicOCSPResponse")
	}
	r.RawResponseData = []byte(tbs)
	r.Signature = sig.RightAlign()
	if _, err := asn1.Unmarshal(alg, &r.SignatureAlgorithm); err != nil {
		return nil, malformed("signatureAlgorithm")
	}
	var certsWrap, certs cryptobyte.String
	var present bool
	if !basic.ReadOptionalASN1(&certsWrap, &present, tag0) || !basic.Empty() {
		return nil, malformed("BasicOCSPResponse")
	}
	if present {
		if !certsWrap.ReadASN1(&certs, cbasn1.SEQUENCE) || !certsWrap.Empty() {
			return nil, malformed("certs")
		}
		for !certs.Empty() {
			var c cryptobyte.String
			if !certs.ReadASN1Element(&c, cbasn1.SEQUENCE) {
				return nil, malformed("certs")
			}
			if len(r.Certificates) == maxCertificates {
				return nil, fmt.Errorf("ocsp: more than %d certificates in a response", maxCertificates)
			}
			cert, err := pki.ParseCertificate(c)
			if err != nil {
				return nil, fmt.Errorf("ocsp: response certificate: %w", err)
			}
			r.Certificates = append(r.Certificates, cert)
		}
	}
	if err := r.parseResponseData(tbs); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Response) parseResponseData(tbs cryptobyte.String) error {
	var data cryptobyte.String
	if !tbs.ReadASN1(&data, cbasn1.SEQUENCE) {
		return malformed("ResponseData")
	}
	if err := readVersion(&data); err != nil {
		return err
	}
	var rid cryptobyte.String
	// ReadASN1 consumes an element of the wrong tag: peek first.
	switch {
	case data.PeekASN1Tag(tag1) && data.ReadASN1(&rid, tag1):
		var name cryptobyte.String
		if !rid.ReadASN1Element(&name, cbasn1.SEQUENCE) || !rid.Empty() {
			return malformed("responderID")
		}
		r.ResponderName = append([]byte(nil), name...)
	case data.PeekASN1Tag(tag2) && data.ReadASN1(&rid, tag2):
		if !readOctets(&rid, &r.ResponderKeyHash) || !rid.Empty() {
			return malformed("responderID")
		}
	default:
		return malformed("responderID")
	}
	var list cryptobyte.String
	if !readTime(&data, &r.ProducedAt) || !data.ReadASN1(&list, cbasn1.SEQUENCE) {
		return malformed("ResponseData")
	}
	for !list.Empty() {
		one, err := readSingle(&list)
		if err != nil {
			return err
		}
		r.Responses = append(r.Responses, one)
	}
	exts, err := readExtensions(&data, tag1)
	if err != nil {
		return err
	}
	if !data.Empty() {
		return malformed("ResponseData")
	}
	for _, e := range exts {
		switch {
		case e.Id.Equal(OIDNonce):
			if r.Nonce, err = parseNonce(e.Value); err != nil {
				return err
			}
		case e.Critical:
			// RFC 6960 §4.4: a critical extension not understood makes
			// the response unusable.
			return fmt.Errorf("ocsp: response has critical extension %v", e.Id)
		}
	}
	return nil
}

var (
	tagGood    = cbasn1.Tag(0).ContextSpecific()
	tagRevoked = cbasn1.Tag(1).Constructed().ContextSpecific()
	tagUnknown = cbasn1.Tag(2).ContextSpecific()
)

func readSingle(list *cryptobyte.String) (SingleResponse, error) {
	var one cryptobyte.String
	if !list.ReadASN1(&one, cbasn1.SEQUENCE) {
		return SingleResponse{}, malformed("SingleResponse")
	}
	id, err := readCertID(&one)
	if err != nil {
		return SingleResponse{}, err
	}
	sr := SingleResponse{CertID: id, Reason: -1}
	var st cryptobyte.String
	switch {
	case one.PeekASN1Tag(tagGood) && one.ReadASN1(&st, tagGood):
		sr.Status = Good
	case one.PeekASN1Tag(tagUnknown) && one.ReadASN1(&st, tagUnknown):
		sr.Status = Unknown
	case one.PeekASN1Tag(tagRevoked) && one.ReadASN1(&st, tagRevoked):
		sr.Status = Revoked
		if !readTime(&st, &sr.RevokedAt) {
			return SingleResponse{}, malformed("RevokedInfo")
		}
		var reason cryptobyte.String
		var present bool
		if !st.ReadOptionalASN1(&reason, &present, tag0) {
			return SingleResponse{}, malformed("revocationReason")
		}
		if present {
			var n int
			if !reason.ReadASN1Enum(&n) || !reason.Empty() || n < 0 || n > 10 {
				return SingleResponse{}, malformed("revocationReason")
			}
			sr.Reason = n
		}
	default:
		return SingleResponse{}, malformed("certStatus")
	}
	if !st.Empty() {
		return SingleResponse{}, malformed("certStatus")
	}
	if !readTime(&one, &sr.ThisUpdate) {
		return SingleResponse{}, malformed("thisUpdate")
	}
	var next cryptobyte.String
	var present bool
	if !one.ReadOptionalASN1(&next, &present, tag0) {
		return SingleResponse{}, malformed("nextUpdate")
	}
	if present && (!readTime(&next, &sr.NextUpdate) || !next.Empty()) {
		return SingleResponse{}, malformed("nextUpdate")
	}
	exts, err := readExtensions(&one, tag1)
	if err != nil {
		return SingleResponse{}, err
	}
	if !one.Empty() {
		return SingleResponse{}, malformed("SingleResponse")
	}
	for _, e := range exts {
		if e.Critical {
			return SingleResponse{}, fmt.Errorf("ocsp: single response has critical extension %v", e.Id)
		}
	}
	if !sr.NextUpdate.IsZero() && sr.NextUpdate.Before(sr.ThisUpdate) {
		return SingleResponse{}, errors.New("ocsp: nextUpdate before thisUpdate")
	}
	return sr, nil
}

// readTime reads a GeneralizedTime. RFC 6960 §4.2.2.1 asks for RFC 5280's
// form (YYYYMMDDHHMMSSZ); fractional seconds, which some responders write,
// are read too, and kept.
func readTime(s *cryptobyte.String, out *time.Time) bool {
	var v cryptobyte.String
	if !s.ReadASN1(&v, cbasn1.GeneralizedTime) {
		return false
	}
	str := string(v)
	if !strings.HasSuffix(str, "Z") {
		return false
	}
	for _, layout := range []string{"20060102150405Z", "20060102150405.999999999Z"} {
		if t, err := time.Parse(layout, str); err == nil {
			*out = t
			return true
		}
	}
	return false
}

// utc truncates to whole seconds in UTC, as GeneralizedTime is written.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

package cms

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"crypto/x509/pkix"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/internal/ber"
	"github.com/podpis/podpis/pki"
)

// ErrFormat is wrapped by every error Parse returns for input that is not a
// well-formed CMS SignedData.
var ErrFormat = errors.New("cms: malformed SignedData")

// SignedData is a parsed CMS SignedData (RFC 5652 §5.1) with its ContentInfo.
type SignedData struct {
	// Raw is the DER ContentInfo: the decoded input itself when it was DER,
	// its DER normalisation when it was BER (package internal/ber).
	Raw              []byte
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier
	// ContentType is the eContentType; Content the eContent, nil when
	// Detached.
	ContentType asn1.ObjectIdentifier
	Content     []byte
	Detached    bool
	// Certificates are the embedded X.509 certificates package pki parsed.
	// RawCertificates holds every element of the certificates field, parsed
	// or not (attribute certificates, certificates pki refused), as received.
	Certificates    []*pki.Certificate
	RawCertificates [][]byte
	// CRLs are the DER CertificateLists of the crls field; other revocation
	// formats are skipped.
	CRLs    [][]byte
	Signers []*SignerInfo

	rawDigestAlgs [][]byte // elements of digestAlgorithms
	rawEncap      []byte   // the EncapsulatedContentInfo element
	rawCRLs       [][]byte // elements of the crls field
}

// SignerInfo is one signer of a SignedData (RFC 5652 §5.3).
type SignerInfo struct {
	// Raw is the DER SignerInfo as received (normalised if the file was BER).
	Raw     []byte
	Version int
	SID     SignerIdentifier
	// DigestAlgorithm digests the content and the signed attributes.
	DigestAlgorithm pkix.AlgorithmIdentifier
	// SignedAttrs are nil when the SignerInfo has none; RawSignedAttrs is then
	// nil too, else the [0] IMPLICIT element exactly as received (tag 0xA0).
	SignedAttrs    []Attribute
	RawSignedAttrs []byte
	// SignatureAlgorithm is the key algorithm OID or the signature algorithm
	// OID, as the producer wrote it (FACTS §4.5).
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      []Attribute

	// Err is set when this SignerInfo could not be parsed; the other fields
	// are then incomplete. Other signers of the same SignedData are still
	// checked.
	Err error

	rawSigned []byte // every field before unsignedAttrs, as received
}

// SignerIdentifier is the sid of a SignerInfo: issuer and serial number
// (version 1) or subject key identifier (version 3).
type SignerIdentifier struct {
	RawIssuer    []byte   // DER Name; nil for a subject key identifier
	SerialNumber *big.Int // nil for a subject key identifier
	SubjectKeyID []byte   // nil for issuer and serial number
}

// Attribute is one CMS Attribute (RFC 5652 §5.3): a type and the DER of each
// value.
type Attribute struct {
	Type   asn1.ObjectIdentifier
	Values [][]byte
	Raw    []byte
}

// Parse reads a CMS ContentInfo holding SignedData. The input may be DER, BER,
// PEM ("CMS", "PKCS7", "PKCS #7 SIGNED DATA") or bare Base64, with or without
// line breaks; the form is sniffed from the bytes (see Decode). Zero bytes
// after the ContentInfo are ignored, as PDF signature containers pad with
// them; anything else after it is an error.
//
// Parse checks the structure only: certificates are parsed but not checked,
// and no signature is verified. Errors wrap ErrFormat. A SignerInfo that is
// malformed inside a well-formed SignedData does not fail Parse: it is kept
// with its Err set.
func Parse(data []byte) (*SignedData, error) {
	raw, err := Decode(data)
	if err != nil {
		return nil, err
	}
	der, rest, err := ber.NormalizeElement(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	for _, b := range rest {
		if b != 0 {
			return nil, fmt.Errorf("%w: %d bytes of trailing data", ErrFormat, len(rest))
		}
	}
	return parseContentInfo(der)
}

func formatErr(what string) error { return fmt.Errorf("%w: %s", ErrFormat, what) }

// parseContentInfo parses a DER ContentInfo { contentType, [0] EXPLICIT content }.
func parseContentInfo(der []byte) (*SignedData, error) {
	s := cryptobyte.String(der)
	var ci, content cryptobyte.String
	var ct asn1.ObjectIdentifier
	if !s.ReadASN1(&ci, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, formatErr("not a ContentInfo")
	}
	if !ci.ReadASN1ObjectIdentifier(&ct) {
		return nil, formatErr("ContentInfo without a content type")
	}
	if !ct.Equal(OIDSignedData) {
		return nil, fmt.Errorf("%w: content type %v is not signedData", ErrFormat, ct)
	}
	if !ci.ReadASN1(&content, cbasn1.Tag(0).Constructed().ContextSpecific()) || !ci.Empty() {
		return nil, formatErr("ContentInfo without [0] content")
	}
	sd := &SignedData{Raw: der}
	if err := sd.parse(content); err != nil {
		return nil, err
	}
	return sd, nil
}

func (sd *SignedData) parse(content cryptobyte.String) error {
	var body, algs, encap cryptobyte.String
	var version int64
	if !content.ReadASN1(&body, cbasn1.SEQUENCE) || !content.Empty() {
		return formatErr("SignedData is not a SEQUENCE")
	}
	if !body.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) || version < 0 || version > 5 {
		return formatErr("bad SignedData version")
	}
	sd.Version = int(version)
	if !body.ReadASN1(&algs, cbasn1.SET) {
		return formatErr("bad digestAlgorithms")
	}
	for !algs.Empty() {
		var el cryptobyte.String
		if !algs.ReadASN1Element(&el, cbasn1.SEQUENCE) {
			return formatErr("bad digestAlgorithms element")
		}
		ai, ok := parseAlgorithmIdentifier(el)
		if !ok {
			return formatErr("bad digestAlgorithms element")
		}
		sd.DigestAlgorithms = append(sd.DigestAlgorithms, ai)
		sd.rawDigestAlgs = append(sd.rawDigestAlgs, el)
	}
	if !body.ReadASN1Element(&encap, cbasn1.SEQUENCE) {
		return formatErr("bad encapContentInfo")
	}
	sd.rawEncap = encap
	if err := sd.parseEncap(encap); err != nil {
		return err
	}
	var certs, crls cryptobyte.String
	var hasCerts, hasCRLs bool
	if !body.ReadOptionalASN1(&certs, &hasCerts, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!body.ReadOptionalASN1(&crls, &hasCRLs, cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return formatErr("bad certificates or crls")
	}
	for !certs.Empty() {
		var el cryptobyte.String
		var tag cbasn1.Tag
		if !certs.ReadAnyASN1Element(&el, &tag) {
			return formatErr("bad certificates element")
		}
		sd.RawCertificates = append(sd.RawCertificates, el)
		if tag != cbasn1.SEQUENCE {
			continue // an attribute or other certificate format
		}
		if c, err := pki.ParseCertificate(el); err == nil {
			sd.Certificates = append(sd.Certificates, c)
		}
	}
	for !crls.Empty() {
		var el cryptobyte.String
		var tag cbasn1.Tag
		if !crls.ReadAnyASN1Element(&el, &tag) {
			return formatErr("bad crls element")
		}
		sd.rawCRLs = append(sd.rawCRLs, el)
		if tag == cbasn1.SEQUENCE {
			sd.CRLs = append(sd.CRLs, el)
		}
	}
	var infos cryptobyte.String
	if !body.ReadASN1(&infos, cbasn1.SET) || !body.Empty() {
		return formatErr("bad signerInfos")
	}
	for !infos.Empty() {
		var el cryptobyte.String
		var tag cbasn1.Tag
		if !infos.ReadAnyASN1Element(&el, &tag) {
			return formatErr("bad signerInfos element")
		}
		sd.Signers = append(sd.Signers, parseSignerInfo(el))
	}
	return nil
}

// parseEncap reads EncapsulatedContentInfo { eContentType, [0] EXPLICIT
// OCTET STRING OPTIONAL }. PKCS #7 v1.5 (RFC 2315 §7) allowed any type
// inside [0]; such content is taken as the whole inner element, as the
// PKCS #7 signature covered it.
func (sd *SignedData) parseEncap(encap cryptobyte.String) error {
	var body, explicit cryptobyte.String
	var has bool
	if !encap.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1ObjectIdentifier(&sd.ContentType) {
		return formatErr("bad encapContentInfo")
	}
	if !body.ReadOptionalASN1(&explicit, &has, cbasn1.Tag(0).Constructed().ContextSpecific()) || !body.Empty() {
		return formatErr("bad eContent")
	}
	if !has {
		sd.Detached = true
		return nil
	}
	var octets cryptobyte.String
	if explicit.PeekASN1Tag(cbasn1.OCTET_STRING) {
		if !explicit.ReadASN1(&octets, cbasn1.OCTET_STRING) || !explicit.Empty() {
			return formatErr("bad eContent")
		}
		sd.Content = []byte(octets)
		if sd.Content == nil {
			sd.Content = []byte{}
		}
		return nil
	}
	var el cryptobyte.String
	if !explicit.ReadAnyASN1Element(&el, nil) || !explicit.Empty() {
		return formatErr("bad eContent")
	}
	sd.Content = []byte(el)
	return nil
}

// parseSignerInfo reads one SignerInfo; failures are recorded in Err.
func parseSignerInfo(raw []byte) *SignerInfo {
	si := &SignerInfo{Raw: raw}
	if err := si.parse(); err != nil {
		si.Err = err
	}
	return si
}

func (si *SignerInfo) parse() error {
	s := cryptobyte.String(si.Raw)
	var body cryptobyte.String
	var version int64
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !s.Empty() {
		return formatErr("SignerInfo is not a SEQUENCE")
	}
	start := len(body)
	all := body
	if !body.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) || version < 0 || version > 5 {
		return formatErr("bad SignerInfo version")
	}
	si.Version = int(version)
	switch {
	case body.PeekASN1Tag(cbasn1.SEQUENCE):
		var ias, issuer cryptobyte.String
		serial := new(big.Int)
		if !body.ReadASN1(&ias, cbasn1.SEQUENCE) ||
			!ias.ReadASN1Element(&issuer, cbasn1.SEQUENCE) ||
			!readSerial(&ias, serial) || !ias.Empty() {
			return formatErr("bad issuerAndSerialNumber")
		}
		si.SID = SignerIdentifier{RawIssuer: issuer, SerialNumber: serial}
	case body.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()):
		var ski cryptobyte.String
		if !body.ReadASN1(&ski, cbasn1.Tag(0).ContextSpecific()) {
			return formatErr("bad subjectKeyIdentifier")
		}
		si.SID = SignerIdentifier{SubjectKeyID: ski}
	default:
		return formatErr("unknown signer identifier")
	}
	var el cryptobyte.String
	var ok bool
	if !body.ReadASN1Element(&el, cbasn1.SEQUENCE) {
		return formatErr("bad digestAlgorithm")
	}
	if si.DigestAlgorithm, ok = parseAlgorithmIdentifier(el); !ok {
		return formatErr("bad digestAlgorithm")
	}
	signedTag := cbasn1.Tag(0).Constructed().ContextSpecific()
	if body.PeekASN1Tag(signedTag) {
		var attrs cryptobyte.String
		if !body.ReadASN1Element(&attrs, signedTag) {
			return formatErr("bad signedAttrs")
		}
		si.RawSignedAttrs = attrs
		list, err := parseAttributes(attrs, signedTag)
		if err != nil {
			return fmt.Errorf("%w (signedAttrs)", err)
		}
		si.SignedAttrs = list
		if si.SignedAttrs == nil {
			si.SignedAttrs = []Attribute{}
		}
	}
	if !body.ReadASN1Element(&el, cbasn1.SEQUENCE) {
		return formatErr("bad signatureAlgorithm")
	}
	if si.SignatureAlgorithm, ok = parseAlgorithmIdentifier(el); !ok {
		return formatErr("bad signatureAlgorithm")
	}
	var sig cryptobyte.String
	if !body.ReadASN1(&sig, cbasn1.OCTET_STRING) {
		return formatErr("bad signature")
	}
	si.Signature = sig
	si.rawSigned = all[:start-len(body)]
	unsignedTag := cbasn1.Tag(1).Constructed().ContextSpecific()
	if body.PeekASN1Tag(unsignedTag) {
		var attrs cryptobyte.String
		if !body.ReadASN1Element(&attrs, unsignedTag) {
			return formatErr("bad unsignedAttrs")
		}
		list, err := parseAttributes(attrs, unsignedTag)
		if err != nil {
			return fmt.Errorf("%w (unsignedAttrs)", err)
		}
		si.UnsignedAttrs = list
	}
	if !body.Empty() {
		return formatErr("trailing data in SignerInfo")
	}
	return nil
}

// readSerial reads an INTEGER serial number. Certificates in the field carry
// negative and zero serials (RFC 5280 §4.1.2.2 forbids them, crypto/x509
// accepts them), so any INTEGER is read.
func readSerial(s *cryptobyte.String, out *big.Int) bool {
	return s.ReadASN1Integer(out)
}

// parseAttributes reads SET OF Attribute under tag.
func parseAttributes(el []byte, tag cbasn1.Tag) ([]Attribute, error) {
	s := cryptobyte.String(el)
	var set cryptobyte.String
	if !s.ReadASN1(&set, tag) || !s.Empty() {
		return nil, formatErr("bad attributes")
	}
	var list []Attribute
	for !set.Empty() {
		var raw, attr, values cryptobyte.String
		var a Attribute
		if !set.ReadASN1Element(&raw, cbasn1.SEQUENCE) {
			return nil, formatErr("bad attribute")
		}
		a.Raw = raw
		if !raw.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&a.Type) ||
			!attr.ReadASN1(&values, cbasn1.SET) || !attr.Empty() {
			return nil, formatErr("bad attribute")
		}
		for !values.Empty() {
			var v cryptobyte.String
			if !values.ReadAnyASN1Element(&v, nil) {
				return nil, fmt.Errorf("%w: bad value of attribute %v", ErrFormat, a.Type)
			}
			a.Values = append(a.Values, v)
		}
		list = append(list, a)
	}
	return list, nil
}

// parseAlgorithmIdentifier reads a DER AlgorithmIdentifier element.
func parseAlgorithmIdentifier(el []byte) (pkix.AlgorithmIdentifier, bool) {
	s := cryptobyte.String(el)
	var body cryptobyte.String
	var ai pkix.AlgorithmIdentifier
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !s.Empty() || !body.ReadASN1ObjectIdentifier(&ai.Algorithm) {
		return ai, false
	}
	if body.Empty() {
		return ai, true
	}
	var params cryptobyte.String
	var tag cbasn1.Tag
	if !body.ReadAnyASN1Element(&params, &tag) || !body.Empty() {
		return ai, false
	}
	ai.Parameters = asn1.RawValue{Class: int(tag >> 6), Tag: int(tag & 0x1f), IsCompound: tag&0x20 != 0, FullBytes: params}
	return ai, true
}

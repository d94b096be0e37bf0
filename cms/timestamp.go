package cms

import (
	"context"
	"crypto/subtle"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/pki"
)

// CAdES-T (ETSI EN 319 122-1 §5.3, ETSI TS 101 733 §6.1.1): a
// signature-time-stamp attribute, id-aa-signatureTimeStampToken
// (1.2.840.113549.1.9.16.2.14, RFC 3161 Appendix A), among the unsigned
// attributes of a SignerInfo. Its value is an RFC 3161 TimeStampToken: a
// ContentInfo with SignedData over a TSTInfo, whose messageImprint is the
// digest of the SignerInfo's signature value (the OCTET STRING's contents).

// TimestampResult is the outcome for one signature timestamp token.
type TimestampResult struct {
	// Code is OK, or FormatFailure, AlgorithmUnsupported,
	// SignerCertNotFound, SignatureInvalid or SigningCertMismatch for the
	// token's own signature, or TimestampMismatch when the token is valid but
	// time-stamps other data.
	Code   Code
	Detail string
	// GenTime is the time the TSA vouches for (Info.GenTime).
	GenTime time.Time
	// Info is the decoded TSTInfo; nil when the token is malformed.
	Info *TSTInfo
	// Certificate is the TSA certificate whose key verified the token (or the
	// candidate when none did). Whether it chains to a trusted TSA and carries
	// the critical timeStamping extended key usage (RFC 3161 §2.3) is for
	// package verify to check, with pki.Verify.
	Certificate *pki.Certificate
	// Token is the parsed token and Signer its SignerInfo's result.
	Token  *SignedData
	Signer *SignerResult
}

// verifyTimestamps checks the signature timestamps of si.
func (sd *SignedData) verifyTimestamps(si *SignerInfo, opts VerifyOptions) []TimestampResult {
	var out []TimestampResult
	for _, a := range si.UnsignedAttrs {
		if !a.Type.Equal(OIDAttrTimeStampToken) {
			continue
		}
		for _, v := range a.Values {
			out = append(out, VerifyTimestampToken(v, si.Signature, opts.Certificates))
		}
	}
	return out
}

// VerifyTimestampToken checks an RFC 3161 TimeStampToken over data: the
// token's signature (as SignedData.Verify checks a signer, the TSA
// certificate found among the token's certificates, its certValues
// attribute or certs), and that its messageImprint is the digest of data
// with the algorithm the imprint names. For a CAdES-T signature timestamp,
// data is the SignerInfo's signature value.
func VerifyTimestampToken(token, data []byte, certs []*pki.Certificate) TimestampResult {
	r := TimestampResult{}
	fail := func(c Code, format string, args ...any) TimestampResult {
		r.Code, r.Detail = c, fmt.Sprintf(format, args...)
		return r
	}
	tok, err := Parse(token)
	if err != nil {
		return fail(FormatFailure, "timestamp token: %v", err)
	}
	r.Token = tok
	if !tok.ContentType.Equal(OIDTSTInfo) || tok.Detached {
		return fail(FormatFailure, "timestamp token does not carry a TSTInfo")
	}
	if len(tok.Signers) != 1 {
		// RFC 3161 §2.4.2: exactly one signer, the TSA.
		return fail(FormatFailure, "timestamp token has %d signers", len(tok.Signers))
	}
	info, err := ParseTSTInfo(tok.Content)
	if err != nil {
		return fail(FormatFailure, "%v", err)
	}
	r.Info, r.GenTime = info, info.GenTime
	res, err := tok.Verify(VerifyOptions{Certificates: certs})
	if err != nil {
		return fail(FormatFailure, "timestamp token: %v", err)
	}
	s := res.Signers[0]
	r.Signer, r.Certificate = &s, s.Certificate
	if s.Code != OK {
		return fail(s.Code, "timestamp token: %s", s.Detail)
	}
	h, ok := pki.HashByOID(info.HashAlgorithm.Algorithm)
	if !ok {
		return fail(AlgorithmUnsupported, "timestamp imprint algorithm %v is not supported", info.HashAlgorithm.Algorithm)
	}
	d := h()
	d.Write(data)
	if subtle.ConstantTimeCompare(d.Sum(nil), info.HashedMessage) != 1 {
		return fail(TimestampMismatch, "the timestamp's message imprint does not cover this signature")
	}
	r.Code = OK
	return r
}

// CertificateValues returns the certificates of si's certValues unsigned
// attribute (ETSI EN 319 122-1 §5.5.1: CertificateValues ::= SEQUENCE OF
// Certificate), which CAdES-X-L signatures and CryptoPro's timestamp tokens
// carry in place of, or beside, the certificates field. Certificates pki
// cannot parse are skipped.
func (si *SignerInfo) CertificateValues() []*pki.Certificate {
	var out []*pki.Certificate
	for _, a := range si.UnsignedAttrs {
		if !a.Type.Equal(OIDAttrCertValues) {
			continue
		}
		for _, v := range a.Values {
			s := cryptobyte.String(v)
			var seq cryptobyte.String
			if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
				continue
			}
			for !seq.Empty() {
				var el cryptobyte.String
				if !seq.ReadASN1Element(&el, cbasn1.SEQUENCE) {
					break
				}
				if c, err := pki.ParseCertificate(el); err == nil {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// Timestamper obtains RFC 3161 time-stamp tokens; package cms/tsp's Client
// is one. Timestamp returns the DER TimeStampToken (a ContentInfo) for the
// digest of some data, made with the digest algorithm hashAlg.
type Timestamper interface {
	Timestamp(ctx context.Context, hashAlg asn1.ObjectIdentifier, digest []byte) ([]byte, error)
}

// AddTimestamp turns CAdES-BES into CAdES-T: for every SignerInfo of sig it
// obtains a timestamp token over the signature value (hashed with the
// signer's digest algorithm) from tsa, checks the token (VerifyTimestampToken
// must give OK; the TSA must include its certificate), and adds it as a
// signature-time-stamp unsigned attribute. Everything the signatures cover —
// each SignerInfo up to and including its signature value, the content, the
// certificates — is copied byte for byte; existing unsigned attributes are
// kept. The result is DER.
func AddTimestamp(ctx context.Context, sig []byte, tsa Timestamper) ([]byte, error) {
	sd, err := Parse(sig)
	if err != nil {
		return nil, err
	}
	if len(sd.Signers) == 0 {
		return nil, errors.New("cms: no signer to time-stamp")
	}
	p := &parts{contentType: sd.ContentType, digestAlgs: sd.rawDigestAlgs, encap: sd.rawEncap, certs: sd.RawCertificates, crls: sd.rawCRLs}
	for i, si := range sd.Signers {
		if si.Err != nil {
			return nil, fmt.Errorf("cms: signer %d: %w", i, si.Err)
		}
		alg := si.DigestAlgorithm.Algorithm
		h, ok := pki.HashByOID(alg)
		if !ok {
			return nil, fmt.Errorf("cms: signer %d: %w: digest %v", i, pki.ErrUnsupportedAlgorithm, alg)
		}
		d := h()
		d.Write(si.Signature)
		token, err := tsa.Timestamp(ctx, alg, d.Sum(nil))
		if err != nil {
			return nil, fmt.Errorf("cms: timestamp for signer %d: %w", i, err)
		}
		if r := VerifyTimestampToken(token, si.Signature, nil); r.Code != OK {
			return nil, fmt.Errorf("cms: the TSA's token for signer %d does not verify: %s: %s", i, r.Code, r.Detail)
		}
		raw, err := withUnsignedAttribute(si, OIDAttrTimeStampToken, token)
		if err != nil {
			return nil, err
		}
		p.signers = append(p.signers, raw)
	}
	return p.marshal()
}

// withUnsignedAttribute returns si with one more unsigned attribute: the
// fields up to the signature exactly as received, then the unsigned
// attributes, the old ones as received and the new one, sorted.
func withUnsignedAttribute(si *SignerInfo, oid asn1.ObjectIdentifier, value []byte) ([]byte, error) {
	attr, err := marshalAttribute(oid, value)
	if err != nil {
		return nil, fmt.Errorf("cms: encoding attribute %v: %w", oid, err)
	}
	attrs := [][]byte{attr}
	for _, a := range si.UnsignedAttrs {
		attrs = append(attrs, a.Raw)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(si.rawSigned)
		addSet(b, cbasn1.Tag(1).Constructed().ContextSpecific(), attrs)
	})
	return b.Bytes()
}

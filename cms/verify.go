package cms

import (
	"bytes"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/pki"
)

// VerifyOptions are the inputs of Verify besides the signature. The zero
// value verifies an attached signature with the certificates it carries.
type VerifyOptions struct {
	// Content is the detached content, read once to its end and hashed as it
	// streams (a 1 GiB file is never held in memory). It must be nil for an
	// attached signature.
	Content io.Reader
	// ContentDigests are the digests of detached content that the caller has
	// computed itself — a PDF's ByteRange, say — keyed by the digest
	// algorithm's dotted OID ("1.2.643.7.1.1.2.2"), wire order. They are
	// used when Content is nil.
	ContentDigests map[string][]byte
	// Certificates are more candidates for the signers' certificates, beside
	// those embedded in the SignedData (some producers embed none, FACTS
	// §4.5). They are matched against the signer identifier only; trust is
	// not implied.
	Certificates []*pki.Certificate
}

// Verify parses data (see Parse) and verifies every signer (see
// SignedData.Verify). An error means the input is not a SignedData (it wraps
// ErrFormat) or the content could not be read; a signature that does not
// verify is reported in the Result.
func Verify(data []byte, opts VerifyOptions) (*Result, error) {
	sd, err := Parse(data)
	if err != nil {
		return nil, err
	}
	return sd.Verify(opts)
}

// Verify checks each SignerInfo of sd and reports each on its own; one bad
// signer does not hide the others. For each signer, in this order:
//
//  1. the SignerInfo and its signed attributes are well-formed: contentType
//     and messageDigest present once, contentType equal to the eContentType
//     (RFC 5652 §5.3, §11);
//  2. the digest algorithm is one podpis computes;
//  3. a certificate matches the signer identifier (issuer and serial number,
//     or subject key identifier), among the embedded ones and
//     opts.Certificates;
//  4. the signature verifies with that certificate's key over the signed
//     attributes as a DER SET OF — the received bytes with the [0] tag
//     changed to 0x31, nothing re-encoded (RFC 5652 §5.4) — or, without
//     signed attributes, over the content digest; the signature algorithm may
//     name the key or the signature (FACTS §4.5);
//  5. the signingCertificateV2 (or v1) attribute, when present, names that
//     certificate (RFC 5035 §4);
//  6. the content digest equals messageDigest.
//
// Signature timestamp tokens in the unsigned attributes are checked too
// (SignerResult.Timestamps). Verify does not build or check certificate
// paths, validity periods, key usage or revocation: those are package
// verify's, with Result's certificates and SignedData.CRLs. Other unsigned
// attributes are ignored.
func (sd *SignedData) Verify(opts VerifyOptions) (*Result, error) {
	if !sd.Detached && (opts.Content != nil || opts.ContentDigests != nil) {
		return nil, errors.New("cms: content given for a signature that carries its own")
	}
	digests, err := sd.contentDigests(opts)
	if err != nil {
		return nil, err
	}
	res := &Result{SignedData: sd, Signers: make([]SignerResult, len(sd.Signers))}
	for i, si := range sd.Signers {
		res.Signers[i] = sd.verifySigner(i, si, digests, opts)
	}
	return res, nil
}

// contentDigests hashes the content once with every digest algorithm the
// signers name and returns the digests by dotted OID; nil when there is no
// content to hash.
func (sd *SignedData) contentDigests(opts VerifyOptions) (map[string][]byte, error) {
	if sd.Detached && opts.Content == nil {
		return opts.ContentDigests, nil
	}
	var oids []asn1.ObjectIdentifier
	for _, si := range sd.Signers {
		if si.Err == nil {
			oids = append(oids, si.DigestAlgorithm.Algorithm)
		}
	}
	hashes := hashAll(oids)
	var writers []io.Writer
	for _, h := range hashes {
		writers = append(writers, h)
	}
	w := io.MultiWriter(writers...)
	if sd.Detached {
		if _, err := io.Copy(w, opts.Content); err != nil {
			return nil, fmt.Errorf("cms: reading the content: %w", err)
		}
	} else {
		w.Write(sd.Content)
	}
	out := make(map[string][]byte, len(hashes))
	for k, h := range hashes {
		out[k] = h.Sum(nil)
	}
	return out, nil
}

func (sd *SignedData) verifySigner(i int, si *SignerInfo, digests map[string][]byte, opts VerifyOptions) SignerResult {
	r := SignerResult{Index: i, Signer: si}
	fail := func(c Code, format string, args ...any) SignerResult {
		r.Code, r.Detail = c, fmt.Sprintf(format, args...)
		return r
	}
	if si.Err != nil {
		return fail(FormatFailure, "%v", si.Err)
	}
	if si.SignedAttrs != nil {
		attrs, err := decodeSignedAttributes(si.SignedAttrs)
		r.Attributes = attrs
		if err != nil {
			return fail(FormatFailure, "%v", err)
		}
		if !attrs.ContentType.Equal(sd.ContentType) {
			return fail(FormatFailure, "contentType attribute %v differs from the encapsulated content type %v", attrs.ContentType, sd.ContentType)
		}
	} else if !sd.ContentType.Equal(OIDData) {
		// RFC 5652 §5.3: signed attributes are required for other content types.
		return fail(FormatFailure, "no signed attributes over content of type %v", sd.ContentType)
	}
	digestAlg := si.DigestAlgorithm.Algorithm
	if _, ok := pki.HashByOID(digestAlg); !ok {
		return fail(AlgorithmUnsupported, "digest algorithm %v is not supported", digestAlg)
	}
	candidates := sd.findCertificates(si, opts.Certificates)
	if len(candidates) == 0 {
		return fail(SignerCertNotFound, "no certificate matches the signer identifier %s", si.SID)
	}
	contentDigest, haveDigest := digests[digestAlg.String()]

	// Step 4: the signature, with every matching certificate until one verifies.
	var lastErr error
	for _, c := range candidates {
		var err error
		switch {
		case si.SignedAttrs != nil:
			signed := bytes.Clone(si.RawSignedAttrs)
			signed[0] = 0x31 // [0] IMPLICIT → SET OF (RFC 5652 §5.4)
			err = pki.CheckSignature(c.PublicKey, si.SignatureAlgorithm.Algorithm, digestAlg, signed, si.Signature)
		case haveDigest:
			err = checkDigestSignature(c.PublicKey, si.SignatureAlgorithm.Algorithm, digestAlg, contentDigest, si.Signature)
		default:
			r.Certificate = c
			return fail(ContentMissing, "detached content not given; without signed attributes the signature covers the content digest and cannot be checked")
		}
		if err == nil {
			r.Certificate, r.SignatureValid = c, true
			break
		}
		if r.Certificate == nil || !errors.Is(err, pki.ErrUnsupportedAlgorithm) {
			r.Certificate, lastErr = c, err
		}
	}
	if !r.SignatureValid {
		if errors.Is(lastErr, pki.ErrUnsupportedAlgorithm) {
			return fail(AlgorithmUnsupported, "%v", lastErr)
		}
		return fail(SignatureInvalid, "signature does not verify with the key of %s: %v", describe(r.Certificate), lastErr)
	}
	r.Timestamps = sd.verifyTimestamps(si, opts)

	// Step 5: signingCertificate(V2).
	if id := r.Attributes.SigningCertificate; id != nil {
		id.Matches = id.matches(r.Certificate)
		v1ok := r.Attributes.essV1 == nil || r.Attributes.essV1.matches(r.Certificate)
		if !id.Matches || !v1ok {
			return fail(SigningCertMismatch, "the signingCertificate attribute names another certificate than %s", describe(r.Certificate))
		}
	}

	// Step 6: the content.
	if si.SignedAttrs != nil {
		if !haveDigest {
			return fail(ContentMissing, "detached content not given; the signature over the signed attributes is valid")
		}
		r.ContentChecked = true
		if subtle.ConstantTimeCompare(contentDigest, r.Attributes.MessageDigest) != 1 {
			return fail(ContentMismatch, "the content's %v digest differs from the messageDigest attribute", digestAlg)
		}
	} else {
		r.ContentChecked = true // the signature covered the content digest
	}
	r.Code = OK
	return r
}

// findCertificates returns the certificates that si's identifier names:
// embedded in the SignedData, then in si's own certValues attribute, then
// among extra. Duplicates (the same DER twice) are dropped.
func (sd *SignedData) findCertificates(si *SignerInfo, extra []*pki.Certificate) []*pki.Certificate {
	var out []*pki.Certificate
	for _, list := range [][]*pki.Certificate{sd.Certificates, si.CertificateValues(), extra} {
		for _, c := range list {
			if c == nil || !si.SID.Matches(c) {
				continue
			}
			dup := false
			for _, o := range out {
				dup = dup || bytes.Equal(o.Raw, c.Raw)
			}
			if !dup {
				out = append(out, c)
			}
		}
	}
	return out
}

// Matches reports whether c is the certificate sid names: same serial number
// and issuer (compared as namesEqual does), or the same subject key
// identifier — the certificate's extension, or else the SHA-1 of its public
// key bits (RFC 5280 §4.2.1.2 method 1, FACTS §4.4).
func (sid SignerIdentifier) Matches(c *pki.Certificate) bool {
	if sid.SubjectKeyID != nil {
		ski := c.SubjectKeyId
		if len(ski) == 0 {
			ski = keyID(c.RawSubjectPublicKeyInfo)
		}
		return len(ski) > 0 && bytes.Equal(ski, sid.SubjectKeyID)
	}
	return sid.SerialNumber != nil && c.SerialNumber != nil &&
		sid.SerialNumber.Cmp(c.SerialNumber) == 0 && namesEqual(sid.RawIssuer, c.RawIssuer)
}

// String describes the identifier for messages.
func (sid SignerIdentifier) String() string {
	if sid.SubjectKeyID != nil {
		return fmt.Sprintf("subjectKeyIdentifier %x", sid.SubjectKeyID)
	}
	return fmt.Sprintf("serial %x", sid.SerialNumber)
}

// keyID is the SHA-1 of the subjectPublicKey BIT STRING's bits.
func keyID(spki []byte) []byte {
	s := cryptobyte.String(spki)
	var body, alg cryptobyte.String
	var bits cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!body.ReadASN1(&bits, cbasn1.BIT_STRING) || len(bits) < 1 {
		return nil
	}
	sum := sha1.Sum(bits[1:])
	return sum[:]
}

func describe(c *pki.Certificate) string {
	if c == nil {
		return "no certificate"
	}
	return fmt.Sprintf("certificate %q (serial %x)", c.Subject.CommonName, c.SerialNumber)
}

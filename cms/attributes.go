package cms

import (
	"bytes"
	"encoding/asn1"
	"fmt"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Get returns the first attribute of type oid in attrs.
func Get(attrs []Attribute, oid asn1.ObjectIdentifier) (Attribute, bool) {
	for _, a := range attrs {
		if a.Type.Equal(oid) {
			return a, true
		}
	}
	return Attribute{}, false
}

// single returns the one value of the one attribute of type oid. It fails
// when the attribute is repeated or multi-valued: RFC 5652 §11.1–§11.3
// allow one instance with one value for contentType, messageDigest and
// signingTime, RFC 5035 §3 the same for signingCertificateV2.
func single(attrs []Attribute, oid asn1.ObjectIdentifier, name string) ([]byte, bool, error) {
	var found []byte
	n := 0
	for _, a := range attrs {
		if !a.Type.Equal(oid) {
			continue
		}
		n++
		if n > 1 {
			return nil, false, fmt.Errorf("%s attribute appears more than once", name)
		}
		if len(a.Values) != 1 {
			return nil, false, fmt.Errorf("%s attribute has %d values", name, len(a.Values))
		}
		found = a.Values[0]
	}
	return found, n == 1, nil
}

// decodeSignedAttributes decodes the attributes podpis understands. The
// error says which attribute is malformed, missing or repeated.
func decodeSignedAttributes(attrs []Attribute) (SignedAttributes, error) {
	out := SignedAttributes{Present: true}
	v, ok, err := single(attrs, OIDAttrContentType, "contentType")
	if err != nil {
		return out, err
	}
	if !ok {
		return out, fmt.Errorf("contentType attribute missing (RFC 5652 §5.3)")
	}
	s := cryptobyte.String(v)
	if !s.ReadASN1ObjectIdentifier(&out.ContentType) || !s.Empty() {
		return out, fmt.Errorf("malformed contentType attribute")
	}
	if v, ok, err = single(attrs, OIDAttrMessageDigest, "messageDigest"); err != nil {
		return out, err
	}
	if !ok {
		return out, fmt.Errorf("messageDigest attribute missing (RFC 5652 §5.3)")
	}
	s = cryptobyte.String(v)
	var md cryptobyte.String
	if !s.ReadASN1(&md, cbasn1.OCTET_STRING) || !s.Empty() {
		return out, fmt.Errorf("malformed messageDigest attribute")
	}
	out.MessageDigest = md
	if v, ok, err = single(attrs, OIDAttrSigningTime, "signingTime"); err != nil {
		return out, err
	}
	if ok {
		if out.SigningTime, err = parseTime(v); err != nil {
			return out, fmt.Errorf("malformed signingTime attribute: %w", err)
		}
	}
	if v, ok, err = single(attrs, OIDAttrSigningCertificateV2, "signingCertificateV2"); err != nil {
		return out, err
	}
	if ok {
		if out.SigningCertificate, err = parseSigningCertificate(v, true); err != nil {
			return out, err
		}
	}
	if v, ok, err = single(attrs, OIDAttrSigningCertificate, "signingCertificate"); err != nil {
		return out, err
	}
	if ok {
		if out.essV1, err = parseSigningCertificate(v, false); err != nil {
			return out, err
		}
		if out.SigningCertificate == nil {
			out.SigningCertificate = out.essV1
		}
	}
	for _, a := range attrs {
		switch {
		case a.Type.Equal(OIDAttrContentType), a.Type.Equal(OIDAttrMessageDigest),
			a.Type.Equal(OIDAttrSigningTime), a.Type.Equal(OIDAttrSigningCertificateV2),
			a.Type.Equal(OIDAttrSigningCertificate):
		default:
			out.Other = append(out.Other, a)
		}
	}
	return out, nil
}

// parseTime reads a Time: UTCTime or GeneralizedTime (RFC 5652 §11.3).
func parseTime(v []byte) (time.Time, error) {
	s := cryptobyte.String(v)
	var t time.Time
	switch {
	case s.PeekASN1Tag(cbasn1.UTCTime):
		if !s.ReadASN1UTCTime(&t) {
			return t, fmt.Errorf("bad UTCTime")
		}
	case s.PeekASN1Tag(cbasn1.GeneralizedTime):
		if !s.ReadASN1GeneralizedTime(&t) {
			return t, fmt.Errorf("bad GeneralizedTime")
		}
	default:
		return t, fmt.Errorf("not a time")
	}
	if !s.Empty() {
		return t, fmt.Errorf("trailing data")
	}
	return t, nil
}

// addTime writes t as RFC 5652 §11.3 wants: UTCTime for 1950 to 2049,
// GeneralizedTime otherwise, in UTC, to the second.
func addTime(b *cryptobyte.Builder, t time.Time) {
	t = t.UTC().Truncate(time.Second)
	if y := t.Year(); y >= 1950 && y < 2050 {
		b.AddASN1UTCTime(t)
	} else {
		b.AddASN1GeneralizedTime(t)
	}
}

// marshalAttribute returns the DER of Attribute { type, SET { values… } }.
// The values must be DER; a SET OF with several values is sorted.
func marshalAttribute(oid asn1.ObjectIdentifier, values ...[]byte) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
			for _, v := range sortedSet(values) {
				b.AddBytes(v)
			}
		})
	})
	return b.Bytes()
}

// sortedSet returns the DER elements of a SET OF in the order X.690 §11.6
// wants: ascending by their encodings, as octet strings (a shorter one that
// is a prefix of another first). Equal elements are kept.
func sortedSet(elems [][]byte) [][]byte {
	out := slices.Clone(elems)
	slices.SortStableFunc(out, bytes.Compare)
	return out
}

// addSet writes SET OF or an IMPLICIT-tagged SET OF with the elements sorted.
func addSet(b *cryptobyte.Builder, tag cbasn1.Tag, elems [][]byte) {
	b.AddASN1(tag, func(b *cryptobyte.Builder) {
		for _, e := range sortedSet(elems) {
			b.AddBytes(e)
		}
	})
}

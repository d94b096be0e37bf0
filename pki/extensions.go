package pki

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Extension identifiers of Russian qualified certificates (FACTS §6.2,
// RFC 9215 §8) and the older X.509 ones they carry.
var (
	oidSubjectSignTool       = asn1.ObjectIdentifier{1, 2, 643, 100, 111}
	oidIssuerSignTool        = asn1.ObjectIdentifier{1, 2, 643, 100, 112}
	oidSignToolClass         = asn1.ObjectIdentifier{1, 2, 643, 100, 113} // id-class: policies .1 … .6
	oidIdentificationKind    = asn1.ObjectIdentifier{1, 2, 643, 100, 114}
	oidPrivateKeyUsagePeriod = asn1.ObjectIdentifier{2, 5, 29, 16}
	oidAuthorityKeyIDOld     = asn1.ObjectIdentifier{2, 5, 29, 1} // X.509 (1993) form, TK26/TC26 examples
)

// IssuerSignTool is the issuerSignTool extension (1.2.643.100.112): the
// certifying tools of the CA and their conformity certificates.
type IssuerSignTool struct {
	SignTool     string // средство ЭП УЦ
	CATool       string // средство УЦ
	SignToolCert string // заключение (сертификат соответствия) на средство ЭП
	CAToolCert   string // заключение на средство УЦ
}

// SignToolClass is the class of a crypto tool (класс средства ЭП), written
// as a certificate policy under 1.2.643.100.113 (FACTS §6.2).
type SignToolClass int

// The classes, valued as the last arc of their policy OID.
const (
	KC1 SignToolClass = 1 + iota // КС1, 1.2.643.100.113.1
	KC2                          // КС2
	KC3                          // КС3
	KB1                          // КВ1
	KB2                          // КВ2
	KA1                          // КА1
)

var signToolClassNames = [...]string{"", "КС1", "КС2", "КС3", "КВ1", "КВ2", "КА1"}

// String returns the Russian name of the class, such as "КС1".
func (k SignToolClass) String() string {
	if k >= KC1 && k <= KA1 {
		return signToolClassNames[k]
	}
	return fmt.Sprintf("SignToolClass(%d)", int(k))
}

// OID returns the certificate policy identifier of the class.
func (k SignToolClass) OID() asn1.ObjectIdentifier {
	return append(append(asn1.ObjectIdentifier(nil), oidSignToolClass...), int(k))
}

// IdentificationKind is how the holder was identified before the certificate
// was issued (identificationKind, 1.2.643.100.114, RFC 9215 §8.3).
type IdentificationKind int

// The kinds, valued as RFC 9215 encodes them.
const (
	IdentifiedInPerson       IdentificationKind = 0 // personal
	IdentifiedByCertificate  IdentificationKind = 1 // remote-cert
	IdentifiedByPassport     IdentificationKind = 2 // remote-passport
	IdentifiedByBiometrySyst IdentificationKind = 3 // remote-system
)

var identificationWords = [...]struct{ ru, en string }{
	{"при личном присутствии", "personal"},
	{"без личного присутствия с использованием квалифицированной электронной подписи", "remote-cert"},
	{"без личного присутствия с использованием паспорта с электронным носителем, содержащим биометрические персональные данные", "remote-passport"},
	{"без личного присутствия с использованием Единой биометрической системы", "remote-system"},
}

// String returns the kind in Russian words, as a report shows it.
func (k IdentificationKind) String() string {
	if k >= 0 && int(k) < len(identificationWords) {
		return identificationWords[k].ru
	}
	return fmt.Sprintf("IdentificationKind(%d)", int(k))
}

// Code returns RFC 9215's English name: "personal", "remote-cert",
// "remote-passport" or "remote-system".
func (k IdentificationKind) Code() string {
	if k >= 0 && int(k) < len(identificationWords) {
		return identificationWords[k].en
	}
	return fmt.Sprintf("unknown-%d", int(k))
}

// Period is the privateKeyUsagePeriod extension (RFC 5280 §4.2.1.4 in its
// 1999 text, X.509 §8.2.2.5). Either end may be zero: absent.
type Period struct {
	NotBefore, NotAfter time.Time
}

// Contains reports whether t is inside the period.
func (p *Period) Contains(t time.Time) bool {
	return (p.NotBefore.IsZero() || !t.Before(p.NotBefore)) && (p.NotAfter.IsZero() || !t.After(p.NotAfter))
}

// parseExtensions decodes the Russian extensions and the ones Go leaves
// alone. A decoded extension is removed from UnhandledCriticalExtensions;
// a malformed one is left unset and, when critical, stays there, so that
// Verify refuses the certificate instead of trusting what it cannot read.
func (c *Certificate) parseExtensions() error {
	handled := map[string]bool{}
	for _, ext := range c.Extensions {
		var err error
		switch {
		case ext.Id.Equal(oidSubjectSignTool):
			c.SubjectSignTool, err = parseDirectoryString(ext.Value)
		case ext.Id.Equal(oidIssuerSignTool):
			c.IssuerSignTool, err = parseIssuerSignTool(ext.Value)
		case ext.Id.Equal(oidIdentificationKind):
			var k IdentificationKind
			k, err = parseIdentificationKind(ext.Value)
			if err == nil {
				c.IdentificationKind = &k
			}
		case ext.Id.Equal(oidPrivateKeyUsagePeriod):
			c.PrivateKeyUsagePeriod, err = parsePeriod(ext.Value)
		case ext.Id.Equal(oidAuthorityKeyIDOld):
			if len(c.AuthorityKeyId) == 0 {
				c.AuthorityKeyId, err = parseOldAuthorityKeyID(ext.Value)
			}
		default:
			continue
		}
		if err == nil {
			handled[ext.Id.String()] = true
		}
	}
	for _, p := range c.PolicyIdentifiers {
		if len(p) == len(oidSignToolClass)+1 && p[:len(oidSignToolClass)].Equal(oidSignToolClass) {
			c.SignToolClasses = append(c.SignToolClasses, SignToolClass(p[len(p)-1]))
		}
	}
	var unhandled []asn1.ObjectIdentifier
	for _, id := range c.UnhandledCriticalExtensions {
		if !handled[id.String()] {
			unhandled = append(unhandled, id)
		}
	}
	c.UnhandledCriticalExtensions = unhandled
	return nil
}

// parseDirectoryString reads one string of any ASN.1 string type, as real
// certificates use several where the profile says UTF8String (FACTS §6.1).
func parseDirectoryString(der []byte) (string, error) {
	s := cryptobyte.String(der)
	v, err := readAnyString(&s)
	if err != nil || !s.Empty() {
		return "", errors.New("pki: malformed string extension")
	}
	return v, nil
}

func readAnyString(s *cryptobyte.String) (string, error) {
	var v cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&v, &tag) {
		return "", errors.New("malformed string")
	}
	switch tag {
	case cbasn1.UTF8String, cbasn1.PrintableString, cbasn1.IA5String, cbasn1.Tag(18), cbasn1.Tag(26): // NumericString, VisibleString
		if !utf8.Valid(v) {
			return "", errors.New("string is not valid UTF-8")
		}
		return string(v), nil
	case cbasn1.T61String: // read as Latin-1, as crypto/x509 does
		r := make([]rune, len(v))
		for i, c := range v {
			r[i] = rune(c)
		}
		return string(r), nil
	case cbasn1.Tag(30): // BMPString, UTF-16BE
		if len(v)%2 != 0 {
			return "", errors.New("odd BMPString")
		}
		u := make([]uint16, len(v)/2)
		for i := range u {
			u[i] = uint16(v[2*i])<<8 | uint16(v[2*i+1])
		}
		return string(utf16.Decode(u)), nil
	}
	return "", fmt.Errorf("not a string (tag %d)", tag)
}

func parseIssuerSignTool(der []byte) (*IssuerSignTool, error) {
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errors.New("pki: malformed issuerSignTool")
	}
	var t IssuerSignTool
	for _, f := range []*string{&t.SignTool, &t.CATool, &t.SignToolCert, &t.CAToolCert} {
		v, err := readAnyString(&seq)
		if err != nil {
			return nil, fmt.Errorf("pki: malformed issuerSignTool: %w", err)
		}
		*f = v
	}
	if !seq.Empty() {
		return nil, errors.New("pki: malformed issuerSignTool")
	}
	return &t, nil
}

func parseIdentificationKind(der []byte) (IdentificationKind, error) {
	in := cryptobyte.String(der)
	var k int64
	if !in.ReadASN1Integer(&k) || !in.Empty() || k < 0 || k > 1<<16 {
		return 0, errors.New("pki: malformed identificationKind")
	}
	return IdentificationKind(k), nil
}

func parsePeriod(der []byte) (*Period, error) {
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	var p Period
	bad := errors.New("pki: malformed privateKeyUsagePeriod")
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, bad
	}
	for i, t := range []*time.Time{&p.NotBefore, &p.NotAfter} {
		tag := cbasn1.Tag(i).ContextSpecific()
		if !seq.PeekASN1Tag(tag) {
			continue
		}
		var v cryptobyte.String
		if !seq.ReadASN1(&v, tag) {
			return nil, bad
		}
		// The [0]/[1] tags are IMPLICIT over GeneralizedTime; rebuild the
		// element to let cryptobyte check the DER time format.
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.GeneralizedTime, func(b *cryptobyte.Builder) { b.AddBytes(v) })
		gt := cryptobyte.String(b.BytesOrPanic())
		if !gt.ReadASN1GeneralizedTime(t) {
			return nil, bad
		}
	}
	if !seq.Empty() {
		return nil, bad
	}
	return &p, nil
}

// parseOldAuthorityKeyID reads keyIdentifier [0] from the X.509 (1993)
// authorityKeyIdentifier (2.5.29.1) that the TK26 and TC26 example
// certificates carry (PROVENANCE §2), so that chain building can use it.
func parseOldAuthorityKeyID(der []byte) ([]byte, error) {
	in := cryptobyte.String(der)
	var seq, id cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errors.New("pki: malformed authorityKeyIdentifier")
	}
	if !seq.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()) {
		return nil, nil
	}
	if !seq.ReadASN1(&id, cbasn1.Tag(0).ContextSpecific()) {
		return nil, errors.New("pki: malformed authorityKeyIdentifier")
	}
	return []byte(id), nil
}

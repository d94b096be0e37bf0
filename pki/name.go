package pki

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/pki/ruid"
)

// Name is a distinguished name with the attributes of Russian qualified
// certificates typed (FACTS §6.1; RFC 9215 §7; the ФНС/Минцифры
// certificate-form rules that RFC 9215 follows). Values are read from any
// string type; numbers are kept as the digits written, unchecked.
//
// The same type describes the subject of certificates and requests that
// podpis creates; attributes are then written one per RDN in a fixed order
// (e-mail, country, region, locality, street, organisation, …, common name —
// the order Минцифры's root uses), numbers as NumericString (RFC 9215),
// the country as PrintableString and the e-mail as IA5String (RFC 5280
// Appendix A), everything else as UTF8String. Numbers must then have valid
// check digits (package ruid).
type Name struct {
	CommonName         string // CN, 2.5.4.3
	Surname            string // SN, 2.5.4.4: фамилия
	GivenName          string // GN, 2.5.4.42: имя и отчество
	Title              string // T, 2.5.4.12: должность
	Organization       string // O, 2.5.4.10
	OrganizationalUnit string // OU, 2.5.4.11: подразделение
	Locality           string // L, 2.5.4.7: населённый пункт
	Province           string // ST, 2.5.4.8: субъект РФ, e.g. "77 г. Москва"
	StreetAddress      string // street, 2.5.4.9: адрес
	Country            string // C, 2.5.4.6: "RU"
	Email              string // E, 1.2.840.113549.1.9.1

	// INN is ИНН, 1.2.643.3.131.1.1: 12 digits, a person's INN; before
	// 2021 legal entities wrote their 10-digit INN here padded with "00"
	// (see LegalEntityINN).
	INN string
	// INNLE is ИНН ЮЛ, 1.2.643.100.4: the 10-digit INN of a legal entity.
	INNLE string
	// OGRN is ОГРН, 1.2.643.100.1: 13 digits, a legal entity's registration.
	OGRN string
	// OGRNIP is ОГРНИП, 1.2.643.100.5: 15 digits, a sole proprietor's
	// registration.
	OGRNIP string
	// SNILS is СНИЛС, 1.2.643.100.3: 11 digits without separators.
	SNILS string

	// ExtraNames holds the attributes not named above, and second values
	// of those that are, in the order met. When writing, string values
	// are written as UTF8String and others with encoding/asn1.
	ExtraNames []pkix.AttributeTypeAndValue
}

// Attribute type identifiers (RFC 5280 Appendix A, RFC 9215 §7, FACTS §6.1).
var (
	oidCommonName         = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidSurname            = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidCountry            = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidLocality           = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidProvince           = asn1.ObjectIdentifier{2, 5, 4, 8}
	oidStreetAddress      = asn1.ObjectIdentifier{2, 5, 4, 9}
	oidOrganization       = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOrganizationalUnit = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidTitle              = asn1.ObjectIdentifier{2, 5, 4, 12}
	oidGivenName          = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidEmail              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	oidINN                = asn1.ObjectIdentifier{1, 2, 643, 3, 131, 1, 1}
	oidOGRN               = asn1.ObjectIdentifier{1, 2, 643, 100, 1}
	oidSNILS              = asn1.ObjectIdentifier{1, 2, 643, 100, 3}
	oidINNLE              = asn1.ObjectIdentifier{1, 2, 643, 100, 4}
	oidOGRNIP             = asn1.ObjectIdentifier{1, 2, 643, 100, 5}
)

// attrKind says how an attribute's value is written.
type attrKind int

const (
	kindUTF8 attrKind = iota
	kindNumeric
	kindPrintable
	kindIA5
)

// attribute describes one typed attribute: its OID, its field, how it is
// written, and for numbers the check of their digits (RFC 9215 §7 sizes,
// check digits by package ruid).
type attribute struct {
	oid    asn1.ObjectIdentifier
	field  func(*Name) *string
	kind   attrKind
	digits func(string) error
}

// attributes is in writing order.
var attributes = []attribute{
	{oidEmail, func(n *Name) *string { return &n.Email }, kindIA5, nil},
	{oidCountry, func(n *Name) *string { return &n.Country }, kindPrintable, nil},
	{oidProvince, func(n *Name) *string { return &n.Province }, kindUTF8, nil},
	{oidLocality, func(n *Name) *string { return &n.Locality }, kindUTF8, nil},
	{oidStreetAddress, func(n *Name) *string { return &n.StreetAddress }, kindUTF8, nil},
	{oidOrganization, func(n *Name) *string { return &n.Organization }, kindUTF8, nil},
	{oidOrganizationalUnit, func(n *Name) *string { return &n.OrganizationalUnit }, kindUTF8, nil},
	{oidTitle, func(n *Name) *string { return &n.Title }, kindUTF8, nil},
	{oidOGRN, func(n *Name) *string { return &n.OGRN }, kindNumeric, ruid.CheckOGRN},
	{oidOGRNIP, func(n *Name) *string { return &n.OGRNIP }, kindNumeric, ruid.CheckOGRNIP},
	{oidINNLE, func(n *Name) *string { return &n.INNLE }, kindNumeric, ruid.CheckINNLegal},
	{oidSNILS, func(n *Name) *string { return &n.SNILS }, kindNumeric, checkSNILS},
	{oidINN, func(n *Name) *string { return &n.INN }, kindNumeric, checkINN},
	{oidSurname, func(n *Name) *string { return &n.Surname }, kindUTF8, nil},
	{oidGivenName, func(n *Name) *string { return &n.GivenName }, kindUTF8, nil},
	{oidCommonName, func(n *Name) *string { return &n.CommonName }, kindUTF8, nil},
}

// nameFrom types the attributes crypto/x509 parsed (it reads every string
// type, NumericString included, into Names in order).
func nameFrom(pn pkix.Name) Name {
	var n Name
	for _, atv := range pn.Names {
		s, isString := atv.Value.(string)
		if f := fieldOf(&n, atv.Type); f != nil && isString && *f == "" {
			*f = s
			continue
		}
		n.ExtraNames = append(n.ExtraNames, atv)
	}
	return n
}

func fieldOf(n *Name, oid asn1.ObjectIdentifier) *string {
	for _, a := range attributes {
		if a.oid.Equal(oid) {
			return a.field(n)
		}
	}
	return nil
}

// LegalEntityINN returns the 10-digit INN of a legal entity: INNLE, or,
// in certificates issued before 2021, the INN attribute with its "00"
// padding removed (FACTS §6.1, §6.3). It returns "" when there is neither.
func (n Name) LegalEntityINN() string {
	if n.INNLE != "" {
		return n.INNLE
	}
	if len(n.INN) == 12 && strings.HasPrefix(n.INN, "00") {
		return n.INN[2:]
	}
	return ""
}

// PersonINN returns the 12-digit INN of a natural person or sole
// proprietor, or "" when INN is absent or is a padded legal-entity INN.
func (n Name) PersonINN() string {
	if n.INN == "" || (len(n.INN) == 12 && strings.HasPrefix(n.INN, "00")) {
		return ""
	}
	return n.INN
}

// PersonName returns "Surname GivenName" when the name has them, else "".
func (n Name) PersonName() string {
	return strings.TrimSpace(n.Surname + " " + n.GivenName)
}

// String returns the name as a Russian reader expects to see it (FACTS
// §6.3): the person (SN GN, else CN), title, organisation with ИНН ЮЛ and
// ОГРН, ОГРНИП, СНИЛС, ИНН and e-mail, comma-separated.
func (n Name) String() string {
	var parts []string
	add := func(label, v string) {
		if v != "" {
			parts = append(parts, strings.TrimSpace(label+" "+v))
		}
	}
	who := n.PersonName()
	if who == "" {
		who = n.CommonName
	}
	add("", who)
	add("", n.Title)
	if org := n.Organization; org != "" && org != who {
		if n.OrganizationalUnit != "" {
			org += ", " + n.OrganizationalUnit
		}
		var ids []string
		if inn := n.LegalEntityINN(); inn != "" {
			ids = append(ids, "ИНН ЮЛ "+inn)
		}
		if n.OGRN != "" {
			ids = append(ids, "ОГРН "+n.OGRN)
		}
		if len(ids) > 0 {
			org += " (" + strings.Join(ids, ", ") + ")"
		}
		add("", org)
	} else {
		if inn := n.LegalEntityINN(); inn != "" {
			add("ИНН ЮЛ", inn)
		}
		add("ОГРН", n.OGRN)
	}
	add("ОГРНИП", n.OGRNIP)
	add("СНИЛС", formatSNILS(n.SNILS))
	add("ИНН", n.PersonINN())
	add("", n.Email)
	return strings.Join(parts, ", ")
}

// formatSNILS writes 11 digits as people write a СНИЛС: 123-456-789 01.
func formatSNILS(s string) string {
	if f, err := ruid.FormatSNILS(s); err == nil && isDigits(s) {
		return f
	}
	return s
}

// checkINN checks the INN attribute: a person's 12-digit INN, or a legal
// entity's 10-digit one padded with "00" as written before 2021 (FACTS §6.1).
func checkINN(s string) error {
	if len(s) == 12 && strings.HasPrefix(s, "00") {
		return ruid.CheckINNLegal(s[2:])
	}
	return ruid.CheckINNPerson(s)
}

// checkSNILS checks a СНИЛС written as 11 digits, the attribute's form
// (NumericString: no dashes or spaces).
func checkSNILS(s string) error {
	if len(s) != 11 || !isDigits(s) {
		return fmt.Errorf("СНИЛС must be 11 digits without separators, got %q", s)
	}
	return ruid.CheckSNILS(s)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// marshal writes n as a DER RDNSequence, one attribute per RDN, in the
// order of attributes followed by ExtraNames. It checks what RFC 9215 and
// RFC 5280 fix: digits and lengths of the numbers, a two-letter country.
func (n Name) marshal() ([]byte, error) {
	var b cryptobyte.Builder
	var err error
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, a := range attributes {
			v := *a.field(&n)
			if v == "" {
				continue
			}
			if e := a.check(v); e != nil && err == nil {
				err = e
			}
			addATV(b, a.oid, func(b *cryptobyte.Builder) { addString(b, a.kind, v) })
		}
		for _, atv := range n.ExtraNames {
			if s, ok := atv.Value.(string); ok {
				if !utf8.ValidString(s) && err == nil {
					err = fmt.Errorf("pki: attribute %v is not valid UTF-8", atv.Type)
				}
				addATV(b, atv.Type, func(b *cryptobyte.Builder) { addString(b, kindUTF8, s) })
				continue
			}
			der, e := asn1.Marshal(atv.Value)
			if e != nil && err == nil {
				err = fmt.Errorf("pki: attribute %v: %w", atv.Type, e)
			}
			addATV(b, atv.Type, func(b *cryptobyte.Builder) { b.AddBytes(der) })
		}
	})
	if err != nil {
		return nil, err
	}
	return b.Bytes()
}

func (a attribute) check(v string) error {
	switch a.kind {
	case kindNumeric:
		if err := a.digits(v); err != nil {
			return fmt.Errorf("pki: attribute %v: %w", a.oid, err)
		}
	case kindPrintable:
		if len(v) != 2 || strings.ToUpper(v) != v || !isPrintable(v) {
			return fmt.Errorf("pki: country must be two capital letters (ISO 3166), got %q", v)
		}
	case kindIA5:
		for i := 0; i < len(v); i++ {
			if v[i] >= 0x80 {
				return fmt.Errorf("pki: e-mail %q is not ASCII", v)
			}
		}
	default:
		if !utf8.ValidString(v) {
			return fmt.Errorf("pki: attribute %v is not valid UTF-8", a.oid)
		}
	}
	return nil
}

func isPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte(" '()+,-./:=?", c) >= 0) {
			return false
		}
	}
	return true
}

func addATV(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, value func(*cryptobyte.Builder)) {
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			value(b)
		})
	})
}

func addString(b *cryptobyte.Builder, kind attrKind, v string) {
	tag := cbasn1.UTF8String
	switch kind {
	case kindNumeric:
		tag = cbasn1.Tag(18) // NumericString
	case kindPrintable:
		tag = cbasn1.PrintableString
	case kindIA5:
		tag = cbasn1.IA5String
	}
	b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(v)) })
}

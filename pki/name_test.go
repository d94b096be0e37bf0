package pki

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
)

// TestNameString checks the Russian display of FACTS §6.3.
func TestNameString(t *testing.T) {
	tests := []struct {
		name Name
		want string
	}{
		{Name{Surname: "Иванов", GivenName: "Иван Иванович", Title: "Генеральный директор", Organization: "ООО «Ромашка»",
			INNLE: "7707083893", OGRN: "1027700132195", SNILS: "11223344595", INN: "500100732259", Email: "ivan@example.ru"},
			"Иванов Иван Иванович, Генеральный директор, ООО «Ромашка» (ИНН ЮЛ 7707083893, ОГРН 1027700132195), СНИЛС 112-233-445 95, ИНН 500100732259, ivan@example.ru"},
		{Name{CommonName: "ИП Петров", OGRNIP: "304500116000157", INN: "500100732259"},
			"ИП Петров, ОГРНИП 304500116000157, ИНН 500100732259"},
		// Pre-2021: the legal entity's INN, "00"-padded, in the INN attribute.
		{Name{CommonName: "ООО «Ромашка»", Organization: "ООО «Ромашка»", INN: "007707083893"},
			"ООО «Ромашка», ИНН ЮЛ 7707083893"},
		{Name{CommonName: "Отдел", Organization: "ООО «Ромашка»", OrganizationalUnit: "Бухгалтерия"},
			"Отдел, ООО «Ромашка», Бухгалтерия"},
	}
	for _, tt := range tests {
		if got := tt.name.String(); got != tt.want {
			t.Errorf("String() =\n%s\nwant\n%s", got, tt.want)
		}
	}
}

// TestNameRepeats keeps a second value of a typed attribute in ExtraNames.
func TestNameRepeats(t *testing.T) {
	ou := asn1.ObjectIdentifier{2, 5, 4, 11}
	n := nameFrom(pkix.Name{Names: []pkix.AttributeTypeAndValue{{Type: ou, Value: "Первый"}, {Type: ou, Value: "Второй"}}})
	if n.OrganizationalUnit != "Первый" || len(n.ExtraNames) != 1 || n.ExtraNames[0].Value != "Второй" {
		t.Errorf("%+v", n)
	}
}

// TestCriticalRussianExtensions checks that the qualified-certificate
// extensions, marked critical, are handled and do not fail a chain, and that
// a malformed critical one does.
func TestCriticalRussianExtensions(t *testing.T) {
	root := issue(t, caTemplate("УЦ", 1), nil, gostKey(t, gost3410.CryptoProA))
	utf8 := func(s string) []byte { return append([]byte{0x0c, byte(len(s))}, s...) }
	good := leafTemplate("leaf", 2)
	good.ExtraExtensions = []pkix.Extension{
		{Id: oidSubjectSignTool, Critical: true, Value: utf8("СКЗИ")},
		{Id: oidIdentificationKind, Critical: true, Value: []byte{2, 1, 3}},
		{Id: oidPrivateKeyUsagePeriod, Critical: true, Value: []byte{0x30, 0x11, 0x81, 0x0f, '2', '0', '2', '6', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z'}},
	}
	c := issue(t, good, root, gostKey(t, gost3410.CryptoProA)).cert
	if len(c.UnhandledCriticalExtensions) != 0 || c.SubjectSignTool != "СКЗИ" || *c.IdentificationKind != IdentifiedByBiometrySyst ||
		c.PrivateKeyUsagePeriod == nil || !c.PrivateKeyUsagePeriod.NotBefore.IsZero() || c.PrivateKeyUsagePeriod.NotAfter.Year() != 2026 {
		t.Fatalf("unhandled %v, tool %q, kind %v, period %+v", c.UnhandledCriticalExtensions, c.SubjectSignTool, c.IdentificationKind, c.PrivateKeyUsagePeriod)
	}
	if _, err := c.Verify(VerifyOptions{Roots: pool(root.cert), CurrentTime: t0}); err != nil {
		t.Fatal(err)
	}
	bad := leafTemplate("leaf", 3)
	bad.ExtraExtensions = []pkix.Extension{{Id: oidIssuerSignTool, Critical: true, Value: utf8("not a sequence")}}
	c = issue(t, bad, root, gostKey(t, gost3410.CryptoProA)).cert
	if c.IssuerSignTool != nil || len(c.UnhandledCriticalExtensions) != 1 {
		t.Fatalf("malformed issuerSignTool: %+v, unhandled %v", c.IssuerSignTool, c.UnhandledCriticalExtensions)
	}
	if _, err := c.Verify(VerifyOptions{Roots: pool(root.cert), CurrentTime: t0}); err == nil {
		t.Fatal("a malformed critical extension passed")
	}
}

// TestReadAnyString reads the string types real certificates use.
func TestReadAnyString(t *testing.T) {
	for _, tt := range []struct {
		der  []byte
		want string
	}{
		{[]byte{0x0c, 0x04, 0xd0, 0xa2, 0xd0, 0xb5}, "Те"}, // UTF8String
		{[]byte{0x13, 0x02, 'R', 'U'}, "RU"},               // PrintableString
		{[]byte{0x12, 0x02, '7', '7'}, "77"},               // NumericString
		{[]byte{0x1e, 0x04, 0x04, 0x22, 0x04, 0x35}, "Те"}, // BMPString
		{[]byte{0x14, 0x02, 'a', 0xe9}, "aé"},              // T61String as Latin-1
		{[]byte{0x16, 0x03, 'a', '@', 'b'}, "a@b"},         // IA5String
	} {
		got, err := parseDirectoryString(tt.der)
		if err != nil || got != tt.want {
			t.Errorf("% x: %q, %v", tt.der, got, err)
		}
	}
	for _, bad := range [][]byte{{0x02, 0x01, 0x00}, {0x0c, 0x01, 0xff}, {0x1e, 0x01, 0x00}, {0x0c, 0x05, 'a'}} {
		if _, err := parseDirectoryString(bad); err == nil {
			t.Errorf("% x accepted", bad)
		}
	}
}

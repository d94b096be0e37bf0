package pki

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
)

// fullTemplate uses every Template field, with Russian text throughout.
func fullTemplate() *Template {
	kind := IdentifiedByCertificate
	return &Template{
		SerialNumber: new(big.Int).SetBytes([]byte{0x7c, 0x00, 0x15, 0x8a, 0x3f, 0xf6, 0xa9, 0x42, 0x4b}),
		Subject: Name{
			CommonName: "ООО «Ромашка»", Surname: "Пушкин", GivenName: "Александр Сергеевич",
			Title: "Генеральный директор", Organization: "ООО «Ромашка»", OrganizationalUnit: "Дирекция",
			Locality: "г. Москва", Province: "77 г. Москва", StreetAddress: "ул. Сущёвский вал, д. 18",
			Country: "RU", Email: "info@example.ru",
			INN: "500100732259", INNLE: "7707083893", OGRN: "1027700132195", SNILS: "11223344595",
			ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{2, 5, 4, 5}, Value: "Ёжик 1"}},
		},
		NotBefore:             time.Date(2024, 7, 10, 11, 59, 23, 0, time.UTC),
		NotAfter:              time.Date(2051, 9, 4, 6, 59, 37, 0, time.UTC), // GeneralizedTime from 2050
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment | x509.KeyUsageKeyEncipherment | x509.KeyUsageKeyAgreement,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection},
		UnknownExtKeyUsage:    []asn1.ObjectIdentifier{{1, 2, 643, 2, 2, 34, 6}},
		CRLDistributionPoints: []string{"http://crl.example.ru/ca.crl", "http://crl2.example.ru/ca.crl"},
		OCSPServer:            []string{"http://ocsp.example.ru"},
		IssuingCertificateURL: []string{"http://ca.example.ru/ca.crt"},
		SignToolClasses:       []SignToolClass{KC1, KC2},
		Policies:              []asn1.ObjectIdentifier{{2, 5, 29, 32, 0}},
		SubjectSignTool:       "«КриптоПро CSP» (версия 5.0)",
		IssuerSignTool: &IssuerSignTool{
			SignTool: "ПАКМ «КриптоПро HSM» версии 2.0", CATool: "ПАК «Головной удостоверяющий центр»",
			SignToolCert: "Заключение № 149/3/2/2/23 от 02.03.2018", CAToolCert: "Заключение № 149/7/6-449 от 30.12.2021",
		},
		IdentificationKind:    &kind,
		PrivateKeyUsagePeriod: &Period{NotBefore: time.Date(2024, 7, 10, 11, 59, 23, 0, time.UTC), NotAfter: time.Date(2025, 7, 10, 11, 59, 23, 0, time.UTC)},
	}
}

// TestCreateRoundTrip creates certificates on every parameter set and reads
// every field back.
func TestCreateRoundTrip(t *testing.T) {
	for _, ps := range gost3410.ParamSets() {
		t.Run(ps.Name(), func(t *testing.T) {
			caKey, key := gostKey(t, ps), gostKey(t, ps)
			ca := issue(t, caTemplate("Тестовый УЦ", 1), nil, caKey)
			tmpl := fullTemplate()
			c := issue(t, tmpl, ca, key).cert

			if err := c.CheckSignatureFrom(ca.cert); err != nil {
				t.Fatal(err)
			}
			if err := ca.cert.CheckSignatureFrom(ca.cert); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.SubjectName, tmpl.Subject) {
				t.Errorf("SubjectName = %+v\nwant %+v", c.SubjectName, tmpl.Subject)
			}
			if !reflect.DeepEqual(c.IssuerName, ca.cert.SubjectName) {
				t.Errorf("IssuerName = %+v", c.IssuerName)
			}
			if c.SubjectSignTool != tmpl.SubjectSignTool || !reflect.DeepEqual(c.IssuerSignTool, tmpl.IssuerSignTool) {
				t.Errorf("sign tools = %q, %+v", c.SubjectSignTool, c.IssuerSignTool)
			}
			if !reflect.DeepEqual(c.SignToolClasses, tmpl.SignToolClasses) {
				t.Errorf("SignToolClasses = %v", c.SignToolClasses)
			}
			if c.IdentificationKind == nil || *c.IdentificationKind != IdentifiedByCertificate {
				t.Errorf("IdentificationKind = %v", c.IdentificationKind)
			}
			if p := c.PrivateKeyUsagePeriod; p == nil || !p.NotBefore.Equal(tmpl.PrivateKeyUsagePeriod.NotBefore) || !p.NotAfter.Equal(tmpl.PrivateKeyUsagePeriod.NotAfter) {
				t.Errorf("PrivateKeyUsagePeriod = %+v", p)
			}
			if !c.NotAfter.Equal(tmpl.NotAfter) || !c.NotBefore.Equal(tmpl.NotBefore) || c.SerialNumber.Cmp(tmpl.SerialNumber) != 0 {
				t.Errorf("validity or serial = %v %v %v", c.NotBefore, c.NotAfter, c.SerialNumber)
			}
			if c.KeyUsage != tmpl.KeyUsage || !reflect.DeepEqual(c.ExtKeyUsage, tmpl.ExtKeyUsage) || len(c.UnknownExtKeyUsage) != 1 {
				t.Errorf("key usage = %v %v %v", c.KeyUsage, c.ExtKeyUsage, c.UnknownExtKeyUsage)
			}
			if !reflect.DeepEqual(c.CRLDistributionPoints, tmpl.CRLDistributionPoints) || !reflect.DeepEqual(c.OCSPServer, tmpl.OCSPServer) ||
				!reflect.DeepEqual(c.IssuingCertificateURL, tmpl.IssuingCertificateURL) {
				t.Errorf("URLs = %v %v %v", c.CRLDistributionPoints, c.OCSPServer, c.IssuingCertificateURL)
			}
			if !bytes.Equal(c.AuthorityKeyId, ca.cert.SubjectKeyId) {
				t.Errorf("AuthorityKeyId = %x, want %x", c.AuthorityKeyId, ca.cert.SubjectKeyId)
			}
			// FACTS §4.4: SKI = SHA-1 over 04 40 ‖ LE(x) ‖ LE(y) (04 81 80 … for 512).
			inner := append([]byte{0x04, 0x40}, key.PublicKey().Bytes()...)
			if ps.Size() == 64 {
				inner = append([]byte{0x04, 0x81, 0x80}, key.PublicKey().Bytes()...)
			}
			if ski := sha1.Sum(inner); !bytes.Equal(c.SubjectKeyId, ski[:]) {
				t.Errorf("SubjectKeyId = %x, want %x", c.SubjectKeyId, ski)
			}
			if len(c.UnhandledCriticalExtensions) != 0 {
				t.Errorf("UnhandledCriticalExtensions = %v", c.UnhandledCriticalExtensions)
			}
			if !key.PublicKey().Equal(c.PublicKey) {
				t.Error("PublicKey differs")
			}
			// FACTS §4.3: GOST signature AlgorithmIdentifier without parameters.
			if len(c.SignatureAlgorithmID.Parameters.FullBytes) != 0 {
				t.Errorf("signature algorithm has parameters %x", c.SignatureAlgorithmID.Parameters.FullBytes)
			}
		})
	}
}

// TestCreateDeterministic checks that two certificates from the same
// inputs differ only in the signature.
func TestCreateDeterministic(t *testing.T) {
	caKey := gostKey(t, gost3410.TC26256A)
	ca := issue(t, caTemplate("Тестовый УЦ", 1), nil, caKey)
	key := gostKey(t, gost3410.CryptoProXchA)
	a := issue(t, fullTemplate(), ca, key).cert
	b := issue(t, fullTemplate(), ca, key).cert
	if !bytes.Equal(a.RawTBSCertificate, b.RawTBSCertificate) {
		t.Error("TBSCertificate differs between runs")
	}
	if bytes.Equal(a.Signature, b.Signature) {
		t.Error("signatures equal: nonce not fresh")
	}
}

// TestNameEncoding checks the string types RFC 9215 and RFC 5280 ask for.
func TestNameEncoding(t *testing.T) {
	der, err := fullTemplate().Subject.marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		want []byte // OID DER followed by the value's tag
	}{
		{"INN NumericString", []byte{0x06, 0x08, 0x2a, 0x85, 0x03, 0x03, 0x81, 0x03, 0x01, 0x01, 0x12, 0x0c}},
		{"OGRN NumericString", []byte{0x06, 0x05, 0x2a, 0x85, 0x03, 0x64, 0x01, 0x12, 0x0d}},
		{"SNILS NumericString", []byte{0x06, 0x05, 0x2a, 0x85, 0x03, 0x64, 0x03, 0x12, 0x0b}},
		{"INNLE NumericString", []byte{0x06, 0x05, 0x2a, 0x85, 0x03, 0x64, 0x04, 0x12, 0x0a}},
		{"C PrintableString", []byte{0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02}},
		{"E IA5String", []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01, 0x16}},
		{"CN UTF8String", []byte{0x06, 0x03, 0x55, 0x04, 0x03, 0x0c}},
	} {
		if !bytes.Contains(der, tt.want) {
			t.Errorf("%s: % x not found", tt.name, tt.want)
		}
	}
}

func TestCreateRefuses(t *testing.T) {
	k := gostKey(t, gost3410.TC26256A)
	other := gostKey(t, gost3410.TC26256A)
	ca := issue(t, caTemplate("CA", 1), nil, k)
	mod := func(f func(*Template)) *Template { tm := leafTemplate("x", 5); f(tm); return tm }
	tests := []struct {
		name   string
		tmpl   *Template
		parent *Certificate
		signer *gost3410.PrivateKey
	}{
		{"no serial", mod(func(t *Template) { t.SerialNumber = nil }), nil, k},
		{"negative serial", mod(func(t *Template) { t.SerialNumber = big.NewInt(-1) }), nil, k},
		{"no validity", mod(func(t *Template) { t.NotAfter = time.Time{} }), nil, k},
		{"reversed validity", mod(func(t *Template) { t.NotAfter = t.NotBefore.Add(-time.Hour) }), nil, k},
		{"INN of 11 digits", mod(func(t *Template) { t.Subject.INN = "12345678901" }), nil, k},
		{"SNILS with dashes", mod(func(t *Template) { t.Subject.SNILS = "112-233-445 95" }), nil, k},
		{"INN check digit", mod(func(t *Template) { t.Subject.INN = "500100732258" }), nil, k},
		{"OGRN check digit", mod(func(t *Template) { t.Subject.OGRN = "1027700132196" }), nil, k},
		{"SNILS check digit", mod(func(t *Template) { t.Subject.SNILS = "11223344596" }), nil, k},
		{"padded INN check digit", mod(func(t *Template) { t.Subject.INN = "007707083894" }), nil, k},
		{"country in Russian", mod(func(t *Template) { t.Subject.Country = "РФ" }), nil, k},
		{"empty subject", mod(func(t *Template) { t.Subject = Name{} }), nil, k},
		{"signer is not the parent", leafTemplate("x", 5), ca.cert, other},
		{"duplicate extension", mod(func(t *Template) {
			t.ExtraExtensions = []pkix.Extension{{Id: oidExtKeyUsage, Value: []byte{3, 1, 0}}}
		}), nil, k},
		{"unknown class", mod(func(t *Template) { t.SignToolClasses = []SignToolClass{9} }), nil, k},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := CreateCertificate(tt.tmpl, tt.parent, k.Public(), tt.signer); err == nil {
				t.Error("CreateCertificate succeeded")
			}
		})
	}
	// The pre-2021 padded legal-entity INN is written (FACTS §6.1).
	padded := leafTemplate("x", 6)
	padded.Subject.INN = "007707083893"
	if _, err := CreateCertificate(padded, nil, k.Public(), k); err != nil {
		t.Errorf("padded INN: %v", err)
	}
	// Self-signed with a key other than the certificate's.
	if _, err := CreateCertificate(leafTemplate("x", 5), nil, k.Public(), other); err == nil {
		t.Error("self-signed with a foreign signer succeeded")
	}
}

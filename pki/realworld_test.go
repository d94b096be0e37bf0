package pki

import (
	"errors"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
)

// TestRealNames decodes the Russian attributes of real certificates
// (values as openssl x509 -text prints them; PROVENANCE.md §2).
func TestRealNames(t *testing.T) {
	tests := []struct {
		file    string
		subject Name // compared field by field where set
		leINN   string
	}{
		{"mincifry-root-2022.pem", Name{
			CommonName: "Минцифры России", Organization: "Минцифры России", INNLE: "7710474375", OGRN: "1047702026701",
			StreetAddress: "Пресненская набережная, дом 10, строение 2", Locality: "г. Москва", Province: "77 Москва",
			Country: "RU", Email: "dit@digital.gov.ru",
		}, "7710474375"},
		{"fns-mi-cod-signer-2024.der", Name{
			CommonName: "МЕЖРЕГИОНАЛЬНАЯ ИНСПЕКЦИЯ ФЕДЕРАЛЬНОЙ НАЛОГОВОЙ СЛУЖБЫ ПО ЦЕНТРАЛИЗОВАННОЙ ОБРАБОТКЕ ДАННЫХ",
			Email:      "uki.r9965@tax.gov.ru", INNLE: "7733535730", OGRN: "1047797083861", Locality: "г. Москва",
			StreetAddress: "Походный проезд, домовладение 3", Province: "г. Москва", Country: "RU",
		}, "7733535730"},
		// Before 2021 a legal entity's INN went in the INN attribute, "00"-padded (FACTS §6.1).
		{"cryptopro-testca-root-2018.der", Name{
			CommonName: `Тестовый УЦ ООО "КРИПТО-ПРО"`, Organization: `ООО "КРИПТО-ПРО"`, Locality: "Москва",
			Province: "г. Москва", Country: "RU", StreetAddress: "ул. Сущёвский вал д. 18", INN: "001234567890", OGRN: "1234567890123",
		}, "1234567890"},
		{"js-gostcrypto-pushkin-2017.der", Name{CommonName: "Александр Сергеевич Пушкин"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c := realCert(t, tt.file)
			got := c.SubjectName
			want := reflect.ValueOf(tt.subject)
			for i := 0; i < want.NumField(); i++ {
				f := want.Type().Field(i)
				if f.Type.Kind() != reflect.String || want.Field(i).String() == "" {
					continue
				}
				if g := reflect.ValueOf(got).Field(i).String(); g != want.Field(i).String() {
					t.Errorf("%s = %q, want %q", f.Name, g, want.Field(i).String())
				}
			}
			if g := got.LegalEntityINN(); g != tt.leINN {
				t.Errorf("LegalEntityINN = %q, want %q", g, tt.leINN)
			}
			if got.PersonINN() != "" {
				t.Errorf("PersonINN = %q, want none", got.PersonINN())
			}
			t.Log(got)
		})
	}
}

// TestRealExtensions decodes the qualified-certificate extensions FACTS
// §6.2 describes, as openssl x509 -text prints them.
func TestRealExtensions(t *testing.T) {
	c := realCert(t, "mincifry-root-2022.pem")
	wantIssuer := &IssuerSignTool{
		SignTool: "ПАКМ «КриптоПро HSM» версии 2.0", CATool: "ПАК «Головной удостоверяющий центр»",
		SignToolCert: "Заключение № 149/3/2/2/23 от 02.03.2018", CAToolCert: "Заключение № 149/7/6-449 от 30.12.2021",
	}
	if !reflect.DeepEqual(c.IssuerSignTool, wantIssuer) {
		t.Errorf("IssuerSignTool = %+v", c.IssuerSignTool)
	}
	if c.SubjectSignTool != "ПАКМ «КриптоПро HSM» версии 2.0" {
		t.Errorf("SubjectSignTool = %q", c.SubjectSignTool)
	}
	if want := []SignToolClass{KC1, KC2, KC3, KB1, KB2}; !reflect.DeepEqual(c.SignToolClasses, want) {
		t.Errorf("SignToolClasses = %v, want %v", c.SignToolClasses, want)
	}
	if c.IdentificationKind == nil || *c.IdentificationKind != IdentifiedInPerson {
		t.Errorf("IdentificationKind = %v, want personal (02 01 00)", c.IdentificationKind)
	}

	fns := realCert(t, "fns-mi-cod-signer-2024.der")
	if fns.SubjectSignTool != "КриптоПро CSP (4.0.9963)" || fns.IssuerSignTool == nil ||
		fns.IssuerSignTool.CATool != "Программно-аппаратный комплекс «Юнисерт-ГОСТ». Версия 4.0" {
		t.Errorf("FNS sign tools = %q, %+v", fns.SubjectSignTool, fns.IssuerSignTool)
	}
	if !reflect.DeepEqual(fns.SignToolClasses, []SignToolClass{KC1}) || fns.IdentificationKind == nil || *fns.IdentificationKind != IdentifiedInPerson {
		t.Errorf("FNS classes %v, identification %v", fns.SignToolClasses, fns.IdentificationKind)
	}
	summary := fns.Summary()
	for _, want := range []string{"Класс средства ЭП: КС1", "Средство ЭП владельца: КриптоПро CSP (4.0.9963)",
		"Идентификация владельца: при личном присутствии", "ГОСТ Р 34.10-2012 (256 бит)", "ИНН ЮЛ 7733535730"} {
		if !strings.Contains(summary, want) {
			t.Errorf("Summary lacks %q:\n%s", want, summary)
		}
	}

	cp := realCert(t, "cryptopro-testca-root-2018.der")
	if cp.SubjectSignTool != `"КриптоПро CSP" (версия 4.0)` || cp.IssuerSignTool.CATool != `Удостоверяющий центр "КриптоПро УЦ"` {
		t.Errorf("CryptoPro sign tools = %q, %+v", cp.SubjectSignTool, cp.IssuerSignTool)
	}
	if !reflect.DeepEqual(cp.SignToolClasses, []SignToolClass{KC1, KC2}) {
		t.Errorf("CryptoPro classes = %v", cp.SignToolClasses)
	}
	// The obsolete authorityKeyIdentifier 2.5.29.1 of the TC26 examples is read.
	if s := realCert(t, "tc26-2019-sender256.pem"); len(s.AuthorityKeyId) == 0 {
		t.Error("tc26 sender: AuthorityKeyId from 2.5.29.1 not read")
	}
}

// TestRealKeys checks the parameter sets PROVENANCE.md §2 lists.
func TestRealKeys(t *testing.T) {
	for _, tt := range []struct {
		file string
		ps   *gost3410.ParamSet
	}{
		{"mincifry-root-2022.pem", gost3410.CryptoProA},
		{"ca-512A-sledkom-2019.pem", gost3410.TC26512A},
		{"ca-tc26-256A-kriptotelekom-2019.pem", gost3410.TC26256A},
		{"ca-cpB-sberbank-2020.pem", gost3410.CryptoProB},
		{"ca-cpC-opfr-kostroma-2019.pem", gost3410.CryptoProC},
		{"cryptopro-testca-leaf-2024.der", gost3410.CryptoProXchA},
		{"rfc9215-example-2001test-key2012.pem", gost3410.CryptoProTest},
		{"rfc9215-example-512test.pem", gost3410.TC26512Test},
		{"tk26iok-2013-512-b.der", gost3410.TC26512B},
	} {
		k, ok := realCert(t, tt.file).PublicKey.(*gost3410.PublicKey)
		if !ok || k.ParamSet() != tt.ps {
			t.Errorf("%s: key %v, want %s", tt.file, k, tt.ps.Name())
		}
	}
}

// TestRealChains builds the chains PROVENANCE.md §2 reports OpenSSL
// accepting, at the times it used.
func TestRealChains(t *testing.T) {
	tests := []struct {
		leaf, root string
		inter      []string
		at         time.Time
		want       Code // "" for success
	}{
		{"cryptopro-testca-leaf-2024.der", "cryptopro-testca-root-2024.der", nil, time.Unix(1721140000, 0), ""},
		{"cryptopro-testca-ocsp-2024.der", "cryptopro-testca-root-2024.der", nil, time.Unix(1721140000, 0), ""},
		{"cryptopro-test-tsa-2023.der", "cryptopro-test-head-ca-2023.der", []string{"cryptopro-test-sub-ca-2023.der"}, time.Unix(1721140000, 0), ""},
		{"fns-mi-cod-signer-2024.der", "mincifry-root-2022.pem", []string{"kaznachejstvo-ca-2023.pem", "fns-ca-2024.pem"}, time.Unix(1718700000, 0), ""},
		{"ca-512A-sledkom-2019.pem", "minsvyaz-root-2018.pem", nil, time.Unix(1718700000, 0), ""},
		{"pycades-test-leaf.der", "pycades-root.der", nil, time.Unix(1800000000, 0), ""},
		// The test leaf expired on 2024-09-04.
		{"cryptopro-testca-leaf-2024.der", "cryptopro-testca-root-2024.der", nil, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), CodeCertExpired},
		// Wrong root: the 2018 CryptoPro test root has the same name and another key.
		{"cryptopro-testca-leaf-2024.der", "cryptopro-testca-root-2018.der", nil, time.Unix(1721140000, 0), CodeChainUntrusted},
		// The TC26 2019 root has no basicConstraints: OpenSSL says "invalid CA certificate".
		{"tc26-2019-sender256.pem", "tc26-2019-root256.pem", nil, time.Unix(1721140000, 0), CodeNotACA},
	}
	for _, tt := range tests {
		t.Run(tt.leaf+"→"+tt.root, func(t *testing.T) {
			opts := VerifyOptions{Roots: pool(realCert(t, tt.root)), Intermediates: NewCertPool(), CurrentTime: tt.at}
			for _, f := range tt.inter {
				opts.Intermediates.AddCert(realCert(t, f))
			}
			chains, err := realCert(t, tt.leaf).Verify(opts)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				// The FNS CA is a distractor: same root, not on the path.
				if n, want := len(chains[0]), 2+min(len(tt.inter), 1); n != want {
					t.Errorf("chain of %d, want %d", n, want)
				}
				return
			}
			if !errors.Is(err, &PathError{Code: tt.want}) {
				t.Fatalf("Verify = %v, want %s", err, tt.want)
			}
		})
	}
}

// TestRealCRLs parses the real CRLs and checks their signatures against
// their issuers (PROVENANCE.md §4).
func TestRealCRLs(t *testing.T) {
	l, err := ParseRevocationList(realworld(t, "tsp-ocsp-crl/crl-cryptopro-test-head-ca-2024.crl"))
	if err != nil {
		t.Fatal(err)
	}
	head := realCert(t, "cryptopro-test-head-ca-2023.der")
	if err := l.CheckSignatureFrom(head); err != nil {
		t.Fatal(err)
	}
	if l.Number.Int64() != 240 || len(l.RevokedCertificateEntries) != 3 || l.IssuerName.INNLE != "7717107991" {
		t.Errorf("number %v, %d entries, issuer %v", l.Number, len(l.RevokedCertificateEntries), l.IssuerName)
	}
	wantSerial, _ := new(big.Int).SetString("030518C900BCAE6FB845E4D18D4BA884EA", 16)
	if e := l.RevokedCertificateEntries[0]; e.SerialNumber.Cmp(wantSerial) != 0 || e.ReasonCode != 2 {
		t.Errorf("entry 0: %X reason %d, want cACompromise", e.SerialNumber, e.ReasonCode)
	}
	if err := l.CheckSignatureFrom(realCert(t, "cryptopro-test-sub-ca-2023.der")); !errors.Is(err, ErrNotIssuer) {
		t.Errorf("by the sub CA: %v, want ErrNotIssuer", err)
	}

	p, err := ParseRevocationList(realworld(t, "tsp-ocsp-crl/crl-pycades-root.crl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.CheckSignatureFrom(realCert(t, "pycades-root.der")); err != nil {
		t.Fatal(err)
	}
	if p.Number.Sign() != 0 || len(p.RevokedCertificateEntries) != 0 {
		t.Errorf("pycades CRL: number %v, %d entries", p.Number, len(p.RevokedCertificateEntries))
	}
}

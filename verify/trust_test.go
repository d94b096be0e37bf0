package verify

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
)

// tslCAEntry is one CA of a test list.
type tslCAEntry struct {
	name, reg, status string
	certs             []*pki.Certificate
	thumbprint        string // overrides the computed one when set
}

// makeTSL writes a list of accredited CAs with the structure trust_tsl.go
// documents (the ministry's TSL.xml), for test CAs.
func makeTSL(cas ...tslCAEntry) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>
<АккредитованныеУдостоверяющиеЦентры xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Версия>4242</Версия>
  <Дата>2026-11-23T00:00:00+03:00</Дата>
`)
	for _, ca := range cas {
		fmt.Fprintf(&b, `  <УдостоверяющийЦентр>
    <Название>%s</Название>
    <ЭлектроннаяПочта>ca@example.test</ЭлектроннаяПочта>
    <КраткоеНазвание>%s</КраткоеНазвание>
    <АдресСИнформациейПоУЦ>http://ca.example.test/</АдресСИнформациейПоУЦ>
    <Адрес><Страна>RU</Страна><Индекс>101000</Индекс><УлицаДом>ул. Тверская, д. 1</УлицаДом><Город>Москва</Город></Адрес>
    <ПрограммноАппаратныеКомплексы>
      <ПрограммноАппаратныйКомплекс>
        <Псевдоним>test</Псевдоним>
        <КлассСредствЭП>КС1, КС2</КлассСредствЭП>
        <Адрес><Страна>RU</Страна><Город>Москва</Город></Адрес>
        <СредстваУЦ>podpis devpki</СредстваУЦ>
        <КлючиУполномоченныхЛиц>
          <Ключ>
            <ИдентификаторКлюча>00</ИдентификаторКлюча>
            <АдресаСписковОтзыва><Адрес>http://ca.example.test/crl/ca.crl</Адрес></АдресаСписковОтзыва>
            <Сертификаты>
`, ca.name, ca.name)
		for _, c := range ca.certs {
			sum := sha1.Sum(c.Raw)
			tp := strings.ToUpper(hex.EncodeToString(sum[:]))
			if ca.thumbprint != "" {
				tp = ca.thumbprint
			}
			enc := base64.StdEncoding.EncodeToString(c.Raw)
			fmt.Fprintf(&b, `              <ДанныеСертификата>
                <Отпечаток>%s</Отпечаток>
                <КемВыдан>%s</КемВыдан>
                <КомуВыдан>%s</КомуВыдан>
                <СерийныйНомер>%X</СерийныйНомер>
                <ПериодДействияС>%s</ПериодДействияС>
                <ПериодДействияДо>%s</ПериодДействияДо>
                <Данные>%s
%s</Данные>
              </ДанныеСертификата>
`, tp, c.Issuer.CommonName, c.Subject.CommonName, c.SerialNumber, c.NotBefore.Format("2006-01-02T15:04:05Z07:00"),
				c.NotAfter.Format("2006-01-02T15:04:05Z07:00"), enc[:len(enc)/2], enc[len(enc)/2:])
		}
		fmt.Fprintf(&b, `            </Сертификаты>
          </Ключ>
        </КлючиУполномоченныхЛиц>
      </ПрограммноАппаратныйКомплекс>
    </ПрограммноАппаратныеКомплексы>
    <ИНН>7709990015</ИНН>
    <ОГРН>1027799001009</ОГРН>
    <РеестровыйНомер>%s</РеестровыйНомер>
    <СтатусАккредитации><Статус>%s</Статус><ДействуетС>2021-07-01T00:00:00+03:00</ДействуетС></СтатусАккредитации>
  </УдостоверяющийЦентр>
`, ca.reg, ca.status)
	}
	b.WriteString("</АккредитованныеУдостоверяющиеЦентры>\n")
	return []byte(b.String())
}

func TestTrustTSL(t *testing.T) {
	f := newFixture(t)
	closed, _ := devpki.New(devpki.Options{})
	other, _ := devpki.New(devpki.Options{})
	list := makeTSL(
		tslCAEntry{name: "ООО «Тестовый удостоверяющий центр»", reg: "1234", status: TSLStatusActive, certs: []*pki.Certificate{f.p.CA.Cert}},
		tslCAEntry{name: "АО «Закрытый УЦ»", reg: "999", status: "Прекращена", certs: []*pki.Certificate{closed.CA.Cert}},
		tslCAEntry{name: "ООО «Опечатка»", reg: "5", status: TSLStatusActive, certs: []*pki.Certificate{other.CA.Cert}, thumbprint: "00"},
	)
	s := NewTrustStore()
	info, err := s.addTSL(list, "TSL.xml")
	if err != nil {
		t.Fatal(err)
	}
	if info.Version != "4242" || info.CAs != 3 || info.Certificates != 2 || info.Skipped != 1 || !strings.Contains(info.FirstProblem, "Отпечаток") {
		t.Fatalf("info: %+v", info)
	}
	a := s.Anchor(f.p.CA.Cert)
	if a == nil || !a.Qualified || a.RegistryNumber != "1234" || a.CA != "ООО «Тестовый удостоверяющий центр»" || a.Status != TSLStatusActive || a.Source != "TSL.xml" {
		t.Fatalf("anchor: %+v", a)
	}
	if c := s.Anchor(closed.CA.Cert); c == nil || c.Qualified || c.Status != "Прекращена" {
		t.Fatalf("closed CA: %+v", c)
	}
	if s.Anchor(other.CA.Cert) != nil {
		t.Fatal("a certificate whose thumbprint is wrong was trusted")
	}

	// A signature by a certificate of the accredited CA: the report says so.
	rep := run(t, f.sig, content, Options{Trust: s})
	sig := rep.Signatures[0]
	if rep.Indication != TotalPassed || sig.TrustAnchor == nil || !sig.TrustAnchor.Qualified || sig.TrustAnchor.SHA1 == "" {
		t.Fatalf("%s %s %+v", rep.Indication, sig.Code, sig.TrustAnchor)
	}
	if q := sig.Qualified; q == nil || !q.Qualified || len(q.Problems) != 0 {
		t.Fatalf("qualified: %+v", q)
	}
	closedStore := NewTrustStore()
	closedStore.AddTSL(makeTSL(tslCAEntry{name: "УЦ", reg: "1", status: "Прекращена", certs: []*pki.Certificate{f.p.CA.Cert}}), "closed.xml")
	if q := run(t, f.sig, content, Options{Trust: closedStore}).Signatures[0].Qualified; q == nil || q.Qualified || !strings.Contains(q.Problems[0], "Прекращена") {
		t.Fatalf("closed CA: %+v", q)
	}
	// A signature made outside the private key usage period is not qualified.
	within := run(t, f.sig, content, Options{Trust: s, At: f.p.Signer.Cert.NotAfter.Add(-time.Minute)}).Signatures[0]
	if within.Qualified == nil || !within.Qualified.Qualified {
		t.Fatalf("within the period: %+v", within.Qualified)
	}
	if q := qualifiedStatus(f.p.Signer.Cert, a, f.p.Signer.Cert.NotAfter.Add(time.Hour)); q.Qualified || !strings.Contains(q.Problems[0], "private key usage period") {
		t.Fatalf("after the period: %+v", q)
	}
	if q := qualifiedStatus(f.p.TSA.Cert, a, time.Now()); q.Qualified || len(q.Problems) != 3 {
		t.Fatalf("a certificate without the qualified extensions: %+v", q)
	}
	var text bytes.Buffer
	rep.WriteText(&text, Russian)
	if !strings.Contains(text.String(), "Квалифицированная электронная подпись: да") {
		t.Errorf("text report:\n%s", text.String())
	}
	if !strings.Contains(text.String(), "аккредитованный УЦ «ООО «Тестовый удостоверяющий центр»», реестровый № 1234") {
		t.Errorf("text report:\n%s", text.String())
	}
	// Trust from Roots alone: no anchor entry, as before.
	if sig := run(t, f.sig, content, Options{Roots: f.roots}).Signatures[0]; sig.TrustAnchor != nil || sig.Qualified != nil || sig.Code != CodeOK {
		t.Errorf("Roots only: %+v", sig.TrustAnchor)
	}

	for _, bad := range [][]byte{nil, []byte("<html/>"), []byte("<АккредитованныеУдостоверяющиеЦентры><Версия>1</Версия>"), makeTSL()} {
		if err := NewTrustStore().AddTSL(bad, "bad.xml"); err == nil {
			t.Errorf("accepted %.40q", bad)
		}
	}
}

func TestTrustFilesAndDirectories(t *testing.T) {
	f := newFixture(t)
	other, _ := devpki.New(devpki.Options{})
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pemOf := func(c *pki.Certificate) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	write("roots/a.pem", append(pemOf(f.p.CA.Cert), pemOf(other.CA.Cert)...))
	write("roots/sub/b.cer", other.Person.Cert.Raw) // DER
	write("roots/readme.txt", []byte("not read"))
	write("roots/tsl.xml", makeTSL(tslCAEntry{name: "УЦ", reg: "7", status: TSLStatusActive, certs: []*pki.Certificate{other.CA.Cert}}))
	s, err := LoadTrustStore(filepath.Join(dir, "roots"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 3 {
		t.Fatalf("%d anchors, want 3", s.Len())
	}
	// The list's entry for a certificate also read from a PEM file wins.
	if a := s.Anchor(other.CA.Cert); a == nil || !a.Qualified {
		t.Errorf("list entry lost: %+v", a)
	}
	if a := s.Anchor(f.p.CA.Cert); a == nil || a.Qualified || !strings.HasSuffix(a.Source, "a.pem") {
		t.Errorf("PEM anchor: %+v", a)
	}
	if rep := run(t, f.sig, content, Options{Trust: s}); rep.Indication != TotalPassed {
		t.Errorf("verify with the store: %s", rep.Indication)
	}
	for _, bad := range []string{
		write("empty/x.pem", []byte("nothing")),
		filepath.Join(dir, "empty"),
		filepath.Join(dir, "missing.pem"),
		write("none/readme.txt", nil),
	} {
		if bad == filepath.Join(dir, "none", "readme.txt") {
			bad = filepath.Dir(bad)
		}
		if _, err := LoadTrustStore(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

// FuzzAddTSL: any XML reads without panic; what is added is a parsed
// certificate with its thumbprint.
func FuzzAddTSL(f *testing.F) {
	f.Add(makeTSL())
	f.Fuzz(func(t *testing.T, data []byte) {
		s := NewTrustStore()
		if err := s.AddTSL(data, "fuzz.xml"); err != nil {
			return
		}
		for _, a := range s.Anchors() {
			sum := sha1.Sum(a.Certificate().Raw)
			if a.SHA1 != strings.ToUpper(hex.EncodeToString(sum[:])) {
				t.Fatal("thumbprint not the certificate's")
			}
		}
	})
}

// The list devpki writes (podpis devpki tsl) reads back here.
func TestTrustDevpkiTSL(t *testing.T) {
	f := newFixture(t)
	data, err := devpki.TSL(7, time.Now(), devpki.TSLEntry{Name: "УЦ «Тест» & Ко", RegistryNumber: "77", Status: TSLStatusActive,
		Certificates: []*pki.Certificate{f.p.CA.Cert}, CRLs: []string{"http://127.0.0.1:1/crl/ca.crl"}})
	if err != nil {
		t.Fatal(err)
	}
	s := NewTrustStore()
	info, err := s.addTSL(data, "tsl.xml")
	if err != nil || info.Version != "7" || info.Certificates != 1 {
		t.Fatalf("%v %+v", err, info)
	}
	if a := s.Anchor(f.p.CA.Cert); a == nil || !a.Qualified || a.CA != "УЦ «Тест» & Ко" || a.RegistryNumber != "77" {
		t.Fatalf("%+v", a)
	}
	if _, err := devpki.TSL(1, time.Now(), devpki.TSLEntry{Name: "empty"}); err == nil {
		t.Error("an entry without certificates")
	}
}

package verify

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
)

// qualifiedCert issues a certificate from f's CA with the qualified content
// devpki gives its signer, changed by edit, and returns a signature by it.
func qualifiedCert(t *testing.T, f *fixture, edit func(*pki.Template)) (*pki.Certificate, []byte) {
	t.Helper()
	key, err := gost3410.GenerateKey(gost3410.TC26256A, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := pki.RandomSerial(nil)
	ca := f.p.Signer.Cert
	tpl := &pki.Template{
		SerialNumber: serial, Subject: ca.SubjectName,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage:        x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		SignToolClasses: ca.SignToolClasses, SubjectSignTool: ca.SubjectSignTool, IssuerSignTool: ca.IssuerSignTool,
	}
	edit(tpl)
	der, err := pki.CreateCertificate(tpl, f.p.CA.Cert, key.Public(), f.p.CA.Key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := cms.Sign(bytes.NewReader(content), cms.SignerConfig{Signer: key, Certificate: cert}, cms.SignOptions{Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	return cert, sig
}

// TestQualifiedContent: the sign-tool extensions and the class policies
// (FACTS §6.2) are checked for a qualified verdict and reported.
func TestQualifiedContent(t *testing.T) {
	f := newFixture(t)
	s := NewTrustStore()
	if _, err := s.addTSL(makeTSL(tslCAEntry{name: "ООО «Тестовый удостоверяющий центр»", reg: "1234", status: TSLStatusActive,
		certs: []*pki.Certificate{f.p.CA.Cert}}), "TSL.xml"); err != nil {
		t.Fatal(err)
	}

	// devpki's signer: qualified, and the report names its tools.
	rep := run(t, f.sig, content, Options{Trust: s})
	sig := rep.Signatures[0]
	c := sig.Certificate
	if sig.Qualified == nil || !sig.Qualified.Qualified || c.SubjectSignTool != f.p.Signer.Cert.SubjectSignTool || c.IssuerSignTool == nil ||
		c.IssuerSignTool.CATool != f.p.Signer.Cert.IssuerSignTool.CATool || strings.Join(c.SignToolClasses, ",") != "КС1,КС2" ||
		c.IdentificationKind != "personal" || c.PrivateKeyUsage == nil || c.PrivateKeyUsage.NotAfter == nil {
		t.Fatalf("qualified %+v, certificate %+v", sig.Qualified, c)
	}
	var ru, en bytes.Buffer
	rep.WriteText(&ru, Russian)
	rep.WriteText(&en, English)
	for _, want := range []string{"Средство ЭП владельца: «" + c.SubjectSignTool + "»; класс средства ЭП КС1, КС2",
		"Средства УЦ: «" + c.IssuerSignTool.SignTool + "» (заключение ", "Идентификация владельца: " + pki.IdentifiedInPerson.String(),
		"Срок действия ключа подписи: с "} {
		if !strings.Contains(ru.String(), want) {
			t.Errorf("Russian text lacks %q:\n%s", want, ru.String())
		}
	}
	for _, want := range []string{"Holder's crypto tool: «", "crypto tool class КС1, КС2", "Holder identified: personal", "Private key usage period: from "} {
		if !strings.Contains(en.String(), want) {
			t.Errorf("English text lacks %q:\n%s", want, en.String())
		}
	}

	long := strings.Repeat("я", maxSignTool+1)
	for _, c := range []struct {
		name string
		edit func(*pki.Template)
		want []string // the problems, in order
	}{
		{"no subjectSignTool", func(t *pki.Template) { t.SubjectSignTool = "" }, []string{"lacks subjectSignTool"}},
		{"blank subjectSignTool", func(t *pki.Template) { t.SubjectSignTool = "   " }, []string{"lacks subjectSignTool"}},
		{"long subjectSignTool", func(t *pki.Template) { t.SubjectSignTool = long }, []string{"201 characters, more than 200"}},
		{"no issuerSignTool", func(t *pki.Template) { t.IssuerSignTool = nil }, []string{"lacks issuerSignTool"}},
		{"issuerSignTool without the CA tool's conformity", func(t *pki.Template) {
			ist := *t.IssuerSignTool
			ist.CAToolCert = ""
			t.IssuerSignTool = &ist
		}, []string{"has an empty cAToolCert"}},
		{"no class policy", func(t *pki.Template) { t.SignToolClasses = nil }, []string{"names no sign-tool class"}},
		{"only other policies", func(t *pki.Template) {
			t.SignToolClasses, t.Policies = nil, []asn1.ObjectIdentifier{{2, 5, 29, 32, 0}}
		}, []string{"names no sign-tool class"}},
		{"an unknown class beside КС1", func(t *pki.Template) {
			t.SignToolClasses, t.Policies = []pki.SignToolClass{pki.KC1}, []asn1.ObjectIdentifier{{1, 2, 643, 100, 113, 7}}
		},
			[]string{"unknown sign-tool class policy 1.2.643.100.113.7"}},
		{"КА1 alone", func(t *pki.Template) { t.SignToolClasses = []pki.SignToolClass{pki.KA1} }, nil},
	} {
		_, sigX := qualifiedCert(t, f, c.edit)
		s := run(t, sigX, content, Options{Trust: s}).Signatures[0]
		q := s.Qualified
		if s.Code != CodeOK || q == nil || q.Qualified != (len(c.want) == 0) || len(q.Problems) != len(c.want) {
			t.Errorf("%s: %s %+v", c.name, s.Code, q)
			continue
		}
		for i, w := range c.want {
			if !strings.Contains(q.Problems[i], w) {
				t.Errorf("%s: problem %q, want %q", c.name, q.Problems[i], w)
			}
		}
	}
}

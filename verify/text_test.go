package verify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/pki"
)

// TestDetailPhrases: every English detail, filled with sample parameters,
// is translated by its own Russian form — no earlier, looser pattern takes
// it — with every parameter used and no fmt error.
func TestDetailPhrases(t *testing.T) {
	verb := regexp.MustCompile(`%[sqdv]`)
	seen := map[string]bool{}
	for i, ph := range detailPhrases {
		if seen[ph[0]] {
			t.Errorf("%q twice", ph[0])
		}
		seen[ph[0]] = true
		var args []any
		n := 0
		en := verb.ReplaceAllStringFunc(ph[0], func(v string) string {
			n++
			a := fmt.Sprintf("P%d", n)
			args = append(args, a)
			if v == "%d" {
				a = fmt.Sprint(100 + n)
				args[len(args)-1] = a
			}
			if v == "%q" {
				return fmt.Sprintf("%q", a)
			}
			return a
		})
		want := fmt.Sprintf(ph[1], args...)
		got := LocalizeDetail(en, Russian)
		if got != want || strings.Contains(got, "%!") {
			t.Errorf("phrase %d %q: got %q, want %q", i, en, got, want)
		}
		if !strings.Contains(ph[1], "%[") {
			for _, a := range args {
				if !strings.Contains(got, a.(string)) && !strings.HasPrefix(ph[0], "pki: ") {
					t.Errorf("phrase %d %q: parameter %s lost in %q", i, en, a, got)
				}
			}
		}
		if LocalizeDetail(en, English) != en {
			t.Errorf("phrase %d: English changed", i)
		}
	}
	// Nested details are translated inside; unknown ones are kept.
	d := "signature 2: the signer's certificate was revoked on 2026-11-23T10:00:00Z"
	if got := LocalizeDetail(d, Russian); got != "подпись 2: сертификат подписанта отозван 2026-11-23T10:00:00Z" {
		t.Errorf("nested: %q", got)
	}
	if got := LocalizeDetail("something new", Russian); got != "something new" {
		t.Errorf("unknown: %q", got)
	}
	d = `pki: CERT_EXPIRED: certificate "Иванов Иван" (serial 1F): expired 2025-01-01T00:00:00Z, checked at 2026-01-01T00:00:00Z`
	if got := LocalizeDetail(d, Russian); got != "сертификат «Иванов Иван» (серийный номер 1F): срок действия истёк 2025-01-01T00:00:00Z, проверка на 2026-01-01T00:00:00Z" {
		t.Errorf("path error: %q", got)
	}
}

// TestReportLanguage: the Russian text of a report has no English detail
// where a Russian form is known, and JSON keeps detail and adds detailRu.
func TestReportLanguage(t *testing.T) {
	f := newFixture(t)
	revoked := f.crl(t, f.p.CA, pki.RevokedCertificate{SerialNumber: f.p.Signer.Cert.SerialNumber, RevocationTime: time.Now().Add(-30 * time.Second), ReasonCode: 1})
	rep := run(t, f.sig, content, Options{Roots: f.roots, CRLs: []*pki.RevocationList{revoked}})
	s := rep.Signatures[0]
	if s.Code != CodeCertRevoked {
		t.Fatalf("%s %s", s.Code, s.Detail)
	}
	// As a trust store of PEM files reports it (trust_test.go runs that path).
	rep.Signatures[0].Qualified = qualifiedStatus(f.p.Signer.Cert, nil, time.Now())
	var ru, en bytes.Buffer
	rep.WriteText(&ru, Russian)
	rep.WriteText(&en, English)
	for _, want := range []string{"[CERT_REVOKED] — сертификат подписанта отозван 20",
		"Квалифицированная электронная подпись: нет (доверенный корень не из перечня аккредитованных УЦ)"} {
		if !strings.Contains(ru.String(), want) {
			t.Errorf("Russian text lacks %q:\n%s", want, ru.String())
		}
	}
	for _, bad := range []string{"the signer's", "the trust anchor"} {
		if strings.Contains(ru.String(), bad) {
			t.Errorf("Russian text has %q:\n%s", bad, ru.String())
		}
	}
	if !strings.Contains(en.String(), "— the signer's certificate was revoked on 20") ||
		!strings.Contains(en.String(), "(the trust anchor is not from the list of accredited CAs)") {
		t.Errorf("English text:\n%s", en.String())
	}

	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Signatures []struct {
			Code      string `json:"code"`
			Detail    string `json:"detail"`
			DetailRu  string `json:"detailRu"`
			Qualified struct {
				Problems   []string `json:"problems"`
				ProblemsRu []string `json:"problemsRu"`
			} `json:"qualified"`
			Certificate struct {
				Serial string `json:"serial"`
			} `json:"certificate"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	js := back.Signatures[0]
	if js.Code != "CERT_REVOKED" || js.Detail != s.Detail || !strings.HasPrefix(js.DetailRu, "сертификат подписанта отозван ") ||
		js.Certificate.Serial == "" || len(js.Qualified.Problems) != 1 ||
		strings.Join(js.Qualified.ProblemsRu, "") != "доверенный корень не из перечня аккредитованных УЦ" {
		t.Fatalf("JSON: %s", data)
	}
	// A warning carries detailRu too; an unknown detail adds nothing.
	w, _ := json.Marshal(Warning{Code: CodeRevocationNotChecked, Detail: "no revocation lists were given; revocation was not checked"})
	if !strings.Contains(string(w), `"detailRu":"списки отзыва не переданы, отзыв не проверялся"`) || !strings.Contains(string(w), `"code":"REVOCATION_NOT_CHECKED"`) {
		t.Errorf("warning JSON: %s", w)
	}
	if w, _ := json.Marshal(Warning{Code: "X", Detail: "new"}); string(w) != `{"code":"X","detail":"new"}` {
		t.Errorf("warning JSON: %s", w)
	}
}

// BenchmarkLocalizeDetail: the cost JSON pays per detail (detailRu).
func BenchmarkLocalizeDetail(b *testing.B) {
	ds := []string{"no revocation lists were given; revocation was not checked",
		"signature 2: the signer's certificate was revoked on 2026-11-23T10:00:00Z", "an English sentence nobody translated"}
	for b.Loop() {
		for _, d := range ds {
			LocalizeDetail(d, Russian)
		}
	}
}

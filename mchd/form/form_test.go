package form

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/podpis/podpis/internal/osslgost"
	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/pdf"
)

func TestQRPayloadRoundTrip(t *testing.T) {
	d, raw := readSample(t, sampleTax)
	p := QRPayload(raw, d)
	want := "https://m4d.nalog.gov.ru/emchd/check-status?guid=5f7737eb-d23c-498f-826f-1dcae0eaee34#streebog256=" + Hash(raw)
	if p != want {
		t.Fatalf("payload\n%s\nwant\n%s", p, want)
	}
	guid, hash, err := ParseQRPayload(p)
	if err != nil || guid != d.Info().GUID || hash != Hash(raw) {
		t.Fatalf("ParseQRPayload = %q, %q, %v", guid, hash, err)
	}
	// One changed byte of the file changes the hash in the payload.
	other := bytes.Replace(raw, []byte("ВнНомДовер=\"301\""), []byte("ВнНомДовер=\"302\""), 1)
	if _, h2, _ := ParseQRPayload(QRPayload(other, d)); h2 == hash {
		t.Fatal("the payload does not depend on the file's bytes")
	}
}

// TestHashOpenSSL checks Hash against OpenSSL's GOST engine, an independent
// Streebog implementation.
func TestHashOpenSSL(t *testing.T) {
	osslgost.Require(t)
	_, raw := readSample(t, sampleKlass)
	out := string(osslgost.Run(t, raw, "dgst", "-md_gost12_256", "-r"))
	if got := strings.Fields(out); len(got) == 0 || got[0] != Hash(raw) {
		t.Fatalf("openssl: %q, Hash: %s", out, Hash(raw))
	}
}

func TestParseQRPayloadRejects(t *testing.T) {
	good := mchd.StatusURL("5f7737eb-d23c-498f-826f-1dcae0eaee34") + HashMarker + strings.Repeat("ab", 32)
	if _, _, err := ParseQRPayload(good); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]string{
		"empty":          "",
		"other host":     strings.Replace(good, "m4d.nalog.gov.ru", "m4d.example.ru", 1),
		"upper EMCHD":    strings.Replace(good, "/emchd/", "/EMCHD/", 1),
		"no marker":      mchd.StatusURL("5f7737eb-d23c-498f-826f-1dcae0eaee34"),
		"upper GUID":     strings.Replace(good, "5f7737eb", "5F7737EB", 1),
		"bad GUID":       strings.Replace(good, "5f7737eb-", "5f7737eb", 1),
		"upper hex":      strings.Replace(good, "abab", "ABAB", 1),
		"short hash":     good[:len(good)-2],
		"long hash":      good + "00",
		"trailing line":  good + "\n",
		"other hash alg": strings.Replace(good, "streebog256", "sha256", 1),
		"huge":           good + strings.Repeat("0", 1000),
	} {
		if _, _, err := ParseQRPayload(s); !errors.Is(err, ErrPayload) {
			t.Errorf("%s: err = %v, want ErrPayload", name, err)
		}
	}
}

// TestCodeNamesFromSamples grounds codeNames: every entry is a code the
// real files of FORMAT.md §12 carry, with the same name.
func TestCodeNamesFromSamples(t *testing.T) {
	var all []byte
	for _, p := range []string{sampleTax, sampleKlass} {
		_, raw := readSample(t, p)
		all = append(all, raw...)
	}
	for code, name := range codeNames {
		esc := strings.ReplaceAll(name, `"`, "&quot;")
		pats := []string{
			`КодПолн="` + regexp.QuoteMeta(code) + `" НаимПолн="` + regexp.QuoteMeta(esc) + `"`,
			`КодОгр="` + regexp.QuoteMeta(code) + `" НаимОгр="` + regexp.QuoteMeta(esc) + `"`,
			`НаимЗначОгр="` + regexp.QuoteMeta(esc) + `">\s*<КодЗначОгр>` + regexp.QuoteMeta(code) + `<`,
		}
		found := false
		for _, p := range pats {
			if regexp.MustCompile(p).Match(all) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s %q is not in the samples", code, name)
		}
	}
	if len(codeNames) < 40 {
		t.Errorf("codeNames has %d entries", len(codeNames))
	}
}

func TestNames(t *testing.T) {
	f := &form{}
	if got := f.name("2_FNS21", "Подписывать документы (информацию)"); got != "Подписывать документы (информацию)" {
		t.Errorf("document name not kept: %q", got)
	}
	if got := f.name("2_FNS21", " "); !strings.HasPrefix(got, "Подписывать документы (информацию) (наименование по классификатору") {
		t.Errorf("table name not used: %q", got)
	}
	if got := f.name("ZZZ_UNKNOWN", ""); got != "наименование не указано" {
		t.Errorf("unknown code: %q", got)
	}
	f.en = true
	if got := f.name("ZZZ_UNKNOWN", ""); got != "name not given" {
		t.Errorf("unknown code, en: %q", got)
	}
}

func TestSignaturesRefuseOtherBytes(t *testing.T) {
	_, raw := readSample(t, sampleKlass)
	sig, sigs := sign(t, raw, true)
	if len(sigs) != 2 || sigs[0].Certificate == nil || sigs[0].SigningTime.IsZero() || !bytes.Equal(sigs[0].File, sig) {
		t.Fatalf("Signatures: %+v", sigs)
	}
	other := append(bytes.Clone(raw), ' ')
	if _, err := Signatures(sig, other, "x.sig"); !errors.Is(err, ErrSignature) || !strings.Contains(err.Error(), "CONTENT_MISMATCH") {
		t.Errorf("signature over other bytes: %v", err)
	}
	if _, err := Signatures([]byte("not a signature"), raw, "x.sig"); err == nil {
		t.Error("garbage accepted as a signature")
	}
}

func TestRenderRefuses(t *testing.T) {
	d, raw := readSample(t, sampleTax)
	for name, c := range map[string]func() error{
		"nil document": func() error { _, err := RenderBytes(nil, raw, nil, Options{}); return err },
		"no bytes":     func() error { _, err := RenderBytes(&mchd.Document{POA: d.POA}, nil, nil, Options{}); return err },
		"language":     func() error { _, err := RenderBytes(d, raw, nil, Options{Lang: "de"}); return err },
		"no cert":      func() error { _, err := RenderBytes(d, raw, []Signature{{}}, Options{}); return err },
	} {
		if c() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestDeterministic(t *testing.T) {
	d, raw := readSample(t, sampleKlass)
	_, sigs := sign(t, raw, false)
	for _, attach := range []bool{false, true} {
		a := render(t, d, raw, sigs, Options{Attach: attach})
		b := render(t, d, raw, sigs, Options{Attach: attach})
		if !bytes.Equal(a, b) {
			t.Errorf("attach=%v: two renderings differ", attach)
		}
	}
}

// TestSizes: a typical form is one small page; 300 powers paginate and
// stay far below the 5 MB limit.
func TestSizes(t *testing.T) {
	t.Run("typical", func(t *testing.T) {
		typical := build(t, mchd.PrincipalRussianEntity)
		typical.POA.Representatives = typical.POA.Representatives[2:3]
		d, raw := marshal(t, typical)
		_, sigs := sign(t, raw, false)
		out := render(t, d, raw, sigs, Options{})
		if n := pages(out); n != 1 || len(out) > 100<<10 {
			t.Errorf("typical form: %d pages, %d bytes; want 1 page under 100 KB", n, len(out))
		}
	})
	t.Run("300 powers", func(t *testing.T) {
		d, raw := marshal(t, manyPowers(t, 300))
		_, sigs := sign(t, raw, true)
		out := render(t, d, raw, sigs, Options{Attach: true})
		if n := pages(out); n < 8 || len(out) > pdf.MaxSize {
			t.Errorf("300 powers: %d pages, %d bytes", n, len(out))
		}
		t.Logf("300 powers: %d pages, %d bytes", pages(out), len(out))
	})
}

func pages(b []byte) int { return bytes.Count(b, []byte("/Type /Page /Parent")) }

// BenchmarkRenderMCHD renders a typical two-page form: the KLASS 2.0 sample
// (12 powers with restrictions) with two signature stamps.
func BenchmarkRenderMCHD(b *testing.B) {
	d, raw := readSample(b, sampleKlass)
	_, sigs := sign(b, raw, true)
	out, err := RenderBytes(d, raw, sigs, Options{Created: testCreated})
	if err != nil {
		b.Fatal(err)
	}
	if n := pages(out); n != 2 {
		b.Fatalf("%d pages, want the typical 2", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RenderBytes(d, raw, sigs, Options{Created: testCreated}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTooLarge: a form that would pass 5 MB (here: attaching a 6 MB
// signature file) is refused, never written oversized.
func TestTooLarge(t *testing.T) {
	d, raw := readSample(t, sampleKlass)
	_, sigs := sign(t, raw, false)
	big := make([]byte, 6<<20)
	rand.NewChaCha8([32]byte{1}).Read(big) // incompressible
	sigs[0].File = big
	if _, err := RenderBytes(d, raw, sigs, Options{Attach: true, Created: testCreated}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	var w bytes.Buffer
	if err := Render(&w, d, raw, sigs, Options{Attach: true, Created: testCreated}); !errors.Is(err, ErrTooLarge) || w.Len() != 0 {
		t.Fatalf("Render: err = %v, %d bytes written", err, w.Len())
	}
}

// BenchmarkRender300Powers renders the 300-power form (11 pages).
func BenchmarkRender300Powers(b *testing.B) {
	d, raw := marshal(b, manyPowers(b, 300))
	_, sigs := sign(b, raw, false)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RenderBytes(d, raw, sigs, Options{Created: testCreated}); err != nil {
			b.Fatal(err)
		}
	}
}

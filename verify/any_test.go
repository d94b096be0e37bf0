package verify

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/pdf/pdfsign"
)

func runAny(t *testing.T, opts AnyOptions, in ...Input) *Result {
	t.Helper()
	res, err := Any(context.Background(), in, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(res); err != nil {
		t.Fatal(err)
	}
	return res
}

func wantResult(t *testing.T, res *Result, kind Kind, ind Indication, code Code) {
	t.Helper()
	if res.Kind != kind || res.Indication != ind || res.Code != code {
		t.Fatalf("got %s %s %s (%s), want %s %s %s", res.Kind, res.Indication, res.Code, res.Detail, kind, ind, code)
	}
}

func roles(res *Result) string {
	var parts []string
	for _, r := range res.Files {
		parts = append(parts, r.Name+"="+r.Role)
	}
	return strings.Join(parts, " ")
}

// A detached signature in every wrapping, given before or after its
// document, pairs with it by its messageDigest and passes; an attached one
// passes alone; names mean nothing.
func TestAnyCMS(t *testing.T) {
	f := newFixture(t)
	opts := AnyOptions{}
	opts.Roots = f.roots
	pemSig := pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: f.sig})
	b64 := []byte(base64.StdEncoding.EncodeToString(f.sig) + "\r\n")
	other := []byte("another document")
	for name, sig := range map[string][]byte{"der": f.sig, "pem": pemSig, "base64": b64} {
		t.Run(name, func(t *testing.T) {
			res := runAny(t, opts, Input{"doc.pdf", content}, Input{"x.txt", sig})
			wantResult(t, res, KindCMS, TotalPassed, CodeOK)
			if got := roles(res); got != "x.txt=signature doc.pdf=document" {
				t.Fatalf("roles %q", got)
			}
			res = runAny(t, opts, Input{"a.sig", sig}, Input{"b", content})
			wantResult(t, res, KindCMS, TotalPassed, CodeOK)
			if res.CMS == nil || res.CMS.File != "a.sig" || res.CMS.Signatures[0].Signer == nil {
				t.Fatalf("CMS report %+v", res.CMS)
			}
		})
	}
	attached, err := cms.Sign(bytes.NewReader(content), cms.SignerConfig{Signer: f.p.Signer.Key, Certificate: f.p.Signer.Cert}, cms.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, runAny(t, opts, Input{"a.p7s", attached}), KindCMS, TotalPassed, CodeOK)

	// A changed document matches no digest; being the only document it is
	// still checked against the signature, which fails.
	res := runAny(t, opts, Input{"doc", append([]byte("x"), content...)}, Input{"doc.sig", f.sig})
	wantResult(t, res, KindCMS, TotalFailed, CodeContentMismatch)
	// A detached signature alone is undecided: the document is missing.
	wantResult(t, runAny(t, opts, Input{"doc.sig", f.sig}), KindCMS, Indeterminate, CodeContentMissing)

	// Among two documents the digest finds the signed one; the other is
	// reported, not silently ignored.
	_, err = Any(context.Background(), []Input{{"other", other}, {"s", f.sig}, {"doc", content}}, opts)
	if !errors.Is(err, ErrUnrecognized) || !strings.Contains(err.Error(), "other") {
		t.Fatalf("an unsigned extra file: %v", err)
	}
}

// The real-world signatures sniff as CMS whatever their wrapping (BER with
// indefinite lengths, PEM, DER), and the Rutoken detached signature finds its
// content by digest.
func TestAnyRealWorld(t *testing.T) {
	dir := filepath.Join(realworldDir, "cms")
	names, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(names) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatalf("real-world artefacts required in CI: %v", err)
		}
		t.Skipf("skipping: real-world artefacts not available in %s", dir)
	}
	var in []Input
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		want := KindCMS
		if strings.HasSuffix(n, ".content") {
			want = KindData
		}
		if got := Sniff(data); got != want {
			t.Errorf("%s: sniffed %s, want %s", filepath.Base(n), got, want)
		}
		if strings.HasPrefix(filepath.Base(n), "rutoken-bc-detached-256B") {
			in = append(in, Input{filepath.Base(n), data})
		}
	}
	if len(in) != 2 {
		t.Fatalf("rutoken pair: %d files", len(in))
	}
	res := runAny(t, AnyOptions{}, in[1], in[0])
	if got := roles(res); got != "rutoken-bc-detached-256B.p7s=signature rutoken-bc-detached-256B.content=document" {
		t.Fatalf("roles %q", got)
	}
	// The signature and content hold; its certificate has expired and
	// chains to no root given here: undecided, not failed.
	if res.Indication != Indeterminate || res.CMS.Signatures[0].Signer == nil {
		t.Fatalf("got %s %s (%s)", res.Indication, res.Code, res.Detail)
	}
}

func TestAnyPDF(t *testing.T) {
	f := newPDFFixture(t)
	signed := signPDF(t, f.doc, f.signer, pdfsign.Options{Reason: "Согласовано"})
	opts := AnyOptions{}
	opts.Roots = f.roots
	res := runAny(t, opts, Input{"act.bin", signed})
	wantResult(t, res, KindPDF, TotalPassed, CodeOK)
	if res.PDF == nil || len(res.PDF.Signatures) != 1 {
		t.Fatalf("PDF report %+v", res.PDF)
	}
	// A byte changed inside the signed range fails it.
	bad := bytes.Clone(signed)
	i := bytes.Index(bad, []byte("Title"))
	bad[i] ^= 1
	res = runAny(t, opts, Input{"act.pdf", bad})
	if res.Indication != TotalFailed {
		t.Fatalf("tampered PDF: %s %s %s", res.Indication, res.Code, res.Detail)
	}
	// An unsigned PDF is a failed check, not an error.
	wantResult(t, runAny(t, opts, Input{"plain.pdf", f.doc}), KindPDF, TotalFailed, CodeFormatFailure)
}

// A POA with its signature is checked as a POA; a document signed by the
// POA's representative is checked together with it: the person, the power
// asked and the term.
func TestAnyRepresentative(t *testing.T) {
	f := newMCHDFixture(t)
	d := f.poa(t, today().AddDate(0, 0, -1), 30)
	file := f.file(t, d, f.p.Signer)
	doc := []byte("Счёт-фактура № 7")
	byPerson := signBytes(t, f.p.Person, doc)
	bySigner := signBytes(t, f.p.Signer, doc)
	opts := AnyOptions{}
	opts.Roots = f.roots
	poa := Input{file.Name, file.XML}
	poaSig := Input{file.Name + ".sig", file.Signature}

	res := runAny(t, opts, poaSig, poa)
	wantResult(t, res, KindMCHD, TotalPassed, CodeOK)
	if res.MCHD == nil || res.MCHD.POA == nil || res.MCHD.Answer != nil {
		t.Fatalf("POA report %+v", res.MCHD)
	}

	opts.Power = "KLASS_2.0_SIGN"
	res = runAny(t, opts, Input{"invoice.xml", doc}, Input{"invoice.xml.sig", byPerson}, poa, poaSig)
	wantResult(t, res, KindRepresentative, TotalPassed, CodeOK)
	if got := roles(res); got != "invoice.xml.sig=signature invoice.xml=document "+file.Name+"=mchd "+file.Name+".sig=mchd-signature" {
		t.Fatalf("roles %q", got)
	}
	if res.MCHD.Answer == nil || !res.MCHD.Answer.Allowed || res.CMS.Signatures[0].Signer.SNILS == "" {
		t.Fatalf("answer %+v", res.MCHD.Answer)
	}

	opts.Power = "NOT_GRANTED"
	wantResult(t, runAny(t, opts, Input{"d", doc}, Input{"s", byPerson}, poa, poaSig), KindRepresentative, TotalFailed, CodeMCHDPowerMissing)

	// The head signed, not the representative.
	opts.Power = "KLASS_2.0_SIGN"
	wantResult(t, runAny(t, opts, Input{"d", doc}, Input{"s", bySigner}, poa, poaSig), KindRepresentative, TotalFailed, CodeMCHDNotRepresentative)

	// Without a power code the person is checked and the report warns.
	opts.Power = ""
	res = runAny(t, opts, Input{"d", doc}, Input{"s", byPerson}, poa, poaSig)
	wantResult(t, res, KindRepresentative, TotalPassed, CodeOK)
	if len(res.Warnings) != 1 || res.Warnings[0].Code != CodeMCHDPowerNotChecked {
		t.Fatalf("warnings %+v", res.Warnings)
	}
	wantResult(t, runAny(t, opts, Input{"d", doc}, Input{"s", bySigner}, poa, poaSig), KindRepresentative, TotalFailed, CodeMCHDNotRepresentative)

	// A POA that starts tomorrow does not cover a document signed today.
	later := f.poa(t, today().AddDate(0, 0, 1), 30)
	lf := f.file(t, later, f.p.Signer)
	opts.At = time.Now().AddDate(0, 0, 2)
	opts.Power = "KLASS_2.0_SIGN"
	res = runAny(t, opts, Input{"d", doc}, Input{"s", byPerson}, Input{lf.Name, lf.XML}, Input{"p.sig", lf.Signature})
	wantResult(t, res, KindRepresentative, TotalFailed, CodeMCHDSignedOutsideTerm)
}

// Garbage and combinations that make no signed object are one clear error.
func TestAnyUnrecognized(t *testing.T) {
	f := newFixture(t)
	for name, in := range map[string][]Input{
		"none":      nil,
		"empty":     {{"e", nil}},
		"text":      {{"note.txt", []byte("просто текст")}},
		"two docs":  {{"a", []byte("a")}, {"b", []byte("b")}},
		"two sigs":  {{"a.sig", f.sig}, {"b.sig", f.sig}},
		"two POAs":  {{"a.xml", []byte("<Доверенность/>")}, {"b.xml", []byte("<Доверенность/>")}},
		"truncated": {{"x.sig", f.sig[:len(f.sig)/2]}},
	} {
		_, err := Any(context.Background(), in, AnyOptions{})
		if !errors.Is(err, ErrUnrecognized) {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error spans lines: %q", name, err)
		}
	}
}

func TestSniff(t *testing.T) {
	for data, want := range map[string]Kind{
		"%PDF-1.7\n":            KindPDF,
		"junk before\n%PDF-1.4": KindPDF,
		"\ufeff<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n<Доверенность ВерсФорм=\"EMCHD_1\">": KindMCHD,
		"<Доверенность xmlns=\"urn:x\"/>": KindMCHD,
		"<Счёт/>": KindData,
		"":        KindData,
		"0":       KindData,
		"-----BEGIN CMS-----\n-----END CMS-----\n": KindData,
	} {
		if got := Sniff([]byte(data)); got != want {
			t.Errorf("Sniff(%q) = %s, want %s", data, got, want)
		}
	}
	// Format 002 is windows-1251: still a power of attorney, which the
	// check then refuses as not EMCHD_1.
	cp1251 := append([]byte(`<?xml version="1.0" encoding="windows-1251"?>`+"\n"), rootCP1251...)
	cp1251 = append(cp1251, []byte(` ВерсФорм="002"/>`)...)
	if got := Sniff(cp1251); got != KindMCHD {
		t.Errorf("format 002: %s", got)
	}
	res, err := Any(context.Background(), []Input{{"ON_DOVBB_1.xml", cp1251}}, AnyOptions{})
	if err != nil || res.Kind != KindMCHD || res.Indication != TotalFailed || res.Code != CodeMCHDFormat {
		t.Errorf("format 002 checked: %+v, %v", res, err)
	}
	// The real EMCHD_1 samples.
	names, _ := filepath.Glob(filepath.Join(specMCHD, "*.xml"))
	if len(names) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatalf("the МЧД samples are required in CI (%s)", specMCHD)
		}
		t.Skipf("skipping the samples: none in %s", specMCHD)
	}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if got := Sniff(data); got != KindMCHD {
			t.Errorf("%s: %s", filepath.Base(n), got)
		}
	}
}

// FuzzAny: any bytes, split into up to three files, give a Result or an
// error, never a panic, and a Result always has a verdict. The committed
// corpus (testdata/fuzz/FuzzAny) holds a detached signature in DER and PEM
// with its document, a POA with its signature, a representative's document
// with both, and a PDF, all from a devpki test PKI.
func FuzzAny(f *testing.F) {
	f.Add([]byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<</Root 1 0 R>>\n%%EOF\n"), []byte{}, []byte{})
	f.Add([]byte(`<?xml version="1.0"?><Доверенность ВерсФорм="EMCHD_1"><Документ/></Доверенность>`), []byte{}, []byte{})
	f.Add([]byte{0x30, 0x80, 0x06, 0x09}, []byte("a"), []byte("b"))
	f.Add([]byte("-----BEGIN CMS-----\nMAA=\n-----END CMS-----\n"), []byte("a"), []byte{})
	f.Fuzz(func(t *testing.T, a, b, c []byte) {
		var in []Input
		for i, d := range [][]byte{a, b, c} {
			if i == 0 || len(d) > 0 {
				in = append(in, Input{Name: string(rune('a' + i)), Data: d})
			}
		}
		res, err := Any(context.Background(), in, AnyOptions{})
		if err != nil {
			if res != nil {
				t.Fatal("a Result with an error")
			}
			return
		}
		if res.Indication == "" || res.Code == "" || len(res.Files) == 0 {
			t.Fatalf("incomplete result %+v", res)
		}
	})
}

package verify

import (
	"bytes"
	"context"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/podpis/podpis/pdf/pdfsign"
	"github.com/podpis/podpis/pki"
)

// htmlCase is a report to render and what its page must say.
type htmlCase struct {
	name    string
	res     *Result
	lang    Lang
	verdict string
	has     []string
}

func htmlCases(t *testing.T) []htmlCase {
	f := newMCHDFixture(t)
	d := f.poa(t, today().AddDate(0, 0, -1), 30)
	file := f.file(t, d, f.p.Signer)
	doc := []byte("Счёт-фактура № 7 от 23.11.2026")
	byPerson := signBytes(t, f.p.Person, doc)
	opts := AnyOptions{}
	opts.Roots = f.roots
	now := time.Now()
	crl, err := pki.CreateRevocationList(&pki.CRLTemplate{Number: big.NewInt(3), ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(24 * time.Hour)}, f.p.CA.Cert, f.p.CA.Key)
	if err != nil {
		t.Fatal(err)
	}
	l, err := pki.ParseRevocationList(crl)
	if err != nil {
		t.Fatal(err)
	}
	opts.CRLs = []*pki.RevocationList{l}
	opts.Power = "KLASS_2.0_SIGN"
	poa, poaSig := Input{file.Name, file.XML}, Input{file.Name + ".sig", file.Signature}
	rep := runAny(t, opts, Input{"Счёт-фактура 7.xml", doc}, Input{"Счёт-фактура 7.xml.sig", byPerson}, poa, poaSig)
	plain := runAny(t, opts, Input{"Договор поставки № 15-2026.txt", doc}, Input{"Договор поставки № 15-2026.txt.sig", byPerson})
	changed := runAny(t, opts, Input{"act.txt", append(doc, '!')}, Input{"act.txt.sig", byPerson})
	opts.Power = "NOT_GRANTED"
	denied := runAny(t, opts, Input{"d.xml", doc}, Input{"d.xml.sig", byPerson}, poa, poaSig)
	// The POA alone, checked against no trusted root: undecided.
	untrusted := runAny(t, AnyOptions{}, poa, poaSig)

	pf := newPDFFixture(t)
	signed := signPDF(t, pf.doc, pf.signer, pdfsign.Options{Reason: "Согласовано"})
	signed = signPDF(t, signed, pf.person, pdfsign.Options{Reason: "Ознакомлен"})
	popts := AnyOptions{}
	popts.Roots = pf.roots
	pdfRes := runAny(t, popts, Input{"Акт.pdf", signed})

	return []htmlCase{
		{"cms-valid-ru", plain, Russian, "ПОДПИСЬ ДЕЙСТВИТЕЛЬНА", []string{"ДОКУМЕНТ ПОДПИСАН ЭЛЕКТРОННОЙ ПОДПИСЬЮ", "СНИЛС", "Цепочка сертификатов", "СОС"}},
		{"cms-changed-en", changed, English, "SIGNATURE INVALID", []string{"CONTENT_MISMATCH", "the document was changed after signing", "SIGNED WITH AN ELECTRONIC SIGNATURE"}},
		{"representative-ru", rep, Russian, "ДОКУМЕНТ ПОДПИСАН ПРЕДСТАВИТЕЛЕМ В ПРЕДЕЛАХ ПОЛНОМОЧИЙ", []string{"KLASS_2.0_SIGN", "Доверенность " + strings.ToLower(d.Info().GUID), "ДА", "Проверки доверенности"}},
		{"representative-denied-ru", denied, Russian, "ПОДПИСЬ ПРЕДСТАВИТЕЛЯ НЕДЕЙСТВИТЕЛЬНА", []string{"MCHD_POWER_MISSING", "полномочие не предоставлено", "НЕТ"}},
		{"mchd-untrusted-en", untrusted, English, "VALIDITY OF THE POWER OF ATTORNEY NOT ESTABLISHED", []string{"CHAIN_UNTRUSTED", "no chain to a trusted root", "Principal"}},
		{"pdf-two-signatures-en", pdfRes, English, "SIGNATURE VALID", []string{"PDF signature 2", "covers the whole file but the signature", "Changes after signing"}},
	}
}

// The page is one self-contained file in the language asked, with the
// verdict and every stamp; nothing on it loads from elsewhere.
func TestWriteHTML(t *testing.T) {
	for _, c := range htmlCases(t) {
		var b bytes.Buffer
		if err := c.res.WriteHTML(&b, c.lang); err != nil {
			t.Fatal(err)
		}
		page := b.String()
		for _, want := range append([]string{c.verdict, `<html lang="` + string(c.lang) + `">`}, c.has...) {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the page lacks %q", c.name, want)
			}
		}
		for _, bad := range []string{"<script", "src=", "href=", "@import", "url("} {
			if strings.Contains(page, bad) {
				t.Errorf("%s: the page has %q", c.name, bad)
			}
		}
		sigs := 0
		if c.res.CMS != nil {
			sigs += len(c.res.CMS.Signatures)
		}
		if c.res.PDF != nil {
			sigs += len(c.res.PDF.Signatures)
		}
		if c.res.MCHD != nil && c.res.MCHD.Signature != nil {
			sigs += len(c.res.MCHD.Signature.Signatures)
		}
		if got := strings.Count(page, `<aside class="stamp`); got != sigs {
			t.Errorf("%s: %d stamps for %d signatures", c.name, got, sigs)
		}
	}
	// The other report types render through the same page.
	f := newFixture(t)
	cr := run(t, f.sig, content, Options{Roots: f.roots})
	var b bytes.Buffer
	if err := cr.WriteHTML(&b, ""); err != nil || !strings.Contains(b.String(), "ПОДПИСЬ ДЕЙСТВИТЕЛЬНА") {
		t.Fatalf("Report.WriteHTML: %v", err)
	}
}

// chromium finds Debian's Chromium: the test fails without it under CI and
// skips otherwise.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Chromium is required in CI (Debian package chromium)")
	}
	t.Skip("skipping: Chromium not installed (Debian package chromium)")
	return ""
}

// a4MediaBox matches an A4 page, 595.28 × 841.89 points (ISO 216), which
// Chromium writes as 594.96 × 841.92 (whole CSS pixels).
var a4MediaBox = regexp.MustCompile(`/MediaBox \[0 0 59[45]\.\d* 841\.\d*\]`)

// layout is what the browser measured.
type layout struct {
	DocWidth, ViewWidth float64
	Verdict             string
	Stamps, StampsShown int
	Overflow            []string
	PageHeight          float64
	// VerdictBackground is the verdict box's computed colour: the inline
	// style applied despite the page's Content-Security-Policy.
	VerdictBackground string
}

const measure = `(() => {
  const page = document.querySelector('main.page').getBoundingClientRect();
  const over = [];
  for (const el of document.querySelectorAll('main.page *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > page.right + 0.5 || r.left < page.left - 0.5)) {
      over.push(el.tagName + '.' + el.className + ': ' + (el.textContent || '').slice(0, 40));
    }
  }
  const stamps = [...document.querySelectorAll('.stamp')];
  const shown = stamps.filter(s => {
    const r = s.getBoundingClientRect(), cs = getComputedStyle(s);
    return r.width > 100 && r.height > 40 && cs.visibility === 'visible' && cs.display !== 'none';
  });
  return {
    docWidth: document.documentElement.scrollWidth, viewWidth: window.innerWidth,
    verdict: document.querySelector('#verdict .verdict-text').textContent.trim(),
    stamps: stamps.length, stampsShown: shown.length, overflow: over.slice(0, 10),
    pageHeight: document.documentElement.scrollHeight,
    verdictBackground: getComputedStyle(document.querySelector('#verdict')).backgroundColor,
  };
})()`

// Each page loaded from a file in headless Chromium: no horizontal
// overflow (the document is no wider than the window, no element sticks out
// of the page), the verdict is the one expected, every stamp is visible. The
// screenshots go to $PODPIS_HTML_SHOTS when set, to be looked at.
func TestHTMLInChromium(t *testing.T) {
	exe := chromium(t)
	dir := t.TempDir()
	shots := os.Getenv("PODPIS_HTML_SHOTS")
	allocOpts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("headless", "new"), chromedp.WindowSize(900, 1200), chromedp.Flag("blink-settings", "imagesEnabled=true"))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), allocOpts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel := context.WithTimeout(bctx, 3*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	for _, c := range htmlCases(t) {
		var b bytes.Buffer
		if err := c.res.WriteHTML(&b, c.lang); err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, c.name+".html")
		if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate("file://"+name), chromedp.WaitVisible("#verdict")); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[layout](measure))
		if err != nil {
			t.Fatalf("%s: measuring: %v", c.name, err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("%s: screenshot: %v", c.name, err)
		}
		if got.DocWidth > got.ViewWidth {
			t.Errorf("%s: the document is %v px wide in a %v px window", c.name, got.DocWidth, got.ViewWidth)
		}
		if len(got.Overflow) > 0 {
			t.Errorf("%s: elements stick out of the page: %v", c.name, got.Overflow)
		}
		if got.Verdict != c.verdict {
			t.Errorf("%s: verdict %q, want %q", c.name, got.Verdict, c.verdict)
		}
		if bg := got.VerdictBackground; bg == "" || bg == "rgba(0, 0, 0, 0)" || bg == "rgb(255, 255, 255)" {
			t.Errorf("%s: the verdict has no colour (%q): the style was not applied", c.name, bg)
		}
		if got.Stamps == 0 || got.StampsShown != got.Stamps {
			t.Errorf("%s: %d of %d stamps visible", c.name, got.StampsShown, got.Stamps)
		}
		if len(png) < 1000 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
			t.Errorf("%s: no screenshot", c.name)
		}
		// Printed, the page takes the A4 size of its @page rule.
		printed, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
		if err != nil {
			t.Fatalf("%s: printing: %v", c.name, err)
		}
		if !bytes.HasPrefix(printed, []byte("%PDF-")) || !a4MediaBox.Match(printed) {
			t.Errorf("%s: the printout is not on A4 paper", c.name)
		}
		if shots != "" {
			if err := os.WriteFile(filepath.Join(shots, c.name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(shots, c.name+".html"), b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(shots, c.name+".pdf"), printed, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("%s: %vx%v px, %d stamps", c.name, got.DocWidth, got.PageHeight, got.Stamps)
	}
}

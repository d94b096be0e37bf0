package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/podpis/podpis/internal/osslgost"
	"github.com/podpis/podpis/pdf/pdfsign"
)

// The oracles of the PDF issue run over what the command line writes (the
// library's outputs have their own in pdf and pdf/pdfsign): PDFBox
// Preflight, qpdf --check, pdffonts, pdfinfo, pdftoppm + zbarimg, pdfsig and
// OpenSSL's GOST engine over the ByteRange-cut CMS. Each oracle is an
// external program: missing, it skips the test outside CI and fails it in CI.

// oracle returns the path of an external program (see tool in pdf).
func oracle(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s required in CI (make deps)", name)
		}
		t.Skipf("skipping: %s not installed", name)
	}
	return p
}

// podpis runs the command line in-process and fails the test unless it
// exits 0.
func podpis(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(args, nil, &out, &errb); code != 0 {
		t.Fatalf("podpis %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return string(out)
}

// preflightErrors runs PDFBox Preflight (shared spec/pdfa/PDFA2B.md §3,
// the exact command) and returns its error lines, sorted.
func preflightErrors(t *testing.T, file string) []string {
	t.Helper()
	java := oracle(t, "java")
	const j = "/usr/share/java/"
	if _, err := os.Stat(j + "preflight.jar"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("PDFBox Preflight (libpdfbox2-java) required in CI")
		}
		t.Skip("skipping: PDFBox Preflight not installed")
	}
	cp := j + strings.Join([]string{"preflight", "pdfbox2", "xmpbox", "fontbox2", "commons-logging", "javax.activation", "jaxb-api"}, ".jar:"+j) + ".jar"
	out, _ := exec.Command(java, "-cp", cp, "org.apache.pdfbox.preflight.Validator_A1b", file).CombinedOutput()
	var errs []string
	for line := range strings.SplitSeq(string(out), "\n") {
		if code, _, ok := strings.Cut(line, " : "); ok && code != "" && code[0] >= '0' && code[0] <= '9' {
			errs = append(errs, strings.TrimSpace(line))
		}
	}
	if len(errs) == 0 && !strings.Contains(string(out), "is a valid PDF/A-1b file") {
		t.Fatalf("Preflight gave no verdict:\n%s", out)
	}
	slices.Sort(errs)
	return slices.Compact(errs)
}

// onlyPartError says Preflight found nothing but "7.11.2 … part must be 1",
// which every PDF/A-2 file gets from the PDF/A-1b validator (PDFA2B.md §3).
func onlyPartError(t *testing.T, file string) {
	t.Helper()
	errs := preflightErrors(t, file)
	if len(errs) != 1 || !strings.HasPrefix(errs[0], "7.11.2 ") || !strings.Contains(errs[0], "part must be 1") {
		t.Errorf("%s: Preflight:\n%s", filepath.Base(file), strings.Join(errs, "\n"))
	}
}

func qpdfClean(t *testing.T, file string) {
	t.Helper()
	out, err := exec.Command(oracle(t, "qpdf"), "--check", file).CombinedOutput()
	if err != nil || bytes.Contains(bytes.ToLower(out), []byte("warning")) {
		t.Errorf("%s: qpdf --check: %v\n%s", filepath.Base(file), err, out)
	}
}

// longCyrillic is a QR payload of over 500 characters, mostly Cyrillic.
var longCyrillic = strings.Repeat("Доверенность № 77/2026 выдана ООО «Ромашка», ИНН 7708123450; ", 9)

// cliPDFs writes, with the command line, a Markdown document with a short
// QR code, one with a long Cyrillic one, and the first signed invisibly
// then visibly by a second signer.
func cliPDFs(t *testing.T) (dir string, files map[string]string) {
	t.Helper()
	dir = t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	md := "# Акт приёма-передачи\n\nНастоящий **акт** составлен в том, что исполнитель передал работы.\n\n" +
		"- Разработка\n- Тестирование\n\n| Работа | Сумма |\n|---|---|\n| Разработка | 100 000 ₽ |\n"
	if err := os.WriteFile(p("doc.md"), []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	podpis(t, "devpki", "--out", p("pki"))
	podpis(t, "pdf", "new", "--in", p("doc.md"), "--out", p("short.pdf"), "--title", "Акт", "--qr", "https://example.ru/check?id=42")
	podpis(t, "pdf", "new", "--in", p("doc.md"), "--out", p("long.pdf"), "--title", "Доверенность", "--qr", longCyrillic)
	podpis(t, "pdf", "sign", "--in", p("short.pdf"), "--out", p("s1.pdf"), "--key", p("pki/signer.key"), "--cert", p("pki/signer.pem"))
	podpis(t, "pdf", "sign", "--in", p("s1.pdf"), "--out", p("s2.pdf"), "--key", p("pki/person.key"), "--cert", p("pki/person.pem"), "--stamp", "--at", "110,20")
	return dir, map[string]string{"short": p("short.pdf"), "long": p("long.pdf"), "signed": p("s1.pdf"), "signed twice": p("s2.pdf")}
}

// The oracles over what pdf new and pdf sign write (one set of files).
func TestCLIPDFOracles(t *testing.T) {
	dir, files := cliPDFs(t)
	t.Run("files", func(t *testing.T) { cliFileOracles(t, files) })
	t.Run("qr", func(t *testing.T) { cliQRReadBack(t, dir, files) })
	t.Run("signatures", func(t *testing.T) { cliSignatureOracles(t, dir, files) })
}

// Preflight, qpdf, pdffonts and pdfinfo.
func cliFileOracles(t *testing.T, files map[string]string) {
	pdffonts, pdfinfo := oracle(t, "pdffonts"), oracle(t, "pdfinfo")
	for name, f := range files {
		t.Run(name, func(t *testing.T) {
			onlyPartError(t, f)
			qpdfClean(t, f)
			fonts := strings.Split(strings.TrimSpace(runTool(t, pdffonts, f)), "\n")
			if len(fonts) < 4 {
				t.Errorf("pdffonts lists too few fonts:\n%s", strings.Join(fonts, "\n"))
			}
			for _, l := range fonts[2:] {
				fl := strings.Fields(l)
				if len(fl) < 7 || fl[len(fl)-5] != "yes" {
					t.Errorf("font not embedded: %q", l)
				}
			}
			info := runTool(t, pdfinfo, f)
			for _, want := range []string{"Producer:        podpis", "Creator:         podpis pdf new", "Metadata Stream: yes",
				"JavaScript:      no", "Encrypted:       no", "PDF version:     1.7"} {
				if !strings.Contains(info, want) {
					t.Errorf("pdfinfo lacks %q:\n%s", want, info)
				}
			}
		})
	}
}

// pdftoppm at 300 dpi, then zbarimg: the QR codes pdf new draws read back
// to exactly the payload, short and long Cyrillic, on a signed file too.
func cliQRReadBack(t *testing.T, dir string, files map[string]string) {
	pdftoppm, zbarimg := oracle(t, "pdftoppm"), oracle(t, "zbarimg")
	if n := len([]rune(longCyrillic)); n < 500 {
		t.Fatalf("the long payload has %d characters", n)
	}
	for name, want := range map[string]string{"short": "https://example.ru/check?id=42", "long": longCyrillic, "signed twice": "https://example.ru/check?id=42"} {
		t.Run(name, func(t *testing.T) {
			png := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
			runTool(t, pdftoppm, "-r", "300", "-png", "-singlefile", files[name], png)
			out, err := exec.Command(zbarimg, "--raw", "-q", png+".png").Output()
			if err != nil {
				t.Fatalf("zbarimg: %v", err)
			}
			if got := strings.TrimSuffix(string(out), "\n"); got != want {
				t.Errorf("zbarimg read %q, want %q", got, want)
			}
		})
	}
}

// pdfsig lists both signature fields of the twice-signed file, and
// OpenSSL's GOST engine verifies each CMS cut out of /Contents against the
// bytes its ByteRange covers.
func cliSignatureOracles(t *testing.T, dir string, files map[string]string) {
	f := files["signed twice"]
	out, _ := exec.Command(oracle(t, "pdfsig"), f).CombinedOutput()
	for _, want := range []string{"Signature #1:", "Signature #2:", "Signature Field Name: Signature1", "Signature Field Name: Signature2"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("pdfsig lacks %q:\n%s", want, out)
		}
	}
	osslgost.Require(t)
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	sigs, err := pdfsign.Find(data)
	if err != nil || len(sigs) != 2 {
		t.Fatalf("%d signatures, %v", len(sigs), err)
	}
	for i, s := range sigs {
		content := filepath.Join(dir, "covered.bin")
		var covered []byte
		for _, b := range s.Signed {
			covered = append(covered, b...)
		}
		if err := os.WriteFile(content, covered, 0o600); err != nil {
			t.Fatal(err)
		}
		der := filepath.Join(dir, "sig.der")
		if err := os.WriteFile(der, trimDERPadding(t, s.Contents), 0o600); err != nil {
			t.Fatal(err)
		}
		osslgost.Run(t, nil, "cms", "-verify", "-binary", "-inform", "DER", "-in", der, "-content", content,
			"-CAfile", filepath.Join(dir, "pki", "ca.pem"), "-purpose", "any", "-out", os.DevNull)
		t.Logf("signature %d (%s): OpenSSL verified", i+1, s.Field)
	}
}

// trimDERPadding drops the zeros after the DER SEQUENCE in /Contents
// (OpenSSL reads one object and refuses trailing data).
func trimDERPadding(t *testing.T, b []byte) []byte {
	t.Helper()
	if len(b) < 2 || b[0] != 0x30 {
		t.Fatal("/Contents is not a DER SEQUENCE")
	}
	n, hdr := int(b[1]), 2
	if n&0x80 != 0 {
		k := n & 0x7f
		n = 0
		for i := range k {
			n = n<<8 | int(b[2+i])
		}
		hdr += k
	}
	return b[:hdr+n]
}

// Third-party files signed twice with the command line: a Ghostscript
// PDF/A-2b file, a file qpdf rewrote with object and cross-reference
// streams, and the real-world signed PDFs (Okular, Acrobat + CryptoPro).
// Preflight reports on each signed file exactly what it reported before,
// qpdf finds nothing, pdfsig lists the new fields beside the old ones, and
// pdf verify keeps the earlier signatures sound.
func TestCLIThirdPartyOracles(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	podpis(t, "devpki", "--out", p("pki"))
	if err := os.WriteFile(p("doc.txt"), []byte("Документ.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	podpis(t, "pdf", "new", "--in", p("doc.txt"), "--out", p("ours.pdf"))
	inputs := map[string]string{}
	gs := oracle(t, "gs")
	ps := p("in.ps")
	os.WriteFile(ps, []byte("%!PS\n/Helvetica findfont 24 scalefont setfont 72 700 moveto (Ghostscript) show\n0 0 1 setrgbcolor 72 500 200 100 rectfill showpage\n"), 0o644)
	runTool(t, gs, "-q", "-dPDFA=2", "-dBATCH", "-dNOPAUSE", "-sColorConversionStrategy=RGB", "-sDEVICE=pdfwrite",
		"-dPDFACompatibilityPolicy=1", "-sOutputFile="+p("gs.pdf"), ps)
	inputs["ghostscript"] = p("gs.pdf")
	runTool(t, oracle(t, "qpdf"), "--object-streams=generate", p("ours.pdf"), p("objstm.pdf"))
	inputs["object streams"] = p("objstm.pdf")
	for _, name := range []string{"okular-gost-bes.pdf", "acrobat-cryptopro-cades-xlt1.pdf"} {
		f := filepath.Join("..", "..", "..", "shared", "realworld", "pdf", name)
		if _, err := os.Stat(f); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("real-world artefacts required in CI: %v", err)
			}
			t.Logf("skipping %s: %v", name, err)
			continue
		}
		inputs[name] = f
	}
	pdfsig := oracle(t, "pdfsig")
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			before := preflightErrors(t, in)
			s1, s2 := p(name+".s1.pdf"), p(name+".s2.pdf")
			podpis(t, "pdf", "sign", "--in", in, "--out", s1, "--key", p("pki/signer.key"), "--cert", p("pki/signer.pem"))
			podpis(t, "pdf", "sign", "--in", s1, "--out", s2, "--key", p("pki/person.key"), "--cert", p("pki/person.pem"))
			after := preflightErrors(t, s2)
			if !slices.Equal(before, after) {
				t.Errorf("Preflight before signing:\n%s\nafter:\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
			}
			qpdfClean(t, s2)
			sigBefore, _ := exec.Command(pdfsig, in).CombinedOutput()
			sig, _ := exec.Command(pdfsig, s2).CombinedOutput()
			if n, m := strings.Count(string(sigBefore), "Signature Field Name:"), strings.Count(string(sig), "Signature Field Name:"); m != n+2 {
				t.Errorf("pdfsig lists %d fields, %d before signing twice:\n%s", m, n, sig)
			}
			var out, errb bytes.Buffer
			run([]string{"pdf", "verify", "--in", s2, "--trust", p("pki/ca.pem"), "--format", "json"}, nil, &out, &errb)
			if n := strings.Count(out.String(), `"byteRangeOK": true`); n < 2 {
				t.Errorf("pdf verify: %d sound ByteRanges:\n%s", n, out.String())
			}
			if strings.Contains(out.String(), "CONTENT_MISMATCH") || strings.Contains(out.String(), "SIGNATURE_INVALID") {
				t.Errorf("an earlier signature broke:\n%s", out.String())
			}
		})
	}
}

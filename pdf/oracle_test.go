package pdf

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// tool returns the path of an external program. Outside CI a missing tool
// skips the test; in CI (env CI set) it fails it.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not installed (make deps)", name)
		}
		t.Skipf("%s not installed; skipping (make deps installs it)", name)
	}
	return p
}

// writeSample writes a sample document into a temporary file.
func writeSample(t *testing.T, payload string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(p, sampleDoc(t, payload).Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func run(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func TestQPDFCheck(t *testing.T) {
	q := tool(t, "qpdf")
	out, err := run(t, q, "--check", writeSample(t, shortPayload))
	if err != nil || strings.Contains(strings.ToLower(out), "warning") || strings.Contains(strings.ToLower(out), "error:") {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
}

func TestPDFFontsEmbedded(t *testing.T) {
	pf := tool(t, "pdffonts")
	out, err := run(t, pf, writeSample(t, shortPayload))
	if err != nil {
		t.Fatalf("pdffonts: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 4 { // header, rule, regular, bold
		t.Fatalf("pdffonts lists too few fonts:\n%s", out)
	}
	for _, l := range lines[2:] {
		f := strings.Fields(l)
		// name type… encoding emb sub uni obj gen
		if len(f) < 7 || f[len(f)-5] != "yes" || f[len(f)-4] != "yes" || f[len(f)-3] != "yes" {
			t.Errorf("font not embedded, subset and mapped to Unicode: %q", l)
		}
	}
}

func TestPDFInfo(t *testing.T) {
	pi := tool(t, "pdfinfo")
	out, err := run(t, pi, "-isodates", writeSample(t, shortPayload))
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	for _, want := range []string{
		"Title:           Акт приёма-передачи документов",
		"Author:          Иванов Иван Иванович",
		"Producer:        podpis",
		"Metadata Stream: yes",
		"JavaScript:      no",
		"Encrypted:       no",
		"Pages:           1",
		"CreationDate:    2026-11-23T12:30:00+03",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, out)
		}
	}
}

func TestPDFToText(t *testing.T) {
	pt := tool(t, "pdftotext")
	out, err := run(t, pt, writeSample(t, shortPayload), "-")
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	for _, want := range []string{"Акт приёма-передачи документов № 17", "ЭЛЕКТРОННОЙ ПОДПИСЬЮ",
		"Владелец: Иванов Иван Иванович, ООО «Ромашка»", "Съешь", "Основание: договор поставки № 42 от 01.10.2026, счёт-фактура № 318.", "Страница 1 из 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("pdftotext lacks %q:\n%s", want, out)
		}
	}
}

// TestQRReadBack renders the page at 300 dpi and decodes the QR code with
// zbarimg (an independent decoder): it must give back exactly the payload.
func TestQRReadBack(t *testing.T) {
	ppm, zbar := tool(t, "pdftoppm"), tool(t, "zbarimg")
	if n := len([]rune(longPayload)); n < 500 {
		t.Fatalf("long payload has %d characters", n)
	}
	// The long payload also at the smallest size the writer accepts.
	atMin := func(t *testing.T) string {
		d := New(Options{Created: testCreated})
		m, err := MinQRSize(longPayload, QRMedium)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.QR(longPayload, m, Center, QRMedium); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), "min.pdf")
		os.WriteFile(p, d.Bytes(), 0o644)
		return p
	}
	for _, c := range []struct {
		name, payload string
		file          func(t *testing.T) string
	}{
		{"short", shortPayload, func(t *testing.T) string { return writeSample(t, shortPayload) }},
		{"long", longPayload, func(t *testing.T) string { return writeSample(t, longPayload) }},
		{"long-min-size", longPayload, atMin},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := c.file(t)
			png := filepath.Join(filepath.Dir(p), "page")
			if out, err := run(t, ppm, "-r", "300", "-png", "-singlefile", p, png); err != nil {
				t.Fatalf("pdftoppm: %v\n%s", err, out)
			}
			out, err := exec.Command(zbar, "--raw", "-q", "-Sbinary", png+".png").Output()
			if err != nil {
				t.Fatalf("zbarimg: %v", err)
			}
			if got := strings.TrimSuffix(string(out), "\n"); got != c.payload {
				t.Fatalf("zbarimg read %q, want %q", got, c.payload)
			}
		})
	}
}

// preflightCP returns the classpath of Apache PDFBox Preflight as
// PDFA2B.md §3 gives it, or "" (after a skip message) if it is missing
// outside CI.
func preflightCP(t *testing.T) string {
	t.Helper()
	j := "/usr/share/java/"
	var cp []string
	for _, jar := range []string{"preflight", "pdfbox2", "xmpbox", "fontbox2", "commons-logging", "javax.activation", "jaxb-api"} {
		if _, err := os.Stat(j + jar + ".jar"); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s.jar missing (make deps)", jar)
			}
			t.Logf("%s.jar missing; Preflight skipped (make deps installs it)", jar)
			return ""
		}
		cp = append(cp, j+jar+".jar")
	}
	return strings.Join(cp, ":")
}

// preflight runs Preflight's PDF/A-1b validator on file. The one error a
// PDF/A-2b file is expected to get from it is 7.11.2 (part must be 1).
func preflight(t *testing.T, java, cp, file string) {
	t.Helper()
	out, _ := run(t, java, "-cp", cp, "org.apache.pdfbox.preflight.Validator_A1b", file)
	codes := regexp.MustCompile(`(?m)^(\d+(?:\.\d+)*) : (.*)$`).FindAllStringSubmatch(out, -1)
	if len(codes) == 0 && !strings.Contains(out, "is a valid PDF/A-1b file") {
		t.Fatalf("preflight gave no verdict:\n%s", out)
	}
	for _, c := range codes {
		if c[1] != "7.11.2" {
			t.Errorf("preflight: %s : %s", c[1], c[2])
		}
	}
}

// checkOracles runs qpdf --check and Preflight on file, each if installed
// (in CI, a missing tool fails the test).
func checkOracles(t *testing.T, file string) {
	t.Helper()
	if q, err := exec.LookPath("qpdf"); err == nil {
		out, err := run(t, q, "--check", file)
		if err != nil || strings.Contains(strings.ToLower(out), "warning") {
			t.Errorf("qpdf --check: %v\n%s", err, out)
		}
	} else if os.Getenv("CI") != "" {
		t.Fatal("qpdf not installed (make deps)")
	}
	java, err := exec.LookPath("java")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("java not installed (make deps)")
		}
		t.Log("java not installed; Preflight skipped")
		return
	}
	if cp := preflightCP(t); cp != "" {
		preflight(t, java, cp, file)
	}
}

// TestPreflight runs Apache PDFBox Preflight as PDFA2B.md §3 says.
func TestPreflight(t *testing.T) {
	java := tool(t, "java")
	cp := preflightCP(t)
	if cp == "" {
		t.Skip("Preflight not installed")
	}
	for name, payload := range map[string]string{"short": shortPayload, "long": longPayload} {
		t.Run(name, func(t *testing.T) {
			preflight(t, java, cp, writeSample(t, payload))
		})
	}
}

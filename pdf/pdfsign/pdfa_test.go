package pdfsign

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
)

// preflight runs PDFBox Preflight (shared spec/pdfa/PDFA2B.md §3) and
// returns the sorted error lines.
func preflight(t *testing.T, data []byte) []string {
	t.Helper()
	java := tool(t, "java")
	const j = "/usr/share/java/"
	if _, err := os.Stat(j + "preflight.jar"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("PDFBox Preflight required in CI")
		}
		t.Skip("skipping: PDFBox Preflight not installed")
	}
	cp := strings.Join([]string{"preflight", "pdfbox2", "xmpbox", "fontbox2", "commons-logging", "javax.activation", "jaxb-api"}, ".jar:"+j)
	f := writeFile(t, "f.pdf", data)
	out, _ := exec.Command(java, "-cp", j+cp+".jar", "org.apache.pdfbox.preflight.Validator_A1b", f).CombinedOutput()
	var errs []string
	for line := range strings.SplitSeq(string(out), "\n") {
		if code, _, ok := strings.Cut(line, " : "); ok && code != "" && code[0] >= '0' && code[0] <= '9' {
			errs = append(errs, strings.TrimSpace(line))
		}
	}
	slices.Sort(errs)
	return slices.Compact(errs)
}

// Signing adds no PDF/A error: Preflight reports on the signed file
// exactly what it reported on the original, for our hand-made file and
// for one written by Ghostscript's PDF/A-2 converter.
func TestSignKeepsPDFA(t *testing.T) {
	p := gostPKI(t, gost3410.TC26256A)
	inputs := map[string][]byte{"minimal": minimalPDF(1, 0)}
	if icc, err := os.ReadFile("/usr/share/color/icc/sRGB.icc"); err == nil {
		inputs["minimal with sRGB intent"] = minimalPDFICC(1, 0, icc)
	}
	// A grey output intent: the stamp is drawn in DeviceGray.
	if icc, err := os.ReadFile("/usr/share/color/icc/Gray.icc"); err == nil {
		inputs["minimal with grey intent"] = minimalPDFICC(1, 0, icc)
	}
	if gs, err := exec.LookPath("gs"); err == nil {
		dir := t.TempDir()
		ps := filepath.Join(dir, "in.ps")
		os.WriteFile(ps, []byte("%!PS\n0 0 1 setrgbcolor 72 600 200 100 rectfill showpage\n"), 0o600)
		out := filepath.Join(dir, "out.pdf")
		if b, err := exec.Command(gs, "-q", "-dPDFA=2", "-dBATCH", "-dNOPAUSE", "-sColorConversionStrategy=RGB",
			"-sDEVICE=pdfwrite", "-dPDFACompatibilityPolicy=1", "-sOutputFile="+out, ps).CombinedOutput(); err != nil {
			t.Fatalf("gs: %v\n%s", err, b)
		}
		inputs["ghostscript"] = readFileT(t, out)
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			before := preflight(t, data)
			// An invisible signature, then a visible one (drawn in DeviceRGB,
			// which needs an RGB output intent).
			var st *Stamp
			if strings.HasPrefix(name, "minimal with") {
				st = &Stamp{Rect: [4]float64{300, 60, 560, 160}}
			}
			signed := mustSign(t, mustSign(t, data, p, Options{}), p, Options{Stamp: st})
			after := preflight(t, signed)
			t.Logf("Preflight: %q", after)
			if !slices.Equal(before, after) {
				t.Errorf("Preflight before signing:\n%s\nafter:\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
			}
			wantValid(t, mustVerify(t, signed).Signatures[1])
		})
	}
}

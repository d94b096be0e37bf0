package pdfsign

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
)

const dejaVu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

func font(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(dejaVu)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("fonts-dejavu-core required in CI: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	return b
}

// A visible stamp: the signature verifies and qpdf accepts the file; with
// PDFSIGN_KEEP=dir the file is kept there to render and look at.
func TestStamp(t *testing.T) {
	p := gostPKI(t, gost3410.TC26256A)
	orig := minimalPDF(1, 0)
	st := &Stamp{Rect: [4]float64{300, 60, 560, 160}, Font: font(t)}
	signed := mustSign(t, orig, p, Options{Stamp: st})
	wantValid(t, mustVerify(t, signed).Signatures[0])
	f := writeFile(t, "stamp.pdf", signed)
	out, err := exec.Command(tool(t, "qpdf"), "--check", f).CombinedOutput()
	if err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, out)
	}
	if keep := os.Getenv("PDFSIGN_KEEP"); keep != "" {
		os.WriteFile(filepath.Join(keep, "stamp.pdf"), signed, 0o644)
	}
	if _, err := SignBytes(t.Context(), orig, p.signer, Options{Stamp: &Stamp{Rect: [4]float64{0, 0, 10, 0}, Font: st.Font}}); err == nil {
		t.Error("empty rectangle accepted")
	}
	if _, err := SignBytes(t.Context(), orig, p.signer, Options{Stamp: &Stamp{Rect: st.Rect, Font: []byte("no font")}}); err == nil {
		t.Error("bad font accepted")
	}
}

package pdfsign

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/gost/gost3410"
)

const realworldDir = "../../../shared/realworld"

func realworld(t testing.TB, parts ...string) []byte {
	t.Helper()
	if _, err := os.Stat(realworldDir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("real-world artefacts required in CI: %v", err)
		}
		t.Skipf("skipping: real-world artefacts not available: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(append([]string{realworldDir}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The real-world PDFs' signatures (Okular with a GOST key, Acrobat with
// CryptoPro, both adbe.pkcs7.detached) verify over their ByteRange (package
// cms: signature value and content digest).
func TestRealWorldPDFs(t *testing.T) {
	for _, name := range []string{"okular-gost-bes.pdf", "acrobat-cryptopro-cades-xlt1.pdf"} {
		t.Run(name, func(t *testing.T) {
			data := realworld(t, "pdf", name)
			res, err := verifyCMS(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Signatures) == 0 {
				t.Fatal("no signatures found")
			}
			for _, s := range res.Signatures {
				t.Logf("%s %s %v modified=%v %s", s.Field, s.SubFilter, s.ByteRange, s.Modified, s.Summary())
				if !s.ByteRangeOK {
					t.Errorf("%s: ByteRange: %s", s.Field, s.ByteRangeProblem)
				}
				if s.code != cms.OK {
					t.Errorf("%s: %s %s", s.Field, s.code, s.detail)
				}
			}
			// One byte changed inside the covered range breaks the content.
			s := res.Signatures[0]
			bad := bytes.Clone(data)
			bad[s.ByteRange[2]+s.ByteRange[3]/2] ^= 1
			res, err = verifyCMS(bad)
			if err != nil {
				t.Fatal(err)
			}
			if c := res.Signatures[0].code; c != cms.ContentMismatch {
				t.Errorf("tampered: %s", c)
			}
		})
	}
}

// Signing other people's signed PDFs adds a signature and keeps theirs:
// their CMS still verifies and reports our update as a later signature.
func TestRealWorldCoSign(t *testing.T) {
	p := gostPKI(t, gost3410.TC26256A)
	for _, name := range []string{"okular-gost-bes.pdf", "acrobat-cryptopro-cades-xlt1.pdf"} {
		t.Run(name, func(t *testing.T) {
			data := realworld(t, "pdf", name)
			signed := mustSign(t, data, p, Options{})
			res := mustVerify(t, signed)
			if len(res.Signatures) != 2 {
				t.Fatalf("%d signatures", len(res.Signatures))
			}
			theirs, ours := res.Signatures[0], res.Signatures[1]
			wantValid(t, ours)
			if !theirs.ByteRangeOK || !theirs.Modified || theirs.LaterSignatures != 1 {
				t.Errorf("their signature: %+v", theirs)
			}
			if c := theirs.code; c != cms.OK {
				t.Errorf("their signature: %s", c)
			}
			if qpdf, err := exec.LookPath("qpdf"); err == nil {
				f := writeFile(t, "signed.pdf", signed)
				if out, err := exec.Command(qpdf, "--check", f).CombinedOutput(); err != nil {
					t.Errorf("qpdf --check: %v\n%s", err, out)
				}
			}
		})
	}
}

package pdfsign

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/podpis/podpis/verify"
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
// CryptoPro, both adbe.pkcs7.detached) verify over their ByteRange. Their
// certificates chain to no root given here, so the indication is not
// TOTAL-FAILED and the signature itself is sound.
func TestRealWorldPDFs(t *testing.T) {
	for _, name := range []string{"okular-gost-bes.pdf", "acrobat-cryptopro-cades-xlt1.pdf"} {
		t.Run(name, func(t *testing.T) {
			data := realworld(t, "pdf", name)
			res, err := Verify(context.Background(), data, verify.Options{})
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
				if s.Report == nil || len(s.Report.Signatures) != 1 {
					t.Fatalf("%s: no CMS report", s.Field)
				}
				r := s.Report.Signatures[0]
				t.Logf("%s: %s %s %s", s.Field, r.Indication, r.Code, r.Detail)
				switch r.Code {
				case verify.CodeOK, verify.CodeCertExpired, verify.CodeChainUntrusted:
				default:
					t.Errorf("%s: %s %s", s.Field, r.Code, r.Detail)
				}
			}
			// One byte changed inside the covered range breaks the content.
			s := res.Signatures[0]
			bad := bytes.Clone(data)
			bad[s.ByteRange[2]+s.ByteRange[3]/2] ^= 1
			res, err = Verify(context.Background(), bad, verify.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if c := res.Signatures[0].Report.Signatures[0].Code; c != verify.CodeContentMismatch {
				t.Errorf("tampered: %s", c)
			}
		})
	}
}

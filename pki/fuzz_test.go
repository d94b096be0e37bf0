package pki

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Hostile seeds: lengths far beyond the input, indefinite lengths (BER, not
// DER), deep nesting.
var hostileSeeds = [][]byte{
	{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x30},
	{0x30, 0x80, 0x30, 0x80, 0x00, 0x00, 0x00, 0x00},
	{0x30, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	[]byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
	nil,
}

// goldenDER returns the DER of every golden file of one PEM type.
func goldenDER(t testing.TB, file string, types ...string) [][]byte {
	var out [][]byte
	dirs, _ := filepath.Glob(filepath.Join("testdata", "openssl", "*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, file))
		if err != nil {
			t.Fatal(err)
		}
		ders, err := pemBlocks(b, types...)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ders...)
	}
	return out
}

// TestWriteFuzzCorpus rewrites testdata/fuzz/FuzzXxx from the golden files
// when run with -update.
func TestWriteFuzzCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the fuzz corpora")
	}
	corpora := map[string][][]byte{
		"FuzzParseCertificate":        append(goldenDER(t, "ca.pem", "CERTIFICATE"), goldenDER(t, "leaf.pem", "CERTIFICATE")...),
		"FuzzParseCertificateRequest": goldenDER(t, "leaf.csr", "CERTIFICATE REQUEST"),
		"FuzzParseRevocationList":     goldenDER(t, "ca.crl", "X509 CRL"),
	}
	for name, seeds := range corpora {
		dir := filepath.Join("testdata", "fuzz", name)
		os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, s := range append(seeds, hostileSeeds...) {
			sum := sha256.Sum256(s)
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%x", sum[:8])), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// fuzzCert is a fixed GOST CA for the fuzz targets to check signatures with.
func fuzzCert(f *testing.F) *Certificate {
	cs, err := ParseCertificates(goldenDER(f, "ca.pem", "CERTIFICATE")[0])
	if err != nil {
		f.Fatal(err)
	}
	return cs[0]
}

func FuzzParseCertificate(f *testing.F) {
	ca := fuzzCert(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCertificate(data)
		if err != nil {
			return
		}
		_ = c.CheckSignatureFrom(c)
		_ = c.CheckSignatureFrom(ca)
		_ = c.SubjectName.String()
		_ = c.Summary()
		_, _ = c.Verify(VerifyOptions{Roots: pool(ca), Intermediates: pool(c)})
		if _, err := ParseCertificates(data); err != nil {
			t.Errorf("ParseCertificate accepts what ParseCertificates refuses: %v", err)
		}
	})
}

func FuzzParseCertificateRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseCertificateRequest(data)
		if err != nil {
			return
		}
		_ = r.CheckSignature()
		_ = r.SubjectName.String()
	})
}

func FuzzParseRevocationList(f *testing.F) {
	ca := fuzzCert(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ParseRevocationList(data)
		if err != nil {
			return
		}
		_ = l.CheckSignatureFrom(ca)
		_ = l.IssuerName.String()
	})
}

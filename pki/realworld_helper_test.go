package pki

import (
	"os"
	"path/filepath"
	"testing"
)

// realworldDir is the shared folder of real GOST certificates and CRLs made by
// CryptoPro, the Russian root CA, BouncyCastle … (shared
// realworld/PROVENANCE.md). Tests read the files from there; they are never
// copied into the repository.
const realworldDir = "../../shared/realworld"

// realworld returns the bytes of a file in the shared real-world folder. When
// the folder is missing the test fails in CI and is skipped elsewhere.
func realworld(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(realworldDir, rel))
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("real-world artefacts required in CI: %v", err)
		}
		t.Skipf("skipping: real-world artefacts not available: %v", err)
	}
	return b
}

// realCert parses one real-world certificate (certs/name).
func realCert(t testing.TB, name string) *Certificate {
	t.Helper()
	cs, err := ParseCertificates(realworld(t, filepath.Join("certs", name)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(cs) != 1 {
		t.Fatalf("%s: %d certificates, want 1", name, len(cs))
	}
	return cs[0]
}

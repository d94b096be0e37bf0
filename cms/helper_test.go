package cms

import (
	"crypto"
	"crypto/x509"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
)

// testPKI is a CA and a leaf, both on one parameter set (or key type).
type testPKI struct {
	caKey   crypto.Signer
	ca      *pki.Certificate
	key     crypto.Signer
	leaf    *pki.Certificate
	serials int64
}

var (
	pkiMu    sync.Mutex
	pkiCache = map[string]*testPKI{}
)

// testTime is inside every test certificate's validity.
var testTime = time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)

// gostPKI returns a CA and leaf on ps, made once per test binary.
func gostPKI(t testing.TB, ps *gost3410.ParamSet) *testPKI {
	t.Helper()
	return cachedPKI(t, ps.Name(), func() crypto.Signer {
		k, err := gost3410.GenerateKey(ps, nil)
		if err != nil {
			t.Fatal(err)
		}
		return k
	})
}

func cachedPKI(t testing.TB, name string, newKey func() crypto.Signer) *testPKI {
	t.Helper()
	pkiMu.Lock()
	defer pkiMu.Unlock()
	if p, ok := pkiCache[name]; ok {
		return p
	}
	p := &testPKI{caKey: newKey(), key: newKey(), serials: 100}
	p.ca = p.issue(t, nil, p.caKey.Public(), pki.Name{CommonName: "podpis test CA " + name, Organization: "podpis", Country: "RU"}, true)
	p.leaf = p.issue(t, p.ca, p.key.Public(), pki.Name{CommonName: "Signer " + name, Surname: "Иванов", GivenName: "Иван Иванович", Country: "RU", SNILS: "11223344595"}, false)
	pkiCache[name] = p
	return p
}

// issue makes a certificate for pub signed by the CA (self-signed when
// parent is nil).
func (p *testPKI) issue(t testing.TB, parent *pki.Certificate, pub crypto.PublicKey, subject pki.Name, ca bool) *pki.Certificate {
	t.Helper()
	p.serials++
	return p.issueSerial(t, parent, pub, subject, ca, big.NewInt(p.serials))
}

func (p *testPKI) issueSerial(t testing.TB, parent *pki.Certificate, pub crypto.PublicKey, subject pki.Name, ca bool, serial *big.Int) *pki.Certificate {
	t.Helper()
	tmpl := &pki.Template{
		SerialNumber: serial,
		Subject:      subject,
		NotBefore:    time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	if ca {
		tmpl.IsCA, tmpl.MaxPathLen = true, -1
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageClientAuth}
	}
	der, err := pki.CreateCertificate(tmpl, parent, pub, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := pki.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// config is a SignerConfig for the leaf, at testTime.
func (p *testPKI) config() SignerConfig {
	return SignerConfig{Signer: p.key, Certificate: p.leaf, SigningTime: testTime}
}

// realworldDir is the shared folder of real CMS files, certificates and
// timestamps made by CryptoPro, КриптоАРМ, FNS, TC 26, Rutoken/BouncyCastle
// (shared realworld/PROVENANCE.md). Tests read them from there; they are
// never copied into the repository.
const realworldDir = "../../shared/realworld"

// realworld returns the path of a real-world file. When the folder is
// missing the test fails in CI and is skipped elsewhere.
func realworld(t testing.TB, parts ...string) string {
	t.Helper()
	if _, err := os.Stat(realworldDir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("real-world artefacts required in CI: %v", err)
		}
		t.Skipf("skipping: real-world artefacts not available: %v", err)
	}
	return filepath.Join(append([]string{realworldDir}, parts...)...)
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustVerify verifies and fails the test on a Go error.
func mustVerify(t testing.TB, sig []byte, opts VerifyOptions) *Result {
	t.Helper()
	res, err := Verify(sig, opts)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return res
}

// wantCodes checks the per-signer codes.
func wantCodes(t testing.TB, res *Result, codes ...Code) {
	t.Helper()
	if len(res.Signers) != len(codes) {
		t.Fatalf("%d signers, want %d", len(res.Signers), len(codes))
	}
	for i, c := range codes {
		if got := res.Signers[i].Code; got != c {
			t.Errorf("signer %d: %s (%s), want %s", i, got, res.Signers[i].Detail, c)
		}
	}
}

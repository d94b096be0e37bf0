//go:build cgo

package pkcs11

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
)

// The SoftHSM2 module of Debian's libsofthsm2 (spec/infra/RECIPES.md).
const softhsmModule = "/usr/lib/softhsm/libsofthsm2.so"

const (
	testPIN   = "12345678"
	testSOPIN = "87654321"
)

// require skips the test when a real part is missing, and fails it in CI
// (the CI environment variable set), where `make deps` must have installed
// it.
func require(t testing.TB, what string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is required in CI (run `make deps`)", what)
	}
	t.Skipf("skipping: %s not installed (run `make deps`)", what)
}

// softHSM is a SoftHSM2 token directory of one test. SoftHSM reads
// SOFTHSM2_CONF at C_Initialize, and this package finalises a module when
// its last Key closes, so each test gets its own directory; tests using it
// cannot run in parallel with each other.
type softHSM struct {
	t      testing.TB
	dir    string
	module string
}

func newSoftHSM(t testing.TB) *softHSM {
	t.Helper()
	_, err := exec.LookPath("softhsm2-util")
	require(t, "SoftHSM2 (Debian softhsm2)", err == nil && isFile(softhsmModule))
	if n := openModules(); n != 0 {
		t.Fatalf("%d PKCS#11 modules still loaded before the test", n)
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "tokens"), 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	text := "directories.tokendir = " + filepath.Join(dir, "tokens") + "\nobjectstore.backend = file\nlog.level = ERROR\n"
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	t.Cleanup(func() {
		if n := openModules(); n != 0 {
			t.Errorf("%d PKCS#11 modules still loaded after the test: a Key was not closed", n)
		}
	})
	return &softHSM{t: t, dir: dir, module: softhsmModule}
}

// initToken makes a token with the test PINs.
func (h *softHSM) initToken(label string) {
	h.t.Helper()
	h.run("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", testSOPIN, "--pin", testPIN)
}

func (h *softHSM) run(name string, args ...string) string {
	h.t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		h.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// uri returns a pkcs11: URI with the given path attributes and this
// SoftHSM's module.
func (h *softHSM) uri(path string) string {
	return "pkcs11:" + path + "?module-path=" + h.module
}

// tool runs pkcs11-tool (OpenSC) against the module, logged in to token.
func (h *softHSM) tool(token string, args ...string) string {
	h.t.Helper()
	_, err := exec.LookPath("pkcs11-tool")
	require(h.t, "pkcs11-tool (Debian opensc)", err == nil)
	base := []string{"--module", h.module, "--token-label", token, "--login", "--pin", testPIN}
	return h.run("pkcs11-tool", append(base, args...)...)
}

// importKey writes a private key made elsewhere (PKCS#8 DER) and its
// certificate onto the token with pkcs11-tool, as RECIPES.md does: no
// public-key object, so the pair is found through the certificate.
func (h *softHSM) importKey(token, label, idHex string, key crypto.Signer, cert *pki.Certificate) {
	h.t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		h.t.Fatal(err)
	}
	kf := filepath.Join(h.t.TempDir(), "key.der")
	os.WriteFile(kf, der, 0o600)
	h.tool(token, "--write-object", kf, "--type", "privkey", "--id", idHex, "--label", label)
	if cert != nil {
		h.importCert(token, label, idHex, cert)
	}
}

// importCert writes a certificate onto the token with pkcs11-tool.
func (h *softHSM) importCert(token, label, idHex string, cert *pki.Certificate) {
	h.t.Helper()
	cf := filepath.Join(h.t.TempDir(), "cert.der")
	os.WriteFile(cf, cert.Raw, 0o600)
	h.tool(token, "--write-object", cf, "--type", "cert", "--id", idHex, "--label", label)
}

// testCA is a self-signed CA issuing test certificates.
type testCA struct {
	key  crypto.Signer
	cert *pki.Certificate
}

var t0 = time.Now().Truncate(time.Second)

// newTestCA makes an ECDSA P-256 CA.
func newTestCA(t testing.TB) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return newCA(t, key)
}

// newGOSTCA makes a GOST CA on ps.
func newGOSTCA(t testing.TB, ps *gost3410.ParamSet) *testCA {
	t.Helper()
	key, err := gost3410.GenerateKey(ps, nil)
	if err != nil {
		t.Fatal(err)
	}
	return newCA(t, key)
}

func newCA(t testing.TB, key crypto.Signer) *testCA {
	t.Helper()
	ca := &testCA{key: key}
	ca.cert = ca.issueTo(t, nil, key.Public(), pki.Name{CommonName: "Тестовый УЦ", Organization: "ООО «Тест»", Country: "RU"}, true)
	return ca
}

// issue makes a certificate for pub, signed by the CA (self-signed when
// parent is nil).
func (ca *testCA) issueTo(t testing.TB, parent *pki.Certificate, pub crypto.PublicKey, subject pki.Name, isCA bool) *pki.Certificate {
	t.Helper()
	serial, _ := pki.RandomSerial(nil)
	tmpl := &pki.Template{
		SerialNumber: serial, Subject: subject,
		NotBefore: t0.Add(-time.Hour), NotAfter: t0.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	if isCA {
		tmpl.IsCA, tmpl.MaxPathLen = true, -1
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	der, err := pki.CreateCertificate(tmpl, parent, pub, ca.key)
	if err != nil {
		t.Fatalf("CreateCertificate: %v", err)
	}
	c, err := pki.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (ca *testCA) issue(t testing.TB, pub crypto.PublicKey, cn string) *pki.Certificate {
	t.Helper()
	return ca.issueTo(t, ca.cert, pub, pki.Name{CommonName: cn, Surname: "Иванов", GivenName: "Иван Иванович", Country: "RU"}, false)
}

func certPEM(c *pki.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// open opens a key or fails the test; the key is closed at cleanup.
func open(t testing.TB, uri string, opts Options) *Key {
	t.Helper()
	k, err := Open(context.Background(), uri, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", uri, err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

func pinOpts() Options { return Options{PIN: staticPIN(testPIN)} }

// staticPIN is a PIN source for tests; it counts how often it was asked.
type countingPIN struct {
	pin   string
	calls int
	infos []PINInfo
}

func (c *countingPIN) PIN(_ context.Context, info PINInfo) ([]byte, error) {
	c.calls++
	c.infos = append(c.infos, info)
	return []byte(c.pin), nil
}

func staticPIN(pin string) PINSource { return &countingPIN{pin: pin} }

// Package tokendtest gives the tests of tokend, and of sites in this
// repository that use it (examples/login), real parts: the GOST test token
// of testdata/gosttoken (a PKCS#11 module in C over OpenSSL's GOST engine,
// built from the source tree with its Makefile, as sign/pkcs11's tests build
// it), keys generated on it
// with certificates from a pki/devpki test CA, and the scripted pinentry of
// tokend/pinentry/internal/testpinentry.
//
// Tools that are missing fail the test when the CI environment variable is
// set and skip it otherwise.
package tokendtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/sign/pkcs11"
)

// The test token's PINs.
const (
	PIN   = "12345678"
	SOPIN = "87654321"
)

// Require skips (or fails in CI) when ok is false.
func Require(t testing.TB, what string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is required in CI (run `make deps`)", what)
	}
	t.Skipf("skipping: %s is not available", what)
}

// root is the repository root, found from this file's path.
func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

var built struct {
	once      sync.Once
	dir       string
	lib, pine string
	err       error
	out       []byte
}

func build(t testing.TB) {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "tokentest-")
		if err != nil {
			built.err = err
			return
		}
		built.dir = dir
		built.lib = filepath.Join(dir, "libgosttoken.so")
		built.pine = filepath.Join(dir, "testpinentry")
		built.out, built.err = exec.Command("make", "-s", "-C", filepath.Join(root(), "testdata", "gosttoken"), "OUT="+dir).CombinedOutput()
		if built.err != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", built.pine, "./tokend/pinentry/internal/testpinentry")
		cmd.Dir = root()
		built.out, built.err = cmd.CombinedOutput()
	})
	if built.err != nil {
		t.Logf("build: %v\n%s", built.err, built.out)
	}
	Require(t, "a buildable testdata/gosttoken (gcc, libssl-dev, libp11-kit-dev, libengine-gost-openssl) and testpinentry", built.err == nil)
}

// Cleanup removes what was built; call it from TestMain.
func Cleanup() {
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
}

// Pinentry returns the path of the scripted pinentry.
func Pinentry(t testing.TB) string {
	build(t)
	return built.pine
}

// Token is a gosttoken state directory with initialised tokens g0, g1, …
// and a test CA.
type Token struct {
	t      testing.TB
	Dir    string
	Module string
	PKI    *devpki.PKI
}

// New sets GOSTTOKEN_DIR for the test and initialises slots tokens
// labelled g0, g1, … with PIN and SOPIN through OpenSC's pkcs11-tool.
func New(t testing.TB, slots int) *Token {
	t.Helper()
	build(t)
	_, err := exec.LookPath("pkcs11-tool")
	Require(t, "pkcs11-tool (Debian opensc)", err == nil)
	p, err := devpki.New(devpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tk := &Token{t: t, Dir: t.TempDir(), Module: built.lib, PKI: p}
	t.Setenv("GOSTTOKEN_DIR", tk.Dir)
	t.Setenv("GOSTTOKEN_SLOTS", strconv.Itoa(slots))
	for i := range slots {
		label := "g" + strconv.Itoa(i)
		tk.run("--slot", strconv.Itoa(i), "--init-token", "--label", label, "--so-pin", SOPIN)
		tk.run("--token-label", label, "--init-pin", "--login", "--login-type", "so", "--so-pin", SOPIN, "--pin", PIN)
	}
	return tk
}

func (tk *Token) run(args ...string) {
	tk.t.Helper()
	out, err := exec.Command("pkcs11-tool", append([]string{"--module", tk.Module}, args...)...).CombinedOutput()
	if err != nil {
		tk.t.Fatalf("pkcs11-tool %v: %v\n%s", args, err, out)
	}
}

func (tk *Token) opts() pkcs11.Options {
	return pkcs11.Options{Module: tk.Module, PIN: pkcs11.PINFunc(func(context.Context, pkcs11.PINInfo) ([]byte, error) {
		return []byte(PIN), nil
	})}
}

// Key generates a key labelled label on ps on token g<slot>, has the test
// CA certify it (the subject and extensions of devpki's qualified
// certificates) and stores the certificate beside it.
func (tk *Token) Key(slot int, label string, ps *gost3410.ParamSet) *pki.Certificate {
	tk.t.Helper()
	ctx := context.Background()
	uri := "pkcs11:token=g" + strconv.Itoa(slot) + ";object=" + label
	k, err := pkcs11.GenerateKey(ctx, uri, ps, tk.opts())
	if err != nil {
		tk.t.Fatal(err)
	}
	defer k.Close()
	csrDER, err := pki.CreateCertificateRequest(&pki.RequestTemplate{Subject: tk.PKI.Signer.Cert.SubjectName}, k)
	if err != nil {
		tk.t.Fatal(err)
	}
	csr, err := pki.ParseCertificateRequest(csrDER)
	if err != nil {
		tk.t.Fatal(err)
	}
	cert, err := devpki.IssueFromRequest(tk.PKI.CA, csr, time.Now())
	if err != nil {
		tk.t.Fatal(err)
	}
	if err := pkcs11.ImportCertificate(ctx, uri, cert, tk.opts()); err != nil {
		tk.t.Fatal(err)
	}
	return cert
}

// Roots is a pool with the test CA.
func (tk *Token) Roots() *pki.CertPool {
	p := pki.NewCertPool()
	p.AddCert(tk.PKI.CA.Cert)
	return p
}

// Remove takes the token out of slot and Insert puts it back; each waits
// 20 ms, twice the module's poll interval (testdata/gosttoken README).
func (tk *Token) Remove(slot int) {
	tk.t.Helper()
	if err := os.WriteFile(filepath.Join(tk.Dir, "slot"+strconv.Itoa(slot), "removed"), nil, 0o600); err != nil {
		tk.t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
}

func (tk *Token) Insert(slot int) {
	tk.t.Helper()
	if err := os.Remove(filepath.Join(tk.Dir, "slot"+strconv.Itoa(slot), "removed")); err != nil {
		tk.t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
}

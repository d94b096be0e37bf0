package main

import (
	"context"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/sign/pkcs11"
	"github.com/podpis/podpis/tokend/tokendtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	tokendtest.Cleanup()
	os.Exit(code)
}

func checkOutput(t *testing.T, out string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(out, l) {
			t.Errorf("output lacks %q:\n%s", l, out)
		}
	}
}

// go run ./examples/esia: a fresh test PKI, the whole flow, the OID.
func TestRunDefault(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), &out, options{lang: "ru"}); err != nil {
		t.Fatal(err)
	}
	checkOutput(t, out.String(), "ЕСИА (стенд-заглушка): http://127.0.0.1:", "Код авторизации получен", "OID пользователя: 1000299654\n")
	out.Reset()
	if err := run(context.Background(), &out, options{lang: "en"}); err != nil {
		t.Fatal(err)
	}
	checkOutput(t, out.String(), "Tokens validated (GOST3410_2012_256)", "Person's OID: 1000299654\n")
	if err := run(context.Background(), &out, options{lang: "de"}); err == nil {
		t.Error("--lang de accepted")
	}
}

// A key file and certificate written by devpki, trusted through --roots;
// without --roots, or with a CA that did not issue the certificate, nothing
// is signed in.
func TestRunKeyFile(t *testing.T) {
	dir := t.TempDir()
	p, err := devpki.New(devpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WriteDir(dir, false); err != nil {
		t.Fatal(err)
	}
	o := options{lang: "en", key: filepath.Join(dir, "signer.key"), cert: filepath.Join(dir, "signer.pem"), roots: filepath.Join(dir, "ca.pem")}
	var out strings.Builder
	if err := run(context.Background(), &out, o); err != nil {
		t.Fatal(err)
	}
	checkOutput(t, out.String(), "Person's OID: 1000299654\n")

	o.roots = ""
	if err := run(context.Background(), &out, o); err == nil || !strings.Contains(err.Error(), "--roots is required") {
		t.Errorf("without --roots: %v", err)
	}
	other, err := devpki.New(devpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o.roots = filepath.Join(dir, "other-ca.pem")
	if err := os.WriteFile(o.roots, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: other.CA.Cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), &out, o)
	if err == nil || !strings.Contains(err.Error(), "certificate is not valid") {
		t.Errorf("an untrusted CA: %v", err)
	}
}

// The key on the GOST test token (testdata/gosttoken, signatures made by
// OpenSSL's GOST engine behind PKCS#11) through a pkcs11: URI.
func TestRunToken(t *testing.T) {
	tk := tokendtest.New(t, 1)
	tk.Key(0, "esia", gost3410.TC26256A)
	roots := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(roots, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tk.PKI.CA.Cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	pin := pkcs11.PINFunc(func(context.Context, pkcs11.PINInfo) ([]byte, error) { return []byte(tokendtest.PIN), nil })
	var out strings.Builder
	o := options{lang: "en", key: "pkcs11:token=g0;object=esia", roots: roots, module: tk.Module, pin: pin}
	if err := run(context.Background(), &out, o); err != nil {
		t.Fatal(err)
	}
	checkOutput(t, out.String(), "Person's OID: 1000299654\n")
}

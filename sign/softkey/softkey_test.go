package softkey

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
)

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, ps := range []*gost3410.ParamSet{gost3410.TC26256A, gost3410.TC26512C} {
		k, err := gost3410.GenerateKey(ps, nil)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, ps.Name()+".pem")
		if err := SavePrivateKey(path, k); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
		}
		got, err := LoadPrivateKey(path)
		if err != nil || !got.Equal(k) {
			t.Fatalf("LoadPrivateKey: %v", err)
		}
		pubPEM, _ := MarshalPublicKeyPEM(k.PublicKey())
		pub, err := ParsePublicKey(pubPEM)
		if err != nil || !pub.Equal(k.PublicKey()) {
			t.Fatalf("ParsePublicKey: %v", err)
		}
		// DER is read too, and a PEM with other blocks before the key.
		der, _ := gost3410.MarshalPKCS8PrivateKey(k)
		if got, err := ParsePrivateKey(der); err != nil || !got.Equal(k) {
			t.Fatalf("DER: %v", err)
		}
		keyPEM, _ := MarshalPrivateKeyPEM(k)
		mixed := append([]byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"), keyPEM...)
		if got, err := ParsePrivateKey(mixed); err != nil || !got.Equal(k) {
			t.Fatalf("PEM after a certificate: %v", err)
		}
	}
}

func TestOpenSSLFiles(t *testing.T) {
	// Keys recorded from OpenSSL's GOST engine by gost3410's golden test.
	files, _ := filepath.Glob("../../gost/gost3410/testdata/openssl/*/key.pem")
	if len(files) == 0 {
		t.Fatal("no OpenSSL key files found")
	}
	for _, f := range files {
		k, err := LoadPrivateKey(f)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := LoadPublicKey(filepath.Join(filepath.Dir(f), "pub.pem"))
		if err != nil || !pub.Equal(k.PublicKey()) {
			t.Fatalf("%s: %v", f, err)
		}
		raw, _ := os.ReadFile(f)
		if out, _ := MarshalPrivateKeyPEM(k); !bytes.Equal(out, raw) {
			t.Errorf("%s: our PEM differs from OpenSSL's", f)
		}
	}
}

func TestErrors(t *testing.T) {
	for in, want := range map[string]string{
		"":                                   "not a PEM or DER key",
		"hello":                              "not a PEM or DER key",
		"-----BEGIN PRIVATE KEY-----\n!!!\n": "malformed PEM",
		"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n": "encrypted private keys are not supported",
		"-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n":                       `found PEM "PUBLIC KEY", want "PRIVATE KEY"`,
		"-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n":                     "gost3410: private key is not a DER PKCS#8",
	} {
		_, err := ParsePrivateKey([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
	if _, err := LoadPrivateKey(filepath.Join(t.TempDir(), "none.pem")); err == nil {
		t.Error("missing file loaded")
	}
	// A failed save leaves nothing behind.
	dir := t.TempDir()
	k, _ := gost3410.GenerateKey(gost3410.TC26256A, nil)
	if err := SavePrivateKey(filepath.Join(dir, "no", "k.pem"), k); err == nil {
		t.Error("save into a missing directory succeeded")
	}
}

func FuzzParsePrivateKey(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParsePrivateKey(data)
		if err != nil {
			return
		}
		out, _ := MarshalPrivateKeyPEM(k)
		if k2, err := ParsePrivateKey(out); err != nil || !k2.Equal(k) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzParsePublicKey(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		pub, err := ParsePublicKey(data)
		if err != nil {
			return
		}
		out, _ := MarshalPublicKeyPEM(pub)
		if p2, err := ParsePublicKey(out); err != nil || !p2.Equal(pub) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

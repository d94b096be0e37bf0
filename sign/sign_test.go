package sign

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
)

func TestOpenKeyFile(t *testing.T) {
	dir := t.TempDir()
	p, err := devpki.New(devpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WriteDir(dir, false); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(dir, "signer.key"), Options{CertFile: filepath.Join(dir, "signer.pem")})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Certificate().Equal(p.Signer.Cert) || len(s.Chain()) != 0 {
		t.Fatal("wrong certificate or chain")
	}
	digest := make([]byte, 32)
	sig, err := s.Sign(nil, digest, gost3410.SignerOpts{Hash: gost3410.Streebog256})
	if err != nil || !gost3410.Verify(p.Signer.Cert.PublicKey.(*gost3410.PublicKey), digest, sig) {
		t.Fatalf("Sign: %v", err)
	}
	s.Close()
	if _, err := s.Sign(nil, digest, nil); err == nil {
		t.Fatal("closed signer signed")
	}

	for _, tc := range []struct {
		ref, cert, want string
	}{
		{filepath.Join(dir, "signer.key"), filepath.Join(dir, "person.pem"), "does not belong to"},
		{filepath.Join(dir, "signer.key"), "", "needs its certificate"},
		{filepath.Join(dir, "signer.key"), filepath.Join(dir, "crl.pem"), "crl.pem"},
		{filepath.Join(dir, "missing.key"), filepath.Join(dir, "signer.pem"), "no such file"},
		{filepath.Join(dir, "ca.pem"), filepath.Join(dir, "signer.pem"), "PRIVATE KEY"},
	} {
		if _, err := Open(ctx, tc.ref, Options{CertFile: tc.cert}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%s, %s): %v, want %q", tc.ref, tc.cert, err, tc.want)
		}
	}
	// A token key goes to sign/pkcs11 (tested there and in cmd/podpis with
	// the GOST test token); a module that does not exist is an error.
	if _, err := Open(ctx, "pkcs11:token=t1;object=k?module-path=/nonexistent/libnone.so", Options{}); err == nil {
		t.Error("pkcs11 URI with a missing module: no error")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Open(cancelled, filepath.Join(dir, "signer.key"), Options{CertFile: filepath.Join(dir, "signer.pem")}); err == nil {
		t.Error("cancelled context: no error")
	}
	// NewSigner takes the chain after the certificate.
	ns, err := NewSigner(p.Signer.Key, []*pki.Certificate{p.Signer.Cert, p.CA.Cert})
	if err != nil || len(ns.Chain()) != 1 {
		t.Fatalf("NewSigner: %v", err)
	}
	if _, err := NewSigner(p.Signer.Key, nil); err == nil {
		t.Error("NewSigner without a certificate")
	}
}

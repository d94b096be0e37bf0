//go:build cgo

package pkcs11

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"strings"
	"testing"

	"github.com/podpis/podpis/pki"
)

// TestSoftHSMSigners: ECDSA P-256 (generated on the token with a public-key
// object) and RSA (imported without one, paired through its certificate)
// sign through the same crypto.Signer code, and the signatures verify with
// crypto/ecdsa and crypto/rsa.
func TestSoftHSMSigners(t *testing.T) {
	h := newSoftHSM(t)
	h.initToken("t1")
	ca := newTestCA(t)
	ctx := context.Background()

	ec, err := GenerateECDSAKey(ctx, h.uri("token=t1;object=ec"), elliptic.P256(), pinOpts())
	if err != nil {
		t.Fatal(err)
	}
	ecCert := ca.issue(t, ec.Public(), "EC signer")
	if err := ImportCertificate(ctx, ec.URI()+"?module-path="+h.module, ecCert, pinOpts()); err != nil {
		t.Fatal(err)
	}
	ec.Close()

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	h.importKey("t1", "rsa", "0a0b", rsaKey, ca.issue(t, rsaKey.Public(), "RSA signer"))

	digest := sha256.Sum256([]byte("message"))
	for _, tc := range []struct {
		uri    string
		verify func(pub crypto.PublicKey, sig []byte) error
		opts   crypto.SignerOpts
	}{
		{"token=t1;object=ec", func(pub crypto.PublicKey, sig []byte) error {
			if !ecdsa.VerifyASN1(pub.(*ecdsa.PublicKey), digest[:], sig) {
				return errors.New("ECDSA signature does not verify")
			}
			return nil
		}, crypto.SHA256},
		{"token=t1;id=%0a%0b", func(pub crypto.PublicKey, sig []byte) error {
			return rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), crypto.SHA256, digest[:], sig)
		}, crypto.SHA256},
		{"object=rsa", func(pub crypto.PublicKey, sig []byte) error {
			return rsa.VerifyPSS(pub.(*rsa.PublicKey), crypto.SHA256, digest[:], sig, nil)
		}, &rsa.PSSOptions{Hash: crypto.SHA256, SaltLength: rsa.PSSSaltLengthEqualsHash}},
	} {
		t.Run(tc.uri, func(t *testing.T) {
			k := open(t, h.uri(tc.uri), pinOpts())
			var signer crypto.Signer = k
			sig, err := signer.Sign(rand.Reader, digest[:], tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.verify(k.Public(), sig); err != nil {
				t.Fatal(err)
			}
			if k.Certificate() == nil || !samePublicKey(k.Certificate().PublicKey, k.Public()) {
				t.Fatal("no certificate paired with the key")
			}
			// crypto.MessageSigner hashes on the host for these keys.
			sig, err = k.SignMessage(nil, []byte("message"), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.verify(k.Public(), sig); err != nil {
				t.Fatal(err)
			}
		})
	}

	t.Run("RSA PKCS#1 v1.5 with SHA-512", func(t *testing.T) {
		k := open(t, h.uri("object=rsa"), pinOpts())
		d := sha512.Sum512([]byte("m"))
		sig, err := k.Sign(nil, d[:], crypto.SHA512)
		if err != nil {
			t.Fatal(err)
		}
		if err := rsa.VerifyPKCS1v15(k.Public().(*rsa.PublicKey), crypto.SHA512, d[:], sig); err != nil {
			t.Fatal(err)
		}
		if _, err := k.Sign(nil, d[:], crypto.SHA256); err == nil || !strings.Contains(err.Error(), "digest is 64 bytes") {
			t.Errorf("digest of the wrong length: %v", err)
		}
	})

	t.Run("CSR", func(t *testing.T) {
		k := open(t, h.uri("object=ec"), pinOpts())
		der, err := pki.CreateCertificateRequest(&pki.RequestTemplate{Subject: pki.Name{CommonName: "Иванов Иван", SNILS: "11223344595"}}, k)
		if err != nil {
			t.Fatal(err)
		}
		csr, err := pki.ParseCertificateRequest(der)
		if err != nil {
			t.Fatal(err)
		}
		if !samePublicKey(csr.PublicKey, k.Public()) {
			t.Error("CSR for another key")
		}
	})
}

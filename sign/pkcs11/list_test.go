//go:build cgo

package pkcs11

import (
	"bytes"
	"context"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/internal/osslgost"
)

// TestCMSOnSoftHSM: CMS SignedData made with ECDSA and RSA keys on the token
// (certificates from a test CA, read back from the token) verifies with
// `openssl cms -verify`.
func TestCMSOnSoftHSM(t *testing.T) {
	h := newSoftHSM(t)
	h.initToken("t1")
	ctx := context.Background()
	ca := newTestCA(t)
	ecKey(t, h, "t1", "ec")
	ec := open(t, h.uri("object=ec"), pinOpts())
	if err := ImportCertificate(ctx, h.uri("object=ec"), ca.issue(t, ec.Public(), "ECDSA"), pinOpts()); err != nil {
		t.Fatal(err)
	}
	ec.Close()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	h.importKey("t1", "rsa", "52", rk, ca.issue(t, rk.Public(), "RSA"))

	osslgost.Require(t)
	dir := t.TempDir()
	content := []byte("содержимое документа\n")
	data := filepath.Join(dir, "data.txt")
	caFile := filepath.Join(dir, "ca.pem")
	os.WriteFile(data, content, 0o600)
	os.WriteFile(caFile, certPEM(ca.cert), 0o600)
	for _, label := range []string{"ec", "rsa"} {
		k := open(t, h.uri("object="+label), pinOpts())
		if k.Certificate() == nil {
			t.Fatalf("%s: no certificate", label)
		}
		sig, err := cms.Sign(bytes.NewReader(content), cms.SignerConfig{Signer: k, Certificate: k.Certificate(), Chain: k.Chain()},
			cms.SignOptions{Detached: true})
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		in := filepath.Join(dir, label+".p7s")
		os.WriteFile(in, sig, 0o600)
		osslgost.Run(t, nil, "cms", "-verify", "-binary", "-inform", "DER", "-in", in, "-content", data,
			"-CAfile", caFile, "-purpose", "any", "-out", os.DevNull)
	}
}

// TestListTokens: slots, tokens in words, key pairs with certificates,
// without login; Certificates filters by label and id.
func TestListTokens(t *testing.T) {
	h := newSoftHSM(t)
	h.initToken("t1")
	h.initToken("t2")
	ctx := context.Background()
	ca := newTestCA(t)
	ecKey(t, h, "t1", "signing")
	k := open(t, h.uri("token=t1;object=signing"), pinOpts())
	cert := ca.issue(t, k.Public(), "Подписант")
	if err := ImportCertificate(ctx, h.uri("token=t1;object=signing"), cert, pinOpts()); err != nil {
		t.Fatal(err)
	}
	// Importing it again changes nothing.
	if err := ImportCertificate(ctx, h.uri("token=t1;object=signing"), cert, pinOpts()); err != nil {
		t.Fatal(err)
	}
	// A certificate of another key is refused.
	if err := ImportCertificate(ctx, h.uri("token=t1;object=signing"), ca.cert, pinOpts()); err == nil || !strings.Contains(err.Error(), "not for key") {
		t.Errorf("foreign certificate: %v", err)
	}
	h.importCert("t2", "ca", "01", ca.cert)
	k.Close()

	infos, err := ListTokens(ctx, h.module)
	if err != nil {
		t.Fatal(err)
	}
	byLabel := map[string]TokenInfo{}
	free := 0
	for _, ti := range infos {
		if !ti.Present || strings.Contains(strings.Join(ti.Flags, ","), "not initialised") {
			free++
			continue
		}
		byLabel[ti.Label] = ti
	}
	t1 := byLabel["t1"]
	if free != 1 || len(byLabel) != 2 || t1.Model != "SoftHSM v2" || !strings.HasPrefix(t1.URI, "pkcs11:serial=") {
		t.Fatalf("ListTokens: %+v", infos)
	}
	if got := strings.Join(t1.Flags, ", "); got != "login required" || !t1.LoginRequired || t1.PINPad || t1.PINCountLow || t1.PINFinalTry || t1.PINLocked {
		t.Errorf("t1 flags %q", got)
	}
	if len(t1.Keys) != 1 || t1.Keys[0].Label != "signing" || t1.Keys[0].Algorithm != "ECDSA P-256" ||
		t1.Keys[0].Certificate == nil || t1.Keys[0].Subject != "Иванов Иван Иванович" || !t1.Keys[0].NotAfter.Equal(cert.NotAfter) {
		t.Errorf("t1 keys: %+v", t1.Keys)
	}
	if t1.Keys[0].PrivateKey {
		t.Error("a private key was listed without login")
	}
	if len(byLabel["t2"].Keys) != 0 || len(t1.GOST) != 0 {
		t.Errorf("t2 keys %+v, t1 GOST %v", byLabel["t2"].Keys, t1.GOST)
	}
	if openModules() != 0 {
		t.Error("ListTokens left the module loaded")
	}

	certs, err := Certificates(ctx, h.uri(""), Options{})
	if err != nil || len(certs) != 2 {
		t.Fatalf("Certificates: %d, %v", len(certs), err)
	}
	certs, err = Certificates(ctx, h.uri("token=t1;object=signing"), Options{})
	if err != nil || len(certs) != 1 || !certs[0].Certificate.Equal(cert) || !certs[0].HasKey || certs[0].Token != "t1" {
		t.Fatalf("Certificates(signing): %+v, %v", certs, err)
	}
	certs, err = Certificates(ctx, h.uri("id=%01"), Options{})
	if err != nil || len(certs) != 1 || certs[0].HasKey || certs[0].Label != "ca" {
		t.Fatalf("Certificates(id=01): %+v, %v", certs, err)
	}
}

// TestGenerateKeyRefusals: key generation wants a label, refuses one that
// is taken, and refuses a URI fitting two tokens.
func TestGenerateKeyRefusals(t *testing.T) {
	h := newSoftHSM(t)
	h.initToken("t1")
	h.initToken("t2")
	ctx := context.Background()
	ecKey(t, h, "t1", "k")
	for _, tc := range []struct{ uri, want string }{
		{"token=t1", "needs the new key's label"},
		{"token=t1;object=k", `already holds an object labelled "k"`},
		{"object=new", "several tokens match"},
	} {
		if k, err := GenerateKey(ctx, h.uri("token=t1;object=g"), gost3410.TC26256A, pinOpts()); err == nil || !strings.Contains(err.Error(), "does not offer CKM_GOSTR3410_KEY_PAIR_GEN") {
			if err == nil {
				k.Close()
			}
			t.Errorf("GOST key on SoftHSM: %v", err)
		}
		k, err := GenerateECDSAKey(ctx, h.uri(tc.uri), elliptic.P256(), pinOpts())
		if err == nil {
			k.Close()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.uri, err, tc.want)
		}
	}
}

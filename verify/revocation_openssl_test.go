package verify

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/internal/osslgost"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
)

// verify --online against OpenSSL's OCSP responder (openssl ocsp -index …
// -port, signing with the GOST engine as the delegated responder), asked by
// GET as podpis asks: one certificate revoked in its index, one valid.
func TestOnlineOpenSSLResponder(t *testing.T) {
	conf, err := osslgost.ConfigFile()
	if err != nil {
		osslgost.Require(t)
	}
	p, err := devpki.New(devpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := p.WriteDir(dir, false); err != nil {
		t.Fatal(err)
	}
	revoked, good := big.NewInt(0x1234), big.NewInt(0x5678)
	revokedAt := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	index := fmt.Sprintf("R\t301231000000Z\t%s,keyCompromise\t%X\tunknown\t/CN=a\nV\t301231000000Z\t\t%X\tunknown\t/CN=b\n",
		revokedAt.Format("060102150405Z"), revoked, good)
	os.WriteFile(filepath.Join(dir, "index.txt"), []byte(index), 0o644)
	cmd := exec.Command("openssl", "ocsp", "-index", filepath.Join(dir, "index.txt"), "-CA", filepath.Join(dir, "ca.pem"),
		"-rsigner", filepath.Join(dir, "ocsp.pem"), "-rkey", filepath.Join(dir, "ocsp.key"), "-port", "0", "-nrequest", "2")
	cmd.Env = append(os.Environ(), "OPENSSL_CONF="+conf)
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	port := ""
	for sc := bufio.NewScanner(out); sc.Scan(); {
		if m := regexp.MustCompile(`ACCEPT .*:(\d+)`).FindStringSubmatch(sc.Text()); m != nil {
			port = m[1]
			break
		}
	}
	if port == "" {
		t.Fatal("openssl ocsp did not say where it listens")
	}
	go io.Copy(io.Discard, out)
	url := "http://127.0.0.1:" + port

	roots := pki.NewCertPool()
	roots.AddCert(p.CA.Cert)
	for _, x := range []struct {
		serial *big.Int
		code   Code
	}{{good, CodeOK}, {revoked, CodeCertRevoked}} {
		key, _ := gost3410.GenerateKey(gost3410.TC26256A, rand.Reader)
		der, err := pki.CreateCertificate(&pki.Template{
			SerialNumber: x.serial, Subject: pki.Name{CommonName: fmt.Sprintf("serial %x", x.serial)},
			NotBefore: time.Now().Add(-2 * time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, OCSPServer: []string{url},
		}, p.CA.Cert, key.Public(), p.CA.Key)
		if err != nil {
			t.Fatal(err)
		}
		cert, _ := pki.ParseCertificate(der)
		sig, err := cms.Sign(bytes.NewReader(content), cms.SignerConfig{Signer: key, Certificate: cert}, cms.SignOptions{Detached: true})
		if err != nil {
			t.Fatal(err)
		}
		s := run(t, sig, content, Options{Roots: roots, Online: true, Fetcher: &HTTPFetcher{Timeout: 10 * time.Second}}).Signatures[0]
		if s.Code != x.code || len(s.RevocationEvidence) != 1 || s.RevocationEvidence[0].Signer != "OCSP-служба podpis" {
			t.Fatalf("serial %x: %s %s %+v", x.serial, s.Code, s.Detail, s.RevocationEvidence)
		}
		if x.code == CodeCertRevoked && (!s.RevocationEvidence[0].RevokedAt.Equal(revokedAt) || s.RevocationEvidence[0].Reason != 1) {
			t.Errorf("revoked evidence: %+v", s.RevocationEvidence[0])
		}
	}
}

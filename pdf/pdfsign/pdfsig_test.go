package pdfsign

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/sign"
)

// poppler's pdfsig (NSS) has no GOST, so it checks an ECDSA P-256
// signature made the same way: it must find the ByteRange, the CMS and the
// digest sound ("Signature is Valid"), for both signatures of a file.
func TestPdfsigValidatesECDSA(t *testing.T) {
	pdfsig := tool(t, "pdfsig")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: "pdfsign test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := pki.ParseCertificates(der)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.NewSigner(key, certs)
	if err != nil {
		t.Fatal(err)
	}
	p := &testPKI{signer: s}
	signed := mustSign(t, mustSign(t, minimalPDF(1, 0), p, Options{}), p, Options{})
	out, _ := exec.Command(pdfsig, writeFile(t, "ecdsa.pdf", signed)).CombinedOutput()
	if n := strings.Count(string(out), "Signature is Valid"); n != 2 {
		t.Errorf("pdfsig: %d valid signatures, want 2:\n%s", n, out)
	}
	if !strings.Contains(string(out), "ETSI.CAdES.detached") {
		t.Errorf("pdfsig does not show the SubFilter:\n%s", out)
	}
}

package pki

import (
	"crypto"
	"crypto/x509"
	"math/big"
	"testing"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
)

// t0 is the validation time of the generated test PKIs.
var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// issuer is a certificate with its key, for signing children in tests.
type issuer struct {
	cert *Certificate
	key  crypto.Signer
}

func gostKey(t testing.TB, ps *gost3410.ParamSet) *gost3410.PrivateKey {
	t.Helper()
	k, err := gost3410.GenerateKey(ps, nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// caTemplate is a CA valid a year around t0.
func caTemplate(cn string, serial int64) *Template {
	return &Template{
		SerialNumber: big.NewInt(serial),
		Subject:      Name{CommonName: cn, Organization: "ООО «Тест»", Country: "RU", INNLE: "7707083893", OGRN: "1027700132195"},
		NotBefore:    t0.AddDate(-1, 0, 0),
		NotAfter:     t0.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		IsCA:         true,
		MaxPathLen:   -1,
	}
}

// leafTemplate is an end-entity certificate valid a month around t0.
func leafTemplate(cn string, serial int64) *Template {
	return &Template{
		SerialNumber: big.NewInt(serial),
		Subject:      Name{CommonName: cn, Surname: "Иванов", GivenName: "Иван Иванович", SNILS: "11223344595", INN: "500100732259", Country: "RU"},
		NotBefore:    t0.AddDate(0, -1, 0),
		NotAfter:     t0.AddDate(0, 1, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection},
	}
}

// issue creates a certificate for key from tmpl, signed by parent (nil:
// self-signed), and parses it.
func issue(t testing.TB, tmpl *Template, parent *issuer, key crypto.Signer) *issuer {
	t.Helper()
	var pc *Certificate
	signer := key
	if parent != nil {
		pc, signer = parent.cert, parent.key
	}
	der, err := CreateCertificate(tmpl, pc, key.Public(), signer)
	if err != nil {
		t.Fatalf("CreateCertificate(%s): %v", tmpl.Subject.CommonName, err)
	}
	c, err := ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &issuer{c, key}
}

func pool(certs ...*Certificate) *CertPool {
	p := NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

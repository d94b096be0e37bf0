package devpki

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/internal/osslgost"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/ruid"
)

func TestNew(t *testing.T) {
	for _, ps := range []*gost3410.ParamSet{nil, gost3410.CryptoProA, gost3410.TC26512A} {
		p, err := New(Options{ParamSet: ps})
		if err != nil {
			t.Fatal(err)
		}
		roots := pki.NewCertPool()
		roots.AddCert(p.CA.Cert)
		for name, party := range map[string]Party{"signer": p.Signer, "person": p.Person, "tsa": p.TSA} {
			if _, err := party.Cert.Verify(pki.VerifyOptions{Roots: roots}); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if !party.Key.PublicKey().Equal(party.Cert.PublicKey) {
				t.Errorf("%s: certificate is not the key's", name)
			}
		}
		if _, err := p.TSA.Cert.Verify(pki.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}); err != nil {
			t.Errorf("TSA not valid for timestamping: %v", err)
		}
		crl, err := pki.ParseRevocationList(p.CRL)
		if err != nil || crl.CheckSignatureFrom(p.CA.Cert) != nil {
			t.Fatalf("CRL: %v", err)
		}
		s := p.Signer.Cert
		if s.IssuerSignTool == nil || s.SubjectSignTool == "" || s.IdentificationKind == nil || len(s.SignToolClasses) != 2 {
			t.Errorf("signer lacks the qualified-certificate extensions")
		}
	}
}

// Every registration number in the PKI has valid check digits.
func TestCheckDigits(t *testing.T) {
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*pki.Certificate{p.CA.Cert, p.Signer.Cert, p.Person.Cert, p.TSA.Cert} {
		n := c.SubjectName
		for _, x := range []struct {
			v     string
			check func(string) error
		}{{n.INN, ruid.CheckINNPerson}, {n.INNLE, ruid.CheckINNLegal}, {n.OGRN, ruid.CheckOGRN}, {n.SNILS, ruid.CheckSNILS}} {
			if x.v != "" {
				if err := x.check(x.v); err != nil {
					t.Errorf("%s: %v", n.CommonName, err)
				}
			}
		}
	}
	sn := p.Signer.Cert.SubjectName
	if sn.INN == "" || sn.INNLE == "" || sn.OGRN == "" || sn.SNILS == "" || sn.Title == "" {
		t.Errorf("signer lacks Russian attributes: %+v", sn)
	}
	if pn := p.Person.Cert.SubjectName; pn.SNILS == "" || pn.INN == "" {
		t.Errorf("person lacks SNILS/INN: %+v", pn)
	}
}

func TestWriteDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pki")
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WriteDir(dir, false); err != nil {
		t.Fatal(err)
	}
	for _, f := range Files {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, ".key") && fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", f, fi.Mode().Perm())
		}
	}
	before, _ := os.ReadFile(filepath.Join(dir, "ca.pem"))
	p2, _ := New(Options{})
	if err := p2.WriteDir(dir, false); !errors.Is(err, ErrExists) {
		t.Fatalf("second WriteDir: %v", err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "ca.pem")); string(after) != string(before) {
		t.Fatal("refused WriteDir changed ca.pem")
	}
	if err := p2.WriteDir(dir, true); err != nil {
		t.Fatal(err)
	}
	// The keys read back as written: one PKCS#8 "PRIVATE KEY" block each.
	ca, err := LoadCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !ca.Key.Public().(*gost3410.PublicKey).Equal(p2.CA.Cert.PublicKey) {
		t.Fatal("ca.key read back is not the CA's key")
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "ca.key"))
	if !strings.HasPrefix(string(raw), "-----BEGIN PRIVATE KEY-----\n") || strings.Count(string(raw), "-----BEGIN") != 1 {
		t.Fatalf("ca.key is not one PKCS#8 PEM block:\n%.40s", raw)
	}
	os.WriteFile(filepath.Join(dir, "bad.key"), pemCert(p2.CA.Cert.Raw), 0o600)
	if _, err := loadKey(filepath.Join(dir, "bad.key")); err == nil || !strings.Contains(err.Error(), `want "PRIVATE KEY"`) {
		t.Fatalf("a certificate as a key: %v", err)
	}

	// OpenSSL accepts the chain and the CRL.
	osslgost.Require(t)
	caFile := filepath.Join(dir, "ca.pem")
	for _, leaf := range []string{"signer.pem", "person.pem", "tsa.pem"} {
		out := osslgost.Run(t, nil, "verify", "-CAfile", caFile, filepath.Join(dir, leaf))
		if !strings.Contains(string(out), ": OK") {
			t.Errorf("openssl verify %s: %s", leaf, out)
		}
	}
	if out, err := osslgost.Try(t, nil, "crl", "-in", filepath.Join(dir, "crl.pem"), "-CAfile", caFile, "-noout"); err != nil {
		t.Errorf("openssl crl: %v %s", err, out)
	}
	// and reads the private keys (its GOST engine's PKCS#8 form, FACTS §4.2).
	if out, err := osslgost.Try(t, nil, "pkey", "-in", filepath.Join(dir, "signer.key"), "-noout"); err != nil {
		t.Errorf("openssl pkey signer.key: %v %s", err, out)
	}
}

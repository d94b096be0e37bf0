package pki

import (
	"encoding/base64"
	"encoding/pem"
	"errors"
	"testing"
)

// TestRealSignatures checks the certificate signatures PROVENANCE.md §2
// reports OpenSSL accepting: each child verifies under its issuer's key.
func TestRealSignatures(t *testing.T) {
	tests := []struct{ child, issuer string }{
		{"mincifry-root-2022.pem", "mincifry-root-2022.pem"},
		{"minsvyaz-root-2018.pem", "minsvyaz-root-2018.pem"},
		{"fns-ca-2024.pem", "mincifry-root-2022.pem"},
		{"kaznachejstvo-ca-2023.pem", "mincifry-root-2022.pem"},
		{"fns-mi-cod-signer-2024.der", "kaznachejstvo-ca-2023.pem"},
		{"ca-512A-sledkom-2019.pem", "minsvyaz-root-2018.pem"},
		{"ca-tc26-256A-kriptotelekom-2019.pem", "minsvyaz-root-2018.pem"},
		{"ca-cpB-sberbank-2020.pem", "minsvyaz-root-2018.pem"},
		{"ca-cpC-opfr-kostroma-2019.pem", "minsvyaz-root-2018.pem"},
		{"cryptopro-testca-root-2018.der", "cryptopro-testca-root-2018.der"},
		{"cryptopro-testca-root-2024.der", "cryptopro-testca-root-2024.der"},
		{"cryptopro-testca-leaf-2024.der", "cryptopro-testca-root-2024.der"},
		{"cryptopro-testca-ocsp-2024.der", "cryptopro-testca-root-2024.der"},
		{"cryptopro-test-head-ca-2023.der", "cryptopro-test-head-ca-2023.der"},
		{"cryptopro-test-sub-ca-2023.der", "cryptopro-test-head-ca-2023.der"},
		{"cryptopro-test-tsa-2023.der", "cryptopro-test-sub-ca-2023.der"},
		{"cryptopro-test-ocsp-2023.der", "cryptopro-test-sub-ca-2023.der"},
		{"pycades-root.der", "pycades-root.der"},
		{"pycades-test-leaf.der", "pycades-root.der"},
		{"tk26iok-2013-256-xcha.der", "tk26iok-2013-256-xcha.der"},
		{"tk26iok-2013-512-b.der", "tk26iok-2013-512-b.der"},
		{"tc26-2019-root256.pem", "tc26-2019-root256.pem"},
		{"tc26-2019-sender256.pem", "tc26-2019-root256.pem"},
		{"tc26-2019-sender512.pem", "tc26-2019-root256.pem"},
		{"rfc9215-example-2001test-key2012.pem", "rfc9215-example-2001test-key2012.pem"},
		{"rfc9215-example-256A.pem", "rfc9215-example-256A.pem"},
		{"rfc9215-example-512test.pem", "rfc9215-example-512test.pem"},
		{"js-gostcrypto-pushkin-2017.der", "js-gostcrypto-pushkin-2017.der"},
		{"rutoken-bc-test-ca.der", "rutoken-bc-test-ca.der"},
	}
	for _, tt := range tests {
		t.Run(tt.child, func(t *testing.T) {
			child, issuer := realCert(t, tt.child), realCert(t, tt.issuer)
			if err := child.CheckSignatureFrom(issuer); err != nil {
				t.Fatalf("CheckSignatureFrom: %v", err)
			}
		})
	}
}

// TestRealGOST2001 checks that the GOST R 34.10-2001 root (PROVENANCE §2)
// parses and reports ErrUnsupportedAlgorithm instead of crashing.
func TestRealGOST2001(t *testing.T) {
	c := realCert(t, "cryptopro-testcenter2-root-2014-gost2001.der")
	if c.PublicKey != nil {
		t.Errorf("PublicKey = %T, want nil", c.PublicKey)
	}
	if err := c.CheckSignatureFrom(c); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("CheckSignatureFrom = %v, want ErrUnsupportedAlgorithm", err)
	}
}

// TestDERNotTrimmed is the regression test for DER whose last bytes look
// like white space (a signature ending in 0x20): it must reach the parser
// whole.
func TestDERNotTrimmed(t *testing.T) {
	der := []byte{0x30, 0x03, 0x02, 0x01, 0x20}
	if got, err := pemOrDER(der, "X"); err != nil || len(got) != len(der) {
		t.Errorf("pemOrDER = % x, %v", got, err)
	}
	two := append(append([]byte(nil), der...), der...)
	if got, err := splitCertificates(two); err != nil || len(got) != 2 || len(got[1]) != len(der) {
		t.Errorf("splitCertificates = % x, %v", got, err)
	}
}

// TestParseCertificatesForms reads one certificate as DER, PEM (among other
// blocks) and bare Base64, and refuses garbage.
func TestParseCertificatesForms(t *testing.T) {
	der := realCert(t, "pycades-root.der").Raw
	b64 := base64.StdEncoding.EncodeToString(der)
	pemText := "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" +
		string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})) +
		string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	for _, tt := range []struct {
		name string
		in   []byte
		n    int
	}{
		{"DER", der, 1},
		{"two DER", append(append([]byte(nil), der...), der...), 2},
		{"PEM", []byte(pemText), 2},
		{"Base64 with line breaks", []byte(b64[:40] + "\r\n" + b64[40:] + "\n"), 1},
		{"empty", nil, 0},
		{"garbage", []byte("hello"), 0},
		{"truncated DER", der[:len(der)-1], 0},
		{"PEM without certificates", []byte("-----BEGIN X-----\nAAAA\n-----END X-----\n"), 0},
	} {
		cs, err := ParseCertificates(tt.in)
		if (err != nil) != (tt.n == 0) || len(cs) != tt.n {
			t.Errorf("%s: %d certificates, %v", tt.name, len(cs), err)
		}
	}
}

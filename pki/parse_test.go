package pki

import (
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

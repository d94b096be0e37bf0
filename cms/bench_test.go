package cms

import (
	"bytes"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
)

// BenchmarkCMSVerify measures what `make bench` compares with OpenSSL's
// CMS_verify (internal/benchcmp, figures cms_verify/…): a detached CAdES-BES
// signature over 1 KiB, CryptoPro-A leaf issued by a CryptoPro-A CA,
// Streebog-256.
//
//   - nochain: parse the DER and verify the signer with its embedded
//     certificate (signature, signingCertificateV2, messageDigest) — OpenSSL's
//     d2i_CMS + CMS_verify with CMS_NO_SIGNER_CERT_VERIFY;
//   - chain: that, and the path from the signer's certificate to the trusted
//     CA with pki (one certificate signature more) — CMS_verify with an
//     X509_STORE holding the CA.
func BenchmarkCMSVerify(b *testing.B) {
	p := gostPKI(b, gost3410.CryptoProA)
	data := bytes.Repeat([]byte("0123456789abcdef"), 64)
	sig, err := Sign(bytes.NewReader(data), p.config(), SignOptions{Detached: true})
	if err != nil {
		b.Fatal(err)
	}
	roots := pki.NewCertPool()
	roots.AddCert(p.ca)
	verify := func(b *testing.B, chain bool) {
		for b.Loop() {
			res, err := Verify(sig, VerifyOptions{Content: bytes.NewReader(data)})
			if err != nil || res.Signers[0].Code != OK {
				b.Fatalf("%v %v", err, res.Signers[0].Detail)
			}
			if chain {
				if _, err := res.Signers[0].Certificate.Verify(pki.VerifyOptions{Roots: roots, CurrentTime: testTime}); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("nochain", func(b *testing.B) { b.ReportAllocs(); verify(b, false) })
	b.Run("chain", func(b *testing.B) { b.ReportAllocs(); verify(b, true) })
}

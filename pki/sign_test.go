package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"io"
	"math/big"
	"sync"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
)

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

// testRSAKey is generated once: RSA key generation is slow.
func testRSAKey(t testing.TB) *rsa.PrivateKey {
	rsaOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return rsaKey
}

// plainSigner hides crypto.MessageSigner, so that Sign has to hash.
type plainSigner struct{ crypto.Signer }

// TestSignCheck signs with each kind of key and checks the result with
// CheckSignature, under the signature OID and as CMS producers write it
// (key OID plus digest, FACTS §4.5).
func TestSignCheck(t *testing.T) {
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	g256, g512 := gostKey(t, gost3410.TC26256A), gostKey(t, gost3410.TC26512B)
	msg := []byte("Контрольный пример")
	tests := []struct {
		name      string
		signer    crypto.Signer
		sigAlg    asn1.ObjectIdentifier
		digestAlg asn1.ObjectIdentifier
		keyOID    asn1.ObjectIdentifier // as a CMS signatureAlgorithm, with digestAlg
	}{
		{"GOST 256", g256, asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 2}, OIDStreebog256, asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}},
		{"GOST 256 without MessageSigner", plainSigner{g256}, asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 2}, OIDStreebog256, asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}},
		{"GOST 512", g512, asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 3}, OIDStreebog512, asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2}},
		{"RSA", testRSAKey(t), asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, OIDSHA256, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}},
		{"P-256", p256, asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}, OIDSHA256, asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}},
		{"P-384", p384, asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, OIDSHA384, asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}},
		{"P-521", p521, asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}, OIDSHA512, asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}},
		{"Ed25519", ed, asn1.ObjectIdentifier{1, 3, 101, 112}, OIDSHA512, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig, alg, digest, err := Sign(nil, tt.signer, msg)
			if err != nil {
				t.Fatal(err)
			}
			if !alg.Algorithm.Equal(tt.sigAlg) || !digest.Equal(tt.digestAlg) {
				t.Fatalf("Sign chose %v, %v", alg.Algorithm, digest)
			}
			pub := tt.signer.Public()
			if err := CheckSignature(pub, tt.sigAlg, nil, msg, sig); err != nil {
				t.Errorf("under %v: %v", tt.sigAlg, err)
			}
			if err := CheckSignature(pub, tt.sigAlg, tt.digestAlg, msg, sig); err != nil {
				t.Errorf("under %v with digest: %v", tt.sigAlg, err)
			}
			if tt.keyOID != nil {
				if err := CheckSignature(pub, tt.keyOID, tt.digestAlg, msg, sig); err != nil {
					t.Errorf("under key OID %v: %v", tt.keyOID, err)
				}
			}
			if err := CheckSignature(pub, tt.sigAlg, nil, append([]byte("x"), msg...), sig); !errors.Is(err, ErrSignatureInvalid) {
				t.Errorf("other message: %v", err)
			}
		})
	}
}

// TestCheckSignatureRefuses covers the algorithm errors.
func TestCheckSignatureRefuses(t *testing.T) {
	g := gostKey(t, gost3410.CryptoProA)
	msg := []byte("m")
	sig, _, _, err := Sign(nil, g, msg)
	if err != nil {
		t.Fatal(err)
	}
	r := testRSAKey(t)
	rsaSig, _, _, _ := Sign(nil, r, msg)
	oid := func(a ...int) asn1.ObjectIdentifier { return a }
	tests := []struct {
		name      string
		pub       crypto.PublicKey
		sigAlg    asn1.ObjectIdentifier
		digestAlg asn1.ObjectIdentifier
		sig       []byte
		want      error
	}{
		{"512 OID on a 256 key", g.Public(), oid(1, 2, 643, 7, 1, 1, 3, 3), nil, sig, ErrSignatureInvalid},
		{"Streebog-512 digest named", g.Public(), oid(1, 2, 643, 7, 1, 1, 3, 2), OIDStreebog512, sig, ErrSignatureInvalid},
		{"GOST 2001 signature OID", g.Public(), oid(1, 2, 643, 2, 2, 3), nil, sig, ErrUnsupportedAlgorithm},
		{"GOST 2001 key OID", g.Public(), oid(1, 2, 643, 2, 2, 19), nil, sig, ErrUnsupportedAlgorithm},
		{"RSA OID on a GOST key", g.Public(), oid(1, 2, 840, 113549, 1, 1, 11), nil, sig, ErrSignatureInvalid},
		{"unknown OID", g.Public(), oid(1, 2, 3), nil, sig, ErrUnsupportedAlgorithm},
		{"short GOST signature", g.Public(), oid(1, 2, 643, 7, 1, 1, 3, 2), nil, sig[:63], ErrSignatureInvalid},
		{"nil key", nil, oid(1, 2, 643, 7, 1, 1, 3, 2), nil, sig, ErrUnsupportedAlgorithm},
		{"SHA-1 with RSA", r.Public(), oid(1, 2, 840, 113549, 1, 1, 5), nil, rsaSig, ErrUnsupportedAlgorithm},
		{"rsaEncryption without digest", r.Public(), oid(1, 2, 840, 113549, 1, 1, 1), nil, rsaSig, ErrUnsupportedAlgorithm},
		{"rsaEncryption with SHA-1", r.Public(), oid(1, 2, 840, 113549, 1, 1, 1), oid(1, 3, 14, 3, 2, 26), rsaSig, ErrUnsupportedAlgorithm},
		{"digest mismatch", r.Public(), oid(1, 2, 840, 113549, 1, 1, 11), OIDSHA384, rsaSig, ErrSignatureInvalid},
		{"PSS without digest", r.Public(), oid(1, 2, 840, 113549, 1, 1, 10), nil, rsaSig, ErrUnsupportedAlgorithm},
		{"PKCS#1 signature as PSS", r.Public(), oid(1, 2, 840, 113549, 1, 1, 10), OIDSHA256, rsaSig, ErrSignatureInvalid},
	}
	for _, tt := range tests {
		if err := CheckSignature(tt.pub, tt.sigAlg, tt.digestAlg, msg, tt.sig); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

// badSigner returns a signature that does not verify, as a faulty token
// might.
type badSigner struct{ crypto.Signer }

func (b badSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	sig, err := b.Signer.Sign(r, d, o)
	sig[0] ^= 1
	return sig, err
}

func TestSignRefusesBadSigner(t *testing.T) {
	if _, _, _, err := Sign(nil, badSigner{gostKey(t, gost3410.CryptoProA)}, []byte("m")); err == nil {
		t.Error("Sign accepted a bad signature")
	}
}

// TestStdlibCertificates checks certificates made by crypto/x509 — RSA
// PKCS#1 v1.5 and PSS, ECDSA, Ed25519 — through CheckSignatureFrom and
// Verify, and certificates podpis makes with such keys through crypto/x509.
func TestStdlibCertificates(t *testing.T) {
	r := testRSAKey(t)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	edPub, edKey, _ := ed25519.GenerateKey(rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Go CA"},
		NotBefore: t0.AddDate(-1, 0, 0), NotAfter: t0.AddDate(1, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, r.Public(), r)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	goCA, _ := x509.ParseCertificate(caDER)
	for _, tt := range []struct {
		name string
		pub  crypto.PublicKey
		alg  x509.SignatureAlgorithm
	}{
		{"RSA PKCS#1 v1.5", ec.Public(), x509.SHA256WithRSA},
		{"RSA PSS SHA-384", ec.Public(), x509.SHA384WithRSAPSS},
		{"RSA SHA-512 over an Ed25519 key", edPub, x509.SHA512WithRSA},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "leaf"},
				NotBefore: t0.AddDate(0, -1, 0), NotAfter: t0.AddDate(0, 1, 0), SignatureAlgorithm: tt.alg}
			der, err := x509.CreateCertificate(rand.Reader, tmpl, goCA, tt.pub, r)
			if err != nil {
				t.Fatal(err)
			}
			leaf, err := ParseCertificate(der)
			if err != nil {
				t.Fatal(err)
			}
			if err := leaf.CheckSignatureFrom(ca); err != nil {
				t.Fatal(err)
			}
			if _, err := leaf.Verify(VerifyOptions{Roots: pool(ca), CurrentTime: t0}); err != nil {
				t.Fatal(err)
			}
		})
	}

	// podpis issues with ECDSA, RSA and Ed25519 issuers; crypto/x509 checks.
	for _, key := range []crypto.Signer{ec, r, edKey} {
		root := issue(t, caTemplate("CA", 1), nil, key)
		leaf := issue(t, leafTemplate("leaf", 2), root, gostKey(t, gost3410.CryptoProA))
		goRoot, _ := x509.ParseCertificate(root.cert.Raw)
		if err := goRoot.CheckSignature(leaf.cert.SignatureAlgorithm, leaf.cert.RawTBSCertificate, leaf.cert.Signature); err != nil {
			t.Errorf("%T: crypto/x509 rejects our signature: %v", key, err)
		}
		if err := goRoot.CheckSignatureFrom(goRoot); err != nil {
			t.Errorf("%T: crypto/x509 rejects our self-signed root: %v", key, err)
		}
	}
}

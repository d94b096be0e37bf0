package pki

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"testing"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
)

// testPKI is root → intermediate → leaf on GOST keys, valid at t0.
type testPKI struct {
	root, inter, leaf *issuer
}

func newTestPKI(t testing.TB) *testPKI {
	t.Helper()
	root := issue(t, caTemplate("Корневой УЦ", 1), nil, gostKey(t, gost3410.CryptoProA))
	inter := issue(t, caTemplate("Подчинённый УЦ", 2), root, gostKey(t, gost3410.TC26512A))
	leaf := issue(t, leafTemplate("Иванов Иван Иванович", 3), inter, gostKey(t, gost3410.CryptoProXchA))
	return &testPKI{root, inter, leaf}
}

func (p *testPKI) opts() VerifyOptions {
	return VerifyOptions{Roots: pool(p.root.cert), Intermediates: pool(p.inter.cert), CurrentTime: t0}
}

func TestVerifyChain(t *testing.T) {
	p := newTestPKI(t)
	chains, err := p.leaf.cert.Verify(p.opts())
	if err != nil {
		t.Fatal(err)
	}
	if len(chains) != 1 || len(chains[0]) != 3 || chains[0][0] != p.leaf.cert || chains[0][1] != p.inter.cert || chains[0][2] != p.root.cert {
		t.Fatalf("chains = %v", chains)
	}
	// A root verifies as a chain of one.
	if chains, err := p.root.cert.Verify(p.opts()); err != nil || len(chains) != 1 || len(chains[0]) != 1 {
		t.Fatalf("root: %v %v", chains, err)
	}
	// The EKU the leaf has passes; ExtKeyUsageAny means no check.
	for _, u := range [][]x509.ExtKeyUsage{{x509.ExtKeyUsageClientAuth}, {x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageEmailProtection}, {x509.ExtKeyUsageAny}} {
		o := p.opts()
		o.KeyUsages = u
		if _, err := p.leaf.cert.Verify(o); err != nil {
			t.Errorf("KeyUsages %v: %v", u, err)
		}
	}
}

// TestVerifyFailures makes one PKI per rule of RFC 5280 §6.1 that Verify
// applies and checks the code and the certificate the error names.
func TestVerifyFailures(t *testing.T) {
	type setup struct {
		leaf *Certificate
		opts VerifyOptions
		want Code
		cert *Certificate // the certificate the error must name
	}
	tests := []struct {
		name string
		make func(t *testing.T) setup
	}{
		{"leaf expired", func(t *testing.T) setup {
			p := newTestPKI(t)
			o := p.opts()
			o.CurrentTime = t0.AddDate(0, 2, 0)
			return setup{p.leaf.cert, o, CodeCertExpired, p.leaf.cert}
		}},
		{"leaf not yet valid", func(t *testing.T) setup {
			p := newTestPKI(t)
			o := p.opts()
			o.CurrentTime = t0.AddDate(0, -2, 0)
			return setup{p.leaf.cert, o, CodeCertNotYetValid, p.leaf.cert}
		}},
		{"intermediate expired", func(t *testing.T) setup {
			root := issue(t, caTemplate("Корневой УЦ", 1), nil, gostKey(t, gost3410.CryptoProA))
			tm := caTemplate("Подчинённый УЦ", 2)
			tm.NotAfter = t0.Add(-time.Hour)
			inter := issue(t, tm, root, gostKey(t, gost3410.CryptoProA))
			leaf := issue(t, leafTemplate("leaf", 3), inter, gostKey(t, gost3410.CryptoProA))
			return setup{leaf.cert, VerifyOptions{Roots: pool(root.cert), Intermediates: pool(inter.cert), CurrentTime: t0}, CodeCertExpired, inter.cert}
		}},
		{"root not yet valid", func(t *testing.T) setup {
			tm := caTemplate("Корневой УЦ", 1)
			tm.NotBefore = t0.Add(time.Hour)
			root := issue(t, tm, nil, gostKey(t, gost3410.CryptoProA))
			leaf := issue(t, leafTemplate("leaf", 3), root, gostKey(t, gost3410.CryptoProA))
			return setup{leaf.cert, VerifyOptions{Roots: pool(root.cert), CurrentTime: t0}, CodeCertNotYetValid, root.cert}
		}},
		{"untrusted root", func(t *testing.T) setup {
			p := newTestPKI(t)
			other := issue(t, caTemplate("Другой УЦ", 9), nil, gostKey(t, gost3410.CryptoProA))
			o := p.opts()
			o.Roots = pool(other.cert)
			return setup{p.leaf.cert, o, CodeChainUntrusted, p.inter.cert}
		}},
		{"no roots", func(t *testing.T) setup {
			p := newTestPKI(t)
			return setup{p.leaf.cert, VerifyOptions{CurrentTime: t0}, CodeChainUntrusted, p.leaf.cert}
		}},
		{"wrong issuer signature", func(t *testing.T) setup {
			// A root with the real root's name and key identifier but another key.
			p := newTestPKI(t)
			tm := caTemplate("Корневой УЦ", 1)
			tm.SubjectKeyID = p.root.cert.SubjectKeyId
			fake := issue(t, tm, nil, gostKey(t, gost3410.CryptoProA))
			o := p.opts()
			o.Roots = pool(fake.cert)
			return setup{p.leaf.cert, o, CodeCertSignatureInvalid, p.inter.cert}
		}},
		{"tampered leaf", func(t *testing.T) setup {
			p := newTestPKI(t)
			raw := append([]byte(nil), p.leaf.cert.Raw...)
			raw[len(raw)-1] ^= 1 // the signature's last byte
			c, err := ParseCertificate(raw)
			if err != nil {
				t.Fatal(err)
			}
			return setup{c, p.opts(), CodeCertSignatureInvalid, c}
		}},
		{"issuer not a CA", func(t *testing.T) setup {
			root := issue(t, caTemplate("Корневой УЦ", 1), nil, gostKey(t, gost3410.CryptoProA))
			tm := caTemplate("Не УЦ", 2)
			tm.IsCA = false
			inter := issue(t, tm, root, gostKey(t, gost3410.CryptoProA))
			leaf := issue(t, leafTemplate("leaf", 3), inter, gostKey(t, gost3410.CryptoProA))
			return setup{leaf.cert, VerifyOptions{Roots: pool(root.cert), Intermediates: pool(inter.cert), CurrentTime: t0}, CodeNotACA, inter.cert}
		}},
		{"path length", func(t *testing.T) setup {
			tm := caTemplate("Корневой УЦ", 1)
			tm.MaxPathLen = 0
			root := issue(t, tm, nil, gostKey(t, gost3410.CryptoProA))
			inter := issue(t, caTemplate("Подчинённый УЦ", 2), root, gostKey(t, gost3410.CryptoProA))
			leaf := issue(t, leafTemplate("leaf", 3), inter, gostKey(t, gost3410.CryptoProA))
			return setup{leaf.cert, VerifyOptions{Roots: pool(root.cert), Intermediates: pool(inter.cert), CurrentTime: t0}, CodePathTooLong, root.cert}
		}},
		{"key usage without keyCertSign", func(t *testing.T) setup {
			root := issue(t, caTemplate("Корневой УЦ", 1), nil, gostKey(t, gost3410.CryptoProA))
			tm := caTemplate("Подчинённый УЦ", 2)
			tm.KeyUsage = x509.KeyUsageCRLSign
			inter := issue(t, tm, root, gostKey(t, gost3410.CryptoProA))
			leaf := issue(t, leafTemplate("leaf", 3), inter, gostKey(t, gost3410.CryptoProA))
			return setup{leaf.cert, VerifyOptions{Roots: pool(root.cert), Intermediates: pool(inter.cert), CurrentTime: t0}, CodeKeyUsage, inter.cert}
		}},
		{"ext key usage", func(t *testing.T) setup {
			p := newTestPKI(t)
			o := p.opts()
			o.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
			return setup{p.leaf.cert, o, CodeExtKeyUsage, p.leaf.cert}
		}},
		{"ext key usage of the intermediate", func(t *testing.T) setup {
			root := issue(t, caTemplate("Корневой УЦ", 1), nil, gostKey(t, gost3410.CryptoProA))
			tm := caTemplate("Подчинённый УЦ", 2)
			tm.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}
			inter := issue(t, tm, root, gostKey(t, gost3410.CryptoProA))
			leaf := issue(t, leafTemplate("leaf", 3), inter, gostKey(t, gost3410.CryptoProA))
			o := VerifyOptions{Roots: pool(root.cert), Intermediates: pool(inter.cert), CurrentTime: t0, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
			return setup{leaf.cert, o, CodeExtKeyUsage, inter.cert}
		}},
		{"unhandled critical extension", func(t *testing.T) setup {
			p := newTestPKI(t)
			tm := leafTemplate("leaf", 4)
			tm.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Critical: true, Value: []byte{5, 0}}}
			leaf := issue(t, tm, p.inter, gostKey(t, gost3410.CryptoProA))
			return setup{leaf.cert, p.opts(), CodeUnhandledCritical, leaf.cert}
		}},
		{"unhandled critical extension on the intermediate", func(t *testing.T) setup {
			root := issue(t, caTemplate("Корневой УЦ", 1), nil, gostKey(t, gost3410.CryptoProA))
			tm := caTemplate("Подчинённый УЦ", 2)
			tm.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Critical: true, Value: []byte{5, 0}}}
			inter := issue(t, tm, root, gostKey(t, gost3410.CryptoProA))
			leaf := issue(t, leafTemplate("leaf", 3), inter, gostKey(t, gost3410.CryptoProA))
			return setup{leaf.cert, VerifyOptions{Roots: pool(root.cert), Intermediates: pool(inter.cert), CurrentTime: t0}, CodeUnhandledCritical, inter.cert}
		}},
		{"issuer key not decoded", func(t *testing.T) setup {
			p := newTestPKI(t)
			blind := *p.root.cert
			blind.PublicKey = nil
			o := p.opts()
			o.Roots = pool(&blind)
			return setup{p.leaf.cert, o, CodeAlgorithmUnsupported, p.inter.cert}
		}},
		{"loop without a root", func(t *testing.T) setup {
			// A and B cross-certify each other; neither is trusted.
			ka, kb := gostKey(t, gost3410.CryptoProA), gostKey(t, gost3410.CryptoProA)
			a := issue(t, caTemplate("УЦ А", 1), nil, ka)
			b := issue(t, caTemplate("УЦ Б", 2), nil, kb)
			aByB := issue(t, caTemplate("УЦ А", 3), b, ka)
			bByA := issue(t, caTemplate("УЦ Б", 4), a, kb)
			leaf := issue(t, leafTemplate("leaf", 5), a, gostKey(t, gost3410.CryptoProA))
			other := issue(t, caTemplate("Чужой УЦ", 6), nil, gostKey(t, gost3410.CryptoProA))
			o := VerifyOptions{Roots: pool(other.cert), Intermediates: pool(aByB.cert, bByA.cert, a.cert, b.cert), CurrentTime: t0}
			return setup{leaf.cert, o, CodeChainUntrusted, nil}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.make(t)
			chains, err := s.leaf.Verify(s.opts)
			var perr *PathError
			if !errors.As(err, &perr) {
				t.Fatalf("Verify = %v, %v; want a *PathError", chains, err)
			}
			if perr.Code != s.want {
				t.Fatalf("Code = %s (%v), want %s", perr.Code, err, s.want)
			}
			if !errors.Is(err, &PathError{Code: s.want}) {
				t.Error("errors.Is does not match the code")
			}
			if s.cert != nil && perr.Cert != s.cert && (perr.Cert == nil || !perr.Cert.Equal(s.cert)) {
				t.Errorf("Cert = %q, want %q", displayCN(perr.Cert), displayCN(s.cert))
			}
			if perr.Code == CodeCertSignatureInvalid && !errors.Is(err, ErrSignatureInvalid) {
				t.Error("does not unwrap to ErrSignatureInvalid")
			}
			if perr.Code == CodeAlgorithmUnsupported && !errors.Is(err, ErrUnsupportedAlgorithm) {
				t.Error("does not unwrap to ErrUnsupportedAlgorithm")
			}
			t.Log(err)
		})
	}
}

// TestVerifyCandidates checks that among several issuers with the same name
// the right one is found — by key identifier first, and by signature when
// there is none — and that a wrong one tried first leaves no error behind.
func TestVerifyCandidates(t *testing.T) {
	oldKey, newKey := gostKey(t, gost3410.CryptoProA), gostKey(t, gost3410.CryptoProA)
	root := issue(t, caTemplate("Корневой УЦ", 1), nil, gostKey(t, gost3410.CryptoProA))
	oldCA := issue(t, caTemplate("УЦ", 2), root, oldKey)
	newCA := issue(t, caTemplate("УЦ", 3), root, newKey) // renewed: same name, new key
	leaf := issue(t, leafTemplate("leaf", 4), newCA, gostKey(t, gost3410.CryptoProA))

	tm := leafTemplate("leaf without AKI", 5)
	tm.AuthorityKeyID = []byte{} // written as none
	noAKI := issue(t, tm, newCA, gostKey(t, gost3410.CryptoProA))

	for _, c := range []*Certificate{leaf.cert, noAKI.cert} {
		for _, order := range [][]*Certificate{{oldCA.cert, newCA.cert}, {newCA.cert, oldCA.cert}} {
			chains, err := c.Verify(VerifyOptions{Roots: pool(root.cert), Intermediates: pool(order...), CurrentTime: t0})
			if err != nil {
				t.Fatalf("%s: %v", displayCN(c), err)
			}
			if len(chains) != 1 || !chains[0][1].Equal(newCA.cert) {
				t.Fatalf("%s: chains = %v", displayCN(c), chains)
			}
		}
	}
	if len(noAKI.cert.AuthorityKeyId) != 0 {
		t.Fatal("AuthorityKeyID: []byte{} still wrote one")
	}
}

// TestVerifyBudget gives Verify many intermediates with the right name and
// the wrong key: it must stop after maxSignatureChecks.
func TestVerifyBudget(t *testing.T) {
	root := issue(t, caTemplate("Корневой УЦ", 1), nil, gostKey(t, gost3410.CryptoProA))
	ca := issue(t, caTemplate("УЦ", 2), root, gostKey(t, gost3410.CryptoProA))
	leaf := issue(t, leafTemplate("leaf", 3), ca, gostKey(t, gost3410.CryptoProA))
	inter := NewCertPool()
	for i := 0; i < maxSignatureChecks+20; i++ {
		tm := caTemplate("УЦ", int64(100+i))
		tm.SubjectKeyID = []byte{}
		inter.AddCert(issue(t, tm, root, ca.key).cert) // ca's key: checks of leaf pass, but no SKI
	}
	_, err := leaf.cert.Verify(VerifyOptions{Roots: pool(issue(t, caTemplate("Другой", 9), nil, gostKey(t, gost3410.CryptoProA)).cert), Intermediates: inter, CurrentTime: t0})
	if !errors.Is(err, &PathError{Code: CodeTooManySignatureChecks}) {
		t.Fatalf("Verify = %v", err)
	}
}

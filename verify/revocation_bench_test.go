package verify

import (
	"bytes"
	"context"
	"crypto/rand"
	"math/big"
	"testing"
	"time"

	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
)

// BenchmarkVerifyOnline: a detached CAdES-BES verified with its revocation
// status asked of devpki's OCSP responder on loopback (request, signed
// response, its check), and with a shared cache, where only the first call
// asks.
func BenchmarkVerifyOnline(b *testing.B) {
	o := newOnline(b)
	b.Run("ocsp-each-time", func(b *testing.B) {
		for b.Loop() {
			rep, err := CMS(context.Background(), o.sig, bytes.NewReader(content), Options{Roots: o.roots, Online: true})
			if err != nil || rep.Indication != TotalPassed {
				b.Fatalf("%v %+v", err, rep)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		cache := NewRevocationCache()
		for b.Loop() {
			rep, err := CMS(context.Background(), o.sig, bytes.NewReader(content), Options{Roots: o.roots, Online: true, Cache: cache})
			if err != nil || rep.Indication != TotalPassed {
				b.Fatalf("%v %+v", err, rep)
			}
		}
	})
	b.Run("offline", func(b *testing.B) {
		for b.Loop() {
			if _, err := CMS(context.Background(), o.sig, bytes.NewReader(content), Options{Roots: o.roots}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// A CRL of 100,000 entries: the lookup of a certificate is a map access
// once the index is built (one pass per CRL, kept by the cache).
func TestLargeCRL(t *testing.T) {
	if testing.Short() {
		t.Skip("makes a 100,000-entry CRL")
	}
	f := newFixture(t)
	l := bigCRL(t, f.p, 100_000, f.p.Signer.Cert.SerialNumber)
	cache := NewRevocationCache()
	start := time.Now()
	rep := run(t, f.sig, content, Options{Roots: f.roots, CRLs: []*pki.RevocationList{l}, Cache: cache})
	first := time.Since(start)
	if s := rep.Signatures[0]; s.Code != CodeCertRevoked {
		t.Fatalf("%s %s", s.Code, s.Detail)
	}
	start = time.Now()
	for range 100 {
		cache.lookup(l, f.p.Person.Cert)
	}
	if per := time.Since(start) / 100; per > time.Millisecond {
		t.Errorf("lookup in an indexed 100,000-entry CRL took %s (first verification %s)", per, first)
	}
}

func bigCRL(t testing.TB, p *devpki.PKI, n int, include *big.Int) *pki.RevocationList {
	now := time.Now()
	revoked := make([]pki.RevokedCertificate, 0, n)
	for i := range n - 1 {
		s, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
		revoked = append(revoked, pki.RevokedCertificate{SerialNumber: s.Add(s, big.NewInt(int64(i+1))), RevocationTime: now.Add(-time.Hour)})
	}
	revoked = append(revoked, pki.RevokedCertificate{SerialNumber: include, RevocationTime: now.Add(-time.Minute), ReasonCode: 1})
	der, err := pki.CreateRevocationList(&pki.CRLTemplate{Number: big.NewInt(9), ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(time.Hour), Revoked: revoked}, p.CA.Cert, p.CA.Key)
	if err != nil {
		t.Fatal(err)
	}
	l, err := pki.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func BenchmarkLargeCRLLookup(b *testing.B) {
	f := newOnline(b)
	l := bigCRL(b, f.p, 100_000, f.p.Signer.Cert.SerialNumber)
	cache := NewRevocationCache()
	cache.lookup(l, f.p.Person.Cert)
	for b.Loop() {
		if a := cache.lookup(l, f.p.Signer.Cert); a.reason != 1 {
			b.Fatal("not found")
		}
	}
}

package ocsp_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/pki/ocsp"
)

var update = flag.Bool("update", false, "rewrite testdata/fuzz")

// hostile are seeds with lengths far beyond the input, BER indefinite
// lengths and nothing at all.
var hostile = [][]byte{
	{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x30},
	{0x30, 0x80, 0x30, 0x80, 0x00, 0x00, 0x00, 0x00},
	{0x30, 0x03, 0x0a, 0x01, 0x00},
	nil,
}

// seeds makes requests and responses of every shape podpis writes.
func seeds(t testing.TB) (reqs, resps [][]byte, p *devpki.PKI) {
	p = newPKI(t, nil)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, h := range [][]int{pki.OIDStreebog256, pki.OIDStreebog512, ocsp.OIDSHA1} {
		id, err := ocsp.NewCertID(h, p.CA.Cert, p.Signer.Cert.SerialNumber)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := ocsp.CreateRequest([]ocsp.CertID{id}, bytes.Repeat([]byte{7}, 32))
		reqs = append(reqs, r)
		r, _ = ocsp.CreateRequest([]ocsp.CertID{id, id}, nil)
		reqs = append(reqs, r)
		for _, byName := range []bool{false, true} {
			for _, who := range []struct{ c *pki.Certificate }{{p.OCSP.Cert}, {p.CA.Cert}} {
				key := p.OCSP.Key
				if who.c == p.CA.Cert {
					key = p.CA.Key
				}
				der, err := ocsp.CreateResponse(&ocsp.ResponseTemplate{ProducedAt: now, ByName: byName, Nonce: []byte{1, 2, 3},
					Responses: []ocsp.SingleResponse{
						{CertID: id, Status: ocsp.Good, ThisUpdate: now, NextUpdate: now.Add(time.Hour)},
						{CertID: id, Status: ocsp.Revoked, RevokedAt: now, Reason: 1, ThisUpdate: now},
						{CertID: id, Status: ocsp.Unknown, ThisUpdate: now},
					}}, who.c, key, p.CA.Cert)
				if err != nil {
					t.Fatal(err)
				}
				resps = append(resps, der)
			}
		}
	}
	resps = append(resps, ocsp.ErrorResponse(ocsp.TryLater))
	return append(reqs, hostile...), append(resps, hostile...), p
}

// TestWriteFuzzCorpus rewrites testdata/fuzz/FuzzXxx when run with -update.
func TestWriteFuzzCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the fuzz corpora")
	}
	reqs, resps, p := seeds(t)
	pem := append(pemCert(p.CA.Cert), pemCert(p.OCSP.Cert)...)
	if err := os.WriteFile(filepath.Join("testdata", "fuzz-certs.pem"), pem, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, list := range map[string][][]byte{"FuzzParseRequest": reqs, "FuzzParseResponse": resps} {
		dir := filepath.Join("testdata", "fuzz", name)
		os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, s := range list {
			sum := sha256.Sum256(s)
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%x", sum[:8])), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// FuzzParseRequest: never panics; what parses is written back the same.
func FuzzParseRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ocsp.ParseRequest(data)
		if err != nil {
			return
		}
		der, err := ocsp.CreateRequest(r.CertIDs, r.Nonce)
		if err != nil {
			return // a hash podpis does not compute
		}
		again, err := ocsp.ParseRequest(der)
		if err != nil {
			t.Fatalf("a request written from a parsed one does not parse: %v", err)
		}
		for i := range r.CertIDs {
			if !again.CertIDs[i].Equal(r.CertIDs[i]) {
				t.Fatalf("CertID %d changed", i)
			}
		}
	})
}

// FuzzParseResponse: never panics; a parsed response's basic part parses
// alone to the same signed bytes; every single response is found by its
// CertID; checking the signature fails cleanly.
func FuzzParseResponse(f *testing.F) {
	// Fixed certificates (written with the corpus): making a PKI in every
	// fuzz worker, with instrumented GOST arithmetic, takes seconds.
	certs, err := pki.ParseCertificates(must(os.ReadFile(filepath.Join("testdata", "fuzz-certs.pem"))))
	if err != nil || len(certs) != 2 {
		f.Fatalf("testdata/fuzz-certs.pem: %v", err)
	}
	ca, responder := certs[0], certs[1]
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ocsp.ParseResponse(data)
		if err != nil || r.Status != ocsp.Successful {
			return
		}
		b, err := ocsp.ParseBasicResponse(r.RawBasic)
		if err != nil || !bytes.Equal(b.RawResponseData, r.RawResponseData) {
			t.Fatalf("the basic response does not parse alone: %v", err)
		}
		for _, sr := range r.Responses {
			if sr.CertID.SerialNumber != nil && r.Find(sr.CertID) == nil {
				t.Fatal("Find misses a response")
			}
			_ = sr.CertID.IssuedBy(ca)
		}
		_, _ = r.CheckSignatureFrom(ca, time.Now(), responder)
	})
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func pemCert(c *pki.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

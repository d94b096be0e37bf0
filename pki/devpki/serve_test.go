package devpki

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/ocsp"
)

func servePKI(t *testing.T, base string) (*PKI, string, *httptest.Server) {
	t.Helper()
	p, err := New(Options{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := p.WriteDir(dir, false); err != nil {
		t.Fatal(err)
	}
	h, err := NewHandler(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return p, dir, srv
}

func TestURLsInCertificates(t *testing.T) {
	p, err := New(Options{BaseURL: "http://127.0.0.1:8319/"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*pki.Certificate{p.Signer.Cert, p.Person.Cert, p.TSA.Cert} {
		if len(c.CRLDistributionPoints) != 1 || c.CRLDistributionPoints[0] != "http://127.0.0.1:8319/crl/ca.crl" ||
			len(c.OCSPServer) != 1 || c.OCSPServer[0] != "http://127.0.0.1:8319/ocsp" {
			t.Errorf("%s: CDP %v OCSP %v", c.Subject.CommonName, c.CRLDistributionPoints, c.OCSPServer)
		}
	}
	if len(p.OCSP.Cert.OCSPServer) != 0 || !ocsp.NoCheck(p.OCSP.Cert) {
		t.Error("the responder's own certificate names a responder or lacks nocheck")
	}
	if q, _ := New(Options{}); len(q.Signer.Cert.OCSPServer)+len(q.Signer.Cert.CRLDistributionPoints) != 0 {
		t.Error("URLs without a base URL")
	}
	// The base URL is remembered: certificates issued later name it too.
	dir := t.TempDir()
	if err := p.WriteDir(dir, false); err != nil {
		t.Fatal(err)
	}
	ca, err := LoadCA(dir)
	if err != nil || ca.BaseURL != "http://127.0.0.1:8319/" {
		t.Fatalf("LoadCA: %v %q", err, ca.BaseURL)
	}
	der, _ := pki.CreateCertificateRequest(&pki.RequestTemplate{Subject: pki.Name{CommonName: "x"}}, p.Person.Key)
	req, _ := pki.ParseCertificateRequest(der)
	c, err := IssueFromRequest(ca, req, time.Now())
	if err != nil || len(c.OCSPServer) != 1 || c.OCSPServer[0] != "http://127.0.0.1:8319/ocsp" {
		t.Fatalf("issued: %v %v", err, c)
	}
}

func ask(t *testing.T, srv *httptest.Server, p *PKI, serial *big.Int, get bool) *ocsp.SingleResponse {
	t.Helper()
	id, _ := ocsp.NewCertID(pki.OIDStreebog256, p.CA.Cert, serial)
	nonce, _ := ocsp.NewNonce()
	req, _ := ocsp.CreateRequest([]ocsp.CertID{id}, nonce)
	var resp *http.Response
	var err error
	if get {
		resp, err = http.Get(srv.URL + OCSPPath + "/" + url.QueryEscape(base64.StdEncoding.EncodeToString(req)))
	} else {
		resp, err = http.Post(srv.URL+OCSPPath, "application/ocsp-request", bytes.NewReader(req))
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "application/ocsp-response" {
		t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
	}
	der, _ := io.ReadAll(resp.Body)
	r, err := ocsp.ParseResponse(der)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.CheckSignatureFrom(p.CA.Cert, time.Now()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.Nonce, nonce) {
		t.Error("nonce not echoed")
	}
	return r.Find(id)
}

func TestHandler(t *testing.T) {
	p, dir, srv := servePKI(t, "")
	for _, get := range []bool{false, true} {
		if sr := ask(t, srv, p, p.Signer.Cert.SerialNumber, get); sr == nil || sr.Status != ocsp.Good || sr.NextUpdate.IsZero() {
			t.Fatalf("good (GET %v): %+v", get, sr)
		}
	}
	at := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	if err := Revoke(dir, p.Signer.Cert.SerialNumber, 1, at); err != nil {
		t.Fatal(err)
	}
	if sr := ask(t, srv, p, p.Signer.Cert.SerialNumber, true); sr.Status != ocsp.Revoked || !sr.RevokedAt.Equal(at) || sr.Reason != 1 {
		t.Fatalf("revoked: %+v", sr)
	}
	if sr := ask(t, srv, p, p.Person.Cert.SerialNumber, false); sr.Status != ocsp.Good {
		t.Fatalf("person: %+v", sr)
	}
	// Another CA's certificate: unknown.
	other, _ := New(Options{})
	id, _ := ocsp.NewCertID(pki.OIDStreebog256, other.CA.Cert, big.NewInt(5))
	req, _ := ocsp.CreateRequest([]ocsp.CertID{id}, nil)
	resp, _ := http.Post(srv.URL+OCSPPath, "application/ocsp-request", bytes.NewReader(req))
	der, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if r, err := ocsp.ParseResponse(der); err != nil || r.Find(id) == nil || r.Find(id).Status != ocsp.Unknown {
		t.Fatalf("unknown issuer: %v", err)
	}

	// The CRL, DER, lists the revocation.
	resp, err := http.Get(srv.URL + CRLPath)
	if err != nil {
		t.Fatal(err)
	}
	der, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	crl, err := pki.ParseRevocationList(der)
	if err != nil || resp.Header.Get("Content-Type") != "application/pkix-crl" || der[0] != 0x30 {
		t.Fatalf("CRL: %v", err)
	}
	if crl.CheckSignatureFrom(p.CA.Cert) != nil || crl.Number.Int64() != 2 || len(crl.RevokedCertificateEntries) != 1 ||
		crl.RevokedCertificateEntries[0].SerialNumber.Cmp(p.Signer.Cert.SerialNumber) != 0 || crl.RevokedCertificateEntries[0].ReasonCode != 1 {
		t.Fatalf("CRL content: %+v", crl.RevokedCertificateEntries)
	}
	if err := Revoke(dir, p.Signer.Cert.SerialNumber, 1, at); !errors.Is(err, ErrAlreadyRevoked) {
		t.Errorf("second revocation: %v", err)
	}
	for _, bad := range []struct {
		serial *big.Int
		reason int
	}{{big.NewInt(0), 0}, {big.NewInt(5), 7}, {big.NewInt(5), 11}, {nil, 0}} {
		if err := Revoke(dir, bad.serial, bad.reason, at); err == nil {
			t.Errorf("revoked %v reason %d", bad.serial, bad.reason)
		}
	}
}

// Bad requests get an OCSP malformedRequest or an HTTP error, never a
// signature.
func TestHandlerBadRequests(t *testing.T) {
	_, _, srv := servePKI(t, "")
	malformed := func(resp *http.Response, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		der, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		r, err := ocsp.ParseResponse(der)
		if err != nil || r.Status != ocsp.MalformedRequest {
			t.Errorf("%v %+v", err, r)
		}
	}
	malformed(http.Post(srv.URL+OCSPPath, "application/ocsp-request", strings.NewReader("garbage")))
	malformed(http.Post(srv.URL+OCSPPath, "application/ocsp-request", bytes.NewReader(make([]byte, maxRequest+10))))
	malformed(http.Get(srv.URL + OCSPPath + "/not%20base64"))
	resp, err := http.Post(srv.URL+OCSPPath, "text/plain", strings.NewReader("x"))
	if err != nil || resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("wrong content type: %v %v", err, resp.Status)
	}
	for _, path := range []string{"/", "/crl/other.crl", "/ocsp/../ca.key"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil || resp.StatusCode != http.StatusNotFound && !strings.HasPrefix(path, "/ocsp/") {
			t.Errorf("%s: %v %v", path, err, resp.Status)
		}
	}
}

func TestNewHandlerNeedsPKI(t *testing.T) {
	dir := t.TempDir()
	if _, err := NewHandler(dir); err == nil {
		t.Fatal("served an empty directory")
	}
	p, _ := New(Options{})
	p.WriteDir(dir, false)
	os.Remove(filepath.Join(dir, "ocsp.key"))
	if _, err := NewHandler(dir); err == nil || !strings.Contains(err.Error(), "ocsp.key") {
		t.Fatalf("no responder key: %v", err)
	}
}

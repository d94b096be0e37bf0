package ocsp_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/internal/osslgost"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/pki/ocsp"
)

func writePKI(t *testing.T) (*devpki.PKI, string) {
	t.Helper()
	p := newPKI(t, nil)
	dir := t.TempDir()
	if err := p.WriteDir(dir, false); err != nil {
		t.Fatal(err)
	}
	return p, dir
}

// OpenSSL's client asks our responder (devpki's handler) over HTTP, with
// Streebog-256 and with its default SHA-1 CertIDs, checks the signature of
// the delegated responder and reads good, then revoked.
func TestOpenSSLClient(t *testing.T) {
	osslgost.Require(t)
	p, dir := writePKI(t)
	h, err := devpki.NewHandler(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	ca, signer := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "signer.pem")
	ask := func(md ...string) string {
		args := append([]string{"ocsp", "-issuer", ca}, md...)
		args = append(args, "-cert", signer, "-url", srv.URL+devpki.OCSPPath, "-CAfile", ca)
		conf, _ := osslgost.ConfigFile()
		cmd := exec.Command("openssl", args...)
		cmd.Env = append(os.Environ(), "OPENSSL_CONF="+conf)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("openssl %v: %v: %s", args, err, out)
		}
		if !strings.Contains(string(out), "Response verify OK") {
			t.Errorf("openssl did not verify the response: %s", out)
		}
		return string(out)
	}
	for _, md := range [][]string{{"-md_gost12_256"}, {"-md_gost12_512"}, nil} {
		if out := ask(md...); !strings.Contains(out, signer+": good") {
			t.Errorf("openssl ocsp %v: %s", md, out)
		}
	}
	if err := devpki.Revoke(dir, p.Signer.Cert.SerialNumber, 1, time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	out := ask("-md_gost12_256")
	if !strings.Contains(out, signer+": revoked") || !strings.Contains(out, "Reason: keyCompromise") {
		t.Errorf("after revocation: %s", out)
	}
}

// Our client asks OpenSSL's responder (openssl ocsp -index … -port), which
// signs with the GOST engine as the delegated responder.
func TestOpenSSLResponder(t *testing.T) {
	conf, err := osslgost.ConfigFile()
	if err != nil {
		osslgost.Require(t)
	}
	p, dir := writePKI(t)
	revokedAt := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	index := fmt.Sprintf("V\t301231000000Z\t\t%X\tunknown\t/CN=signer\nR\t301231000000Z\t%s,keyCompromise\t%X\tunknown\t/CN=person\n",
		p.Signer.Cert.SerialNumber, revokedAt.Format("060102150405Z"), p.Person.Cert.SerialNumber)
	if err := os.WriteFile(filepath.Join(dir, "index.txt"), []byte(index), 0o644); err != nil {
		t.Fatal(err)
	}
	const requests = 2
	cmd := exec.Command("openssl", "ocsp", "-index", filepath.Join(dir, "index.txt"), "-CA", filepath.Join(dir, "ca.pem"),
		"-rsigner", filepath.Join(dir, "ocsp.pem"), "-rkey", filepath.Join(dir, "ocsp.key"), "-rmd", "md_gost12_256",
		"-port", "0", "-nrequest", fmt.Sprint(requests))
	cmd.Env = append(os.Environ(), "OPENSSL_CONF="+conf)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	port := ""
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := regexp.MustCompile(`ACCEPT .*:(\d+)`).FindStringSubmatch(sc.Text()); m != nil {
			port = m[1]
			break
		}
	}
	if port == "" {
		t.Fatal("openssl ocsp did not say where it listens")
	}
	go io.Copy(io.Discard, stdout)
	url := "http://127.0.0.1:" + port + "/"
	for _, x := range []struct {
		party  devpki.Party
		status ocsp.Status
	}{{p.Signer, ocsp.Good}, {p.Person, ocsp.Revoked}} {
		id, _ := ocsp.NewCertID(pki.OIDStreebog256, p.CA.Cert, x.party.Cert.SerialNumber)
		nonce, _ := ocsp.NewNonce()
		req, err := ocsp.CreateRequest([]ocsp.CertID{id}, nonce)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post(url, "application/ocsp-request", bytes.NewReader(req))
		if err != nil {
			t.Fatal(err)
		}
		der, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		r, err := ocsp.ParseResponse(der)
		if err != nil {
			t.Fatalf("%x: %v", der, err)
		}
		s, err := r.CheckSignatureFrom(p.CA.Cert, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !s.Equal(p.OCSP.Cert) || !bytes.Equal(r.Nonce, nonce) {
			t.Errorf("signer %q, nonce %x", s.Subject.CommonName, r.Nonce)
		}
		sr := r.Find(id)
		if sr == nil || sr.Status != x.status {
			t.Fatalf("%s: %+v", x.party.Cert.Subject.CommonName, sr)
		}
		if x.status == ocsp.Revoked && (!sr.RevokedAt.Equal(revokedAt) || sr.Reason != 1) {
			t.Errorf("revoked %s reason %d", sr.RevokedAt, sr.Reason)
		}
	}
}

// OpenSSL reads a response made by CreateResponse from a file and verifies it
// (the CA signing for itself, responder by name: the other shape).
func TestOpenSSLReadsCASigned(t *testing.T) {
	osslgost.Require(t)
	p, dir := writePKI(t)
	id, _ := ocsp.NewCertID(pki.OIDStreebog256, p.CA.Cert, p.Signer.Cert.SerialNumber)
	now := time.Now()
	der, err := ocsp.CreateResponse(&ocsp.ResponseTemplate{ByName: true,
		Responses: []ocsp.SingleResponse{{CertID: id, Status: ocsp.Revoked, RevokedAt: now.Add(-time.Hour), Reason: 4, ThisUpdate: now, NextUpdate: now.Add(time.Hour)}},
	}, p.CA.Cert, p.CA.Key, p.CA.Cert)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "resp.der")
	os.WriteFile(f, der, 0o644)
	out, err := osslgost.Try(t, nil, "ocsp", "-respin", f, "-CAfile", filepath.Join(dir, "ca.pem"), "-issuer", filepath.Join(dir, "ca.pem"),
		"-md_gost12_256", "-serial", fmt.Sprintf("0x%X", p.Signer.Cert.SerialNumber), "-resp_text")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "Reason: superseded") || !strings.Contains(string(out), ": revoked") {
		t.Errorf("openssl: %s", out)
	}
}

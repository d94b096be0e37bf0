package js_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"

	"github.com/podpis/podpis/gost/streebog"
	"github.com/podpis/podpis/internal/osslgost"
	"github.com/podpis/podpis/tokend/authtoken"
	"github.com/podpis/podpis/tokend/tokendtest"
	"github.com/podpis/podpis/tokend/validate"
	"github.com/podpis/podpis/verify"
)

// signResult is tokend.SignResult as the page got it.
type signResult struct {
	Format      string `json:"format"`
	Signature   string `json:"signature"`
	Algorithm   string `json:"algorithm"`
	Digest      string `json:"digest"`
	Fingerprint string `json:"fingerprint"`
	Certificate string `json:"certificate"`
	RequestID   string `json:"requestId"`
}

// sign loads origin's page and calls tokend.sign(req) there, req being a
// JavaScript expression.
func (e *env) sign(origin, req string) (result, signResult) {
	e.t.Helper()
	r := e.eval(origin, `(async () => {
  const { Tokend } = await import("/tokend.js");
  const t = new Tokend({ port: Number(new URLSearchParams(location.search).get("port")) });
  try {
    return { ok: true, token: await t.sign(`+req+`) };
  } catch (e) {
    return { ok: false, code: e.code || String(e), message: e.message, retriesLeft: e.retriesLeft };
  }
})()`)
	var s signResult
	if r.OK {
		if err := json.Unmarshal(r.Token, &s); err != nil {
			e.t.Fatalf("sign result %s: %v", r.Token, err)
		}
	}
	return r, s
}

// scripted sets what the pinentry answers next and clears its log.
func (e *env) scripted(mode, pin string) {
	e.pe.Env = append(os.Environ(), "TESTPINENTRY_MODE="+mode, "TESTPINENTRY_PIN="+pin, "TESTPINENTRY_LOG="+e.pinentryLog)
	os.Remove(e.pinentryLog)
}

// checkSignature verifies a detached CMS over content with package verify
// (chain to the test CA) and with OpenSSL's cms -verify.
func (e *env) checkSignature(sigB64 string, content []byte) {
	e.t.Helper()
	t := e.t
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := verify.CMS(context.Background(), sig, bytes.NewReader(content), verify.Options{Roots: e.tk.Roots()})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Passed() {
		t.Errorf("verify.CMS: %s %+v", rep.Indication, rep.Signatures)
	}
	osslgost.Require(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ca := write("ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: e.tk.PKI.CA.Cert.Raw}))
	osslgost.Run(t, nil, "cms", "-verify", "-binary", "-inform", "DER", "-in", write("sig.p7s", sig),
		"-content", write("doc", content), "-CAfile", ca, "-purpose", "any", "-out", filepath.Join(dir, "out"))
}

// TestBrowserSign: a page signs through tokend.js — small data the daemon
// hashes, and a digest its server computed — and the CMS it gets verifies
// with package verify and with OpenSSL; the person declines the
// confirmation; a wrong PIN.
func TestBrowserSign(t *testing.T) {
	e := setup(t)
	e.permission(e.good, browser.PermissionSettingGranted)

	// Text as data: signed as its UTF-8 bytes.
	const text = "Заявление о выдаче справки, 23.11.2026"
	e.scripted("", tokendtest.PIN)
	r, s := e.sign(e.good, fmt.Sprintf(`{ data: %q, documentName: "Заявление.txt", requestId: "page-sig-1" }`, text))
	if !r.OK {
		t.Fatalf("sign: %+v", r)
	}
	d := streebog.Sum256([]byte(text))
	if s.Format != "cms" || s.Algorithm != authtoken.GOST256 || s.RequestID != "page-sig-1" || s.Fingerprint != validate.Fingerprint(d[:]) ||
		s.Digest != base64.StdEncoding.EncodeToString(d[:]) {
		t.Errorf("result %+v", s)
	}
	e.checkSignature(s.Signature, []byte(text))
	dialogs := e.dialogs()
	for _, w := range []string{"CONFIRM", "GETPIN", "SETDESC Сайт " + e.good + " просит подписать документ", "«Заявление.txt»", "Отпечаток: " + validate.Fingerprint(d[:])} {
		if !strings.Contains(dialogs, w) {
			t.Errorf("the dialog lacks %q:\n%s", w, dialogs)
		}
	}

	// A document the page never holds: the server's digest, as bytes, and
	// the fingerprint the page computes shows what the dialog shows.
	doc := bytes.Repeat([]byte("%PDF-1.7 большой документ\n"), 40000)
	digest, _ := validate.DocumentDigest(authtoken.GOST256, bytes.NewReader(doc))
	e.scripted("", tokendtest.PIN)
	r, s = e.sign(e.good, fmt.Sprintf(`{ digest: Uint8Array.from(atob(%q), (c) => c.charCodeAt(0)), documentName: "Договор.pdf" }`, base64.StdEncoding.EncodeToString(digest)))
	if !r.OK {
		t.Fatalf("sign a digest: %+v", r)
	}
	e.checkSignature(s.Signature, doc)
	fp := e.eval(e.good, fmt.Sprintf(`(async () => { const { Tokend } = await import("/tokend.js"); return { ok: true, code: Tokend.fingerprint(%q) }; })()`, base64.StdEncoding.EncodeToString(digest)))
	if fp.Code != validate.Fingerprint(digest) {
		t.Errorf("Tokend.fingerprint = %q, validate.Fingerprint = %q", fp.Code, validate.Fingerprint(digest))
	}

	// The person declines: nothing is signed and no PIN is asked.
	e.scripted("notconfirmed", tokendtest.PIN)
	if r, _ := e.sign(e.good, `{ data: "x", documentName: "x" }`); r.OK || r.Code != "USER_CANCELLED" {
		t.Errorf("declined: %+v", r)
	}
	if d := e.dialogs(); !strings.Contains(d, "CONFIRM") || strings.Contains(d, "GETPIN") {
		t.Errorf("declining must end the operation:\n%s", d)
	}
	// A wrong PIN.
	e.scripted("", "00000000")
	if r, _ := e.sign(e.good, `{ data: "x", documentName: "x" }`); r.OK || r.Code != "PIN_INCORRECT" {
		t.Errorf("wrong PIN: %+v", r)
	}
	// Refused in the client before anything is sent: no document name,
	// both digest and data.
	os.Remove(e.pinentryLog)
	for _, req := range []string{`{ data: "x" }`, `{ data: "x", digest: "AAAA", documentName: "x" }`} {
		if r, _ := e.sign(e.good, req); r.OK || r.Code != "BAD_REQUEST" {
			t.Errorf("%s: %+v", req, r)
		}
	}
	// Raw signatures are off unless the daemon allows the origin.
	if r, _ := e.sign(e.good, fmt.Sprintf(`{ digest: %q, documentName: "x", format: "raw" }`, base64.StdEncoding.EncodeToString(digest))); r.OK || r.Code != "RAW_NOT_ALLOWED" {
		t.Errorf("raw: %+v", r)
	}
	if d := e.dialogs(); d != "" {
		t.Errorf("a refused request reached the dialog:\n%s", d)
	}
	if strings.Contains(e.logs.String(), tokendtest.PIN) || strings.Contains(e.logs.String(), "большой документ") || strings.Contains(e.logs.String(), "Заявление") {
		t.Errorf("the PIN or the document reached the log")
	}
}

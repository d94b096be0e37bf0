package tokend

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/gost/streebog"
	"github.com/podpis/podpis/internal/osslgost"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/sign/pkcs11"
	"github.com/podpis/podpis/tokend/authtoken"
	"github.com/podpis/podpis/tokend/pinentry"
	"github.com/podpis/podpis/tokend/tokendtest"
	"github.com/podpis/podpis/tokend/validate"
	"github.com/podpis/podpis/verify"
)

// document is a small document; its text must never reach a log.
var document = []byte("Договор поставки № 4711: ПОСТАВЩИК-СЕКРЕТ обязуется поставить 1000 тонн гвоздей.")

func signCall(t *testing.T, s *Server, origin string, req map[string]any) (SignResult, apiResult) {
	t.Helper()
	r := call(t, s, "/v1/sign", origin, req)
	var res SignResult
	if r.status == 200 {
		if err := json.Unmarshal(r.body, &res); err != nil {
			t.Fatal(err)
		}
	}
	return res, r
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func unb64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkCMS verifies a detached CMS signature over content with package cms,
// package verify (the chain to the test CA) and OpenSSL.
func checkCMS(t *testing.T, tk *tokendtest.Token, sig, content []byte) {
	t.Helper()
	res, err := cms.Verify(sig, cms.VerifyOptions{Content: bytes.NewReader(content)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Signers) != 1 || res.Signers[0].Code != cms.OK {
		t.Fatalf("cms.Verify: %+v", res.Signers)
	}
	a := res.Signers[0].Attributes
	if a.SigningTime.IsZero() || a.SigningCertificate == nil || !a.SigningCertificate.V2 || !a.SigningCertificate.Matches {
		t.Errorf("signed attributes %+v", a)
	}
	rep, err := verify.CMS(context.Background(), sig, bytes.NewReader(content), verify.Options{Roots: tk.Roots()})
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
	ca := write("ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tk.PKI.CA.Cert.Raw}))
	osslgost.Run(t, nil, "cms", "-verify", "-binary", "-inform", "DER", "-in", write("sig.p7s", sig),
		"-content", write("doc", content), "-CAfile", ca, "-purpose", "any", "-out", filepath.Join(dir, "out"))
}

func TestSignCMS(t *testing.T) {
	s, tk, pe, logs := tokenServer(t, Config{})
	// Small data, hashed by the daemon.
	res, r := signCall(t, s, portal, map[string]any{"data": b64(document), "documentName": "Договор № 4711.pdf", "requestId": "sig-1"})
	if r.status != 200 {
		t.Fatalf("sign: %d %s", r.status, r.body)
	}
	want := streebog.Sum256(document)
	if res.Format != FormatCMS || res.Algorithm != authtoken.GOST256 || res.RequestID != "sig-1" ||
		!bytes.Equal(unb64(t, res.Digest), want[:]) || res.Fingerprint != validate.Fingerprint(want[:]) {
		t.Errorf("result %+v", res)
	}
	checkCMS(t, tk, unb64(t, res.Signature), document)
	// The dialogs: consent first, naming the origin, the document and the
	// fingerprint the portal shows (validate.Fingerprint); then the PIN.
	cmds := pe.commands(t)
	confirm, pin := strings.Index(cmds, "CONFIRM"), strings.Index(cmds, "GETPIN")
	if confirm < 0 || pin < 0 || confirm > pin {
		t.Errorf("want CONFIRM then GETPIN:\n%s", cmds)
	}
	for _, w := range []string{"SETDESC Сайт https://portal.example просит подписать документ", "«Договор № 4711.pdf»", "Отпечаток: " + validate.Fingerprint(want[:]), "SETOK Подписать"} {
		if !strings.Contains(cmds, w) {
			t.Errorf("the dialog lacks %q:\n%s", w, cmds)
		}
	}

	// A large document: the portal's server hashes it, the page sends the
	// digest; the signature verifies against the document.
	big := bytes.Repeat([]byte("строка большого документа\n"), 20000)
	digest, _ := validate.DocumentDigest(authtoken.GOST256, bytes.NewReader(big))
	res, r = signCall(t, s, portal, map[string]any{"digest": b64(digest), "documentName": "big.txt"})
	if r.status != 200 {
		t.Fatalf("sign digest: %d %s", r.status, r.body)
	}
	checkCMS(t, tk, unb64(t, res.Signature), big)
	if strings.Contains(logs.String(), tokendtest.PIN) || strings.Contains(logs.String(), "ПОСТАВЩИК-СЕКРЕТ") || strings.Contains(logs.String(), b64(document)) {
		t.Errorf("the PIN or the document reached the log:\n%s", logs)
	}
}

func TestSign512English(t *testing.T) {
	s, tk, pe, _ := tokenServer(t, Config{Lang: "en"})
	tk.Key(0, "k512", gost3410.TC26512A)
	var id string
	for _, e := range certificates(t, s, &Filter{Algorithm: []string{authtoken.GOST512}}) {
		id = e.ID
	}
	digest, _ := validate.DocumentDigest(authtoken.GOST512, bytes.NewReader(document))
	if _, r := signCall(t, s, portal, map[string]any{"digest": b64(digest[:32]), "documentName": "a", "certificate": id}); r.code != CodeBadDigest {
		t.Errorf("a 256-bit digest for a 512-bit key: %d %s", r.status, r.body)
	}
	res, r := signCall(t, s, portal, map[string]any{"digest": b64(digest), "documentName": "contract.pdf", "certificate": id})
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if res.Algorithm != authtoken.GOST512 {
		t.Errorf("algorithm %s", res.Algorithm)
	}
	checkCMS(t, tk, unb64(t, res.Signature), document)
	if cmds := pe.commands(t); !strings.Contains(cmds, "The site https://portal.example asks you to sign the document") || !strings.Contains(cmds, "Fingerprint: "+validate.Fingerprint(digest)) {
		t.Errorf("dialog:\n%s", cmds)
	}
}

// TestSignRefused: requests that are wrong are refused before any dialog.
func TestSignRefused(t *testing.T) {
	s, _, pe, _ := tokenServer(t, Config{})
	d := streebog.Sum256(document)
	ok := map[string]any{"digest": b64(d[:]), "documentName": "doc"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for k, v := range ok {
			m[k] = v
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name string
		req  map[string]any
		want Code
	}{
		{"format", with("format", "pkcs7"), CodeBadRequest},
		{"both", with("data", b64(document)), CodeBadRequest},
		{"neither", with("digest", nil), CodeBadRequest},
		{"digest not base64", with("digest", "!!"), CodeBadDigest},
		{"digest length", with("digest", b64(d[:31])), CodeBadDigest},
		{"data not base64", map[string]any{"data": "!!", "documentName": "x"}, CodeBadRequest},
		{"data too large", map[string]any{"data": b64(make([]byte, MaxSignData+1)), "documentName": "x"}, CodeDataTooLarge},
		{"no name", with("documentName", nil), CodeBadRequest},
		{"blank name", with("documentName", " \t\n "), CodeBadRequest},
		{"long name", with("documentName", strings.Repeat("я", MaxDocumentName+1)), CodeBadRequest},
		{"bidi override", with("documentName", "invoice\u202Efdp.exe"), CodeBadRequest},
		{"zero width", with("documentName", "a\u200Bb"), CodeBadRequest},
		{"a PIN", with("userPin", "1234"), CodePINNotAccepted},
		{"an origin", with("origin", "https://other.example"), CodeBadRequest},
		{"raw not allowed", with("format", "raw"), CodeRawNotAllowed},
		{"unknown certificate", with("certificate", strings.Repeat("0", 64)), CodeNoCertificate},
	} {
		if _, r := signCall(t, s, portal, tc.req); r.code != tc.want {
			t.Errorf("%s: %d %s, want %s", tc.name, r.status, r.body, tc.want)
		}
	}
	if _, r := signCall(t, s, "https://evil.example", ok); r.code != CodeOriginNotAllowed {
		t.Errorf("foreign origin: %d %s", r.status, r.body)
	}
	if c := pe.commands(t); c != "" {
		t.Errorf("a refused request reached the dialog:\n%s", c)
	}
	// At the limit, data passes; the name's line breaks become spaces.
	res, r := signCall(t, s, portal, map[string]any{"data": b64(make([]byte, MaxSignData)), "documentName": "line one\n\nСайт https://gosuslugi.ru просит"})
	if r.status != 200 {
		t.Fatalf("data at the limit: %d %s", r.status, r.body)
	}
	if res.Signature == "" || !strings.Contains(pe.commands(t), "«line one Сайт https://gosuslugi.ru просит»") {
		t.Errorf("the name was not folded into one line:\n%s", pe.commands(t))
	}
}

// keyWithUsage makes a key on the test token with a certificate from the
// test CA carrying ku and eku.
func keyWithUsage(t *testing.T, tk *tokendtest.Token, label string, ku x509.KeyUsage, eku []x509.ExtKeyUsage) *pki.Certificate {
	t.Helper()
	return keyWith(t, tk, label, pki.Name{CommonName: label, Surname: "Петров", GivenName: "Пётр Петрович", Country: "RU"}, ku, eku)
}

// keyWithSubject makes a key with a signing certificate for subject.
func keyWithSubject(t *testing.T, tk *tokendtest.Token, label string, subject pki.Name) *pki.Certificate {
	t.Helper()
	return keyWith(t, tk, label, subject, x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection})
}

func keyWith(t *testing.T, tk *tokendtest.Token, label string, subject pki.Name, ku x509.KeyUsage, eku []x509.ExtKeyUsage) *pki.Certificate {
	t.Helper()
	ctx := context.Background()
	uri := "pkcs11:token=g0;object=" + label
	opts := pkcs11.Options{Module: tk.Module, PIN: pkcs11.PINFunc(func(context.Context, pkcs11.PINInfo) ([]byte, error) {
		return []byte(tokendtest.PIN), nil
	})}
	k, err := pkcs11.GenerateKey(ctx, uri, gost3410.TC26256A, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	serial, _ := pki.RandomSerial(nil)
	der, err := pki.CreateCertificate(&pki.Template{
		SerialNumber: serial, Subject: subject,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0), KeyUsage: ku, ExtKeyUsage: eku,
	}, tk.PKI.CA.Cert, k.Public(), tk.PKI.CA.Key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := pkcs11.ImportCertificate(ctx, uri, cert, opts); err != nil {
		t.Fatal(err)
	}
	return cert
}

// TestSignCertificateNotForSigning: a key-agreement certificate and a
// login-only certificate may log in but not sign, and the page is told why.
func TestSignCertificateNotForSigning(t *testing.T) {
	s, tk, pe, _ := tokenServer(t, Config{})
	kex := keyWithUsage(t, tk, "kex", x509.KeyUsageKeyAgreement|x509.KeyUsageKeyEncipherment, nil)
	login := keyWithUsage(t, tk, "login", x509.KeyUsageDigitalSignature, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth})
	ids := map[string]string{"KEY_USAGE": certID(kex), "AUTHENTICATION_ONLY": certID(login)}
	var signer string
	for _, e := range certificates(t, s, nil) {
		if !e.Usable {
			t.Errorf("%+v", e)
		}
		if e.ID != ids["KEY_USAGE"] && e.ID != ids["AUTHENTICATION_ONLY"] {
			signer = e.ID
			if e.SignReason != "" {
				t.Errorf("the qualified certificate: signReason %q", e.SignReason)
			}
		}
	}
	d := streebog.Sum256(document)
	for reason, id := range ids {
		for _, e := range certificates(t, s, nil) {
			if e.ID == id && e.SignReason != reason {
				t.Errorf("%s: signReason %q", reason, e.SignReason)
			}
		}
		_, r := signCall(t, s, portal, map[string]any{"digest": b64(d[:]), "documentName": "x", "certificate": id})
		if r.code != CodeNotForSigning || !strings.Contains(string(r.body), map[string]string{"KEY_USAGE": "neither digitalSignature nor nonRepudiation", "AUTHENTICATION_ONLY": "client authentication only"}[reason]) {
			t.Errorf("%s: %d %s", reason, r.status, r.body)
		}
	}
	if c := pe.commands(t); c != "" {
		t.Errorf("a refused certificate reached the dialog:\n%s", c)
	}
	// The login certificate still logs in.
	if _, r := authenticate(t, s, portal, map[string]any{"nonce": nonce, "certificate": ids["AUTHENTICATION_ONLY"]}); r.status != 200 {
		t.Errorf("login with the login certificate: %d %s", r.status, r.body)
	}
	// With no certificate named, the one that may sign is chosen.
	if res, r := signCall(t, s, portal, map[string]any{"digest": b64(d[:]), "documentName": "x"}); r.status != 200 {
		t.Errorf("sign without naming the certificate: %d %s", r.status, r.body)
	} else if c, _ := pki.ParseCertificate(unb64(t, res.Certificate)); c == nil || certID(c) != signer {
		t.Errorf("signed with another certificate")
	}
}

func certID(c *pki.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// TestSignPersonSaysNo: the person refuses the confirmation (no PIN is
// asked), types a wrong PIN, lets the dialog time out, or the page cancels.
func TestSignPersonSaysNo(t *testing.T) {
	s, _, pe, _ := tokenServer(t, Config{Timeout: 700 * time.Millisecond})
	d := streebog.Sum256(document)
	req := map[string]any{"digest": b64(d[:]), "documentName": "x"}

	pe.set("notconfirmed", "", "")
	if _, r := signCall(t, s, portal, req); r.code != CodeUserCancelled {
		t.Errorf("refused: %d %s", r.status, r.body)
	}
	if c := pe.commands(t); !strings.Contains(c, "CONFIRM") || strings.Contains(c, "GETPIN") {
		t.Errorf("refusing the confirmation must end the operation:\n%s", c)
	}
	pe.set("", "00000000", "")
	if _, r := signCall(t, s, portal, req); r.code != CodePINIncorrect {
		t.Errorf("wrong PIN: %d %s", r.status, r.body)
	}
	pe.set("hang", "", "")
	if _, r := signCall(t, s, portal, req); r.code != CodeUserTimeout {
		t.Errorf("timeout: %d %s", r.status, r.body)
	}

	s.cfg.Timeout = time.Minute
	pe.set("hang", "", "")
	var wg sync.WaitGroup
	var first apiResult
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, first = signCall(t, s, portal, map[string]any{"digest": b64(d[:]), "documentName": "x", "requestId": "slow-sign"})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(pe.commands(t), "CONFIRM") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	// One operation per token: a login meanwhile waits its turn.
	if _, r := authenticate(t, s, portal, map[string]any{"nonce": nonce}); r.code != CodeOperationPending {
		t.Errorf("login during a signature: %d %s", r.status, r.body)
	}
	if r := call(t, s, "/v1/cancel", "https://portal.example", map[string]any{"target": "slow-sign"}); r.status != 200 {
		t.Errorf("cancel: %d %s", r.status, r.body)
	}
	wg.Wait()
	if first.code != CodeUserCancelled {
		t.Errorf("cancelled: %d %s", first.status, first.body)
	}
	// Right PIN now: the wrong one before did not stick (no caching).
	pe.set("", tokendtest.PIN, "")
	if _, r := signCall(t, s, portal, req); r.status != 200 {
		t.Errorf("after all that: %d %s", r.status, r.body)
	}
}

// TestSignIsNotLogin: nothing sign makes passes the site validator
// (tokend/validate) as a login token — except a raw signature, which is why
// raw signatures are refused unless the daemon's owner allows an origin
// (Server.AllowRawSign; doc.go, "Why sign is not a way to log in").
func TestSignIsNotLogin(t *testing.T) {
	s, tk, _, _ := tokenServer(t, Config{})
	const victim = "https://bank.example"
	v, err := validate.New(victim, false, tk.Roots(), &validate.Nonces{})
	if err != nil {
		t.Fatal(err)
	}
	// forge asks the daemon, from the portal's page, for a signature over
	// the victim's login digest for a fresh victim nonce, makes a login
	// token of it and gives it to the victim's validator.
	forge := func(req map[string]any, sigOf func(SignResult) []byte) (apiResult, error) {
		t.Helper()
		n, err := v.Nonces.Issue("victim-session")
		if err != nil {
			t.Fatal(err)
		}
		digest, _ := authtoken.Digest(authtoken.GOST256, victim, n)
		msg, _ := authtoken.SignedMessage(authtoken.GOST256, victim, n)
		if req["digest"] != nil {
			req["digest"] = b64(digest)
		} else {
			req["data"] = b64(msg)
		}
		res, r := signCall(t, s, portal, req)
		if r.status != 200 {
			return r, nil
		}
		tok, _ := json.Marshal(authtoken.Token{UnverifiedCertificate: res.Certificate, Algorithm: res.Algorithm,
			Signature: b64(sigOf(res)), Format: authtoken.Format, AppVersion: "x"})
		_, err = v.Validate("victim-session", tok)
		return r, err
	}
	cmsValue := func(res SignResult) []byte {
		sd, err := cms.Parse(unb64(t, res.Signature))
		if err != nil {
			t.Fatal(err)
		}
		return sd.Signers[0].Signature
	}
	raw := func(res SignResult) []byte { return unb64(t, res.Signature) }

	// CMS over the login digest, or over the login message as data: the
	// key signed the signed attributes, not the login message.
	for _, req := range []map[string]any{{"digest": "", "documentName": "x"}, {"data": "", "documentName": "x"}} {
		if r, err := forge(req, cmsValue); r.status != 200 || !errors.Is(err, &validate.Error{Code: validate.CodeSignatureInvalid}) {
			t.Errorf("%v: %d %s; the validator said %v", req, r.status, r.body, err)
		}
	}
	// Raw: refused by default.
	if r, _ := forge(map[string]any{"digest": "", "documentName": "x", "format": "raw"}, raw); r.code != CodeRawNotAllowed {
		t.Errorf("raw by default: %d %s", r.status, r.body)
	}

	// Where allowed, a raw signature over Streebog(data) verifies over the
	// data — and over a login digest it is a login token for the victim:
	// the risk the default guards against.
	s.AllowRawSign(portal)
	res, r := signCall(t, s, portal, map[string]any{"data": b64(document), "documentName": "x", "format": "raw"})
	if r.status != 200 {
		t.Fatalf("raw: %d %s", r.status, r.body)
	}
	c, _ := pki.ParseCertificate(unb64(t, res.Certificate))
	oid, _ := authtoken.SignatureOID(authtoken.GOST256)
	if res.Format != FormatRaw || pki.CheckSignature(c.PublicKey, oid, nil, document, unb64(t, res.Signature)) != nil {
		t.Errorf("raw signature over Streebog(data) does not verify over the data: %+v", res)
	}
	if r, err := forge(map[string]any{"digest": "", "documentName": "x", "format": "raw"}, raw); r.status != 200 || err != nil {
		t.Errorf("a raw signature over a login digest should pass the validator (the risk doc.go describes): %d %s, %v", r.status, r.body, err)
	}
}

// FuzzCleanDocumentName: a cleaned name is one line of 1 to MaxDocumentName
// characters with no control or formatting character and no run of spaces,
// or the name is refused with BAD_REQUEST.
func FuzzCleanDocumentName(f *testing.F) {
	for _, s := range []string{"Договор № 15.pdf", "", " ", "a\nb\tc", "invoice\u202Efdp.exe", "a\u200Bb", strings.Repeat("я", MaxDocumentName+1), "\xff", "x\u0085y\u2028z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		clean, err := cleanDocumentName(name)
		if err != nil {
			if err.Code != CodeBadRequest || clean != "" {
				t.Fatalf("%q: %q, %v", name, clean, err)
			}
			return
		}
		n := 0
		for _, r := range clean {
			n++
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || (unicode.IsSpace(r) && r != ' ') {
				t.Fatalf("%q → %q holds %U", name, clean, r)
			}
		}
		if n == 0 || n > MaxDocumentName || strings.Contains(clean, "  ") || strings.TrimSpace(clean) != clean {
			t.Fatalf("%q → %q", name, clean)
		}
	})
}

// BenchmarkSign: one /v1/sign (confirmation and PIN through the scripted
// pinentry, a login, a CMS over a digest, C_Logout) beside the same token
// work done directly — open with the PIN, cms.SignDigest, close — without
// dialogs (direct) and with the same two dialogs (direct-pinentry: one
// pinentry process for CONFIRM, one for GETPIN). tokend − direct-pinentry
// is what the daemon adds.
func BenchmarkSign(b *testing.B) {
	s, tk, pe, _ := tokenServer(b, Config{})
	d := streebog.Sum256(document)
	ctx := context.Background()
	direct := func(dialogs bool) func(*testing.B) {
		return func(b *testing.B) {
			for b.Loop() {
				pin := pkcs11.PINFunc(func(context.Context, pkcs11.PINInfo) ([]byte, error) { return []byte(tokendtest.PIN), nil })
				if dialogs {
					if err := pe.prog.Confirm(ctx, pinentry.Dialog{Description: "sign?"}); err != nil {
						b.Fatal(err)
					}
					pin = func(ctx context.Context, _ pkcs11.PINInfo) ([]byte, error) {
						return pe.prog.GetPIN(ctx, pinentry.Dialog{Description: "PIN"})
					}
				}
				k, err := pkcs11.Open(ctx, "pkcs11:token=g0;object=auth", pkcs11.Options{Module: tk.Module, Sessions: 1, PIN: pin})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := cms.SignDigest(d[:], cms.SignerConfig{Signer: k, Certificate: k.Certificate()}, cms.SignOptions{Detached: true}); err != nil {
					b.Fatal(err)
				}
				k.Close()
			}
		}
	}
	b.Run("direct", direct(false))
	b.Run("direct-pinentry", direct(true))
	b.Run("tokend", func(b *testing.B) {
		req := map[string]any{"digest": b64(d[:]), "documentName": "bench"}
		for b.Loop() {
			if r := call(b, s, "/v1/sign", portal, req); r.status != 200 {
				b.Fatalf("%d %s", r.status, r.body)
			}
		}
	})
}

// TestSignPINPadAndRemoval: a PIN-pad token gets the confirmation and no
// PIN dialog; a token pulled out while the PIN dialog is open ends the
// operation with TOKEN_REMOVED.
func TestSignPINPadAndRemoval(t *testing.T) {
	t.Run("pinpad", func(t *testing.T) {
		t.Setenv("GOSTTOKEN_PROTECTED_AUTH", "1")
		s, tk, pe, _ := tokenServer(t, Config{})
		pe.set("", "", "")
		res, r := signCall(t, s, portal, map[string]any{"data": b64(document), "documentName": "pad"})
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		checkCMS(t, tk, unb64(t, res.Signature), document)
		if c := pe.commands(t); !strings.Contains(c, "CONFIRM") || strings.Contains(c, "GETPIN") || !strings.Contains(c, "«pad»") {
			t.Errorf("dialog:\n%s", c)
		}
	})
	t.Run("removed", func(t *testing.T) {
		s, tk, pe, _ := tokenServer(t, Config{})
		pe.set("", tokendtest.PIN, "400ms")
		var wg sync.WaitGroup
		var removed apiResult
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, removed = signCall(t, s, portal, map[string]any{"data": b64(document), "documentName": "x"})
		}()
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(pe.commands(t), "GETPIN") && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		tk.Remove(0)
		wg.Wait()
		if removed.code != CodeTokenRemoved {
			t.Errorf("token removed: %d %s", removed.status, removed.body)
		}
	})
}

// TestSignLongDialog: a long origin, the longest document name and the
// certificate's names still fit pinentry's 1000-byte line: the name is
// shortened (marked …), the origin and the fingerprint are whole.
func TestSignLongDialog(t *testing.T) {
	long := "https://" + strings.Repeat(strings.Repeat("a", 60)+".", 4) + "example"
	s, _, pe, _ := tokenServer(t, Config{Origins: []string{long}})
	for _, format := range []string{"cms", "raw"} {
		s.AllowRawSign(long)
		pe.set("", tokendtest.PIN, "")
		res, r := signCall(t, s, long, map[string]any{"data": b64(document), "documentName": strings.Repeat("я", MaxDocumentName), "format": format})
		if r.status != 200 {
			t.Fatalf("%s: %d %s", format, r.status, r.body)
		}
		cmds := pe.commands(t)
		for _, l := range strings.Split(cmds, "\n") {
			if len(l)+1 > 1000 {
				t.Errorf("a %d-byte Assuan line", len(l)+1)
			}
		}
		if !strings.Contains(cmds, long) || !strings.Contains(cmds, res.Fingerprint) || !strings.Contains(cmds, "…»") || strings.Count(cmds, "SETDESC") != 2 {
			t.Errorf("%s: dialog:\n%s", format, cmds)
		}
	}
}

// TestLoginLongDialog: the login dialog fits pinentry's line too, with a
// long origin and a certificate with long names.
func TestLoginLongDialog(t *testing.T) {
	long := "https://" + strings.Repeat(strings.Repeat("b", 60)+".", 4) + "example"
	s, tk, pe, _ := tokenServer(t, Config{Origins: []string{long}})
	name := strings.Repeat("Длинное наименование организации ", 4)
	c := keyWithSubject(t, tk, "long", pki.Name{CommonName: "long " + strings.Repeat("c", 55), Surname: strings.Repeat("Ф", 60), GivenName: strings.Repeat("И", 60), Organization: name, Country: "RU"})
	_, r := authenticate(t, s, long, map[string]any{"nonce": nonce, "certificate": certID(c)})
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	cmds := pe.commands(t)
	for _, l := range strings.Split(cmds, "\n") {
		if len(l)+1 > 1000 {
			t.Errorf("a %d-byte Assuan line", len(l)+1)
		}
	}
	if !strings.Contains(cmds, long) || !strings.Contains(cmds, "…") {
		t.Errorf("dialog:\n%s", cmds)
	}
}

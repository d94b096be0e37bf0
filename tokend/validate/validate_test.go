package validate_test

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
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/internal/osslgost"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/tokend"
	"github.com/podpis/podpis/tokend/authtoken"
	"github.com/podpis/podpis/tokend/pinentry"
	"github.com/podpis/podpis/tokend/tokendtest"
	"github.com/podpis/podpis/tokend/validate"
)

func TestMain(m *testing.M) {
	code := m.Run()
	tokendtest.Cleanup()
	os.Exit(code)
}

const site = "https://portal.example"

// daemon is tokend over a fresh GOST test token with a 256-bit and a
// 512-bit key, answering the PIN through the scripted pinentry.
type daemon struct {
	s  *tokend.Server
	tk *tokendtest.Token
	id map[string]string // algorithm → certificate id
}

func newDaemon(t *testing.T) *daemon {
	tk := tokendtest.New(t, 1)
	c256 := tk.Key(0, "a256", gost3410.TC26256A)
	c512 := tk.Key(0, "a512", gost3410.TC26512A)
	env := append(os.Environ(), "TESTPINENTRY_PIN="+tokendtest.PIN)
	s, err := tokend.New(tokend.Config{
		Origins: []string{site}, Modules: []string{tk.Module},
		Pinentry: &pinentry.Program{Path: tokendtest.Pinentry(t), Env: env},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	return &daemon{s: s, tk: tk, id: map[string]string{authtoken.GOST256: fingerprint(c256), authtoken.GOST512: fingerprint(c512)}}
}

func fingerprint(c *pki.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// login asks the daemon for a token, as tokend/js does, from origin.
func (d *daemon) login(t *testing.T, origin, nonce, alg string) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"nonce": nonce, "certificate": d.id[alg]})
	r, _ := http.NewRequest("POST", "http://127.0.0.1:"+strconv.Itoa(d.s.Port())+"/v1/authenticate", bytes.NewReader(body))
	r.Header.Set("Origin", origin)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(tokend.ProtocolHeader, tokend.Protocol)
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("authenticate: %d %s", resp.StatusCode, data)
	}
	var res struct {
		AuthToken json.RawMessage `json:"authToken"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	return res.AuthToken
}

func newValidator(t *testing.T, d *daemon, origin string) *validate.Validator {
	v, err := validate.New(origin, false, d.tk.Roots(), &validate.Nonces{})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func wantCode(t *testing.T, what string, err error, code validate.Code) {
	t.Helper()
	if !errors.Is(err, &validate.Error{Code: code}) {
		t.Errorf("%s: %v, want %s", what, err, code)
	}
}

func edit(t *testing.T, token []byte, f func(m map[string]any)) []byte {
	var m map[string]any
	if err := json.Unmarshal(token, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	out, _ := json.Marshal(m)
	return out
}

func TestValidate(t *testing.T) {
	d := newDaemon(t)
	v := newValidator(t, d, site)
	for _, alg := range []string{authtoken.GOST256, authtoken.GOST512} {
		n, err := v.Nonces.Issue("session-1")
		if err != nil || len(n) != 44 {
			t.Fatalf("nonce %q %v", n, err)
		}
		tok := d.login(t, site, n, alg)
		p, err := v.Validate("session-1", tok)
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		signer := d.tk.PKI.Signer.Cert.SubjectName
		if p.SNILS != signer.SNILS || p.INN != signer.PersonINN() || p.OrgINN != signer.LegalEntityINN() || p.OGRN != signer.OGRN || p.Name != signer.PersonName() || p.Organization != signer.Organization {
			t.Errorf("person %+v, want the subject %+v", p, signer)
		}
		if len(p.Chain) != 2 {
			t.Errorf("chain of %d", len(p.Chain))
		}
		// Replayed: the nonce was used up.
		wantCode(t, "replay", mustFail(v.Validate("session-1", tok)), validate.CodeNonceUnknown)
	}
}

func mustFail(_ *validate.Person, err error) error { return err }

func TestRefusals(t *testing.T) {
	d := newDaemon(t)
	v := newValidator(t, d, site)
	good := func(session string) []byte {
		n, err := v.Nonces.Issue(session)
		if err != nil {
			t.Fatal(err)
		}
		return d.login(t, site, n, authtoken.GOST256)
	}
	other, err := devpki.New(devpki.Options{})
	if err != nil {
		t.Fatal(err)
	}

	// A token for another site: the daemon signed its origin, not ours.
	n, _ := v.Nonces.Issue("s")
	vOther := newValidator(t, d, "https://other.example")
	vOther.Nonces = v.Nonces
	wantCode(t, "other origin", mustFail(vOther.Validate("s", d.login(t, site, n, authtoken.GOST256))), validate.CodeSignatureInvalid)

	// A token made for one session's nonce, brought to another session.
	tokA := good("a")
	v.Nonces.Issue("b")
	wantCode(t, "other session's nonce", mustFail(v.Validate("b", tokA)), validate.CodeSignatureInvalid)
	wantCode(t, "no nonce issued", mustFail(v.Validate("never", good("c"))), validate.CodeNonceUnknown)

	// Expired nonce.
	clock := time.Now()
	v.Nonces.Now = func() time.Time { return clock }
	tok := good("e")
	clock = clock.Add(validate.DefaultLifetime + time.Second)
	wantCode(t, "expired nonce", mustFail(v.Validate("e", tok)), validate.CodeNonceExpired)
	v.Nonces.Now = nil

	// Another certificate (same CA, another key) put in the token.
	tok = edit(t, good("s"), func(m map[string]any) {
		m["unverifiedCertificate"] = base64.StdEncoding.EncodeToString(d.tk.PKI.Person.Cert.Raw)
	})
	wantCode(t, "other certificate", mustFail(v.Validate("s", tok)), validate.CodeSignatureInvalid)

	// The algorithm swapped.
	tok = edit(t, good("s"), func(m map[string]any) { m["algorithm"] = authtoken.GOST512 })
	wantCode(t, "swapped algorithm", mustFail(v.Validate("s", tok)), validate.CodeAlgorithmMismatch)
	tok = edit(t, good("s"), func(m map[string]any) { m["algorithm"] = "none" })
	wantCode(t, "alg none", mustFail(v.Validate("s", tok)), validate.CodeAlgorithmMismatch)

	// One bit of the signature flipped, and a truncated one.
	for _, cut := range []bool{false, true} {
		tok = edit(t, good("s"), func(m map[string]any) {
			sig, _ := base64.StdEncoding.DecodeString(m["signature"].(string))
			sig[5] ^= 0x10
			if cut {
				sig = sig[:63]
			}
			m["signature"] = base64.StdEncoding.EncodeToString(sig)
		})
		wantCode(t, "tampered signature", mustFail(v.Validate("s", tok)), validate.CodeSignatureInvalid)
	}

	// Formats: a minor version is accepted, another format is not.
	tok = edit(t, good("s"), func(m map[string]any) { m["format"] = "tokend:1.7" })
	if _, err := v.Validate("s", tok); err != nil {
		t.Errorf("format tokend:1.7: %v", err)
	}
	for _, f := range []string{"web-eid:1.0", "tokend:2.0", "tokend:10", "tokend:1.", "tokend:1.x"} {
		tok = edit(t, good("s"), func(m map[string]any) { m["format"] = f })
		wantCode(t, "format "+f, mustFail(v.Validate("s", tok)), validate.CodeFormatUnsupported)
	}

	// Malformed.
	tok = edit(t, good("s"), func(m map[string]any) { m["origin"] = site })
	wantCode(t, "extra member", mustFail(v.Validate("s", tok)), validate.CodeMalformed)
	wantCode(t, "short", mustFail(v.Validate("s", []byte(`{"format":"tokend:1.0"}`))), validate.CodeMalformed)
	wantCode(t, "long", mustFail(v.Validate("s", bytes.Repeat([]byte(" "), 10001))), validate.CodeMalformed)
	tok = edit(t, good("s"), func(m map[string]any) { m["unverifiedCertificate"] = "%%%" + strings.Repeat("A", 100) })
	wantCode(t, "certificate not base64", mustFail(v.Validate("s", tok)), validate.CodeMalformed)

	// Untrusted CA, and a certificate that has expired.
	vUntrusted, _ := validate.New(site, false, func() *pki.CertPool { p := pki.NewCertPool(); p.AddCert(other.CA.Cert); return p }(), v.Nonces)
	wantCode(t, "untrusted", mustFail(vUntrusted.Validate("s", good("s"))), validate.CodeCertificateUntrusted)
	v.Now = func() time.Time { return time.Now().AddDate(2, 0, 0) }
	v.Nonces.Now = v.Now
	_, err = v.Validate("s", good("s"))
	v.Nonces.Now = nil
	if !errors.Is(err, &pki.PathError{Code: pki.CodeCertExpired}) {
		t.Errorf("expired certificate: %v", err)
	}
	v.Now = nil

	// A purpose the certificate does not allow.
	v.ExtKeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}
	wantCode(t, "purpose", mustFail(v.Validate("s", good("s"))), validate.CodeCertificateInvalid)
}

func TestNew(t *testing.T) {
	roots := pki.NewCertPool()
	p, _ := devpki.New(devpki.Options{})
	roots.AddCert(p.CA.Cert)
	for _, o := range []string{"http://portal.example", "https://portal.example/", ""} {
		if _, err := validate.New(o, false, roots, &validate.Nonces{}); err == nil {
			t.Errorf("origin %q accepted", o)
		}
	}
	if _, err := validate.New("http://localhost:8080", true, roots, &validate.Nonces{}); err != nil {
		t.Error(err)
	}
	if _, err := validate.New(site, false, pki.NewCertPool(), &validate.Nonces{}); err == nil {
		t.Error("no roots accepted")
	}
	if _, err := (&validate.Nonces{}).Issue(""); err == nil {
		t.Error("a nonce without a session")
	}
}

// TestOpenSSLVerifiesToken: the daemon's signature, taken from the token,
// verifies with OpenSSL's GOST engine over H(origin) ‖ H(nonce): the byte
// order is the one of X.509 and CMS (authtoken doc).
func TestOpenSSLVerifiesToken(t *testing.T) {
	osslgost.Require(t)
	d := newDaemon(t)
	nonce := strings.Repeat("Q", 64)
	for alg, md := range map[string]string{authtoken.GOST256: "-md_gost12_256", authtoken.GOST512: "-md_gost12_512"} {
		var tok authtoken.Token
		json.Unmarshal(d.login(t, site, nonce, alg), &tok)
		dir := t.TempDir()
		der, _ := base64.StdEncoding.DecodeString(tok.UnverifiedCertificate)
		sig, _ := base64.StdEncoding.DecodeString(tok.Signature)
		m, _ := authtoken.SignedMessage(alg, site, nonce)
		write := func(name string, data []byte) string {
			p := filepath.Join(dir, name)
			os.WriteFile(p, data, 0o600)
			return p
		}
		certFile := write("cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
		pub := write("pub.pem", osslgost.Run(t, nil, "x509", "-in", certFile, "-pubkey", "-noout"))
		out := osslgost.Run(t, nil, "dgst", md, "-verify", pub, "-signature", write("sig", sig), write("m", m))
		if !bytes.Contains(out, []byte("Verified OK")) {
			t.Errorf("%s: OpenSSL: %s", alg, out)
		}
		m2, _ := authtoken.SignedMessage(alg, "https://evil.example", nonce)
		if out, err := osslgost.Try(t, nil, "dgst", md, "-verify", pub, "-signature", write("sig", sig), write("m2", m2)); err == nil {
			t.Errorf("%s: OpenSSL verified the token for another origin: %s", alg, out)
		}
	}
}

// FuzzValidate: arbitrary bytes as a token never panic and never pass.
func FuzzValidate(f *testing.F) {
	f.Add([]byte(`{"unverifiedCertificate":"","algorithm":"GOST3410_2012_256","signature":"","format":"tokend:1.0","appVersion":"x"}`))
	f.Add([]byte(`{"unverifiedCertificate":"MIIB","algorithm":"GOST3410_2012_512","signature":"AAAA","format":"tokend:1.1","appVersion":"https://example"}`))
	p, err := devpki.New(devpki.Options{})
	if err != nil {
		f.Fatal(err)
	}
	roots := pki.NewCertPool()
	roots.AddCert(p.CA.Cert)
	f.Fuzz(func(t *testing.T, data []byte) {
		v, _ := validate.New(site, false, roots, &validate.Nonces{})
		v.Nonces.Issue("s")
		if _, err := v.Validate("s", data); err == nil {
			t.Fatalf("accepted %q", data)
		}
	})
}

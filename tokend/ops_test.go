package tokend

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/tokend/authtoken"
	"github.com/podpis/podpis/tokend/pinentry"
	"github.com/podpis/podpis/tokend/tokendtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	tokendtest.Cleanup()
	os.Exit(code)
}

const portal = "https://portal.example"

var nonce = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x5a}, 32))

// scriptedPinentry is the test pinentry and the file its commands go to.
type scriptedPinentry struct {
	prog *pinentry.Program
	log  string
}

func newPinentry(t testing.TB) *scriptedPinentry {
	return &scriptedPinentry{prog: &pinentry.Program{Path: tokendtest.Pinentry(t)}, log: filepath.Join(t.TempDir(), "pinentry.log")}
}

// set makes the next dialogs answer with mode and pin (see testpinentry)
// and clears the command log.
func (p *scriptedPinentry) set(mode, pin, delay string) {
	p.prog.Env = append(os.Environ(), "TESTPINENTRY_MODE="+mode, "TESTPINENTRY_PIN="+pin, "TESTPINENTRY_LOG="+p.log, "TESTPINENTRY_DELAY="+delay)
	os.Remove(p.log)
}

func (p *scriptedPinentry) commands(t *testing.T) string {
	data, err := os.ReadFile(p.log)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return string(data)
}

// tokenServer starts a daemon over a fresh GOST test token holding a
// 256-bit key (and a 512-bit one when two is set).
func tokenServer(t testing.TB, cfg Config) (*Server, *tokendtest.Token, *scriptedPinentry, *logBuffer) {
	t.Helper()
	tk := tokendtest.New(t, 1)
	tk.Key(0, "auth", gost3410.TC26256A)
	pe := newPinentry(t)
	pe.set("", tokendtest.PIN, "")
	cfg.Origins = append(cfg.Origins, portal)
	cfg.Modules = []string{tk.Module}
	cfg.Pinentry = pe.prog
	s, logs := startServer(t, cfg)
	return s, tk, pe, logs
}

type apiResult struct {
	status int
	body   []byte
	code   Code
	left   *int
}

func call(t testing.TB, s *Server, path, origin string, req any) apiResult {
	t.Helper()
	data, _ := json.Marshal(req)
	r, _ := http.NewRequest("POST", "http://127.0.0.1:"+strconv.Itoa(s.Port())+path, bytes.NewReader(data))
	r.Header.Set("Origin", origin)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(ProtocolHeader, Protocol)
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var e struct {
		Error struct {
			Code        Code `json:"code"`
			RetriesLeft *int `json:"retriesLeft"`
		} `json:"error"`
	}
	json.Unmarshal(body, &e)
	return apiResult{status: resp.StatusCode, body: body, code: e.Error.Code, left: e.Error.RetriesLeft}
}

func certificates(t *testing.T, s *Server, f *Filter) []CertificateEntry {
	t.Helper()
	r := call(t, s, "/v1/certificates", portal, map[string]any{"filter": f})
	if r.status != 200 {
		t.Fatalf("certificates: %d %s", r.status, r.body)
	}
	var res CertificatesResult
	if err := json.Unmarshal(r.body, &res); err != nil {
		t.Fatal(err)
	}
	return res.Certificates
}

func authenticate(t *testing.T, s *Server, origin string, req map[string]any) (authtoken.Token, apiResult) {
	t.Helper()
	r := call(t, s, "/v1/authenticate", origin, req)
	var res AuthenticateResult
	if r.status == 200 {
		if err := json.Unmarshal(r.body, &res); err != nil {
			t.Fatal(err)
		}
	}
	return res.AuthToken, r
}

// checkToken verifies a login token as a site would (without the chain).
func checkToken(t *testing.T, tok authtoken.Token, origin, nonce string) *pki.Certificate {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(tok.UnverifiedCertificate)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := base64.StdEncoding.DecodeString(tok.Signature)
	m, err := authtoken.SignedMessage(tok.Algorithm, origin, nonce)
	if err != nil {
		t.Fatal(err)
	}
	oid, _ := authtoken.SignatureOID(tok.Algorithm)
	if err := pki.CheckSignature(cert.PublicKey, oid, nil, m, sig); err != nil {
		t.Errorf("token signature: %v", err)
	}
	if tok.Format != authtoken.Format || tok.AppVersion == "" {
		t.Errorf("token %+v", tok)
	}
	return cert
}

func TestCertificates(t *testing.T) {
	s, tk, _, _ := tokenServer(t, Config{})
	tk.Key(0, "sig512", gost3410.TC26512A)
	all := certificates(t, s, nil)
	if len(all) != 2 {
		t.Fatalf("%d certificates: %+v", len(all), all)
	}
	algs := map[string]bool{}
	for _, c := range all {
		algs[c.Algorithm] = true
		if !c.Usable || c.Reason != "" || c.Token != "g0" || len(c.ID) != 64 || c.Subject == "" {
			t.Errorf("entry %+v", c)
		}
	}
	if !algs[authtoken.GOST256] || !algs[authtoken.GOST512] {
		t.Errorf("algorithms %v", algs)
	}
	for _, tc := range []struct {
		f    Filter
		want int
	}{
		{Filter{Algorithm: []string{authtoken.GOST512}}, 1},
		{Filter{Algorithm: []string{authtoken.GOST256, authtoken.GOST512}}, 2},
		{Filter{Issuer: strings.ToUpper(tk.PKI.CA.Cert.IssuerName.CommonName[:6])}, 2},
		{Filter{Issuer: "no such CA"}, 0},
		{Filter{KeyUsage: []string{"digitalSignature"}}, 2},
		{Filter{ExtKeyUsage: []string{"1.3.6.1.5.5.7.3.4"}}, 2},
		{Filter{ExtKeyUsage: []string{"1.2.3.4.5"}}, 0},
		{Filter{ValidOnly: true}, 2},
	} {
		if got := certificates(t, s, &tc.f); len(got) != tc.want {
			t.Errorf("filter %+v: %d certificates, want %d", tc.f, len(got), tc.want)
		}
	}
	for _, bad := range []map[string]any{
		{"filter": map[string]any{"keyUsage": []string{"everything"}}},
		{"filter": map[string]any{"extKeyUsage": []string{"clientAuth"}}},
		{"filter": map[string]any{"algorithm": []string{"ES256"}}},
		{"filter": map[string]any{"colour": "red"}},
	} {
		if r := call(t, s, "/v1/certificates", portal, bad); r.code != CodeBadRequest {
			t.Errorf("filter %v: %d %s", bad, r.status, r.body)
		}
	}

	// Later: both certificates have expired; they are listed with the
	// reason, or left out with validOnly.
	s.cfg.Now = func() time.Time { return time.Now().AddDate(5, 0, 0) }
	for _, c := range certificates(t, s, nil) {
		if c.Usable || c.Reason != "CERT_EXPIRED" {
			t.Errorf("expired: %+v", c)
		}
	}
	if got := certificates(t, s, &Filter{ValidOnly: true}); len(got) != 0 {
		t.Errorf("validOnly kept %d expired certificates", len(got))
	}
	if _, r := authenticate(t, s, portal, map[string]any{"nonce": nonce, "certificate": all[0].ID}); r.code != CodeCertificateUnusable {
		t.Errorf("authenticate with an expired certificate: %d %s", r.status, r.body)
	}
	if _, r := authenticate(t, s, portal, map[string]any{"nonce": nonce}); r.code != CodeNoCertificate {
		t.Errorf("authenticate with no usable certificate: %d %s", r.status, r.body)
	}

	tk.Remove(0)
	if got := certificates(t, s, nil); len(got) != 0 {
		t.Errorf("%d certificates of a removed token", len(got))
	}
	if _, r := authenticate(t, s, portal, map[string]any{"nonce": nonce}); r.code != CodeNoToken {
		t.Errorf("authenticate without a token: %d %s", r.status, r.body)
	}
}

func TestAuthenticate(t *testing.T) {
	s, _, pe, logs := tokenServer(t, Config{})
	tok, r := authenticate(t, s, portal, map[string]any{"nonce": nonce, "requestId": "login-1"})
	if r.status != 200 {
		t.Fatalf("authenticate: %d %s", r.status, r.body)
	}
	cert := checkToken(t, tok, portal, nonce)
	if tok.Algorithm != authtoken.GOST256 {
		t.Errorf("algorithm %s", tok.Algorithm)
	}
	if !bytes.Contains(r.body, []byte(`"requestId":"login-1"`)) {
		t.Errorf("no request id: %s", r.body)
	}
	// The token is bound to the origin and the nonce it was made for.
	m, _ := authtoken.SignedMessage(tok.Algorithm, "https://evil.example", nonce)
	sig, _ := base64.StdEncoding.DecodeString(tok.Signature)
	oid, _ := authtoken.SignatureOID(tok.Algorithm)
	if pki.CheckSignature(cert.PublicKey, oid, nil, m, sig) == nil {
		t.Error("the token verifies for another origin")
	}
	// The dialog named the origin and the certificate's holder.
	cmds := pe.commands(t)
	if !strings.Contains(cmds, "SETDESC Сайт https://portal.example просит войти") || !strings.Contains(cmds, cert.SubjectName.PersonName()) || !strings.Contains(cmds, "GETPIN") {
		t.Errorf("dialog:\n%s", cmds)
	}
	if strings.Contains(logs.String(), tokendtest.PIN) || strings.Contains(logs.String(), nonce) {
		t.Error("the PIN or the nonce reached the log")
	}

	// No PIN caching and a logout after each operation: the next login
	// asks again, and this time the person cancels.
	pe.set("cancel", "", "")
	if _, r := authenticate(t, s, portal, map[string]any{"nonce": nonce}); r.code != CodeUserCancelled {
		t.Errorf("cancelled: %d %s", r.status, r.body)
	}
	if !strings.Contains(pe.commands(t), "GETPIN") {
		t.Error("the second login did not ask for the PIN")
	}

	for _, n := range []string{"", "short", strings.Repeat("A", 43), strings.Repeat("A", 129), strings.Repeat("A", 43) + "!"} {
		if _, r := authenticate(t, s, portal, map[string]any{"nonce": n}); r.code != CodeBadNonce {
			t.Errorf("nonce %q: %d %s", n, r.status, r.body)
		}
	}
	if _, r := authenticate(t, s, portal, map[string]any{"nonce": nonce, "origin": "https://evil.example"}); r.code != CodeBadRequest {
		t.Errorf("an origin field: %d %s", r.status, r.body)
	}
	if _, r := authenticate(t, s, portal, map[string]any{"nonce": nonce, "certificate": strings.Repeat("0", 64)}); r.code != CodeNoCertificate {
		t.Errorf("unknown certificate: %d %s", r.status, r.body)
	}
	pe.set("", tokendtest.PIN, "")
	if _, r := authenticate(t, s, "https://evil.example", map[string]any{"nonce": nonce}); r.code != CodeOriginNotAllowed {
		t.Errorf("foreign origin: %d %s", r.status, r.body)
	}
	if pe.commands(t) != "" {
		t.Error("a foreign origin reached the dialog")
	}
}

func TestAuthenticate512(t *testing.T) {
	s, tk, _, _ := tokenServer(t, Config{})
	c := tk.Key(0, "k512", gost3410.TC26512B)
	var id string
	for _, e := range certificates(t, s, &Filter{Algorithm: []string{authtoken.GOST512}}) {
		id = e.ID
	}
	tok, r := authenticate(t, s, portal, map[string]any{"nonce": nonce, "certificate": id})
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if got := checkToken(t, tok, portal, nonce); tok.Algorithm != authtoken.GOST512 || !bytes.Equal(got.Raw, c.Raw) {
		t.Errorf("algorithm %s", tok.Algorithm)
	}
	if _, r := authenticate(t, s, portal, map[string]any{"nonce": nonce}); r.code != CodeBadRequest {
		t.Errorf("two usable certificates and none named: %d %s", r.status, r.body)
	}
}

func TestWrongPIN(t *testing.T) {
	s, _, pe, _ := tokenServer(t, Config{Lang: "en"})
	pe.set("", "00000000", "")
	_, r := authenticate(t, s, portal, map[string]any{"nonce": nonce})
	if r.code != CodePINIncorrect || r.left != nil {
		t.Errorf("first wrong PIN: %d %s", r.status, r.body)
	}
	_, r = authenticate(t, s, portal, map[string]any{"nonce": nonce})
	if r.code != CodePINIncorrect || r.left == nil || *r.left != 1 {
		t.Errorf("second wrong PIN: %d %s", r.status, r.body)
	}
	if !strings.Contains(pe.commands(t), "A wrong PIN was entered since the last login.") {
		t.Errorf("the dialog did not warn:\n%s", pe.commands(t))
	}
	_, r = authenticate(t, s, portal, map[string]any{"nonce": nonce})
	if r.code != CodePINLocked {
		t.Errorf("third wrong PIN: %d %s", r.status, r.body)
	}
	if !strings.Contains(pe.commands(t), "1 attempt left: the next wrong PIN locks the token.") {
		t.Errorf("the dialog did not warn of the final try:\n%s", pe.commands(t))
	}
	// Locked: listed with the reason, refused without a dialog.
	for _, c := range certificates(t, s, nil) {
		if c.Usable || c.Reason != "PIN_LOCKED" {
			t.Errorf("locked: %+v", c)
		}
	}
	pe.set("", tokendtest.PIN, "")
	if _, r := authenticate(t, s, portal, map[string]any{"nonce": nonce}); r.code != CodeNoCertificate && r.code != CodePINLocked {
		t.Errorf("locked token: %d %s", r.status, r.body)
	}
	if pe.commands(t) != "" {
		t.Errorf("a dialog was shown for a locked token:\n%s", pe.commands(t))
	}
}

func TestTimeoutCancelAndConcurrency(t *testing.T) {
	s, tk, pe, _ := tokenServer(t, Config{Timeout: 700 * time.Millisecond})
	pe.set("hang", "", "")
	start := time.Now()
	if _, r := authenticate(t, s, portal, map[string]any{"nonce": nonce}); r.code != CodeUserTimeout {
		t.Errorf("timeout: %d %s", r.status, r.body)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("timeout took %v", d)
	}

	// One operation per token: a second request while the first waits for
	// the person is refused; cancel ends the first.
	s.cfg.Timeout = time.Minute
	pe.set("hang", "", "")
	var wg sync.WaitGroup
	var first apiResult
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, first = authenticate(t, s, portal, map[string]any{"nonce": nonce, "requestId": "slow"})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(pe.commands(t), "GETPIN") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if _, r := authenticate(t, s, portal, map[string]any{"nonce": nonce}); r.code != CodeOperationPending {
		t.Errorf("second operation: %d %s", r.status, r.body)
	}
	if r := call(t, s, "/v1/cancel", portal, map[string]any{"target": "nope"}); r.code != CodeNotFound {
		t.Errorf("cancel unknown: %d %s", r.status, r.body)
	}
	if r := call(t, s, "/v1/cancel", portal, map[string]any{"target": "slow"}); r.status != 200 {
		t.Errorf("cancel: %d %s", r.status, r.body)
	}
	wg.Wait()
	if first.code != CodeUserCancelled {
		t.Errorf("cancelled operation: %d %s", first.status, first.body)
	}

	// The token pulled out while the dialog is open.
	pe.set("", tokendtest.PIN, "400ms")
	wg.Add(1)
	var removed apiResult
	go func() {
		defer wg.Done()
		_, removed = authenticate(t, s, portal, map[string]any{"nonce": nonce})
	}()
	deadline = time.Now().Add(10 * time.Second)
	for !strings.Contains(pe.commands(t), "GETPIN") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	tk.Remove(0)
	wg.Wait()
	if removed.code != CodeTokenRemoved {
		t.Errorf("token removed: %d %s", removed.status, removed.body)
	}
	tk.Insert(0)
	pe.set("", tokendtest.PIN, "")
	if _, r := authenticate(t, s, portal, map[string]any{"nonce": nonce}); r.status != 200 {
		t.Errorf("after re-insertion: %d %s", r.status, r.body)
	}
}

func TestPinentryMissing(t *testing.T) {
	s, _, pe, _ := tokenServer(t, Config{})
	pe.prog.Path = filepath.Join(t.TempDir(), "no-pinentry")
	if _, r := authenticate(t, s, portal, map[string]any{"nonce": nonce}); r.code != CodePinentryFailed {
		t.Errorf("%d %s", r.status, r.body)
	}
}

// TestPINPad: a token with a protected authentication path gets no PIN
// dialog; consent is asked with CONFIRM instead.
func TestPINPad(t *testing.T) {
	t.Setenv("GOSTTOKEN_PROTECTED_AUTH", "1")
	s, _, pe, _ := tokenServer(t, Config{})
	pe.set("", "", "")
	tok, r := authenticate(t, s, portal, map[string]any{"nonce": nonce})
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	checkToken(t, tok, portal, nonce)
	cmds := pe.commands(t)
	if !strings.Contains(cmds, "CONFIRM") || strings.Contains(cmds, "GETPIN") || !strings.Contains(cmds, "https://portal.example") {
		t.Errorf("dialog:\n%s", cmds)
	}
	pe.set("notconfirmed", "", "")
	if _, r := authenticate(t, s, portal, map[string]any{"nonce": nonce}); r.code != CodeUserCancelled {
		t.Errorf("refused consent: %d %s", r.status, r.body)
	}
}

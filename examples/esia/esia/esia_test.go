package esia_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/examples/esia/esia"
	"github.com/podpis/podpis/examples/esia/internal/standin"
	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/gost/streebog"
	"github.com/podpis/podpis/internal/osslgost"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/sign/softkey"
	"github.com/podpis/podpis/verify/serve"
)

// The whole flow: authorisation URL, redirect back, code for tokens, tokens
// validated, the person's OID.
func TestFlow(t *testing.T) {
	f := newFixture(t, nil)
	var form url.Values
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			r.ParseForm()
			form = r.PostForm
		}
		f.stand.ServeHTTP(w, r)
	})
	state := esia.NewState()
	u, err := f.client.AuthURL(state)
	if err != nil {
		t.Fatal(err)
	}
	_, back := f.open(t, u)
	code, err := f.client.Callback(back, state)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := f.exchange(t, f.client, code)
	if err != nil {
		t.Fatal(err)
	}
	// The token request of §5: these parameters, a new UUID state, a
	// timestamp in the layout, a client secret over its own state.
	want := map[string]string{"client_id": clientID, "code": code, "grant_type": "authorization_code",
		"redirect_uri": redirect, "scope": "openid fullname", "token_type": "Bearer"}
	for k, v := range want {
		if form.Get(k) != v {
			t.Errorf("token request %s = %q, want %q", k, form.Get(k), v)
		}
	}
	if len(form) != 9 || !uuidV4.MatchString(form.Get("state")) || form.Get("state") == state || !tsRE.MatchString(form.Get("timestamp")) {
		t.Errorf("token request %v", form)
	}
	if tok.OID != "1000299654" || tok.IDToken == "" || tok.RefreshToken == "" || tok.IDClaims == nil {
		t.Errorf("token %+v", tok)
	}
	if d := tok.ExpiresAt.Sub(f.clock.Now()); d < 59*time.Minute || d > time.Hour {
		t.Errorf("expires in %v, want the stand-in's hour", d)
	}
}

var (
	tsRE   = regexp.MustCompile(`^\d{4}\.\d{2}\.\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4}$`)
	uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

// The authorisation URL carries §5's parameters, and client_secret is a
// detached CMS over scope + timestamp + client_id + state that package cms
// verifies with the system's certificate — and not over another order.
func TestAuthURL(t *testing.T) {
	f := newFixture(t, nil)
	f.clock.t = time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("MSK", 3*3600))
	state := esia.NewState()
	if !uuidV4.MatchString(state) || esia.NewState() == state {
		t.Fatalf("state %q is not a fresh UUID v4", state)
	}
	u, err := f.client.AuthURL(state)
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(u)
	if pu.Path != "/aas/oauth2/ac" {
		t.Errorf("path %s", pu.Path)
	}
	q := pu.Query()
	want := map[string]string{"client_id": clientID, "redirect_uri": redirect, "scope": "openid fullname",
		"response_type": "code", "state": state, "access_type": "online", "timestamp": "2026.03.04 05:06:07 +0300"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if len(q) != 8 {
		t.Errorf("%d parameters, want 8: %v", len(q), slices.Sorted(func(yield func(string) bool) {
			for k := range q {
				yield(k)
			}
		}))
	}
	secret := q.Get("client_secret")
	if strings.ContainsAny(secret, "+/=") {
		t.Errorf("client_secret is not unpadded base64url")
	}
	der, err := base64.RawURLEncoding.DecodeString(secret)
	if err != nil {
		t.Fatal(err)
	}
	msg := "openid fullname" + "2026.03.04 05:06:07 +0300" + clientID + state
	if esia.SecretMessage("openid fullname", "2026.03.04 05:06:07 +0300", clientID, state) != msg {
		t.Error("SecretMessage is not scope + timestamp + client_id + state")
	}
	res, err := cms.Verify(der, cms.VerifyOptions{Content: strings.NewReader(msg)})
	if err != nil || !res.Valid() || !res.SignedData.Detached || !res.Signers[0].Certificate.Certificate.Equal(f.pki.Signer.Cert.Certificate) {
		t.Fatalf("client_secret does not verify over %q: %v", msg, err)
	}
	other := clientID + "openid fullname" + "2026.03.04 05:06:07 +0300" + state
	if res, err := cms.Verify(der, cms.VerifyOptions{Content: strings.NewReader(other)}); err == nil && res.Valid() {
		t.Error("client_secret verifies over another order too")
	}
	if !tsRE.MatchString(esia.Timestamp(time.Now())) {
		t.Errorf("timestamp %q", esia.Timestamp(time.Now()))
	}
	if _, err := f.client.AuthURL("not-a-uuid"); err == nil {
		t.Error("AuthURL took a state that is no UUID")
	}
}

// signAs makes a detached CMS over msg with the fixture's system key.
func (f *fixture) signAs(t *testing.T, msg string, detached bool) string {
	t.Helper()
	der, err := cms.Sign(strings.NewReader(msg), cms.SignerConfig{Signer: f.pki.Signer.Key, Certificate: f.pki.Signer.Cert},
		cms.SignOptions{Detached: detached})
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(der)
}

// The stand-in checks client_secret for real: wrong order, wrong timestamp,
// another key, an attached CMS, garbage, a stale timestamp all fail; padded
// base64url passes.
func TestAuthorizeBadSecret(t *testing.T) {
	f := newFixture(t, nil)
	cases := []struct {
		name, want string
		mod        func(q url.Values)
		ok         bool
	}{
		{"as made", "", func(url.Values) {}, true},
		{"padded base64url", "", func(q url.Values) {
			s := q.Get("client_secret")
			q.Set("client_secret", s+strings.Repeat("=", (4-len(s)%4)%4))
		}, true},
		{"client_id first", "does not verify", func(q url.Values) {
			q.Set("client_secret", f.signAs(t, clientID+q.Get("scope")+q.Get("timestamp")+q.Get("state"), true))
		}, false},
		{"state before timestamp", "does not verify", func(q url.Values) {
			q.Set("client_secret", f.signAs(t, q.Get("scope")+q.Get("state")+q.Get("timestamp")+clientID, true))
		}, false},
		{"signed another timestamp", "does not verify", func(q url.Values) {
			ts := esia.Timestamp(f.clock.Now().Add(time.Second))
			q.Set("client_secret", f.signAs(t, q.Get("scope")+ts+clientID+q.Get("state"), true))
		}, false},
		{"timestamp changed after signing", "does not verify", func(q url.Values) {
			q.Set("timestamp", esia.Timestamp(f.clock.Now().Add(time.Second)))
		}, false},
		{"timestamp in RFC 3339", "timestamp is not", func(q url.Values) {
			ts := f.clock.Now().Format(time.RFC3339)
			q.Set("timestamp", ts)
			q.Set("client_secret", f.signAs(t, q.Get("scope")+ts+clientID+q.Get("state"), true))
		}, false},
		{"scope changed after signing", "does not verify", func(q url.Values) { q.Set("scope", "openid") }, false},
		{"attached CMS", "detached", func(q url.Values) {
			q.Set("client_secret", f.signAs(t, q.Get("scope")+q.Get("timestamp")+clientID+q.Get("state"), false))
		}, false},
		{"another key", "not registered", func(q url.Values) {
			msg := q.Get("scope") + q.Get("timestamp") + clientID + q.Get("state")
			der, err := cms.Sign(strings.NewReader(msg), cms.SignerConfig{Signer: f.pki.Person.Key, Certificate: f.pki.Person.Cert},
				cms.SignOptions{Detached: true})
			if err != nil {
				t.Fatal(err)
			}
			q.Set("client_secret", base64.RawURLEncoding.EncodeToString(der))
		}, false},
		{"not base64url", "not base64url", func(q url.Values) { q.Set("client_secret", "a+b/c") }, false},
		{"not CMS", "not a detached CMS", func(q url.Values) { q.Set("client_secret", "AAAA") }, false},
		{"state not a UUID", "UUID", func(q url.Values) { q.Set("state", "1234") }, false},
		{"unapproved scope", "not approved", func(q url.Values) { q.Set("scope", "openid snils") }, false},
		{"response_type token", "response_type", func(q url.Values) { q.Set("response_type", "token") }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			state := esia.NewState()
			u, err := f.client.AuthURL(state)
			if err != nil {
				t.Fatal(err)
			}
			pu, _ := url.Parse(u)
			q := pu.Query()
			c.mod(q)
			pu.RawQuery = q.Encode()
			status, back := f.open(t, pu.String())
			if status != http.StatusFound {
				t.Fatalf("status %d, want a redirect", status)
			}
			code, err := f.client.Callback(back, q.Get("state"))
			if c.ok {
				if err != nil {
					t.Fatal(err)
				}
				if code == "" {
					t.Fatal("no code")
				}
				return
			}
			var e *esia.Error
			if !errors.As(err, &e) || !strings.Contains(e.Description, c.want) {
				t.Fatalf("got %v, want an ESIA error saying %q", err, c.want)
			}
		})
	}
	// A stale timestamp: the client's clock 10 minutes behind ESIA's.
	f.clock.Add(-10 * time.Minute)
	state := esia.NewState()
	u, _ := f.client.AuthURL(state)
	f.clock.Add(10 * time.Minute)
	_, back := f.open(t, u)
	if _, err := f.client.Callback(back, state); err == nil || !strings.Contains(err.Error(), "timestamp is more than") {
		t.Errorf("stale timestamp: %v", err)
	}
	// An unknown system or redirect URI gets an error page, not a redirect.
	for _, mod := range []func(url.Values){
		func(q url.Values) { q.Set("client_id", "OTHER") },
		func(q url.Values) { q.Set("redirect_uri", "https://evil.example/") },
	} {
		pu, _ := url.Parse(u)
		q := pu.Query()
		mod(q)
		pu.RawQuery = q.Encode()
		if status, _ := f.open(t, pu.String()); status != http.StatusBadRequest {
			t.Errorf("unregistered client or redirect: status %d, want 400", status)
		}
	}
}

// The redirect back is checked: its state must be the session's, and an
// error ESIA sends back is an *esia.Error.
func TestCallback(t *testing.T) {
	f := newFixture(t, nil)
	state := esia.NewState()
	if _, err := f.client.Callback(url.Values{"code": {"c"}, "state": {esia.NewState()}}, state); err == nil {
		t.Error("a foreign state was accepted")
	}
	if _, err := f.client.Callback(url.Values{"code": {"c"}}, state); err == nil {
		t.Error("a missing state was accepted")
	}
	_, err := f.client.Callback(url.Values{"error": {"access_denied"}, "error_description": {"отказ\nпользователя"}, "state": {state}}, state)
	var e *esia.Error
	if !errors.As(err, &e) || e.Code != "access_denied" || strings.Contains(err.Error(), "\n") {
		t.Errorf("error redirect: %v", err)
	}
	if _, err := f.client.Callback(url.Values{"state": {state}}, state); err == nil {
		t.Error("a redirect without code was accepted")
	}
}

// Codes are single use and short lived; the token request's client_secret is
// checked like the authorisation request's.
func TestExchangeBadCode(t *testing.T) {
	f := newFixture(t, nil)
	code := f.code(t, f.client)
	if _, err := f.exchange(t, f.client, code); err != nil {
		t.Fatal(err)
	}
	_, err := f.exchange(t, f.client, code)
	assertESIAError(t, "replayed code", err, 400, "invalid_grant", "already used")

	code = f.code(t, f.client)
	f.clock.Add(61 * time.Second)
	_, err = f.exchange(t, f.client, code)
	assertESIAError(t, "expired code", err, 400, "invalid_grant", "expired")

	code = f.code(t, f.client)
	other := f.newClient(t, func(c *esia.Config) { c.Signer, c.Certificate = f.pki.Person.Key, f.pki.Person.Cert })
	_, err = f.exchange(t, other, code)
	assertESIAError(t, "another key", err, 401, "invalid_client", "not registered")
	// A request whose client authentication failed does not burn the code.
	if _, err := f.exchange(t, f.client, code); err != nil {
		t.Errorf("the code after a refused client: %v", err)
	}

	code = f.code(t, f.client)
	other = f.newClient(t, func(c *esia.Config) { c.RedirectURI = redirect + "2" })
	_, err = f.exchange(t, other, code)
	assertESIAError(t, "another redirect URI", err, 400, "invalid_grant", "redirect_uri")

	_, err = f.exchange(t, f.client, "made-up")
	assertESIAError(t, "unknown code", err, 400, "invalid_grant", "unknown")
}

func assertESIAError(t *testing.T, name string, err error, status int, code, desc string) {
	t.Helper()
	var e *esia.Error
	if !errors.As(err, &e) || e.Status != status || e.Code != code || !strings.Contains(e.Description, desc) {
		t.Errorf("%s: got %v, want HTTP %d %s %q", name, err, status, code, desc)
	}
}

// rawJWT signs header.payload with key as SignJWT does, whatever the header.
func rawJWT(t *testing.T, key *gost3410.PrivateKey, header string, claims map[string]any) string {
	t.Helper()
	p, _ := json.Marshal(claims)
	in := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString(p)
	d := streebog.Sum256([]byte(in))
	sig, err := key.Sign(rand.Reader, d[:], gost3410.SignerOpts{Hash: gost3410.Streebog256})
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// Tokens that must be refused: signed by another key, alg none or RS256,
// ESIA's byte order, expired, not yet valid, issued in the future, for
// another audience, issuer or system, without a subject, or with two
// different people.
func TestBadTokens(t *testing.T) {
	otherKey, err := gost3410.GenerateKey(gost3410.TC26256A, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	cases := []struct {
		name, want string
		sign       func(t *testing.T, key *gost3410.PrivateKey, kind string, c map[string]any) string
	}{
		{"another key", "signature does not verify", func(t *testing.T, _ *gost3410.PrivateKey, _ string, c map[string]any) string {
			s, _ := serve.SignJWT(otherKey, c)
			return s
		}},
		{"alg none", "alg must be GOST3410_2012_256", func(t *testing.T, _ *gost3410.PrivateKey, _ string, c map[string]any) string {
			p, _ := json.Marshal(c)
			return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + base64.RawURLEncoding.EncodeToString(p) + "."
		}},
		{"alg RS256", "alg must be GOST3410_2012_256", func(t *testing.T, key *gost3410.PrivateKey, _ string, c map[string]any) string {
			return rawJWT(t, key, `{"alg":"RS256","typ":"JWT"}`, c)
		}},
		{"byte-reversed signature", "signature does not verify", func(t *testing.T, key *gost3410.PrivateKey, _ string, c map[string]any) string {
			s, _ := serve.SignJWT(key, c)
			i := strings.LastIndexByte(s, '.')
			sig, _ := base64.RawURLEncoding.DecodeString(s[i+1:])
			slices.Reverse(sig)
			return s[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
		}},
		{"expired", "expired", claims(func(_ string, c map[string]any) {
			c["exp"], c["nbf"], c["iat"] = now.Add(-2*time.Hour).Unix(), now.Add(-3*time.Hour).Unix(), now.Add(-3*time.Hour).Unix()
		})},
		{"no exp", "no exp", claims(func(_ string, c map[string]any) { delete(c, "exp") })},
		{"not yet valid", "nbf", claims(func(_ string, c map[string]any) { c["nbf"] = now.Add(time.Hour).Unix() })},
		{"issued in the future", "iat", claims(func(_ string, c map[string]any) { c["iat"] = now.Add(time.Hour).Unix() })},
		{"wrong aud", "another audience", claims(func(_ string, c map[string]any) { c["aud"] = "OTHERSYS" })},
		{"wrong iss", "another issuer", claims(func(_ string, c map[string]any) { c["iss"] = "https://esia.example/" })},
		{"wrong client_id", "another system", claims(func(_ string, c map[string]any) { c["client_id"] = "OTHERSYS" })},
		{"no subject", "no subject", claims(func(k string, c map[string]any) {
			if k == "access" {
				delete(c, "urn:esia:sbj_id")
			}
		})},
		{"subject not a number", "positive decimal", claims(func(k string, c map[string]any) { c["urn:esia:sbj_id"] = "-12" })},
		{"ID token of another person", "another person", claims(func(k string, c map[string]any) {
			if k == "id" {
				c["sub"], c["urn:esia:sbj_id"] = "1000000001", 1000000001
			}
		})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var key *gost3410.PrivateKey
			f := newFixture(t, func(sc *standin.Config) {
				key = sc.Key
				sc.Sign = func(kind string, claims map[string]any) (string, error) { return c.sign(t, key, kind, claims), nil }
			})
			_, err := f.exchange(t, f.client, f.code(t, f.client))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error saying %q", err, c.want)
			}
		})
	}
}

// claims returns a signer that changes the claims and signs with ESIA's key.
func claims(mod func(kind string, c map[string]any)) func(*testing.T, *gost3410.PrivateKey, string, map[string]any) string {
	return func(t *testing.T, key *gost3410.PrivateKey, kind string, c map[string]any) string {
		mod(kind, c)
		s, err := serve.SignJWT(key, c)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

// Answers that are not ESIA's: a non-JSON error, an oversized body, a slow
// server, a wrong state or token type in the token response. Errors are one
// line and never repeat the code or the secret.
func TestExchangeTransport(t *testing.T) {
	f := newFixture(t, nil)
	var handler atomic.Pointer[http.HandlerFunc]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*handler.Load())(w, r) }))
	defer srv.Close()
	c := f.newClient(t, func(c *esia.Config) {
		c.BaseURL = srv.URL
		c.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
	})
	cases := []struct {
		name, want string
		h          http.HandlerFunc
	}{
		{"HTML error page", "HTTP 502 Bad Gateway without an OAuth error", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			w.Write([]byte("<html>code=SECRETCODE</html>"))
		}},
		{"ESIA's error JSON", "ESIA refused (HTTP 400): invalid_request: ESIA-007014: request does not contain the mandatory parameter", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json;charset=UTF-8")
			w.WriteHeader(400)
			w.Write([]byte(`{"error":"invalid_request","error_description":"ESIA-007014: request does not contain the mandatory parameter","state":"x"}`))
		}},
		{"oversized", "longer than 65536 bytes", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"access_token":"` + strings.Repeat("a", esia.MaxResponse) + `"}`))
		}},
		{"slow", "Timeout", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		}},
		{"wrong state", "state is not the request's", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"access_token":"a","state":"` + esia.NewState() + `","token_type":"Bearer"}`))
		}},
		{"wrong token type", "token_type", func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			w.Write([]byte(`{"access_token":"a","state":"` + r.PostForm.Get("state") + `","token_type":"mac"}`))
		}},
		{"not JSON", "not the expected JSON", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) }},
		{"no access token", "no access_token", func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			w.Write([]byte(`{"state":"` + r.PostForm.Get("state") + `","token_type":"Bearer"}`))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			handler.Store(&tc.h)
			_, err := c.Exchange(t.Context(), "SECRETCODE")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if s := err.Error(); strings.Contains(s, "SECRETCODE") || strings.Contains(s, "client_secret=") || strings.Contains(s, "\n") {
				t.Errorf("error repeats the request or spans lines: %s", s)
			}
		})
	}
}

// Config is checked before anything is sent.
func TestNewRefuses(t *testing.T) {
	f := newFixture(t, nil)
	p512, err := devpki.New(devpki.Options{ParamSet: gost3410.TC26512A})
	if err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*esia.Config){
		"no client id":      func(c *esia.Config) { c.ClientID = "" },
		"no scopes":         func(c *esia.Config) { c.Scopes = nil },
		"scope with space":  func(c *esia.Config) { c.Scopes = []string{"openid fullname"} },
		"no key":            func(c *esia.Config) { c.Signer = nil },
		"no ESIA cert":      func(c *esia.Config) { c.ESIACertificates = nil },
		"512-bit ESIA cert": func(c *esia.Config) { c.ESIACertificates = []*pki.Certificate{p512.Signer.Cert} },
		"no issuer":         func(c *esia.Config) { c.Issuer = "" },
		"http remote":       func(c *esia.Config) { c.BaseURL = "http://esia.gosuslugi.ru" },
		"bad access type":   func(c *esia.Config) { c.AccessType = "always" },
	} {
		cfg := f.cfg
		mod(&cfg)
		if _, err := esia.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// OpenSSL with the GOST engine verifies client_secret over the same string
// (openssl cms -verify -binary -content), and refuses it over another order.
func TestClientSecretOpenSSL(t *testing.T) {
	osslgost.Require(t)
	f := newFixture(t, nil)
	dir := t.TempDir()
	state, ts := esia.NewState(), esia.Timestamp(time.Now())
	secret, err := f.client.ClientSecret(ts, state)
	if err != nil {
		t.Fatal(err)
	}
	der, err := base64.RawURLEncoding.DecodeString(secret)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sig := write("secret.der", der)
	ca := write("ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.pki.CA.Cert.Raw}))
	good := write("good.txt", []byte(esia.SecretMessage(f.client.Scope(), ts, clientID, state)))
	bad := write("bad.txt", []byte(clientID+f.client.Scope()+ts+state))
	args := func(content string) []string {
		return []string{"cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", content,
			"-CAfile", ca, "-purpose", "any", "-out", filepath.Join(dir, "out")}
	}
	osslgost.Run(t, nil, args(good)...)
	if _, err := osslgost.Try(t, nil, args(bad)...); err == nil {
		t.Error("OpenSSL verified client_secret over client_id + scope + timestamp + state")
	}

	// The other way: a client_secret OpenSSL made (detached, Streebog-256)
	// passes the stand-in's checks and the login goes through.
	keyPEM, err := softkey.MarshalPrivateKeyPEM(f.pki.Signer.Key)
	if err != nil {
		t.Fatal(err)
	}
	state = esia.NewState()
	u, err := f.client.AuthURL(state) // the clock stands still: the same timestamp
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(u)
	q := pu.Query()
	msg := write("msg.txt", []byte(esia.SecretMessage(f.client.Scope(), q.Get("timestamp"), clientID, state)))
	ossl := osslgost.Run(t, nil, "cms", "-sign", "-binary", "-in", msg, "-md", "md_gost12_256", "-outform", "DER",
		"-signer", write("signer.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.pki.Signer.Cert.Raw})),
		"-inkey", write("signer.key", keyPEM))
	q.Set("client_secret", base64.RawURLEncoding.EncodeToString(ossl))
	pu.RawQuery = q.Encode()
	_, back := f.open(t, pu.String())
	code, err := f.client.Callback(back, state)
	if err != nil {
		t.Fatalf("the stand-in refused OpenSSL's client_secret: %v", err)
	}
	if _, err := f.exchange(t, f.client, code); err != nil {
		t.Fatal(err)
	}
}

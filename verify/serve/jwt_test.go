package serve

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/gost/streebog"
	"github.com/podpis/podpis/internal/osslgost"
	"github.com/podpis/podpis/pki"
)

const (
	testIssuer   = "https://oauth.example.ru"
	testAudience = "podpis-verify"
)

func claims(exp time.Time, extra ...any) map[string]any {
	c := map[string]any{"iss": testIssuer, "aud": testAudience, "sub": "client-1", "exp": exp.Unix()}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == nil {
			delete(c, extra[i].(string))
		} else {
			c[extra[i].(string)] = extra[i+1]
		}
	}
	return c
}

func newJWT(t testing.TB, certs ...*pki.Certificate) *JWTVerifier {
	t.Helper()
	v, err := NewJWTVerifier(JWTConfig{Certificates: certs, Issuer: testIssuer, Audience: testAudience})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustSign(t testing.TB, key *gost3410.PrivateKey, c any) string {
	t.Helper()
	tok, err := SignJWT(key, c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// resign replaces the header of tok and signs again with key: forged
// headers with a valid signature.
func resign(t *testing.T, key *gost3410.PrivateKey, header, payload string) string {
	t.Helper()
	in := b64.EncodeToString([]byte(header)) + "." + payload
	d := streebog.Sum256([]byte(in))
	sig, err := key.Sign(rand.Reader, d[:], gost3410.SignerOpts{Hash: gost3410.Streebog256})
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + b64.EncodeToString(sig)
}

func TestJWT(t *testing.T) {
	in := getInputs(t)
	key, cert := in.p.Signer.Key, in.p.Signer.Cert
	v := newJWT(t, in.p.Person.Cert, cert)
	now := time.Now()

	c, err := v.Verify(mustSign(t, key, claims(now.Add(time.Hour))))
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "client-1" || c.Issuer != testIssuer {
		t.Fatalf("%+v", c)
	}
	// aud as an array holding ours.
	if _, err := v.Verify(mustSign(t, key, claims(now.Add(time.Hour), "aud", []string{"other", testAudience}))); err != nil {
		t.Fatal(err)
	}
	// A numeric sub (ESIA's person OID) is read as its decimal text.
	if c, err := v.Verify(mustSign(t, key, claims(now.Add(time.Hour), "sub", 1000299654))); err != nil || c.Subject != "1000299654" {
		t.Fatalf("numeric sub: %+v, %v", c, err)
	}
	// client_id as the audience only when asked for, and only without aud.
	byClient := mustSign(t, key, claims(now.Add(time.Hour), "aud", nil, "client_id", testAudience))
	if _, err := v.Verify(byClient); err == nil || !strings.Contains(err.Error(), "another audience") {
		t.Fatalf("client_id without ClientIDAudience: %v", err)
	}
	vc, err := NewJWTVerifier(JWTConfig{Certificates: []*pki.Certificate{cert}, Issuer: testIssuer, Audience: testAudience, ClientIDAudience: true})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := vc.Verify(byClient); err != nil || c.ClientID != testAudience {
		t.Fatalf("client_id with ClientIDAudience: %+v, %v", c, err)
	}
	if _, err := vc.Verify(mustSign(t, key, claims(now.Add(time.Hour), "aud", "other", "client_id", testAudience))); err == nil {
		t.Fatal("a token for another aud accepted by its client_id")
	}
	// Within the leeway.
	if _, err := v.Verify(mustSign(t, key, claims(now.Add(-30*time.Second), "nbf", now.Add(30*time.Second).Unix()))); err != nil {
		t.Fatal(err)
	}

	good := mustSign(t, key, claims(now.Add(time.Hour)))
	h, p, s := split3(good)
	sig, _ := b64.DecodeString(s)
	reversed := slices.Clone(sig)
	slices.Reverse(reversed)
	other, _ := gost3410.GenerateKey(gost3410.TC26256A, rand.Reader)
	payloadOf := func(c any) string { tok := mustSign(t, key, c); _, p, _ := split3(tok); return p }

	for name, tc := range map[string]struct {
		token, want string
	}{
		"expired":          {mustSign(t, key, claims(now.Add(-2*time.Minute))), "expired"},
		"no exp":           {mustSign(t, key, claims(now, "exp", nil)), "no exp"},
		"not yet":          {mustSign(t, key, claims(now.Add(time.Hour), "nbf", now.Add(10*time.Minute).Unix())), "not valid yet"},
		"issuer":           {mustSign(t, key, claims(now.Add(time.Hour), "iss", "https://evil.example")), "another issuer"},
		"audience":         {mustSign(t, key, claims(now.Add(time.Hour), "aud", "other")), "another audience"},
		"audience array":   {mustSign(t, key, claims(now.Add(time.Hour), "aud", []string{"a", "b"})), "another audience"},
		"other key":        {mustSign(t, other, claims(now.Add(time.Hour))), "does not verify"},
		"tampered payload": {h + "." + payloadOf(claims(now.Add(48*time.Hour))) + "." + s, "does not verify"},
		"byte-reversed":    {h + "." + p + "." + b64.EncodeToString(reversed), "does not verify"},
		"alg none":         {b64.EncodeToString([]byte(`{"alg":"none"}`)) + "." + p + ".", "alg must be"},
		"alg HS256":        {resign(t, key, `{"alg":"HS256"}`, p), "alg must be"},
		"alg 512":          {resign(t, key, `{"alg":"GOST3410_2012_512"}`, p), "alg must be"},
		"crit":             {resign(t, key, `{"alg":"GOST3410_2012_256","crit":["exp"]}`, p), "critical"},
		"two parts":        {h + "." + p, "compact"},
		"four parts":       {good + ".x", "compact"},
		"padded":           {h + "=." + p + "." + s, "base64url"},
		"std base64 sig":   {h + "." + p + "." + base64.StdEncoding.EncodeToString(sig), "64 bytes"},
		"short sig":        {h + "." + p + "." + b64.EncodeToString(sig[:63]), "64 bytes"},
		"header not JSON":  {b64.EncodeToString([]byte(`alg`)) + "." + p + "." + s, "JSON"},
		"huge":             {strings.Repeat("a", maxJWT+1), "too long"},
		"sub fraction":     {mustSign(t, key, claims(now.Add(time.Hour), "sub", 1.5)), "not a whole one"},
		"sub object":       {mustSign(t, key, claims(now.Add(time.Hour), "sub", map[string]int{"a": 1})), "neither a string nor a number"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := v.Verify(tc.token)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}

	// A certificate out of its validity is not used.
	late := newJWTAt(t, cert.NotAfter.Add(time.Hour), cert)
	if _, err := late.Verify(good); err == nil {
		t.Fatal("token accepted under an expired certificate")
	}
	// Configuration: an issuer is required.
	if _, err := NewJWTVerifier(JWTConfig{Certificates: []*pki.Certificate{cert}, Audience: "a"}); err == nil {
		t.Fatal("no issuer accepted")
	}
}

func newJWTAt(t *testing.T, at time.Time, certs ...*pki.Certificate) *JWTVerifier {
	v, err := NewJWTVerifier(JWTConfig{Certificates: certs, Issuer: testIssuer, Audience: testAudience, Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func split3(tok string) (string, string, string) {
	parts := strings.Split(tok, ".")
	return parts[0], parts[1], parts[2]
}

// OpenSSL's GOST engine signs the signing input with `openssl dgst
// -md_gost12_256 -sign`, and the verifier accepts it as it is: the byte
// order BE(s) ‖ BE(r) is the engine's. OpenSSL also verifies our
// signature.
func TestJWTOpenSSL(t *testing.T) {
	osslgost.Require(t)
	in := getInputs(t)
	key, cert := in.p.Signer.Key, in.p.Signer.Cert
	dir := t.TempDir()
	der, err := gost3410.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile, certFile := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644)

	input := b64.EncodeToString([]byte(`{"alg":"GOST3410_2012_256","typ":"JWT"}`)) + "." +
		b64.EncodeToString([]byte(`{"iss":"`+testIssuer+`","aud":"`+testAudience+`","exp":`+itoa64(time.Now().Add(time.Hour).Unix())+`}`))
	inFile := filepath.Join(dir, "input")
	os.WriteFile(inFile, []byte(input), 0o644)
	sig := osslgost.Run(t, nil, "dgst", "-md_gost12_256", "-sign", keyFile, inFile)
	if len(sig) != 64 {
		t.Fatalf("openssl signature of %d bytes", len(sig))
	}
	v := newJWT(t, cert)
	if _, err := v.Verify(input + "." + b64.EncodeToString(sig)); err != nil {
		t.Fatalf("OpenSSL's JWT refused: %v", err)
	}

	// And the other way: OpenSSL verifies SignJWT's signature with the
	// certificate's key.
	tok := mustSign(t, key, claims(time.Now().Add(time.Hour)))
	h, p, s := split3(tok)
	ours, _ := b64.DecodeString(s)
	os.WriteFile(inFile, []byte(h+"."+p), 0o644)
	sigFile := filepath.Join(dir, "sig")
	os.WriteFile(sigFile, ours, 0o644)
	pub := osslgost.Run(t, nil, "x509", "-in", certFile, "-noout", "-pubkey")
	pubFile := filepath.Join(dir, "pub.pem")
	os.WriteFile(pubFile, pub, 0o644)
	out := osslgost.Run(t, nil, "dgst", "-md_gost12_256", "-verify", pubFile, "-signature", sigFile, inFile)
	if !strings.Contains(string(out), "Verified OK") {
		t.Fatalf("openssl: %s", out)
	}
}

// The server takes a JWT in Authorization: Bearer; bad ones get 401 with
// the reason, and nothing of the token in the log.
func TestJWTServer(t *testing.T) {
	in := getInputs(t)
	v := newJWT(t, in.p.Signer.Cert)
	e := newEnv(t, func(c *Config) { c.Auth.JWT = v })
	body, ctype := multipartBody(t, "", file{"doc.sig", in.sig}, file{docName, document})
	tok := mustSign(t, in.p.Signer.Key, claims(time.Now().Add(time.Hour)))
	resp := e.post(t, body, ctype, "X-API-Key", "", "Authorization", "Bearer "+tok)
	if resp.StatusCode != http.StatusOK {
		wantError(t, resp, 200, "")
	}
	resp.Body.Close()
	expired := mustSign(t, in.p.Signer.Key, claims(time.Now().Add(-time.Hour)))
	msg := wantError(t, e.post(t, body, ctype, "X-API-Key", "", "Authorization", "Bearer "+expired), http.StatusUnauthorized, codeUnauthorized)
	if !strings.Contains(msg.Error.Message, "expired") {
		t.Fatal(msg.Error.Message)
	}
	wantError(t, e.post(t, body, ctype, "X-API-Key", "", "Authorization", "Basic dXNlcjpwYXNz"), http.StatusUnauthorized, codeUnauthorized)
	// Both an API key and a token: refused, not one picked.
	wantError(t, e.post(t, body, ctype, "Authorization", "Bearer "+tok), http.StatusUnauthorized, codeUnauthorized)
	logs := e.logs.String()
	if !strings.Contains(logs, `"auth":"jwt"`) {
		t.Fatalf("log: %s", logs)
	}
	_, p, s := split3(tok)
	for _, secret := range []string{p, s, "client-1"} {
		if strings.Contains(logs, secret) {
			t.Fatalf("the log holds %q", secret)
		}
	}
	// A server with JWTs only refuses API keys.
	e2 := newEnv(t, func(c *Config) { c.Auth = &Auth{JWT: v} })
	wantError(t, e2.post(t, body, ctype), http.StatusUnauthorized, codeUnauthorized)
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

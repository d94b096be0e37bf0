// Package esia is an OAuth 2.0 client of ESIA (ЕСИА, the Gosuslugi identity
// provider) for an information system that logs people in with it, as the
// facts of shared/spec/tokend/ANCHORS.md §5 describe it. It implements the
// classic endpoints of §5:
//
//   - the authorisation request to BaseURL+"/aas/oauth2/ac" (a URL the
//     person's browser is sent to) with client_id, client_secret,
//     redirect_uri, scope (space separated), response_type=code, state (a
//     random UUID v4), timestamp and access_type;
//   - the code-for-token exchange, a form POST to BaseURL+"/aas/oauth2/te"
//     with client_id, code, grant_type=authorization_code, a fresh state and
//     timestamp, redirect_uri, scope, token_type=Bearer and a new
//     client_secret;
//   - client_secret = the base64url of a detached CMS SignedData (GOST R
//     34.10-2012, made by package cms with a file key or a token key) over
//     the UTF-8 string scope + timestamp + client_id + state, no separators;
//     timestamp in the layout "2006.01.02 15:04:05 -0700";
//   - validation of the returned access_token and id_token: JWTs signed with
//     alg GOST3410_2012_256, checked with verify/serve's JWTVerifier (the
//     JWT helper of the verification issue) against ESIA's certificate, then
//     the subject OID (urn:esia:sbj_id), client_id and iat.
//
// Choices where §5 leaves room (each is tested in esia_test.go and against the
// stand-in of ../internal/standin):
//
//   - the token request signs a new UUID v4 state (§5: "libraries differ:
//     some reuse the authorization state, some make a new UUID"), and the
//     token response must echo it;
//   - base64url is written without padding (RFC 4648 §5, as fr05t1k/esia
//     does; esia-potato pads, and §5 reports both accepted);
//   - no OpenID Connect nonce: §5 lists none among the parameters, and the
//     state, checked on the redirect and in the token response, binds the
//     flow to the session that started it.
//
// Not implemented: the v2/v3 endpoints of §5 (a raw byte-reversed signature
// instead of CMS, client_certificate_hash, and a signed string that differs
// between the libraries — "unresolved in public sources"), refresh tokens,
// and the REST API calls made with the access token.
//
// Security contract: a token is accepted only when its GOST signature verifies
// with a configured ESIA certificate valid now, its alg is exactly
// GOST3410_2012_256 ("none", RS256 and anything else are refused before any
// key is used), iss is Config.Issuer, aud holds the client id, exp has not
// passed and nbf/iat are not in the future (Config.Leeway of skew), and the
// subject OID is a positive decimal number. The state of a redirect is
// compared in constant time. ESIA's answers are read with a time limit
// (Config.HTTPClient, 30 s by default) and at most MaxResponse bytes. Errors
// are one line; they never contain tokens, codes, client secrets or keys.
package esia

import (
	"bytes"
	"context"
	"crypto"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/verify/serve"
)

// The endpoints and formats of ANCHORS.md §5 ("classic endpoints").
const (
	AuthPath  = "/aas/oauth2/ac"
	TokenPath = "/aas/oauth2/te"
	// TimestampLayout is §5's `yyyy.MM.dd HH:mm:ss ±hhmm` as a Go layout.
	TimestampLayout = "2006.01.02 15:04:05 -0700"
	// SubjectClaim names the person's OID in ESIA's tokens (§5).
	SubjectClaim = "urn:esia:sbj_id"
)

// MaxResponse bounds what is read of an answer of ESIA: a token response
// holds two JWTs and a refresh token, a few kilobytes.
const MaxResponse = 64 << 10

// DefaultTimeout bounds one request to ESIA when Config.HTTPClient is nil.
const DefaultTimeout = 30 * time.Second

// Config describes the information system as registered in ESIA.
type Config struct {
	// ClientID is the system's mnemonic in ESIA.
	ClientID string
	// RedirectURI is where ESIA sends the browser back with the code; it
	// must be registered for the system.
	RedirectURI string
	// Scopes are asked for, e.g. "openid", "fullname"; sent space separated.
	Scopes []string
	// AccessType is "online" (the default when empty) or "offline".
	AccessType string
	// BaseURL is ESIA's address: https://esia-portal1.test.gosuslugi.ru
	// (test stand), https://esia.gosuslugi.ru (production), or a stand-in.
	BaseURL string

	// Signer and Certificate are the system's key and the certificate
	// registered in ESIA (GOST R 34.10-2012): a key file or a token key.
	Signer      crypto.Signer
	Certificate *pki.Certificate
	// Chain are more certificates to embed in client_secret (optional).
	Chain []*pki.Certificate

	// ESIACertificates are ESIA's JWT signing certificates (published on
	// esia.gosuslugi.ru/public/, separate for the test stand and
	// production; §5), GOST R 34.10-2012 256-bit keys.
	ESIACertificates []*pki.Certificate
	// Issuer is the "iss" ESIA writes into its tokens.
	Issuer string
	// Leeway is the clock skew allowed on exp, nbf and iat; zero means
	// serve.DefaultLeeway.
	Leeway time.Duration

	// HTTPClient talks to ESIA; nil means a client with DefaultTimeout.
	// Its redirects are not followed for the token request.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Client talks to one ESIA as one registered system. It is safe for
// concurrent use.
type Client struct {
	cfg      Config
	scope    string
	base     *url.URL
	verifier *serve.JWTVerifier
	http     *http.Client
}

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.ClientID == "":
		return nil, errors.New("esia: the client id (the system's mnemonic) is required")
	case cfg.RedirectURI == "":
		return nil, errors.New("esia: the redirect URI is required")
	case len(cfg.Scopes) == 0:
		return nil, errors.New("esia: at least one scope is required (e.g. openid)")
	case cfg.Signer == nil || cfg.Certificate == nil:
		return nil, errors.New("esia: the system's key and its registered certificate are required")
	case cfg.Issuer == "":
		return nil, errors.New("esia: the issuer of ESIA's tokens is required")
	}
	for _, s := range cfg.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			return nil, fmt.Errorf("esia: scope %q is empty or contains white space", s)
		}
	}
	switch cfg.AccessType {
	case "":
		cfg.AccessType = "online"
	case "online", "offline":
	default:
		return nil, fmt.Errorf("esia: access type %q: want online or offline", cfg.AccessType)
	}
	if _, err := url.Parse(cfg.RedirectURI); err != nil {
		return nil, fmt.Errorf("esia: the redirect URI does not parse: %v", err)
	}
	base, err := url.Parse(strings.TrimSuffix(cfg.BaseURL, "/"))
	if err != nil || base.Host == "" || base.RawQuery != "" || !(base.Scheme == "https" || base.Scheme == "http" && loopback(base.Hostname())) {
		return nil, fmt.Errorf("esia: base URL %q: want https://host (http only on loopback, for a stand-in)", cfg.BaseURL)
	}
	v, err := serve.NewJWTVerifier(serve.JWTConfig{
		Certificates: cfg.ESIACertificates,
		Issuer:       cfg.Issuer,
		Audience:     cfg.ClientID,
		// ESIA's access token may name the client by client_id alone
		// (ANCHORS §5; README "What is not known").
		ClientIDAudience: true,
		Leeway:           cfg.Leeway,
		Now:              cfg.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("esia: ESIA's certificate: %w", err)
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = serve.DefaultLeeway
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	return &Client{cfg: cfg, scope: strings.Join(cfg.Scopes, " "), base: base, verifier: v, http: hc}, nil
}

func loopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

// NewState returns a random UUID v4 (crypto/rand) for AuthURL; keep it in
// the person's session and pass it to Callback.
func NewState() string { return mchd.NewGUID() }

// SecretMessage is the string client_secret signs (§5): scope + timestamp
// + client_id + state, no separators.
func SecretMessage(scope, timestamp, clientID, state string) string {
	return scope + timestamp + clientID + state
}

// Timestamp formats t as §5's timestamp parameter.
func Timestamp(t time.Time) string { return t.Format(TimestampLayout) }

// Scope is the scope parameter: the scopes, space separated.
func (c *Client) Scope() string { return c.scope }

// ClientSecret signs SecretMessage(scope, timestamp, client id, state) with
// the system's key: a detached CMS SignedData, base64url without padding.
func (c *Client) ClientSecret(timestamp, state string) (string, error) {
	msg := SecretMessage(c.scope, timestamp, c.cfg.ClientID, state)
	der, err := cms.Sign(strings.NewReader(msg), cms.SignerConfig{
		Signer:      c.cfg.Signer,
		Certificate: c.cfg.Certificate,
		Chain:       c.cfg.Chain,
		SigningTime: c.cfg.Now(),
	}, cms.SignOptions{Detached: true})
	if err != nil {
		return "", fmt.Errorf("esia: signing client_secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(der), nil
}

// AuthURL returns the URL of the authorisation request for state (a UUID
// from NewState), to which the person's browser is redirected.
func (c *Client) AuthURL(state string) (string, error) {
	if !mchd.ValidGUID(state) {
		return "", errors.New("esia: state must be a UUID (use NewState)")
	}
	ts := Timestamp(c.cfg.Now())
	secret, err := c.ClientSecret(ts, state)
	if err != nil {
		return "", err
	}
	q := url.Values{
		"client_id":     {c.cfg.ClientID},
		"client_secret": {secret},
		"redirect_uri":  {c.cfg.RedirectURI},
		"scope":         {c.scope},
		"response_type": {"code"},
		"state":         {state},
		"timestamp":     {ts},
		"access_type":   {c.cfg.AccessType},
	}
	return c.base.String() + AuthPath + "?" + q.Encode(), nil
}

// Error is an OAuth 2.0 error ESIA answered (RFC 6749 §4.1.2.1 on the
// redirect, §5.2 from the token endpoint): error, error_description, and the
// HTTP status (0 on a redirect).
type Error struct {
	Status      int
	Code        string
	Description string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("esia: ESIA refused")
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	b.WriteString(": ")
	b.WriteString(oneLine(e.Code, 64))
	if e.Description != "" {
		b.WriteString(": ")
		b.WriteString(oneLine(e.Description, 300))
	}
	return b.String()
}

// oneLine keeps a text from the network printable and short.
func oneLine(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return s
}

// Callback reads the query of the request ESIA redirected the browser with
// and returns the code. state is the one kept in the session for AuthURL;
// a different or missing state is refused (CSRF, RFC 6749 §10.12). An error
// ESIA sent back (the person declined, say) is an *Error.
func (c *Client) Callback(q url.Values, state string) (string, error) {
	got := q.Get("state")
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(state)) != 1 {
		return "", errors.New("esia: the redirect's state is not this session's: start the login again")
	}
	if e := q.Get("error"); e != "" {
		return "", &Error{Code: e, Description: q.Get("error_description")}
	}
	code := q.Get("code")
	if code == "" || len(code) > 4096 {
		return "", errors.New("esia: the redirect carries no authorisation code")
	}
	return code, nil
}

// Token is a validated token response.
type Token struct {
	// OID is the person's ESIA object id (urn:esia:sbj_id).
	OID                    string
	AccessToken, IDToken   string
	RefreshToken           string
	ExpiresAt              time.Time
	AccessClaims, IDClaims *serve.Claims
}

// tokenResponse is the JSON of §5 "Tokens".
type tokenResponse struct {
	AccessToken  string          `json:"access_token"`
	IDToken      string          `json:"id_token"`
	RefreshToken string          `json:"refresh_token"`
	State        string          `json:"state"`
	TokenType    string          `json:"token_type"`
	ExpiresIn    json.RawMessage `json:"expires_in"`
}

// Exchange trades the code for tokens at the token endpoint and validates
// them (Validate). The request carries a fresh state and client_secret.
func (c *Client) Exchange(ctx context.Context, code string) (*Token, error) {
	state := NewState()
	ts := Timestamp(c.cfg.Now())
	secret, err := c.ClientSecret(ts, state)
	if err != nil {
		return nil, err
	}
	form := url.Values{
		"client_id":     {c.cfg.ClientID},
		"code":          {code},
		"grant_type":    {"authorization_code"},
		"client_secret": {secret},
		"state":         {state},
		"redirect_uri":  {c.cfg.RedirectURI},
		"scope":         {c.scope},
		"timestamp":     {ts},
		"token_type":    {"Bearer"},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base.String()+TokenPath, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("esia: token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	hc := *c.http
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("esia: token request to %s failed: %w", c.base.Host, cleanURLError(err))
	}
	defer resp.Body.Close()
	body, err := readLimited(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("esia: reading the token response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, ParseError(resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var tr tokenResponse
	if err := decodeJSON(body, &tr); err != nil {
		return nil, fmt.Errorf("esia: the token response is not the expected JSON: %v", err)
	}
	if subtle.ConstantTimeCompare([]byte(tr.State), []byte(state)) != 1 {
		return nil, errors.New("esia: the token response's state is not the request's")
	}
	if !strings.EqualFold(tr.TokenType, "Bearer") {
		return nil, fmt.Errorf("esia: token_type %q: want Bearer", oneLine(tr.TokenType, 32))
	}
	t, err := c.Validate(tr.AccessToken, tr.IDToken)
	if err != nil {
		return nil, err
	}
	t.RefreshToken = tr.RefreshToken
	return t, nil
}

// cleanURLError drops the URL (it may carry query parameters) from a
// transport error.
func cleanURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func readLimited(r io.Reader) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, MaxResponse+1))
	if err != nil {
		return nil, err
	}
	if len(body) > MaxResponse {
		return nil, fmt.Errorf("the answer is longer than %d bytes", MaxResponse)
	}
	return body, nil
}

// ParseError turns an unsuccessful answer of ESIA into an error: an *Error
// when the body is OAuth 2.0 error JSON (RFC 6749 §5.2), else one naming
// only the status.
func ParseError(status int, contentType string, body []byte) error {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if (mt == "application/json" || mt == "") && decodeJSON(body, &e) == nil && e.Error != "" {
		return &Error{Status: status, Code: e.Error, Description: e.Description}
	}
	return fmt.Errorf("esia: ESIA answered HTTP %d %s without an OAuth error", status, http.StatusText(status))
}

func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON object")
	}
	return nil
}

// esiaClaims are the claims ESIA adds to the registered ones.
type esiaClaims struct {
	Subject  json.RawMessage    `json:"urn:esia:sbj_id"`
	Sub      json.RawMessage    `json:"sub"`
	ClientID *string            `json:"client_id"`
	IssuedAt *serve.NumericDate `json:"iat"`
}

// Validate checks the access token and, when not empty, the ID token, and
// returns the person's OID. Both must pass serve.JWTVerifier (alg, GOST
// signature, iss, aud, exp, nbf); then iat must not be in the future, a
// client_id claim must be this system's, and the access token must name the
// subject (urn:esia:sbj_id) that the ID token, if any, names too.
func (c *Client) Validate(accessToken, idToken string) (*Token, error) {
	if accessToken == "" {
		return nil, errors.New("esia: the token response has no access_token")
	}
	ac, ax, err := c.check("access token", accessToken)
	if err != nil {
		return nil, err
	}
	oid, err := subject(ax.Subject)
	if err != nil {
		return nil, fmt.Errorf("esia: access token: %v", err)
	}
	t := &Token{OID: oid, AccessToken: accessToken, AccessClaims: ac, ExpiresAt: ac.ExpiresAt.Time}
	if idToken != "" {
		ic, ix, err := c.check("ID token", idToken)
		if err != nil {
			return nil, err
		}
		for _, raw := range []json.RawMessage{ix.Subject, ix.Sub} {
			if raw == nil {
				continue
			}
			if s, err := subject(raw); err != nil || s != oid {
				return nil, errors.New("esia: the ID token names another person than the access token")
			}
		}
		t.IDToken, t.IDClaims = idToken, ic
	}
	return t, nil
}

func (c *Client) check(what, tok string) (*serve.Claims, *esiaClaims, error) {
	claims, err := c.verifier.Verify(tok)
	if err != nil {
		return nil, nil, fmt.Errorf("esia: %s: %v", what, err)
	}
	// The verifier decoded the payload strictly; decode ESIA's own claims.
	parts := strings.SplitN(tok, ".", 3)
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, nil, fmt.Errorf("esia: %s payload: %v", what, err)
	}
	var x esiaClaims
	if err := decodeJSON(payload, &x); err != nil {
		return nil, nil, fmt.Errorf("esia: %s claims: %v", what, err)
	}
	if x.IssuedAt != nil && x.IssuedAt.After(c.cfg.Now().Add(c.cfg.Leeway)) {
		return nil, nil, fmt.Errorf("esia: %s was issued in the future (iat)", what)
	}
	if x.ClientID != nil && *x.ClientID != c.cfg.ClientID {
		return nil, nil, fmt.Errorf("esia: %s is for another system (client_id)", what)
	}
	return claims, &x, nil
}

// subject reads an OID claim: ESIA writes it as a JSON number; a string of
// digits is accepted too. It must be a positive decimal of at most 19 digits.
func subject(raw json.RawMessage) (string, error) {
	if raw == nil {
		return "", fmt.Errorf("no subject (%s)", SubjectClaim)
	}
	s := string(raw)
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", errors.New("the subject is not a string or number")
		}
	}
	n, err := strconv.ParseUint(s, 10, 63)
	if err != nil || n == 0 || strconv.FormatUint(n, 10) != s {
		return "", errors.New("the subject is not a positive decimal OID")
	}
	return s, nil
}

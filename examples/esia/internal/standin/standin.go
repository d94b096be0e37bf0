// Package standin is a local stand-in for ESIA's classic OAuth 2.0
// endpoints (shared/spec/tokend/ANCHORS.md §5), for examples/esia's tests
// and demo: the real ESIA cannot be reached from here and admits only
// registered systems.
//
// What it checks, as §5 describes ESIA:
//
//   - GET /aas/oauth2/ac: client_id is the registered system and
//     redirect_uri one of its URIs (otherwise a 400 JSON error and no
//     redirect, RFC 6749 §4.1.2.1); response_type=code; every scope allowed;
//     access_type online|offline; state a UUID; timestamp in the layout
//     "2006.01.02 15:04:05 -0700" and within Window of the stand-in's
//     clock; client_secret (base64url, padded or not) a detached CMS
//     SignedData over exactly scope + timestamp + client_id + state, with
//     one signer whose certificate is the registered one, verified by
//     package cms and, for its certification path and revocation, by
//     package verify against Roots and CRLs. Then the person "logs in"
//     (the stand-in has no login page: Config.OID is the person) and the
//     browser is redirected with a single-use code and the state; a failed
//     check redirects with error, error_description and the state.
//   - POST /aas/oauth2/te (a form): the same client_id, client_secret (over
//     the request's own scope, timestamp and state), timestamp and state
//     checks; grant_type=authorization_code, token_type=Bearer; the code
//     known, unused (a code is consumed by its first use by the
//     authenticated client, RFC 6749 §4.1.2; a request that fails client
//     authentication cannot burn it),
//     younger than CodeTTL, and issued for this redirect_uri and scope.
//     The answer is §5's JSON (access_token, id_token, refresh_token, state,
//     token_type, expires_in) with two JWTs signed GOST3410_2012_256 by Key
//     (verify/serve.SignJWT); errors are RFC 6749 §5.2 JSON.
//
// Stand-in choices, not ESIA facts: Window (5 minutes by default), CodeTTL
// (1 minute), TokenTTL (1 hour), the token claims (access: iss, aud and
// client_id = the system, urn:esia:sbj_id as a JSON number, scope, iat, nbf,
// exp, urn:esia:sid; ID: the same subject also as "sub", a string) and the
// error codes (RFC 6749's).
package standin

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/verify"
	"github.com/podpis/podpis/verify/serve"
)

// Paths and the timestamp layout of ANCHORS.md §5.
const (
	AuthPath        = "/aas/oauth2/ac"
	TokenPath       = "/aas/oauth2/te"
	TimestampLayout = "2006.01.02 15:04:05 -0700"
)

// maxSecret bounds a client_secret (a CMS with a certificate chain is a few
// kilobytes); maxForm bounds a token request.
const (
	maxSecret = 32 << 10
	maxForm   = 64 << 10
)

// Config is the registered system and the stand-in's own key.
type Config struct {
	// ClientID, ClientCertificate, RedirectURIs and Scopes are the system's
	// registration: its mnemonic, the certificate whose public part was
	// uploaded, where it may be redirected, and the scopes it may ask for.
	ClientID          string
	ClientCertificate *pki.Certificate
	RedirectURIs      []string
	Scopes            []string
	// Roots and CRLs check client_secret's certification path (package
	// verify); the path must be valid and not revoked.
	Roots *pki.CertPool
	CRLs  []*pki.RevocationList

	// Key signs the tokens (a 256-bit GOST key); Issuer is their "iss".
	Key    *gost3410.PrivateKey
	Issuer string
	// OID is the person who logs in.
	OID uint64

	// Window, CodeTTL and TokenTTL: zero means 5 minutes, 1 minute, 1 hour.
	Window, CodeTTL, TokenTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sign makes a token of kind "access" or "id" from its claims; nil signs
	// them with Key. Tests replace it to forge bad tokens.
	Sign func(kind string, claims map[string]any) (string, error)
}

// Server is the stand-in, an http.Handler.
type Server struct {
	cfg   Config
	mu    sync.Mutex
	codes map[string]grant
}

type grant struct {
	redirect, scope string
	expires         time.Time
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.ClientID == "" || cfg.ClientCertificate == nil || len(cfg.RedirectURIs) == 0 || len(cfg.Scopes) == 0 {
		return nil, errors.New("standin: the system's id, certificate, redirect URIs and scopes are required")
	}
	if cfg.Roots == nil || cfg.Key == nil || cfg.Issuer == "" || cfg.OID == 0 {
		return nil, errors.New("standin: roots, ESIA's key, the issuer and the person's OID are required")
	}
	if cfg.Window == 0 {
		cfg.Window = 5 * time.Minute
	}
	if cfg.CodeTTL == 0 {
		cfg.CodeTTL = time.Minute
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sign == nil {
		key := cfg.Key
		cfg.Sign = func(_ string, claims map[string]any) (string, error) { return serve.SignJWT(key, claims) }
	}
	return &Server{cfg: cfg, codes: map[string]grant{}}, nil
}

// NewESIAKey makes a key for the stand-in's tokens and its certificate,
// issued by ca (the test PKI's CA): what ESIA publishes as its signing
// certificate.
func NewESIAKey(ca devpki.Party, now time.Time) (*gost3410.PrivateKey, *pki.Certificate, error) {
	key, err := gost3410.GenerateKey(gost3410.TC26256A, nil)
	if err != nil {
		return nil, nil, err
	}
	csrDER, err := pki.CreateCertificateRequest(&pki.RequestTemplate{Subject: pki.Name{
		CommonName: "ЕСИА (стенд-заглушка podpis)", Organization: "ЕСИА (стенд-заглушка podpis)", Country: "RU",
	}}, key)
	if err != nil {
		return nil, nil, err
	}
	csr, err := pki.ParseCertificateRequest(csrDER)
	if err != nil {
		return nil, nil, err
	}
	cert, err := devpki.IssueFromRequest(ca, csr, now)
	if err != nil {
		return nil, nil, err
	}
	return key, cert, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	switch r.URL.Path {
	case AuthPath:
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", "GET")
			jsonError(w, http.StatusMethodNotAllowed, "invalid_request", "use GET")
			return
		}
		s.authorize(w, r)
	case TokenPath:
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			jsonError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
			return
		}
		s.token(w, r)
	default:
		http.NotFound(w, r)
	}
}

// oauthError is an error with its RFC 6749 code.
type oauthError struct{ code, desc string }

func (e *oauthError) Error() string { return e.code + ": " + e.desc }

func fail(code, format string, args ...any) *oauthError {
	return &oauthError{code, fmt.Sprintf(format, args...)}
}

func jsonError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != s.cfg.ClientID {
		jsonError(w, http.StatusBadRequest, "invalid_client", "unknown client_id")
		return
	}
	redirect := q.Get("redirect_uri")
	if !slices.Contains(s.cfg.RedirectURIs, redirect) {
		jsonError(w, http.StatusBadRequest, "invalid_request", "redirect_uri is not registered for this system")
		return
	}
	state := q.Get("state")
	code, err := s.checkAuthorize(r.Context(), q, redirect)
	back, _ := url.Parse(redirect)
	v := back.Query()
	if err != nil {
		v.Set("error", err.code)
		v.Set("error_description", err.desc)
	} else {
		v.Set("code", code)
	}
	if state != "" {
		v.Set("state", state)
	}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (s *Server) checkAuthorize(ctx context.Context, q url.Values, redirect string) (string, *oauthError) {
	if q.Get("response_type") != "code" {
		return "", fail("unsupported_response_type", "response_type must be code")
	}
	switch q.Get("access_type") {
	case "online", "offline":
	default:
		return "", fail("invalid_request", "access_type must be online or offline")
	}
	scope := q.Get("scope")
	if err := s.checkScope(scope); err != nil {
		return "", err
	}
	if err := s.checkSecret(ctx, q.Get("client_secret"), scope, q.Get("timestamp"), q.Get("state")); err != nil {
		return "", err
	}
	// The person logs in here (Config.OID) and consents.
	var b [32]byte
	rand.Read(b[:])
	code := base64.RawURLEncoding.EncodeToString(b[:])
	s.mu.Lock()
	s.codes[code] = grant{redirect: redirect, scope: scope, expires: s.cfg.Now().Add(s.cfg.CodeTTL)}
	s.mu.Unlock()
	return code, nil
}

func (s *Server) checkScope(scope string) *oauthError {
	fields := strings.Split(scope, " ")
	for _, f := range fields {
		if !slices.Contains(s.cfg.Scopes, f) {
			return fail("invalid_scope", "scope %q is not approved for this system", f)
		}
	}
	return nil
}

// checkSecret checks client_secret over scope + timestamp + client_id +
// state (ANCHORS.md §5), and the timestamp and state themselves.
func (s *Server) checkSecret(ctx context.Context, secret, scope, timestamp, state string) *oauthError {
	if !mchd.ValidGUID(state) {
		return fail("invalid_request", "state must be a UUID")
	}
	ts, err := time.Parse(TimestampLayout, timestamp)
	if err != nil {
		return fail("invalid_request", "timestamp is not yyyy.MM.dd HH:mm:ss ±hhmm")
	}
	now := s.cfg.Now()
	if d := now.Sub(ts); d > s.cfg.Window || d < -s.cfg.Window {
		return fail("invalid_request", "timestamp is more than %v away from the server's clock", s.cfg.Window)
	}
	if secret == "" || len(secret) > maxSecret {
		return fail("invalid_client", "client_secret is missing or too long")
	}
	der, err := base64.RawURLEncoding.Strict().DecodeString(strings.TrimRight(secret, "="))
	if err != nil {
		return fail("invalid_client", "client_secret is not base64url")
	}
	msg := scope + timestamp + s.cfg.ClientID + state
	certs := []*pki.Certificate{s.cfg.ClientCertificate}
	res, err := cms.Verify(der, cms.VerifyOptions{Content: strings.NewReader(msg), Certificates: certs})
	if err != nil {
		return fail("invalid_client", "client_secret is not a detached CMS SignedData")
	}
	if !res.SignedData.Detached || len(res.Signers) != 1 {
		return fail("invalid_client", "client_secret must be a detached CMS with one signer")
	}
	sr := res.Signers[0]
	if sr.Code != cms.OK || sr.Certificate == nil {
		return fail("invalid_client", "client_secret does not verify over scope+timestamp+client_id+state (%s)", sr.Code)
	}
	if !bytes.Equal(sr.Certificate.Raw, s.cfg.ClientCertificate.Raw) {
		return fail("invalid_client", "client_secret is signed with a certificate not registered for this system")
	}
	rep, err := verify.CMS(ctx, der, strings.NewReader(msg), verify.Options{Roots: s.cfg.Roots, CRLs: s.cfg.CRLs, At: now, Certificates: certs})
	if err != nil {
		return fail("invalid_client", "client_secret: %v", err)
	}
	if !rep.Passed() {
		sig := rep.Signatures[0]
		return fail("invalid_client", "client_secret's certificate is not valid: %s %s", sig.Indication, sig.Code)
	}
	return nil
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		jsonError(w, http.StatusBadRequest, "invalid_request", "the body is not a form of at most 64 KiB")
		return
	}
	body, status, err := s.exchange(r.Context(), r.PostForm)
	if err != nil {
		jsonError(w, status, err.code, err.desc)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func (s *Server) exchange(ctx context.Context, f url.Values) ([]byte, int, *oauthError) {
	if f.Get("client_id") != s.cfg.ClientID {
		return nil, http.StatusUnauthorized, fail("invalid_client", "unknown client_id")
	}
	if f.Get("grant_type") != "authorization_code" {
		return nil, http.StatusBadRequest, fail("unsupported_grant_type", "grant_type must be authorization_code")
	}
	if f.Get("token_type") != "Bearer" {
		return nil, http.StatusBadRequest, fail("invalid_request", "token_type must be Bearer")
	}
	scope, state := f.Get("scope"), f.Get("state")
	if err := s.checkSecret(ctx, f.Get("client_secret"), scope, f.Get("timestamp"), state); err != nil {
		status := http.StatusBadRequest
		if err.code == "invalid_client" {
			status = http.StatusUnauthorized
		}
		return nil, status, err
	}
	code := f.Get("code")
	s.mu.Lock()
	g, ok := s.codes[code]
	delete(s.codes, code) // single use, whatever happens next
	s.mu.Unlock()
	now := s.cfg.Now()
	switch {
	case !ok:
		return nil, http.StatusBadRequest, fail("invalid_grant", "the code is unknown or was already used")
	case !now.Before(g.expires):
		return nil, http.StatusBadRequest, fail("invalid_grant", "the code has expired")
	case f.Get("redirect_uri") != g.redirect:
		return nil, http.StatusBadRequest, fail("invalid_grant", "redirect_uri differs from the authorisation request's")
	case scope != g.scope:
		return nil, http.StatusBadRequest, fail("invalid_scope", "scope differs from the authorisation request's")
	}
	var sid [16]byte
	rand.Read(sid[:])
	exp := now.Add(s.cfg.TokenTTL)
	common := func() map[string]any {
		return map[string]any{
			"iss": s.cfg.Issuer, "aud": s.cfg.ClientID,
			"iat": now.Unix(), "nbf": now.Unix(), "exp": exp.Unix(),
			"urn:esia:sbj_id": s.cfg.OID, "urn:esia:sid": fmt.Sprintf("%x", sid),
		}
	}
	access := common()
	access["client_id"] = s.cfg.ClientID
	access["scope"] = scope
	id := common()
	id["sub"] = strconv.FormatUint(s.cfg.OID, 10)
	at, err := s.cfg.Sign("access", access)
	if err != nil {
		return nil, http.StatusInternalServerError, fail("server_error", "signing the access token failed")
	}
	it, err := s.cfg.Sign("id", id)
	if err != nil {
		return nil, http.StatusInternalServerError, fail("server_error", "signing the ID token failed")
	}
	var refresh [32]byte
	rand.Read(refresh[:])
	body, _ := json.Marshal(map[string]any{
		"access_token": at, "id_token": it, "refresh_token": base64.RawURLEncoding.EncodeToString(refresh[:]),
		"state": state, "token_type": "Bearer", "expires_in": int64(s.cfg.TokenTTL / time.Second),
	})
	return body, http.StatusOK, nil
}

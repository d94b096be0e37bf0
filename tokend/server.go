package tokend

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/podpis/podpis/tokend/authtoken"
	"github.com/podpis/podpis/tokend/pinentry"
)

// Protocol is the version of the JSON API: the path prefix is /v<Protocol>/
// and pages send it in the ProtocolHeader of every request.
const Protocol = "1"

// ProtocolHeader is the custom request header every API call carries. A
// header that is not CORS-safelisted forces browsers to send a preflight
// (Fetch Standard, "CORS-unsafe request-header names"), so a page cannot
// reach an operation with a "simple" request (a form post, a text/plain
// fetch) that skips the CORS check (ANCHORS §3.5, §6 item 2).
const ProtocolHeader = "Tokend-Protocol"

// DefaultPort is the port cmd/tokend listens on unless configured
// otherwise. It is fixed so that pages know where to look (ANCHORS §6 item 1).
const DefaultPort = 24712

// DefaultTimeout bounds an operation that waits for the person: Web eID's
// userInteractionTimeout default of 2 minutes (ANCHORS §1.2; issue 9).
const DefaultTimeout = 2 * time.Minute

// maxBody bounds a request body. Requests carry a nonce, a certificate id
// and filters; 64 KiB is far more than any of them needs.
const maxBody = 64 << 10

// Config configures a Server.
type Config struct {
	// Port is the TCP port on 127.0.0.1 and [::1]. Zero picks a free port
	// on 127.0.0.1 and uses the same number on [::1] (for tests; the
	// daemon uses a fixed port, DefaultPort by default).
	Port int
	// Origins is the exact allowlist of page origins, each in the form
	// browsers send (authtoken.CheckOrigin): "https://portal.example" or
	// "https://portal.example:8443".
	Origins []string
	// AllowHTTPLocalhost allows "http://localhost[:port]" (and
	// http://127.0.0.1, http://[::1]) entries in Origins, for developing a
	// site on one's own machine. Other http origins are refused always.
	AllowHTTPLocalhost bool
	// Modules are the PKCS#11 modules whose tokens are offered (paths).
	// Empty: no tokens.
	Modules []string
	// Policy decides origins that are not in Origins (the admin policy
	// file and the person's first-use consent, package tokend/policy);
	// nil: only Origins are allowed.
	Policy OriginPolicy
	// Pinentry asks the person for consent and the PIN.
	Pinentry *pinentry.Program
	// Timeout bounds an operation that waits for the person;
	// DefaultTimeout when zero.
	Timeout time.Duration
	// Lang is the language of the dialogs: "ru" (default) or "en".
	Lang string
	// Logger receives one record per request (no PINs, no nonces, no
	// document content); slog.Default() when nil.
	Logger *slog.Logger
	// Audit receives one record per authenticate, sign and cancel (audit.go:
	// time, origin, certificate, digest, result; never PINs, nonces or
	// document content); nil keeps no audit log.
	Audit *slog.Logger
	// AppVersion is reported in status and in login tokens.
	AppVersion string
	// Now is the clock for certificate validity; time.Now when nil.
	Now func() time.Time
	// EventInterval is how often slots are polled while a page listens
	// to the events WebSocket; DefaultEventInterval when zero.
	EventInterval time.Duration
}

// Server is the daemon's HTTP server. Create it with New, then Start.
type Server struct {
	cfg     Config
	origins map[string]bool
	log     *slog.Logger

	mu    sync.Mutex
	lns   []net.Listener
	port  int
	hosts map[string]bool
	srv   *http.Server

	ops     *operations
	events  *watcher
	consent *consentGate
	// base ends when the server shuts down: it ends the events
	// connections and the consent dialogs.
	base context.Context
	stop context.CancelFunc
}

// New checks cfg and returns a Server that is not listening yet.
func New(cfg Config) (*Server, error) {
	if cfg.Port < 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("tokend: port %d is out of range 1–65535", cfg.Port)
	}
	s := &Server{cfg: cfg, origins: make(map[string]bool), log: cfg.Logger}
	for _, o := range cfg.Origins {
		allowHTTP := cfg.AllowHTTPLocalhost && authtoken.IsLocalhost(o)
		if err := authtoken.CheckOrigin(o, allowHTTP); err != nil {
			if strings.HasPrefix(o, "http://") && authtoken.IsLocalhost(o) {
				return nil, fmt.Errorf("tokend: allowed origin %q: http is allowed only for development, with AllowHTTPLocalhost (--dev-localhost)", o)
			}
			return nil, fmt.Errorf("tokend: allowed origin: %w", err)
		}
		s.origins[o] = true
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.cfg.Timeout <= 0 {
		s.cfg.Timeout = DefaultTimeout
	}
	if s.cfg.Now == nil {
		s.cfg.Now = time.Now
	}
	if s.cfg.Lang == "" {
		s.cfg.Lang = "ru"
	}
	if s.cfg.Lang != "ru" && s.cfg.Lang != "en" {
		return nil, fmt.Errorf("tokend: language %q: want ru or en", s.cfg.Lang)
	}
	if s.cfg.AppVersion == "" {
		s.cfg.AppVersion = "https://github.com/podpis/podpis/tokend/" + Protocol
	}
	s.ops = newOperations(s)
	s.base, s.stop = context.WithCancel(context.Background())
	s.events = newWatcher(s)
	s.consent = newConsentGate()
	return s, nil
}

// Start listens on 127.0.0.1:Port and [::1]:Port and serves in the
// background. Loopback only: never a wildcard address (ANCHORS §6 item 1).
// A host without IPv6 is served on 127.0.0.1 alone (logged).
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return errors.New("tokend: server already started")
	}
	ln4, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.cfg.Port)))
	if err != nil {
		return fmt.Errorf("tokend: listen on 127.0.0.1:%d: %w (is another tokend running? see `tokend doctor`)", s.cfg.Port, err)
	}
	port := ln4.Addr().(*net.TCPAddr).Port
	lns := []net.Listener{ln4}
	ln6, err := net.Listen("tcp6", net.JoinHostPort("::1", strconv.Itoa(port)))
	if err != nil {
		s.log.Warn("not listening on [::1]", "port", port, "err", err)
	} else {
		lns = append(lns, ln6)
	}
	s.lns, s.port = lns, port
	p := strconv.Itoa(port)
	s.hosts = map[string]bool{"127.0.0.1:" + p: true, "[::1]:" + p: true, "localhost:" + p: true}
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	for _, ln := range lns {
		go s.srv.Serve(ln)
	}
	s.log.Info("tokend listening", "port", port, "addresses", len(lns), "origins", len(s.origins))
	return nil
}

// Port returns the port listened on (after Start).
func (s *Server) Port() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.port
}

// Shutdown stops listening and waits for requests in progress (an
// operation waiting for the person is cancelled when ctx ends).
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	s.ops.cancelAll()
	s.stop()
	return srv.Shutdown(ctx)
}

// securityHeaders are set on every response, errors included: nothing the
// daemon answers may be rendered, framed, sniffed, cached or referred
// (ANCHORS §6 item 2: deny-all CSP, nosniff, no cookies).
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Add("Vary", "Origin")
}

// ServeHTTP gates every request before routing (ANCHORS §6 item 2), in
// this order:
//
//  1. Host is exactly 127.0.0.1:port, [::1]:port or localhost:port: a page
//     that reached us through a name of its own resolving to loopback (DNS
//     rebinding, ANCHORS §3.2) is refused.
//  2. Exactly one Origin header, naming an origin that is allowed:
//     on Config.Origins (compared as a whole string: scheme, host and
//     port), or allowed by Config.Policy (consent.go states the rules).
//     Only POST /v1/status (and its preflight) answers an origin that is
//     not allowed, and only with ORIGIN_NOT_ALLOWED and the protocol
//     version, so that a page can tell "not allowed" from "not running"
//     (issue 9, tokend/js) while learning nothing about the person's
//     tokens. An origin the policy says to ask about reaches the
//     operations that use the token, which first ask the person (after
//     steps 3 and 4, just before routing). The WebSocket upgrade passes
//     the same gate (CSWSH) and is then served by serveEvents (events.go).
//  3. A preflight (OPTIONS) is answered for POST with the two allowed
//     headers; CORS headers echo the allowed origin, never "*", and never
//     allow credentials.
//  4. Everything else is POST (nothing changes state on GET), with
//     Content-Type application/json and ProtocolHeader equal to Protocol.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	securityHeaders(w.Header())
	rec := &record{start: start, path: r.URL.Path, method: r.Method}
	defer s.logRequest(rec)

	if !s.hosts[strings.ToLower(r.Host)] {
		rec.origin = "-"
		s.fail(w, rec, apiErr(CodeHostNotAllowed, "the Host header must name the loopback address and port (127.0.0.1, [::1] or localhost)", fmt.Errorf("host %q", r.Host)), "")
		return
	}
	origins := r.Header.Values("Origin")
	if len(origins) != 1 || origins[0] == "" {
		rec.origin = "-"
		s.fail(w, rec, apiErr(CodeOriginNotAllowed, "an Origin header is required", fmt.Errorf("%d Origin headers", len(origins))), "")
		return
	}
	origin := origins[0]
	rec.origin = origin
	consent := s.consentFor(origin)
	allowed, ask := consent == ConsentAllowed, consent == ConsentAsk
	statusOnly := !allowed && r.URL.Path == "/v1/status" && authtoken.CheckOrigin(origin, false) == nil
	ask = ask && consentPaths[r.URL.Path] && !isUpgrade(r)
	if !allowed && !statusOnly && !ask {
		s.fail(w, rec, apiErr(CodeOriginNotAllowed, "this site is not allowed to use tokend", fmt.Errorf("origin %q not allowed (policy: %s)", origin, consent)), "")
		return
	}
	// From here on the origin may read our answers.
	w.Header().Set("Access-Control-Allow-Origin", origin)

	if r.Method == http.MethodOptions {
		s.preflight(w, r, rec)
		return
	}
	if isUpgrade(r) {
		if r.URL.Path != "/v1/events" {
			s.fail(w, rec, apiErr(CodeNotFound, "no such endpoint", nil), origin)
			return
		}
		s.serveEvents(w, r, rec, origin)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST, OPTIONS")
		s.fail(w, rec, apiErr(CodeMethodNotAllowed, "the API takes POST only", fmt.Errorf("method %s", r.Method)), origin)
		return
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) || len(params) > 1 || len(params) == 1 && params["charset"] == "" {
		s.fail(w, rec, apiErr(CodeUnsupportedMedia, "Content-Type must be application/json", fmt.Errorf("content-type %q", r.Header.Get("Content-Type"))), origin)
		return
	}
	switch v := r.Header.Values(ProtocolHeader); {
	case len(v) == 0:
		s.fail(w, rec, apiErr(CodeBadRequest, "the "+ProtocolHeader+" header is required", nil), origin)
		return
	case len(v) > 1 || v[0] != Protocol:
		s.fail(w, rec, apiErr(CodeVersionMismatch, "this tokend speaks protocol "+Protocol, fmt.Errorf("%s %q", ProtocolHeader, v)), origin)
		return
	}
	if statusOnly {
		s.fail(w, rec, apiErr(CodeOriginNotAllowed, "this site is not allowed to use tokend", fmt.Errorf("origin %q not on the allowlist (status)", origin)), origin)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		s.fail(w, rec, apiErr(CodeBadRequest, "request body too large or unreadable", err), origin)
		return
	}
	if ask {
		if e := s.askConsent(r, rec, origin); e != nil {
			s.fail(w, rec, e, origin)
			return
		}
	}
	s.route(w, r, rec, origin, body)
}

func isUpgrade(r *http.Request) bool {
	for _, v := range r.Header.Values("Connection") {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), "upgrade") {
				return true
			}
		}
	}
	return r.Header.Get("Upgrade") != ""
}

// preflight answers a CORS preflight from an origin that passed the gate.
func (s *Server) preflight(w http.ResponseWriter, r *http.Request, rec *record) {
	if m := r.Header.Get("Access-Control-Request-Method"); m != http.MethodPost {
		s.fail(w, rec, apiErr(CodeMethodNotAllowed, "the API takes POST only", fmt.Errorf("preflight for %q", m)), "")
		w.Header().Del("Access-Control-Allow-Origin")
		return
	}
	for _, h := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		h = strings.ToLower(strings.TrimSpace(h))
		if h != "" && h != "content-type" && h != strings.ToLower(ProtocolHeader) {
			w.Header().Del("Access-Control-Allow-Origin")
			s.fail(w, rec, apiErr(CodeBadRequest, "header "+h+" is not allowed", nil), "")
			return
		}
	}
	hd := w.Header()
	hd.Set("Access-Control-Allow-Methods", "POST")
	hd.Set("Access-Control-Allow-Headers", "Content-Type, "+ProtocolHeader)
	hd.Set("Access-Control-Max-Age", "600")
	if r.Header.Get("Access-Control-Request-Private-Network") == "true" {
		// The retired Private Network Access preflight; answering it is
		// harmless (ANCHORS §3.1).
		hd.Set("Access-Control-Allow-Private-Network", "true")
	}
	rec.code = "preflight"
	w.WriteHeader(http.StatusNoContent)
}

// record is what the request log says about one request.
type record struct {
	start        time.Time
	method, path string
	origin       string
	requestID    string
	code         Code
	status       int
	extra        []any
}

func (s *Server) logRequest(rec *record) {
	args := []any{"method", rec.method, "path", rec.path, "origin", rec.origin, "status", rec.status,
		"result", string(rec.code), "ms", time.Since(rec.start).Milliseconds()}
	if rec.requestID != "" {
		args = append(args, "request", rec.requestID)
	}
	args = append(args, rec.extra...)
	s.log.Info("request", args...)
}

// fail answers err. When origin is "" the answer carries no CORS header.
func (s *Server) fail(w http.ResponseWriter, rec *record, e *Error, origin string) {
	if origin == "" {
		w.Header().Del("Access-Control-Allow-Origin")
	}
	rec.code = e.Code
	if e.Cause != nil {
		rec.extra = append(rec.extra, "cause", e.Cause.Error())
	}
	body := map[string]any{"code": e.Code, "message": e.Message}
	if e.RetriesLeft != nil {
		body["retriesLeft"] = *e.RetriesLeft
	}
	out := map[string]any{"error": body, "protocol": Protocol}
	if rec.requestID != "" {
		out["requestId"] = rec.requestID
	}
	st := status[e.Code]
	if st == 0 {
		st = http.StatusInternalServerError
	}
	s.writeJSON(w, rec, st, out)
}

func (s *Server) writeJSON(w http.ResponseWriter, rec *record, st int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		st, data = http.StatusInternalServerError, []byte(`{"error":{"code":"INTERNAL_ERROR"}}`)
	}
	rec.status = st
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)+1))
	w.WriteHeader(st)
	w.Write(append(data, '\n'))
}

// decode parses a request body into dst: a JSON object, no unknown fields,
// no trailing data. Any member whose name contains "pin" is refused with
// PIN_NOT_ACCEPTED before anything else: the API never takes a PIN
// (ANCHORS §6 item 5).
func decode(body []byte, dst any) *Error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return apiErr(CodeBadRequest, "the body must be a JSON object", err)
	}
	for k := range top {
		if strings.Contains(strings.ToLower(k), "pin") {
			return apiErr(CodePINNotAccepted, "tokend never takes a PIN from a page: the person types it in tokend's own dialog", fmt.Errorf("request member %q", k))
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return apiErr(CodeBadRequest, "bad request: "+err.Error(), err)
	}
	if dec.More() {
		return apiErr(CodeBadRequest, "bad request: data after the JSON object", nil)
	}
	return nil
}

// requestID checks a page's request id (1–64 characters of [A-Za-z0-9_-])
// or makes one.
func requestID(given string) (string, *Error) {
	if given == "" {
		var b [8]byte
		rand.Read(b[:])
		return hex.EncodeToString(b[:]), nil
	}
	if len(given) > 64 {
		return "", apiErr(CodeBadRequest, "requestId is longer than 64 characters", nil)
	}
	for _, c := range given {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return "", apiErr(CodeBadRequest, "requestId may hold only letters, digits, - and _", nil)
		}
	}
	return given, nil
}

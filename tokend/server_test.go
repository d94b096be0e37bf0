package tokend

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// logBuffer collects the daemon's log for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.buf.String() }

// startServer starts a Server on a free loopback port with cfg (Port
// forced to 0) and stops it when the test ends.
func startServer(t testing.TB, cfg Config) (*Server, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	cfg.Port = 0
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return s, logs
}

var gateOrigins = []string{"https://portal.example", "https://portal.example:8443", "http://localhost:3000"}

type gateCase struct {
	name    string
	method  string // POST when ""
	path    string // /v1/status when ""
	addr    string // 127.0.0.1 when ""
	host    string // the Host header; 127.0.0.1:port when ""; "-" for the dialled address with another port
	origins []string
	ctype   string // application/json when ""; "-" for none
	proto   []string
	body    string
	header  map[string]string
	status  int
	code    Code
	acao    bool // Access-Control-Allow-Origin echoes the origin
}

func TestGate(t *testing.T) {
	s, logs := startServer(t, Config{Origins: gateOrigins, AllowHTTPLocalhost: true})
	port := strconv.Itoa(s.Port())
	good := []string{"https://portal.example"}
	cases := []gateCase{
		{name: "allowed", origins: good, status: 200, acao: true},
		{name: "allowed with port", origins: []string{"https://portal.example:8443"}, status: 200, acao: true},
		{name: "dev localhost", origins: []string{"http://localhost:3000"}, status: 200, acao: true},
		{name: "Host localhost", host: "localhost:" + port, origins: good, status: 200, acao: true},
		{name: "Host LOCALHOST", host: "LOCALHOST:" + port, origins: good, status: 200, acao: true},
		{name: "Host [::1]", host: "[::1]:" + port, origins: good, status: 200, acao: true},
		{name: "rebinding Host", host: "portal.example:" + port, origins: good, status: 403, code: CodeHostNotAllowed},
		{name: "rebinding Host evil", host: "evil.example:" + port, origins: good, status: 403, code: CodeHostNotAllowed},
		{name: "Host other port", host: "127.0.0.1:1", origins: good, status: 403, code: CodeHostNotAllowed},
		{name: "Host without port", host: "127.0.0.1", origins: good, status: 403, code: CodeHostNotAllowed},
		{name: "Host 127.0.0.2", host: "127.0.0.2:" + port, origins: good, status: 403, code: CodeHostNotAllowed},
		{name: "no Origin", status: 403, code: CodeOriginNotAllowed},
		{name: "empty Origin", origins: []string{""}, status: 403, code: CodeOriginNotAllowed},
		{name: "Origin null", origins: []string{"null"}, status: 403, code: CodeOriginNotAllowed},
		{name: "two Origins", origins: []string{"https://portal.example", "https://portal.example"}, status: 403, code: CodeOriginNotAllowed},
		{name: "foreign origin status", origins: []string{"https://evil.example"}, status: 403, code: CodeOriginNotAllowed, acao: true},
		{name: "foreign origin certificates", path: "/v1/certificates", origins: []string{"https://evil.example"}, status: 403, code: CodeOriginNotAllowed},
		{name: "foreign origin authenticate", path: "/v1/authenticate", origins: []string{"https://evil.example"}, status: 403, code: CodeOriginNotAllowed},
		{name: "insecure foreign status", origins: []string{"http://evil.example"}, status: 403, code: CodeOriginNotAllowed},
		{name: "http of an allowed host", path: "/v1/certificates", origins: []string{"http://portal.example"}, status: 403, code: CodeOriginNotAllowed},
		{name: "default port written", path: "/v1/certificates", origins: []string{"https://portal.example:443"}, status: 403, code: CodeOriginNotAllowed},
		{name: "upper case", path: "/v1/certificates", origins: []string{"https://PORTAL.example"}, status: 403, code: CodeOriginNotAllowed},
		{name: "trailing slash", path: "/v1/certificates", origins: []string{"https://portal.example/"}, status: 403, code: CodeOriginNotAllowed},
		{name: "suffix", path: "/v1/certificates", origins: []string{"https://portal.example.evil.example"}, status: 403, code: CodeOriginNotAllowed},
		{name: "other dev port", path: "/v1/certificates", origins: []string{"http://localhost:3001"}, status: 403, code: CodeOriginNotAllowed},
		{name: "GET", method: "GET", origins: good, status: 405, code: CodeMethodNotAllowed, acao: true},
		{name: "PUT", method: "PUT", origins: good, status: 405, code: CodeMethodNotAllowed, acao: true},
		{name: "text/plain", origins: good, ctype: "text/plain", status: 415, code: CodeUnsupportedMedia, acao: true},
		{name: "form", origins: good, ctype: "application/x-www-form-urlencoded", status: 415, code: CodeUnsupportedMedia, acao: true},
		{name: "multipart", origins: good, ctype: "multipart/form-data; boundary=x", status: 415, code: CodeUnsupportedMedia, acao: true},
		{name: "no content type", origins: good, ctype: "-", status: 415, code: CodeUnsupportedMedia, acao: true},
		{name: "json utf-8", origins: good, ctype: "application/json; charset=utf-8", status: 200, acao: true},
		{name: "json latin1", origins: good, ctype: "application/json; charset=latin1", status: 415, code: CodeUnsupportedMedia, acao: true},
		{name: "no protocol header", origins: good, proto: []string{}, status: 400, code: CodeBadRequest, acao: true},
		{name: "protocol 2", origins: good, proto: []string{"2"}, status: 400, code: CodeVersionMismatch, acao: true},
		{name: "protocol twice", origins: good, proto: []string{"1", "1"}, status: 400, code: CodeVersionMismatch, acao: true},
		{name: "path v2", path: "/v2/status", origins: good, status: 400, code: CodeVersionMismatch, acao: true},
		{name: "unknown path", path: "/v1/nope", origins: good, status: 404, code: CodeNotFound, acao: true},
		{name: "root", path: "/", origins: good, status: 404, code: CodeNotFound, acao: true},
		{name: "pin member", origins: good, body: `{"pin":"` + pagePIN + `"}`, status: 400, code: CodePINNotAccepted, acao: true},
		{name: "userPin member", path: "/v1/authenticate", origins: good, body: `{"nonce":"x","userPIN":"` + pagePIN + `"}`, status: 400, code: CodePINNotAccepted, acao: true},
		{name: "unknown member", origins: good, body: `{"foo":1}`, status: 400, code: CodeBadRequest, acao: true},
		{name: "not an object", origins: good, body: `[1]`, status: 400, code: CodeBadRequest, acao: true},
		{name: "trailing data", origins: good, body: `{} {}`, status: 400, code: CodeBadRequest, acao: true},
		{name: "too large", origins: good, body: `{"requestId":"` + strings.Repeat("a", maxBody) + `"}`, status: 400, code: CodeBadRequest, acao: true},
		{name: "bad requestId", origins: good, body: `{"requestId":"a b"}`, status: 400, code: CodeBadRequest, acao: true},
		{name: "preflight", method: "OPTIONS", origins: good, ctype: "-", proto: []string{},
			header: map[string]string{"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,tokend-protocol"}, status: 204, acao: true},
		{name: "preflight foreign", method: "OPTIONS", path: "/v1/certificates", origins: []string{"https://evil.example"}, ctype: "-", proto: []string{},
			header: map[string]string{"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,tokend-protocol"}, status: 403, code: CodeOriginNotAllowed},
		{name: "preflight extra header", method: "OPTIONS", origins: good, ctype: "-", proto: []string{},
			header: map[string]string{"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-other"}, status: 400, code: CodeBadRequest},
		{name: "preflight PUT", method: "OPTIONS", origins: good, ctype: "-", proto: []string{},
			header: map[string]string{"Access-Control-Request-Method": "PUT"}, status: 405, code: CodeMethodNotAllowed},
		{name: "websocket foreign", method: "GET", path: "/v1/events", origins: []string{"https://evil.example"}, ctype: "-", proto: []string{},
			header: wsHeaders, status: 403, code: CodeOriginNotAllowed},
		{name: "websocket no origin", method: "GET", path: "/v1/events", ctype: "-", proto: []string{},
			header: wsHeaders, status: 403, code: CodeOriginNotAllowed},
		{name: "websocket rebinding", method: "GET", path: "/v1/events", host: "evil.example:" + port, origins: good, ctype: "-", proto: []string{},
			header: wsHeaders, status: 403, code: CodeHostNotAllowed},
		{name: "websocket without subprotocol", method: "GET", path: "/v1/events", origins: good, ctype: "-", proto: []string{},
			header: wsHeaders, status: 400, code: CodeBadRequest, acao: true},
		{name: "websocket other version", method: "GET", path: "/v1/events", origins: good, ctype: "-", proto: []string{},
			header: withHeader(wsHeaders, "Sec-WebSocket-Protocol", "tokend.v2, chat"), status: 400, code: CodeVersionMismatch, acao: true},
		{name: "websocket POST", method: "POST", path: "/v1/events", origins: good, ctype: "-", proto: []string{},
			header: wsHeadersProto, status: 405, code: CodeMethodNotAllowed, acao: true},
		{name: "websocket other path", method: "GET", path: "/v1/status", origins: good, ctype: "-", proto: []string{},
			header: wsHeadersProto, status: 404, code: CodeNotFound, acao: true},
		{name: "websocket foreign with subprotocol", method: "GET", path: "/v1/events", origins: []string{"https://evil.example"}, ctype: "-", proto: []string{},
			header: wsHeadersProto, status: 403, code: CodeOriginNotAllowed},
		{name: "websocket rebinding with subprotocol", method: "GET", path: "/v1/events", host: "evil.example:" + port, origins: good, ctype: "-", proto: []string{},
			header: wsHeadersProto, status: 403, code: CodeHostNotAllowed},
	}
	if ln6, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		ln6.Close()
		cases = append(cases, gateCase{name: "dialled on [::1]", addr: "[::1]", host: "[::1]:" + port, origins: good, status: 200, acao: true})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := doGate(t, s.Port(), tc)
			checkSecurityHeaders(t, resp)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d; body %s", resp.StatusCode, tc.status, body)
			}
			acao := resp.Header.Get("Access-Control-Allow-Origin")
			switch {
			case tc.acao && (len(tc.origins) != 1 || acao != tc.origins[0]):
				t.Errorf("Access-Control-Allow-Origin %q, want the origin", acao)
			case !tc.acao && acao != "":
				t.Errorf("Access-Control-Allow-Origin %q on a refused request", acao)
			}
			if resp.Header.Get("Access-Control-Allow-Credentials") != "" {
				t.Error("Access-Control-Allow-Credentials set")
			}
			if tc.code != "" {
				var e struct {
					Error struct {
						Code Code `json:"code"`
					} `json:"error"`
				}
				if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != tc.code {
					t.Errorf("code %q (%v), want %s; body %s", e.Error.Code, err, tc.code, body)
				}
			}
			if tc.method == "OPTIONS" && tc.status == 204 {
				if got := resp.Header.Get("Access-Control-Allow-Methods"); got != "POST" {
					t.Errorf("Allow-Methods %q", got)
				}
				if got := resp.Header.Get("Access-Control-Allow-Headers"); !strings.Contains(got, ProtocolHeader) {
					t.Errorf("Allow-Headers %q", got)
				}
			}
		})
	}
	if strings.Contains(logs.String(), pagePIN) {
		t.Error("a PIN sent by a page reached the log")
	}
}

// pagePIN is the PIN the gate cases send; long and odd enough that no port,
// time or request id in the log contains it by chance ("1234" once did).
const pagePIN = "5719-pin-from-page-3826"

var wsHeaders = map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}

func withHeader(h map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for hk, hv := range h {
		if hk != k {
			out[hk] = hv
		}
	}
	return out
}

func doGate(t *testing.T, port int, tc gateCase) (*http.Response, []byte) {
	t.Helper()
	method, path, addr := tc.method, tc.path, tc.addr
	if method == "" {
		method = "POST"
	}
	if path == "" {
		path = "/v1/status"
	}
	if addr == "" {
		addr = "127.0.0.1"
	}
	var body io.Reader
	if method == "POST" || tc.body != "" {
		body = strings.NewReader(tc.body)
	}
	req, err := http.NewRequest(method, "http://"+net.JoinHostPort(strings.Trim(addr, "[]"), strconv.Itoa(port))+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if tc.host != "" {
		req.Host = tc.host
	}
	for _, o := range tc.origins {
		req.Header.Add("Origin", o)
	}
	switch tc.ctype {
	case "":
		req.Header.Set("Content-Type", "application/json")
	case "-":
	default:
		req.Header.Set("Content-Type", tc.ctype)
	}
	if tc.proto == nil {
		req.Header.Set(ProtocolHeader, Protocol)
	}
	for _, p := range tc.proto {
		req.Header.Add(ProtocolHeader, p)
	}
	for k, v := range tc.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

func checkSecurityHeaders(t *testing.T, resp *http.Response) {
	t.Helper()
	h := resp.Header
	if csp := h.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no nosniff")
	}
	if h.Get("Cache-Control") != "no-store" {
		t.Error("cacheable")
	}
	if len(h.Values("Set-Cookie")) != 0 {
		t.Error("a cookie was set")
	}
	if resp.StatusCode != 204 && !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Errorf("Content-Type %q", h.Get("Content-Type"))
	}
}

func TestStatusAnswers(t *testing.T) {
	s, _ := startServer(t, Config{Origins: gateOrigins, AllowHTTPLocalhost: true, AppVersion: "test/1"})
	resp, body := doGate(t, s.Port(), gateCase{origins: []string{"https://portal.example"}, body: `{"requestId":"r-1"}`})
	var st StatusResult
	if err := json.Unmarshal(body, &st); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v %s", resp.StatusCode, err, body)
	}
	if st.Protocol != "1" || st.AppVersion != "test/1" || st.RequestID != "r-1" || st.Tokens == nil {
		t.Errorf("status %+v: %s", st, body)
	}
	// An origin not allowed learns the protocol version and nothing else.
	_, body = doGate(t, s.Port(), gateCase{origins: []string{"https://evil.example"}})
	var m map[string]any
	json.Unmarshal(body, &m)
	if len(m) != 2 || m["protocol"] != "1" || m["error"] == nil {
		t.Errorf("answer to a foreign origin: %s", body)
	}
}

func TestConfigRefusesBadOrigins(t *testing.T) {
	for _, tc := range []struct {
		o   string
		dev bool
	}{
		{"http://portal.example", false},
		{"http://portal.example", true},
		{"http://localhost:3000", false},
		{"https://portal.example/", false},
		{"https://portal.example/login", false},
		{"https://portal.example:443", false},
		{"https://Portal.example", false},
		{"https://user@portal.example", false},
		{"https://portal.example?x", false},
		{"https://портал.рф", false},
		{"https://portal.example:0", false},
		{"https://portal.example:99999", false},
		{"https://portal.example:08443", false},
		{"portal.example", false},
		{"*", false},
		{"null", false},
	} {
		if _, err := New(Config{Origins: []string{tc.o}, AllowHTTPLocalhost: tc.dev}); err == nil {
			t.Errorf("origin %q (dev %v) accepted", tc.o, tc.dev)
		}
	}
	for _, o := range []string{"https://portal.example", "https://xn--80aa0afbl.xn--p1ai:8443", "https://[::1]:8443", "https://10.0.0.1"} {
		if _, err := New(Config{Origins: []string{o}}); err != nil {
			t.Errorf("origin %q refused: %v", o, err)
		}
	}
	if _, err := New(Config{Origins: []string{"http://localhost:3000", "http://127.0.0.1:8080"}, AllowHTTPLocalhost: true}); err != nil {
		t.Errorf("dev origins refused: %v", err)
	}
}

// TestLoopbackOnly checks that the daemon cannot be reached on the
// machine's other addresses.
func TestLoopbackOnly(t *testing.T) {
	s, _ := startServer(t, Config{Origins: gateOrigins, AllowHTTPLocalhost: true})
	for _, ln := range s.lns {
		ip := ln.Addr().(*net.TCPAddr).IP
		if !ip.IsLoopback() {
			t.Errorf("listening on %v", ln.Addr())
		}
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	tried := 0
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() {
			continue
		}
		tried++
		c, err := net.DialTimeout("tcp", net.JoinHostPort(ipn.IP.String(), strconv.Itoa(s.Port())), time.Second)
		if err == nil {
			c.Close()
			t.Errorf("reachable on %v", ipn.IP)
		}
	}
	t.Logf("checked %d non-loopback addresses", tried)
}

func TestPortInUse(t *testing.T) {
	s, _ := startServer(t, Config{Origins: gateOrigins, AllowHTTPLocalhost: true})
	s2, err := New(Config{Port: s.Port(), Origins: gateOrigins, AllowHTTPLocalhost: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Start(); err == nil || !strings.Contains(err.Error(), "tokend doctor") {
		t.Errorf("second daemon on the same port: %v", err)
	}
}

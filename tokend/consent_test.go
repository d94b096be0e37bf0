package tokend

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// mapPolicy is an OriginPolicy over a map: what tokend/policy does over
// its files, kept in memory.
type mapPolicy struct {
	mu         sync.Mutex
	m          map[string]Consent
	remembered []string
	failStore  bool
}

func (p *mapPolicy) Consent(origin string) Consent {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.m[origin]
	if !ok {
		return ConsentDenied
	}
	return c
}

func (p *mapPolicy) Remember(origin string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.remembered = append(p.remembered, origin)
	if p.failStore {
		return errors.New("disk full")
	}
	p.m[origin] = ConsentAllowed
	return nil
}

func (p *mapPolicy) asked() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.remembered)
}

const (
	askSite     = "https://new.example"
	deniedSite  = "https://denied.example"
	allowedSite = "https://allowed.example"
)

func consentServer(t *testing.T, cfg Config) (*Server, *mapPolicy, *scriptedPinentry, *logBuffer) {
	t.Helper()
	pol := &mapPolicy{m: map[string]Consent{
		askSite: ConsentAsk, deniedSite: ConsentDenied, allowedSite: ConsentAllowed,
		portal:                    ConsentDenied, // on Config.Origins: that list wins
		"http://insecure.example": ConsentAsk,    // never asked about: not https
		"https://x.example:443":   ConsentAsk,    // not the browser's form
	}}
	pe := newPinentry(t)
	pe.set("", "", "")
	cfg.Origins = append(cfg.Origins, portal)
	cfg.Policy = pol
	cfg.Pinentry = pe.prog
	s, logs := startServer(t, cfg)
	return s, pol, pe, logs
}

// confirms counts the CONFIRM commands in a pinentry command log.
func confirms(log string) int {
	n := 0
	for _, l := range strings.Split(log, "\n") {
		if l == "CONFIRM" {
			n++
		}
	}
	return n
}

func TestConsentGate(t *testing.T) {
	audit := &logBuffer{}
	s, pol, pe, logs := consentServer(t, Config{Audit: slog.New(slog.NewJSONHandler(audit, nil))})

	// Origins that are allowed without a dialog.
	for _, o := range []string{portal, allowedSite} {
		if r := call(t, s, "/v1/certificates", o, map[string]any{}); r.status != 200 {
			t.Errorf("%s: %d %s", o, r.status, r.body)
		}
		if r := call(t, s, "/v1/status", o, map[string]any{}); r.status != 200 || !strings.Contains(string(r.body), `"tokens"`) {
			t.Errorf("%s status: %d %s", o, r.status, r.body)
		}
	}
	// Origins refused without a dialog.
	for _, o := range []string{deniedSite, "https://unknown.example", "http://insecure.example", "https://x.example:443"} {
		if r := call(t, s, "/v1/certificates", o, map[string]any{}); r.status != 403 || r.code != CodeOriginNotAllowed {
			t.Errorf("%s: %d %s", o, r.status, r.body)
		}
	}
	// The origin to ask about: status reveals the version only; cancel
	// and the events WebSocket open no dialog.
	r := call(t, s, "/v1/status", askSite, map[string]any{})
	var m map[string]any
	json.Unmarshal(r.body, &m)
	if r.code != CodeOriginNotAllowed || len(m) != 2 || m["protocol"] != Protocol {
		t.Errorf("status to an origin not yet allowed: %s", r.body)
	}
	if r := call(t, s, "/v1/cancel", askSite, map[string]any{"target": "x"}); r.code != CodeOriginNotAllowed {
		t.Errorf("cancel: %s", r.body)
	}
	resp, body := doGate(t, s.Port(), gateCase{method: "GET", path: "/v1/events", origins: []string{askSite}, ctype: "-", proto: []string{}, header: wsHeadersProto})
	if resp.StatusCode != 403 {
		t.Errorf("events: %d %s", resp.StatusCode, body)
	}
	// Its preflight is answered, so that the browser sends the request.
	resp, _ = doGate(t, s.Port(), gateCase{method: "OPTIONS", path: "/v1/authenticate", origins: []string{askSite}, ctype: "-", proto: []string{},
		header: map[string]string{"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,tokend-protocol"}})
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != askSite {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	// A malformed request opens no dialog either.
	resp, _ = doGate(t, s.Port(), gateCase{path: "/v1/certificates", origins: []string{askSite}, ctype: "text/plain"})
	if resp.StatusCode != 415 {
		t.Errorf("text/plain: %d", resp.StatusCode)
	}
	if d := pe.commands(t); d != "" || pol.asked() != 0 {
		t.Fatalf("a dialog without an operation:\n%s", d)
	}

	// The person says no: USER_CANCELLED, nothing remembered.
	pe.set("cancel", "", "")
	if r := call(t, s, "/v1/certificates", askSite, map[string]any{}); r.status != 409 || r.code != CodeUserCancelled {
		t.Errorf("refused: %d %s", r.status, r.body)
	}
	d := pe.commands(t)
	if !strings.Contains(d, "SETDESC Сайт "+askSite+" просит доступ к вашему токену.") || !strings.Contains(d, "tokend revoke-origin "+askSite) ||
		!strings.Contains(d, "SETOK Разрешить") || !strings.Contains(d, "SETTIMEOUT ") || confirms(d) != 1 {
		t.Errorf("dialog:\n%s", d)
	}
	if strings.Contains(d, "GETPIN") {
		t.Error("the consent dialog asked for a PIN")
	}
	if pol.asked() != 0 || pol.Consent(askSite) != ConsentAsk {
		t.Error("a refusal was remembered")
	}
	// "Not confirmed" (pinentry's other no) is the same.
	pe.set("notconfirmed", "", "")
	if r := call(t, s, "/v1/authenticate", askSite, map[string]any{"nonce": nonce}); r.code != CodeUserCancelled {
		t.Errorf("not confirmed: %s", r.body)
	}

	// Yes: remembered, the operation runs, and the next one asks nothing.
	pe.set("", "", "")
	if r := call(t, s, "/v1/certificates", askSite, map[string]any{}); r.status != 200 {
		t.Errorf("allowed: %d %s", r.status, r.body)
	}
	if pol.asked() != 1 || pol.Consent(askSite) != ConsentAllowed {
		t.Errorf("remembered %v", pol.remembered)
	}
	pe.set("cancel", "", "")
	if r := call(t, s, "/v1/status", askSite, map[string]any{}); r.status != 200 {
		t.Errorf("status after consent: %d %s", r.status, r.body)
	}
	if r := call(t, s, "/v1/certificates", askSite, map[string]any{}); r.status != 200 || pe.commands(t) != "" {
		t.Errorf("asked again: %d %s\n%s", r.status, r.body, pe.commands(t))
	}
	for _, want := range []string{`"consent":"asked"`, `"consent":"refused"`, `"consent":"allowed"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s", want)
		}
	}
	// The audit log has each answer: two refusals, then the yes.
	var answers []string
	for _, l := range strings.Split(strings.TrimSpace(audit.String()), "\n") {
		var a struct {
			Msg, Origin, Result string
			Remembered          bool
		}
		if json.Unmarshal([]byte(l), &a) == nil && a.Msg == "consent" {
			answers = append(answers, fmt.Sprintf("%s %s %v", a.Origin, a.Result, a.Remembered))
		}
	}
	if got, want := strings.Join(answers, "; "), askSite+" USER_CANCELLED false; "+askSite+" USER_CANCELLED false; "+askSite+" ALLOWED true"; got != want {
		t.Errorf("audit: %s\nwant %s\n%s", got, want, audit.String())
	}
}

// TestConsentOneDialog: requests of one origin share one dialog; requests
// of another origin wait for the dialog before theirs.
func TestConsentOneDialog(t *testing.T) {
	s, pol, pe, _ := consentServer(t, Config{})
	pol.m["https://second.example"] = ConsentAsk
	pe.set("", "", "300ms")
	var wg sync.WaitGroup
	results := make([]apiResult, 4)
	origins := []string{askSite, askSite, askSite, "https://second.example"}
	for i, o := range origins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 3 {
				time.Sleep(50 * time.Millisecond)
			}
			results[i] = call(t, s, "/v1/certificates", o, map[string]any{})
		}()
	}
	start := time.Now()
	wg.Wait()
	for i, r := range results {
		if r.status != 200 {
			t.Errorf("request %d (%s): %d %s", i, origins[i], r.status, r.body)
		}
	}
	if n := confirms(pe.commands(t)); n != 2 {
		t.Errorf("%d dialogs, want one per origin:\n%s", n, pe.commands(t))
	}
	// Two dialogs of 300 ms one after the other.
	if el := time.Since(start); el < 600*time.Millisecond {
		t.Errorf("dialogs overlapped: all answered in %v", el)
	}
}

func TestConsentTimeoutAndLanguage(t *testing.T) {
	s, pol, pe, _ := consentServer(t, Config{Timeout: 300 * time.Millisecond, Lang: "en"})
	pe.set("hang", "", "")
	start := time.Now()
	if r := call(t, s, "/v1/certificates", askSite, map[string]any{}); r.code != CodeUserTimeout {
		t.Errorf("timeout: %d %s", r.status, r.body)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("the timeout took %v", el)
	}
	d := pe.commands(t)
	if !strings.Contains(d, "SETDESC The site "+askSite+" asks for access to your token.") || !strings.Contains(d, "SETOK Allow") {
		t.Errorf("English dialog:\n%s", d)
	}
	if pol.asked() != 0 {
		t.Error("a timeout was remembered")
	}
}

// TestConsentStoreFails: the person's yes holds for the request even when
// it cannot be stored; the failure is logged and the next request asks.
func TestConsentStoreFails(t *testing.T) {
	s, pol, pe, logs := consentServer(t, Config{})
	pol.failStore = true
	for i := range 2 {
		pe.set("", "", "")
		if r := call(t, s, "/v1/certificates", askSite, map[string]any{}); r.status != 200 {
			t.Errorf("request %d: %d %s", i, r.status, r.body)
		}
		if confirms(pe.commands(t)) != 1 {
			t.Errorf("request %d was not asked about", i)
		}
	}
	if !strings.Contains(logs.String(), "could not be stored") || !strings.Contains(logs.String(), "disk full") {
		t.Errorf("log:\n%s", logs.String())
	}
}

// TestConsentPolicyChangesWhileWaiting: a request waiting behind another
// dialog is decided by the policy as it is when its turn comes.
func TestConsentPolicyChangesWhileWaiting(t *testing.T) {
	s, pol, pe, _ := consentServer(t, Config{})
	pol.m["https://second.example"] = ConsentAsk
	pe.set("", "", "300ms")
	done := make(chan apiResult)
	go func() { done <- call(t, s, "/v1/certificates", askSite, map[string]any{}) }()
	time.Sleep(100 * time.Millisecond)
	go func() {
		time.Sleep(50 * time.Millisecond)
		pol.mu.Lock()
		pol.m["https://second.example"] = ConsentDenied
		pol.mu.Unlock()
	}()
	if r := call(t, s, "/v1/certificates", "https://second.example", map[string]any{}); r.code != CodeOriginNotAllowed {
		t.Errorf("denied while waiting: %d %s", r.status, r.body)
	}
	if r := <-done; r.status != 200 {
		t.Errorf("first: %d %s", r.status, r.body)
	}
	if n := confirms(pe.commands(t)); n != 1 {
		t.Errorf("%d dialogs", n)
	}
}

func TestConsentString(t *testing.T) {
	for c, want := range map[Consent]string{ConsentDenied: "denied", ConsentAllowed: "allowed", ConsentAsk: "ask", 7: "Consent(7)"} {
		if c.String() != want {
			t.Errorf("%d: %q", int(c), c.String())
		}
	}
}

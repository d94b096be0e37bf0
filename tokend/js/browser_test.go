package js_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/tokend"
	"github.com/podpis/podpis/tokend/js"
	"github.com/podpis/podpis/tokend/pinentry"
	"github.com/podpis/podpis/tokend/tokendtest"
	"github.com/podpis/podpis/tokend/validate"
)

// The browser half of ANCHORS.md §3.6: Debian's Chromium, headless, loads a
// page from an https "portal" (a public site by --ip-address-space-overrides),
// whose script calls the daemon through tokend.js.

func TestMain(m *testing.M) {
	code := m.Run()
	tokendtest.Cleanup()
	os.Exit(code)
}

const page = `<!doctype html><meta charset="utf-8"><title>portal</title>
<script type="module">
import { Tokend } from "/tokend.js";
const port = Number(new URLSearchParams(location.search).get("port"));
const t = new Tokend({ port });
window.login = async (nonce) => {
  try {
    const r = await t.authenticate(nonce);
    return { ok: true, token: r.authToken };
  } catch (e) {
    return { ok: false, code: e.code || String(e), message: e.message, retriesLeft: e.retriesLeft };
  }
};
window.loginVia = async (host, nonce) => {
  try {
    const r = await new Tokend({ host, port }).authenticate(nonce);
    return { ok: true, token: r.authToken };
  } catch (e) {
    return { ok: false, code: e.code || String(e), message: e.message };
  }
};
// A "simple" request, which browsers send without a preflight.
window.simplePost = async (nonce) => {
  try {
    await fetch("http://127.0.0.1:" + port + "/v1/authenticate", { method: "POST", mode: "no-cors",
      headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ nonce }), targetAddressSpace: "loopback" });
    return { ok: true };
  } catch (e) {
    return { ok: false, code: String(e) };
  }
};
window.openSocket = () => new Promise((resolve) => {
  const ws = new WebSocket("ws://127.0.0.1:" + port + "/v1/events");
  ws.onopen = () => resolve({ ok: true });
  ws.onerror = () => resolve({ ok: false, code: "WS_ERROR" });
});
// In a frame: the parent asks for a login by postMessage and gets the result back.
window.addEventListener("message", async (ev) => {
  if (ev.data && ev.data.login) ev.source.postMessage(await window.login(ev.data.login), ev.origin);
});
window.ready = true;
</script>`

func portal() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, page)
	})
	mux.HandleFunc("/tokend.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Write(js.Source)
	})
	return httptest.NewTLSServer(mux)
}

func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	tokendtest.Require(t, "Chromium (Debian chromium)", false)
	return ""
}

type logCounter struct {
	mu sync.Mutex
	n  int
	b  strings.Builder
}

func (l *logCounter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n += strings.Count(string(p), `"msg":"request"`)
	l.b.Write(p)
	return len(p), nil
}

func (l *logCounter) requests() int { l.mu.Lock(); defer l.mu.Unlock(); return l.n }

func (l *logCounter) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

type result struct {
	OK      bool            `json:"ok"`
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Token   json.RawMessage `json:"token"`
	// RetriesLeft is the TokendError's retriesLeft (PIN_INCORRECT).
	RetriesLeft *int `json:"retriesLeft"`
}

// env is one browser run: the daemon allowing the good portal, the good and
// the evil portal (https, public by override), an http portal, and Chromium.
type env struct {
	t                    *testing.T
	ctx                  context.Context
	s                    *tokend.Server
	tk                   *tokendtest.Token
	logs                 *logCounter
	pe                   *pinentry.Program // the daemon's scripted pinentry; its Env may be changed between operations
	pinentryLog          string
	good, evil, insecure string // origins
}

func setup(t *testing.T, flags ...chromedp.ExecAllocatorOption) *env {
	exe := chromium(t)
	tk := tokendtest.New(t, 1)
	tk.Key(0, "auth", gost3410.TC26256A)
	good, evil, plain := portal(), portal(), httptest.NewServer(portal().Config.Handler)
	t.Cleanup(good.Close)
	t.Cleanup(evil.Close)
	t.Cleanup(plain.Close)
	port := func(s *httptest.Server) int { return s.Listener.Addr().(*net.TCPAddr).Port }
	e := &env{t: t, tk: tk, logs: &logCounter{}, pinentryLog: filepath.Join(t.TempDir(), "pinentry.log"),
		good: "https://portal.test:" + strconv.Itoa(port(good)), evil: "https://evil.test:" + strconv.Itoa(port(evil)),
		insecure: "http://insecure.test:" + strconv.Itoa(port(plain))}
	var err error
	e.pe = &pinentry.Program{Path: tokendtest.Pinentry(t), Env: append(os.Environ(), "TESTPINENTRY_PIN="+tokendtest.PIN, "TESTPINENTRY_LOG="+e.pinentryLog)}
	e.s, err = tokend.New(tokend.Config{
		Origins: []string{e.good}, Modules: []string{tk.Module},
		Pinentry: e.pe,
		Logger:   slog.New(slog.NewJSONHandler(e.logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.s.Shutdown(context.Background()) })

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("headless", "new"), chromedp.IgnoreCertErrors,
		chromedp.Flag("host-resolver-rules", "MAP portal.test 127.0.0.1, MAP evil.test 127.0.0.1, MAP insecure.test 127.0.0.1, MAP rebind.test 127.0.0.1"),
		chromedp.Flag("ip-address-space-overrides", fmt.Sprintf("127.0.0.1:%d=public,127.0.0.1:%d=public,127.0.0.1:%d=public", port(good), port(evil), port(plain))))
	opts = append(opts, flags...)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 120*time.Second)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	e.ctx = ctx
	return e
}

func (e *env) permission(origin string, setting browser.PermissionSetting) {
	e.t.Helper()
	_, err := chromedp.CallBrowser(e.ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "loopback-network"}, Setting: setting, Origin: origin,
	})
	if err != nil {
		e.t.Fatalf("Browser.setPermission %s %s: %v", origin, setting, err)
	}
}

// eval loads origin's page and evaluates expr there.
func (e *env) eval(origin, expr string) result {
	e.t.Helper()
	url := origin + "/?port=" + strconv.Itoa(e.s.Port())
	if err := chromedp.Do(e.ctx, chromedp.Navigate(url)); err != nil {
		e.t.Fatalf("load %s: %v", url, err)
	}
	if _, err := chromedp.Run(e.ctx, chromedp.Poll[bool]("window.ready === true")); err != nil {
		e.t.Fatalf("page script on %s: %v", url, err)
	}
	res, err := chromedp.Run(e.ctx, chromedp.Evaluate[result](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		e.t.Fatalf("%s on %s: %v", expr, origin, err)
	}
	return res
}

func (e *env) login(origin, nonce string) result {
	return e.eval(origin, fmt.Sprintf("window.login(%q)", nonce))
}

func (e *env) dialogs() string {
	data, _ := os.ReadFile(e.pinentryLog)
	return string(data)
}

func TestBrowserLogin(t *testing.T) {
	e := setup(t)
	v, err := validate.New(e.good, false, e.tk.Roots(), &validate.Nonces{})
	if err != nil {
		t.Fatal(err)
	}
	n, _ := v.Nonces.Issue("sess")

	// Permission not decided yet: headless Chromium refuses as a person
	// who did not answer would; nothing reaches the daemon.
	before := e.logs.requests()
	if r := e.login(e.good, n); r.OK || r.Code != "LOOPBACK_PERMISSION_DENIED" {
		t.Errorf("permission unset: %+v", r)
	}
	e.permission(e.good, browser.PermissionSettingDenied)
	if r := e.login(e.good, n); r.OK || r.Code != "LOOPBACK_PERMISSION_DENIED" {
		t.Errorf("permission denied: %+v", r)
	}
	// A page that is not a secure context: the client refuses before
	// anything is sent.
	if r := e.login(e.insecure, n); r.OK || r.Code != "INSECURE_CONTEXT" {
		t.Errorf("insecure page: %+v", r)
	}
	if e.logs.requests() != before {
		t.Errorf("requests refused by the browser reached the daemon:\n%s", e.logs.String())
	}

	// Granted: the whole login, checked by the site's validator.
	e.permission(e.good, browser.PermissionSettingGranted)
	r := e.login(e.good, n)
	if !r.OK {
		t.Fatalf("login: %+v", r)
	}
	p, err := v.Validate("sess", r.Token)
	if err != nil {
		t.Fatalf("the site refused the token the browser brought: %v", err)
	}
	if p.SNILS != e.tk.PKI.Signer.Cert.SubjectName.SNILS {
		t.Errorf("person %+v", p)
	}
	if _, err := v.Validate("sess", r.Token); !errors.Is(err, &validate.Error{Code: validate.CodeNonceUnknown}) {
		t.Errorf("replayed token: %v", err)
	}

	// DNS rebinding: a name of the page's choosing that resolves to
	// loopback (the permission granted) reaches the daemon with that name
	// in Host, and the daemon refuses it.
	os.Remove(e.pinentryLog)
	if r := e.eval(e.good, fmt.Sprintf("window.loginVia(%q, %q)", "rebind.test", n)); r.OK {
		t.Errorf("rebinding: %+v", r)
	}
	if !strings.Contains(e.logs.String(), `"result":"HOST_NOT_ALLOWED"`) {
		t.Errorf("the daemon did not see the rebinding Host:\n%s", e.logs.String())
	}
	// A simple text/plain POST (no preflight): refused before routing. The
	// page sees a network error either way (the answer carries
	// Cross-Origin-Resource-Policy: same-origin).
	e.eval(e.good, fmt.Sprintf("window.simplePost(%q)", n))
	if !strings.Contains(e.logs.String(), `"result":"UNSUPPORTED_MEDIA_TYPE"`) {
		t.Errorf("the daemon did not refuse the simple POST:\n%s", e.logs.String())
	}
	if d := e.dialogs(); d != "" {
		t.Errorf("a refused request reached the dialog:\n%s", d)
	}

	// A site that is not allowed, with the loopback permission granted:
	// the daemon itself refuses it, fetch and WebSocket, and the page can
	// tell why.
	e.permission(e.evil, browser.PermissionSettingGranted)
	if r := e.login(e.evil, n); r.OK || r.Code != "ORIGIN_NOT_ALLOWED" {
		t.Errorf("foreign origin: %+v", r)
	}
	if r := e.eval(e.evil, "window.openSocket()"); r.OK {
		t.Errorf("WebSocket from a foreign origin: %+v", r)
	}
	if !strings.Contains(e.logs.String(), `"path":"/v1/events","origin":"`+e.evil+`","status":403`) {
		t.Errorf("the daemon did not refuse the foreign WebSocket upgrade:\n%s", e.logs.String())
	}
	if d := e.dialogs(); d != "" {
		t.Errorf("a foreign origin reached the dialog:\n%s", d)
	}
}

// TestBrowserWithoutLNA: with Local Network Access turned off (ANCHORS
// §3.6 step 6) the daemon's own checks still hold.
func TestBrowserWithoutLNA(t *testing.T) {
	e := setup(t, chromedp.Flag("disable-features", "LocalNetworkAccessChecks,LocalNetworkAccessChecksWebSockets"))
	v, _ := validate.New(e.good, false, e.tk.Roots(), &validate.Nonces{})
	n, _ := v.Nonces.Issue("s")
	r := e.login(e.good, n)
	if !r.OK {
		t.Fatalf("login without LNA: %+v", r)
	}
	if _, err := v.Validate("s", r.Token); err != nil {
		t.Error(err)
	}
	if r := e.login(e.evil, n); r.OK || r.Code != "ORIGIN_NOT_ALLOWED" {
		t.Errorf("foreign origin: %+v", r)
	}
	// Without LNA's relaxation, http://rebind.test from an https page is
	// mixed content and never leaves the browser; the daemon's Host check
	// for it is exercised in TestBrowserLogin and TestGate.
	if r := e.eval(e.good, fmt.Sprintf("window.loginVia(%q, %q)", "rebind.test", n)); r.OK {
		t.Errorf("rebinding: %+v", r)
	}
}

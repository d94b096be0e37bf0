package js_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
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
    return { ok: false, code: e.code || String(e), message: e.message };
  }
};
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

type result struct {
	OK      bool            `json:"ok"`
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Token   json.RawMessage `json:"token"`
}

func TestBrowserLogin(t *testing.T) {
	exe := chromium(t)
	tk := tokendtest.New(t, 1)
	tk.Key(0, "auth", gost3410.TC26256A)
	good, evil := portal(), portal()
	defer good.Close()
	defer evil.Close()
	gport, eport := good.Listener.Addr().(*net.TCPAddr).Port, evil.Listener.Addr().(*net.TCPAddr).Port
	goodOrigin := "https://portal.test:" + strconv.Itoa(gport)
	evilOrigin := "https://evil.test:" + strconv.Itoa(eport)

	logs := &logCounter{}
	s, err := tokend.New(tokend.Config{
		Origins: []string{goodOrigin}, Modules: []string{tk.Module},
		Pinentry: &pinentry.Program{Path: tokendtest.Pinentry(t), Env: append(os.Environ(), "TESTPINENTRY_PIN="+tokendtest.PIN)},
		Logger:   slog.New(slog.NewJSONHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("headless", "new"), chromedp.IgnoreCertErrors,
		chromedp.Flag("host-resolver-rules", "MAP portal.test 127.0.0.1, MAP evil.test 127.0.0.1"),
		chromedp.Flag("ip-address-space-overrides", fmt.Sprintf("127.0.0.1:%d=public,127.0.0.1:%d=public", gport, eport)))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}

	setPermission := func(origin string, setting browser.PermissionSetting) {
		t.Helper()
		_, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: "loopback-network"}, Setting: setting, Origin: origin,
		})
		if err != nil {
			t.Fatalf("Browser.setPermission %s %s: %v", origin, setting, err)
		}
	}
	login := func(origin, nonce string) result {
		t.Helper()
		url := origin + "/?port=" + strconv.Itoa(s.Port())
		if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
			t.Fatalf("load %s: %v", url, err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool]("window.ready === true")); err != nil {
			t.Fatalf("page script on %s: %v", url, err)
		}
		res, err := chromedp.Run(ctx, chromedp.Evaluate[result](fmt.Sprintf("window.login(%q)", nonce), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("login on %s: %v", origin, err)
		}
		return res
	}

	roots := tk.Roots()
	v, err := validate.New(goodOrigin, false, roots, &validate.Nonces{})
	if err != nil {
		t.Fatal(err)
	}

	// Permission not decided yet: headless Chromium refuses as a person
	// who did not answer would; nothing reaches the daemon.
	n, _ := v.Nonces.Issue("sess")
	before := logs.requests()
	if r := login(goodOrigin, n); r.OK || r.Code != "LOOPBACK_PERMISSION_DENIED" {
		t.Errorf("permission unset: %+v", r)
	}
	// Denied.
	setPermission(goodOrigin, browser.PermissionSettingDenied)
	if r := login(goodOrigin, n); r.OK || r.Code != "LOOPBACK_PERMISSION_DENIED" {
		t.Errorf("permission denied: %+v", r)
	}
	if logs.requests() != before {
		t.Errorf("requests refused by the browser reached the daemon:\n%s", logs.b.String())
	}

	// Granted: the whole login, checked by the site's validator.
	setPermission(goodOrigin, browser.PermissionSettingGranted)
	r := login(goodOrigin, n)
	if !r.OK {
		t.Fatalf("login: %+v", r)
	}
	p, err := v.Validate("sess", r.Token)
	if err != nil {
		t.Fatalf("the site refused the token the browser brought: %v", err)
	}
	if p.SNILS != tk.PKI.Signer.Cert.SubjectName.SNILS {
		t.Errorf("person %+v", p)
	}

	// A site that is not allowed, with the loopback permission granted:
	// the daemon itself refuses it, and the page can tell why.
	setPermission(evilOrigin, browser.PermissionSettingGranted)
	if r := login(evilOrigin, n); r.OK || r.Code != "ORIGIN_NOT_ALLOWED" {
		t.Errorf("foreign origin: %+v", r)
	}
	if !strings.Contains(logs.b.String(), `"origin":"`+evilOrigin+`"`) {
		t.Errorf("the daemon's log does not show the refused origin")
	}
}

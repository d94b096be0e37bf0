package main

import (
	"context"
	"crypto/tls"
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
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/tokend"
	"github.com/podpis/podpis/tokend/pinentry"
	"github.com/podpis/podpis/tokend/tokendtest"
	"github.com/podpis/podpis/tokend/validate"
)

func TestMain(m *testing.M) {
	code := m.Run()
	tokendtest.Cleanup()
	os.Exit(code)
}

// portal starts the example site over TLS on loopback and returns it with
// its origin as the browser will see it (https://portal.test:port).
func portal(t *testing.T, tk *tokendtest.Token, tokendPort func() int) (*httptest.Server, string, *site) {
	srv := httptest.NewUnstartedServer(nil)
	origin := "https://portal.test:" + strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port)
	v, err := validate.New(origin, false, tk.Roots(), &validate.Nonces{})
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(origin, 0, v, slog.New(slog.NewTextHandler(io.Discard, nil)))
	h := s.handler()
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.tokendPort = tokendPort()
		h.ServeHTTP(w, r)
	})
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, origin, s
}

// TestLoginInBrowser is the full path: page → tokend → token → the site's
// validator → logged in, in Debian's Chromium; then a wrong PIN.
func TestLoginInBrowser(t *testing.T) {
	exe := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			exe = p
		}
	}
	tokendtest.Require(t, "Chromium (Debian chromium)", exe != "")
	tk := tokendtest.New(t, 1)
	tk.Key(0, "auth", gost3410.TC26256A)
	var d *tokend.Server
	srv, origin, _ := portal(t, tk, func() int { return d.Port() })
	pe := &pinentry.Program{Path: tokendtest.Pinentry(t), Env: append(os.Environ(), "TESTPINENTRY_PIN="+tokendtest.PIN)}
	d, err := tokend.New(tokend.Config{Origins: []string{origin}, Modules: []string{tk.Module}, Pinentry: pe,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	defer d.Shutdown(context.Background())

	port := srv.Listener.Addr().(*net.TCPAddr).Port
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("headless", "new"), chromedp.IgnoreCertErrors, chromedp.WindowSize(900, 700),
		chromedp.Flag("host-resolver-rules", "MAP portal.test 127.0.0.1"),
		chromedp.Flag("ip-address-space-overrides", fmt.Sprintf("127.0.0.1:%d=public", port)))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "loopback-network"}, Setting: browser.PermissionSettingGranted, Origin: origin,
	}); err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv("PODPIS_LOGIN_SHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	shot := func(name string) {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(shots, name), png, 0o644)
	}
	text := func(sel string) string {
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}

	// A wrong PIN first: the page says so, in Russian.
	pe.Env = append(os.Environ(), "TESTPINENTRY_PIN=00000000")
	if err := chromedp.Do(ctx, chromedp.Navigate(origin+"/")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool]("window.ready === true")); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click("#login")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("msg").dataset.code === "PIN_INCORRECT"`)); err != nil {
		t.Fatalf("wrong PIN: %v (page says %q)", err, text("#msg"))
	}
	if got := text("#msg"); got != "Неверный PIN." {
		t.Errorf("message %q", got)
	}
	shot("login-wrong-pin.png")

	// The right PIN: logged in, the person and the organisation shown.
	pe.Env = append(os.Environ(), "TESTPINENTRY_PIN="+tokendtest.PIN)
	if err := chromedp.Do(ctx, chromedp.Click("#login")); err != nil {
		t.Fatal(err)
	}
	// The page navigates to /me, which ends any poll running in it: ask
	// again until the new page answers.
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`location.pathname === "/me" && document.getElementById("name") !== null`))
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			shot("login-failed.png")
			t.Fatalf("not logged in: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	subj := tk.PKI.Signer.Cert.SubjectName
	if got := text("#name"); got != subj.PersonName() {
		t.Errorf("name %q, want %q", got, subj.PersonName())
	}
	if got := text("#orginn"); got != subj.LegalEntityINN() {
		t.Errorf("organisation INN %q, want %q", got, subj.LegalEntityINN())
	}
	if got := text("#org"); got != subj.Organization {
		t.Errorf("organisation %q", got)
	}
	shot("login-me.png")
}

// TestCSRF: the login endpoints refuse other origins and non-JSON posts.
func TestCSRF(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	origin := "https://portal.test:" + strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port)
	pool := tokendRoots(t)
	v, err := validate.New(origin, false, pool, &validate.Nonces{})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = newSite(origin, 1, v, slog.New(slog.NewTextHandler(io.Discard, nil))).handler()
	srv.StartTLS()
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	for _, tc := range []struct {
		path, origin, ctype string
		want                int
	}{
		{"/login/nonce", origin, "application/json", 200},
		{"/login/nonce", "https://evil.example", "application/json", 403},
		{"/login/nonce", "", "application/json", 403},
		{"/login", "https://evil.example", "application/json", 403},
		{"/login", origin, "text/plain", 403},
		{"/login", origin, "application/json", 401},
	} {
		req, _ := http.NewRequest("POST", srv.URL+tc.path, strings.NewReader("{}"))
		if tc.origin != "" {
			req.Header.Set("Origin", tc.origin)
		}
		req.Header.Set("Content-Type", tc.ctype)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s from %q (%s): %d, want %d", tc.path, tc.origin, tc.ctype, resp.StatusCode, tc.want)
		}
	}
}

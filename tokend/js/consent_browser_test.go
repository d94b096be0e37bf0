package js_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/browser"

	"github.com/podpis/podpis/tokend"
	"github.com/podpis/podpis/tokend/pinentry"
	"github.com/podpis/podpis/tokend/tokendtest"
)

// originPolicy is a tokend.OriginPolicy over a map (tokend/policy keeps
// the same in files).
type originPolicy struct {
	mu         sync.Mutex
	m          map[string]tokend.Consent
	remembered []string
}

func (p *originPolicy) Consent(origin string) tokend.Consent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.m[origin] // ConsentDenied when absent
}

func (p *originPolicy) Remember(origin string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.remembered = append(p.remembered, origin)
	p.m[origin] = tokend.ConsentAllowed
	return nil
}

// TestBrowserFirstUseConsent: a site the policy says to ask about calls
// the daemon from Chromium; the person is asked in the daemon's dialog
// (the scripted pinentry), once refusing, then allowing; after that the
// site is remembered and gets token events.
func TestBrowserFirstUseConsent(t *testing.T) {
	e := setup(t)
	pol := &originPolicy{m: map[string]tokend.Consent{e.evil: tokend.ConsentAsk}}
	dialogLog := filepath.Join(t.TempDir(), "consent.log")
	pe := &pinentry.Program{Path: tokendtest.Pinentry(t)}
	answer := func(mode string) {
		os.Remove(dialogLog)
		pe.Env = append(os.Environ(), "TESTPINENTRY_MODE="+mode, "TESTPINENTRY_LOG="+dialogLog)
	}
	logs := &logCounter{}
	s, err := tokend.New(tokend.Config{Modules: []string{e.tk.Module}, Policy: pol, Pinentry: pe, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	dialogs := func() string { d, _ := os.ReadFile(dialogLog); return string(d) }

	certificates := fmt.Sprintf(`(async () => {
  const m = await import("/tokend.js");
  try {
    const c = await new m.Tokend({ port: %d }).certificates();
    return { ok: true, message: c.map((x) => x.token).join(",") };
  } catch (err) {
    return { ok: false, code: err.code, message: err.message };
  }
})()`, s.Port())
	status := strings.Replace(certificates, "certificates()", "status()", 1)
	status = strings.Replace(status, `c.map((x) => x.token).join(",")`, `c.tokens.map((x) => x.label).join(",")`, 1)

	e.permission(e.evil, browser.PermissionSettingGranted)
	answer("")
	// Before consent, status tells the page only that it is not allowed,
	// and asks nothing.
	if r := e.eval(e.evil, status); r.OK || r.Code != "ORIGIN_NOT_ALLOWED" {
		t.Errorf("status before consent: %+v", r)
	}
	if d := dialogs(); d != "" {
		t.Errorf("status opened a dialog:\n%s", d)
	}

	// The person refuses.
	answer("cancel")
	if r := e.eval(e.evil, certificates); r.OK || r.Code != "USER_CANCELLED" {
		t.Errorf("refused: %+v", r)
	}
	d := dialogs()
	if !strings.Contains(d, "SETDESC Сайт "+e.evil+" просит доступ к вашему токену.") || !strings.Contains(d, "\nCONFIRM\n") {
		t.Errorf("the consent dialog:\n%s", d)
	}
	if len(pol.remembered) != 0 {
		t.Errorf("a refusal was remembered: %v", pol.remembered)
	}

	// The person allows: the call goes on and the site is remembered.
	answer("")
	if r := e.eval(e.evil, certificates); !r.OK || r.Message != "g0" {
		t.Errorf("allowed: %+v", r)
	}
	if len(pol.remembered) != 1 || pol.remembered[0] != e.evil {
		t.Errorf("remembered %v", pol.remembered)
	}
	// From now on: no dialog, full status, token events.
	answer("cancel")
	if r := e.eval(e.evil, status); !r.OK || r.Message != "g0" {
		t.Errorf("status after consent: %+v", r)
	}
	if r := e.eval(e.evil, subscribe("", s.Port())); !r.OK {
		t.Fatalf("subscribe: %+v", r)
	}
	e.waitPage(`tokenEvents.includes("present:g0")`)
	if d := dialogs(); d != "" {
		t.Errorf("asked again after consent:\n%s", d)
	}
	// A site neither on this daemon's list nor in its policy is refused
	// without a dialog.
	e.permission(e.good, browser.PermissionSettingGranted)
	if r := e.eval(e.good, certificates); r.OK || r.Code != "ORIGIN_NOT_ALLOWED" {
		t.Errorf("a site neither listed nor in the policy: %+v", r)
	}
	if d := dialogs(); d != "" {
		t.Errorf("a denied site opened a dialog:\n%s", d)
	}
}

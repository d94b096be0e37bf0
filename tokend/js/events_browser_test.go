package js_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// Token events in Chromium (issue 9, on('token', …)): a page subscribes
// through tokend.js, the GOST test token is pulled out and plugged in
// again, and the page sees both; a foreign origin and a DNS-rebinding name
// get no events.

// subscribe makes the loaded page subscribe to the daemon on port (through
// host when not "") and record its events and errors.
func subscribe(host string, port int) string {
	return fmt.Sprintf(`(async () => {
  const m = await import("/tokend.js");
  window.tokenEvents = [];
  window.tokenErrors = [];
  const t = new m.Tokend({ host: %q || undefined, port: %d });
  window.unsubscribe = t.on("token", (ev) => tokenEvents.push(ev.event + ":" + ev.token.label));
  t.on("error", (err) => tokenErrors.push(err.code));
  return { ok: true };
})()`, host, port)
}

// waitPage waits until expr is true in the page.
func (e *env) waitPage(expr string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr)); err != nil {
		got, _ := chromedp.Run(e.ctx, chromedp.Evaluate[string](`JSON.stringify({events: window.tokenEvents, errors: window.tokenErrors})`))
		e.t.Fatalf("waiting for %s: %v; page has %s", expr, err, got)
	}
}

func (e *env) pageString(expr string) string {
	e.t.Helper()
	s, err := chromedp.Run(e.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		e.t.Fatalf("%s: %v", expr, err)
	}
	return s
}

func TestBrowserTokenEvents(t *testing.T) {
	e := setup(t)
	e.permission(e.good, browser.PermissionSettingGranted)
	if r := e.eval(e.good, subscribe("", e.s.Port())); !r.OK {
		t.Fatalf("subscribe: %+v", r)
	}
	e.waitPage(`tokenEvents.includes("present:g0")`)
	e.tk.Remove(0)
	e.waitPage(`tokenEvents.includes("removed:g0")`)
	e.tk.Insert(0)
	e.waitPage(`tokenEvents.includes("inserted:g0")`)
	if got := e.pageString(`tokenEvents.join(",") + "|" + tokenErrors.join(",")`); got != "present:g0,removed:g0,inserted:g0|" {
		t.Errorf("events|errors: %s", got)
	}
	e.pageString(`window.unsubscribe(), ""`)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(e.logs.String(), `"msg":"events disconnected"`) {
		if time.Now().After(deadline) {
			t.Fatalf("the page's unsubscribe did not close the socket:\n%s", e.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	// A site that is not allowed gets no socket; the page learns why.
	e.permission(e.evil, browser.PermissionSettingGranted)
	if r := e.eval(e.evil, subscribe("", e.s.Port())); !r.OK {
		t.Fatalf("subscribe: %+v", r)
	}
	e.waitPage(`tokenErrors.includes("ORIGIN_NOT_ALLOWED")`)
	if got := e.pageString(`tokenEvents.join(",")`); got != "" {
		t.Errorf("a foreign site got events: %s", got)
	}
	if !strings.Contains(e.logs.String(), `"path":"/v1/events","origin":"`+e.evil+`","status":403`) {
		t.Errorf("the daemon did not refuse the foreign upgrade:\n%s", e.logs.String())
	}

	// DNS rebinding: the allowed page through a name of its own that
	// resolves to loopback. ws:// to a name that is not loopback from an
	// https page is mixed content, so Chromium refuses before connecting
	// (the fetch of TestBrowserLogin, marked targetAddressSpace "loopback",
	// does reach the daemon, which refuses its Host; TestGate and
	// TestEventsGate show the same refusal for the upgrade). The page is
	// told, and nothing reached the daemon.
	before := e.logs.requests()
	if r := e.eval(e.good, subscribe("rebind.test", e.s.Port())); !r.OK {
		t.Fatalf("subscribe: %+v", r)
	}
	e.waitPage(`tokenErrors.length > 0`)
	if got := e.pageString(`tokenErrors.join(",") + "|" + tokenEvents.join(",")`); got != "DAEMON_UNREACHABLE|" {
		t.Errorf("errors|events through a rebinding name: %s", got)
	}
	if e.logs.requests() != before {
		t.Errorf("the rebinding attempt reached the daemon:\n%s", e.logs.String())
	}
	if d := e.dialogs(); d != "" {
		t.Errorf("events opened a dialog:\n%s", d)
	}
}

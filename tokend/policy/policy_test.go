package policy

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/tokend"
)

func TestConsent(t *testing.T) {
	dir := t.TempDir()
	admin := filepath.Join(dir, "tokend-policy.yaml")
	os.WriteFile(admin, []byte("allow: [https://gov.example]\ndeny: [https://evil.example]\n"), 0o644)
	p, err := Load(admin, filepath.Join(dir, "origins.json"))
	if err != nil {
		t.Fatal(err)
	}
	p.Now = func() time.Time { return t0 }
	// The person allowed one origin, and tried to allow a denied one.
	if err := p.Store.Add("https://mine.example", HowCLI, t0); err != nil {
		t.Fatal(err)
	}
	if err := p.Remember("https://evil.example"); !errors.Is(err, ErrAdminDenied) {
		t.Errorf("Remember(denied): %v", err)
	}
	// Even written into the file by hand, the admin's deny wins.
	p.Store.Add("https://evil.example", HowCLI, t0)
	for _, tc := range []struct {
		origin string
		ask    tokend.Consent // first_use: ask
		deny   tokend.Consent // first_use: deny
	}{
		{"https://gov.example", tokend.ConsentAllowed, tokend.ConsentAllowed},
		{"https://evil.example", tokend.ConsentDenied, tokend.ConsentDenied},
		{"https://mine.example", tokend.ConsentAllowed, tokend.ConsentAllowed},
		{"https://new.example", tokend.ConsentAsk, tokend.ConsentDenied},
		// Exact matching: another port, scheme or a sub-domain is another origin.
		{"https://gov.example:8443", tokend.ConsentAsk, tokend.ConsentDenied},
		{"https://www.gov.example", tokend.ConsentAsk, tokend.ConsentDenied},
		{"http://gov.example", tokend.ConsentDenied, tokend.ConsentDenied},
		{"https://gov.example/", tokend.ConsentDenied, tokend.ConsentDenied},
		{"http://localhost:3000", tokend.ConsentDenied, tokend.ConsentDenied},
		{"null", tokend.ConsentDenied, tokend.ConsentDenied},
	} {
		p.Admin.FirstUse = FirstUseAsk
		if got := p.Consent(tc.origin); got != tc.ask {
			t.Errorf("first_use ask: %s: %v, want %v", tc.origin, got, tc.ask)
		}
		p.Admin.FirstUse = FirstUseDeny
		if got := p.Consent(tc.origin); got != tc.deny {
			t.Errorf("first_use deny: %s: %v, want %v", tc.origin, got, tc.deny)
		}
	}
	p.Admin.FirstUse = FirstUseAsk
	// Remember makes an Ask origin Allowed, recorded as a dialog consent.
	if err := p.Remember("https://new.example"); err != nil {
		t.Fatal(err)
	}
	if got := p.Consent("https://new.example"); got != tokend.ConsentAllowed {
		t.Errorf("after Remember: %v", got)
	}
	es, _ := p.Store.List()
	if last := es[len(es)-1]; last.Origin != "https://new.example" || last.How != HowDialog || !last.AllowedAt.Equal(t0) {
		t.Errorf("entry %+v", last)
	}
}

// TestConsentBrokenStore: while the person's file is unreadable, origins
// only it could allow are denied (not asked: a consent could not be
// saved), the admin's allow still works, and the reason is logged once.
func TestConsentBrokenStore(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "origins.json")
	os.WriteFile(store, []byte("{broken"), 0o600)
	var log bytes.Buffer
	p := &Policy{Admin: &Admin{Allow: []string{"https://gov.example"}}, Logger: slog.New(slog.NewTextHandler(&log, nil))}
	p.Store, _ = OpenStore(store)
	for range 3 {
		if got := p.Consent("https://new.example"); got != tokend.ConsentDenied {
			t.Errorf("broken store: %v", got)
		}
	}
	if got := p.Consent("https://gov.example"); got != tokend.ConsentAllowed {
		t.Errorf("admin allow with a broken store: %v", got)
	}
	if n := strings.Count(log.String(), "cannot be read"); n != 1 || !strings.Contains(log.String(), store) {
		t.Errorf("logged %d times:\n%s", n, log.String())
	}
	os.WriteFile(store, []byte(`{"origins":[]}`), 0o600)
	if got := p.Consent("https://new.example"); got != tokend.ConsentAsk {
		t.Errorf("fixed store: %v", got)
	}
}

func TestLoadMalformedAdmin(t *testing.T) {
	admin := filepath.Join(t.TempDir(), "p.yaml")
	os.WriteFile(admin, []byte("allow:\n  - https://a.example\n  - ftp://b.example\n"), 0o644)
	if _, err := Load(admin, ""); err == nil || !strings.Contains(err.Error(), admin+":3:") {
		t.Errorf("%v", err)
	}
}

// BenchmarkConsent is the policy's cost per request of an origin that only
// the person's list decides: one stat(2) of the file, which has not changed.
func BenchmarkConsent(b *testing.B) {
	dir := b.TempDir()
	p := &Policy{Admin: &Admin{Allow: []string{"https://gov.example"}, Deny: []string{"https://evil.example"}}}
	p.Store, _ = OpenStore(filepath.Join(dir, "origins.json"))
	for i := range 50 {
		p.Store.Add(fmt.Sprintf("https://site%d.example", i), HowCLI, t0)
	}
	b.ReportAllocs()
	for b.Loop() {
		if p.Consent("https://site49.example") != tokend.ConsentAllowed {
			b.Fatal("not allowed")
		}
	}
}

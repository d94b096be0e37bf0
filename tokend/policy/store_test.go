package policy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func TestStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cfg", "podpis", "tokend", "origins.json")
	s, _ := OpenStore(path)
	if es, err := s.List(); err != nil || len(es) != 0 {
		t.Fatalf("missing file: %v %v", es, err)
	}
	if err := s.Add("https://a.example", HowCLI, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.Add("https://b.example:8443", HowDialog, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Adding again keeps the first entry.
	if err := s.Add("https://a.example", HowDialog, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	es, err := s.List()
	if err != nil || len(es) != 2 || es[0] != (Entry{"https://a.example", t0, HowCLI}) || es[1].Origin != "https://b.example:8443" || es[1].How != HowDialog {
		t.Fatalf("%+v %v", es, err)
	}
	fi, _ := os.Stat(path)
	di, _ := os.Stat(filepath.Dir(path))
	if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
		t.Errorf("file %v, directory %v; want 0600 and 0700", fi.Mode().Perm(), di.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), `"origin": "https://a.example",`) || !strings.Contains(string(data), `"allowedAt": "2026-11-23T10:00:00Z"`) || !strings.Contains(string(data), `"how": "cli"`) {
		t.Errorf("file:\n%s", data)
	}
	if err := s.Remove("https://a.example"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("https://a.example"); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("second revoke: %v", err)
	}
	if ok, _ := s.Allowed("https://a.example"); ok {
		t.Error("revoked origin still allowed")
	}
	if ok, _ := s.Allowed("https://b.example:8443"); !ok {
		t.Error("b lost")
	}
	for _, bad := range []string{"http://a.example", "https://a.example/", "http://localhost:3000", ""} {
		if err := s.Add(bad, HowCLI, t0); err == nil {
			t.Errorf("%q added", bad)
		}
	}
	if err := s.Add("https://c.example", "magic", t0); err == nil {
		t.Error("how \"magic\" accepted")
	}
}

// TestStoreReload: a change made through another Store (another process:
// tokend allow while the daemon runs) is seen without reopening, also when
// the file is rewritten in place with the same size.
func TestStoreReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "origins.json")
	daemon, _ := OpenStore(path)
	cli, _ := OpenStore(path)
	if ok, err := daemon.Allowed("https://a.example"); ok || err != nil {
		t.Fatal(ok, err)
	}
	cli.Add("https://a.example", HowCLI, t0)
	if ok, err := daemon.Allowed("https://a.example"); !ok || err != nil {
		t.Fatalf("allow not seen: %v %v", ok, err)
	}
	cli.Remove("https://a.example")
	if ok, _ := daemon.Allowed("https://a.example"); ok {
		t.Fatal("revoke not seen")
	}
	// In place, same length, only the mtime tells.
	write := func(origin string, mt time.Time) {
		os.WriteFile(path, fmt.Appendf(nil, `{"origins":[{"origin":%q,"allowedAt":"2026-11-23T10:00:00Z","how":"cli"}]}`, origin), 0o600)
		os.Chtimes(path, mt, mt)
	}
	write("https://x.example", t0)
	if ok, _ := daemon.Allowed("https://x.example"); !ok {
		t.Fatal("x not seen")
	}
	write("https://y.example", t0.Add(time.Second))
	if ok, _ := daemon.Allowed("https://y.example"); !ok {
		t.Fatal("in-place rewrite not seen")
	}
	os.Remove(path)
	if ok, err := daemon.Allowed("https://y.example"); ok || err != nil {
		t.Fatalf("removed file: %v %v", ok, err)
	}
}

// TestStoreConcurrent: two stores on one file (the daemon and the command
// line) adding at the same time lose nothing (the flock), and readers
// never see a half-written file (the atomic rename).
func TestStoreConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "origins.json")
	a, _ := OpenStore(path)
	b, _ := OpenStore(path)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 20 {
		wg.Add(2)
		go func() { defer wg.Done(); errs <- a.Add(fmt.Sprintf("https://a%d.example", i), HowDialog, t0) }()
		go func() { defer wg.Done(); errs <- b.Add(fmt.Sprintf("https://b%d.example", i), HowCLI, t0) }()
	}
	stop := make(chan struct{})
	var rw sync.WaitGroup
	rw.Add(1)
	go func() {
		defer rw.Done()
		r, _ := OpenStore(path)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := r.List(); err != nil {
				errs <- fmt.Errorf("reader: %w", err)
				return
			}
		}
	}()
	wg.Wait()
	close(stop)
	rw.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	c, _ := OpenStore(path)
	if es, err := c.List(); err != nil || len(es) != 40 {
		t.Fatalf("%d entries, %v; want 40", len(es), err)
	}
}

// TestStoreRefuses: a malformed or foreign-writable file is an error, is
// left as it was, and allows nothing.
func TestStoreRefuses(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, data string
		mode       os.FileMode
		want       string
	}{
		{"garbage", "{not json", 0o600, "invalid character"},
		{"unknown field", `{"origins":[],"extra":1}`, 0o600, "unknown field"},
		{"http origin", `{"origins":[{"origin":"http://a.example","allowedAt":"2026-11-23T10:00:00Z","how":"cli"}]}`, 0o600, "entry 1"},
		{"no time", `{"origins":[{"origin":"https://a.example","how":"cli"}]}`, 0o600, "no allowedAt"},
		{"bad how", `{"origins":[{"origin":"https://a.example","allowedAt":"2026-11-23T10:00:00Z","how":"page"}]}`, 0o600, "how \"page\""},
		{"twice", `{"origins":[{"origin":"https://a.example","allowedAt":"2026-11-23T10:00:00Z","how":"cli"},{"origin":"https://a.example","allowedAt":"2026-11-23T10:00:00Z","how":"cli"}]}`, 0o600, "listed twice"},
		{"trailing", `{"origins":[]} {}`, 0o600, "data after"},
		{"world-writable", `{"origins":[{"origin":"https://a.example","allowedAt":"2026-11-23T10:00:00Z","how":"cli"}]}`, 0o666, "writable by other users"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".json")
			os.WriteFile(path, []byte(tc.data), 0o600)
			os.Chmod(path, tc.mode)
			s, _ := OpenStore(path)
			if ok, err := s.Allowed("https://a.example"); ok || err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("Allowed: %v, %v; want an error naming the file with %q", ok, err, tc.want)
			}
			if err := s.Add("https://b.example", HowCLI, t0); err == nil {
				t.Error("Add over a bad file succeeded")
			}
			if data, _ := os.ReadFile(path); string(data) != tc.data {
				t.Errorf("file changed to %q", data)
			}
		})
	}
}

func TestDefaultStorePath(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/x/cfg")
	if p, _ := DefaultStorePath(); p != "/x/cfg/podpis/tokend/origins.json" {
		t.Error(p)
	}
	t.Setenv("HOME", "/home/p")
	for _, v := range []string{"", "relative/cfg"} {
		t.Setenv("XDG_CONFIG_HOME", v)
		if p, _ := DefaultStorePath(); p != "/home/p/.config/podpis/tokend/origins.json" {
			t.Errorf("XDG_CONFIG_HOME=%q: %s", v, p)
		}
	}
}

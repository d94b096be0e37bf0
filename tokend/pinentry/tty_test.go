//go:build linux

package pinentry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Debian's pinentry-tty, driven through a pseudo-terminal as a person at a
// terminal would (shared/spec/infra/RECIPES.md "pinentry"): proof that the
// protocol this package speaks is GnuPG's own program's.

// requireTool fails in CI and skips elsewhere when a tool is missing.
func requireTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s (Debian %s) is required in CI: %v", name, pkg, err)
		}
		t.Skipf("skipping: %s not installed (apt-get install %s)", name, pkg)
	}
	return p
}

// pty opens a pseudo-terminal and returns its master and the path of its
// slave (posix_openpt, unlockpt and ptsname, done with ioctls).
func openPTY(t *testing.T) (*os.File, string) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("/dev/pts/%d", n)
	// Hold the slave open: when no one has it open, reading the master
	// fails with EIO and what later dialogs write would be lost.
	sl, err := os.OpenFile(name, os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sl.Close() })
	return m, name
}

// screen collects what the program writes on the terminal.
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *screen) run(m *os.File) {
	b := make([]byte, 4096)
	for {
		n, err := m.Read(b)
		s.mu.Lock()
		s.buf.Write(b[:n])
		s.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func (s *screen) waitFor(t *testing.T, text string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		ok := strings.Contains(s.buf.String(), text)
		s.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t.Fatalf("the terminal never showed %q; it shows:\n%s", text, s.buf.String())
}

func (s *screen) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.buf.String() }

func TestRealPinentryTTY(t *testing.T) {
	path := requireTool(t, "pinentry-tty", "pinentry-tty")
	m, tty := openPTY(t)
	scr := &screen{}
	go scr.run(m)
	env := append(os.Environ(), "LC_ALL=C.UTF-8", "TERM=dumb")
	p := &Program{Path: path, Args: []string{"--ttyname", tty, "--ttytype", "dumb"}, Env: env}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	type result struct {
		pin []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		pin, err := p.GetPIN(ctx, Dialog{Description: "Site https://portal.example asks to log in; 100% sure", Prompt: "PIN:"})
		ch <- result{pin, err}
	}()
	scr.waitFor(t, "PIN:")
	if !strings.Contains(scr.String(), "100% sure") {
		t.Errorf("the description was not shown decoded:\n%s", scr)
	}
	m.Write([]byte("87%65 4321\r"))
	r := <-ch
	if r.err != nil {
		t.Fatalf("GetPIN through pinentry-tty: %v\nterminal:\n%s", r.err, scr)
	}
	if string(r.pin) != "87%65 4321" {
		t.Errorf("PIN %q", r.pin)
	}
	if strings.Contains(scr.String(), "4321") {
		t.Errorf("the PIN was echoed on the terminal:\n%s", scr)
	}

	// CONFIRM: pinentry-tty asks for a letter; "c" cancels, "o" confirms.
	for _, tc := range []struct {
		key  string
		want error
	}{{"o", nil}, {"c", ErrCancelled}} {
		errc := make(chan error, 1)
		before := len(scr.String())
		go func() {
			errc <- p.Confirm(ctx, Dialog{Description: "Allow https://portal.example?", OK: "OK", Cancel: "Cancel"})
		}()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(scr.String()[before:], "[oc]? ") && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if !strings.Contains(scr.String()[before:], "Allow https://portal.example?") {
			t.Errorf("CONFIRM did not show the description:\n%q", scr.String()[before:])
		}
		m.Write([]byte(tc.key))
		select {
		case err := <-errc:
			if !errors.Is(err, tc.want) && !(tc.want == nil && err == nil) {
				t.Errorf("Confirm answered %q: %v, want %v\nterminal:\n%q", tc.key, err, tc.want, scr.String())
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("Confirm answered %q did not return\nterminal:\n%s", tc.key, scr.String()[before:])
		}
	}
}

func TestRealPinentryTTYWithoutTerminal(t *testing.T) {
	path := requireTool(t, "pinentry-tty", "pinentry-tty")
	// RECIPES.md: without a terminal pinentry-tty answers ERR 83886179.
	p := &Program{Path: path, Env: []string{"PATH=/usr/bin:/bin"}}
	if _, err := p.GetPIN(context.Background(), Dialog{Description: "x"}); !errors.Is(err, ErrCancelled) {
		t.Errorf("pinentry-tty without a terminal: %v, want ErrCancelled", err)
	}
}

package main

import (
	"bytes"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/verify"
	"github.com/podpis/podpis/verify/bulk"
)

// On a terminal the bar is redrawn in place (carriage return, erase to the
// end of the line) and ends with a newline; elsewhere plain lines come every
// 5% and at the end.
func TestProgress(t *testing.T) {
	var tty strings.Builder
	p := &progress{w: &tty, tty: true, lang: verify.English, lastPct: -1}
	start := time.Now().Add(-10 * time.Second)
	for i := 1; i <= 200; i++ {
		p.update(bulk.Progress{Done: i, Total: 200, Started: start})
	}
	p.finish()
	out := tty.String()
	if !strings.HasPrefix(out, "\r[") || !strings.HasSuffix(out, "] 200/200 100%  20/s\x1b[K\n") || strings.Count(out, "\n") != 1 {
		t.Fatalf("terminal output %q", out[max(0, len(out)-120):])
	}
	if !strings.Contains(out, "ETA") && strings.Count(out, "\r") > 1 {
		t.Fatalf("no ETA while running: %q", out[:120])
	}

	var plain strings.Builder
	p = &progress{w: &plain, lang: verify.Russian, lastPct: -1}
	for i := 1; i <= 200; i++ {
		p.update(bulk.Progress{Done: i, Total: 200, Started: time.Now()})
	}
	p.finish()
	lines := strings.Split(strings.TrimSuffix(plain.String(), "\n"), "\n")
	if len(lines) != 21 || lines[0] != "podpis: проверено 1 из 200 (0%)" || lines[20] != "podpis: проверено 200 из 200 (100%)" {
		t.Fatalf("%d plain lines: %q … %q", len(lines), lines[0], lines[len(lines)-1])
	}
}

// Ctrl-C in the middle of `podpis verify --bulk`: the entries in flight are
// finished and written, the command says to resume and exits 2; --resume
// then checks exactly the rest.
func TestBulkInterruptAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	p, err := devpki.New(devpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	docs := filepath.Join(dir, "docs")
	if err := os.Mkdir(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	const n = 1500
	for i := range n {
		doc := []byte(fmt.Sprintf("Накладная № %d", i))
		sig, err := cms.Sign(bytes.NewReader(doc), cms.SignerConfig{Signer: p.Signer.Key, Certificate: p.Signer.Cert}, cms.SignOptions{Detached: true})
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(docs, fmt.Sprintf("%04d.txt", i))
		if err := errors.Join(os.WriteFile(name, doc, 0o644), os.WriteFile(name+".sig", sig, 0o644)); err != nil {
			t.Fatal(err)
		}
	}
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.CA.Cert.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	// The test binary runs as podpis under that name (testscript.Main).
	exe := filepath.Join(dir, "podpis")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, exe); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "r.jsonl")
	lines := func() int {
		data, _ := os.ReadFile(out)
		return bytes.Count(data, []byte("\n"))
	}
	var stderr bytes.Buffer
	cmd := exec.Command(exe, "verify", "--bulk", docs, "--trust", ca, "--out", out, "--jobs", "1")
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(2 * time.Minute); lines() < 20; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no progress: %s", stderr.String())
		}
	}
	cmd.Process.Signal(os.Interrupt)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitError {
		t.Fatalf("after Ctrl-C: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "bulk: interrupted after") || !strings.Contains(stderr.String(), "--resume") {
		t.Fatalf("stderr: %s", stderr.String())
	}
	stopped := lines()
	data, _ := os.ReadFile(out)
	if stopped >= n || data[len(data)-1] != '\n' {
		t.Fatalf("stopped at %d of %d, last byte %q", stopped, n, data[len(data)-1])
	}

	stderr.Reset()
	var stdout bytes.Buffer
	cmd = exec.Command(exe, "verify", "--bulk", docs, "--trust", ca, "--out", out, "--resume", "--lang", "en")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("resumed: %v\n%s", err, stderr.String())
	}
	if !regexp.MustCompile(fmt.Sprintf(`(?m)^  valid +%d$`, n)).MatchString(stdout.String()) {
		t.Errorf("summary:\n%s", stdout.String())
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, _, err := bulk.ReadRecords(f)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		if seen[r.ID] {
			t.Fatalf("%s twice", r.ID)
		}
		seen[r.ID] = true
	}
	if len(recs) != n {
		t.Fatalf("%d records of %d", len(recs), n)
	}
	t.Logf("interrupted after %d of %d; resumed to %d", stopped, n, len(recs))
}

package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSystemdUnit checks tokend.service with systemd's own parser
// (systemd-analyze verify), with ExecStart pointed at a built tokend.
func TestSystemdUnit(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("systemd-analyze (Debian systemd) is required in CI")
		}
		t.Skip("skipping: systemd-analyze not installed")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "tokend")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	unit, err := os.ReadFile("tokend.service")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(unit), "ExecStart=/usr/bin/tokend run --config %E/tokend/config.yaml") {
		t.Fatal("ExecStart changed: update this test and the install notes")
	}
	path := filepath.Join(dir, "tokend.service")
	os.WriteFile(path, []byte(strings.ReplaceAll(string(unit), "/usr/bin/tokend", bin)), 0o644)
	out, err := exec.Command(sa, "verify", path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) != 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestDesktopFile checks the XDG autostart entry's keys (Desktop Entry
// Specification 1.5: Type, Name and Exec are required for an Application).
func TestDesktopFile(t *testing.T) {
	f, err := os.Open("tokend.desktop")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keys := map[string]string{}
	sc := bufio.NewScanner(f)
	group := ""
	for sc.Scan() {
		l := sc.Text()
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "["):
			group = l
		default:
			k, v, ok := strings.Cut(l, "=")
			if !ok || group != "[Desktop Entry]" {
				t.Fatalf("bad line %q", l)
			}
			if _, dup := keys[k]; dup {
				t.Fatalf("key %s twice", k)
			}
			keys[k] = v
		}
	}
	if keys["Type"] != "Application" || keys["Name"] == "" || keys["Name[ru]"] == "" || !strings.Contains(keys["Exec"], "tokend run --config") {
		t.Errorf("entry %v", keys)
	}
}

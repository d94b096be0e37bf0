package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// startDaemon runs `tokend run args…` in the test process and returns its
// port, its log and a function that stops it and returns the exit status.
func startDaemon(t *testing.T, args ...string) (string, *syncBuffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"run", "--port", "0"}, args...), io.Discard, logs) }()
	re := regexp.MustCompile(`"msg":"tokend listening","port":(\d+)`)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(logs.String()); m != nil {
			return m[1], logs, func() int { cancel(); return <-done }
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("tokend exited with %d: %s", code, logs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("tokend did not start: %s", logs)
	return "", nil, nil
}

func status(t *testing.T, port, origin string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://127.0.0.1:"+port+"/v1/status", strings.NewReader(`{}`))
	req.Header.Set("Origin", origin)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Tokend-Protocol", "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func TestRun(t *testing.T) {
	port, logs, stop := startDaemon(t, "--origin", "https://portal.example", "--module", filepath.Join(t.TempDir(), "none.so"))
	if code, m := status(t, port, "https://portal.example"); code != 200 || m["protocol"] != "1" {
		t.Errorf("status: %d %v", code, m)
	}
	if code, _ := status(t, port, "https://evil.example"); code != 403 {
		t.Errorf("foreign origin: %d", code)
	}
	if code := stop(); code != exitOK {
		t.Errorf("exit %d: %s", code, logs)
	}
	// Each request is one JSON record with the origin and the result.
	if !strings.Contains(logs.String(), `"msg":"request"`) || !strings.Contains(logs.String(), `"result":"ORIGIN_NOT_ALLOWED"`) {
		t.Errorf("log:\n%s", logs)
	}
}

func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "tokend.yaml")
	os.WriteFile(cfg, []byte("origins: [\"http://localhost:3000\"]\ndev_localhost: true\ntimeout: 30s\nlang: en\nmodules: [\"/nonexistent.so\"]\n"), 0o600)
	port, _, stop := startDaemon(t, "--config", cfg)
	if code, _ := status(t, port, "http://localhost:3000"); code != 200 {
		t.Errorf("dev origin from the config file: %d", code)
	}
	// The command line wins over the file.
	if code := stop(); code != exitOK {
		t.Errorf("exit %d", code)
	}
	port, _, stop = startDaemon(t, "--config", cfg, "--origin", "https://portal.example")
	if code, _ := status(t, port, "http://localhost:3000"); code != 403 {
		t.Errorf("--origin did not replace the file's origins: %d", code)
	}
	stop()
}

func TestRunRefuses(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("origins: [https://a.example]\ncolour: red\n"), 0o600)
	badTimeout := filepath.Join(dir, "t.yaml")
	os.WriteFile(badTimeout, []byte("origins: [https://a.example]\ntimeout: soon\n"), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--origin", "http://portal.example"}, "the scheme must be https"},
		{[]string{"run", "--origin", "http://localhost:3000"}, "--dev-localhost"},
		{[]string{"run", "--origin", "https://portal.example/"}, "nothing after it"},
		{[]string{"run", "--origin", "https://a.example", "--lang", "de"}, "want ru or en"},
		{[]string{"run", "--origin", "https://a.example", "--port", "70000"}, "out of range"},
		{[]string{"run", "--config", filepath.Join(dir, "missing.yaml")}, "no such file"},
		{[]string{"run", "--config", bad}, "colour"},
		{[]string{"run", "--config", badTimeout}, "timeout"},
		{[]string{"run", "--origin", "https://a.example", "--log-format", "xml"}, "json or text"},
		{[]string{"frobnicate"}, "unknown command"},
	} {
		var stderr bytes.Buffer
		code := run(context.Background(), tc.args, io.Discard, &stderr)
		if code != exitError || !strings.Contains(stderr.String(), tc.want) || strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q (want one line with %q)", tc.args, code, stderr.String(), tc.want)
		}
	}
}

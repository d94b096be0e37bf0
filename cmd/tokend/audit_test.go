package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// authenticate posts a login request and returns the HTTP status.
func authenticate(t *testing.T, port, origin, body string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://127.0.0.1:"+port+"/v1/authenticate", strings.NewReader(body))
	req.Header.Set("Origin", origin)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Tokend-Protocol", "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func auditRecords(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// TestAuditLog: --audit-log and audit_log: append one JSON record per
// operation to a 0600 file; a file others may read is refused.
func TestAuditLog(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	const nonce = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	port, logs, stop := startDaemon(t, "--origin", "https://portal.example", "--module", filepath.Join(dir, "none.so"), "--audit-log", path)
	if code := authenticate(t, port, "https://portal.example", `{"nonce":"`+nonce+`","requestId":"r1"}`); code != 404 {
		t.Errorf("authenticate without a token: %d", code)
	}
	if code, _ := status(t, port, "https://portal.example"); code != 200 {
		t.Errorf("status: %d", code)
	}
	if code := stop(); code != exitOK {
		t.Fatalf("exit %d: %s", code, logs)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("audit log mode %04o", st.Mode().Perm())
	}
	recs := auditRecords(t, path)
	if len(recs) != 1 || recs[0]["operation"] != "authenticate" || recs[0]["origin"] != "https://portal.example" ||
		recs[0]["requestId"] != "r1" || recs[0]["result"] != "NO_TOKEN" || recs[0]["time"] == nil {
		t.Errorf("audit records %v", recs)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), nonce) || strings.Contains(logs.String(), nonce) {
		t.Error("the nonce reached a log")
	}

	// The config file's audit_log, appended to.
	cfg := filepath.Join(dir, "tokend.yaml")
	os.WriteFile(cfg, []byte("origins: [\"https://portal.example\"]\nmodules: [\"/nonexistent.so\"]\naudit_log: "+path+"\n"), 0o600)
	port, _, stop = startDaemon(t, "--config", cfg)
	authenticate(t, port, "https://portal.example", `{"nonce":"short","requestId":"r2"}`)
	stop()
	if recs := auditRecords(t, path); len(recs) != 2 || recs[1]["requestId"] != "r2" || recs[1]["result"] != "BAD_NONCE" {
		t.Errorf("after a second run: %v", recs)
	}

	// Readable by others, or a directory: refused in one line, nothing written.
	open := filepath.Join(dir, "open.jsonl")
	os.WriteFile(open, nil, 0o644)
	for _, tc := range []struct{ path, want string }{
		{open, "chmod 600"},
		{dir, "audit log"},
		{filepath.Join(dir, "no", "such", "dir", "a.jsonl"), "no such file"},
	} {
		var stderr bytes.Buffer
		code := run(context.Background(), []string{"run", "--port", "0", "--origin", "https://portal.example", "--audit-log", tc.path}, io.Discard, &stderr)
		if code != exitError || !strings.Contains(stderr.String(), tc.want) || strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q", tc.path, code, stderr.String())
		}
	}
	if data, _ := os.ReadFile(open); len(data) != 0 {
		t.Errorf("a refused audit log was written: %q", data)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/podpis/podpis/tokend/policy"
	"github.com/podpis/podpis/tokend/tokendtest"
)

// TestMain keeps every test away from the person's own list of allowed
// origins (tests that need one set XDG_CONFIG_HOME themselves) and removes
// what tokendtest built.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tokend-cfg-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CONFIG_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	tokendtest.Cleanup()
	os.Exit(code)
}

// cli runs tokend with args and returns the exit status, stdout and stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// policyEnv makes a fresh XDG_CONFIG_HOME and an admin policy file with
// the given contents; it returns the file and the person's list's path.
func policyEnv(t *testing.T, admin string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "cfg"))
	p := filepath.Join(dir, "tokend-policy.yaml")
	if err := os.WriteFile(p, []byte(admin), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, filepath.Join(dir, "cfg", "podpis", "tokend", "origins.json")
}

func TestAllowOriginsRevoke(t *testing.T) {
	pol, store := policyEnv(t, "allow: [https://gov.example]\ndeny: [https://evil.example]\n")
	for _, tc := range []struct {
		args []string
		code int
		out  string // in stdout (code 0) or the one stderr line (code 2)
	}{
		{[]string{"allow", "https://mine.example"}, 0, "Разрешено: https://mine.example"},
		{[]string{"allow", "https://mine.example", "--lang", "en"}, 0, "Allowed: https://mine.example"},
		{[]string{"allow", "https://lk.example:8443", "--lang", "en"}, 0, "tokend revoke-origin https://lk.example:8443"},
		{[]string{"allow", "https://evil.example"}, 2, "https://evil.example запрещён политикой администратора (" + pol + ")"},
		{[]string{"allow", "https://evil.example", "--lang", "en"}, 2, "only the administrator can allow it"},
		{[]string{"allow", "https://gov.example"}, 0, "уже разрешён политикой администратора"},
		{[]string{"allow", "http://mine.example"}, 2, "the scheme must be https"},
		{[]string{"allow", "https://mine.example/login"}, 2, "nothing after it"},
		{[]string{"allow", "http://localhost:3000"}, 2, "--dev-localhost"},
		{[]string{"allow"}, 2, "accepts 1 arg"},
		{[]string{"allow", "https://x.example", "--lang", "de"}, 2, "want ru or en"},
		{[]string{"revoke-origin", "https://gov.example"}, 2, "разрешён политикой администратора (" + pol + "), а не вами"},
		{[]string{"revoke-origin", "https://gov.example", "--lang", "en"}, 2, "not by you; only the administrator can take it back"},
		{[]string{"revoke-origin", "https://other.example"}, 2, "https://other.example не был разрешён"},
		{[]string{"revoke-origin", "https://other.example", "--lang", "en"}, 2, "was not allowed (tokend origins lists"},
		{[]string{"revoke-origin", "https://lk.example:8443"}, 0, "Разрешение отозвано: https://lk.example:8443"},
		{[]string{"revoke-origin", "https://lk.example:8443"}, 2, "не был разрешён"},
	} {
		args := append(tc.args, "--policy", pol)
		code, out, errs := cli(t, args...)
		got := out
		if tc.code != 0 {
			got = errs
			if strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("%v: more than one line: %q", tc.args, errs)
			}
		}
		if code != tc.code || !strings.Contains(got, tc.out) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d with %q", tc.args, code, out, errs, tc.code, tc.out)
		}
	}
	fi, err := os.Stat(store)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the list: %v %v", fi, err)
	}

	code, out, _ := cli(t, "origins", "--policy", pol)
	for _, want := range []string{"Политика администратора (" + pol + "):", "разрешены: https://gov.example", "запрещены: https://evil.example",
		"новые сайты: спрашивают вашего разрешения", "Разрешены вами (" + store + "):", "https://mine.example", "командой tokend allow"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("origins: exit %d, no %q in\n%s", code, want, out)
		}
	}
	if strings.Contains(out, "lk.example") {
		t.Errorf("revoked origin listed:\n%s", out)
	}
	code, out, _ = cli(t, "origins", "--policy", pol, "--lang", "en")
	if code != 0 || !strings.Contains(out, "Allowed by you") || !strings.Contains(out, "with tokend allow") || !strings.Contains(out, "denied: ") {
		t.Errorf("origins --lang en: %d\n%s", code, out)
	}
	code, out, _ = cli(t, "origins", "--policy", pol, "--format", "json")
	var rep originsReport
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil {
		t.Fatalf("origins --format json: %d %v\n%s", code, err, out)
	}
	if !rep.Admin.Exists || rep.Admin.Allow[0] != "https://gov.example" || rep.Admin.Deny[0] != "https://evil.example" || rep.Admin.FirstUse != "ask" ||
		len(rep.User.Origins) != 1 || rep.User.Origins[0].Origin != "https://mine.example" || rep.User.Origins[0].How != policy.HowCLI || rep.User.Origins[0].AllowedAt.IsZero() {
		t.Errorf("json: %+v", rep)
	}
}

// TestOriginsDefaults: no admin file and an empty list.
func TestOriginsDefaults(t *testing.T) {
	pol, _ := policyEnv(t, "")
	os.Remove(pol)
	code, out, _ := cli(t, "origins", "--policy", pol)
	if code != 0 || !strings.Contains(out, "файла "+pol+" нет, действуют умолчания") || !strings.Contains(out, "Разрешены вами") {
		t.Errorf("%d\n%s", code, out)
	}
	code, out, _ = cli(t, "origins", "--policy", pol, "--format", "json")
	if code != 0 || !strings.Contains(out, `"origins": []`) || !strings.Contains(out, `"exists": false`) {
		t.Errorf("%d\n%s", code, out)
	}
}

// TestOriginsRefuse: a malformed admin file or list stops every command
// with one line naming the file, and changes nothing.
func TestOriginsRefuse(t *testing.T) {
	pol, store := policyEnv(t, "allow:\n  - https://gov.example\nfirst_use: sometimes\n")
	for _, args := range [][]string{{"origins"}, {"allow", "https://a.example"}, {"revoke-origin", "https://a.example"}} {
		code, _, errs := cli(t, append(args, "--policy", pol)...)
		if code != 2 || !strings.Contains(errs, pol+":3: first_use must be ask or deny") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: %d %q", args, code, errs)
		}
	}
	if _, err := os.Stat(store); !os.IsNotExist(err) {
		t.Errorf("the list was written: %v", err)
	}
	os.WriteFile(pol, nil, 0o644)
	os.MkdirAll(filepath.Dir(store), 0o700)
	os.WriteFile(store, []byte(`{"origins": [`), 0o600)
	for _, args := range [][]string{{"origins"}, {"allow", "https://a.example"}} {
		code, _, errs := cli(t, append(args, "--policy", pol)...)
		if code != 2 || !strings.Contains(errs, store) {
			t.Errorf("%v over a broken list: %d %q", args, code, errs)
		}
	}
	if data, _ := os.ReadFile(store); string(data) != `{"origins": [` {
		t.Errorf("broken list changed: %q", data)
	}
}

// TestRunPolicy: tokend run with the admin policy and the person's list.
// No --origin is needed; the admin's allow and deny hold; `tokend allow`
// and `tokend revoke-origin` take effect in the running daemon without a
// restart (the list is reread when it changes).
func TestRunPolicy(t *testing.T) {
	pol, _ := policyEnv(t, "allow: [https://gov.example]\ndeny: [https://evil.example]\nfirst_use: deny\n")
	none := filepath.Join(t.TempDir(), "none.so")
	port, logs, stopDaemon := startDaemon(t, "--policy", pol, "--module", none)
	stop := sync.OnceValue(stopDaemon)
	defer stop()
	for origin, want := range map[string]int{"https://gov.example": 200, "https://evil.example": 403, "https://mine.example": 403} {
		if code, _ := status(t, port, origin); code != want {
			t.Errorf("%s: %d, want %d", origin, code, want)
		}
	}
	if code, _, errs := cli(t, "allow", "https://mine.example", "--policy", pol); code != 0 {
		t.Fatal(errs)
	}
	if code, _ := status(t, port, "https://mine.example"); code != 200 {
		t.Errorf("after tokend allow: %d\n%s", code, logs)
	}
	if code, _, errs := cli(t, "revoke-origin", "https://mine.example", "--policy", pol); code != 0 {
		t.Fatal(errs)
	}
	if code, _ := status(t, port, "https://mine.example"); code != 403 {
		t.Errorf("after tokend revoke-origin: %d", code)
	}
	if code := stop(); code != exitOK {
		t.Errorf("exit %d", code)
	}
}

// TestRunPolicyRefuses: a malformed policy file, or an --origin the admin
// denies, stops tokend run before it listens (fail closed).
func TestRunPolicyRefuses(t *testing.T) {
	pol, _ := policyEnv(t, "deny: [https://evil.example]\nallow: https://gov.example\n")
	code, _, errs := cli(t, "run", "--policy", pol, "--port", "0")
	if code != 2 || !strings.Contains(errs, pol+":2: allow must be a list") {
		t.Errorf("malformed policy: %d %q", code, errs)
	}
	os.WriteFile(pol, []byte("deny: [https://evil.example]\n"), 0o644)
	code, _, errs = cli(t, "run", "--policy", pol, "--port", "0", "--origin", "https://evil.example")
	if code != 2 || !strings.Contains(errs, "origin https://evil.example is denied by the administrator's policy file "+pol) {
		t.Errorf("denied --origin: %d %q", code, errs)
	}
}

// TestRunFirstUse: an unknown origin asks the person once through
// pinentry (the scripted one answers OK); the daemon remembers it in the
// person's list as a dialog consent, which tokend origins then shows.
func TestRunFirstUse(t *testing.T) {
	pol, store := policyEnv(t, "")
	dir := t.TempDir()
	log := filepath.Join(dir, "pinentry.log")
	t.Setenv("TESTPINENTRY_LOG", log)
	t.Setenv("TESTPINENTRY_MODE", "")
	port, logs, stopDaemon := startDaemon(t, "--policy", pol, "--module", filepath.Join(dir, "none.so"), "--pinentry", tokendtest.Pinentry(t), "--lang", "en")
	stop := sync.OnceValue(stopDaemon)
	defer stop()
	// Before consent, status tells the page only that it is not allowed.
	if code, _ := status(t, port, "https://new.example"); code != 403 {
		t.Errorf("status before consent: %d", code)
	}
	certificates := func() *http.Response {
		req, _ := http.NewRequest("POST", "http://127.0.0.1:"+port+"/v1/certificates", strings.NewReader(`{}`))
		req.Header.Set("Origin", "https://new.example")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Tokend-Protocol", "1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	// The person says no: nothing is remembered.
	t.Setenv("TESTPINENTRY_MODE", "cancel")
	if resp := certificates(); resp.StatusCode == 200 {
		t.Fatal("allowed although the person cancelled")
	}
	if _, err := os.Stat(store); !os.IsNotExist(err) {
		t.Fatalf("a refusal was stored: %v", err)
	}
	t.Setenv("TESTPINENTRY_MODE", "")
	if resp := certificates(); resp.StatusCode != 200 {
		t.Fatalf("certificates after consent: %d\n%s", resp.StatusCode, logs)
	}
	if data, _ := os.ReadFile(log); !strings.Contains(string(data), "CONFIRM") || !strings.Contains(string(data), "https://new.example") {
		t.Errorf("no consent dialog naming the origin:\n%s", data)
	}
	data, err := os.ReadFile(store)
	if err != nil || !strings.Contains(string(data), `"origin": "https://new.example"`) || !strings.Contains(string(data), `"how": "dialog"`) {
		t.Fatalf("remembered: %v\n%s", err, data)
	}
	if code, _ := status(t, port, "https://new.example"); code != 200 {
		t.Errorf("status after consent: %d", code)
	}
	if _, out, _ := cli(t, "origins", "--policy", pol); !strings.Contains(out, "https://new.example") || !strings.Contains(out, "в окне tokend") {
		t.Errorf("origins:\n%s", out)
	}
}

// TestPolicyExample: the example policy file that ships beside the command
// parses and says what its comments say.
func TestPolicyExample(t *testing.T) {
	a, err := policy.LoadAdmin("tokend-policy.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !a.Exists || len(a.Allow) != 2 || !a.Denied("https://lk-example.ru") || a.FirstUse != policy.FirstUseAsk {
		t.Errorf("%+v", a)
	}
}

package policy

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseAdmin(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		allow    []string
		deny     []string
		first    FirstUse
	}{
		{"empty", "", nil, nil, FirstUseAsk},
		{"comments only", "# nothing yet\n", nil, nil, FirstUseAsk},
		{"full", "allow:\n  - https://portal.example\n  - https://lk.example:8443\ndeny: [https://evil.example]\nfirst_use: deny\n",
			[]string{"https://portal.example", "https://lk.example:8443"}, []string{"https://evil.example"}, FirstUseDeny},
		{"null lists", "allow:\ndeny: ~\nfirst_use: \"ask\"\n", nil, nil, FirstUseAsk},
		{"ipv6 and punycode", "allow: ['https://[::1]:8443', 'https://xn--80ak6aa92e.xn--p1ai']\n",
			[]string{"https://[::1]:8443", "https://xn--80ak6aa92e.xn--p1ai"}, nil, FirstUseAsk},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseAdmin([]byte(tc.in), "p.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Allow, tc.allow) || !slices.Equal(a.Deny, tc.deny) || a.FirstUse != tc.first {
				t.Errorf("got %+v", a)
			}
		})
	}
}

// TestParseAdminErrors: every malformed file is one line naming the file
// and the line of the mistake.
func TestParseAdminErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"allow: [https://a.example\n", "p.yaml: yaml: line"},
		{"allow:\n  - https://a.example\ncolour: red\n", "p.yaml:3: unknown field \"colour\""},
		{"allow:\n  - http://a.example\n", "p.yaml:2: allow: authtoken: bad origin \"http://a.example\": the scheme must be https"},
		{"deny:\n  - https://a.example/\n", "p.yaml:2: deny: authtoken: bad origin \"https://a.example/\": an origin is scheme://host[:port] with nothing after it"},
		{"allow:\n  - https://A.example\n", "p.yaml:2: allow: authtoken: bad origin \"https://A.example\": browsers send the host in lower case"},
		{"allow:\n  - https://a.example:443\n", "p.yaml:2: allow: authtoken: bad origin \"https://a.example:443\": browsers leave out the default port"},
		{"allow:\n  - http://localhost:3000\n", "p.yaml:2: allow: \"http://localhost:3000\": http origins are for development only"},
		{"allow:\n  - https://a.example\ndeny:\n  - https://a.example\n", "p.yaml:4: https://a.example is listed twice (first on line 2)"},
		{"allow: [https://a.example, https://a.example]\n", "p.yaml:1: https://a.example is listed twice"},
		{"first_use: maybe\n", "p.yaml:1: first_use must be ask or deny"},
		{"first_use: [ask]\n", "p.yaml:1: first_use must be ask or deny"},
		{"allow: https://a.example\n", "p.yaml:1: allow must be a list of origins"},
		{"allow:\n  - [https://a.example]\n", "p.yaml:2: allow: each entry must be an origin"},
		{"allow:\n  - 443\n", "p.yaml:2: allow: each entry must be an origin"},
		{"- https://a.example\n", "p.yaml:1: the policy must be a mapping"},
		{"first_use: ask\nfirst_use: deny\n", "p.yaml:2: first_use given twice"},
		{"allow: []\n---\ndeny: []\n", "p.yaml:2: a second YAML document"},
		{"x: &a [https://a.example]\nallow: *a\n", "p.yaml:1: unknown field \"x\""},
		{"allow: &a [https://a.example]\ndeny: *a\n", "p.yaml:2: deny must be a list"},
	} {
		_, err := ParseAdmin([]byte(tc.in), "p.yaml")
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v, want one line with %q", tc.in, err, tc.want)
		}
	}
}

func TestLoadAdmin(t *testing.T) {
	dir := t.TempDir()
	a, err := LoadAdmin(filepath.Join(dir, "missing.yaml"))
	if err != nil || a.Exists || a.FirstUse != FirstUseAsk || len(a.Allow)+len(a.Deny) != 0 {
		t.Fatalf("missing file: %+v, %v", a, err)
	}
	p := filepath.Join(dir, "p.yaml")
	os.WriteFile(p, []byte("allow: [https://a.example]\n"), 0o644)
	if a, err = LoadAdmin(p); err != nil || !a.Exists || !a.Allowed("https://a.example") || a.Allowed("https://b.example") {
		t.Fatalf("%+v, %v", a, err)
	}
	os.WriteFile(p, []byte("allow: [https://a.example]\nfirst_use: perhaps\n"), 0o644)
	if _, err := LoadAdmin(p); err == nil || !strings.Contains(err.Error(), p+":2:") {
		t.Errorf("malformed: %v", err)
	}
	// A directory, not a file: an error, not the defaults.
	if _, err := LoadAdmin(dir); err == nil {
		t.Error("a directory was taken for a policy file")
	}
	big := filepath.Join(dir, "big.yaml")
	os.WriteFile(big, []byte("# "+strings.Repeat("x", maxAdminSize)+"\n"), 0o644)
	if _, err := LoadAdmin(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("big file: %v", err)
	}
}

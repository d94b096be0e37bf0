package policy

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzParseAdmin: the admin file parser never panics, errors are one line
// naming the file, and what it accepts holds only valid, distinct origins
// and a known first_use, and survives a round trip through YAML.
// Corpus: testdata/fuzz/FuzzParseAdmin (go test -fuzz FuzzParseAdmin
// -fuzztime 60s ./tokend/policy adds to it).
func FuzzParseAdmin(f *testing.F) {
	f.Add([]byte("allow:\n  - https://portal.example\ndeny: [https://evil.example:8443]\nfirst_use: deny\n"))
	f.Add([]byte("# defaults\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseAdmin(data, "p.yaml")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "policy: p.yaml") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error not one line naming the file: %q", err)
			}
			return
		}
		if a.FirstUse != FirstUseAsk && a.FirstUse != FirstUseDeny {
			t.Fatalf("first_use %q", a.FirstUse)
		}
		all := append(slices.Clone(a.Allow), a.Deny...)
		for _, o := range all {
			if err := CheckOrigin(o); err != nil {
				t.Fatalf("accepted %q: %v", o, err)
			}
		}
		slices.Sort(all)
		if len(slices.Compact(all)) != len(a.Allow)+len(a.Deny) {
			t.Fatalf("an origin twice: %v %v", a.Allow, a.Deny)
		}
		out, err := yaml.Marshal(map[string]any{"allow": a.Allow, "deny": a.Deny, "first_use": string(a.FirstUse)})
		if err != nil {
			t.Fatal(err)
		}
		b, err := ParseAdmin(out, "p.yaml")
		if err != nil || !slices.Equal(a.Allow, b.Allow) || !slices.Equal(a.Deny, b.Deny) || a.FirstUse != b.FirstUse {
			t.Fatalf("round trip: %+v → %s → %+v, %v", a, out, b, err)
		}
	})
}

// FuzzParseStore: the person's file parser never panics and what it
// accepts is what Store writes back.
func FuzzParseStore(f *testing.F) {
	f.Add([]byte(`{"origins":[{"origin":"https://a.example","allowedAt":"2026-11-23T10:00:00Z","how":"cli"}]}`))
	f.Add([]byte(`{"origins":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := ParseStore(data)
		if err != nil {
			return
		}
		out, err := json.Marshal(storeFile{Origins: es})
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseStore(out)
		if err != nil || len(again) != len(es) {
			t.Fatalf("round trip: %s: %v", out, err)
		}
		for i := range es {
			if es[i].Origin != again[i].Origin || es[i].How != again[i].How || !es[i].AllowedAt.Equal(again[i].AllowedAt) {
				t.Fatalf("entry %d: %+v → %+v", i, es[i], again[i])
			}
		}
	})
}

package bulk

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzReadManifest: any manifest gives entries or an error, never a panic;
// every entry has files and a unique ID.
func FuzzReadManifest(f *testing.F) {
	f.Add("a.txt.sig\ta.txt\n# comment\n\nr.pdf\n")
	f.Add("x\ty\tz\tw\r\n/abs/p.p7s\n")
	f.Add("a\tb\na\tb\n")
	f.Fuzz(func(t *testing.T, m string) {
		entries, err := ReadManifest(strings.NewReader(m), "/base")
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, e := range entries {
			if len(e.Files) == 0 || e.ID == "" || seen[e.ID] {
				t.Fatalf("entry %+v", e)
			}
			seen[e.ID] = true
		}
	})
}

// FuzzReadRecords: any file gives records and the length of its complete
// lines, or an error; never a panic, and the length is within the input.
func FuzzReadRecords(f *testing.F) {
	f.Add([]byte(`{"schema":1,"id":"a + a.sig","files":["a.sig","a"],"outcome":"valid","code":"OK","checkedAt":"2026-11-23T17:00:00Z","ms":3}` + "\n"))
	f.Add([]byte(`{"schema":1,"id":"x","outcome":"error","error":"no signature"}` + "\n" + `{"schema":1,"id":"y","fil`))
	f.Add([]byte(`{"schema":2,"id":"x"}` + "\n"))
	f.Add([]byte("not json\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, good, err := ReadRecords(bytes.NewReader(data))
		if err != nil {
			return
		}
		if good < 0 || good > int64(len(data)) || (good > 0 && data[good-1] != '\n') {
			t.Fatalf("good %d of %d", good, len(data))
		}
		for _, r := range recs {
			if r.ID == "" || r.Schema != SchemaVersion {
				t.Fatalf("record %+v", r)
			}
		}
	})
}

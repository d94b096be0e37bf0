package cms

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds Parse and Verify hostile input: they must not panic, and
// whatever parses must verify (to any result) without a Go error other than
// a reading one. The committed corpus in testdata/fuzz/FuzzParse holds
// podpis' own signatures (attached, detached, co-signed, without
// certificates) and OpenSSL's golden BER and SKI variants from
// testdata/openssl, which are added here too.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "openssl", "*", "*.p7s"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sd, err := Parse(data)
		if err != nil {
			return
		}
		opts := VerifyOptions{}
		if sd.Detached {
			opts.Content = bytes.NewReader(content)
		}
		res, err := sd.Verify(opts)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if len(res.Signers) != len(sd.Signers) {
			t.Fatal("a signer was not reported")
		}
		for _, s := range res.Signers {
			if s.Code == "" {
				t.Fatal("signer without a code")
			}
		}
	})
}

package pdfsign

import (
	"context"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
)

// FuzzVerify feeds arbitrary bytes to the reading path Find uses (the
// cross-reference sections, objects, object streams, the form and the
// signature dictionaries): it must return an error or a result, never panic.
// The corpus (testdata/fuzz/FuzzVerify) holds a table-based file, a signed
// one and one with cross-reference and object streams.
func FuzzVerify(f *testing.F) {
	f.Add(minimalPDF(1, 0))
	p := gostPKI(f, gost3410.TC26256A)
	f.Fuzz(func(t *testing.T, data []byte) {
		// Sign reads the same structures and writes some back; whatever it
		// signs must verify.
		if signed, err := SignBytes(context.Background(), data, p.signer, Options{}); err == nil {
			res, err := verifyCMS(signed)
			if err != nil {
				t.Fatalf("signed file unreadable: %v", err)
			}
			if n := len(res.Signatures); n == 0 || !res.Signatures[n-1].Valid() {
				t.Fatalf("own signature not valid: %+v", res.Signatures)
			}
		}
		if res, err := verifyCMS(data); err == nil {
			for _, s := range res.Signatures {
				if s.ByteRangeOK && (s.Signed == nil || s.Contents == nil) {
					t.Fatalf("%s: ByteRange sound but no content", s.Field)
				}
			}
		}
		if d, err := parse(data); err == nil {
			if c, err := d.DictOf(d.Trailer["Root"]); err == nil && c != nil {
				_, _ = d.Pages(c)
			}
		}
	})
}

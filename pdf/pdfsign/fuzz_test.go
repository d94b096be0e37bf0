package pdfsign

import (
	"context"
	"testing"

	"github.com/podpis/podpis/verify"
)

// FuzzVerify feeds arbitrary bytes to the reading path Verify uses (the
// cross-reference sections, objects, object streams, the form and the
// signature dictionaries): it must return an error or a result, never panic.
// The corpus (testdata/fuzz/FuzzVerify) holds a table-based file, a signed
// one and one with cross-reference and object streams.
func FuzzVerify(f *testing.F) {
	f.Add(minimalPDF(1, 0))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Verify(context.Background(), data, verify.Options{})
		if err == nil && res == nil {
			t.Fatal("nil result without error")
		}
		if d, err := parse(data); err == nil {
			if c, err := d.dictOf(d.trailer["Root"]); err == nil && c != nil {
				_, _ = d.pages(c)
			}
		}
	})
}

package pdfsign

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/gost/streebog"
)

// BenchmarkSignPDF signs a 1 MB PDF with a GOST 256 file key; the
// "streebog" sub-benchmark hashes the same bytes alone, the "copy" one only
// copies them, so the share of each in signing shows.
func BenchmarkSignPDF(b *testing.B) {
	p := gostPKI(b, gost3410.TC26256A)
	data := minimalPDF(1, 1<<20)
	b.Run("sign", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if err := Sign(context.Background(), bytes.NewReader(data), int64(len(data)), io.Discard, p.signer, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("streebog", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			h := streebog.New256()
			h.Write(data)
			h.Sum(nil)
		}
	})
	b.Run("copy", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		dst := make([]byte, len(data))
		for b.Loop() {
			copy(dst, data)
		}
	})
}

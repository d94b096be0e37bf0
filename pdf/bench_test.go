package pdf

import (
	"io"
	"testing"
)

// BenchmarkRenderOnePage lays out and writes a one-page document with text,
// a table, a QR code and a signature stamp (target ≤ 20 ms).
func BenchmarkRenderOnePage(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		n, err := sampleDoc(b, shortPayload).WriteTo(io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(n)
	}
}

package pdf

import (
	"bytes"
	"os"
	"testing"
)

func TestDeterministic(t *testing.T) {
	a := sampleDoc(t, shortPayload).Bytes()
	d := sampleDoc(t, shortPayload)
	b := d.Bytes()
	if !bytes.Equal(a, b) {
		t.Fatal("two documents from the same input differ")
	}
	if c := d.Bytes(); !bytes.Equal(b, c) {
		t.Fatal("writing a document twice gives different bytes")
	}
	t.Logf("one-page document: %d bytes", len(a))
	if len(a) > 60<<10 {
		t.Errorf("one-page document is %d bytes, want ≤ 60 KB", len(a))
	}
	if p := os.Getenv("PODPIS_PDF_OUT"); p != "" {
		os.WriteFile(p, a, 0o644)
	}
}

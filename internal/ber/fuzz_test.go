package ber

import (
	"bytes"
	"testing"
)

// FuzzNormalize checks that Normalize never panics, that what it returns is
// DER it leaves alone (idempotence, no copy), and that its output stays within
// the size bound of the package doc. The committed corpus in
// testdata/fuzz/FuzzNormalize holds BER shapes of CMS files (indefinite
// ContentInfo, streamed eContent, constructed BIT STRING, deep nesting).
func FuzzNormalize(f *testing.F) {
	for _, c := range conversions {
		f.Add(unhex(f, c.in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, rest, err := NormalizeElement(in)
		if err != nil {
			return
		}
		if len(out)+len(rest) > len(in)+len(in)/2+8 {
			t.Fatalf("output %d bytes for %d bytes of input", len(out), len(in)-len(rest))
		}
		again, err := Normalize(out)
		if err != nil {
			t.Fatalf("normalised output does not parse: %v\n in %x\nout %x", err, in, out)
		}
		if !bytes.Equal(again, out) || &again[0] != &out[0] {
			t.Fatalf("normalised output is not DER\n in %x\nout %x\nagain %x", in, out, again)
		}
	})
}

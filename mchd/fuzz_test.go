package mchd

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, keeps the input as Raw, fails
// with one-line ErrMalformed errors, and that whatever it accepts Marshal
// writes as XML that parses again and is a fixed point of Marshal∘Parse.
// The committed corpus under testdata/fuzz/FuzzParse holds documents made by
// the builder (not the real samples) and damaged variants of them.
func FuzzParse(f *testing.F) {
	for _, kind := range []string{PrincipalRussianEntity, PrincipalForeignEntity, PrincipalEntrepreneur, PrincipalPerson} {
		out, err := Marshal(build(f, kind))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(out)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("bad error: %q", err)
			}
			return
		}
		if !bytes.Equal(d.Raw(), data) {
			t.Fatal("Raw differs from input")
		}
		out, err := Marshal(d)
		if err != nil {
			t.Fatalf("Marshal of a parsed document: %v", err)
		}
		d2, err := Parse(out)
		if err != nil {
			t.Fatalf("Marshal output does not parse: %v\n%s", err, out)
		}
		out2, err := Marshal(d2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, out2) {
			t.Fatalf("not a fixed point:\n%s\n%s", out, out2)
		}
	})
}

package mchd

import (
	"bytes"
	"errors"
	"testing"
)

// CheckFile decodes after parseTree alone, so parseTree must refuse all that
// Parse's wellFormed refuses.
func TestCheckRefusesWhatParseRefuses(t *testing.T) {
	for name, raw := range samples(t) {
		root := bytes.Index(raw, []byte("<Доверенность"))
		tagEnd := root + bytes.IndexByte(raw[root:], '>')
		bad := map[string][]byte{
			"DTD":                 append([]byte(`<!DOCTYPE Доверенность [<!ENTITY e "x">]>`), raw...),
			"duplicate attribute": join(raw[:tagEnd], []byte(` ВерсФорм="EMCHD_1" ВерсФорм="EMCHD_1"`), raw[tagEnd:]),
			"text after the root": append(bytes.Clone(raw), "text"...),
			"second root":         append(bytes.Clone(raw), "<Доверенность/>"...),
			"no root":             []byte(`<?xml version="1.0" encoding="UTF-8"?>`),
		}
		for what, in := range bad {
			if _, err := Parse(in); !errors.Is(err, ErrMalformed) {
				t.Errorf("%s, %s: Parse: %v, want ErrMalformed", name, what, err)
			}
			if d, _, err := Check(in); d != nil || !errors.Is(err, ErrMalformed) {
				t.Errorf("%s, %s: Check: %v, want ErrMalformed", name, what, err)
			}
		}
		if _, _, err := Check(raw); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		// A byte-order mark is reported as a problem, not as malformed XML.
		if d, _, err := Check(append(bytes.Clone(bom), raw...)); d == nil || err != nil {
			t.Errorf("%s with a BOM: %v", name, err)
		}
	}
}

func join(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

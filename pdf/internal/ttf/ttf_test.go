package ttf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/podpis/podpis/pdf/internal/fonts"
)

func be16(v ...int) []byte {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.BigEndian.PutUint16(b[2*i:], uint16(x))
	}
	return b
}

// tinyFont builds a three-glyph font: .notdef (empty), 'A' (a square) and
// 'B' (a composite of 'A'), with a format 4 cmap.
func tinyFont() []byte {
	square := append(be16(1, 100, 0, 500, 700, 3, 0), // contours, bbox, endPts, no instructions
		append([]byte{0x01, 0x01, 0x01, 0x01}, // on-curve, 16-bit x and y
			be16(100, 0, 400, 0, 0, 700, -400, 0, 0, -700)...)...)
	composite := be16(-1, 100, 0, 500, 700, 0x0001, 1, 0, 0) // ARG_1_AND_2_ARE_WORDS, glyph 1
	glyf := append(append([]byte{}, square...), composite...)
	loca := be16(0, 0, len(square)/2, len(glyf)/2)
	head := make([]byte, 54)
	binary.BigEndian.PutUint32(head, 0x00010000)
	binary.BigEndian.PutUint16(head[18:], 1000) // unitsPerEm
	copy(head[36:], be16(0, -200, 1000, 800))
	hhea := make([]byte, 36)
	copy(hhea[4:], be16(800, -200))
	binary.BigEndian.PutUint16(hhea[34:], 2) // numberOfHMetrics
	maxp := be16(0, 0x5000, 3)               // version 0.5, numGlyphs
	hmtx := be16(500, 0, 600, 100, 100)      // two long metrics, one lsb
	cmap := append(be16(0, 1, 3, 1, 0, 12),  // one subtable (3,1) at offset 12
		be16(4, 32, 0, 4, 4, 1, 0, 'B', 0xFFFF, 0, 'A', 0xFFFF, 1-'A', 1, 0, 0)...)
	return writeSfnt(map[string][]byte{
		"head": head, "hhea": hhea, "maxp": maxp, "hmtx": hmtx,
		"loca": loca, "glyf": glyf, "cmap": cmap,
	})
}

func TestTinyFont(t *testing.T) {
	f, err := Parse(tinyFont())
	if err != nil {
		t.Fatal(err)
	}
	if f.NumGlyphs != 3 || f.UnitsPerEm != 1000 {
		t.Fatalf("NumGlyphs %d, UnitsPerEm %d", f.NumGlyphs, f.UnitsPerEm)
	}
	for _, c := range []struct {
		r       rune
		g       uint16
		advance int
	}{{'A', 1, 600}, {'B', 2, 600}, {'C', 0, 500}} {
		if g := f.GlyphIndex(c.r); g != c.g || f.Advance(g) != c.advance {
			t.Errorf("%q: glyph %d advance %d, want %d, %d", c.r, g, f.Advance(g), c.g, c.advance)
		}
	}
	// Subsetting the composite keeps the glyph it refers to.
	sub, kept := f.Subset([]uint16{2})
	if !kept[0] || !kept[1] || !kept[2] {
		t.Fatalf("kept %v, want all three", kept)
	}
	s, err := parse(sub, false)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(s.glyph(1), f.glyph(1)) || !bytes.HasPrefix(s.glyph(2), f.glyph(2)) {
		t.Fatal("subset changed the outlines")
	}
	if checksum(sub) != 0xB1B0AFBA {
		t.Errorf("font checksum %#x, want 0xB1B0AFBA", checksum(sub))
	}
}

func TestDejaVuSubset(t *testing.T) {
	f, err := Parse(fonts.Regular)
	if err != nil {
		t.Fatal(err)
	}
	var gids []uint16
	for _, r := range "Привет, мир! ёЁ№«»" {
		g := f.GlyphIndex(r)
		if g == 0 {
			t.Fatalf("DejaVu Sans lacks %q", r)
		}
		gids = append(gids, g)
	}
	sub, _ := f.Subset(gids)
	s, err := parse(sub, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gids {
		if s.Advance(g) != f.Advance(g) || !bytes.HasPrefix(s.glyph(g), f.glyph(g)) {
			t.Errorf("glyph %d differs in the subset", g)
		}
	}
	if len(sub) > len(fonts.Regular)/5 {
		t.Errorf("subset is %d bytes of %d", len(sub), len(fonts.Regular))
	}
}

func TestMalformed(t *testing.T) {
	good := tinyFont()
	for _, n := range []int{0, 4, 12, 40, 100, len(good) - 3} {
		if _, err := Parse(good[:n]); !errors.Is(err, ErrMalformed) {
			t.Errorf("truncated to %d: err %v", n, err)
		}
	}
}

// FuzzParse: Parse never panics, and whatever it accepts can be subset
// into a font it reads back.
func FuzzParse(f *testing.F) {
	f.Add(tinyFont())
	f.Fuzz(func(t *testing.T, b []byte) {
		font, err := Parse(b)
		if err != nil {
			return
		}
		for _, r := range "AB\x00Я" {
			font.Advance(font.GlyphIndex(r))
		}
		sub, _ := font.Subset([]uint16{0, 1, 2, 3, 0xFFFF})
		if _, err := parse(sub, false); err != nil {
			t.Fatalf("subset does not parse: %v", err)
		}
	})
}

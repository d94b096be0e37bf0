package pdf

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDates(t *testing.T) {
	for _, c := range []struct {
		t        time.Time
		pdf, xmp string
	}{
		{testCreated, "D:20261123123000+03'00'", "2026-11-23T12:30:00+03:00"},
		{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "D:20260102030405+00'00'", "2026-01-02T03:04:05+00:00"},
		{time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", -(9*3600+30*60))), "D:20260102030405-09'30'", "2026-01-02T03:04:05-09:30"},
	} {
		if got := pdfDate(c.t); got != c.pdf {
			t.Errorf("pdfDate = %s, want %s", got, c.pdf)
		}
		if got := xmpDate(c.t); got != c.xmp {
			t.Errorf("xmpDate = %s, want %s", got, c.xmp)
		}
	}
}

func TestTextString(t *testing.T) {
	for in, want := range map[string]string{
		"Title (1)": `(Title \(1\))`,
		`a\b`:       `(a\\b)`,
		"Акт":       "<feff0410043a0442>",
		"😀":         "<feffd83dde00>",
	} {
		if got := textString(in); got != want {
			t.Errorf("textString(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestNum(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 100: "100", 1.5: "1.5", -0.0001: "0", 841.89: "841.89", 2.0004: "2", -3.25: "-3.25"} {
		if got := num(in); got != want {
			t.Errorf("num(%v) = %s, want %s", in, got, want)
		}
	}
}

func TestWrap(t *testing.T) {
	st := Style{Size: 10}
	text := "Съешь же ещё этих мягких французских булок, да выпей чаю"
	width := st.Width("Съешь же ещё этих")
	lines := wrap(text+"\nвторой абзац", st, width)
	if lines[0] != "Съешь же ещё этих" || lines[len(lines)-1] != "второй абзац" {
		t.Errorf("wrap = %q", lines)
	}
	words := strings.Fields(text)
	var got []string
	for i, l := range lines[:len(lines)-1] {
		if st.Width(l) > width {
			t.Errorf("line %q too wide", l)
		}
		got = append(got, strings.Fields(l)...)
		// Greedy: the next word would not have fitted.
		if i+1 < len(lines)-1 && st.Width(l+" "+strings.Fields(lines[i+1])[0]) <= width {
			t.Errorf("line %q could hold the next word", l)
		}
	}
	if strings.Join(got, " ") != strings.Join(words, " ") {
		t.Errorf("wrap lost words: %q", lines)
	}
	// A word wider than the line is broken by characters, each piece fitting.
	long := strings.Repeat("Ж", 40)
	w := st.Width("ЖЖЖЖЖ")
	lines = wrap(long, st, w)
	if strings.Join(lines, "") != long {
		t.Fatalf("broken word loses text: %q", lines)
	}
	for _, l := range lines {
		if st.Width(l) > w+0.001 || l == "" {
			t.Errorf("piece %q is %v wide, limit %v", l, st.Width(l), w)
		}
	}
}

func TestQRTooDense(t *testing.T) {
	d := New(Options{Created: testCreated})
	if err := d.QR(longPayload, Mm(15), Left, QRHigh); !errors.Is(err, ErrQRTooDense) {
		t.Fatalf("err = %v, want ErrQRTooDense", err)
	}
	m, err := MinQRSize(longPayload, QRHigh)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.QR(longPayload, m, Left, QRHigh); err != nil {
		t.Fatalf("at MinQRSize: %v", err)
	}
	if d.Pages() != 1 {
		t.Errorf("%d pages", d.Pages())
	}
}

func TestMissingGlyph(t *testing.T) {
	// DejaVu Sans lacks CJK: the writer shows '?' rather than .notdef.
	d := New(Options{Created: testCreated})
	d.Paragraph("漢", Style{})
	if g := d.use.glyphs[regular]; len(g) != 1 || g[regular.load().GlyphIndex('?')] != '?' {
		t.Fatalf("glyphs used: %v", g)
	}
}

func TestMetadataSanitised(t *testing.T) {
	d := New(Options{Title: "Акт\x01 <№ 1> & \"ко\"\xff", Created: testCreated})
	b := d.Bytes()
	if !bytes.Contains(b, []byte("<rdf:li xml:lang=\"x-default\">Акт &lt;№ 1&gt; &amp; &quot;ко&quot;</rdf:li>")) {
		t.Error("XMP title not escaped")
	}
	if !bytes.Contains(b, []byte("/Title "+textString("Акт <№ 1> & \"ко\""))) {
		t.Error("Info title differs from XMP")
	}
}

func TestZeroOptions(t *testing.T) {
	d := New(Options{})
	d.Paragraph("Привет", Style{})
	checkStructure(t, d.Bytes())
}

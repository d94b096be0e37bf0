package pdf

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/podpis/podpis/pdf/internal/fonts"
	"github.com/podpis/podpis/pdf/internal/ttf"
)

// face is one of the embedded fonts, parsed once per process.
type face struct {
	name string // PostScript name
	res  string // resource name in content streams
	font *ttf.Font
	err  error
	once sync.Once
	data []byte
}

var (
	regular = &face{name: "DejaVuSans", res: "F1", data: fonts.Regular}
	bold    = &face{name: "DejaVuSans-Bold", res: "F2", data: fonts.Bold}
)

func (f *face) load() *ttf.Font {
	f.once.Do(func() { f.font, f.err = ttf.Parse(f.data) })
	if f.err != nil {
		// The fonts are part of the module; failing to read them is a build defect.
		panic("pdf: internal error: embedded font: " + f.err.Error())
	}
	return f.font
}

func faceFor(b bool) *face {
	if b {
		return bold
	}
	return regular
}

// glyph returns the glyph for r, falling back to '?' for characters the
// font lacks (a .notdef glyph may not be shown in PDF/A, ISO 19005-2 §6.2.11.8).
func (f *face) glyph(r rune) (uint16, rune) {
	t := f.load()
	if g := t.GlyphIndex(r); g != 0 {
		return g, r
	}
	return t.GlyphIndex('?'), '?'
}

// width returns the advance of s at the given size in points.
func (f *face) width(s string, size float64) float64 {
	t := f.load()
	var w int
	for _, r := range s {
		g, _ := f.glyph(r)
		w += t.Advance(g)
	}
	return float64(w) * size / float64(t.UnitsPerEm)
}

// fontUse records, for one output, which glyphs of which faces were shown
// and which Unicode text each glyph stands for (for the ToUnicode map).
type fontUse struct {
	glyphs map[*face]map[uint16]rune
}

func newFontUse() *fontUse { return &fontUse{glyphs: map[*face]map[uint16]rune{}} }

// encode returns s as a hex string of 2-byte glyph ids (Identity-H).
func (u *fontUse) encode(f *face, s string) string {
	m := u.glyphs[f]
	if m == nil {
		m = map[uint16]rune{}
		u.glyphs[f] = m
	}
	var b strings.Builder
	b.WriteByte('<')
	for _, r := range s {
		g, rr := f.glyph(r)
		if _, ok := m[g]; !ok {
			m[g] = rr
		}
		fmt.Fprintf(&b, "%04X", g)
	}
	b.WriteByte('>')
	return b.String()
}

func (u *fontUse) faces() []*face {
	var out []*face
	for _, f := range []*face{regular, bold} {
		if u.glyphs[f] != nil {
			out = append(out, f)
		}
	}
	return out
}

// resources returns the /Font resource dictionary for the given object numbers.
func fontResources(faces []*face, nums map[*face]int) string {
	var b strings.Builder
	b.WriteString("/Font <<")
	for _, f := range faces {
		fmt.Fprintf(&b, " /%s %d 0 R", f.res, nums[f])
	}
	b.WriteString(" >>")
	return b.String()
}

// fontObjects returns the objects of a Type 0 font (ISO 32000-1 §9.7):
// the Type0 dictionary (first, numbered n), the CIDFontType2, its
// descriptor, the subset TrueType program, the CIDSet and the ToUnicode
// CMap. alloc gives the numbers of the further objects.
func fontObjects(f *face, used map[uint16]rune, n int, alloc func() int) []Object {
	t := f.load()
	gids := make([]uint16, 0, len(used))
	for g := range used {
		gids = append(gids, g)
	}
	slices.Sort(gids)
	program, kept := t.Subset(gids)

	// Subset tag: six capital letters derived from the glyph set (§9.6.4).
	h := sha256.New()
	h.Write([]byte(f.name))
	for _, g := range gids {
		h.Write([]byte{byte(g >> 8), byte(g)})
	}
	sum := h.Sum(nil)
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + sum[i]%26
	}
	base := string(tag) + "+" + f.name

	cid, desc, file, set, tu := alloc(), alloc(), alloc(), alloc(), alloc()
	scale := 1000 / float64(t.UnitsPerEm)
	var w strings.Builder
	w.WriteString("[")
	for _, g := range gids {
		fmt.Fprintf(&w, " %d [%s]", g, num(float64(t.Advance(g))*scale))
	}
	w.WriteString(" ]")

	cidset := make([]byte, (len(kept)+7)/8)
	for g, k := range kept {
		if k {
			cidset[g/8] |= 0x80 >> (g % 8)
		}
	}

	flags := 32 // nonsymbolic
	if t.FixedPitch {
		flags |= 1
	}
	objs := []Object{
		{n, []byte(fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>", base, cid, tu))},
		{cid, []byte(fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /CIDToGIDMap /Identity /DW 1000 /W %s >>", base, desc, w.String()))},
		{desc, []byte(fmt.Sprintf("<< /Type /FontDescriptor /FontName /%s /Flags %d /FontBBox [%s %s %s %s] /ItalicAngle %s /Ascent %s /Descent %s /CapHeight %s /StemV 80 /FontFile2 %d 0 R /CIDSet %d 0 R >>",
			base, flags, num(float64(t.BBox[0])*scale), num(float64(t.BBox[1])*scale), num(float64(t.BBox[2])*scale), num(float64(t.BBox[3])*scale),
			num(t.ItalicAngle), num(float64(t.Ascent)*scale), num(float64(t.Descent)*scale), num(float64(t.CapHeight)*scale), file, set))},
		streamObj(file, fmt.Sprintf("/Length1 %d", len(program)), program, true),
		streamObj(set, "", cidset, true),
		streamObj(tu, "", toUnicode(gids, used), true),
	}
	return objs
}

// toUnicode builds a ToUnicode CMap (ISO 32000-1 §9.10.3) mapping each
// glyph id to the text it was shown for.
func toUnicode(gids []uint16, used map[uint16]rune) []byte {
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for len(gids) > 0 {
		chunk := gids[:min(100, len(gids))]
		gids = gids[len(chunk):]
		fmt.Fprintf(&b, "%d beginbfchar\n", len(chunk))
		for _, g := range chunk {
			u := textString(string(used[g]))
			if u[0] == '(' { // ASCII: write as UTF-16BE without BOM
				u = fmt.Sprintf("<%04X>", used[g])
			} else {
				u = "<" + strings.ToUpper(u[5:])
			}
			fmt.Fprintf(&b, "<%04X> %s\n", g, u)
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

// Object is an indirect object: Data is what goes between "Num 0 obj" and
// "endobj" (a value, or a stream dictionary followed by its stream).
type Object struct {
	Num  int
	Data []byte
}

func streamObj(n int, dict string, data []byte, compress bool) Object {
	s := streamObject(n, dict, data, compress)
	// Strip the "n 0 obj\n" prefix and "\nendobj\n" suffix.
	s = s[strings.IndexByte(s, '\n')+1 : len(s)-len("\nendobj\n")]
	return Object{n, []byte(s)}
}

// Package ttf reads the parts of a TrueType font that a PDF writer needs
// (metrics, the Unicode cmap, glyph outlines) and writes subsets of it.
//
// References: Apple TrueType Reference Manual and the OpenType specification
// (tables head, hhea, maxp, hmtx, loca, glyf, cmap formats 4 and 12, OS/2,
// post). The parser never panics on malformed input; it returns an error.
package ttf

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrMalformed is returned (wrapped) for any font that cannot be read.
var ErrMalformed = errors.New("ttf: malformed font")

func malformed(what string) error { return fmt.Errorf("%w: %s", ErrMalformed, what) }

// Font is a parsed TrueType font. It keeps a reference to the font bytes.
type Font struct {
	tables map[string][]byte

	UnitsPerEm  int
	NumGlyphs   int
	Ascent      int // hhea ascender, font units
	Descent     int // hhea descender (negative), font units
	CapHeight   int // OS/2 sCapHeight, or Ascent if absent
	ItalicAngle float64
	BBox        [4]int // head xMin, yMin, xMax, yMax
	FixedPitch  bool

	advances []uint16
	loca     []uint32
	cmap     map[rune]uint16
}

// Parse reads a TrueType font (sfnt version 0x00010000 or "true").
func Parse(b []byte) (*Font, error) { return parse(b, true) }

// parse reads a font; withCmap = false accepts fonts without a cmap (as
// the subsets this package writes for PDF, which address glyphs by index).
func parse(b []byte, withCmap bool) (*Font, error) {
	if len(b) < 12 {
		return nil, malformed("short header")
	}
	if v := binary.BigEndian.Uint32(b); v != 0x00010000 && v != 0x74727565 {
		return nil, malformed("not a TrueType font")
	}
	n := int(binary.BigEndian.Uint16(b[4:]))
	if 12+16*n > len(b) {
		return nil, malformed("table directory")
	}
	f := &Font{tables: make(map[string][]byte, n)}
	for i := range n {
		e := b[12+16*i:]
		tag := string(e[:4])
		off := uint64(binary.BigEndian.Uint32(e[8:]))
		ln := uint64(binary.BigEndian.Uint32(e[12:]))
		if off+ln > uint64(len(b)) {
			return nil, malformed("table " + tag + " out of range")
		}
		f.tables[tag] = b[off : off+ln]
	}
	for _, t := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap"} {
		if f.tables[t] == nil && (t != "cmap" || withCmap) {
			return nil, malformed("missing table " + t)
		}
	}
	head := f.tables["head"]
	if len(head) < 54 {
		return nil, malformed("head")
	}
	f.UnitsPerEm = int(binary.BigEndian.Uint16(head[18:]))
	if f.UnitsPerEm == 0 {
		return nil, malformed("unitsPerEm is 0")
	}
	for i := range 4 {
		f.BBox[i] = int(int16(binary.BigEndian.Uint16(head[36+2*i:])))
	}
	longLoca := binary.BigEndian.Uint16(head[50:]) == 1

	maxp := f.tables["maxp"]
	if len(maxp) < 6 {
		return nil, malformed("maxp")
	}
	f.NumGlyphs = int(binary.BigEndian.Uint16(maxp[4:]))
	if f.NumGlyphs == 0 {
		return nil, malformed("no glyphs")
	}

	hhea := f.tables["hhea"]
	if len(hhea) < 36 {
		return nil, malformed("hhea")
	}
	f.Ascent = int(int16(binary.BigEndian.Uint16(hhea[4:])))
	f.Descent = int(int16(binary.BigEndian.Uint16(hhea[6:])))
	nh := int(binary.BigEndian.Uint16(hhea[34:]))
	if nh == 0 || nh > f.NumGlyphs {
		return nil, malformed("numberOfHMetrics")
	}
	hmtx := f.tables["hmtx"]
	if len(hmtx) < 4*nh {
		return nil, malformed("hmtx")
	}
	f.advances = make([]uint16, f.NumGlyphs)
	for g := range f.NumGlyphs {
		i := min(g, nh-1)
		f.advances[g] = binary.BigEndian.Uint16(hmtx[4*i:])
	}

	loca := f.tables["loca"]
	f.loca = make([]uint32, f.NumGlyphs+1)
	glyfLen := uint32(len(f.tables["glyf"]))
	for g := range f.NumGlyphs + 1 {
		var off uint32
		if longLoca {
			if 4*g+4 > len(loca) {
				return nil, malformed("loca")
			}
			off = binary.BigEndian.Uint32(loca[4*g:])
		} else {
			if 2*g+2 > len(loca) {
				return nil, malformed("loca")
			}
			off = 2 * uint32(binary.BigEndian.Uint16(loca[2*g:]))
		}
		if off > glyfLen || (g > 0 && off < f.loca[g-1]) {
			return nil, malformed("loca offsets")
		}
		f.loca[g] = off
	}

	f.CapHeight = f.Ascent
	if os2 := f.tables["OS/2"]; len(os2) >= 90 && binary.BigEndian.Uint16(os2) >= 2 {
		f.CapHeight = int(int16(binary.BigEndian.Uint16(os2[88:])))
	}
	if post := f.tables["post"]; len(post) >= 16 {
		f.ItalicAngle = float64(int32(binary.BigEndian.Uint32(post[4:]))) / 65536
		f.FixedPitch = binary.BigEndian.Uint32(post[12:]) != 0
	}
	if !withCmap {
		return f, nil
	}
	var err error
	if f.cmap, err = parseCmap(f.tables["cmap"], f.NumGlyphs); err != nil {
		return nil, err
	}
	return f, nil
}

// GlyphIndex returns the glyph for r, or 0 (.notdef) if the font lacks it.
func (f *Font) GlyphIndex(r rune) uint16 { return f.cmap[r] }

// Advance returns the advance width of glyph g in font units.
func (f *Font) Advance(g uint16) int {
	if int(g) >= len(f.advances) {
		return 0
	}
	return int(f.advances[g])
}

// glyph returns the outline bytes of glyph g (empty for a blank glyph).
func (f *Font) glyph(g uint16) []byte {
	if int(g) >= f.NumGlyphs {
		return nil
	}
	return f.tables["glyf"][f.loca[g]:f.loca[g+1]]
}

// parseCmap reads the Windows Unicode subtable: format 12 (3,10) if present,
// else format 4 (3,1) or the Unicode platform (0,x).
func parseCmap(b []byte, numGlyphs int) (map[rune]uint16, error) {
	if len(b) < 4 {
		return nil, malformed("cmap")
	}
	n := int(binary.BigEndian.Uint16(b[2:]))
	if 4+8*n > len(b) {
		return nil, malformed("cmap directory")
	}
	var best []byte
	bestRank := 0
	for i := range n {
		e := b[4+8*i:]
		pid, eid := binary.BigEndian.Uint16(e), binary.BigEndian.Uint16(e[2:])
		off := int(binary.BigEndian.Uint32(e[4:]))
		if off+4 > len(b) || off < 0 {
			return nil, malformed("cmap subtable offset")
		}
		st := b[off:]
		format := binary.BigEndian.Uint16(st)
		rank := 0
		switch {
		case format == 12 && (pid == 3 && eid == 10 || pid == 0):
			rank = 3
		case format == 4 && pid == 3 && eid == 1:
			rank = 2
		case format == 4 && pid == 0:
			rank = 1
		}
		if rank > bestRank {
			best, bestRank = st, rank
		}
	}
	if best == nil {
		return nil, malformed("no Unicode cmap")
	}
	m := make(map[rune]uint16)
	if binary.BigEndian.Uint16(best) == 12 {
		if len(best) < 16 {
			return nil, malformed("cmap format 12")
		}
		ng := int(binary.BigEndian.Uint32(best[12:]))
		if ng < 0 || ng > (len(best)-16)/12 {
			return nil, malformed("cmap format 12 groups")
		}
		total := 0
		for i := range ng {
			g := best[16+12*i:]
			start, end, gid := binary.BigEndian.Uint32(g), binary.BigEndian.Uint32(g[4:]), binary.BigEndian.Uint32(g[8:])
			if end < start || end > 0x10FFFF || end-start > 0x10000 {
				return nil, malformed("cmap format 12 group")
			}
			// Bound the work: Unicode has 0x110000 code points.
			if total += int(end-start) + 1; total > 0x110000 {
				return nil, malformed("cmap format 12 too large")
			}
			for c := start; c <= end; c++ {
				if id := gid + (c - start); id < uint32(numGlyphs) {
					m[rune(c)] = uint16(id)
				}
			}
		}
		return m, nil
	}
	if len(best) < 14 {
		return nil, malformed("cmap format 4")
	}
	segX2 := int(binary.BigEndian.Uint16(best[6:]))
	if segX2%2 != 0 || 16+4*segX2 > len(best) {
		return nil, malformed("cmap format 4 segments")
	}
	ends, starts := best[14:], best[16+segX2:]
	deltas, ranges := best[16+2*segX2:], best[16+3*segX2:]
	for i := 0; i < segX2; i += 2 {
		end, start := binary.BigEndian.Uint16(ends[i:]), binary.BigEndian.Uint16(starts[i:])
		delta, ro := binary.BigEndian.Uint16(deltas[i:]), int(binary.BigEndian.Uint16(ranges[i:]))
		if start > end {
			continue
		}
		for c := int(start); c <= int(end) && c != 0xFFFF; c++ {
			var gid uint16
			if ro == 0 {
				gid = uint16(c) + delta
			} else {
				p := 16 + 3*segX2 + i + ro + 2*(c-int(start))
				if p+2 > len(best) {
					return nil, malformed("cmap format 4 glyph array")
				}
				if gid = binary.BigEndian.Uint16(best[p:]); gid != 0 {
					gid += delta
				}
			}
			if gid != 0 && int(gid) < numGlyphs {
				m[rune(c)] = gid
			}
		}
	}
	return m, nil
}

package pdfsign

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// A minimal TrueType reader (Apple TrueType Reference / ISO 14496-22
// "OpenType"): the cmap, advance widths and glyph outlines, so that the
// stamp's text is drawn as filled paths. Outlines need no embedded font
// program, so the appearance meets the font rules of PDF/A (ISO 19005-2
// §6.2.11) by having no font at all; the price is that the stamp's text is
// not searchable.

var errFont = errors.New("pdfsign: unusable TrueType font")

type ttFont struct {
	data       []byte
	tables     map[string][]byte
	unitsPerEm int
	longLoca   bool
	numGlyphs  int
	numHMetric int
	// budget bounds the glyph records read for one glyph, against
	// composite glyphs that refer to each other many times over.
	budget int
}

func be16(b []byte, off int) int {
	if off < 0 || off+2 > len(b) {
		return 0
	}
	return int(binary.BigEndian.Uint16(b[off:]))
}

func be32(b []byte, off int) int {
	if off < 0 || off+4 > len(b) {
		return 0
	}
	return int(binary.BigEndian.Uint32(b[off:]))
}

func parseTrueType(data []byte) (*ttFont, error) {
	f := &ttFont{data: data, tables: map[string][]byte{}}
	n := be16(data, 4)
	for i := range n {
		rec := 12 + 16*i
		if rec+16 > len(data) {
			return nil, errFont
		}
		off, length := be32(data, rec+8), be32(data, rec+12)
		if off < 0 || length < 0 || off+length > len(data) {
			return nil, errFont
		}
		f.tables[string(data[rec:rec+4])] = data[off : off+length]
	}
	for _, t := range []string{"head", "maxp", "hhea", "hmtx", "loca", "glyf", "cmap"} {
		if f.tables[t] == nil {
			return nil, fmt.Errorf("%w: no %s table", errFont, t)
		}
	}
	f.unitsPerEm = be16(f.tables["head"], 18)
	f.longLoca = be16(f.tables["head"], 50) == 1
	f.numGlyphs = be16(f.tables["maxp"], 4)
	f.numHMetric = be16(f.tables["hhea"], 34)
	if f.unitsPerEm == 0 || f.numHMetric == 0 {
		return nil, errFont
	}
	return f, nil
}

// glyph returns the glyph index of r (0, .notdef, when unmapped), from a
// Windows Unicode cmap subtable of format 12 or 4.
func (f *ttFont) glyph(r rune) int {
	cmap := f.tables["cmap"]
	var fmt4 []byte
	for i := range be16(cmap, 2) {
		rec := 4 + 8*i
		pid, eid, off := be16(cmap, rec), be16(cmap, rec+2), be32(cmap, rec+4)
		if off <= 0 || off >= len(cmap) {
			continue
		}
		sub := cmap[off:]
		switch {
		case pid == 3 && eid == 10 && be16(sub, 0) == 12:
			for g := range be32(sub, 12) {
				p := 16 + 12*g
				if p+12 > len(sub) {
					break
				}
				if start, end := be32(sub, p), be32(sub, p+4); int(r) >= start && int(r) <= end {
					return be32(sub, p+8) + int(r) - start
				}
			}
		case (pid == 3 && eid == 1 || pid == 0) && be16(sub, 0) == 4:
			fmt4 = sub
		}
	}
	if fmt4 == nil || r > 0xFFFF {
		return 0
	}
	segs := be16(fmt4, 6) / 2
	for i := range segs {
		end := be16(fmt4, 14+2*i)
		start := be16(fmt4, 16+2*segs+2*i)
		if int(r) > end || int(r) < start {
			continue
		}
		delta := be16(fmt4, 16+4*segs+2*i)
		roPos := 16 + 6*segs + 2*i
		ro := be16(fmt4, roPos)
		if ro == 0 {
			return (int(r) + delta) & 0xFFFF
		}
		g := be16(fmt4, roPos+ro+2*(int(r)-start))
		if g == 0 {
			return 0
		}
		return (g + delta) & 0xFFFF
	}
	return 0
}

func (f *ttFont) advance(g int) int {
	hmtx := f.tables["hmtx"]
	if g >= f.numHMetric {
		g = f.numHMetric - 1
	}
	return be16(hmtx, 4*g)
}

func (f *ttFont) glyphData(g int) []byte {
	if g < 0 || g >= f.numGlyphs {
		return nil
	}
	loca := f.tables["loca"]
	var start, end int
	if f.longLoca {
		start, end = be32(loca, 4*g), be32(loca, 4*g+4)
	} else {
		start, end = 2*be16(loca, 2*g), 2*be16(loca, 2*g+2)
	}
	glyf := f.tables["glyf"]
	if start < 0 || end <= start || end > len(glyf) {
		return nil
	}
	return glyf[start:end]
}

type ttPoint struct {
	x, y int
	on   bool
}

// contours returns glyph g's outline, shifted by (dx, dy); composite glyphs
// are followed to depth 8 (offsets only, no scaling: enough for the accented
// Cyrillic letters of DejaVu).
func (f *ttFont) contours(g, dx, dy, depth int) [][]ttPoint {
	if depth == 0 {
		f.budget = 64
	}
	f.budget--
	b := f.glyphData(g)
	if len(b) < 10 || depth > 8 || f.budget < 0 {
		return nil
	}
	nc := int(int16(be16(b, 0)))
	if nc < 0 {
		var out [][]ttPoint
		p := 10
		for {
			flags, sub := be16(b, p), be16(b, p+2)
			p += 4
			var ax, ay int
			if flags&1 != 0 {
				ax, ay = int(int16(be16(b, p))), int(int16(be16(b, p+2)))
				p += 4
			} else {
				if p+2 > len(b) {
					return out
				}
				ax, ay = int(int8(b[p])), int(int8(b[p+1]))
				p += 2
			}
			switch {
			case flags&0x08 != 0:
				p += 2
			case flags&0x40 != 0:
				p += 4
			case flags&0x80 != 0:
				p += 8
			}
			if flags&2 == 0 {
				ax, ay = 0, 0 // point matching: not used by the fonts we draw
			}
			out = append(out, f.contours(sub, dx+ax, dy+ay, depth+1)...)
			if flags&0x20 == 0 || p >= len(b) {
				return out
			}
		}
	}
	ends := make([]int, nc)
	for i := range ends {
		ends[i] = be16(b, 10+2*i)
	}
	if nc == 0 {
		return nil
	}
	n := ends[nc-1] + 1
	p := 10 + 2*nc
	p += 2 + be16(b, p)
	if n > 1<<14 || p > len(b) {
		return nil
	}
	flags := make([]byte, 0, n)
	for len(flags) < n && p < len(b) {
		fl := b[p]
		p++
		flags = append(flags, fl)
		if fl&8 != 0 && p < len(b) {
			for range int(b[p]) {
				flags = append(flags, fl)
			}
			p++
		}
	}
	if len(flags) < n {
		return nil
	}
	flags = flags[:n]
	pts := make([]ttPoint, n)
	coord := func(short, same byte, set func(i, v int)) {
		v := 0
		for i, fl := range flags {
			switch {
			case fl&short != 0:
				if p < len(b) {
					d := int(b[p])
					p++
					if fl&same == 0 {
						d = -d
					}
					v += d
				}
			case fl&same == 0:
				v += int(int16(be16(b, p)))
				p += 2
			}
			set(i, v)
		}
	}
	coord(0x02, 0x10, func(i, v int) { pts[i].x = v + dx })
	coord(0x04, 0x20, func(i, v int) { pts[i].y = v + dy })
	var out [][]ttPoint
	start := 0
	for _, e := range ends {
		if e < start || e >= n {
			return out
		}
		c := pts[start : e+1]
		for i := range c {
			c[i].on = flags[start+i]&1 != 0
		}
		out = append(out, c)
		start = e + 1
	}
	return out
}

// path writes the outline of one contour in PDF operators, coordinates
// multiplied by 3 so that the cubic control points of each quadratic
// segment, p0 + 2/3(q - p0) and p2 + 2/3(q - p2), are integers.
func writeContour(b *strings.Builder, c []ttPoint) {
	if len(c) == 0 {
		return
	}
	mid := func(a, q ttPoint) ttPoint { return ttPoint{(a.x + q.x) / 2, (a.y + q.y) / 2, true} }
	// Start on an on-curve point (or the midpoint of two off-curve ones).
	first := -1
	for i, p := range c {
		if p.on {
			first = i
			break
		}
	}
	var pts []ttPoint
	if first < 0 {
		start := mid(c[len(c)-1], c[0])
		pts = append([]ttPoint{start}, c...)
	} else {
		pts = append(append([]ttPoint{}, c[first:]...), c[:first]...)
	}
	start := pts[0]
	fmt.Fprintf(b, "%d %d m\n", 3*start.x, 3*start.y)
	cur := start
	pts = append(pts[1:], start)
	for i := 0; i < len(pts); i++ {
		p := pts[i]
		if p.on {
			fmt.Fprintf(b, "%d %d l\n", 3*p.x, 3*p.y)
			cur = p
			continue
		}
		next := pts[(i+1)%len(pts)]
		end := next
		if !next.on {
			end = mid(p, next)
		} else {
			i++
		}
		fmt.Fprintf(b, "%d %d %d %d %d %d c\n", cur.x+2*p.x, cur.y+2*p.y, end.x+2*p.x, end.y+2*p.y, 3*end.x, 3*end.y)
		cur = end
	}
	b.WriteString("h\n")
}

package ttf

import (
	"encoding/binary"
	"slices"
)

// Subset returns a TrueType font holding only the outlines of the given
// glyphs (plus .notdef and the components of composite glyphs). Glyph
// indices are kept, so a PDF CIDFontType2 with CIDToGIDMap /Identity stays
// valid; unused glyphs become empty with zero advance. kept reports which
// glyphs the subset has (for a CIDSet). The result has the tables a PDF
// consumer needs (ISO 32000-1 §9.9): head, hhea, maxp, hmtx,
// loca, glyf and, if present, cvt, fpgm and prep.
func (f *Font) Subset(glyphs []uint16) (font []byte, kept []bool) {
	keep := make([]bool, f.NumGlyphs)
	keep[0] = true
	var stack []uint16
	for _, g := range glyphs {
		if int(g) < f.NumGlyphs && !keep[g] {
			keep[g] = true
			stack = append(stack, g)
		}
	}
	for len(stack) > 0 {
		g := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range components(f.glyph(g)) {
			if int(c) < f.NumGlyphs && !keep[c] {
				keep[c] = true
				stack = append(stack, c)
			}
		}
	}

	var glyf []byte
	loca := make([]byte, 4*(f.NumGlyphs+1))
	hmtx := make([]byte, 4*f.NumGlyphs)
	oldHmtx := f.tables["hmtx"]
	nh := int(binary.BigEndian.Uint16(f.tables["hhea"][34:]))
	for g := range f.NumGlyphs {
		binary.BigEndian.PutUint32(loca[4*g:], uint32(len(glyf)))
		if !keep[g] {
			continue
		}
		glyf = append(glyf, f.glyph(uint16(g))...)
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
		binary.BigEndian.PutUint16(hmtx[4*g:], f.advances[g])
		var lsb []byte
		if g < nh {
			lsb = oldHmtx[4*g+2:]
		} else if p := 4*nh + 2*(g-nh); p+2 <= len(oldHmtx) {
			lsb = oldHmtx[p:]
		}
		if len(lsb) >= 2 {
			copy(hmtx[4*g+2:], lsb[:2])
		}
	}
	binary.BigEndian.PutUint32(loca[4*f.NumGlyphs:], uint32(len(glyf)))

	head := slices.Clone(f.tables["head"])
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment, set below
	binary.BigEndian.PutUint16(head[50:], 1) // long loca
	hhea := slices.Clone(f.tables["hhea"])
	binary.BigEndian.PutUint16(hhea[34:], uint16(f.NumGlyphs))

	tables := map[string][]byte{
		"head": head, "hhea": hhea, "maxp": f.tables["maxp"],
		"hmtx": hmtx, "loca": loca, "glyf": glyf,
	}
	for _, t := range []string{"cvt ", "fpgm", "prep"} {
		if b := f.tables[t]; b != nil {
			tables[t] = b
		}
	}
	out := writeSfnt(tables)
	// checkSumAdjustment: 0xB1B0AFBA minus the checksum of the whole font.
	if i := headOffset(out); i >= 0 {
		binary.BigEndian.PutUint32(out[i+8:], 0xB1B0AFBA-checksum(out))
	}
	return out, keep
}

// components lists the glyphs a composite glyph refers to.
func components(b []byte) []uint16 {
	if len(b) < 10 || int16(binary.BigEndian.Uint16(b)) >= 0 {
		return nil
	}
	var out []uint16
	p := 10
	for p+4 <= len(b) {
		flags := binary.BigEndian.Uint16(b[p:])
		out = append(out, binary.BigEndian.Uint16(b[p+2:]))
		p += 4
		if flags&0x0001 != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&0x0008 != 0:
			p += 2
		case flags&0x0040 != 0:
			p += 4
		case flags&0x0080 != 0:
			p += 8
		}
		if flags&0x0020 == 0 {
			break
		}
	}
	return out
}

func checksum(b []byte) uint32 {
	var s uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		s += binary.BigEndian.Uint32(w[:])
	}
	return s
}

// writeSfnt lays out tables in tag order, each 4-byte aligned.
func writeSfnt(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	n := len(tags)
	es := 1
	for 2*es <= n {
		es *= 2
	}
	log2 := 0
	for 1<<(log2+1) <= es {
		log2++
	}
	hdr := make([]byte, 12+16*n)
	binary.BigEndian.PutUint32(hdr, 0x00010000)
	binary.BigEndian.PutUint16(hdr[4:], uint16(n))
	binary.BigEndian.PutUint16(hdr[6:], uint16(16*es))
	binary.BigEndian.PutUint16(hdr[8:], uint16(log2))
	binary.BigEndian.PutUint16(hdr[10:], uint16(16*(n-es)))
	out := hdr
	for i, t := range tags {
		b := tables[t]
		e := out[12+16*i : 12+16*i+16]
		copy(e, t)
		binary.BigEndian.PutUint32(e[4:], checksum(b))
		binary.BigEndian.PutUint32(e[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(e[12:], uint32(len(b)))
		out = append(out, b...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out
}

func headOffset(font []byte) int {
	n := int(binary.BigEndian.Uint16(font[4:]))
	for i := range n {
		e := font[12+16*i:]
		if string(e[:4]) == "head" {
			return int(binary.BigEndian.Uint32(e[8:]))
		}
	}
	return -1
}

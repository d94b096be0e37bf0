// Package pdfread reads the structure of a PDF file for podpis' signing
// (pdf/pdfsign) and checking (pdf/pdfcheck): the cross-reference sections of
// every revision (ISO 32000-1 §7.5.4, §7.5.6 incremental updates, §7.5.8
// cross-reference streams), the objects they locate (§7.3), object streams
// (§7.5.7) and FlateDecode with PNG predictors (§7.4.4). It is just enough of
// ISO 32000-1 to read the trailer, the catalog, the page tree, form fields,
// annotations, fonts and signature dictionaries, and to write changed
// dictionaries back; it renders nothing.
//
// # Security contract
//
// Every input is public; nothing is constant time. Parsing never panics,
// bounds nesting (64 levels), the /Prev chain (4096 sections) and decoded
// stream sizes (64 MiB); errors are one line and wrap ErrFormat or are
// ErrEncrypted (encrypted files are refused, not decrypted).
package pdfread

import "fmt"

// ObjectAt reads the object numbered num (num < 0: any) at offset off, and
// returns it with the positions of the hexadecimal strings of its
// top-level dictionary by key (for a signature's /Contents).
func (d *Document) ObjectAt(off, num int) (any, map[Name]HexPos, error) {
	o, l, err := d.objectAt(off, num)
	if err != nil {
		return nil, nil, err
	}
	return o, l.hex, nil
}

// Object returns object num, resolved (nil when it does not exist).
func (d *Document) Object(num int) (any, error) { return d.Resolve(Ref{Num: num}) }

// Catalog returns the document catalog (§7.7.2).
func (d *Document) Catalog() (Dict, error) {
	c, err := d.DictOf(d.Trailer["Root"])
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, Errorf("catalog not readable")
	}
	return c, nil
}

// Pages lists the page objects of the page tree (§7.7.3) in order.
func (d *Document) Pages(catalog Dict) ([]Ref, error) {
	var out []Ref
	seen := map[int]bool{}
	var walk func(o any, depth int) error
	walk = func(o any, depth int) error {
		r, ok := o.(Ref)
		if !ok || seen[r.Num] || depth > maxDepth {
			return Errorf("bad page tree")
		}
		seen[r.Num] = true
		n, err := d.DictOf(r)
		if err != nil {
			return err
		}
		if n["Type"] == Name("Page") {
			out = append(out, r)
			return nil
		}
		kids, err := d.Resolve(n["Kids"])
		if err != nil {
			return err
		}
		ka, ok := kids.(Array)
		if !ok {
			return Errorf("bad page tree")
		}
		for _, k := range ka {
			if err := walk(k, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(catalog["Pages"], 0); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, Errorf("no pages")
	}
	return out, nil
}

// TextString decodes a PDF text string (§7.9.2.2): UTF-16BE with a BOM, or
// PDFDocEncoding, read here as Latin-1.
func TextString(b []byte) string {
	if len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF {
		var rs []rune
		for i := 2; i+1 < len(b); i += 2 {
			u := rune(b[i])<<8 | rune(b[i+1])
			if u >= 0xD800 && u < 0xDC00 && i+3 < len(b) {
				lo := rune(b[i+2])<<8 | rune(b[i+3])
				u = 0x10000 + (u-0xD800)<<10 + (lo - 0xDC00)
				i += 2
			}
			rs = append(rs, u)
		}
		return string(rs)
	}
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	return string(rs)
}

// Number returns an integer or real as a float64.
func Number(o any) (float64, bool) {
	switch v := o.(type) {
	case int:
		return float64(v), true
	case Real:
		var f float64
		_, err := fmt.Sscan(string(v), &f)
		return f, err == nil
	}
	return 0, false
}

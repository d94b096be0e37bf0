package pdfread

import (
	"bytes"
	"compress/zlib"
	"io"
)

// Reading the cross-reference sections of every revision (ISO 32000-1
// §7.5.4, §7.5.6 incremental updates, §7.5.8 cross-reference streams).

// Entry locates one object: at Offset in the file, or (InStream) the
// Index-th object of object stream ObjStm.
type Entry struct {
	Offset   int
	InStream bool
	ObjStm   int
	Index    int
}

// Section is one cross-reference section: where it starts and the objects
// it lists (free ones excluded).
type Section struct {
	Offset     int
	Objects    []int
	XRefStream bool // an xref stream, not a table
}

// Document is a parsed PDF: the newest trailer and the newest location of
// every object.
type Document struct {
	Data     []byte
	Trailer  Dict
	Entries  map[int]Entry
	Sections []Section // newest first
	Free     map[int]bool
	cache    map[int]any
}

type (
	entry    = Entry
	section  = Section
	document = Document
)

// maxDecoded bounds a decoded stream, against decompression bombs.
const maxDecoded = 64 << 20

// maxSections bounds the /Prev chain.
const maxSections = 4096

// Parse reads the structure of a PDF: the last startxref, then each
// section by /Prev. ErrEncrypted is returned for an encrypted file; every
// other error wraps ErrFormat.
func Parse(data []byte) (*Document, error) { return parse(data) }

// parse reads the structure of a PDF: the last startxref, then each
// section by /Prev.
func parse(data []byte) (*document, error) {
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return nil, formatErr("no %%PDF- header")
	}
	tail := data[max(0, len(data)-1024):]
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return nil, formatErr("no startxref")
	}
	l := &lexer{buf: tail, pos: i + len("startxref")}
	off, ok := l.integer()
	if !ok {
		return nil, formatErr("bad startxref")
	}
	d := &document{Data: data, Entries: map[int]entry{}, Free: map[int]bool{}, cache: map[int]any{}}
	seen := map[int]bool{}
	for first := true; ; first = false {
		if seen[off] || len(seen) > maxSections {
			return nil, formatErr("cross-reference /Prev loop")
		}
		seen[off] = true
		trailer, err := d.section(off)
		if err != nil {
			return nil, err
		}
		if first {
			d.Trailer = trailer
		}
		// A hybrid file's table names an xref stream too (§7.5.8.4).
		if x, ok := trailer["XRefStm"].(int); ok && !seen[x] {
			seen[x] = true
			if _, err := d.section(x); err != nil {
				return nil, err
			}
		}
		prev, ok := trailer["Prev"].(int)
		if !ok {
			break
		}
		off = prev
	}
	if _, ok := d.Trailer["Encrypt"]; ok {
		return nil, ErrEncrypted
	}
	if _, ok := d.Trailer["Root"].(ref); !ok {
		return nil, formatErr("trailer without /Root")
	}
	return d, nil
}

// add records an entry unless a newer section already did.
func (d *document) add(s *section, num int, e entry, free bool) {
	if _, ok := d.Entries[num]; ok || d.Free[num] {
		return
	}
	if free {
		d.Free[num] = true
		return
	}
	d.Entries[num] = e
	s.Objects = append(s.Objects, num)
}

func (d *document) section(off int) (dict, error) {
	if off < 0 || off >= len(d.Data) {
		return nil, formatErr("cross-reference offset %d out of range", off)
	}
	l := &lexer{buf: d.Data, pos: off}
	s := section{Offset: off}
	if !l.expect("xref") {
		tr, err := d.xrefStream(off, &s)
		d.Sections = append(d.Sections, s)
		return tr, err
	}
	for {
		if l.expect("trailer") {
			t, err := l.object(0)
			if err != nil {
				return nil, err
			}
			tr, ok := t.(dict)
			if !ok {
				return nil, formatErr("trailer is no dictionary")
			}
			d.Sections = append(d.Sections, s)
			return tr, nil
		}
		start, ok1 := l.integer()
		count, ok2 := l.integer()
		if !ok1 || !ok2 || count > len(d.Data)/18 {
			return nil, formatErr("bad cross-reference table at offset %d", l.pos)
		}
		for i := range count {
			o, ok1 := l.integer()
			_, ok2 := l.integer()
			l.skip()
			kind := string(l.regular())
			if !ok1 || !ok2 || (kind != "n" && kind != "f") {
				return nil, formatErr("bad cross-reference entry at offset %d", l.pos)
			}
			if start+i == 0 {
				continue
			}
			d.add(&s, start+i, entry{Offset: o}, kind == "f")
		}
	}
}

func (d *document) xrefStream(off int, s *section) (dict, error) {
	s.XRefStream = true
	o, _, err := d.objectAt(off, -1)
	st, ok := o.(stream)
	if err != nil || !ok || st.Dict["Type"] != name("XRef") {
		return nil, formatErr("no cross-reference table or stream at offset %d (the cross-reference data is damaged)", off)
	}
	data, err := d.Decode(st)
	if err != nil {
		return nil, err
	}
	w, ok := st.Dict["W"].(array)
	if !ok || len(w) != 3 {
		return nil, formatErr("xref stream without /W")
	}
	var ws [3]int
	width := 0
	for i := range ws {
		ws[i], _ = w[i].(int)
		if ws[i] < 0 || ws[i] > 8 {
			return nil, formatErr("bad xref stream /W")
		}
		width += ws[i]
	}
	size, _ := st.Dict["Size"].(int)
	index := array{0, size}
	if x, ok := st.Dict["Index"].(array); ok {
		index = x
	}
	pos := 0
	for i := 0; i+1 < len(index); i += 2 {
		start, _ := index[i].(int)
		count, _ := index[i+1].(int)
		if width == 0 || count < 0 || count > len(data)/width {
			return nil, formatErr("bad xref stream /Index")
		}
		for j := range count {
			if pos+width > len(data) {
				return nil, formatErr("xref stream too short")
			}
			var f [3]int
			for k := range f {
				if ws[k] == 0 && k == 0 {
					f[k] = 1
				}
				for range ws[k] {
					f[k] = f[k]<<8 | int(data[pos])
					pos++
				}
			}
			num := start + j
			if num == 0 {
				continue
			}
			switch f[0] {
			case 0:
				d.add(s, num, entry{}, true)
			case 1:
				d.add(s, num, entry{Offset: f[1]}, false)
			case 2:
				d.add(s, num, entry{InStream: true, ObjStm: f[1], Index: f[2]}, false)
			}
		}
	}
	return st.Dict, nil
}

// objectAt parses "num gen obj … endobj" at off; want < 0 accepts any number.
func (d *document) objectAt(off, want int) (any, *lexer, error) {
	if off < 0 || off >= len(d.Data) {
		return nil, nil, formatErr("object offset %d out of range", off)
	}
	l := &lexer{buf: d.Data, pos: off, hex: map[name]hexPos{}}
	num, ok1 := l.integer()
	_, ok2 := l.integer()
	if !ok1 || !ok2 || !l.expect("obj") || (want >= 0 && num != want) {
		return nil, nil, formatErr("object %d not found at offset %d", want, off)
	}
	o, err := l.object(0)
	if err != nil {
		return nil, nil, err
	}
	dc, ok := o.(dict)
	if !ok || !l.expect("stream") {
		return o, l, nil
	}
	// The EOL after "stream" is CRLF or LF (§7.3.8.1).
	if l.pos < len(l.buf) && l.buf[l.pos] == '\r' {
		l.pos++
	}
	if l.pos < len(l.buf) && l.buf[l.pos] == '\n' {
		l.pos++
	}
	n, ok := dc["Length"].(int)
	if r, isRef := dc["Length"].(ref); isRef && r.Num != num {
		if v, err := d.Resolve(r); err == nil {
			n, ok = v.(int)
		}
	}
	if !ok || n < 0 || l.pos+n > len(l.buf) {
		// A wrong /Length: fall back to endstream.
		e := bytes.Index(l.buf[l.pos:], []byte("endstream"))
		if e < 0 {
			return nil, nil, formatErr("unterminated stream at offset %d", off)
		}
		n = e
	}
	raw := l.buf[l.pos : l.pos+n]
	l.pos += n
	return stream{Dict: dc, Raw: raw}, l, nil
}

// Resolve follows references to a direct object (nil when missing, §7.3.10).
func (d *Document) Resolve(o any) (any, error) {
	for range 32 {
		r, ok := o.(ref)
		if !ok {
			return o, nil
		}
		if v, ok := d.cache[r.Num]; ok {
			o = v
			continue
		}
		e, ok := d.Entries[r.Num]
		if !ok {
			return nil, nil
		}
		var err error
		if e.InStream {
			o, err = d.fromObjectStream(e)
		} else {
			o, _, err = d.objectAt(e.Offset, r.Num)
		}
		if err != nil {
			return nil, err
		}
		d.cache[r.Num] = o
	}
	return nil, formatErr("reference loop")
}

// DictOf resolves o to a dictionary (a stream's dictionary for a stream);
// nil when o is missing or null.
func (d *Document) DictOf(o any) (dict, error) {
	v, err := d.Resolve(o)
	if err != nil {
		return nil, err
	}
	if s, ok := v.(stream); ok {
		return s.Dict, nil
	}
	dc, _ := v.(dict)
	return dc, nil
}

func (d *document) fromObjectStream(e entry) (any, error) {
	if de, ok := d.Entries[e.ObjStm]; !ok || de.InStream {
		return nil, formatErr("object stream %d not found", e.ObjStm)
	}
	o, _, err := d.objectAt(d.Entries[e.ObjStm].Offset, e.ObjStm)
	if err != nil {
		return nil, err
	}
	st, ok := o.(stream)
	if !ok {
		return nil, formatErr("object %d is no object stream", e.ObjStm)
	}
	data, err := d.Decode(st)
	if err != nil {
		return nil, err
	}
	n, _ := st.Dict["N"].(int)
	first, _ := st.Dict["First"].(int)
	if e.Index < 0 || e.Index >= n || first < 0 || first > len(data) {
		return nil, formatErr("bad object stream %d", e.ObjStm)
	}
	l := &lexer{buf: data}
	var rel int
	for i := 0; i <= e.Index; i++ {
		_, ok1 := l.integer()
		r, ok2 := l.integer()
		if !ok1 || !ok2 {
			return nil, formatErr("bad object stream %d header", e.ObjStm)
		}
		rel = r
	}
	if first+rel >= len(data) {
		return nil, formatErr("bad object stream %d offset", e.ObjStm)
	}
	l = &lexer{buf: data, pos: first + rel}
	return l.object(0)
}

// Decode undoes FlateDecode with the PNG predictors (§7.4.4); other filters
// are not needed for the structures read here.
func (d *Document) Decode(st stream) ([]byte, error) {
	filter := st.Dict["Filter"]
	if a, ok := filter.(array); ok && len(a) == 1 {
		filter = a[0]
	}
	switch filter {
	case nil:
		return st.Raw, nil
	case name("FlateDecode"):
	default:
		return nil, formatErr("unsupported stream filter %v", filter)
	}
	zr, err := zlib.NewReader(bytes.NewReader(st.Raw))
	if err != nil {
		return nil, formatErr("bad FlateDecode stream: %v", err)
	}
	data, err := io.ReadAll(io.LimitReader(zr, maxDecoded+1))
	if err != nil && len(data) == 0 {
		return nil, formatErr("bad FlateDecode stream: %v", err)
	}
	if len(data) > maxDecoded {
		return nil, formatErr("stream too large when decoded")
	}
	parms, _ := d.DictOf(st.Dict["DecodeParms"])
	if a, ok := st.Dict["DecodeParms"].(array); ok && len(a) == 1 {
		parms, _ = d.DictOf(a[0])
	}
	pred, _ := parms["Predictor"].(int)
	if pred < 10 {
		return data, nil
	}
	cols, ok := parms["Columns"].(int)
	if !ok {
		cols = 1
	}
	if cols <= 0 || cols > 1<<16 {
		return nil, formatErr("bad predictor /Columns")
	}
	out := make([]byte, 0, len(data))
	prev := make([]byte, cols)
	for i := 0; i+cols+1 <= len(data); i += cols + 1 {
		row := data[i+1 : i+1+cols]
		cur := make([]byte, cols)
		for j := range row {
			var left, up, ul byte
			up = prev[j]
			if j > 0 {
				left = cur[j-1]
				ul = prev[j-1]
			}
			switch data[i] {
			case 0:
				cur[j] = row[j]
			case 1:
				cur[j] = row[j] + left
			case 2:
				cur[j] = row[j] + up
			case 3:
				cur[j] = row[j] + byte((int(left)+int(up))/2)
			case 4:
				cur[j] = row[j] + paeth(left, up, ul)
			default:
				return nil, formatErr("bad PNG predictor %d", data[i])
			}
		}
		out = append(out, cur...)
		prev = cur
	}
	return out, nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	if pa <= pb && pa <= pc {
		return a
	}
	if pb <= pc {
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// StartXref returns the offset the last startxref of data names.
func StartXref(data []byte) int {
	i := bytes.LastIndex(data, []byte("startxref"))
	if i < 0 {
		return -1
	}
	l := &lexer{buf: data, pos: i + len("startxref")}
	n, _ := l.integer()
	return n
}

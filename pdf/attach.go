package pdf

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file adds associated files (ISO 32000-2 §14.13, ISO 19005-3 §6.8):
// files embedded in the PDF and tied to the document by the catalog's /AF
// array. PDF/A-2 allows only PDF/A files as attachments (PDFA2B.md §1
// "Embedded files"), so a document with associated files is declared
// PDF/A-3b (pdfaid:part 3, conformance B). Nothing else about the file
// changes: the same fonts, output intent, metadata and pages.

// AttachedFile is a file embedded as an associated file.
type AttachedFile struct {
	// Name is the file name, written to the file specification's /F (as
	// ASCII, other characters replaced by '_') and /UF (as Unicode).
	Name string
	// Description is the file specification's /Desc, shown by readers.
	Description string
	// MIME is the media type, e.g. "application/xml" (ISO 19005-3 §6.8
	// requires /Subtype on the embedded file stream).
	MIME string
	// Relationship is /AFRelationship: Source, Data, Alternative,
	// Supplement or Unspecified (ISO 32000-2 Table 43); "" means
	// Unspecified.
	Relationship string
	// Data are the file's bytes, embedded unchanged (Flate-compressed in
	// the stream, which decodes back to exactly these bytes).
	Data []byte
	// Modified is /Params /ModDate; zero means the document's creation time.
	Modified time.Time
}

var relationships = []string{"Source", "Data", "Alternative", "Supplement", "Unspecified"}

var mimeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$`)

// WriteToAttached writes the document as WriteTo does, with files embedded
// as associated files: each gets an embedded file stream (/Type
// /EmbeddedFile, /Subtype the MIME type, /Params with /Size, /ModDate and
// /CheckSum) and a file specification (/F, /UF, /Desc, /AFRelationship,
// /EF), listed in the catalog's /AF array and in the /EmbeddedFiles name
// tree; the XMP says pdfaid:part 3. With no files it is WriteTo.
func (d *Document) WriteToAttached(w io.Writer, files []AttachedFile) (int64, error) {
	if len(files) == 0 {
		return d.WriteTo(w)
	}
	names := map[string]bool{}
	for _, f := range files {
		if f.Name == "" || names[f.Name] {
			return 0, fmt.Errorf("pdf: attached file name %q empty or repeated", f.Name)
		}
		names[f.Name] = true
		if !mimeRE.MatchString(f.MIME) {
			return 0, fmt.Errorf("pdf: attached file %s: MIME type %q is not type/subtype", f.Name, f.MIME)
		}
		if f.Relationship != "" && !slices.Contains(relationships, f.Relationship) {
			return 0, fmt.Errorf("pdf: attached file %s: /AFRelationship %q is not one of %v", f.Name, f.Relationship, relationships)
		}
	}
	var base bytes.Buffer
	if _, err := d.WriteTo(&base); err != nil {
		return 0, err
	}
	out, err := d.attach(base.Bytes(), files)
	if err != nil {
		return 0, err
	}
	n, err := w.Write(out)
	return int64(n), err
}

var (
	startxrefRE = regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`)
	rootRE      = regexp.MustCompile(`/Root (\d+) 0 R /Info (\d+) 0 R`)
	metadataRE  = regexp.MustCompile(`/Metadata (\d+) 0 R`)
)

// attach rewrites file, a single-revision PDF this package wrote, with a
// new catalog and metadata stream and the attachments appended, and a new
// cross-reference table: one revision, no incremental update.
func (d *Document) attach(file []byte, files []AttachedFile) ([]byte, error) {
	m := startxrefRE.FindSubmatch(file)
	if m == nil {
		return nil, errors.New("pdf: internal error: no startxref")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	tail := file[xref:]
	var size int
	if _, err := fmt.Sscanf(string(tail), "xref\n0 %d\n", &size); err != nil {
		return nil, fmt.Errorf("pdf: internal error: xref: %w", err)
	}
	entries := tail[bytes.IndexByte(tail[5:], '\n')+6:]
	offsets := make([]int, size) // offsets[n] of object n; [0] unused
	for n := 1; n < size; n++ {
		e := entries[20*n : 20*n+10]
		offsets[n], _ = strconv.Atoi(string(e))
	}
	rm := rootRE.FindSubmatch(tail)
	if rm == nil {
		return nil, errors.New("pdf: internal error: no /Root in the trailer")
	}
	root, _ := strconv.Atoi(string(rm[1]))
	info, _ := strconv.Atoi(string(rm[2]))

	// Objects in file order, each from its offset to the next one's.
	order := make([]int, 0, size-1)
	for n := 1; n < size; n++ {
		order = append(order, n)
	}
	slices.SortFunc(order, func(a, b int) int { return offsets[a] - offsets[b] })
	body := func(n int) []byte {
		i := slices.Index(order, n)
		end := xref
		if i+1 < len(order) {
			end = offsets[order[i+1]]
		}
		return file[offsets[n]:end]
	}

	cat := body(root)
	mm := metadataRE.FindSubmatch(cat)
	if mm == nil {
		return nil, errors.New("pdf: internal error: no /Metadata in the catalog")
	}
	meta, _ := strconv.Atoi(string(mm[1]))
	dictEnd := bytes.LastIndex(cat, []byte(" >>\nendobj"))
	if dictEnd < 0 {
		return nil, errors.New("pdf: internal error: catalog layout")
	}

	// New objects: an embedded file stream and a file specification per file.
	next := size
	var extra bytes.Buffer
	extraOff := map[int]int{} // object number → offset inside extra
	var af, tree []string
	sorted := slices.Clone(files)
	slices.SortFunc(sorted, func(a, b AttachedFile) int { return strings.Compare(a.Name, b.Name) })
	for _, f := range sorted {
		ef, spec := next, next+1
		next += 2
		mod := f.Modified
		if mod.IsZero() {
			mod = d.created
		}
		sum := md5.Sum(f.Data) // /CheckSum is MD5 by definition (ISO 32000-1 Table 46)
		extraOff[ef] = extra.Len()
		extra.WriteString(streamObject(ef, fmt.Sprintf("/Type /EmbeddedFile /Subtype %s /Params << /Size %d /ModDate %s /CheckSum <%s> >>",
			pdfName(f.MIME), len(f.Data), textString(pdfDate(mod)), hex.EncodeToString(sum[:])), f.Data, true))
		rel := f.Relationship
		if rel == "" {
			rel = "Unspecified"
		}
		desc := ""
		if f.Description != "" {
			desc = " /Desc " + textString(f.Description)
		}
		extraOff[spec] = extra.Len()
		fmt.Fprintf(&extra, "%d 0 obj\n<< /Type /Filespec /F %s /UF %s%s /AFRelationship /%s /EF << /F %d 0 R /UF %d 0 R >> >>\nendobj\n",
			spec, textString(asciiName(f.Name)), textString(f.Name), desc, rel, ef, ef)
		af = append(af, fmt.Sprintf("%d 0 R", spec))
		tree = append(tree, fmt.Sprintf("%s %d 0 R", textString(f.Name), spec))
	}

	newCat := fmt.Sprintf("%s /AF [%s] /Names << /EmbeddedFiles << /Names [%s] >> >> >>\nendobj\n",
		cat[:dictEnd], strings.Join(af, " "), strings.Join(tree, " "))
	xmp := bytes.Replace(xmpPacket(&d.opts, d.created), []byte("<pdfaid:part>2</pdfaid:part>"), []byte("<pdfaid:part>3</pdfaid:part>"), 1)
	newMeta := streamObject(meta, "/Type /Metadata /Subtype /XML", xmp, false)

	ow := &objWriter{offsets: make([]int, next-1)}
	ow.buf.Grow(len(file) + extra.Len())
	ow.buf.Write(file[:offsets[order[0]]])
	for _, n := range order {
		ow.offsets[n-1] = ow.buf.Len()
		switch n {
		case root:
			ow.buf.WriteString(newCat)
		case meta:
			ow.buf.WriteString(newMeta)
		default:
			ow.buf.Write(body(n))
		}
	}
	start := ow.buf.Len()
	ow.buf.Write(extra.Bytes())
	for n, off := range extraOff {
		ow.offsets[n-1] = start + off
	}
	id := d.opts.ID
	if id == nil {
		s := sha256.Sum256(ow.buf.Bytes())
		id = s[:16]
	}
	return ow.finish(root, info, id), nil
}

// pdfName writes s as a PDF name object, with every byte outside the
// regular characters as #xx (ISO 32000-1 §7.3.5): "application/xml"
// becomes /application#2Fxml.
func pdfName(s string) string {
	var b strings.Builder
	b.WriteByte('/')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '!' || c > '~' || strings.IndexByte("#%()<>[]{}/", c) >= 0 {
			fmt.Fprintf(&b, "#%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// asciiName is the /F form of a file name: printable ASCII, the rest '_'.
func asciiName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7E {
			return '_'
		}
		return r
	}, s)
}

// PageAt returns page i (0-based) of the document, for drawing on a page
// the flow has already left (a footer, say); nil when out of range.
func (d *Document) PageAt(i int) *Page {
	if i < 0 || i >= len(d.pages) {
		return nil
	}
	return d.pages[i]
}

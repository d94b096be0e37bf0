package pdf

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/podpis/podpis/pdf/internal/icc"
)

// A4 page size in points (1/72 inch).
const (
	A4Width  = 595.276
	A4Height = 841.89
)

// MaxSize is the portal's limit for a PDF file: 5 MB.
const MaxSize = 5 << 20

// Mm converts millimetres to points.
func Mm(mm float64) float64 { return mm * 72 / 25.4 }

// Options configures a document. The zero value is usable: an A4 document
// with 20 mm margins, created now, with an ID derived from its content.
type Options struct {
	Title, Author, Subject, Keywords string
	Creator                          string // the application; XMP xmp:CreatorTool
	Lang                             string // catalog /Lang; default "ru-RU"

	// Created is the creation (and modification) time, written with its
	// zone offset. Zero means time.Now(); set it for reproducible output.
	Created time.Time
	// ID is the trailer /ID (ISO 32000-1 §14.4). Nil means a SHA-256
	// digest of the document body, so equal inputs give equal files.
	ID []byte

	// Margin is the page margin in points on every side; 0 means 20 mm.
	Margin float64
	// PageNumbers prints «Страница N из M» at the foot of every page.
	PageNumbers bool
}

// Document is a PDF/A-2b document being laid out. Add content with the
// flow methods (Paragraph, Table, QR, Stamp …) or draw on a Page directly,
// then call WriteTo. A Document is not safe for concurrent use.
type Document struct {
	opts    Options
	created time.Time
	pages   []*Page
	use     *fontUse
	images  []*Image // in order of first use: /Im1, /Im2 …
	y       float64  // flow cursor: distance from the top of the current page
}

// New starts a document with one empty page.
func New(o Options) *Document {
	if o.Margin == 0 {
		o.Margin = Mm(20)
	}
	if o.Lang == "" {
		o.Lang = "ru-RU"
	}
	// Metadata strings go to XMP too: drop what XML 1.0 cannot carry, so
	// Info and XMP stay equal.
	for _, p := range []*string{&o.Title, &o.Author, &o.Subject, &o.Keywords, &o.Creator, &o.Lang} {
		*p = strings.Map(func(r rune) rune {
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF || r == utf8.RuneError {
				return -1
			}
			return r
		}, *p)
	}
	d := &Document{opts: o, created: o.Created, use: newFontUse()}
	if d.created.IsZero() {
		d.created = time.Now()
	}
	d.created = d.created.Truncate(time.Second)
	d.NewPage()
	return d
}

// Page is one A4 page. Coordinates are in points from the top-left corner
// of the page, y growing downwards.
type Page struct {
	doc     *Document
	content bytes.Buffer
}

// NewPage appends a page and moves the flow cursor to its top margin.
func (d *Document) NewPage() *Page {
	p := &Page{doc: d}
	d.pages = append(d.pages, p)
	d.y = d.opts.Margin
	return p
}

// Page returns the current (last) page.
func (d *Document) Page() *Page { return d.pages[len(d.pages)-1] }

// Pages returns the number of pages.
func (d *Document) Pages() int { return len(d.pages) }

// Bytes returns the document as a PDF file.
func (d *Document) Bytes() []byte {
	var b bytes.Buffer
	d.WriteTo(&b)
	return b.Bytes()
}

// WriteTo writes the PDF file to w and returns its size. Calling it twice
// writes the same bytes.
func (d *Document) WriteTo(w io.Writer) (int64, error) {
	var footers [][]byte
	if d.opts.PageNumbers {
		for i := range d.pages {
			footers = append(footers, d.footer(i))
		}
	}

	ow := &objWriter{}
	ow.buf.WriteString(header)
	catalog, pagesN, meta, info, profile := ow.alloc(), ow.alloc(), ow.alloc(), ow.alloc(), ow.alloc()

	faces := d.use.faces()
	fontNums := map[*face]int{}
	for _, f := range faces {
		fontNums[f] = ow.alloc()
	}
	var xobj strings.Builder
	imageNums := make([]int, len(d.images))
	for i := range d.images {
		imageNums[i] = ow.alloc()
		fmt.Fprintf(&xobj, " /Im%d %d 0 R", i+1, imageNums[i])
	}
	resources := "<< " + fontResources(faces, fontNums)
	if len(d.images) > 0 {
		resources += " /XObject <<" + xobj.String() + " >>"
	}
	resources += " >>"

	var kids []string
	for i, p := range d.pages {
		pn, cn := ow.alloc(), ow.alloc()
		kids = append(kids, fmt.Sprintf("%d 0 R", pn))
		ow.obj(pn, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Resources %s /Contents %d 0 R >>",
			pagesN, num(A4Width), num(A4Height), resources, cn))
		data := p.content.Bytes()
		if footers != nil {
			data = append(append([]byte(nil), data...), footers[i]...)
		}
		ow.stream(cn, "", data, true)
	}
	for i, im := range d.images {
		ow.put(im.object(imageNums[i]))
	}
	for _, f := range faces {
		for _, o := range fontObjects(f, d.use.glyphs[f], fontNums[f], ow.alloc) {
			ow.put(o)
		}
	}

	ow.obj(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R /Metadata %d 0 R /Lang %s "+
		"/OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB IEC61966-2.1) "+
		"/Info (sRGB IEC61966-2.1) /DestOutputProfile %d 0 R >>] >>", pagesN, meta, textString(d.opts.Lang), profile))
	ow.obj(pagesN, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(d.pages)))
	// XMP stays uncompressed (PDFA2B.md §1 "Metadata").
	ow.stream(meta, "/Type /Metadata /Subtype /XML", xmpPacket(&d.opts, d.created), false)
	ow.obj(info, infoDict(&d.opts, d.created))
	ow.offsets[profile-1] = ow.buf.Len()
	ow.buf.WriteString(iccObject(profile))

	id := d.opts.ID
	if id == nil {
		s := sha256.Sum256(ow.buf.Bytes())
		id = s[:16]
	}
	out := ow.finish(catalog, info, id)
	n, err := w.Write(out)
	return int64(n), err
}

// footer draws the page number of page i (0-based) at the foot of the page.
func (d *Document) footer(i int) []byte {
	p := &Page{doc: d}
	s := fmt.Sprintf("Страница %d из %d", i+1, len(d.pages))
	st := Style{Size: 8, Color: Gray}
	w := regular.width(s, 8)
	p.Text((A4Width-w)/2, A4Height-d.opts.Margin/2, s, st)
	return p.content.Bytes()
}

var (
	iccOnce sync.Once
	iccData []byte // the Flate-compressed profile, computed once
)

// iccObject returns the output intent's ICC profile stream as object n.
func iccObject(n int) string {
	iccOnce.Do(func() { iccData = deflate(icc.SRGB) })
	return fmt.Sprintf("%d 0 obj\n<< /N 3 /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream\nendobj\n", n, len(iccData), iccData)
}

package pdf

import (
	"fmt"
	"io"
)

// Color is a DeviceRGB colour, components in 0…1 (the sRGB output intent
// makes device colour legal in PDF/A, PDFA2B.md §1 "Colour").
type Color struct{ R, G, B float64 }

// Colours used by the layout helpers.
var (
	Black = Color{}
	Gray  = Color{0.4, 0.4, 0.4}
	Blue  = Color{0.1, 0.2, 0.6}
)

// Align is horizontal text alignment.
type Align int

// Alignments.
const (
	Left Align = iota
	Center
	Right
)

// Style describes text. The zero value is 11 pt regular black, left
// aligned, with a line height of 1.3 × size.
type Style struct {
	Size    float64 // points; 0 means 11
	Bold    bool
	Align   Align
	Color   Color
	Leading float64 // line height as a multiple of Size; 0 means 1.3
}

func (s Style) size() float64 {
	if s.Size <= 0 {
		return 11
	}
	return s.Size
}

func (s Style) lineHeight() float64 {
	if s.Leading <= 0 {
		return 1.3 * s.size()
	}
	return s.Leading * s.size()
}

func (s Style) face() *face { return faceFor(s.Bold) }

// Width returns the width of s in points set in style st.
func (st Style) Width(s string) float64 { return st.face().width(s, st.size()) }

// canvas is a content stream plus the font usage it records; Page and
// the stamp's Form XObject both draw on one.
type canvas interface {
	io.Writer
	fonts() *fontUse
	height() float64
}

// Write appends raw content-stream operators (ISO 32000-1 §8–9) to the
// page, for drawing the layout API lacks. The caller keeps them PDF/A-2b:
// DeviceRGB or DeviceGray colour, no fonts or resources of its own.
func (p *Page) Write(b []byte) (int, error) { return p.content.Write(b) }
func (p *Page) fonts() *fontUse             { return p.doc.use }
func (p *Page) height() float64             { return A4Height }

// Text draws s with its baseline at (x, y), left edge at x.
func (p *Page) Text(x, y float64, s string, st Style) { drawText(p, x, y, s, st) }

// Line draws a line of the given width.
func (p *Page) Line(x1, y1, x2, y2, width float64, c Color) { drawLine(p, x1, y1, x2, y2, width, c) }

// Rect strokes the outline of a rectangle with top-left corner (x, y).
func (p *Page) Rect(x, y, w, h, width float64, c Color) { drawRect(p, x, y, w, h, width, c) }

// FillRect fills a rectangle with top-left corner (x, y).
func (p *Page) FillRect(x, y, w, h float64, c Color) {
	fmt.Fprintf(p, "%s %s %s rg %s %s %s %s re f\n", num(c.R), num(c.G), num(c.B),
		num(x), num(A4Height-y-h), num(w), num(h))
}

func drawText(c canvas, x, y float64, s string, st Style) {
	if s == "" {
		return
	}
	f := st.face()
	fmt.Fprintf(c, "BT %s %s %s rg /%s %s Tf %s %s Td %s Tj ET\n",
		num(st.Color.R), num(st.Color.G), num(st.Color.B), f.res, num(st.size()),
		num(x), num(c.height()-y), c.fonts().encode(f, s))
}

func drawLine(c canvas, x1, y1, x2, y2, width float64, col Color) {
	h := c.height()
	fmt.Fprintf(c, "%s w %s %s %s RG %s %s m %s %s l S\n", num(width), num(col.R), num(col.G), num(col.B),
		num(x1), num(h-y1), num(x2), num(h-y2))
}

func drawRect(c canvas, x, y, w, hh, width float64, col Color) {
	h := c.height()
	fmt.Fprintf(c, "%s w %s %s %s RG %s %s %s %s re S\n", num(width), num(col.R), num(col.G), num(col.B),
		num(x), num(h-y-hh), num(w), num(hh))
}

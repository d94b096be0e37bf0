package pdf

import (
	"strings"
	"unicode/utf8"
)

// wrap breaks s into lines no wider than width: at spaces where possible,
// inside a word only when the word alone is too wide. "\n" forces a break.
func wrap(s string, st Style, width float64) []string {
	var out []string
	for para := range strings.SplitSeq(s, "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		line := ""
		for _, w := range words {
			cand := w
			if line != "" {
				cand = line + " " + w
			}
			if st.Width(cand) <= width {
				line = cand
				continue
			}
			if line != "" {
				out = append(out, line)
				line = ""
			}
			// The word alone may still be too wide: break it by characters.
			for st.Width(w) > width {
				cut := 0
				for i := range w {
					if i > 0 && st.Width(w[:i]) > width {
						break
					}
					cut = i
				}
				if cut == 0 {
					_, cut = utf8.DecodeRuneInString(w)
				}
				out = append(out, w[:cut])
				w = w[cut:]
			}
			line = w
		}
		out = append(out, line)
	}
	return out
}

// drawLines draws lines in a box of the given width whose top is at y and
// returns the height used. Each line box is st.lineHeight() tall with the
// cap height centred in it.
func drawLines(c canvas, x, y, width float64, lines []string, st Style) float64 {
	lh := st.lineHeight()
	for i, l := range lines {
		drawText(c, alignX(x, width, l, st), baseline(y+float64(i)*lh, st), l, st)
	}
	return float64(len(lines)) * lh
}

func baseline(top float64, st Style) float64 {
	return top + (st.lineHeight()+0.72*st.size())/2
}

func alignX(x, width float64, l string, st Style) float64 {
	switch st.Align {
	case Center:
		return x + (width-st.Width(l))/2
	case Right:
		return x + width - st.Width(l)
	}
	return x
}

// ContentWidth is the width between the margins.
func (d *Document) ContentWidth() float64 { return A4Width - 2*d.opts.Margin }

// Y returns the flow cursor: the distance from the top of the current page
// at which the next flow element starts.
func (d *Document) Y() float64 { return d.y }

// SetY moves the flow cursor on the current page.
func (d *Document) SetY(y float64) { d.y = y }

// Margin returns the page margin in points.
func (d *Document) Margin() float64 { return d.opts.Margin }

// ensure starts a new page unless h points fit above the bottom margin.
func (d *Document) ensure(h float64) {
	if d.y+h > A4Height-d.opts.Margin && d.y > d.opts.Margin {
		d.NewPage()
	}
}

// Paragraph adds text wrapped to the content width, breaking pages
// between lines as needed.
func (d *Document) Paragraph(s string, st Style) {
	lh := st.lineHeight()
	for _, l := range wrap(s, st, d.ContentWidth()) {
		d.ensure(lh)
		drawLines(d.Page(), d.opts.Margin, d.y, d.ContentWidth(), []string{l}, st)
		d.y += lh
	}
}

// Space moves the flow cursor down by h points.
func (d *Document) Space(h float64) { d.y += h }

// Rule draws a thin horizontal line across the content width.
func (d *Document) Rule() {
	d.ensure(6)
	d.y += 3
	d.Page().Line(d.opts.Margin, d.y, A4Width-d.opts.Margin, d.y, 0.5, Gray)
	d.y += 3
}

// TextBox draws s wrapped to width w with its top at (x, y) and returns
// the height used; for forms laid out at fixed positions.
func (p *Page) TextBox(x, y, w float64, s string, st Style) float64 {
	return drawLines(p, x, y, w, wrap(s, st, w), st)
}

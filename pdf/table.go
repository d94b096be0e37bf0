package pdf

// Table is a grid of text cells with borders. Cell text wraps to the
// column width; a row never splits across pages, and the header row is
// repeated on every page the table continues on.
type Table struct {
	// Widths are relative column widths; nil means equal columns. The
	// table spans the content width.
	Widths []float64
	Rows   [][]string
	// Header sets the first row in bold on a light background.
	Header bool
	// Style is the cell text style (Align applies inside each cell).
	Style Style
	// Padding inside each cell in points; 0 means 3.
	Padding float64
}

var headerFill = Color{0.92, 0.92, 0.92}

// Table adds t at the flow cursor.
func (d *Document) Table(t Table) {
	if len(t.Rows) == 0 {
		return
	}
	ncol := 0
	for _, r := range t.Rows {
		ncol = max(ncol, len(r))
	}
	pad := t.Padding
	if pad <= 0 {
		pad = 3
	}
	widths := make([]float64, ncol)
	total := 0.0
	for i := range widths {
		widths[i] = 1
		if i < len(t.Widths) && t.Widths[i] > 0 {
			widths[i] = t.Widths[i]
		}
		total += widths[i]
	}
	for i := range widths {
		widths[i] *= d.ContentWidth() / total
	}

	style := func(header bool) Style {
		st := t.Style
		st.Bold = st.Bold || header
		return st
	}
	measure := func(cells []string, header bool) ([][]string, float64) {
		st := style(header)
		lines := make([][]string, ncol)
		h := 0.0
		for i := range ncol {
			s := ""
			if i < len(cells) {
				s = cells[i]
			}
			lines[i] = wrap(s, st, widths[i]-2*pad)
			h = max(h, float64(len(lines[i]))*st.lineHeight()+2*pad)
		}
		return lines, h
	}
	draw := func(lines [][]string, h float64, header bool) {
		p := d.Page()
		x := d.opts.Margin
		for i := range ncol {
			if header {
				p.FillRect(x, d.y, widths[i], h, headerFill)
			}
			drawLines(p, x+pad, d.y+pad, widths[i]-2*pad, lines[i], style(header))
			p.Rect(x, d.y, widths[i], h, 0.5, Black)
			x += widths[i]
		}
		d.y += h
	}

	hl, hh := measure(t.Rows[0], t.Header)
	for i, r := range t.Rows {
		lines, h := measure(r, t.Header && i == 0)
		if i == 0 && t.Header {
			d.ensure(h + 20) // keep the header with at least a short first row
		} else {
			pages := d.Pages()
			d.ensure(h)
			if t.Header && d.Pages() != pages {
				draw(hl, hh, true)
			}
		}
		draw(lines, h, t.Header && i == 0)
	}
}

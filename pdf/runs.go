package pdf

import "strings"

// Run is a piece of text with its own weight and colour inside a
// paragraph set with Runs. Size, alignment and leading come from the
// paragraph's Style.
type Run struct {
	Text  string
	Bold  bool
	Color Color
}

// B is a bold run, R a regular one: shorthands for Runs.
func B(s string) Run { return Run{Text: s, Bold: true} }

// R is a regular run.
func R(s string) Run { return Run{Text: s} }

// word is a word of a run: text set in one style, with whether a space
// separates it from the previous word.
type word struct {
	text  string
	st    Style
	space bool
}

// Runs adds a paragraph of mixed bold and regular text, wrapped to the
// content width and aligned by st.Align. Lines break between words; a
// single word wider than the line overflows it.
func (d *Document) Runs(runs []Run, st Style) {
	var words []word
	pendingSpace := false
	for _, r := range runs {
		rs := st
		rs.Bold, rs.Color = r.Bold, r.Color
		s := r.Text
		for i, f := range strings.Fields(s) {
			// A run that starts mid-word (no leading space) joins the previous word.
			space := pendingSpace || i > 0 || (len(s) > 0 && isSpace(s[0]))
			words = append(words, word{f, rs, space && len(words) > 0})
			pendingSpace = false
		}
		if len(s) > 0 && isSpace(s[len(s)-1]) {
			pendingSpace = true
		}
	}
	width := d.ContentWidth()
	lh := st.lineHeight()
	for len(words) > 0 {
		n, w := fitWords(words, width)
		d.ensure(lh)
		x := d.opts.Margin
		switch st.Align {
		case Center:
			x += (width - w) / 2
		case Right:
			x += width - w
		}
		base := baseline(d.y, st)
		for i, wd := range words[:n] {
			if wd.space && i > 0 {
				x += wd.st.Width(" ")
			}
			d.Page().Text(x, base, wd.text, wd.st)
			x += wd.st.Width(wd.text)
		}
		d.y += lh
		words = words[n:]
		if len(words) > 0 {
			words[0].space = false
		}
	}
}

// fitWords returns how many words fit in width (at least one) and their width.
func fitWords(words []word, width float64) (int, float64) {
	w := 0.0
	for i, wd := range words {
		add := wd.st.Width(wd.text)
		if wd.space && i > 0 {
			add += wd.st.Width(" ")
		}
		if i > 0 && w+add > width {
			return i, w
		}
		w += add
	}
	return len(words), w
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

package pdf

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// Stamp is the visible mark of an electronic signature on a document
// (GOST R 7.0.97-2016 §5.23, FORMAT.md §14): a bordered box with
// «Документ подписан электронной подписью», the certificate's serial
// number, its owner and its validity period.
type Stamp struct {
	Certificate string    // certificate serial number, as printed (hex)
	Owner       string    // the certificate subject: person, and organisation if any
	ValidFrom   time.Time // certificate NotBefore
	ValidTo     time.Time // certificate NotAfter
	Extra       []string  // further lines, e.g. the signing time
}

// stampTitle is the stamp's heading in two lines, as GOST R 7.0.97 shows it.
var stampTitle = []string{"ДОКУМЕНТ ПОДПИСАН", "ЭЛЕКТРОННОЙ ПОДПИСЬЮ"}

var (
	stampTitleStyle = Style{Size: 8.5, Bold: true, Align: Center, Color: Blue, Leading: 1.25}
	stampStyle      = Style{Size: 7.5, Color: Blue, Leading: 1.3}
)

const (
	stampPad    = 6
	stampBorder = 1.2
)

// Lines returns the text lines of the stamp below its heading.
func (s Stamp) Lines() []string {
	var out []string
	if s.Certificate != "" {
		out = append(out, "Сертификат: "+s.Certificate)
	}
	if s.Owner != "" {
		out = append(out, "Владелец: "+s.Owner)
	}
	if !s.ValidFrom.IsZero() || !s.ValidTo.IsZero() {
		out = append(out, fmt.Sprintf("Действителен: с %s по %s", s.ValidFrom.Format("02.01.2006"), s.ValidTo.Format("02.01.2006")))
	}
	return append(out, s.Extra...)
}

func (s Stamp) wrapped(w float64) []string {
	var out []string
	for _, l := range s.Lines() {
		out = append(out, wrap(l, stampStyle, w-2*stampPad)...)
	}
	return out
}

// Height returns the height in points of the stamp drawn w points wide.
func (s Stamp) Height(w float64) float64 {
	return 2*stampPad + float64(len(stampTitle))*stampTitleStyle.lineHeight() + 4 +
		float64(len(s.wrapped(w)))*stampStyle.lineHeight()
}

// drawStamp draws s in the box (x, y, w, h).
func drawStamp(c canvas, x, y, w, h float64, s Stamp) {
	in := stampBorder / 2
	drawRect(c, x+in, y+in, w-2*in, h-2*in, stampBorder, Blue)
	ty := y + stampPad
	if extra := h - s.Height(w); extra > 0 {
		ty += extra / 2 // a box taller than the text: centre it
	}
	ty += drawLines(c, x+stampPad, ty, w-2*stampPad, stampTitle, stampTitleStyle)
	ty += 4
	drawLines(c, x+stampPad, ty, w-2*stampPad, s.wrapped(w), stampStyle)
}

// Stamp draws s with its top-left corner at (x, y), w points wide, and
// returns its height.
func (p *Page) Stamp(x, y, w float64, s Stamp) float64 {
	h := s.Height(w)
	drawStamp(p, x, y, w, h, s)
	return h
}

// Stamp adds s, w points wide, at the flow cursor.
func (d *Document) Stamp(s Stamp, w float64, align Align) {
	h := s.Height(w)
	d.ensure(h)
	x := d.opts.Margin
	switch align {
	case Center:
		x += (d.ContentWidth() - w) / 2
	case Right:
		x += d.ContentWidth() - w
	}
	d.Page().Stamp(x, d.y, w, s)
	d.y += h
}

// Appearance is a stamp rendered as a Form XObject (ISO 32000-1 §8.10),
// self-contained with its fonts, for use as the /AP /N appearance stream
// of a signature widget (ISO 19005-2 §6.3.3 requires one).
type Appearance struct {
	W, H    float64
	content bytes.Buffer
	use     *fontUse
}

// Write appends raw content-stream operators to the form, as Page.Write.
func (a *Appearance) Write(b []byte) (int, error) { return a.content.Write(b) }
func (a *Appearance) fonts() *fontUse             { return a.use }
func (a *Appearance) height() float64             { return a.H }

// StampAppearance renders s into a w × h point box; h = 0 means the
// stamp's natural height (Stamp.Height).
func StampAppearance(s Stamp, w, h float64) *Appearance {
	if h <= 0 {
		h = s.Height(w)
	}
	a := &Appearance{W: w, H: h, use: newFontUse()}
	drawStamp(a, 0, 0, w, h, s)
	return a
}

// reColor matches the colour operators package pdf writes (page.go).
var reColor = regexp.MustCompile(`([0-9.]+) ([0-9.]+) ([0-9.]+) (rg|RG)\b`)

// Gray turns the form's DeviceRGB colours into DeviceGray of the same
// luminance (ITU-R BT.601 weights), for documents whose output intent is not
// RGB: PDF/A allows DeviceRGB only under an RGB output intent and
// DeviceGray under any (ISO 19005-2 §6.2.4.3).
func (a *Appearance) Gray() {
	out := reColor.ReplaceAllFunc(a.content.Bytes(), func(m []byte) []byte {
		p := reColor.FindSubmatch(m)
		var c [3]float64
		for i := range c {
			c[i], _ = strconv.ParseFloat(string(p[i+1]), 64)
		}
		op := "g"
		if string(p[4]) == "RG" {
			op = "G"
		}
		return []byte(num(0.299*c[0]+0.587*c[1]+0.114*c[2]) + " " + op)
	})
	a.content.Reset()
	a.content.Write(out)
}

// Content returns the form's content stream (uncompressed).
func (a *Appearance) Content() []byte { return a.content.Bytes() }

// Objects returns the indirect objects of the form and its fonts, numbered
// consecutively from first; Objects(first)[0] is the Form XObject, number
// first. Write them all (e.g. in an incremental update) and refer to the
// form as "first 0 R".
func (a *Appearance) Objects(first int) []Object {
	next := first
	alloc := func() int { next++; return next }
	faces := a.use.faces()
	nums := map[*face]int{}
	for _, f := range faces {
		nums[f] = alloc()
	}
	form := streamObj(first, fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 0 %s %s] /Resources << %s >>",
		num(a.W), num(a.H), fontResources(faces, nums)), a.content.Bytes(), true)
	objs := []Object{form}
	for _, f := range faces {
		objs = append(objs, fontObjects(f, a.use.glyphs[f], nums[f], alloc)...)
	}
	slices.SortFunc(objs, func(x, y Object) int { return x.Num - y.Num })
	return objs
}

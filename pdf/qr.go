package pdf

import (
	"errors"
	"fmt"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// QRLevel is a QR error-correction level (ISO/IEC 18004 §5.3.8).
type QRLevel int

// Error-correction levels; the zero value is M (15 %), which keeps long
// payloads at a version a 300-dpi rendering still resolves.
const (
	QRMedium QRLevel = iota
	QRLow
	QRQuartile
	QRHigh
)

func (l QRLevel) lib() qrcode.RecoveryLevel {
	switch l {
	case QRLow:
		return qrcode.Low
	case QRQuartile:
		return qrcode.High // the library's "High" is ISO level Q (25 %)
	case QRHigh:
		return qrcode.Highest
	}
	return qrcode.Medium
}

// quietZone is the margin in modules around the symbol (ISO/IEC 18004 §6.3.8).
const quietZone = 4

// minModule is the smallest module we draw: 0.33 mm, about 4 pixels at
// 300 dpi, so a scan or a 300-dpi rendering resolves every module.
var minModule = Mm(0.33)

// ErrQRTooDense is returned when a payload needs modules smaller than a
// 300-dpi rendering reads reliably in the space given.
var ErrQRTooDense = errors.New("pdf: QR code too dense for its size")

// qrPath returns the content-stream operators for the dark modules of a QR
// symbol of the given total size (quiet zone included) with top-left corner
// (x, y) on a canvas of height h. Horizontal runs of dark modules become one
// rectangle, and equal runs on consecutive rows merge into one, so the symbol
// has no seams and few operators.
func qrPath(payload string, level QRLevel, x, y, size, h float64) (string, error) {
	q, err := qrcode.New(payload, level.lib())
	if err != nil {
		return "", fmt.Errorf("pdf: QR code: %w", err)
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	n := len(bm)
	m := size / float64(n+2*quietZone)
	if m < minModule*(1-1e-9) {
		return "", fmt.Errorf("%w: %d modules in %.1f mm", ErrQRTooDense, n, size*25.4/72)
	}
	type run struct{ x0, x1, y0, y1 int }
	var done []run
	open := map[[2]int]int{} // (x0, x1) → index in done of a rect ending on the previous row
	for r := range n {
		next := map[[2]int]int{}
		for c := 0; c < n; {
			if !bm[r][c] {
				c++
				continue
			}
			c0 := c
			for c < n && bm[r][c] {
				c++
			}
			k := [2]int{c0, c}
			if i, ok := open[k]; ok {
				done[i].y1 = r + 1
				next[k] = i
			} else {
				done = append(done, run{c0, c, r, r + 1})
				next[k] = len(done) - 1
			}
		}
		open = next
	}
	var b strings.Builder
	ox, oy := x+quietZone*m, y+quietZone*m
	// White background over the whole symbol including the quiet zone.
	fmt.Fprintf(&b, "1 1 1 rg %s %s %s %s re f\n0 0 0 rg\n", num(x), num(h-y-size), num(size), num(size))
	for _, d := range done {
		fmt.Fprintf(&b, "%s %s %s %s re\n", num(ox+float64(d.x0)*m), num(h-oy-float64(d.y1)*m),
			num(float64(d.x1-d.x0)*m), num(float64(d.y1-d.y0)*m))
	}
	b.WriteString("f\n")
	return b.String(), nil
}

// QR draws a QR code for payload (UTF-8, byte mode) whose top-left corner,
// quiet zone included, is at (x, y) and whose side is size points.
func (p *Page) QR(x, y, size float64, payload string, level QRLevel) error {
	s, err := qrPath(payload, level, x, y, size, A4Height)
	if err != nil {
		return err
	}
	p.content.WriteString(s)
	return nil
}

// MinQRSize returns the smallest side in points, quiet zone included, at
// which payload can be drawn at level without ErrQRTooDense.
func MinQRSize(payload string, level QRLevel) (float64, error) {
	q, err := qrcode.New(payload, level.lib())
	if err != nil {
		return 0, fmt.Errorf("pdf: QR code: %w", err)
	}
	q.DisableBorder = true
	return float64(len(q.Bitmap())+2*quietZone) * minModule, nil
}

// QR adds a QR code of side size (quiet zone included) at the flow cursor.
func (d *Document) QR(payload string, size float64, align Align, level QRLevel) error {
	// Check before ensure, so a refused code leaves no empty page behind.
	m, err := MinQRSize(payload, level)
	if err != nil {
		return err
	}
	if size < m {
		return fmt.Errorf("%w: needs %.1f mm, has %.1f mm", ErrQRTooDense, m*25.4/72, size*25.4/72)
	}
	d.ensure(size)
	x := d.opts.Margin
	switch align {
	case Center:
		x += (d.ContentWidth() - size) / 2
	case Right:
		x += d.ContentWidth() - size
	}
	if err := d.Page().QR(x, d.y, size, payload, level); err != nil {
		return err
	}
	d.y += size
	return nil
}

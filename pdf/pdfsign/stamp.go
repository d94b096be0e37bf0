package pdfsign

import (
	"fmt"
	"strings"

	"github.com/podpis/podpis/pki"
)

// Stamp makes the signature visible: the mark of GOST R 7.0.97-2016 (shared
// spec mchd/FORMAT.md §14) — «Документ подписан электронной подписью», the
// certificate's serial number, its owner and its validity period — in a
// frame at Rect on the page Options.Page.
type Stamp struct {
	// Rect is the stamp's lower-left and upper-right corners in the page's
	// default user space (points from the lower-left of the page).
	Rect [4]float64
	// Font is a TrueType font with Cyrillic (DejaVu Sans, Debian
	// fonts-dejavu-core); the text is drawn as outlines, so no font is
	// embedded.
	Font []byte
	// Lines replace the text made from the certificate when set.
	Lines []string
}

// stampLines are the GOST R 7.0.97-2016 fields for cert.
func stampLines(c *pki.Certificate) []string {
	owner := c.SubjectName.CommonName
	if sn := c.SubjectName; sn.Surname != "" {
		owner = strings.TrimSpace(sn.Surname + " " + sn.GivenName)
	}
	return []string{
		"ДОКУМЕНТ ПОДПИСАН",
		"ЭЛЕКТРОННОЙ ПОДПИСЬЮ",
		"Сертификат: " + fmt.Sprintf("%X", c.SerialNumber),
		"Владелец: " + owner,
		"Действителен с " + c.NotBefore.Format("02.01.2006") + " по " + c.NotAfter.Format("02.01.2006"),
	}
}

// appearance draws the stamp in a form of size w×h (§8.10, §12.5.5): a
// frame and centred lines, the first two as a heading.
func (s *Stamp) appearance(w, h float64, lines []string) ([]byte, error) {
	f, err := parseTrueType(s.Font)
	if err != nil {
		return nil, err
	}
	const pad = 8.0
	widest := 1
	for _, l := range lines {
		adv := 0
		for _, r := range l {
			adv += f.advance(f.glyph(r))
		}
		widest = max(widest, adv)
	}
	upem := float64(f.unitsPerEm)
	size := min((h-2*pad)/(float64(len(lines))*1.3), (w-2*pad)*upem/float64(widest))
	if size <= 0 {
		return nil, fmt.Errorf("pdfsign: the stamp rectangle is too small")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "q 0.8 w 1 1 %.2f %.2f re S Q\n", w-2, h-2)
	scale := size / upem / 3
	lead := (h - size*1.3*float64(len(lines))) / 2
	for i, l := range lines {
		adv := 0
		for _, r := range l {
			adv += f.advance(f.glyph(r))
		}
		x := (w - float64(adv)*size/upem) / 2
		y := h - lead - size*1.3*float64(i+1) + size*0.3
		fmt.Fprintf(&b, "q %.5f 0 0 %.5f %.2f %.2f cm\n", scale, scale, x, y)
		pen := 0
		for _, r := range l {
			g := f.glyph(r)
			for _, c := range f.contours(g, pen, 0, 0) {
				writeContour(&b, c)
			}
			pen += f.advance(g)
		}
		b.WriteString("f Q\n")
	}
	return []byte(b.String()), nil
}

package pdfsign

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/podpis/podpis/pdf"
	"github.com/podpis/podpis/pdf/internal/pdfread"
	"github.com/podpis/podpis/pki"
)

// Stamp makes the signature visible: the mark of GOST R 7.0.97-2016 (shared
// spec mchd/FORMAT.md §14) — «Документ подписан электронной подписью», the
// certificate's serial number, its owner and its validity period — drawn by
// package pdf (pdf.StampAppearance, the same stamp as on podpis' own
// documents) with DejaVu Sans embedded as a subset, so the signed file stays
// PDF/A-2b and the stamp's text can be searched and copied. The stamp is
// drawn in blue (DeviceRGB) when the document's PDF/A output intent is RGB
// or absent, and in grey (DeviceGray, allowed under any output intent, ISO
// 19005-2 §6.2.4.3) when it is grey or CMYK.
type Stamp struct {
	// Rect is the stamp's lower-left and upper-right corners in points from
	// the lower-left corner of the page as it is shown: on a page with
	// /Rotate 90, 180 or 270 the rectangle is turned with the page and the
	// stamp reads upright. It must lie on the page (its CropBox, else
	// MediaBox).
	Rect [4]float64
	// Content is the stamp's text; the zero value means StampContent of
	// the signer's certificate.
	Content pdf.Stamp
}

// StampContent is the stamp for a certificate (FORMAT.md §14): its serial
// number in hexadecimal, its owner (the person, and the organisation when
// there is one) and its validity.
func StampContent(c *pki.Certificate) pdf.Stamp {
	n := c.SubjectName
	owner := strings.TrimSpace(n.Surname + " " + n.GivenName)
	if owner == "" {
		owner = n.CommonName
	}
	if n.Organization != "" && n.Organization != owner {
		owner += ", " + n.Organization
	}
	return pdf.Stamp{
		Certificate: fmt.Sprintf("%X", c.SerialNumber),
		Owner:       owner,
		ValidFrom:   c.NotBefore,
		ValidTo:     c.NotAfter,
	}
}

// matrix is a form's /Matrix (§8.3.3).
type matrix [6]float64

func (m *matrix) String() string {
	var parts []string
	for _, v := range m {
		parts = append(parts, strconv.FormatFloat(v, 'f', -1, 64))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// inherited returns a page attribute, from the page or its ancestors
// (§7.7.3.4: Resources, MediaBox, CropBox and Rotate are inheritable).
func (d *document) inherited(page dict, key name) any {
	for range maxDepth {
		if v, ok := page[key]; ok {
			o, _ := d.Resolve(v)
			return o
		}
		parent, _ := d.DictOf(page["Parent"])
		if parent == nil {
			return nil
		}
		page = parent
	}
	return nil
}

// placeStamp turns a rectangle given on the page as shown into the widget's
// /Rect in default user space, and returns the form's /Matrix (nil when the
// page is not rotated) and the stamp's width and height as shown.
func (d *document) placeStamp(page dict, r [4]float64, pageNo int) (rect [4]float64, m *matrix, w, h float64, err error) {
	w, h = r[2]-r[0], r[3]-r[1]
	if w <= 0 || h <= 0 {
		return rect, nil, 0, 0, fmt.Errorf("pdfsign: the stamp rectangle is empty")
	}
	box := [4]float64{0, 0, pdf.A4Width, pdf.A4Height}
	for _, k := range []name{"MediaBox", "CropBox"} {
		if a, ok := d.inherited(page, k).(array); ok && len(a) == 4 {
			var b [4]float64
			ok := true
			for i, v := range a {
				if b[i], ok = pdfread.Number(v); !ok {
					break
				}
			}
			if ok {
				box = [4]float64{min(b[0], b[2]), min(b[1], b[3]), max(b[0], b[2]), max(b[1], b[3])}
			}
		}
	}
	rot, _ := d.inherited(page, "Rotate").(int)
	rot = ((rot % 360) + 360) % 360
	if rot%90 != 0 {
		rot = 0
	}
	bw, bh := box[2]-box[0], box[3]-box[1]
	sw, sh := bw, bh // the page as shown
	if rot == 90 || rot == 270 {
		sw, sh = bh, bw
	}
	if pageNo <= 0 {
		pageNo = 1
	}
	const eps = 0.5
	if r[0] < -eps || r[1] < -eps || r[2] > sw+eps || r[3] > sh+eps {
		return rect, nil, 0, 0, fmt.Errorf("pdfsign: the stamp (%.0f × %.0f mm) at %.0f,%.0f mm does not fit on page %d (%.0f × %.0f mm)",
			w/pdf.Mm(1), h/pdf.Mm(1), r[0]/pdf.Mm(1), r[1]/pdf.Mm(1), pageNo, sw/pdf.Mm(1), sh/pdf.Mm(1))
	}
	// A point (x, y) on the page as shown, in user space (the page is
	// turned clockwise by /Rotate, §7.7.3.3).
	toUser := func(x, y float64) (float64, float64) {
		switch rot {
		case 90:
			return bw - y, x
		case 180:
			return bw - x, bh - y
		case 270:
			return y, bh - x
		}
		return x, y
	}
	x0, y0 := toUser(r[0], r[1])
	x1, y1 := toUser(r[2], r[3])
	rect = [4]float64{box[0] + min(x0, x1), box[1] + min(y0, y1), box[0] + max(x0, x1), box[1] + max(y0, y1)}
	switch rot {
	case 90: // the form turned 90° anticlockwise in user space
		m = &matrix{0, 1, -1, 0, 0, 0}
	case 180:
		m = &matrix{-1, 0, 0, -1, 0, 0}
	case 270:
		m = &matrix{0, -1, 1, 0, 0, 0}
	}
	return rect, m, w, h, nil
}

// intentNotRGB says the catalog's PDF/A output intent (/S /GTS_PDFA1) has an
// ICC profile whose colour space (ICC.1 §7.2.6, header bytes 16–19) is not
// RGB.
func (d *document) intentNotRGB(catalog dict) bool {
	ois, _ := d.Resolve(catalog["OutputIntents"])
	oa, _ := ois.(array)
	for _, o := range oa {
		oi, _ := d.DictOf(o)
		if oi["S"] != name("GTS_PDFA1") {
			continue
		}
		st, _ := d.Resolve(oi["DestOutputProfile"])
		s, ok := st.(pdfread.Stream)
		if !ok {
			return false
		}
		icc, err := d.Decode(s)
		return err == nil && len(icc) >= 20 && string(icc[16:20]) != "RGB "
	}
	return false
}

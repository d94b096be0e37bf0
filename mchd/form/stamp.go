package form

import (
	"fmt"
	"strings"

	"github.com/podpis/podpis/pdf"
)

// signatures draws the closing block where a handwritten signature would be
// on paper (FORMAT.md §14): the QR code on the left with its explanation,
// one GOST R 7.0.97-2016 stamp per signature on the right; then the note
// that the printout is a visualisation.
func (f *form) signatures() {
	d := f.d
	payload := QRPayload(f.raw, f.doc)
	stamps := make([]pdf.Stamp, len(f.sigs))
	heights := make([]float64, len(f.sigs))
	for i, s := range f.sigs {
		stamps[i] = f.stamp(s)
		heights[i] = f.stampHeight(stamps[i])
	}
	const gap = 6
	first := qrSide // the block: QR, caption and as many stamps as fit beside it
	if len(heights) > 0 {
		first = max(first, heights[0])
	} else {
		first = max(first, 60)
	}
	f.keep(first + 50) // the block and the note below it together
	d.Space(12)

	m := d.Margin()
	y0 := d.Y()
	p := d.Page()
	// A payload too dense for the side would be refused; MinQRSize grows it.
	side := qrSide
	if need, err := pdf.MinQRSize(payload, pdf.QRMedium); err == nil && need > side {
		side = need
	}
	// The payload is at most 163 bytes (ParseQRPayload), far below what
	// needs more than 36 mm, so QR cannot fail here.
	if err := p.QR(m, y0, side, payload, pdf.QRMedium); err != nil {
		panic("form: internal error: " + err.Error())
	}
	cx := m + side + pdf.Mm(3)
	cw := pdf.A4Width - m - stampWidth - pdf.Mm(5) - cx
	info := f.doc.Info()
	cy := y0 + 4
	cy += p.TextBox(cx, cy, cw, f.t("QR-код: ссылка на проверку статуса доверенности в реестре ФНС России и хеш файла XML по ГОСТ Р 34.11-2012 (Стрибог-256).",
		"QR code: the link to the POA's status in the FNS registry and the GOST R 34.11-2012 (Streebog-256) hash of the XML file."), captionLeft)
	cy += 4
	p.TextBox(cx, cy, cw, f.t("Единый регистрационный номер: ", "Registration number: ")+info.GUID, captionLeft)

	x := pdf.A4Width - m - stampWidth
	y := y0
	rest := 0
	if len(f.sigs) == 0 {
		h := p.TextBox(x+6, y+6, stampWidth-12, f.t("Электронные подписи к форме не приложены. Доверенность действительна только как XML-файл, подписанный электронной подписью.",
			"No electronic signatures were given for this form. The power of attorney is valid only as the XML file signed with an electronic signature."), pdf.Style{Size: 8, Color: pdf.Gray})
		p.Rect(x, y, stampWidth, h+12, 0.6, pdf.Gray)
		y += h + 12
	}
	for i, s := range stamps {
		if i > 0 && y+heights[i] > pdf.A4Height-m {
			break
		}
		f.drawStamp(p, x, y, s)
		y += heights[i] + gap
		rest = i + 1
	}
	d.SetY(max(y0+side, y) + 4)
	for i := rest; i < len(stamps); i++ {
		f.keep(heights[i])
		f.drawStamp(d.Page(), x, d.Y(), stamps[i])
		d.Space(heights[i] + gap)
	}
	d.Space(6)
	d.Paragraph(f.t("Форма является визуализацией машиночитаемой доверенности и сформирована программой podpis. Юридическую силу имеет XML-файл доверенности, подписанный электронной подписью.",
		"This form visualises a machine-readable power of attorney and was made by podpis. The legal document is the XML file signed with an electronic signature."), smallStyle)
}

var captionLeft = pdf.Style{Size: 7.5, Color: pdf.Gray, Leading: 1.3}

// stamp makes the GOST R 7.0.97-2016 mark of s: the certificate's serial
// number (hex, as pki.Certificate.Summary prints it), its owner (the person,
// and the organisation when there is one) and its validity period, plus the
// signing time in Moscow time when known.
func (f *form) stamp(s Signature) pdf.Stamp {
	c := s.Certificate
	sn := c.SubjectName
	owner := strings.TrimSpace(sn.PersonName())
	if owner == "" {
		owner = sn.CommonName
	}
	if sn.Organization != "" && sn.Organization != owner {
		owner = strings.TrimPrefix(owner+", "+sn.Organization, ", ")
	}
	st := pdf.Stamp{
		Certificate: fmt.Sprintf("%X", c.SerialNumber),
		Owner:       owner,
		ValidFrom:   c.NotBefore.In(moscow),
		ValidTo:     c.NotAfter.In(moscow),
	}
	if !s.SigningTime.IsZero() {
		src := f.t(" (время подписавшего)", " (signer's clock)")
		if s.Timestamped {
			src = f.t(" (штамп времени)", " (timestamp)")
		}
		st.Extra = append(st.Extra, f.t("Подписано: ", "Signed: ")+s.SigningTime.In(moscow).Format(f.t("02.01.2006 15:04 МСК", "2006-01-02 15:04 MSK"))+src)
	}
	return st
}

// The English stamp follows the layout of pdf.Stamp (GOST R 7.0.97 heading,
// then the fields) with English words; pdf.Stamp writes Russian only.
var (
	enTitle      = []string{"SIGNED WITH AN", "ELECTRONIC SIGNATURE"}
	enTitleStyle = pdf.Style{Size: 8.5, Bold: true, Align: pdf.Center, Color: pdf.Blue, Leading: 1.25}
	enStyle      = pdf.Style{Size: 7.5, Color: pdf.Blue, Leading: 1.3}
)

const enPad = 6

func (f *form) enLines(s pdf.Stamp) []string {
	lines := []string{
		"Certificate: " + s.Certificate,
		"Owner: " + s.Owner,
		"Valid from " + s.ValidFrom.Format("2006-01-02") + " to " + s.ValidTo.Format("2006-01-02"),
	}
	lines = append(lines, s.Extra...)
	var out []string
	for _, l := range lines {
		out = append(out, wrapText(l, enStyle, stampWidth-2*enPad)...)
	}
	return out
}

func (f *form) stampHeight(s pdf.Stamp) float64 {
	if !f.en {
		return s.Height(stampWidth)
	}
	return 2*enPad + float64(len(enTitle))*enTitleStyle.Size*enTitleStyle.Leading + 4 +
		float64(len(f.enLines(s)))*enStyle.Size*enStyle.Leading
}

func (f *form) drawStamp(p *pdf.Page, x, y float64, s pdf.Stamp) {
	if !f.en {
		p.Stamp(x, y, stampWidth, s)
		return
	}
	h := f.stampHeight(s)
	p.Rect(x+0.6, y+0.6, stampWidth-1.2, h-1.2, 1.2, pdf.Blue)
	ty := y + enPad
	for _, l := range enTitle {
		ty += p.TextBox(x+enPad, ty, stampWidth-2*enPad, l, enTitleStyle)
	}
	ty += 4
	for _, l := range f.enLines(s) {
		ty += p.TextBox(x+enPad, ty, stampWidth-2*enPad, l, enStyle)
	}
}

// wrapText breaks s into lines no wider than w at spaces (a word wider
// than w stays whole; TextBox then breaks it, which enLines never needs
// for the short words of a stamp).
func wrapText(s string, st pdf.Style, w float64) []string {
	var out []string
	line := ""
	for _, word := range strings.Fields(s) {
		cand := word
		if line != "" {
			cand = line + " " + word
		}
		if line != "" && st.Width(cand) > w {
			out = append(out, line)
			cand = word
		}
		line = cand
	}
	return append(out, line)
}

package form

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/pdf"
)

// Options shape the printed form.
type Options struct {
	// Lang is the language of the form's own words: "ru" (the default) or
	// "en". What the document says (names, powers, addresses) is printed as
	// written, in Russian.
	Lang string
	// Created is the PDF's creation time (Info, XMP); zero means now. Set
	// it for reproducible output.
	Created time.Time
	// Attach embeds the XML file and the signature files as associated
	// files, and the result is PDF/A-3b instead of PDF/A-2b (PDF/A-2
	// allows only PDF/A attachments, PDFA2B.md §1 "Embedded files").
	Attach bool
}

// ErrTooLarge is returned when a form would exceed pdf.MaxSize.
var ErrTooLarge = errors.New("form: the printed form would exceed 5 MB")

// Layout constants, in points.
var (
	titleStyle   = pdf.Style{Size: 16, Bold: true, Align: pdf.Center}
	subStyle     = pdf.Style{Size: 10, Align: pdf.Center}
	headStyle    = pdf.Style{Size: 11.5, Bold: true}
	partStyle    = pdf.Style{Size: 9.5, Bold: true}
	subpartStyle = pdf.Style{Size: 8.5, Bold: true, Color: pdf.Gray}
	bodyStyle    = pdf.Style{Size: 9.5}
	cellStyle    = pdf.Style{Size: 8.5, Leading: 1.2}
	smallStyle   = pdf.Style{Size: 7.5, Color: pdf.Gray}
	qrSide       = pdf.Mm(32)
	stampWidth   = pdf.Mm(85)
)

// Render writes the printed form of doc as a PDF/A-2b file (PDF/A-3b with
// opts.Attach) to w. raw are the exact bytes of the XML file — the bytes
// signed, hashed into the QR code and, with Attach, embedded; nil means
// doc.Raw(). sigs are the signatures to show, one stamp each, in order
// (see Signatures). The form is one A4 page for a typical POA; long lists
// of powers continue over as many pages as they need, the table header
// repeated, every page numbered and carrying the POA's number.
func Render(w io.Writer, doc *mchd.Document, raw []byte, sigs []Signature, opts Options) error {
	b, err := RenderBytes(doc, raw, sigs, opts)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// RenderBytes is Render returning the file.
func RenderBytes(doc *mchd.Document, raw []byte, sigs []Signature, opts Options) ([]byte, error) {
	if doc == nil || doc.Info() == nil {
		return nil, errors.New("form: the document has neither Довер nor Передов")
	}
	if g := doc.Info().GUID; !mchd.ValidGUID(g) {
		// The QR payload and every page carry it (FORMAT.md §4: 36 characters).
		return nil, fmt.Errorf("form: НомДовер %.40q is not a GUID", g)
	}
	if raw == nil {
		raw = doc.Raw()
	}
	if len(raw) == 0 {
		return nil, errors.New("form: the XML file's bytes are needed (Parse the file, or Marshal a new document)")
	}
	switch opts.Lang {
	case "", "ru", "en":
	default:
		return nil, fmt.Errorf("form: language %q: want ru or en", opts.Lang)
	}
	for i, s := range sigs {
		if s.Certificate == nil {
			return nil, fmt.Errorf("form: signature %d has no certificate", i+1)
		}
	}
	f := &form{doc: doc, raw: raw, sigs: sigs, en: opts.Lang == "en"}
	info := doc.Info()
	f.d = pdf.New(pdf.Options{
		Title:    f.t("Доверенность № ", "Power of attorney No. ") + orDash(info.InternalNumber),
		Subject:  f.t("Машиночитаемая доверенность ", "Machine-readable power of attorney ") + info.GUID,
		Keywords: "МЧД, EMCHD_1, " + info.GUID,
		Creator:  "podpis mchd render",
		Lang:     f.t("ru-RU", "en-GB"),
		Created:  opts.Created,
	})
	f.layout()

	var out bytes.Buffer
	if opts.Attach {
		if _, err := f.d.WriteToAttached(&out, f.attachments()); err != nil {
			return nil, err
		}
	} else if _, err := f.d.WriteTo(&out); err != nil {
		return nil, err
	}
	if out.Len() > pdf.MaxSize {
		return nil, fmt.Errorf("%w (%d bytes)", ErrTooLarge, out.Len())
	}
	return out.Bytes(), nil
}

// form is one form being laid out.
type form struct {
	d    *pdf.Document
	doc  *mchd.Document
	raw  []byte
	sigs []Signature
	en   bool
	sec  int // the current section number
}

// t picks the Russian or English text.
func (f *form) t(ru, en string) string {
	if f.en {
		return en
	}
	return ru
}

func (f *form) attachments() []pdf.AttachedFile {
	name := f.doc.FileID + ".xml"
	if f.doc.FileID == "" || strings.ContainsAny(f.doc.FileID, `/\`) {
		name = "mchd.xml"
	}
	files := []pdf.AttachedFile{{
		Name: name, MIME: "application/xml", Relationship: "Source", Data: f.raw,
		Description: f.t("Машиночитаемая доверенность (EMCHD_1): подписанный файл", "Machine-readable power of attorney (EMCHD_1): the signed file"),
	}}
	seen := map[string]bool{name: true}
	for _, s := range f.sigs {
		if s.File == nil {
			continue
		}
		n := s.FileName
		if n == "" || strings.ContainsAny(n, `/\`) {
			n = name + ".sig"
		}
		if seen[n] {
			continue
		}
		seen[n] = true
		// application/pkcs7-signature is the detached CMS signature type
		// (RFC 8551 §3.2.1).
		files = append(files, pdf.AttachedFile{
			Name: n, MIME: "application/pkcs7-signature", Relationship: "Supplement", Data: s.File,
			Description: f.t("Открепленная электронная подпись файла доверенности (CMS)", "Detached electronic signature of the POA file (CMS)"),
		})
	}
	return files
}

// layout draws the whole form.
func (f *form) layout() {
	f.title()
	f.requisites()
	if p := f.doc.POA; p != nil {
		f.heading(f.t("Доверитель", "Principal"), f.t("Доверители", "Principals"), len(p.Principals))
		for i, pr := range p.Principals {
			f.principal(i, len(p.Principals), pr)
		}
		f.heading(f.t("Представитель", "Representative"), f.t("Представители", "Representatives"), len(p.Representatives))
		for i, r := range p.Representatives {
			f.representative(i, len(p.Representatives), r)
		}
		f.powers(&p.Powers)
		f.notary(p.Notary)
	} else {
		r := f.doc.Retrust
		f.parents(r)
		f.heading(f.t("Лицо, передающее полномочия", "Grantor of the powers"), f.t("Лица, передающие полномочия", "Grantors of the powers"), len(r.Grantors))
		for i, g := range r.Grantors {
			f.grantor(i, len(r.Grantors), g)
		}
		f.heading(f.t("Лицо, получающее полномочия", "Recipient of the powers"), f.t("Лица, получающие полномочия", "Recipients of the powers"), len(r.Recipients))
		for i, rp := range r.Recipients {
			f.representative(i, len(r.Recipients), rp)
		}
		f.powers(&r.Powers)
		f.notary(r.Notary)
	}
	if s := strings.TrimSpace(f.doc.OtherInfo); s != "" {
		f.heading(f.t("Иные сведения", "Other information"), "", 1)
		f.d.Paragraph(s, bodyStyle)
	}
	f.signatures()
	f.footers()
}

func (f *form) title() {
	info := f.doc.Info()
	d := f.d
	d.Paragraph(f.t("ДОВЕРЕННОСТЬ № ", "POWER OF ATTORNEY No. ")+orDash(info.InternalNumber), titleStyle)
	if f.doc.Retrust != nil {
		d.Paragraph(f.t("в порядке передоверия", "issued by way of retrust"), subStyle)
	}
	d.Paragraph(f.t("машиночитаемая доверенность · формат EMCHD_1 (версия 003)", "machine-readable power of attorney · format EMCHD_1 (version 003)"),
		pdf.Style{Size: 8, Color: pdf.Gray, Align: pdf.Center})
	d.Space(3)
	d.Paragraph(f.t("Дата выдачи: ", "Issued on: ")+f.longDate(info.IssueDate)+
		f.t("   ·   Действительна по: ", "   ·   Valid through: ")+f.longDate(info.ValidUntil)+f.t(" включительно", " inclusive"), subStyle)
	d.Space(6)
}

// requisites is the table of the POA's own data (СвДов / СвПереДовер,
// FORMAT.md §4).
func (f *form) requisites() {
	info := f.doc.Info()
	rows := [][2]string{
		{f.t("Единый рег. номер", "Registration number"), info.GUID},
		{f.t("Вид, передоверие", "Kind, retrust"), f.kind(info.Kind) + "; " + f.retrust(info.Retrust)},
		{f.t("Дата внутренней регистрации", "Internal registration date"), f.date(info.InternalRegDate)},
		{f.t("Номер в реестре нотариальных действий", "Notarial register number"), info.NotaryRegNumber},
		{f.t("Дополнительный идентификатор", "Additional identifier"), info.ExtraID},
		{f.t("Налоговый орган (представление)", "Tax office (submitted to)"), info.TaxOffice},
		{f.t("Действует для налоговых органов", "Valid for tax offices"), strings.Join(info.TaxOffices, ", ")},
	}
	if ir := info.Irrevocable; ir != nil {
		// The meaning of these codes is unknown (FORMAT.md §13): print codes.
		v := fmt.Sprintf("ПрПерБезДов = %s, УслОтзыва = %s", ir.Retrust, ir.RevocationCondition)
		if c := strings.TrimSpace(ir.Conditions); c != "" {
			v += "; " + c
		}
		rows = append(rows, [2]string{f.t("Условия безотзывности", "Irrevocability"), v})
	}
	rows = append(rows,
		[2]string{f.t("Проверка статуса", "Status check"), info.StatusURL},
		[2]string{f.t("Стрибог-256 файла", "Streebog-256 of the file"), Hash(f.raw)},
	)
	f.kv(rows)
}

// heading starts a numbered section, on a new page when less than a
// heading and a few lines fit (no heading alone at the foot of a page).
func (f *form) heading(one, many string, n int) {
	s := one
	if n > 1 {
		s = many
	}
	f.sec++
	f.keep(70)
	f.d.Space(6)
	f.d.Paragraph(fmt.Sprintf("%d. %s", f.sec, s), headStyle)
	f.d.Space(2)
}

// part is a bold line naming one party inside a section.
func (f *form) part(i, n int, s string) {
	if n > 1 {
		s = fmt.Sprintf("%d.%d. %s", f.sec, i+1, s)
	}
	f.keep(50)
	f.d.Space(3)
	f.d.Paragraph(s, partStyle)
	f.d.Space(1)
}

// keep starts a new page unless h points fit above the bottom margin.
func (f *form) keep(h float64) {
	if f.d.Y()+h > pdf.A4Height-f.d.Margin() {
		f.d.NewPage()
	}
}

// kv draws a two-column table of labels and values, leaving out empty
// values.
func (f *form) kv(rows [][2]string) {
	var t [][]string
	for _, r := range rows {
		if v := strings.TrimSpace(r[1]); v != "" {
			t = append(t, []string{r[0], v})
		}
	}
	if len(t) == 0 {
		return
	}
	f.d.Table(pdf.Table{Widths: []float64{1.2, 2.8}, Rows: t, Style: cellStyle, Padding: 2})
}

// footers writes the POA's number and the page number at the foot of every
// page (pdf.Options.PageNumbers prints Russian only).
func (f *form) footers() {
	info := f.doc.Info()
	left := f.t("Доверенность № ", "Power of attorney No. ") + orDash(info.InternalNumber) + " · " + info.GUID
	st := pdf.Style{Size: 7.5, Color: pdf.Gray}
	m := f.d.Margin()
	y := pdf.A4Height - m/2
	n := f.d.Pages()
	for i := range n {
		p := f.d.PageAt(i)
		right := fmt.Sprintf(f.t("Страница %d из %d", "Page %d of %d"), i+1, n)
		rw := st.Width(right)
		l := left
		for st.Width(l) > pdf.A4Width-2*m-rw-20 && len(l) > 1 {
			l = strings.TrimRight(trimLastRune(l), " ") // shorten an absurdly long number
		}
		p.Line(m, y-10, pdf.A4Width-m, y-10, 0.4, pdf.Gray)
		p.Text(m, y, l, st)
		p.Text(pdf.A4Width-m-rw, y, right, st)
	}
}

func trimLastRune(s string) string {
	r := []rune(s)
	return string(r[:len(r)-1])
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

package form

import (
	"fmt"
	"strings"
	"time"

	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/pdf"
)

// noName is printed for a code whose name neither the document nor
// codeNames gives.
const (
	inlineRestrictions = 6

	noNameRU = "наименование не указано"
	noNameEN = "name not given"
)

// powers draws СвПолн (FORMAT.md §7): how the powers are exercised, then a
// table of the machine-readable powers with their restrictions, then the
// text powers.
func (f *form) powers(p *mchd.Powers) {
	f.heading(f.t("Полномочия", "Powers"), "", 1)
	kind := map[string]string{mchd.PowersText: f.t("текстовые", "text"), mchd.PowersMachine: f.t("машиночитаемые (по классификатору полномочий)", "machine-readable (from a classifier of powers)")}[p.Kind]
	if len(p.Machine) > 0 {
		kind += fmt.Sprintf(f.t(", всего %d", ", %d in all"), len(p.Machine))
	}
	r := rows{{f.t("Вид полномочий", "Kind of powers"), orCode(kind, p.Kind, f)}}
	// ПрСовмПолн: medium confidence (FORMAT.md §13), so the code is shown
	// beside its meaning.
	switch p.Joint {
	case "1":
		r = append(r, [2]string{f.t("Порядок осуществления", "Exercise"), f.t("каждый представитель действует самостоятельно (код 1)", "each representative acts individually (code 1)")})
	case "2":
		r = append(r, [2]string{f.t("Порядок осуществления", "Exercise"), f.t("представители действуют совместно (код 2)", "the representatives act jointly (code 2)")})
	default:
		r = append(r, [2]string{f.t("Порядок осуществления", "Exercise"), f.t("код ", "code ") + p.Joint})
	}
	// ПрУтрПолн: low to medium confidence (FORMAT.md §13): the code, and
	// the reading most sources give, marked as such.
	switch p.LossOnRetrust {
	case "":
	case "1":
		r = append(r, [2]string{f.t("Утрата при передоверии", "Loss on retrust"), f.t("код 1 (по распространённому толкованию — полномочия утрачиваются)", "code 1 (commonly read as: the powers passed on are lost)")})
	case "2":
		r = append(r, [2]string{f.t("Утрата при передоверии", "Loss on retrust"), f.t("код 2 (по распространённому толкованию — полномочия сохраняются)", "code 2 (commonly read as: the powers passed on are kept)")})
	default:
		r = append(r, [2]string{f.t("Утрата при передоверии", "Loss on retrust"), f.t("код ", "code ") + p.LossOnRetrust})
	}
	f.kv(r)

	if len(p.Machine) > 0 {
		f.d.Space(6)
		t := [][]string{{"№", f.t("Код полномочия", "Code"), f.t("Наименование полномочия и ограничения", "Power and restrictions")}}
		for i, m := range p.Machine {
			name := f.name(m.Code, m.Name)
			if m.Mnemonic != "" {
				name += f.t(" (мнемоника ", " (mnemonic ") + m.Mnemonic + ")"
			}
			// A few restrictions go in the power's cell; more get a row
			// each, since a row never splits across pages.
			if len(m.Restrictions) <= inlineRestrictions {
				for _, rs := range m.Restrictions {
					name += "\n" + f.restriction(rs)
				}
			}
			t = append(t, []string{fmt.Sprint(i + 1), m.Code, name})
			if len(m.Restrictions) > inlineRestrictions {
				for _, rs := range m.Restrictions {
					t = append(t, []string{"", rs.Code, f.restriction(rs)})
				}
			}
		}
		f.keep(60)
		// The code column fits the longest code (within bounds), the name
		// takes the rest; widths are in points, the table scales them.
		codeW := pdf.Style{Size: cellStyle.Size, Bold: true}.Width(t[0][1])
		for _, r := range t[1:] {
			codeW = max(codeW, cellStyle.Width(r[1]))
		}
		codeW = min(max(codeW+8, 60), 170)
		bold := pdf.Style{Size: cellStyle.Size, Bold: true}
		numW := max(bold.Width(t[0][0]), cellStyle.Width(fmt.Sprint(len(p.Machine)))) + 8
		f.d.Table(pdf.Table{Header: true, Widths: []float64{numW, codeW, f.d.ContentWidth() - numW - codeW}, Rows: t, Style: cellStyle, Padding: 2})
	}
	if s := strings.TrimSpace(p.Text); s != "" {
		f.d.Space(6)
		f.d.Paragraph(f.t("Текст полномочий:", "Powers as text:"), partStyle)
		f.d.Space(2)
		f.d.Paragraph(s, bodyStyle)
	}
	if len(p.Machine) == 0 && strings.TrimSpace(p.Text) == "" {
		f.d.Paragraph(f.t("Полномочия в документе не указаны.", "The document lists no powers."), bodyStyle)
	}
}

// name is the name to print for a code: the document's (what was signed),
// else the name codeNames knows, else «наименование не указано».
func (f *form) name(code, name string) string {
	if s := strings.TrimSpace(name); s != "" {
		return s
	}
	if s, ok := codeNames[code]; ok {
		return s + f.t(" (наименование по классификатору; в документе не указано)", " (name from the classifier; not in the document)")
	}
	return f.t(noNameRU, noNameEN)
}

// restriction prints one ОгрСвПолн: its name, then the value as name and
// code, or as text.
func (f *form) restriction(r mchd.Restriction) string {
	s := f.t("Ограничение", "Restriction") + " " + r.ID + ": " + f.name(r.Code, r.Name) + " — "
	switch {
	case r.ValueCode != "":
		vn := strings.TrimSpace(r.ValueName)
		if vn == "" {
			vn = f.name(r.ValueCode, "")
		}
		return s + vn + " (" + r.ValueCode + ")"
	case r.ValueText != "":
		if vn := strings.TrimSpace(r.ValueName); vn != "" {
			s += vn + ": "
		}
		return s + r.ValueText
	}
	return s + f.t("значение не указано", "no value")
}

// kind is @ВидДовер (FORMAT.md §4, §13: high confidence).
func (f *form) kind(code string) string {
	switch code {
	case mchd.KindRevocable:
		return f.t("отзывная", "revocable")
	case mchd.KindIrrevocable:
		return f.t("безотзывная", "irrevocable")
	}
	return f.t("код ", "code ") + code
}

// retrust is @ПрПередов (FORMAT.md §4, §9, §13: high confidence).
func (f *form) retrust(code string) string {
	switch code {
	case mchd.RetrustForbidden:
		return f.t("без права передоверия", "retrust not allowed")
	case mchd.RetrustOnce:
		return f.t("допускается однократное передоверие", "one-time retrust allowed")
	case mchd.RetrustFurther:
		return f.t("допускается передоверие с правом последующего передоверия", "retrust allowed, with the right of further retrust")
	}
	return f.t("код ", "code ") + code
}

// date prints an xs:date as DD.MM.YYYY (ru) or YYYY-MM-DD (en); what does
// not parse is printed as written.
func (f *form) date(s string) string {
	if s == "" {
		return ""
	}
	t, err := mchd.ParseDate(s)
	if err != nil {
		return s
	}
	return t.Format(f.t("02.01.2006", "2006-01-02"))
}

var monthsRU = [...]string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}

// longDate prints an xs:date as «22 мая 2025 г.» or "22 May 2025".
func (f *form) longDate(s string) string {
	t, err := mchd.ParseDate(s)
	if err != nil {
		return orDash(s)
	}
	if f.en {
		return t.Format("2 January 2006")
	}
	return fmt.Sprintf("%d %s %d г.", t.Day(), monthsRU[t.Month()-1], t.Year())
}

// moscow is Moscow time, UTC+3 all year since 26 October 2014 (Federal
// Law 248-FZ of 21.07.2014); operators read MCHD times in it (FORMAT.md §4).
var moscow = time.FixedZone("MSK", 3*3600)

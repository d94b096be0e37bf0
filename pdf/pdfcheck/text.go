package pdfcheck

import (
	"fmt"
	"io"
	"strings"
)

// ruleRU are the rules in Russian, for people (the JSON report keeps the
// stable English names).
var ruleRU = map[string]string{
	RuleHeader:       "заголовок %PDF-1.n",
	RuleBinary:       "двоичный комментарий после заголовка",
	RuleID:           "идентификатор /ID в трейлере",
	RuleEncryption:   "файл не зашифрован",
	RuleXMP:          "метаданные XMP: pdfaid part 2, conformance B",
	RuleInfoXMP:      "словарь Info совпадает с XMP",
	RuleOutputIntent: "цветовой профиль вывода (OutputIntent GTS_PDFA1)",
	RuleFonts:        "шрифты встроены",
	RuleActions:      "нет JavaScript, запрещённых действий, вложений, XFA",
	RuleAnnotFlags:   "аннотации выводятся на печать (/F 4)",
	RuleAppearance:   "у аннотаций есть вид (/AP /N)",
	RuleEOL:          "конец строки перед endstream",
	RuleEOF:          "после %%EOF ничего нет",
}

// WriteText writes the report for a person, in Russian or, with english,
// in English: one line per check, marked "ok" or "FAIL", then the QR codes.
// Details stay in English: they quote the file's own keys.
func (r *Report) WriteText(w io.Writer, english bool) error {
	tr := func(ru, en string) string {
		if english {
			return en
		}
		return ru
	}
	mark := func(ok bool) string {
		if ok {
			return "ok  "
		}
		return "FAIL"
	}
	var b strings.Builder
	fmt.Fprintf(&b, tr("%s размер: %d байт (предел %d)\n", "%s size: %d bytes (limit %d)\n"), mark(r.SizeOK), r.Size, r.MaxSize)
	switch {
	case r.PDFAPart != "":
		fmt.Fprintf(&b, tr("ok   заявлено соответствие: PDF/A-%s%s\n", "ok   PDF/A claim: PDF/A-%s%s\n"), r.PDFAPart, strings.ToLower(r.PDFAConformance))
	case r.Encrypted:
		b.WriteString(tr("FAIL заявление о PDF/A не прочитано: файл зашифрован\n", "FAIL PDF/A claim: not read, the file is encrypted\n"))
	default:
		b.WriteString(tr("FAIL заявления о PDF/A нет (нет pdfaid:part в метаданных XMP)\n", "FAIL PDF/A claim: none (no pdfaid:part in XMP metadata)\n"))
	}
	for _, rule := range r.Rules {
		name := rule.Rule
		if !english && ruleRU[name] != "" {
			name = ruleRU[name]
		}
		fmt.Fprintf(&b, "%s %s", mark(rule.OK), name)
		if rule.Detail != "" {
			fmt.Fprintf(&b, ": %s", rule.Detail)
		}
		b.WriteString("\n")
	}
	for _, q := range r.QRCodes {
		where := fmt.Sprintf(tr("страница %d", "page %d"), q.Page)
		if q.Image {
			where += fmt.Sprintf(tr(", изображение (объект %d)", ", image object %d"), q.Object)
		}
		fmt.Fprintf(&b, tr("QR-код, %s, в точке %.1f,%.1f мм: %s\n", "QR code, %s, at %.1f,%.1f mm: %s\n"), where, q.X, q.Y, q.Payload)
	}
	if len(r.QRCodes) == 0 {
		b.WriteString(tr("QR-коды не найдены\n", "QR codes: none found\n"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

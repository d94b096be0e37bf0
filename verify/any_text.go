package verify

import (
	"fmt"
	"io"
	"strings"
)

// anyCodeText says in words what Any's own codes mean.
var anyCodeText = map[Code][2]string{
	CodeMCHDPowerNotChecked:   {"код полномочия не указан: полномочие не проверялось", "no power code was given: the power was not checked"},
	CodeMCHDSignedOutsideTerm: {"документ подписан вне срока действия доверенности", "the document was signed outside the POA's term"},
	CodeOK:                    {"проверка пройдена", "passed"},
}

// Text says in words what c means, in lang (Russian when empty); an unknown
// code is returned as it is.
func (c Code) Text(lang Lang) string {
	l := 0
	if lang == English {
		l = 1
	}
	if t, ok := anyCodeText[c]; ok {
		return t[l]
	}
	return codeWords(c, l)
}

// anyPhrases are the texts of Result.WriteText, Russian first.
var anyPhrases = map[string][2]string{
	"files":          {"Файлы", "Files"},
	"signature":      {"подпись", "signature"},
	"document":       {"документ", "document"},
	"pdf":            {"PDF", "PDF"},
	"mchd":           {"доверенность", "power of attorney"},
	"mchd-signature": {"подпись доверенности", "signature of the POA"},
	"verdict":        {"Итог", "Verdict"},
	"warning":        {"Внимание", "Warning"},
	"reason":         {"Причина", "Reason"},
	"doc_signature":  {"Подпись документа", "The document's signature"},
}

// WriteText writes the result for a person, in lang (Russian when empty):
// the files and their roles, the verdict, then the report of what was
// checked (CMS, PDF, POA).
func (r *Result) WriteText(w io.Writer, lang Lang) error {
	l := 0
	if lang == English {
		l = 1
	}
	p := func(k string) string { return anyPhrases[k][l] }
	var b strings.Builder
	fmt.Fprintf(&b, "%s:", p("files"))
	for _, f := range r.Files {
		fmt.Fprintf(&b, " %s (%s)", f.Name, p(f.Role))
	}
	fmt.Fprintf(&b, "\n%s: %s (%s", p("verdict"), verdictWords(r.Kind, r.Indication, l), r.Indication)
	if r.SubIndication != "" {
		fmt.Fprintf(&b, "/%s", r.SubIndication)
	}
	b.WriteString(")\n")
	if r.Code != CodeOK && r.Code != "" {
		fmt.Fprintf(&b, "%s: %s [%s]", p("reason"), r.Code.Text(lang), r.Code)
		if r.Detail != "" {
			fmt.Fprintf(&b, " — %s", LocalizeDetail(r.Detail, lang))
		}
		b.WriteString("\n")
	}
	for _, wn := range r.Warnings {
		fmt.Fprintf(&b, "%s: %s [%s]\n", p("warning"), wn.Code.Text(lang), wn.Code)
	}
	b.WriteString("\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	var err error
	switch {
	case r.PDF != nil:
		err = r.PDF.WriteText(w, lang)
	case r.Kind == KindRepresentative && r.CMS != nil:
		if _, err = fmt.Fprintf(w, "%s\n", p("doc_signature")); err != nil {
			return err
		}
		if err = r.CMS.WriteText(w, lang); err != nil {
			return err
		}
		if r.MCHD != nil {
			if _, err = io.WriteString(w, "\n"); err != nil {
				return err
			}
			err = r.MCHD.WriteText(w, lang)
		}
	case r.MCHD != nil:
		err = r.MCHD.WriteText(w, lang)
	case r.CMS != nil:
		err = r.CMS.WriteText(w, lang)
	}
	return err
}

// verdictWords is the verdict as a person reads it, for the kind of thing
// checked.
func verdictWords(k Kind, i Indication, l int) string {
	switch k {
	case KindMCHD:
		return mchdPhrases[i.s()][l]
	case KindRepresentative:
		t := map[Indication][2]string{
			TotalPassed:   {"ДОКУМЕНТ ПОДПИСАН ПРЕДСТАВИТЕЛЕМ В ПРЕДЕЛАХ ПОЛНОМОЧИЙ", "SIGNED BY A REPRESENTATIVE WITHIN THEIR POWERS"},
			TotalFailed:   {"ПОДПИСЬ ПРЕДСТАВИТЕЛЯ НЕДЕЙСТВИТЕЛЬНА", "THE REPRESENTATIVE'S SIGNATURE IS NOT VALID"},
			Indeterminate: {"ПОЛНОМОЧИЯ ПОДПИСАНТА НЕ УСТАНОВЛЕНЫ", "THE SIGNER'S AUTHORITY IS NOT ESTABLISHED"},
		}
		return t[i][l]
	}
	return phrases[i.s()][l]
}

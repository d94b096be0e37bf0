package verify

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// mchdPhrases are the texts of a POA report a person reads, Russian first.
var mchdPhrases = map[string][2]string{
	"report":            {"Проверка доверенности (МЧД)", "Power of attorney (MCHD) check"},
	"parent":            {"Доверенность, на основании которой выдано передоверие", "The POA this retrust is based on"},
	TotalPassed.s():     {"ДОВЕРЕННОСТЬ ДЕЙСТВИТЕЛЬНА", "POWER OF ATTORNEY VALID"},
	TotalFailed.s():     {"ДОВЕРЕННОСТЬ НЕДЕЙСТВИТЕЛЬНА", "POWER OF ATTORNEY INVALID"},
	Indeterminate.s():   {"ДЕЙСТВИТЕЛЬНОСТЬ ДОВЕРЕННОСТИ НЕ УСТАНОВЛЕНА", "VALIDITY OF THE POWER OF ATTORNEY NOT ESTABLISHED"},
	"guid":              {"Номер (GUID)", "Number (GUID)"},
	"internal":          {"внутренний номер", "internal number"},
	"retrust":           {"передоверие, основная доверенность", "retrust of"},
	"term":              {"Срок действия", "Term"},
	"term_fmt":          {"выдана %s, действует по %s включительно", "issued %s, valid through %s inclusive"},
	"retrust_allowed":   {"Передоверие", "Retrust"},
	"ra_1":              {"запрещено", "not allowed"},
	"ra_2":              {"однократное", "once"},
	"ra_3":              {"с правом последующего передоверия", "with further retrust"},
	"principal":         {"Доверитель", "Principal"},
	"grantor":           {"Передаёт полномочия", "Grantor"},
	"head":              {"действует без доверенности", "acts without a POA"},
	"representative":    {"Представитель", "Representative"},
	"joint":             {"представители действуют совместно", "the representatives act jointly"},
	"powers":            {"Полномочия", "Powers"},
	"powers_text":       {"Полномочия (текст)", "Powers (text)"},
	"steps":             {"Проверки", "Checks"},
	"registry":          {"Реестр", "Registry"},
	"reg_none":          {"не проверялся", "not checked"},
	"reg_unknown":       {"доверенность в реестре не найдена", "not in the registry"},
	"reg_ok":            {"зарегистрирована, не отменена", "registered, not revoked"},
	"reg_revoked":       {"ОТМЕНЕНА", "REVOKED"},
	"problem":           {"Замечание", "Problem"},
	"warning":           {"Внимание", "Warning"},
	"answer":            {"Вопрос", "Question"},
	"answer_q":          {"может ли %s подписывать документы с полномочием %s", "may %s sign documents needing power %s"},
	"yes":               {"ДА", "YES"},
	"no":                {"НЕТ", "NO"},
	"step_format":       {"формат XML (XSD и правила)", "XML format (XSD and rules)"},
	"step_signature":    {"подпись файла", "signature over the file"},
	"step_certificate":  {"сертификат подписанта (квалифицированный, цепочка, срок)", "signer's certificate (qualified, chain, validity)"},
	"step_signer":       {"подписант — доверитель", "signer is the principal"},
	"step_term":         {"срок действия", "term"},
	"step_registry":     {"статус в реестре", "registry status"},
	"step_parent":       {"основная доверенность", "parent POA"},
	"step_printed-form": {"QR-код печатной формы", "printed form's QR code"},
	"step_power":        {"полномочие представителя", "representative's power"},
	"ok":                {"пройдена", "passed"},
}

// mchdCodeText says in words what an MCHD code means.
var mchdCodeText = map[Code][2]string{
	CodeMCHDFormat:             {"XML не соответствует схеме XSD или правилам формата", "the XML breaks the XSD or the format's rules"},
	CodeMCHDUnsigned:           {"подпись не передана", "no signature was given"},
	CodeMCHDNotGOST:            {"подпись не по ГОСТ Р 34.10-2012", "the signature is not GOST R 34.10-2012"},
	CodeMCHDNotQualified:       {"сертификат не квалифицированный", "the certificate is not a qualified one"},
	CodeMCHDSignerNotPrincipal: {"подписант не является руководителем доверителя", "the signer is not the principal's head"},
	CodeMCHDPrincipalUnsigned:  {"не все доверители подписали", "not every principal has signed"},
	CodeMCHDNotYetValid:        {"доверенность ещё не действует", "the POA is not yet valid"},
	CodeMCHDExpired:            {"срок действия доверенности истёк", "the POA has expired"},
	CodeMCHDSignedAfterTerm:    {"доверенность подписана после окончания срока действия", "the POA was signed after its term"},
	CodeMCHDRevoked:            {"доверенность отменена", "the POA is revoked"},
	CodeMCHDRegistryError:      {"реестр недоступен", "the registry could not be asked"},
	CodeMCHDParentInvalid:      {"основная доверенность недействительна", "the parent POA is not valid"},
	CodeMCHDParentMismatch:     {"передоверие не соответствует основной доверенности", "the retrust does not fit its parent POA"},
	CodeMCHDQRMismatch:         {"QR-код печатной формы не соответствует XML", "the printed form's QR code does not match the XML"},
	CodeMCHDQRMissing:          {"на печатной форме нет QR-кода доверенности", "the printed form has no POA QR code"},
	CodeMCHDNotRepresentative:  {"владелец сертификата не указан представителем", "the certificate holder is not a representative"},
	CodeMCHDPowerMissing:       {"полномочие не предоставлено", "the power is not granted"},
	CodeMCHDTextPowers:         {"полномочия указаны текстом — нужно решение человека", "the powers are text: a person must judge"},
	CodeMCHDRepresentativeCert: {"сертификат представителя недействителен", "the representative's certificate is not valid"},
	CodeMCHDRuleWarning:        {"замечание по правилам формата", "a remark on the format's rules"},
	CodeMCHDCheckedAtSigning:   {"сертификат истёк; проверен на заявленное время подписи", "the certificate has expired; checked at the claimed signing time"},
	CodeMCHDRegistryNotChecked: {"реестр не проверялся: отмена доверенности не проверена", "no registry: revocation of the POA was not checked"},
	CodeMCHDNotRegistered:      {"доверенности нет в реестре", "the POA is not in the registry"},
	CodeMCHDRevokedLater:       {"доверенность отменена после времени проверки", "the POA was revoked after the validation time"},
	CodeMCHDParentNotChecked:   {"основная доверенность не передана и не проверялась", "the parent POA was not given and not checked"},
	CodeMCHDJointPowers:        {"представители действуют совместно: нужны подписи всех", "the representatives act jointly: all must sign"},
	CodeMCHDNameMismatch:       {"ФИО в сертификате отличается от ФИО в доверенности", "the certificate's name differs from the POA's"},
}

func codeWords(c Code, l int) string {
	if t, ok := mchdCodeText[c]; ok {
		return t[l]
	}
	if t, ok := codeText[c]; ok {
		return t[l]
	}
	return string(c)
}

// WriteText writes the report for a person, in lang (Russian when empty):
// the verdict, what the POA says, each step, and the signature report.
func (r *MCHDReport) WriteText(w io.Writer, lang Lang) error {
	var b strings.Builder
	r.writeText(&b, lang, "")
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *MCHDReport) writeText(b *strings.Builder, lang Lang, indent string) {
	l := 0
	if lang == English {
		l = 1
	}
	p := func(key string) string { return mchdPhrases[key][l] }
	line := func(format string, args ...any) {
		if format != "" {
			b.WriteString(indent + fmt.Sprintf(format, args...))
		}
		b.WriteString("\n")
	}
	title := p("report")
	if indent != "" {
		title = p("parent")
	}
	line("%s: %s (%s), %s %s", title, p(r.Indication.s()), r.Indication, phrases["at"][l], r.ValidationTime.Format("2006-01-02 15:04:05 UTC"))
	if r.File != "" {
		line("%s", r.File)
	}
	if r.Code != CodeOK {
		line("  %s: %s [%s]%s", phrases["reason"][l], codeWords(r.Code, l), r.Code, detailSuffix(LocalizeDetail(r.Detail, lang)))
	}
	if a := r.Answer; a != nil {
		who := a.Power
		if a.Representative != nil {
			who = partyLine(a.Representative, l)
		}
		verdict := p("yes")
		if !a.Allowed {
			codes := make([]string, len(a.Codes))
			for i, c := range a.Codes {
				codes[i] = string(c)
			}
			verdict = p("no") + " [" + strings.Join(codes, ", ") + "]"
		}
		line("%s: %s? %s", p("answer"), fmt.Sprintf(p("answer_q"), who, a.Power), verdict)
	}
	if m := r.POA; m != nil {
		line("")
		line("%s: %s", p("guid"), m.GUID)
		if m.InternalNumber != "" {
			line("  %s: %s", p("internal"), m.InternalNumber)
		}
		if m.Retrust {
			line("  %s %s", p("retrust"), m.ParentGUID)
		}
		line("%s: %s", p("term"), fmt.Sprintf(p("term_fmt"), m.Issued, m.ValidUntil))
		line("%s: %s", p("retrust_allowed"), p("ra_"+m.RetrustAllowed))
		who := p("principal")
		if m.Retrust {
			who = p("grantor")
		}
		for _, pt := range m.Principals {
			line("%s: %s", who, mchdPartyLine(pt, l))
			for _, h := range pt.Heads {
				line("  %s: %s", p("head"), mchdPartyLine(h, l))
			}
		}
		for _, pt := range m.Representatives {
			line("%s: %s", p("representative"), mchdPartyLine(pt, l))
		}
		if m.Joint {
			line("  %s", p("joint"))
		}
		if len(m.Powers) > 0 {
			line("%s:", p("powers"))
			for _, pw := range m.Powers {
				line("  %s — %s", pw.Code, pw.Name)
			}
		}
		if m.PowersText != "" {
			line("%s: %s", p("powers_text"), m.PowersText)
		}
		reg := p("reg_none")
		if st := r.Registry; st != nil {
			switch {
			case st.Revoked:
				reg = p("reg_revoked")
				if !st.RevokedAt.IsZero() {
					reg += " " + st.RevokedAt.UTC().Format(time.RFC3339)
				}
				if st.Reason != "" {
					reg += ": " + st.Reason
				}
			case st.Known:
				reg = p("reg_ok")
			default:
				reg = p("reg_unknown")
			}
		}
		line("%s: %s", p("registry"), reg)
	}
	line("")
	line("%s:", p("steps"))
	for _, s := range r.Steps {
		res := p("ok")
		if s.Indication != TotalPassed {
			res = fmt.Sprintf("%s (%s", codeWords(s.Code, l), s.Indication)
			if s.SubIndication != "" {
				res += "/" + string(s.SubIndication)
			}
			res += ") [" + string(s.Code) + "]" + detailSuffix(LocalizeDetail(s.Detail, lang))
		}
		line("  %s: %s", p("step_"+s.Step), res)
	}
	for _, pr := range r.Problems {
		msg := pr.Message
		if l == 1 {
			msg = pr.MessageEN
		}
		line("  %s: %s %s %s: %s", p("problem"), pr.Severity, pr.Code, pr.Path, msg)
	}
	for _, wn := range r.Warnings {
		line("  %s: %s [%s] — %s", p("warning"), codeWords(wn.Code, l), wn.Code, LocalizeDetail(wn.Detail, lang))
	}
	if r.Signature != nil {
		var sb strings.Builder
		_ = r.Signature.WriteText(&sb, lang)
		line("")
		for _, s := range strings.Split(strings.TrimRight(sb.String(), "\n"), "\n") {
			line("%s", s)
		}
	}
	if r.Parent != nil {
		line("")
		r.Parent.writeText(b, lang, indent+"    ")
	}
}

// mchdPartyLine names a party of a POA with its numbers.
func mchdPartyLine(pt MCHDParty, l int) string {
	labels := [][2]string{{"ИНН ЮЛ", "INN (legal entity)"}, {"КПП", "KPP"}, {"ОГРН", "OGRN"}, {"ОГРНИП", "OGRNIP"}, {"ИНН", "INN"}, {"СНИЛС", "SNILS"}}
	parts := []string{pt.Name}
	if pt.Position != "" {
		parts = append(parts, pt.Position)
	}
	for i, v := range []string{pt.INNLE, pt.KPP, pt.OGRN, pt.OGRNIP, pt.INN, pt.SNILS} {
		if v != "" {
			parts = append(parts, labels[i][l]+" "+v)
		}
	}
	return strings.Join(parts, ", ")
}

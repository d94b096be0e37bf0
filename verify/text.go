package verify

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/podpis/podpis/pki"
)

// Lang selects the language of a text report: people read Russian (the
// default); English is available.
type Lang string

const (
	Russian Lang = "ru"
	English Lang = "en"
)

// phrases are the texts of a report a person reads, Russian first.
var phrases = map[string][2]string{
	"report":                              {"Результат проверки", "Verification result"},
	"at":                                  {"время проверки", "validation time"},
	"signature":                           {"Подпись", "Signature"},
	"signer":                              {"Подписант", "Signer"},
	"title":                               {"Должность", "Title"},
	"org":                                 {"Организация", "Organisation"},
	"cert":                                {"Сертификат", "Certificate"},
	"serial":                              {"серийный номер", "serial"},
	"issuer":                              {"издатель", "issuer"},
	"valid":                               {"действует", "valid"},
	"from_to":                             {"с %s по %s", "from %s to %s"},
	"signing_time":                        {"Время подписи (заявлено подписантом)", "Signing time (claimed by the signer)"},
	"timestamp":                           {"Штамп времени", "Timestamp"},
	"chain":                               {"Цепочка сертификатов", "Certificate chain"},
	"revocation":                          {"Отзыв", "Revocation"},
	"warning":                             {"Внимание", "Warning"},
	"reason":                              {"Причина", "Reason"},
	"no_signatures":                       {"подписей нет", "no signatures"},
	"anchor":                              {"Доверенный корень", "Trust anchor"},
	"qes":                                 {"Квалифицированная электронная подпись", "Qualified electronic signature"},
	"yes":                                 {"да", "yes"},
	"no":                                  {"нет", "no"},
	"qualified":                           {"аккредитованный УЦ", "accredited CA"},
	"not_qualified":                       {"аккредитация УЦ не подтверждена", "CA accreditation not established"},
	"registry":                            {"реестровый №", "register no."},
	"subject_tool":                        {"Средство ЭП владельца", "Holder's crypto tool"},
	"tool_class":                          {"класс средства ЭП", "crypto tool class"},
	"issuer_tool":                         {"Средства УЦ", "CA's tools"},
	"conformity":                          {"заключение", "conformity certificate"},
	"ident_kind":                          {"Идентификация владельца", "Holder identified"},
	"key_usage":                           {"Срок действия ключа подписи", "Private key usage period"},
	"from":                                {"с %s", "from %s"},
	"to":                                  {"по %s", "to %s"},
	"ev_crl":                              {"СОС", "CRL"},
	"ev_ocsp":                             {"OCSP", "OCSP"},
	"ev_number":                           {"номер", "number"},
	"ev_produced":                         {"ответ от", "produced"},
	"ev_issued":                           {"выпущен", "issued"},
	"ev_next":                             {"следующий", "next"},
	"ev_cached":                           {"из кэша", "cached"},
	"ev_good":                             {"не отозван", "not revoked"},
	"ev_revoked":                          {"отозван", "revoked"},
	"ev_unknown":                          {"неизвестен", "unknown"},
	"ev_error":                            {"недоступно", "unavailable"},
	"rev_" + string(RevocationNotChecked): {"не проверялся", "not checked"},
	"rev_" + string(NotRevoked):           {"проверен (СОС или OCSP), сертификаты не отозваны", "checked (CRL or OCSP): not revoked"},
	"rev_" + string(RevocationRevoked):    {"сертификат отозван", "a certificate is revoked"},
	"rev_" + string(RevocationUnknown):    {"статус не установлен", "unknown"},
	TotalPassed.s():                       {"ПОДПИСЬ ДЕЙСТВИТЕЛЬНА", "SIGNATURE VALID"},
	TotalFailed.s():                       {"ПОДПИСЬ НЕДЕЙСТВИТЕЛЬНА", "SIGNATURE INVALID"},
	Indeterminate.s():                     {"ДЕЙСТВИТЕЛЬНОСТЬ НЕ УСТАНОВЛЕНА", "VALIDITY NOT ESTABLISHED"},
	"all_" + TotalPassed.s():              {"все подписи действительны", "all signatures are valid"},
	"all_" + TotalFailed.s():              {"есть недействительные подписи", "some signatures are invalid"},
	"all_" + Indeterminate.s():            {"действительность не установлена", "validity not established"},
}

func (i Indication) s() string { return string(i) }

// codeText says in words what a code means, for people.
var codeText = map[Code][2]string{
	CodeFormatFailure:         {"файл подписи повреждён или имеет неверный формат", "the signature file is malformed"},
	CodeSignatureInvalid:      {"значение подписи неверно", "the signature value does not verify"},
	CodeContentMismatch:       {"документ изменён после подписания", "the document was changed after signing"},
	CodeContentMissing:        {"подпись отсоединённая, а документ не передан", "the signature is detached and the document was not given"},
	CodeSignerCertNotFound:    {"сертификат подписанта не найден", "the signer's certificate was not found"},
	CodeSigningCertMismatch:   {"подпись указывает на другой сертификат подписанта", "the signature names another signing certificate"},
	CodeAlgorithmUnsupported:  {"алгоритм не поддерживается", "the algorithm is not supported"},
	CodeTimestampInvalid:      {"штамп времени неверен", "the timestamp is invalid"},
	CodeCertExpired:           {"срок действия сертификата истёк", "a certificate has expired"},
	CodeCertNotYetValid:       {"сертификат ещё не действует", "a certificate is not yet valid"},
	CodeChainUntrusted:        {"нет цепочки до доверенного корневого сертификата", "no chain to a trusted root"},
	CodeCertSignatureInvalid:  {"подпись сертификата неверна", "a certificate's signature is invalid"},
	CodeChainConstraints:      {"цепочка нарушает ограничения сертификатов", "the chain breaks certificate constraints"},
	CodeCertRevoked:           {"сертификат подписанта отозван", "the signer's certificate is revoked"},
	CodeCARevoked:             {"сертификат УЦ в цепочке отозван", "a CA certificate of the chain is revoked"},
	CodeRevocationUnknown:     {"статус отзыва установить не удалось", "the revocation status could not be established"},
	CodeRevocationNotChecked:  {"списки отзыва не переданы, отзыв не проверялся", "no revocation lists were given; revocation was not checked"},
	CodeRevocationUnavailable: {"статус отзыва получить не удалось: ни СОС, ни OCSP недоступны", "the revocation status could not be obtained: no CRL or OCSP answer"},
	CodeRevokedAfterSigning:   {"сертификат отозван после подтверждённого времени подписи", "a certificate was revoked after the proven signing time"},
	CodeSigningTimeFromSigner: {"время подписи не подтверждено штампом времени", "the signing time is not proven by a timestamp"},
	CodeTimestampUntrusted:    {"служба штампов времени не является доверенной", "the timestamp authority is not trusted"},
	CodeValidatedAtTimestamp:  {"сертификат уже истёк; цепочка проверена на время штампа времени", "a certificate has expired since; the chain was checked at the timestamp time"},
	CodeSignedBeforeCert:      {"время подписи раньше начала действия сертификата подписанта", "the signing time is before the signer's certificate was valid"},
}

// WriteText writes the report for a person, in lang (Russian when empty).
func (r *Report) WriteText(w io.Writer, lang Lang) error {
	l := 0
	if lang == English {
		l = 1
	}
	p := func(key string) string { return phrases[key][l] }
	tf := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s (%s), %s %s\n", p("report"), p("all_"+r.Indication.s()), r.Indication, p("at"), tf(r.ValidationTime))
	if r.File != "" {
		fmt.Fprintf(&b, "%s\n", r.File)
	}
	if len(r.Signatures) == 0 {
		fmt.Fprintf(&b, "  %s\n", p("no_signatures"))
	}
	for _, s := range r.Signatures {
		fmt.Fprintf(&b, "\n%s %d: %s (%s", p("signature"), s.Index+1, p(s.Indication.s()), s.Indication)
		if s.SubIndication != "" {
			fmt.Fprintf(&b, "/%s", s.SubIndication)
		}
		fmt.Fprintf(&b, ")\n")
		if s.Code != CodeOK {
			fmt.Fprintf(&b, "  %s: %s [%s]", p("reason"), codeText[s.Code][l], s.Code)
			if s.Detail != "" {
				fmt.Fprintf(&b, " — %s", s.Detail)
			}
			b.WriteString("\n")
		}
		if s.Signer != nil {
			fmt.Fprintf(&b, "  %s: %s\n", p("signer"), partyLine(s.Signer, l))
		}
		if c := s.Certificate; c != nil {
			fmt.Fprintf(&b, "  %s: %s %s, %s «%s», %s %s; %s\n", p("cert"), p("serial"), c.Serial, p("issuer"), c.Issuer,
				p("valid"), fmt.Sprintf(p("from_to"), tf(c.NotBefore), tf(c.NotAfter)), c.Key)
		}
		if c := s.Certificate; c != nil {
			writeQualifiedContent(&b, c, l, tf)
		}
		if s.SigningTime != nil {
			fmt.Fprintf(&b, "  %s: %s\n", p("signing_time"), tf(*s.SigningTime))
		}
		if ts := s.Timestamp; ts != nil {
			fmt.Fprintf(&b, "  %s: %s (%s)\n", p("timestamp"), tf(ts.Time), ts.TSA)
		}
		if len(s.Chain) > 0 {
			names := make([]string, len(s.Chain))
			for i, c := range s.Chain {
				names[i] = "«" + c.Subject + "»"
			}
			fmt.Fprintf(&b, "  %s: %s\n", p("chain"), strings.Join(names, " → "))
		}
		if a := s.TrustAnchor; a != nil {
			fmt.Fprintf(&b, "  %s: «%s»", p("anchor"), a.Subject)
			switch {
			case a.Qualified:
				fmt.Fprintf(&b, ", %s «%s», %s %s", p("qualified"), a.CA, p("registry"), a.RegistryNumber)
			case a.CA != "":
				fmt.Fprintf(&b, ", «%s»: %s (%s)", a.CA, p("not_qualified"), a.Status)
			}
			b.WriteString("\n")
		}
		if q := s.Qualified; q != nil {
			if q.Qualified {
				fmt.Fprintf(&b, "  %s: %s\n", p("qes"), p("yes"))
			} else {
				fmt.Fprintf(&b, "  %s: %s (%s)\n", p("qes"), p("no"), strings.Join(q.Problems, "; "))
			}
		}
		fmt.Fprintf(&b, "  %s: %s\n", p("revocation"), p("rev_"+string(s.Revocation)))
		for _, e := range s.RevocationEvidence {
			writeEvidence(&b, e, p, tf)
		}
		for _, wn := range s.Warnings {
			fmt.Fprintf(&b, "  %s: %s [%s]\n", p("warning"), codeText[wn.Code][l], wn.Code)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// partyLine names a holder as FACTS §6.3 lists it: name, title,
// organisation with its numbers, then the person's numbers.
func partyLine(pt *Party, l int) string {
	labels := [][2]string{{"ИНН ЮЛ", "INN (legal entity)"}, {"ОГРН", "OGRN"}, {"ОГРНИП", "OGRNIP"}, {"СНИЛС", "SNILS"}, {"ИНН", "INN"}}
	var parts []string
	person := strings.TrimSpace(pt.Surname + " " + pt.GivenName)
	switch {
	case person != "":
		parts = append(parts, person)
	case pt.CommonName != "":
		parts = append(parts, pt.CommonName)
	}
	if pt.Title != "" {
		parts = append(parts, pt.Title)
	}
	if pt.Organization != "" && pt.Organization != person {
		parts = append(parts, pt.Organization)
	}
	for i, v := range []string{pt.INNLE, pt.OGRN, pt.OGRNIP, pt.SNILS, pt.INN} {
		if v != "" {
			parts = append(parts, labels[i][l]+" "+v)
		}
	}
	if pt.Email != "" {
		parts = append(parts, pt.Email)
	}
	return strings.Join(parts, ", ")
}

// writeEvidence writes one line per CRL or OCSP answer consulted.
func writeEvidence(b *strings.Builder, e RevocationEvidence, p func(string) string, tf func(time.Time) string) {
	fmt.Fprintf(b, "    %s «%s»: ", p("ev_"+e.Source), e.Certificate)
	if e.Error != "" {
		fmt.Fprintf(b, "%s — %s", p("ev_error"), e.Error)
	} else {
		b.WriteString(p("ev_" + e.Status))
		if e.RevokedAt != nil {
			fmt.Fprintf(b, " %s", tf(*e.RevokedAt))
		}
		if e.Signer != "" {
			fmt.Fprintf(b, "; %s", e.Signer)
		}
		if e.CRLNumber != "" {
			fmt.Fprintf(b, ", %s %s", p("ev_number"), e.CRLNumber)
		}
		if e.ProducedAt != nil {
			fmt.Fprintf(b, ", %s %s", p("ev_produced"), tf(*e.ProducedAt))
		} else if e.ThisUpdate != nil {
			fmt.Fprintf(b, ", %s %s", p("ev_issued"), tf(*e.ThisUpdate))
		}
		if e.NextUpdate != nil {
			fmt.Fprintf(b, ", %s %s", p("ev_next"), tf(*e.NextUpdate))
		}
		if e.Cached {
			fmt.Fprintf(b, " (%s)", p("ev_cached"))
		}
	}
	if e.URL != "" {
		fmt.Fprintf(b, " <%s>", shortURL(e.URL))
	}
	b.WriteString("\n")
}

// shortURL keeps a URL readable: an OCSP GET URL carries the request.
func shortURL(u string) string {
	if len(u) > 100 {
		return u[:100] + "…"
	}
	return u
}

// writeQualifiedContent writes what a qualified certificate says of its
// tools, their class, the holder's identification and the private key usage
// period (FACTS §6.3: what a verifier should display).
func writeQualifiedContent(b *strings.Builder, c *CertInfo, l int, tf func(time.Time) string) {
	p := func(key string) string { return phrases[key][l] }
	if c.SubjectSignTool != "" || len(c.SignToolClasses) > 0 {
		fmt.Fprintf(b, "  %s: ", p("subject_tool"))
		if c.SubjectSignTool != "" {
			fmt.Fprintf(b, "«%s»", c.SubjectSignTool)
		} else {
			b.WriteString("—")
		}
		if len(c.SignToolClasses) > 0 {
			fmt.Fprintf(b, "; %s %s", p("tool_class"), strings.Join(c.SignToolClasses, ", "))
		}
		b.WriteString("\n")
	}
	if t := c.IssuerSignTool; t != nil {
		fmt.Fprintf(b, "  %s: «%s» (%s %s), «%s» (%s %s)\n", p("issuer_tool"),
			t.SignTool, p("conformity"), t.SignToolCert, t.CATool, p("conformity"), t.CAToolCert)
	}
	if c.IdentificationKind != "" {
		fmt.Fprintf(b, "  %s: %s\n", p("ident_kind"), identificationWords(c.IdentificationKind, l == 1))
	}
	if k := c.PrivateKeyUsage; k != nil {
		var parts []string
		if k.NotBefore != nil {
			parts = append(parts, fmt.Sprintf(p("from"), tf(*k.NotBefore)))
		}
		if k.NotAfter != nil {
			parts = append(parts, fmt.Sprintf(p("to"), tf(*k.NotAfter)))
		}
		fmt.Fprintf(b, "  %s: %s\n", p("key_usage"), strings.Join(parts, " "))
	}
}

// identificationWords says an identificationKind code (RFC 9215) in words:
// package pki's Russian words, or the code itself in English.
func identificationWords(code string, english bool) string {
	if english {
		return code
	}
	for k := pki.IdentifiedInPerson; k <= pki.IdentifiedByBiometrySyst; k++ {
		if k.Code() == code {
			return k.String()
		}
	}
	return code
}

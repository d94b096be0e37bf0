package verify

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
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
	"ev_embedded":                         {"из подписи", "carried by the signature"},
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
	CodeFormatFailure:             {"файл подписи повреждён или имеет неверный формат", "the signature file is malformed"},
	CodeSignatureInvalid:          {"значение подписи неверно", "the signature value does not verify"},
	CodeContentMismatch:           {"документ изменён после подписания", "the document was changed after signing"},
	CodeContentMissing:            {"подпись отсоединённая, а документ не передан", "the signature is detached and the document was not given"},
	CodeSignerCertNotFound:        {"сертификат подписанта не найден", "the signer's certificate was not found"},
	CodeSigningCertMismatch:       {"подпись указывает на другой сертификат подписанта", "the signature names another signing certificate"},
	CodeAlgorithmUnsupported:      {"алгоритм не поддерживается", "the algorithm is not supported"},
	CodeTimestampInvalid:          {"штамп времени неверен", "the timestamp is invalid"},
	CodeCertExpired:               {"срок действия сертификата истёк", "a certificate has expired"},
	CodeCertNotYetValid:           {"сертификат ещё не действует", "a certificate is not yet valid"},
	CodeChainUntrusted:            {"нет цепочки до доверенного корневого сертификата", "no chain to a trusted root"},
	CodeCertSignatureInvalid:      {"подпись сертификата неверна", "a certificate's signature is invalid"},
	CodeChainConstraints:          {"цепочка нарушает ограничения сертификатов", "the chain breaks certificate constraints"},
	CodeCertRevoked:               {"сертификат подписанта отозван", "the signer's certificate is revoked"},
	CodeCARevoked:                 {"сертификат УЦ в цепочке отозван", "a CA certificate of the chain is revoked"},
	CodeRevocationUnknown:         {"статус отзыва установить не удалось", "the revocation status could not be established"},
	CodeRevocationNotChecked:      {"списки отзыва не переданы, отзыв не проверялся", "no revocation lists were given; revocation was not checked"},
	CodeRevocationUnavailable:     {"статус отзыва получить не удалось: ни СОС, ни OCSP недоступны", "the revocation status could not be obtained: no CRL or OCSP answer"},
	CodeRevokedAfterSigning:       {"сертификат отозван после подтверждённого времени подписи", "a certificate was revoked after the proven signing time"},
	CodeSigningTimeFromSigner:     {"время подписи не подтверждено штампом времени", "the signing time is not proven by a timestamp"},
	CodeTimestampUntrusted:        {"служба штампов времени не является доверенной", "the timestamp authority is not trusted"},
	CodeValidatedAtTimestamp:      {"сертификат уже истёк; цепочка проверена на время штампа времени", "a certificate has expired since; the chain was checked at the timestamp time"},
	CodeSignedBeforeCert:          {"время подписи раньше начала действия сертификата подписанта", "the signing time is before the signer's certificate was valid"},
	CodeSigningTimeAfterTimestamp: {"заявленное время подписи позже штампа времени", "the claimed signing time is after the timestamp"},
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
				fmt.Fprintf(&b, " — %s", LocalizeDetail(s.Detail, lang))
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
				problems := make([]string, len(q.Problems))
				for i, pr := range q.Problems {
					problems[i] = LocalizeDetail(pr, lang)
				}
				fmt.Fprintf(&b, "  %s: %s (%s)\n", p("qes"), p("no"), strings.Join(problems, "; "))
			}
		}
		fmt.Fprintf(&b, "  %s: %s\n", p("revocation"), p("rev_"+string(s.Revocation)))
		for _, e := range s.RevocationEvidence {
			writeEvidence(&b, e, lang, p, tf)
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
func writeEvidence(b *strings.Builder, e RevocationEvidence, lang Lang, p func(string) string, tf func(time.Time) string) {
	fmt.Fprintf(b, "    %s «%s»: ", p("ev_"+e.Source), e.Certificate)
	if e.Error != "" {
		fmt.Fprintf(b, "%s — %s", p("ev_error"), LocalizeDetail(e.Error, lang))
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
	if e.Embedded {
		fmt.Fprintf(b, " (%s)", p("ev_embedded"))
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

// Details. A report's details (SignatureReport.Detail, Warning.Detail,
// QualifiedStatus.Problems, RevocationEvidence.Error, and the MCHD steps') are
// English sentences with parameters — names, times, numbers — which JSON
// keeps as they are. detailPhrases gives each sentence's Russian form: the
// English is a fmt format whose verbs (%s, %q, %d, %v) match the parameters;
// the Russian is a format whose %s or %[n]s take them, in any order (a %q
// parameter comes unquoted, for «»). A parameter that is itself a detail
// (the inner sentence of "signature 1: …") is translated too. A detail that
// matches no pattern is shown as it is.
var detailPhrases = [][2]string{
	// cms.go, pki path errors
	{"the timestamp proves the signature existed at %s, before the signer's certificate was valid (from %s)",
		"штамп времени подтверждает существование подписи на %s, до начала действия сертификата подписанта (с %s)"},
	{"the signer claims to have signed at %s, before the signer's certificate was valid (from %s)",
		"подписант заявляет время подписи %s, раньше начала действия его сертификата (с %s)"},
	{"signature timestamp %d: %s: %s", "штамп времени %s: %s: %s"},
	{"the signer claims to have signed at %s, after the timestamp proves the signature existed (%s)",
		"подписант заявляет время подписи %s, позже штампа времени, подтверждающего существование подписи (%s)"},
	{"the signing time is the signer's own claim; no timestamp proves it", "время подписи заявлено подписантом и не подтверждено штампом времени"},
	{"the timestamp authority is not trusted: %s", "служба штампов времени не является доверенной: %s"},
	{"a certificate has expired since; the path was valid at the timestamp time %s", "срок действия сертификата истёк; на время штампа времени %s цепочка была действительна"},
	{"pki: %s: certificate %q (serial %s): %s", "сертификат «%[2]s» (серийный номер %[3]s): %[4]s"},
	{"pki: %s: certificate %q (serial %s)", "сертификат «%[2]s» (серийный номер %[3]s): %[1]s"},
	{"expired %s, checked at %s", "срок действия истёк %s, проверка на %s"},
	{"valid from %s, checked at %s", "действует с %s, проверка на %s"},
	{"no trusted issuer found for %q", "не найден доверенный издатель «%s»"},
	{"no trust anchors given", "доверенные корневые сертификаты не заданы"},
	{"issuer %q: %s", "издатель «%s»: %s"},
	{"issuer without basicConstraints cA=TRUE", "издатель не является УЦ (нет basicConstraints cA=TRUE)"},
	{"issuer's keyUsage lacks keyCertSign", "keyUsage издателя не разрешает подписывать сертификаты (keyCertSign)"},
	{"critical extension %s", "неизвестное критическое расширение %s"},
	{"extKeyUsage does not allow %s", "extKeyUsage не разрешает %s"},
	// revocation.go
	{"no revocation lists were given; revocation was not checked", "списки отзыва не переданы, отзыв не проверялся"},
	{"the revocation status of %q could not be established: no CRL or OCSP answer could be had (see revocationEvidence)",
		"статус отзыва «%s» установить не удалось: ни СОС, ни ответ OCSP получить не удалось (см. сведения об отзыве)"},
	{"no revocation list from %q issued by %s covers %q", "ни один СОС от «%s», выпущенный к %s, не охватывает «%s»"},
	{"certificate %q was revoked on %s, after the proven signing time %s", "сертификат «%s» отозван %s, после подтверждённого времени подписи %s"},
	{"the signer's certificate was revoked on %s", "сертификат подписанта отозван %s"},
	{"CA certificate %q was revoked on %s", "сертификат УЦ «%s» отозван %s"},
	{"the certificate names no http OCSP responder and no http CRL distribution point", "в сертификате нет адресов OCSP и точек распространения СОС по http"},
	{"not a CRL: %s", "это не СОС: %s"},
	{"the CRL was not signed by %q: %s", "СОС подписан не «%s»: %s"},
	{"the CRL's thisUpdate %s is in the future", "дата выпуска СОС %s ещё не наступила"},
	{"the CRL is stale: nextUpdate %s has passed", "СОС устарел: срок следующего выпуска %s прошёл"},
	{"not an OCSP response: %s", "это не ответ OCSP: %s"},
	{"the responder answered %s", "служба OCSP ответила %s"},
	{"the response's nonce is not the request's (a replayed answer?)", "nonce ответа OCSP не совпадает с запросом (повтор старого ответа?)"},
	{"the response does not cover the certificate", "ответ OCSP не относится к сертификату"},
	{"the response's thisUpdate %s is in the future", "время ответа OCSP %s ещё не наступило"},
	{"the response is stale: nextUpdate %s has passed", "ответ OCSP устарел: срок %s прошёл"},
	{"the responder does not know the certificate (status unknown)", "служба OCSP не знает сертификат (статус unknown)"},
	{"the revocation of responder %q could not be checked: %s", "отзыв сертификата службы OCSP «%s» проверить не удалось: %s"},
	{"responder %q has no id-pkix-ocsp-nocheck and no CRL to check it in", "у сертификата службы OCSP «%s» нет id-pkix-ocsp-nocheck и нет СОС для проверки"},
	{"responder %q was revoked on %s", "сертификат службы OCSP «%s» отозван %s"},
	{"issued %s, before the proven signing time %s", "выпущен %s, раньше подтверждённого времени подписи %s"},
	{"issued %s, after the validation time %s", "выпущен %s, позже времени проверки %s"},
	{"the revocation data the signature carries do not cover %q, and no others were given; its revocation was not checked",
		"данные об отзыве в подписи не охватывают «%s», других не передано; отзыв не проверялся"},
	{"%s: no answer within %s", "%s: нет ответа за %s"},
	{"%s: HTTP %s", "%s: HTTP %s"},
	{"%s: answer not complete within %s", "%s: ответ не получен полностью за %s"},
	{"%s: answer of %d bytes, more than the %d allowed", "%s: ответ %s байт, больше допустимых %s"},
	{"%s: answer of more than the %d bytes allowed", "%s: ответ больше допустимых %s байт"},
	{"%s: only http and https URLs are fetched", "%s: загружаются только адреса http и https"},
	// trust.go: qualified certificates
	{"the trust anchor is not from the list of accredited CAs", "доверенный корень не из перечня аккредитованных УЦ"},
	{"the CA's accreditation is not in force (%s)", "аккредитация УЦ не действует (%s)"},
	{"the certificate lacks subjectSignTool (1.2.643.100.111)", "в сертификате нет средства ЭП владельца (subjectSignTool, 1.2.643.100.111)"},
	{"the certificate's subjectSignTool (1.2.643.100.111) has %d characters, more than %d", "средство ЭП владельца (subjectSignTool) в сертификате длиной %s символов, больше %s"},
	{"the certificate lacks issuerSignTool (1.2.643.100.112)", "в сертификате нет средств УЦ (issuerSignTool, 1.2.643.100.112)"},
	{"the certificate's issuerSignTool (1.2.643.100.112) has an empty %s", "в средствах УЦ (issuerSignTool) сертификата пустое поле %s"},
	{"the certificate's issuerSignTool (1.2.643.100.112) has a %s of %d characters, more than %d", "в средствах УЦ (issuerSignTool) сертификата поле %s длиной %s символов, больше %s"},
	{"the certificate names an unknown sign-tool class policy %s", "в сертификате неизвестный класс средства ЭП %s"},
	{"the certificate names no sign-tool class (1.2.643.100.113.x)", "в сертификате не указан класс средства ЭП (1.2.643.100.113.x)"},
	{"the signing time %s is outside the private key usage period", "время подписи %s вне срока действия ключа подписи"},
	// mchd.go, mchd_match.go
	{"%d error(s); first: %s %s: %s", "ошибок: %s; первая: %s %s: %s"},
	{"no signature was given", "подпись не передана"},
	{"signature %d: %s", "подпись %s: %s"},
	{"the term cannot be read: %s", "срок действия не читается: %s"},
	{"signed on %s, after the last day of validity %s", "подписано %s, после последнего дня действия %s"},
	{"issued on %s, after the validation day %s", "выдана %s, позже дня проверки %s"},
	{"valid through %s, the validation day is %s", "действовала по %s, день проверки %s"},
	{"the registry lists the POA as revoked on %s: %s", "по данным реестра доверенность отменена %s: %s"},
	{"the registry lists the POA as revoked on %s", "по данным реестра доверенность отменена %s"},
	{"the registry lists the POA as revoked: %s", "по данным реестра доверенность отменена: %s"},
	{"the registry lists the POA as revoked", "по данным реестра доверенность отменена"},
	{"more than %d levels of retrust", "больше %s уровней передоверия"},
	{"the parent POA: %s — %s", "основная доверенность: %s — %s"},
	{"the parent POA: %s", "основная доверенность: %s"},
	{"certificate СНИЛС %s ≠ %s of %s", "СНИЛС в сертификате %s ≠ %s у %s"},
	{"certificate ИНН ЮЛ %q ≠ %s of %s", "ИНН ЮЛ в сертификате «%s» ≠ %s у %s"},
	{"certificate ИНН %s ≠ %s of %s", "ИНН в сертификате %s ≠ %s у %s"},
	{"neither СНИЛС nor ИНН ties the certificate to %s", "ни СНИЛС, ни ИНН не связывают сертификат с %s"},
	{"the certificate names no organisation (no ИНН ЮЛ); %s has ИНН ЮЛ %s", "в сертификате нет организации (нет ИНН ЮЛ); у %s ИНН ЮЛ %s"},
	{"certificate ОГРН %s ≠ %s of %s", "ОГРН в сертификате %s ≠ %s у %s"},
	{"neither ИНН ЮЛ nor ОГРН ties the certificate to %s", "ни ИНН ЮЛ, ни ОГРН не связывают сертификат с %s"},
	{"certificate ОГРНИП %s ≠ %s of %s", "ОГРНИП в сертификате %s ≠ %s у %s"},
	{"no signer's certificate to compare with the principal", "нет сертификата подписанта для сверки с доверителем"},
	{"principal %s has not signed", "доверитель %s не подписал"},
	{"the heads of %s act jointly and %s has not signed", "руководители %s действуют совместно, а %s не подписал"},
	{"grantor %s is not a representative of the parent POA %s", "передоверитель %s не представитель по основной доверенности %s"},
	{"the representative's certificate: %s: %s", "сертификат представителя: %s: %s"},
	{"the representative's certificate is not a qualified one (FACTS §6.2)", "сертификат представителя не квалифицированный"},
	{"the powers are given as text; a person must judge whether they cover %s", "полномочия указаны текстом; покрывают ли они %s, решает человек"},
	{"the POA does not grant power %s", "доверенность не даёт полномочия %s"},
	{"%s: the QR code %q: %s", "%s: QR-код «%s»: %s"},
	{"%s: the QR code names POA %s, the XML is %s", "%s: QR-код указывает доверенность %s, а XML — %s"},
	{"%s: the QR code's Streebog-256 %s is not that of the XML (%s)", "%s: хэш Стрибог-256 в QR-коде %s не совпадает с хэшем XML (%s)"},
	{"%s: no QR code of a power of attorney found", "%s: QR-код доверенности не найден"},
	{"the file starts with a byte-order mark; EMCHD files have none (FORMAT.md §2) and signing tools may have signed the bytes without it",
		"файл начинается с метки порядка байтов (BOM); в файлах МЧД её нет, и подписан мог быть файл без неё"},
	{"the certificate has expired since; checked at the signing time the signer claims, as FORMAT.md §8.3.3 says",
		"срок действия сертификата истёк; проверено на заявленное подписантом время подписи (FORMAT.md §8.3.3)"},
	{"no registry was given; whether the POA was revoked was not checked", "реестр не задан; отмена доверенности не проверялась"},
	{"revoked on %s, after the validation time", "отменена %s, после времени проверки"},
	{"the registry does not hold POA %s", "в реестре нет доверенности %s"},
	{"the POA this retrust is based on was not given; whether it allows retrust, its term and status were not checked",
		"основная доверенность не передана; допустимость передоверия, её срок и статус не проверялись"},
	{"the certificate names %s %s, the POA %s", "в сертификате %s %s, в доверенности %s"},
	{"the representatives act jointly: a document needs all %d of them to sign", "представители действуют совместно: документ должны подписать все %s"},
	// any.go, pdf.go
	{"signature %d (%s): the ByteRange %s", "подпись %s (%s): ByteRange %s"},
	{"signature %d (%s): /Contents cannot be read", "подпись %s (%s): /Contents не читается"},
	{"signature %d (%s): %s", "подпись %s (%s): %s"},
	{"the PDF has no signature", "в PDF нет подписи"},
	{"the power of attorney: %s", "доверенность: %s"},
	{"the document was signed on %s; the POA is valid from %s through %s", "документ подписан %s; доверенность действует с %s по %s"},
	{"the CMS in /Contents could not be read: %s", "CMS в /Contents не читается: %s"},
}

// detailPattern is an English detail compiled to a regular expression.
type detailPattern struct {
	// prefix is the literal text before the first parameter: a cheap
	// test before the regular expression.
	prefix string
	re     *regexp.Regexp
	quote  []bool // which parameters were %q
	ru     string
}

var detailPatterns = sync.OnceValue(func() []detailPattern {
	verb := regexp.MustCompile(`%[sqdv]`)
	out := make([]detailPattern, 0, len(detailPhrases))
	for _, ph := range detailPhrases {
		var expr strings.Builder
		var quote []bool
		expr.WriteString(`(?s)^`)
		last := 0
		for _, m := range verb.FindAllStringIndex(ph[0], -1) {
			expr.WriteString(regexp.QuoteMeta(ph[0][last:m[0]]))
			switch ph[0][m[0]+1] {
			case 'q':
				expr.WriteString(`("(?:[^"\\]|\\.)*")`)
			case 'd':
				expr.WriteString(`(-?[0-9]+)`)
			default:
				expr.WriteString(`(.+?)`)
			}
			quote = append(quote, ph[0][m[0]+1] == 'q')
			last = m[1]
		}
		expr.WriteString(regexp.QuoteMeta(ph[0][last:]) + `$`)
		prefix := ph[0]
		if i := strings.IndexByte(prefix, '%'); i >= 0 {
			prefix = prefix[:i]
		}
		out = append(out, detailPattern{prefix: prefix, re: regexp.MustCompile(expr.String()), quote: quote, ru: ph[1]})
	}
	return out
})

// LocalizeDetail returns a report's detail in lang: itself in English, its
// Russian form (see detailPhrases) in Russian, or itself when no Russian
// form is known.
func LocalizeDetail(detail string, lang Lang) string {
	if lang == English || detail == "" {
		return detail
	}
	if ru, ok := russianDetail(detail, 0); ok {
		return ru
	}
	return detail
}

// maxDetailDepth bounds the nesting of details translated (a detail of a
// parent POA's detail …).
const maxDetailDepth = 4

func russianDetail(d string, depth int) (string, bool) {
	if depth > maxDetailDepth || d == "" {
		return d, false
	}
	for _, p := range detailPatterns() {
		if !strings.HasPrefix(d, p.prefix) {
			continue
		}
		m := p.re.FindStringSubmatch(d)
		if m == nil {
			continue
		}
		args := make([]any, len(m)-1)
		for i, a := range m[1:] {
			if p.quote[i] {
				if u, err := strconv.Unquote(a); err == nil {
					a = u
				}
			} else if ru, ok := russianDetail(a, depth+1); ok {
				a = ru
			}
			args[i] = a
		}
		return fmt.Sprintf(p.ru, args...), true
	}
	return d, false
}

// russianDetails is LocalizeDetail over a list; nil when nothing changes.
func russianDetails(ds []string) []string {
	var out []string
	for i, d := range ds {
		if ru, ok := russianDetail(d, 0); ok {
			if out == nil {
				out = append([]string(nil), ds...)
			}
			out[i] = ru
		}
	}
	return out
}

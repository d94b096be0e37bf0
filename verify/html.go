package verify

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/podpis/podpis/mchd"
)

// The HTML report is a page a person prints and files: a header with the
// verdict in its colour, then per signature the ETSI EN 319 102-1
// indication and sub-indication, the code in words, the signer with the
// Russian attributes (FACTS §6.3), the certificate and its chain, the
// revocation evidence, the timestamp, and a signature stamp laid out as
// GOST R 7.0.97-2016 describes the mark of an electronic signature on a
// visualised document (shared/spec/mchd/FORMAT.md §14: «Документ подписан
// электронной подписью», the certificate's serial number, the owner, the
// validity period); for a power of attorney the powers, the checks and the
// answer to the power question. It is one self-contained file: inline CSS
// for screen and A4 print, no script, no external resource.

//go:embed htmlreport/report.html.tmpl htmlreport/report.css
var htmlFiles embed.FS

var htmlTemplate = template.Must(template.New("report.html.tmpl").ParseFS(htmlFiles, "htmlreport/report.html.tmpl"))

var htmlCSS = func() template.CSS {
	b, err := htmlFiles.ReadFile("htmlreport/report.css")
	if err != nil {
		panic(err)
	}
	return template.CSS(b) // our own file, embedded at build time
}()

// htmlPage is what the template shows.
type htmlPage struct {
	Lang      string
	CSS       template.CSS
	L         func(string) string
	Title     string
	Verdict   string
	Class     string // ok, bad, unknown
	Indic     string
	Code      string
	CodeText  string
	Detail    string
	Summary   []string
	CheckedAt string
	Generated string
	Files     []htmlRow
	Warnings  []htmlRow
	Sections  []htmlSection
}

type htmlRow struct{ K, V string }

type htmlSection struct {
	Heading string
	Notes   []htmlRow
	// POA, when set, is shown before the signatures (of the POA).
	POA  *htmlPOA
	Sigs []htmlSig
}

type htmlSig struct {
	Title    string
	Class    string
	Verdict  string
	Rows     []htmlRow // indication, sub-indication, code, detail
	Signer   []htmlRow
	Cert     []htmlRow
	Times    []htmlRow
	Chain    []string
	Anchor   string
	Rev      string
	Evidence []htmlEvidence
	Warnings []htmlRow
	Stamp    *htmlStamp
}

type htmlEvidence struct{ Source, Cert, Status, Info, URL string }

// htmlStamp is the mark of an electronic signature (GOST R 7.0.97-2016).
type htmlStamp struct {
	Class  string
	Serial string
	Owner  string
	Org    string
	Valid  string
	Extra  []string
}

type htmlPOA struct {
	Title    string
	Class    string
	Verdict  string
	Rows     []htmlRow
	Parties  []htmlRow
	Powers   []htmlRow
	Steps    []htmlStep
	Question string
	Answer   string
	AnswerOK bool
	Warnings []htmlRow
}

type htmlStep struct{ Name, Result, Class, Why string }

// WriteHTML writes the result as one self-contained HTML page, in lang
// (Russian when empty).
func (r *Result) WriteHTML(w io.Writer, lang Lang) error {
	return htmlTemplate.Execute(w, r.page(lang))
}

// WriteHTML writes the report as an HTML page (see Result.WriteHTML).
func (r *Report) WriteHTML(w io.Writer, lang Lang) error {
	res := &Result{Kind: KindCMS, CMS: r, ValidationTime: r.ValidationTime, Indication: r.Indication}
	res.SubIndication, res.Code, res.Detail = firstProblem(r)
	if r.File != "" {
		res.Files = []Role{{r.File, KindCMS, "signature"}}
	}
	return res.WriteHTML(w, lang)
}

// WriteHTML writes the PDF report as an HTML page (see Result.WriteHTML).
func (r *PDFReport) WriteHTML(w io.Writer, lang Lang) error {
	return pdfResult(r).WriteHTML(w, lang)
}

// WriteHTML writes the POA report as an HTML page (see Result.WriteHTML).
func (r *MCHDReport) WriteHTML(w io.Writer, lang Lang) error {
	res := &Result{Kind: KindMCHD, MCHD: r, ValidationTime: r.ValidationTime,
		Indication: r.Indication, SubIndication: r.SubIndication, Code: r.Code, Detail: r.Detail}
	if r.File != "" {
		res.Files = []Role{{r.File, KindMCHD, "mchd"}}
	}
	return res.WriteHTML(w, lang)
}

func (r *Result) page(lang Lang) *htmlPage {
	l := 0
	if lang == English {
		l = 1
	}
	L := func(k string) string {
		if t, ok := htmlText[k]; ok {
			return t[l]
		}
		return k
	}
	tf := timeFormat(l)
	pg := &htmlPage{Lang: []string{"ru", "en"}[l], CSS: htmlCSS, L: L, Title: L("title"),
		Verdict: verdictWords(r.Kind, r.Indication, l), Class: verdictClass(r.Indication),
		Indic: indicText(r.Indication, r.SubIndication), Code: string(r.Code), CodeText: r.Code.Text(lang), Detail: LocalizeDetail(r.Detail, lang),
		CheckedAt: tf(r.ValidationTime), Generated: tf(time.Now())}
	if r.Code == CodeOK {
		pg.Code, pg.CodeText = "", ""
	}
	for _, f := range r.Files {
		pg.Files = append(pg.Files, htmlRow{anyPhrases[f.Role][l], f.Name})
	}
	for _, wn := range r.Warnings {
		pg.Warnings = append(pg.Warnings, warnRow(wn, lang))
	}
	pg.Summary = summaryLines(r, l)
	var stampExtra []string
	if r.MCHD != nil && r.MCHD.POA != nil && r.Kind == KindRepresentative {
		stampExtra = poaStampLine(r.MCHD.POA, l)
	}
	switch {
	case r.PDF != nil:
		for i := range r.PDF.Signatures {
			ps := &r.PDF.Signatures[i]
			sec := htmlSection{Heading: fmt.Sprintf("%s %d: %s", L("pdf_field"), i+1, ps.Field)}
			if ps.SigningTime != "" {
				sec.Notes = append(sec.Notes, htmlRow{L("pdf_m"), ps.SigningTime})
			}
			br := L("br_ok")
			if !ps.ByteRangeOK {
				br = L("br_bad") + ": " + ps.ByteRangeProblem
			}
			sec.Notes = append(sec.Notes, htmlRow{"ByteRange", fmt.Sprint(ps.ByteRange) + " — " + br})
			changes := L("unchanged")
			if ps.Modified {
				changes = fmt.Sprintf(L("changed_fmt"), len(ps.ChangedObjects), ps.ChangedPages, ps.LaterSignatures)
			}
			sec.Notes = append(sec.Notes, htmlRow{L("changes"), changes})
			if ps.Report != nil {
				sec.Sigs = sigViews(ps.Report, lang, nil)
			}
			pg.Sections = append(pg.Sections, sec)
		}
	case r.CMS != nil:
		h := L("signatures")
		if r.Kind == KindRepresentative {
			h = L("doc_signatures")
		}
		pg.Sections = append(pg.Sections, htmlSection{Heading: h, Sigs: sigViews(r.CMS, lang, stampExtra)})
	}
	if r.MCHD != nil {
		sec := htmlSection{Heading: L("poa"), POA: poaView(r.MCHD, lang)}
		if r.MCHD.Signature != nil {
			sec.Sigs = sigViews(r.MCHD.Signature, lang, nil)
		}
		pg.Sections = append(pg.Sections, sec)
	}
	return pg
}

// summaryLines name who signed, for the verdict box: each signer of the
// signed object, and for a representative whom they act for and under
// which POA.
func summaryLines(r *Result, l int) []string {
	L := func(k string) string { return htmlText[k][l] }
	var reps []*Report
	switch {
	case r.PDF != nil:
		for i := range r.PDF.Signatures {
			if r.PDF.Signatures[i].Report != nil {
				reps = append(reps, r.PDF.Signatures[i].Report)
			}
		}
	case r.CMS != nil:
		reps = append(reps, r.CMS)
	case r.MCHD != nil && r.MCHD.Signature != nil:
		reps = append(reps, r.MCHD.Signature)
	}
	var out []string
	for _, rep := range reps {
		for _, s := range rep.Signatures {
			if s.Signer == nil {
				continue
			}
			who := ownerName(s.Signer)
			if r.Kind == KindRepresentative && r.MCHD != nil && r.MCHD.POA != nil && len(r.MCHD.POA.Principals) > 0 {
				out = append(out, L("sum_signer")+": "+fmt.Sprintf(L("sum_rep"), who, r.MCHD.POA.GUID, r.MCHD.POA.Principals[0].Name))
				continue
			}
			if s.Signer.Organization != "" && s.Signer.Organization != who {
				who += ", " + s.Signer.Organization
			}
			out = append(out, L("sum_signer")+": "+who)
		}
	}
	return out
}

func verdictClass(i Indication) string {
	switch i {
	case TotalPassed:
		return "ok"
	case TotalFailed:
		return "bad"
	}
	return "unknown"
}

func indicText(i Indication, s SubIndication) string {
	if s == "" {
		return string(i)
	}
	return string(i) + " / " + string(s)
}

// timeFormat formats times as people of each language write them, in UTC
// (what the text report uses).
func timeFormat(l int) func(time.Time) string {
	layout := []string{"02.01.2006 15:04:05 UTC", "2006-01-02 15:04:05 UTC"}[l]
	return func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(layout)
	}
}

func dateFormat(l int, t time.Time) string {
	return t.UTC().Format([]string{"02.01.2006", "2006-01-02"}[l])
}

func sigViews(rep *Report, lang Lang, stampExtra []string) []htmlSig {
	l := 0
	if lang == English {
		l = 1
	}
	L := func(k string) string { return htmlText[k][l] }
	p := func(k string) string { return phrases[k][l] }
	tf := timeFormat(l)
	var out []htmlSig
	for _, s := range rep.Signatures {
		v := htmlSig{Title: fmt.Sprintf("%s %d", p("signature"), s.Index+1), Class: verdictClass(s.Indication), Verdict: p(s.Indication.s())}
		v.Rows = append(v.Rows, htmlRow{L("indication"), indicText(s.Indication, s.SubIndication)})
		if s.Code != CodeOK {
			v.Rows = append(v.Rows, htmlRow{L("code"), string(s.Code) + " — " + s.Code.Text(lang)})
			if s.Detail != "" {
				v.Rows = append(v.Rows, htmlRow{L("detail"), LocalizeDetail(s.Detail, lang)})
			}
		}
		if pt := s.Signer; pt != nil {
			v.Signer = partyRows(pt, l)
		}
		if c := s.Certificate; c != nil {
			v.Cert = []htmlRow{
				{capFirst(p("serial")), c.Serial}, {capFirst(p("issuer")), c.Issuer},
				{L("validity"), fmt.Sprintf(p("from_to"), tf(c.NotBefore), tf(c.NotAfter))}, {L("key"), c.Key},
			}
			st := &htmlStamp{Class: v.Class, Serial: strings.ToUpper(c.Serial), Owner: ownerName(s.Signer),
				Valid: fmt.Sprintf(L("stamp_valid"), dateFormat(l, c.NotBefore), dateFormat(l, c.NotAfter)), Extra: stampExtra}
			if s.Signer != nil && s.Signer.Organization != "" && s.Signer.Organization != st.Owner {
				st.Org = s.Signer.Organization
			}
			v.Stamp = st
		}
		if s.SigningTime != nil {
			v.Times = append(v.Times, htmlRow{p("signing_time"), tf(*s.SigningTime)})
		}
		if ts := s.Timestamp; ts != nil {
			ok := L("ts_valid")
			if !ts.Valid {
				ok = L("ts_untrusted")
			}
			v.Times = append(v.Times, htmlRow{p("timestamp"), fmt.Sprintf("%s — %s (%s)", tf(ts.Time), ts.TSA, ok)})
		}
		for _, c := range s.Chain {
			v.Chain = append(v.Chain, fmt.Sprintf("%s (%s %s, %s)", c.Subject, p("serial"), c.Serial,
				fmt.Sprintf(p("from_to"), dateFormat(l, c.NotBefore), dateFormat(l, c.NotAfter))))
		}
		if a := s.TrustAnchor; a != nil {
			v.Anchor = a.Subject
			switch {
			case a.Qualified:
				v.Anchor += fmt.Sprintf(" — %s «%s», %s %s", p("qualified"), a.CA, p("registry"), a.RegistryNumber)
			case a.CA != "":
				v.Anchor += fmt.Sprintf(" — «%s»: %s (%s)", a.CA, p("not_qualified"), a.Status)
			}
		}
		v.Rev = p("rev_" + string(s.Revocation))
		for _, e := range s.RevocationEvidence {
			v.Evidence = append(v.Evidence, evidenceView(e, lang, p, tf))
		}
		for _, wn := range s.Warnings {
			v.Warnings = append(v.Warnings, warnRow(wn, lang))
		}
		out = append(out, v)
	}
	return out
}

func evidenceView(e RevocationEvidence, lang Lang, p func(string) string, tf func(time.Time) string) htmlEvidence {
	v := htmlEvidence{Source: p("ev_" + e.Source), Cert: e.Certificate, URL: shortURL(e.URL)}
	if e.Error != "" {
		v.Status, v.Info = p("ev_error"), LocalizeDetail(e.Error, lang)
		return v
	}
	v.Status = p("ev_" + e.Status)
	var info []string
	if e.RevokedAt != nil {
		info = append(info, tf(*e.RevokedAt))
	}
	if e.Signer != "" {
		info = append(info, e.Signer)
	}
	if e.CRLNumber != "" {
		info = append(info, p("ev_number")+" "+e.CRLNumber)
	}
	if e.ProducedAt != nil {
		info = append(info, p("ev_produced")+" "+tf(*e.ProducedAt))
	} else if e.ThisUpdate != nil {
		info = append(info, p("ev_issued")+" "+tf(*e.ThisUpdate))
	}
	if e.NextUpdate != nil {
		info = append(info, p("ev_next")+" "+tf(*e.NextUpdate))
	}
	if e.Cached {
		info = append(info, p("ev_cached"))
	}
	v.Info = strings.Join(info, "; ")
	return v
}

// ownerName is the certificate owner as the stamp names them: surname and
// given names, else the common name.
func ownerName(pt *Party) string {
	if pt == nil {
		return ""
	}
	if n := strings.TrimSpace(pt.Surname + " " + pt.GivenName); n != "" {
		return n
	}
	return pt.CommonName
}

// partyRows lists a holder's attributes in the order FACTS §6.3 gives.
func partyRows(pt *Party, l int) []htmlRow {
	L := func(k string) string { return htmlText[k][l] }
	var rows []htmlRow
	add := func(k, v string) {
		if v != "" {
			rows = append(rows, htmlRow{L(k), v})
		}
	}
	add("fio", strings.TrimSpace(pt.Surname+" "+pt.GivenName))
	if pt.Surname == "" {
		add("cn", pt.CommonName)
	}
	add("title_", pt.Title)
	add("org", pt.Organization)
	add("unit", pt.Unit)
	add("innle", pt.INNLE)
	add("ogrn", pt.OGRN)
	add("ogrnip", pt.OGRNIP)
	add("snils", pt.SNILS)
	add("inn", pt.INN)
	add("email", pt.Email)
	add("address", strings.Trim(strings.Join([]string{pt.Province, pt.Locality, pt.Street}, ", "), ", "))
	return rows
}

// poaStampLine is the line EDI stamps add for a representative (FORMAT.md
// §14): the POA's number, term and principal.
func poaStampLine(poa *MCHDInfo, l int) []string {
	L := func(k string) string { return htmlText[k][l] }
	line := fmt.Sprintf(L("stamp_poa"), poa.GUID, poaDate(poa.Issued, l), poaDate(poa.ValidUntil, l))
	if len(poa.Principals) > 0 {
		pr := poa.Principals[0]
		inn := pr.INNLE
		if inn == "" {
			inn = pr.INN
		}
		if inn != "" {
			line += fmt.Sprintf(L("stamp_principal"), inn)
		}
	}
	return []string{line}
}

func poaView(r *MCHDReport, lang Lang) *htmlPOA {
	l := 0
	if lang == English {
		l = 1
	}
	L := func(k string) string { return htmlText[k][l] }
	m := func(k string) string { return mchdPhrases[k][l] }
	v := &htmlPOA{Title: m("report"), Class: verdictClass(r.Indication), Verdict: mchdPhrases[r.Indication.s()][l]}
	if r.Code != CodeOK {
		v.Rows = append(v.Rows, htmlRow{L("code"), string(r.Code) + " — " + r.Code.Text(lang)})
		if r.Detail != "" {
			v.Rows = append(v.Rows, htmlRow{L("detail"), LocalizeDetail(r.Detail, lang)})
		}
	}
	if poa := r.POA; poa != nil {
		v.Rows = append(v.Rows, htmlRow{m("guid"), poa.GUID})
		if poa.InternalNumber != "" {
			v.Rows = append(v.Rows, htmlRow{capFirst(m("internal")), poa.InternalNumber})
		}
		if poa.Retrust {
			v.Rows = append(v.Rows, htmlRow{m("retrust"), poa.ParentGUID})
		}
		v.Rows = append(v.Rows, htmlRow{m("term"), fmt.Sprintf(m("term_fmt"), poaDate(poa.Issued, l), poaDate(poa.ValidUntil, l))})
		if ra := mchdPhrases["ra_"+poa.RetrustAllowed]; ra[l] != "" {
			v.Rows = append(v.Rows, htmlRow{m("retrust_allowed"), ra[l]})
		}
		who := m("principal")
		if poa.Retrust {
			who = m("grantor")
		}
		for _, p := range poa.Principals {
			v.Parties = append(v.Parties, htmlRow{who, mchdPartyLine(p, l)})
			for _, h := range p.Heads {
				v.Parties = append(v.Parties, htmlRow{capFirst(m("head")), mchdPartyLine(h, l)})
			}
		}
		for _, p := range poa.Representatives {
			v.Parties = append(v.Parties, htmlRow{m("representative"), mchdPartyLine(p, l)})
		}
		for _, p := range poa.Powers {
			v.Powers = append(v.Powers, htmlRow{p.Code, p.Name})
		}
		if poa.PowersText != "" {
			v.Powers = append(v.Powers, htmlRow{m("powers_text"), poa.PowersText})
		}
	}
	for _, s := range r.Steps {
		st := htmlStep{Name: capFirst(m("step_" + s.Step)), Class: verdictClass(s.Indication), Result: m("ok")}
		if st.Name == "" {
			st.Name = s.Step
		}
		if s.Indication != TotalPassed {
			st.Result = string(s.Indication)
			st.Why = string(s.Code) + " — " + s.Code.Text(lang)
			if s.Detail != "" {
				st.Why += ": " + LocalizeDetail(s.Detail, lang)
			}
		}
		v.Steps = append(v.Steps, st)
	}
	if a := r.Answer; a != nil {
		who := ownerName(a.Representative)
		if a.Power != "" {
			v.Question = capFirst(fmt.Sprintf(m("answer_q"), who, a.Power))
		} else {
			v.Question = capFirst(fmt.Sprintf(L("answer_rep"), who))
		}
		v.Answer, v.AnswerOK = m("no"), a.Allowed
		if a.Allowed {
			v.Answer = m("yes")
		}
	}
	for _, wn := range r.Warnings {
		v.Warnings = append(v.Warnings, warnRow(wn, lang))
	}
	return v
}

// poaDate writes a POA's xs:date as dates are written elsewhere on the
// page; a date that does not parse is shown as it is.
func poaDate(s string, l int) string {
	t, err := mchd.ParseDate(s)
	if err != nil {
		return s
	}
	return dateFormat(l, t)
}

// capFirst capitalises the first letter (labels shared with the text
// report start in lower case).
func capFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// warnRow is a warning in words; its detail, which package verify writes
// in English, only on an English page (a Russian page has the words).
func warnRow(wn Warning, lang Lang) htmlRow {
	row := htmlRow{K: wn.Code.Text(lang)}
	if lang == English {
		row.V = LocalizeDetail(wn.Detail, lang)
	}
	return row
}

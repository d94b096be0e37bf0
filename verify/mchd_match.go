package verify

import (
	"fmt"
	"strings"

	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/mchd/form"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/ruid"
)

// MCHDInfo is what a power of attorney says, for the report.
type MCHDInfo struct {
	GUID           string `json:"guid"`
	InternalNumber string `json:"internalNumber,omitempty"`
	// Retrust reports a POA issued by retrust; ParentGUID and OriginalGUID
	// then name the POA it is directly based on and the original.
	Retrust      bool   `json:"retrust,omitempty"`
	ParentGUID   string `json:"parentGuid,omitempty"`
	OriginalGUID string `json:"originalGuid,omitempty"`
	Issued       string `json:"issued"`
	ValidUntil   string `json:"validUntil"`
	// RetrustAllowed is @ПрПередов: 1 no, 2 once, 3 with further retrust.
	RetrustAllowed string `json:"retrustAllowed"`
	StatusURL      string `json:"statusUrl"`
	// Principals are the principals of an original POA, or the grantors
	// (СвПередПолн) of a retrust: who must sign it.
	Principals      []MCHDParty `json:"principals"`
	Representatives []MCHDParty `json:"representatives"`
	Powers          []MCHDPower `json:"powers,omitempty"`
	PowersText      string      `json:"powersText,omitempty"`
	// Joint reports that the representatives act only together (@ПрСовмПолн
	// = 2, FORMAT.md §13: medium confidence).
	Joint bool `json:"joint,omitempty"`
}

// MCHDParty is a principal, grantor or representative as a person reads it.
type MCHDParty struct {
	// Kind is entity, foreign-entity, entrepreneur, person, branch or
	// foreign-branch.
	Kind     string      `json:"kind"`
	Name     string      `json:"name"`
	INNLE    string      `json:"innle,omitempty"`
	KPP      string      `json:"kpp,omitempty"`
	OGRN     string      `json:"ogrn,omitempty"`
	OGRNIP   string      `json:"ogrnip,omitempty"`
	INN      string      `json:"inn,omitempty"`
	SNILS    string      `json:"snils,omitempty"`
	Position string      `json:"position,omitempty"`
	Heads    []MCHDParty `json:"heads,omitempty"`
	// JointHeads reports that the heads act only together (ЛицоБезДов
	// @ПолнЮЛ = 2, FORMAT.md §5.1): each of them signs.
	JointHeads bool `json:"jointHeads,omitempty"`
}

// MCHDPower is one machine-readable power.
type MCHDPower struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

func fullName(n mchd.FullName) string {
	return strings.TrimSpace(strings.Join([]string{n.Surname, n.Given, n.Patronymic}, " "))
}

func orgParty(kind string, o *mchd.Organization) MCHDParty {
	return MCHDParty{Kind: kind, Name: o.Name, INNLE: o.INN, KPP: o.KPP, OGRN: o.OGRN}
}

func officialParty(o *mchd.Official) MCHDParty {
	return MCHDParty{Kind: "person", Name: fullName(o.Person.Name), INN: o.INN, SNILS: o.SNILS, Position: o.Position}
}

func entrepreneurParty(e *mchd.Entrepreneur) MCHDParty {
	name := e.Name
	if name == "" {
		name = "ИП " + fullName(e.Person.Name)
	}
	return MCHDParty{Kind: "entrepreneur", Name: name, OGRNIP: e.OGRNIP, INN: e.INN, SNILS: e.SNILS}
}

func foreignParty(kind string, o *mchd.ForeignOrganization) MCHDParty {
	return MCHDParty{Kind: kind, Name: o.Name, INNLE: o.INN, KPP: o.KPP}
}

func headsOf(hs []mchd.ActingWithoutPOA) []MCHDParty {
	var out []MCHDParty
	for i := range hs {
		h := &hs[i]
		switch {
		case h.Person != nil:
			out = append(out, officialParty(h.Person))
		case h.Entrepreneur != nil:
			out = append(out, entrepreneurParty(h.Entrepreneur))
		case h.Company != nil:
			p := orgParty("entity", &h.Company.Organization)
			for j := range h.Company.Persons {
				p.Heads = append(p.Heads, officialParty(&h.Company.Persons[j]))
			}
			out = append(out, p)
		}
	}
	return out
}

func russianParty(r *mchd.RussianEntityPrincipal) MCHDParty {
	p := orgParty("entity", &r.Organization)
	p.Heads = headsOf(r.Heads)
	for _, h := range r.Heads {
		p.JointHeads = p.JointHeads || (h.Authority == "2" && len(r.Heads) > 1)
	}
	return p
}

func foreignPrincipalParty(f *mchd.ForeignEntityPrincipal) MCHDParty {
	p := foreignParty("foreign-entity", &f.Organization)
	for i := range f.Heads {
		p.Heads = append(p.Heads, officialParty(&f.Heads[i]))
	}
	return p
}

func representativeParty(r *mchd.Representative) MCHDParty {
	switch {
	case r.Person != nil:
		return officialParty(r.Person)
	case r.Entrepreneur != nil:
		return entrepreneurParty(r.Entrepreneur)
	case r.Entity != nil:
		return orgParty("entity", r.Entity)
	case r.Branch != nil:
		return orgParty("branch", r.Branch)
	case r.ForeignBranch != nil:
		return foreignParty("foreign-branch", r.ForeignBranch)
	}
	return MCHDParty{Kind: "unknown"}
}

// mchdInfo extracts the report's MCHD section.
func mchdInfo(doc *mchd.Document) *MCHDInfo {
	info := doc.Info()
	m := &MCHDInfo{
		GUID: info.GUID, InternalNumber: info.InternalNumber, Issued: info.IssueDate, ValidUntil: info.ValidUntil,
		RetrustAllowed: info.Retrust, StatusURL: info.StatusURL,
	}
	var powers *mchd.Powers
	var reps []mchd.Representative
	switch {
	case doc.POA != nil:
		for i := range doc.POA.Principals {
			p := &doc.POA.Principals[i]
			switch {
			case p.Russian != nil:
				m.Principals = append(m.Principals, russianParty(p.Russian))
			case p.Foreign != nil:
				m.Principals = append(m.Principals, foreignPrincipalParty(p.Foreign))
			case p.Entrepreneur != nil:
				m.Principals = append(m.Principals, entrepreneurParty(p.Entrepreneur))
			case p.Person != nil:
				pp := MCHDParty{Kind: "person", Name: fullName(p.Person.Person.Name), INN: p.Person.INN, SNILS: p.Person.SNILS}
				if p.Person.Representative != nil {
					pp.Heads = headsOf([]mchd.ActingWithoutPOA{*p.Person.Representative})
				}
				m.Principals = append(m.Principals, pp)
			}
		}
		reps, powers = doc.POA.Representatives, &doc.POA.Powers
	case doc.Retrust != nil:
		rt := doc.Retrust
		m.Retrust = true
		m.OriginalGUID = rt.Original.OriginalGUID
		m.ParentGUID = parentGUID(doc)
		for i := range rt.Grantors {
			m.Principals = append(m.Principals, grantorParty(&rt.Grantors[i]))
		}
		reps, powers = rt.Recipients, &rt.Powers
	}
	for i := range reps {
		m.Representatives = append(m.Representatives, representativeParty(&reps[i]))
	}
	for _, p := range powers.Machine {
		m.Powers = append(m.Powers, MCHDPower{Code: p.Code, Name: p.Name})
	}
	m.PowersText = powers.Text
	m.Joint = powers.Joint == "2"
	return m
}

// parentGUID is the GUID of the POA a retrust is directly based on: НомДоверN
// when present, else the original's (FORMAT.md §15.2).
func parentGUID(doc *mchd.Document) string {
	rt := doc.Retrust
	for _, p := range []*mchd.ParentPOA{rt.Base, &rt.Original} {
		if p != nil && p.ParentGUID != "" {
			return p.ParentGUID
		}
	}
	return rt.Original.OriginalGUID
}

func grantorParty(g *mchd.Grantor) MCHDParty {
	switch {
	case g.Entity != nil:
		return russianParty(g.Entity)
	case g.Entrepreneur != nil:
		return entrepreneurParty(g.Entrepreneur)
	case g.Person != nil:
		return MCHDParty{Kind: "person", Name: fullName(g.Person.Person.Name), INN: g.Person.INN, SNILS: g.Person.SNILS}
	case g.Branch != nil:
		p := orgParty("branch", &g.Branch.Branch)
		p.Heads = []MCHDParty{officialParty(&g.Branch.Head)}
		return p
	case g.Foreign != nil:
		return foreignPrincipalParty(g.Foreign)
	}
	return MCHDParty{Kind: "unknown"}
}

// snils returns the 11 digits of a СНИЛС, or s itself when it is not one.
func snils(s string) string {
	if n, err := ruid.NormalizeSNILS(s); err == nil {
		return n
	}
	return s
}

// samePerson ties a certificate holder to a person of the POA (FORMAT.md
// §8.3.4, §8.3.7): by СНИЛС when both carry one, else by personal ИНН.
// It returns "" on a match, else why not.
func samePerson(c *Party, p MCHDParty) string {
	switch {
	case c.SNILS != "" && p.SNILS != "":
		if snils(c.SNILS) == snils(p.SNILS) {
			return ""
		}
		return fmt.Sprintf("certificate СНИЛС %s ≠ %s of %s", c.SNILS, p.SNILS, p.Name)
	case c.INN != "" && p.INN != "":
		if c.INN == p.INN {
			return ""
		}
		return fmt.Sprintf("certificate ИНН %s ≠ %s of %s", c.INN, p.INN, p.Name)
	}
	return fmt.Sprintf("neither СНИЛС nor ИНН ties the certificate to %s", p.Name)
}

// sameOrg ties a certificate to an organisation: ИНН ЮЛ (the padded pre-2021
// form too, FACTS §6.1), and ОГРН when both carry one.
func sameOrg(c *Party, o MCHDParty) string {
	inn := pki.Name{INN: c.INN, INNLE: c.INNLE}.LegalEntityINN()
	switch {
	case o.INNLE != "" && inn == "":
		return fmt.Sprintf("the certificate names no organisation (no ИНН ЮЛ); %s has ИНН ЮЛ %s", o.Name, o.INNLE)
	case o.INNLE != "" && inn != o.INNLE:
		return fmt.Sprintf("certificate ИНН ЮЛ %q ≠ %s of %s", inn, o.INNLE, o.Name)
	case o.OGRN != "" && c.OGRN != "" && c.OGRN != o.OGRN:
		return fmt.Sprintf("certificate ОГРН %s ≠ %s of %s", c.OGRN, o.OGRN, o.Name)
	case o.INNLE == "" && (o.OGRN == "" || c.OGRN != o.OGRN):
		return fmt.Sprintf("neither ИНН ЮЛ nor ОГРН ties the certificate to %s", o.Name)
	}
	return ""
}

func sameEntrepreneur(c *Party, e MCHDParty) string {
	if c.OGRNIP != "" && c.OGRNIP != e.OGRNIP {
		return fmt.Sprintf("certificate ОГРНИП %s ≠ %s of %s", c.OGRNIP, e.OGRNIP, e.Name)
	}
	return samePerson(c, e)
}

// signsFor reports whether the certificate holder c may sign for principal
// (or grantor) p (FORMAT.md §8.2, §8.3.4): the head of an organisation (or a
// person acting for its management company), the entrepreneur, the person
// or the person's legal representative. It returns "" on a match.
func signsFor(c *Party, p MCHDParty) string {
	switch p.Kind {
	case "entity", "branch", "foreign-entity":
		// A foreign entity may have no Russian numbers: its head decides.
		byOrg := p.Kind != "foreign-entity" || p.INNLE != ""
		if d := sameOrg(c, p); byOrg && d != "" {
			// A management company's person carries its own organisation.
			for _, h := range p.Heads {
				if h.Kind == "entity" && sameOrg(c, h) == "" {
					for _, hp := range h.Heads {
						if samePerson(c, hp) == "" {
							return ""
						}
					}
				}
			}
			return d
		}
		why := "no head is named"
		for _, h := range p.Heads {
			var d string
			switch h.Kind {
			case "entrepreneur":
				d = sameEntrepreneur(c, h)
			case "person":
				d = samePerson(c, h)
			default:
				continue
			}
			if d == "" {
				return ""
			}
			why = d
		}
		return "the signer is not the head of " + p.Name + ": " + why
	case "entrepreneur":
		return sameEntrepreneur(c, p)
	case "person":
		d := samePerson(c, p)
		if d == "" {
			return ""
		}
		for _, h := range p.Heads {
			if signsFor(c, h) == "" {
				return ""
			}
		}
		return d
	}
	return "unknown kind of principal"
}

// checkSigner is §8.3.4: every signature is of a principal's head (or a
// retrust's grantor), and every principal has signed.
func (r *MCHDReport) checkSigner(signers []signer) {
	if len(signers) == 0 {
		if r.Signature != nil {
			r.step("signer", Indeterminate, NoSigningCertificateFound, CodeSignerCertNotFound, "no signer's certificate to compare with the principal")
		}
		return
	}
	signed := make([]bool, len(r.POA.Principals))
	for i, s := range signers {
		if s.party == nil {
			continue
		}
		why := "the POA names no principal"
		ok := false
		for j, p := range r.POA.Principals {
			d := signsFor(s.party, p)
			if d == "" {
				signed[j], ok = true, true
				break
			}
			if j == 0 {
				why = d
			}
		}
		if !ok {
			r.step("signer", TotalFailed, SigConstraintsFailure, CodeMCHDSignerNotPrincipal, fmt.Sprintf("signature %d: %s", i+1, why))
			return
		}
	}
	for j, ok := range signed {
		if !ok {
			r.step("signer", Indeterminate, SigConstraintsFailure, CodeMCHDPrincipalUnsigned,
				fmt.Sprintf("principal %s has not signed", r.POA.Principals[j].Name))
			return
		}
	}
	// Heads acting jointly each sign (FORMAT.md §5.1, @ПолнЮЛ = 2).
	for _, p := range r.POA.Principals {
		if !p.JointHeads {
			continue
		}
		for _, h := range p.Heads {
			if h.Kind != "person" {
				continue
			}
			found := false
			for _, s := range signers {
				if s.party != nil && samePerson(s.party, h) == "" {
					found = true
					break
				}
			}
			if !found {
				r.step("signer", Indeterminate, SigConstraintsFailure, CodeMCHDPrincipalUnsigned,
					fmt.Sprintf("the heads of %s act jointly and %s has not signed", p.Name, h.Name))
				return
			}
		}
	}
	r.pass("signer")
}

// grantorNotRepresentative checks that each grantor of a retrust is a
// representative of the POA it is based on (FORMAT.md §9: a representative
// passes powers on). It returns "" when so.
func grantorNotRepresentative(doc, parent *mchd.Document) string {
	pinfo := mchdInfo(parent)
	for _, g := range mchdInfo(doc).Principals {
		ok := false
		for _, rp := range pinfo.Representatives {
			if sameParty(g, rp) {
				ok = true
				break
			}
		}
		if !ok {
			return fmt.Sprintf("grantor %s is not a representative of the parent POA %s", g.Name, pinfo.GUID)
		}
	}
	return ""
}

// sameParty compares two parties of POAs by their registration numbers.
func sameParty(a, b MCHDParty) bool {
	switch {
	case a.INNLE != "" || b.INNLE != "":
		return a.INNLE == b.INNLE && (a.KPP == "" || b.KPP == "" || a.Kind != "branch" || a.KPP == b.KPP)
	case a.OGRNIP != "" && b.OGRNIP != "":
		return a.OGRNIP == b.OGRNIP
	case a.SNILS != "" && b.SNILS != "":
		return snils(a.SNILS) == snils(b.SNILS)
	case a.INN != "" && b.INN != "":
		return a.INN == b.INN
	}
	return false
}

// checkPower is §8.3.7, the counterparty's question: the certificate is a
// representative's, qualified and valid now, and the power is granted.
func (r *MCHDReport) checkPower(doc *mchd.Document, opts *MCHDOptions) {
	c := opts.Representative
	party := partyOf(c.SubjectName)
	r.Answer = &PowerAnswer{Power: opts.Power, Representative: party}
	if _, err := c.Verify(pki.VerifyOptions{Roots: opts.roots(), Intermediates: opts.Intermediates, CurrentTime: opts.At}); err != nil {
		_, sub, code, detail := pathVerdict(err)
		r.step("power", Indeterminate, sub, CodeMCHDRepresentativeCert, fmt.Sprintf("the representative's certificate: %s: %s", code, detail))
		return
	}
	if !qualified(c) {
		r.step("power", TotalFailed, ChainConstraintsFailure, CodeMCHDRepresentativeCert, "the representative's certificate is not a qualified one (FACTS §6.2)")
		return
	}
	why := "the POA names no representative"
	found := false
	for i, rp := range r.POA.Representatives {
		var d string
		switch rp.Kind {
		case "person":
			d = samePerson(party, rp)
		case "entrepreneur":
			d = sameEntrepreneur(party, rp)
		default:
			d = sameOrg(party, rp)
		}
		if d == "" {
			found = true
			if rp.Kind == "person" && !sameName(party, rp.Name) {
				r.warn(CodeMCHDNameMismatch, "the certificate names %s %s, the POA %s", party.Surname, party.GivenName, rp.Name)
			}
			break
		}
		if i == 0 {
			why = d
		}
	}
	if !found {
		r.step("power", TotalFailed, SigConstraintsFailure, CodeMCHDNotRepresentative, why)
		return
	}
	if r.POA.Joint && len(r.POA.Representatives) > 1 {
		r.warn(CodeMCHDJointPowers, "the representatives act jointly: a document needs all %d of them to sign", len(r.POA.Representatives))
	}
	for _, p := range r.POA.Powers {
		if p.Code == opts.Power {
			r.pass("power")
			return
		}
	}
	if r.POA.PowersText != "" {
		r.step("power", Indeterminate, SigConstraintsFailure, CodeMCHDTextPowers,
			"the powers are given as text; a person must judge whether they cover "+opts.Power)
		return
	}
	r.step("power", TotalFailed, SigConstraintsFailure, CodeMCHDPowerMissing, fmt.Sprintf("the POA does not grant power %s", opts.Power))
}

// sameName compares the certificate's surname and given names with a name
// from the POA, ignoring case and ё/е.
func sameName(c *Party, name string) bool {
	norm := func(s string) string {
		return strings.Join(strings.Fields(strings.ReplaceAll(strings.ToUpper(s), "Ё", "Е")), " ")
	}
	got := norm(c.Surname + " " + c.GivenName)
	return got == "" || got == norm(name)
}

// checkPrintedForm compares the QR codes of a printed form with the XML
// (issue 7, FORMAT.md §14): the GUID of the status URL and the Streebog-256
// of the exact bytes, in the payload form.QRPayload writes. Codes of other
// kinds are ignored; one in that form naming other bytes fails the check.
func (r *MCHDReport) checkPrintedForm(doc *mchd.Document, raw []byte, pf *PrintedForm) {
	guid := strings.ToLower(doc.Info().GUID)
	want := form.Hash(raw)
	found := false
	for _, p := range pf.Payloads {
		g, h, err := form.ParseQRPayload(p)
		if err != nil {
			if strings.HasPrefix(p, mchd.StatusURLPrefix) {
				r.step("printed-form", TotalFailed, HashFailure, CodeMCHDQRMismatch, fmt.Sprintf("%s: the QR code %q: %v", pf.Name, p, err))
				return
			}
			continue
		}
		found = true
		if g != guid {
			r.step("printed-form", TotalFailed, HashFailure, CodeMCHDQRMismatch, fmt.Sprintf("%s: the QR code names POA %s, the XML is %s", pf.Name, g, guid))
			return
		}
		if h != want {
			r.step("printed-form", TotalFailed, HashFailure, CodeMCHDQRMismatch, fmt.Sprintf("%s: the QR code's Streebog-256 %s is not that of the XML (%s)", pf.Name, h, want))
			return
		}
	}
	if !found {
		r.step("printed-form", TotalFailed, FormatFailure, CodeMCHDQRMissing, pf.Name+": no QR code of a power of attorney found")
		return
	}
	r.pass("printed-form")
}

// MCHDSigner reports whether the holder of cert may sign doc (FORMAT.md
// §8.2, §8.3.4): the head of the principal — an organisation's head acting
// without a POA, the entrepreneur, the person — or, for a retrust, the
// grantor. The error says in one line why not. Only the certificate's
// subject is compared; its signature and trust are MCHD's to check.
func MCHDSigner(doc *mchd.Document, cert *pki.Certificate) error {
	if doc.Info() == nil {
		return fmt.Errorf("%s", "the document has neither Довер nor Передов")
	}
	c := partyOf(cert.SubjectName)
	info := mchdInfo(doc)
	why := "the POA names no principal"
	for i, p := range info.Principals {
		d := signsFor(c, p)
		if d == "" {
			return nil
		}
		if i == 0 {
			why = d
		}
	}
	return fmt.Errorf("%s", why)
}

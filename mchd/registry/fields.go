package registry

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/podpis/podpis/mchd"
)

// parse reads a document for the registry: no BOM (FORMAT.md §2: real
// files have none), well-formed (mchd.Parse), no error-level problem from
// mchd.Check (XSD and the rules of FORMAT.md §3–§11) and a valid GUID. It
// returns the record fields; the XML itself is kept as given.
func parse(xml []byte) (*Record, error) {
	if bytes.HasPrefix(xml, []byte("\xef\xbb\xbf")) {
		return nil, fmt.Errorf("%w: the file starts with a byte order mark (FORMAT.md §2: UTF-8 without BOM)", ErrBadDocument)
	}
	doc, problems, err := mchd.Check(xml)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadDocument, err)
	}
	for _, p := range problems {
		if p.Severity == mchd.SeverityError {
			return nil, fmt.Errorf("%w: %s", ErrBadDocument, p)
		}
	}
	info := doc.Info()
	if info == nil || !mchd.ValidGUID(info.GUID) {
		return nil, fmt.Errorf("%w: НомДовер is not a GUID", ErrBadDocument)
	}
	rec := &Record{
		GUID:       strings.ToLower(info.GUID),
		IssueDate:  info.IssueDate,
		ValidUntil: info.ValidUntil,
		XML:        xml,
	}
	type party struct{ name, inn string }
	var principals, reps []party
	if p := doc.POA; p != nil {
		for _, pr := range p.Principals {
			n, i := principalParty(pr)
			principals = append(principals, party{n, i})
		}
		for _, r := range p.Representatives {
			n, i := representativeParty(r)
			reps = append(reps, party{n, i})
		}
	} else {
		rt := doc.Retrust
		rec.OriginalGUID = strings.ToLower(rt.Original.OriginalGUID)
		rec.ParentGUID = strings.ToLower(rt.Original.ParentGUID)
		if rt.Base != nil && rt.Base.ParentGUID != "" {
			rec.ParentGUID = strings.ToLower(rt.Base.ParentGUID)
		}
		if rec.ParentGUID == "" {
			rec.ParentGUID = rec.OriginalGUID
		}
		for _, g := range rt.Grantors {
			n, i := grantorParty(g)
			principals = append(principals, party{n, i})
		}
		for _, r := range rt.Recipients {
			n, i := representativeParty(r)
			reps = append(reps, party{n, i})
		}
	}
	for _, p := range principals {
		if p.inn != "" {
			rec.PrincipalINNs = append(rec.PrincipalINNs, p.inn)
		}
	}
	if len(principals) > 0 {
		rec.PrincipalName, rec.PrincipalINN = principals[0].name, principals[0].inn
	}
	if len(reps) > 0 {
		rec.Representative, rec.RepresentativeINN = reps[0].name, reps[0].inn
	}
	return rec, nil
}

func fullName(p mchd.Person) string {
	return strings.Join(strings.Fields(p.Name.Surname+" "+p.Name.Given+" "+p.Name.Patronymic), " ")
}

// principalParty names a principal (СвДоверит, FORMAT.md §5) and gives its
// ИНН: ИННЮЛ of an organisation, ИННФЛ of an entrepreneur or a person.
func principalParty(p mchd.Principal) (name, inn string) {
	switch {
	case p.Russian != nil:
		return p.Russian.Organization.Name, p.Russian.Organization.INN
	case p.Foreign != nil:
		return p.Foreign.Organization.Name, p.Foreign.Organization.INN
	case p.Entrepreneur != nil:
		return entrepreneurName(p.Entrepreneur), p.Entrepreneur.INN
	case p.Person != nil:
		return fullName(p.Person.Person), p.Person.INN
	}
	return "", ""
}

// grantorParty does the same for who passes powers on in a retrust
// (СвПередПолн, FORMAT.md §9).
func grantorParty(g mchd.Grantor) (name, inn string) {
	switch {
	case g.Entity != nil:
		return g.Entity.Organization.Name, g.Entity.Organization.INN
	case g.Entrepreneur != nil:
		return entrepreneurName(g.Entrepreneur), g.Entrepreneur.INN
	case g.Person != nil:
		return fullName(g.Person.Person), g.Person.INN
	case g.Branch != nil:
		return g.Branch.Branch.Name, g.Branch.Branch.INN
	case g.Foreign != nil:
		return g.Foreign.Organization.Name, g.Foreign.Organization.INN
	}
	return "", ""
}

// representativeParty names a representative (СвУпПред, FORMAT.md §6).
func representativeParty(r mchd.Representative) (name, inn string) {
	switch {
	case r.Entity != nil:
		return r.Entity.Name, r.Entity.INN
	case r.Entrepreneur != nil:
		return entrepreneurName(r.Entrepreneur), r.Entrepreneur.INN
	case r.Person != nil:
		return fullName(r.Person.Person), r.Person.INN
	case r.Branch != nil:
		return r.Branch.Name, r.Branch.INN
	case r.ForeignBranch != nil:
		return r.ForeignBranch.Name, r.ForeignBranch.INN
	}
	return "", ""
}

func entrepreneurName(e *mchd.Entrepreneur) string {
	if e.Name != "" {
		return e.Name
	}
	return "ИП " + fullName(e.Person)
}

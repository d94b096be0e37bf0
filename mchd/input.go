package mchd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/podpis/podpis/pki/ruid"
)

// Input is the description of a power of attorney a person writes, in YAML
// or JSON (`podpis mchd new --from poa.yaml`), with lower-case keys:
//
//	internal_number: "15/2026"       # @ВнНомДовер (required)
//	issued: 2026-11-23               # @ДатаВыдДовер; default today (Moscow)
//	valid_until: 2027-11-22          # @СрокДейст, last day (required)
//	guid: …                          # @НомДовер; default a new random GUID
//	retrust: none | once | further   # @ПрПередов; default none
//	principal:                       # СвДоверит (an original POA)
//	  kind: entity | entrepreneur | person
//	  name, inn, kpp, ogrn           # entity: НаимОрг, ИННЮЛ, КПП, ОГРН
//	  ogrnip                         # entrepreneur: ОГРНИП (with the person fields)
//	  address: {region: "77", text: …}
//	  head: {person fields}          # entity: ЛицоБезДов/СвФЛ, the head who signs
//	representatives:                 # СвУпПред, one or more
//	  - kind: person | entrepreneur | entity | branch   (default person)
//	    {person fields} or {name, inn, kpp, ogrn}
//	powers:                          # СвПолн: machine, text or both
//	  joint: false                   # @ПрСовмПолн 2 when true (FORMAT.md §13)
//	  machine:                       # МашПолн
//	    - code: KLASS_2.0_SIGN
//	      name: Подписывать
//	      restrictions: [{code, name, value_code | value_text, value_name}]
//	  text: …                        # ТекстПолн (alone: ТипПолн 0)
//	grantor: {party}                 # a retrust: who passes the powers on (СвПередПолн)
//
// The person fields are surname, given, patronymic, inn (12 digits), snils,
// position, birth_date, citizenship (1, 2, 3) and passport: {number, issued,
// issuer, issuer_code}. A retrust (grantor set, no principal) is built from
// the POA it is based on, passed to Build. Registration numbers are checked
// with their check digits (FORMAT.md §11); each error names the field.
type Input struct {
	InternalNumber  string       `yaml:"internal_number"`
	Issued          string       `yaml:"issued"`
	ValidUntil      string       `yaml:"valid_until"`
	GUID            string       `yaml:"guid"`
	Retrust         string       `yaml:"retrust"`
	Principal       *InputParty  `yaml:"principal"`
	Grantor         *InputParty  `yaml:"grantor"`
	Representatives []InputParty `yaml:"representatives"`
	Powers          InputPowers  `yaml:"powers"`
}

// InputParty is a principal, grantor or representative of an Input.
type InputParty struct {
	Kind string `yaml:"kind"`
	// An organisation.
	Name    string        `yaml:"name"`
	KPP     string        `yaml:"kpp"`
	OGRN    string        `yaml:"ogrn"`
	Address *InputAddress `yaml:"address"`
	Head    *InputParty   `yaml:"head"`
	// INN is ИННЮЛ of an organisation, ИННФЛ of a person or entrepreneur.
	INN string `yaml:"inn"`
	// An entrepreneur or person.
	OGRNIP      string         `yaml:"ogrnip"`
	Surname     string         `yaml:"surname"`
	Given       string         `yaml:"given"`
	Patronymic  string         `yaml:"patronymic"`
	SNILS       string         `yaml:"snils"`
	Position    string         `yaml:"position"`
	BirthDate   string         `yaml:"birth_date"`
	Citizenship string         `yaml:"citizenship"`
	Passport    *InputPassport `yaml:"passport"`
}

// InputAddress is an address: region code and text.
type InputAddress struct {
	Region string `yaml:"region"`
	Text   string `yaml:"text"`
}

// InputPassport is a Russian passport (УдЛичнФЛ with КодВидДок 21).
type InputPassport struct {
	Number     string `yaml:"number"`
	Issued     string `yaml:"issued"`
	Issuer     string `yaml:"issuer"`
	IssuerCode string `yaml:"issuer_code"`
}

// InputPowers are the powers of an Input.
type InputPowers struct {
	Joint   bool         `yaml:"joint"`
	Machine []InputPower `yaml:"machine"`
	Text    string       `yaml:"text"`
}

// InputPower is one machine-readable power.
type InputPower struct {
	Code         string             `yaml:"code"`
	Name         string             `yaml:"name"`
	Mnemonic     string             `yaml:"mnemonic"`
	Restrictions []InputRestriction `yaml:"restrictions"`
}

// InputRestriction restricts a machine-readable power (ОгрСвПолн).
type InputRestriction struct {
	Code      string `yaml:"code"`
	Name      string `yaml:"name"`
	ValueCode string `yaml:"value_code"`
	ValueText string `yaml:"value_text"`
	ValueName string `yaml:"value_name"`
}

// ErrInput is returned (wrapped) by ParseInput and Input.Build for an input
// a person must correct.
var ErrInput = errors.New("mchd: bad input")

var yamlLine = regexp.MustCompile(`^line (\d+): field (\S+) not found in type \S+$`)

// ParseInput reads an Input from YAML or JSON. Unknown keys are errors, so
// that a misspelt key is not silently dropped. The error is one line,
// naming the line and the field.
func ParseInput(data []byte) (*Input, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var in Input
	if err := dec.Decode(&in); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) && len(te.Errors) > 0 {
			msg := te.Errors[0]
			if m := yamlLine.FindStringSubmatch(msg); m != nil {
				msg = fmt.Sprintf("line %s: unknown field %q", m[1], m[2])
			}
			if n := len(te.Errors) - 1; n > 0 {
				msg += fmt.Sprintf(" (and %d more)", n)
			}
			return nil, fmt.Errorf("%w: %s", ErrInput, msg)
		}
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: the input is empty", ErrInput)
		}
		return nil, fmt.Errorf("%w: %s", ErrInput, strings.TrimPrefix(strings.ReplaceAll(err.Error(), "\n", " "), "yaml: "))
	}
	var extra yaml.Node
	if dec.Decode(&extra) == nil {
		return nil, fmt.Errorf("%w: more than one document in the input", ErrInput)
	}
	return &in, nil
}

// fieldErr names the field a person must correct.
func fieldErr(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInput, field, fmt.Sprintf(format, args...))
}

// inputDate reads a date field: YYYY-MM-DD.
func inputDate(field, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fieldErr(field, "%q is not a date: write YYYY-MM-DD", s)
	}
	return t, nil
}

// Build makes the Document the input describes. today is the issue date when
// the input gives none (pass today's date in Moscow, FORMAT.md §4). parent is
// the POA a retrust is based on and must be nil for an original POA.
func (in *Input) Build(today time.Time, parent *Document) (*Document, error) {
	issued := today
	if in.Issued != "" {
		t, err := inputDate("issued", in.Issued)
		if err != nil {
			return nil, err
		}
		issued = t
	}
	if in.ValidUntil == "" {
		return nil, fieldErr("valid_until", "missing: give the last day of validity, YYYY-MM-DD")
	}
	until, err := inputDate("valid_until", in.ValidUntil)
	if err != nil {
		return nil, err
	}
	if until.Before(issued) {
		return nil, fieldErr("valid_until", "%s is before the issue date %s", in.ValidUntil, FormatDate(issued))
	}
	if strings.TrimSpace(in.InternalNumber) == "" {
		return nil, fieldErr("internal_number", "missing: give the organisation's own number of the POA")
	}
	retrust, ok := map[string]string{"": RetrustForbidden, "none": RetrustForbidden, "once": RetrustOnce, "further": RetrustFurther}[in.Retrust]
	if !ok {
		return nil, fieldErr("retrust", "%q: use none, once or further", in.Retrust)
	}
	if len(in.Representatives) == 0 {
		return nil, fieldErr("representatives", "missing: name at least one representative")
	}
	var reps []Representative
	for i := range in.Representatives {
		r, err := in.Representatives[i].representative(fmt.Sprintf("representatives[%d]", i+1))
		if err != nil {
			return nil, err
		}
		reps = append(reps, r)
	}
	powers, err := in.Powers.build()
	if err != nil {
		return nil, err
	}
	var d *Document
	switch {
	case parent == nil:
		if in.Grantor != nil {
			return nil, fieldErr("grantor", "a retrust needs the POA it is based on (podpis mchd new --parent FILE)")
		}
		if in.Principal == nil {
			return nil, fieldErr("principal", "missing: name the organisation or person who grants the powers")
		}
		p, err := in.Principal.principal("principal")
		if err != nil {
			return nil, err
		}
		d = New(issued, until)
		d.POA.Principals = []Principal{p}
		d.POA.Representatives = reps
		d.POA.Powers = powers
	default:
		if in.Principal != nil {
			return nil, fieldErr("principal", "a retrust names its grantor, not a principal: the principal is the parent's")
		}
		if in.Grantor == nil {
			return nil, fieldErr("grantor", "missing: name who passes the powers on")
		}
		g, err := in.Grantor.grantor("grantor")
		if err != nil {
			return nil, err
		}
		if d, err = NewRetrust(parent, issued, until); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInput, err)
		}
		d.Retrust.Grantors = []Grantor{g}
		d.Retrust.Recipients = reps
		d.Retrust.Powers = powers
	}
	info := d.Info()
	info.InternalNumber = in.InternalNumber
	info.Retrust = retrust
	if in.GUID != "" {
		if !ValidGUID(in.GUID) {
			return nil, fieldErr("guid", "%q is not a GUID (8-4-4-4-12 hex digits)", in.GUID)
		}
		if err := d.Identity(strings.ToLower(in.GUID), issued); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (p *InputPowers) build() (Powers, error) {
	pw := Powers{Joint: "1"}
	if p.Joint {
		pw.Joint = "2"
	}
	switch {
	case len(p.Machine) > 0:
		// ТипПолн=1; a text beside the codes is allowed by the XSD (FORMAT.md §7).
		pw.Kind, pw.Text = PowersMachine, strings.TrimSpace(p.Text)
		for i, m := range p.Machine {
			f := fmt.Sprintf("powers.machine[%d]", i+1)
			if m.Code == "" || m.Name == "" {
				return pw, fieldErr(f, "a power needs its code and name")
			}
			mp := MachinePower{Code: m.Code, Name: m.Name, Mnemonic: m.Mnemonic}
			for j, r := range m.Restrictions {
				rf := fmt.Sprintf("%s.restrictions[%d]", f, j+1)
				if r.Code == "" || r.Name == "" {
					return pw, fieldErr(rf, "a restriction needs its code and name")
				}
				if (r.ValueCode == "") == (r.ValueText == "") {
					return pw, fieldErr(rf, "give exactly one of value_code and value_text")
				}
				mp.Restrictions = append(mp.Restrictions, Restriction{ID: fmt.Sprint(j + 1), Code: r.Code, Name: r.Name,
					ValueCode: r.ValueCode, ValueText: r.ValueText, ValueName: r.ValueName})
			}
			pw.Machine = append(pw.Machine, mp)
		}
	case strings.TrimSpace(p.Text) != "":
		pw.Kind, pw.Text = PowersText, strings.TrimSpace(p.Text)
	default:
		return pw, fieldErr("powers", "missing: give machine powers (code and name) or text")
	}
	return pw, nil
}

func (p *InputParty) kind(field, def string, allowed ...string) (string, error) {
	k := p.Kind
	if k == "" {
		k = def
	}
	for _, a := range allowed {
		if k == a {
			return k, nil
		}
	}
	return "", fieldErr(field+".kind", "%q: use %s", p.Kind, strings.Join(allowed, ", "))
}

func (p *InputParty) principal(field string) (Principal, error) {
	k, err := p.kind(field, "entity", "entity", "entrepreneur", "person")
	if err != nil {
		return Principal{}, err
	}
	switch k {
	case "entity":
		r, err := p.russianEntity(field)
		return Principal{Kind: PrincipalRussianEntity, Russian: r}, err
	case "entrepreneur":
		e, err := p.entrepreneur(field)
		return Principal{Kind: PrincipalEntrepreneur, Entrepreneur: e}, err
	}
	o, err := p.official(field, true)
	if err != nil {
		return Principal{}, err
	}
	return Principal{Kind: PrincipalPerson, Person: &PersonPrincipal{INN: o.INN, SNILS: o.SNILS, Capable: "1", Person: o.Person}}, nil
}

func (p *InputParty) grantor(field string) (Grantor, error) {
	k, err := p.kind(field, "person", "person", "entrepreneur", "entity")
	if err != nil {
		return Grantor{}, err
	}
	switch k {
	case "entity":
		r, err := p.russianEntity(field)
		return Grantor{Kind: RepresentativeEntity, Entity: r}, err
	case "entrepreneur":
		e, err := p.entrepreneur(field)
		return Grantor{Kind: RepresentativeEntrepreneur, Entrepreneur: e}, err
	}
	o, err := p.official(field, true)
	if err != nil {
		return Grantor{}, err
	}
	if o.INN == "" {
		return Grantor{}, fieldErr(field+".inn", "missing: a person passing powers on needs ИНН (FORMAT.md §15.4)")
	}
	return Grantor{Kind: RepresentativePerson, Person: &GrantorPerson{INN: o.INN, SNILS: o.SNILS, Person: o.Person}}, nil
}

func (p *InputParty) representative(field string) (Representative, error) {
	k, err := p.kind(field, "person", "person", "entrepreneur", "entity", "branch")
	if err != nil {
		return Representative{}, err
	}
	switch k {
	case "entity", "branch":
		o, err := p.organization(field)
		if k == "branch" {
			return Representative{Kind: RepresentativeBranch, Branch: o}, err
		}
		return Representative{Kind: RepresentativeEntity, Entity: o}, err
	case "entrepreneur":
		e, err := p.entrepreneur(field)
		return Representative{Kind: RepresentativeEntrepreneur, Entrepreneur: e}, err
	}
	o, err := p.official(field, false)
	return Representative{Kind: RepresentativePerson, Person: o}, err
}

func (p *InputParty) russianEntity(field string) (*RussianEntityPrincipal, error) {
	o, err := p.organization(field)
	if err != nil {
		return nil, err
	}
	if p.Head == nil {
		return nil, fieldErr(field+".head", "missing: name the head who acts without a POA and signs it")
	}
	h, err := p.Head.official(field+".head", true)
	if err != nil {
		return nil, err
	}
	if h.Position == "" {
		return nil, fieldErr(field+".head.position", "missing: give the head's position")
	}
	return &RussianEntityPrincipal{Organization: *o, HeadIsCompany: "0", HeadIsPerson: "1", HeadIsEntrepreneur: "0",
		Heads: []ActingWithoutPOA{{Authority: "1", Person: h}}}, nil
}

func (p *InputParty) organization(field string) (*Organization, error) {
	if strings.TrimSpace(p.Name) == "" {
		return nil, fieldErr(field+".name", "missing: give the organisation's full name")
	}
	if err := ruid.CheckINNLegal(p.INN); err != nil {
		return nil, fieldErr(field+".inn", "%v", err)
	}
	if p.OGRN != "" {
		if err := ruid.CheckOGRN(p.OGRN); err != nil {
			return nil, fieldErr(field+".ogrn", "%v", err)
		}
	}
	if !reKPP.MatchString(p.KPP) {
		return nil, fieldErr(field+".kpp", "%q is not a КПП (9 characters: 4 digits, 2 digits or capital letters, 3 digits)", p.KPP)
	}
	o := &Organization{Name: p.Name, INN: p.INN, KPP: p.KPP, OGRN: p.OGRN}
	if p.Address != nil {
		a, err := p.Address.build(field + ".address")
		if err != nil {
			return nil, err
		}
		o.Address = a
	}
	return o, nil
}

func (a *InputAddress) build(field string) (*Address, error) {
	if len(a.Region) != 2 || strings.Trim(a.Region, "0123456789") != "" {
		return nil, fieldErr(field+".region", "%q is not a 2-digit region code (77 is Moscow)", a.Region)
	}
	return &Address{Region: a.Region, Text: a.Text}, nil
}

func (p *InputParty) entrepreneur(field string) (*Entrepreneur, error) {
	if err := ruid.CheckOGRNIP(p.OGRNIP); err != nil {
		return nil, fieldErr(field+".ogrnip", "%v", err)
	}
	o, err := p.official(field, true)
	if err != nil {
		return nil, err
	}
	if o.INN == "" || o.SNILS == "" {
		return nil, fieldErr(field, "an entrepreneur needs inn and snils")
	}
	return &Entrepreneur{OGRNIP: p.OGRNIP, INN: o.INN, SNILS: o.SNILS, Name: p.Name, Person: o.Person}, nil
}

// official reads the person fields; needSNILS requires a СНИЛС, which ties a
// signer's certificate to the person (FORMAT.md §8.3.4).
func (p *InputParty) official(field string, needSNILS bool) (*Official, error) {
	if strings.TrimSpace(p.Surname) == "" || strings.TrimSpace(p.Given) == "" {
		return nil, fieldErr(field, "a person needs surname and given")
	}
	o := &Official{Position: p.Position, Person: Person{Name: FullName{Surname: p.Surname, Given: p.Given, Patronymic: p.Patronymic}}}
	if p.INN != "" {
		if err := ruid.CheckINNPerson(p.INN); err != nil {
			return nil, fieldErr(field+".inn", "%v", err)
		}
		o.INN = p.INN
	}
	switch {
	case p.SNILS != "":
		s, err := ruid.FormatSNILS(p.SNILS)
		if err == nil {
			err = ruid.CheckSNILS(s)
		}
		if err != nil {
			return nil, fieldErr(field+".snils", "%v", err)
		}
		o.SNILS = s
	case needSNILS:
		return nil, fieldErr(field+".snils", "missing: the СНИЛС ties the signer's certificate to the person")
	case p.INN == "":
		return nil, fieldErr(field, "give snils or inn: they tie the person's certificate to the POA")
	}
	if p.BirthDate != "" {
		if _, err := inputDate(field+".birth_date", p.BirthDate); err != nil {
			return nil, err
		}
		o.Person.BirthDate = p.BirthDate
	}
	switch p.Citizenship {
	case "", "1", "2", "3":
		o.Person.Citizenship = p.Citizenship
	default:
		return nil, fieldErr(field+".citizenship", "%q: use 1 (Russian), 2 (foreign) or 3 (stateless)", p.Citizenship)
	}
	if pp := p.Passport; pp != nil {
		if pp.Number == "" {
			return nil, fieldErr(field+".passport.number", "missing")
		}
		if _, err := inputDate(field+".passport.issued", pp.Issued); err != nil {
			return nil, err
		}
		o.Person.IDDocument = &IDDocument{Kind: "21", Number: pp.Number, IssueDate: pp.Issued, Issuer: pp.Issuer, IssuerCode: pp.IssuerCode}
	}
	return o, nil
}

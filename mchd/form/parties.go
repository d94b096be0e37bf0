package form

import (
	"fmt"
	"strings"

	"github.com/podpis/podpis/mchd"
)

// This file turns the parties of a POA (FORMAT.md §5 principals, §6
// representatives, §9 retrust) into labelled rows. Code meanings are those
// FORMAT.md §13 rates high or medium; codes whose meaning is unknown or
// disputed are printed as codes.

type rows = [][2]string

// principal draws one principal of an original POA (СвДоверит, §5).
func (f *form) principal(i, n int, p mchd.Principal) {
	switch {
	case p.Russian != nil:
		f.part(i, n, f.t("Российское юридическое лицо", "Russian legal entity"))
		f.russianEntity(p.Russian)
	case p.Foreign != nil:
		f.part(i, n, f.t("Иностранное юридическое лицо", "Foreign legal entity"))
		f.foreignEntity(p.Foreign)
	case p.Entrepreneur != nil:
		f.part(i, n, f.t("Индивидуальный предприниматель", "Individual entrepreneur"))
		f.kv(f.entrepreneur(p.Entrepreneur))
	case p.Person != nil:
		f.part(i, n, f.t("Физическое лицо", "Natural person"))
		f.personPrincipal(p.Person)
	default:
		f.part(i, n, fmt.Sprintf(f.t("Сведения не заполнены (ТипДоверит = %s)", "No data (ТипДоверит = %s)"), p.Kind))
	}
}

func (f *form) russianEntity(r *mchd.RussianEntityPrincipal) {
	f.kv(f.organization(&r.Organization))
	for _, h := range r.Heads {
		f.subpart(f.t("Лицо, действующее без доверенности", "Acting without a power of attorney") + ": " + f.authority(h.Authority))
		f.acting(&h)
	}
}

func (f *form) foreignEntity(r *mchd.ForeignEntityPrincipal) {
	f.kv(f.foreignOrganization(&r.Organization))
	for _, h := range r.Heads {
		f.subpart(f.t("Руководитель", "Head"))
		f.kv(f.official(&h))
	}
}

func (f *form) personPrincipal(p *mchd.PersonPrincipal) {
	r := rows{
		{f.t("Фамилия, имя, отчество", "Full name"), fullName(p.Person.Name)},
	}
	r = append(r, f.personDetails(&p.Person, [2]string{f.t("ИНН", "INN"), p.INN}, [2]string{f.t("СНИЛС", "SNILS"), p.SNILS})...)
	if p.Capable == "1" {
		r = append(r, [2]string{f.t("Дееспособность", "Legal capacity"), f.t("полная", "full")})
	} else if p.Capable != "" {
		r = append(r, [2]string{f.t("Дееспособность", "Legal capacity"), f.t("код ", "code ") + p.Capable})
	}
	r = append(r, [2]string{f.t("Документ о недееспособности", "Incapacity document"), p.IncapacityDocument})
	if p.HasSignatory == "1" {
		r = append(r, [2]string{f.t("Рукоприкладчик", "Signatory"), f.t("подписывает за доверителя", "signs for the principal")})
	}
	r = append(r, f.status(p.Status))
	f.kv(r)
	if p.Representative != nil {
		f.subpart(f.t("Законный представитель или рукоприкладчик", "Legal representative or signatory"))
		f.acting(p.Representative)
	}
}

// acting draws a person acting without a power of attorney (ЛицоБезДовТип).
func (f *form) acting(a *mchd.ActingWithoutPOA) {
	switch {
	case a.Person != nil:
		f.kv(f.official(a.Person))
	case a.Company != nil:
		f.subpart(f.t("Управляющая организация", "Management company"))
		f.kv(f.organization(&a.Company.Organization))
		for _, p := range a.Company.Persons {
			f.kv(f.official(&p))
		}
	case a.Entrepreneur != nil:
		f.kv(f.entrepreneur(a.Entrepreneur))
	}
}

// representative draws one representative or recipient (СвУпПредТип, §6).
func (f *form) representative(i, n int, r mchd.Representative) {
	switch {
	case r.Person != nil:
		f.part(i, n, f.t("Физическое лицо", "Natural person"))
		f.kv(f.official(r.Person))
	case r.Entity != nil:
		f.part(i, n, f.t("Российское юридическое лицо", "Russian legal entity"))
		f.kv(f.organization(r.Entity))
	case r.Entrepreneur != nil:
		f.part(i, n, f.t("Индивидуальный предприниматель", "Individual entrepreneur"))
		f.kv(f.entrepreneur(r.Entrepreneur))
	case r.Branch != nil:
		f.part(i, n, f.t("Филиал (обособленное подразделение) российского юридического лица", "Branch of a Russian legal entity"))
		f.kv(f.organization(r.Branch))
	case r.ForeignBranch != nil:
		f.part(i, n, f.t("Филиал (аккредитованное представительство) иностранного юридического лица", "Branch or office of a foreign legal entity"))
		f.kv(f.foreignOrganization(r.ForeignBranch))
	default:
		f.part(i, n, fmt.Sprintf(f.t("Сведения не заполнены (ТипПред = %s)", "No data (ТипПред = %s)"), r.Kind))
	}
}

// grantor draws who passes powers on in a retrust (СвПередПолн, §9).
func (f *form) grantor(i, n int, g mchd.Grantor) {
	switch {
	case g.Entity != nil:
		f.part(i, n, f.t("Российское юридическое лицо", "Russian legal entity"))
		f.russianEntity(g.Entity)
	case g.Entrepreneur != nil:
		f.part(i, n, f.t("Индивидуальный предприниматель", "Individual entrepreneur"))
		f.kv(f.entrepreneur(g.Entrepreneur))
	case g.Person != nil:
		f.part(i, n, f.t("Физическое лицо", "Natural person"))
		r := rows{
			{f.t("Фамилия, имя, отчество", "Full name"), fullName(g.Person.Person.Name)},
		}
		r = append(r, f.personDetails(&g.Person.Person, [2]string{f.t("ИНН", "INN"), g.Person.INN}, [2]string{f.t("СНИЛС", "SNILS"), g.Person.SNILS})...)
		f.kv(append(r, f.status(g.Person.Status)))
		if g.Person.Signatory != nil {
			f.subpart(f.t("Рукоприкладчик", "Signatory"))
			f.kv(f.official(g.Person.Signatory))
		}
	case g.Branch != nil:
		f.part(i, n, f.t("Филиал российского юридического лица", "Branch of a Russian legal entity"))
		f.kv(f.organization(&g.Branch.Branch))
		f.subpart(f.t("Руководитель филиала", "Head of the branch"))
		f.kv(f.official(&g.Branch.Head))
	case g.Foreign != nil:
		f.part(i, n, f.t("Филиал иностранного юридического лица", "Branch of a foreign legal entity"))
		f.foreignEntity(g.Foreign)
	default:
		f.part(i, n, fmt.Sprintf(f.t("Сведения не заполнены (ТипПерПолн = %s)", "No data (ТипПерПолн = %s)"), g.Kind))
	}
}

// parents draws the POAs a retrust is based on (СвПервДовер, СвПередов;
// FORMAT.md §9, §15.2).
func (f *form) parents(r *mchd.Retrust) {
	f.heading(f.t("Основная доверенность", "Original power of attorney"), "", 1)
	f.parent(&r.Original, true)
	if r.Base != nil {
		f.subpart(f.t("Доверенность, на основании которой выдано передоверие", "The POA this retrust is directly based on"))
		f.parent(r.Base, false)
	}
}

func (f *form) parent(p *mchd.ParentPOA, original bool) {
	kind := map[string]string{mchd.ParentOriginal: f.t("первоначальная доверенность", "an original POA"), mchd.ParentRetrust: f.t("доверенность в порядке передоверия", "a POA issued by retrust")}[p.Kind]
	form := map[string]string{mchd.FormElectronic: f.t("электронная (машиночитаемая)", "electronic (machine-readable)"), mchd.FormPaper: f.t("на бумажном носителе", "paper")}[p.Form]
	r := rows{
		{f.t("Вид", "Kind"), orCode(kind, p.Kind, f)},
		{f.t("Форма", "Form"), orCode(form, p.Form, f)},
		{f.t("Дата выдачи", "Date of issue"), f.date(p.IssueDate)},
		{f.t("Срок действия", "Valid through"), f.t("по ", "") + f.date(p.ValidUntil)},
	}
	if original {
		r = append(r, rows{
			{f.t("Единый регистрационный номер первоначальной доверенности", "Registration number of the original"), p.OriginalGUID},
			{f.t("Внутренний номер первоначальной доверенности", "Internal number of the original"), p.OriginalInternalNumber},
			{f.t("Номер в реестре нотариальных действий", "Notarial register number"), p.OriginalNotaryRegNumber},
		}...)
	}
	r = append(r, rows{
		{f.t("Единый регистрационный номер доверенности-основания", "Registration number of the direct parent"), p.ParentGUID},
		{f.t("Внутренний номер доверенности-основания", "Internal number of the direct parent"), p.ParentInternalNumber},
		{f.t("Номер доверенности-основания в реестре нотариальных действий", "Notarial register number of the direct parent"), p.ParentNotaryRegNumber},
	}...)
	f.kv(r)
	for _, pp := range p.Principals {
		switch {
		case pp.Russian != nil:
			f.subpart(f.t("Доверитель: российское юридическое лицо", "Principal: Russian legal entity"))
			f.kv(f.organization(pp.Russian))
		case pp.Foreign != nil:
			f.subpart(f.t("Доверитель: иностранное юридическое лицо", "Principal: foreign legal entity"))
			f.kv(f.foreignOrganization(pp.Foreign))
		case pp.Entrepreneur != nil:
			f.subpart(f.t("Доверитель: индивидуальный предприниматель", "Principal: individual entrepreneur"))
			f.kv(f.entrepreneur(pp.Entrepreneur))
		case pp.Person != nil:
			f.subpart(f.t("Доверитель: физическое лицо", "Principal: natural person"))
			f.personPrincipal(pp.Person)
		}
	}
	if p.Notary != nil {
		f.kv(rows{{f.t("Нотариус", "Notary"), f.notaryLine(p.Notary.Position, p.Notary.Name, p.Notary.RegNumber)}})
	}
	if p.Acting != nil {
		f.kv(rows{{f.t("Временно исполняющий обязанности нотариуса", "Acting notary"), f.notaryLine(p.Acting.Position, p.Acting.Name, p.Acting.RegNumber)}})
	}
}

// subpart is a smaller label above a table inside a party.
func (f *form) subpart(s string) {
	f.keep(40)
	f.d.Space(2)
	f.d.Paragraph(s, subpartStyle)
}

func (f *form) organization(o *mchd.Organization) rows {
	r := rows{
		{f.t("Полное наименование", "Full name"), o.Name},
		f.ids([2]string{f.t("ИНН", "INN"), o.INN}, [2]string{f.t("КПП", "KPP"), o.KPP}, [2]string{f.t("ОГРН", "OGRN"), o.OGRN},
			[2]string{f.t("рег. номер", "reg. no."), o.RegNumber}),
		{f.t("Учредительный документ", "Founding document"), o.FoundingDocument},
		{f.t("Адрес", "Address"), f.address(o.Address)},
		{f.t("Телефон", "Phone"), o.Phone},
		{f.t("Электронная почта", "E-mail"), o.Email},
		{f.t("Документ, подтверждающий полномочия", "Document confirming authority"), f.confirming(o.ConfirmingDocument)},
	}
	return append(r, f.status(o.Status))
}

func (f *form) foreignOrganization(o *mchd.ForeignOrganization) rows {
	r := rows{
		{f.t("Наименование", "Name"), o.Name},
		{f.t("Страна регистрации (ОКСМ)", "Country of registration (OKSM)"), o.Country},
		{f.t("Номер записи об аккредитации (НЗА)", "Accreditation record number"), o.AccreditationNumber},
		f.ids([2]string{f.t("ИНН", "INN"), o.INN}, [2]string{f.t("КПП", "KPP"), o.KPP}),
		{f.t("Регистрирующий орган", "Registering authority"), o.RegAuthority},
		{f.t("Регистрационный номер", "Registration number"), o.RegNumber},
		{f.t("Код налогоплательщика в стране регистрации", "Taxpayer code in the country of registration"), o.TaxpayerCode},
		{f.t("Адрес в стране регистрации", "Address in the country of registration"), o.ForeignAddress},
		{f.t("Адрес в Российской Федерации", "Address in the Russian Federation"), f.address(o.Address)},
		{f.t("Телефон", "Phone"), o.Phone},
		{f.t("Электронная почта", "E-mail"), o.Email},
	}
	return append(r, f.status(o.Status))
}

func (f *form) official(o *mchd.Official) rows {
	name := [2]string{f.t("Фамилия, имя, отчество", "Full name"), fullName(o.Person.Name)}
	if o.Position != "" {
		name = [2]string{f.t("ФИО, должность", "Name, position"), name[1] + ", " + o.Position}
	}
	r := rows{name}
	r = append(r, f.personDetails(&o.Person, [2]string{f.t("ИНН", "INN"), o.INN}, [2]string{f.t("СНИЛС", "SNILS"), o.SNILS})...)
	r = append(r, [2]string{f.t("Документ, подтверждающий полномочия", "Document confirming authority"), f.confirming(o.ConfirmingDocument)})
	return append(r, f.status(o.Status))
}

func (f *form) entrepreneur(e *mchd.Entrepreneur) rows {
	r := rows{
		{f.t("Наименование", "Name"), e.Name},
		{f.t("Фамилия, имя, отчество", "Full name"), fullName(e.Person.Name)},
	}
	r = append(r, f.personDetails(&e.Person, [2]string{f.t("ОГРНИП", "OGRNIP"), e.OGRNIP}, [2]string{f.t("ИНН", "INN"), e.INN}, [2]string{f.t("СНИЛС", "SNILS"), e.SNILS})...)
	r = append(r, [2]string{f.t("Документ, подтверждающий полномочия", "Document confirming authority"), f.confirming(e.ConfirmingDocument)})
	return append(r, f.status(e.Status))
}

// personDetails are the rows of СведФЛ after the name (FORMAT.md §5.5):
// the identifiers given, then birth and citizenship in one row, the
// identity document, the address and contacts.
func (f *form) personDetails(p *mchd.Person, ids ...[2]string) rows {
	citizen := map[string]string{"1": f.t("гражданин Российской Федерации", "citizen of the Russian Federation"),
		"2": f.t("иностранный гражданин", "foreign citizen"), "3": f.t("лицо без гражданства", "stateless person")}[p.Citizenship]
	if p.Country != "" {
		citizen = strings.TrimSpace(citizen + f.t(" (ОКСМ ", " (OKSM ") + p.Country + ")")
	}
	var data []string
	if v := f.ids(ids...)[1]; v != "" {
		data = append(data, v)
	}
	if p.BirthDate != "" {
		data = append(data, f.t("дата рождения ", "born ")+f.date(p.BirthDate))
	}
	if p.BirthPlace != "" {
		data = append(data, f.t("место рождения ", "place of birth ")+p.BirthPlace)
	}
	if citizen != "" {
		data = append(data, citizen)
	}
	if p.ERN != "" {
		data = append(data, f.t("запись ЕРН ", "population register record ")+p.ERN)
	}
	return rows{
		{f.t("Реквизиты", "Identifiers"), strings.Join(data, " · ")},
		{f.t("Документ, удостоверяющий личность", "Identity document"), f.idDocument(p.IDDocument)},
		{f.t("Адрес места жительства", "Residence address"), f.address(p.Address)},
		{f.t("Телефон", "Phone"), p.Phone},
		{f.t("Электронная почта", "E-mail"), p.Email},
	}
}

func (f *form) idDocument(d *mchd.IDDocument) string {
	if d == nil {
		return ""
	}
	// 21 is a Russian citizen's passport (FORMAT.md §5.5); other codes are
	// printed as codes.
	kind := f.t("документ, код вида ", "document, kind code ") + d.Kind
	if d.Kind == "21" {
		kind = f.t("паспорт гражданина Российской Федерации", "passport of a citizen of the Russian Federation")
	}
	s := kind + " " + d.Number + f.t(", выдан ", ", issued ") + f.date(d.IssueDate)
	if d.Issuer != "" {
		s += " " + d.Issuer
	}
	if d.IssuerCode != "" {
		s += f.t(", код подразделения ", ", office code ") + d.IssuerCode
	}
	if d.ExpiryDate != "" {
		s += f.t(", действителен до ", ", valid until ") + f.date(d.ExpiryDate)
	}
	return s
}

func (f *form) confirming(c *mchd.ConfirmingDocument) string {
	if c == nil {
		return ""
	}
	var parts []string
	for _, s := range []string{c.Name, c.Details} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if c.IssueDate != "" {
		parts = append(parts, f.t("от ", "of ")+f.date(c.IssueDate))
	}
	if c.Issuer != "" {
		parts = append(parts, f.t("выдан ", "issued by ")+c.Issuer)
	}
	return strings.Join(parts, ", ")
}

// status prints СтУчНД as a code: its meanings are only inferred
// (FORMAT.md §13, low confidence).
func (f *form) status(s string) [2]string {
	return [2]string{f.t("Статус участника нотариального действия (код)", "Notarial participant status (code)"), s}
}

// authority is @ПолнЮЛ (FORMAT.md §5.1, §13: high confidence).
func (f *form) authority(code string) string {
	switch code {
	case "1":
		return f.t("действует самостоятельно", "acts individually")
	case "2":
		return f.t("действует совместно", "acts jointly")
	}
	return f.t("полномочия: код ", "authority code ") + code
}

func (f *form) notary(n *mchd.NotaryCertification) {
	if n == nil {
		return
	}
	f.heading(f.t("Нотариальное удостоверение", "Notarial certification"), "", 1)
	r := rows{
		{f.t("Место удостоверения", "Place"), n.Place},
		{f.t("Нотариус", "Notary"), f.notaryLine(n.Notary.Position, n.Notary.Name, n.Notary.RegNumber)},
	}
	if n.Acting != nil {
		r = append(r, [2]string{f.t("Временно исполняющий обязанности нотариуса", "Acting notary"), f.notaryLine(n.Acting.Position, n.Acting.Name, n.Acting.RegNumber)})
	}
	r = append(r, rows{
		{f.t("Уплачено за нотариальное действие", "Fee paid"), n.Fee},
		{f.t("Льгота", "Discount"), n.Discount},
		{f.t("Иные сведения удостоверительной надписи", "Other inscription data"), n.Inscription},
	}...)
	var signed []string
	for _, s := range n.Signatures {
		signed = append(signed, fullName(s.Signer))
	}
	r = append(r, [2]string{f.t("Собственноручно подписали", "Signed by hand"), strings.Join(signed, "; ")})
	f.kv(r)
}

func (f *form) notaryLine(position string, name mchd.FullName, reg string) string {
	s := strings.TrimSpace(position + " " + fullName(name))
	if reg != "" {
		s += f.t(", рег. № ", ", reg. no. ") + reg
	}
	return s
}

func fullName(n mchd.FullName) string {
	return strings.Join(strings.Fields(n.Surname+" "+n.Given+" "+n.Patronymic), " ")
}

func (f *form) address(a *mchd.Address) string {
	if a == nil {
		return ""
	}
	s := strings.TrimSpace(a.Text)
	if s == "" {
		s = strings.TrimSpace(a.FIAS)
	}
	if s == "" {
		return f.t("регион ", "region ") + a.Region
	}
	return s
}

func orCode(meaning, code string, f *form) string {
	if meaning != "" {
		return meaning
	}
	return f.t("код ", "code ") + code
}

// ids joins identifiers into one row, "ИНН 7714350892 · КПП 771401001",
// leaving out empty ones.
func (f *form) ids(pairs ...[2]string) [2]string {
	var parts []string
	for _, p := range pairs {
		if v := strings.TrimSpace(p[1]); v != "" {
			parts = append(parts, p[0]+" "+v)
		}
	}
	return [2]string{f.t("Реквизиты", "Identifiers"), strings.Join(parts, " · ")}
}

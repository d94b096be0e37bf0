package mchd

// Principal kinds, the values of @ТипДоверит (FORMAT.md §5).
const (
	PrincipalRussianEntity = "1" // РосОргДовер, Russian legal entity
	PrincipalForeignEntity = "2" // ИнОргДовер, foreign legal entity or its branch
	PrincipalEntrepreneur  = "3" // ИПДовер, individual entrepreneur
	PrincipalPerson        = "4" // ФЛДовер, natural person
)

// Principal is one principal of an original power of attorney (СвДоверит).
// The XSD makes the four kinds a sequence of optional elements; exactly one
// should be set and match Kind (FORMAT.md §3).
type Principal struct {
	// Kind is @ТипДоверит, one of the Principal… constants (required).
	Kind string `xml:"ТипДоверит,attr"`
	// Russian is Доверит/РосОргДовер.
	Russian *RussianEntityPrincipal `xml:"Доверит>РосОргДовер,omitempty"`
	// Foreign is Доверит/ИнОргДовер.
	Foreign *ForeignEntityPrincipal `xml:"Доверит>ИнОргДовер,omitempty"`
	// Entrepreneur is Доверит/ИПДовер.
	Entrepreneur *Entrepreneur `xml:"Доверит>ИПДовер,omitempty"`
	// Person is Доверит/ФЛДовер.
	Person *PersonPrincipal `xml:"Доверит>ФЛДовер,omitempty"`
}

// RussianEntityPrincipal is a Russian legal entity as principal
// (РосОргДоверТип): РосОргДовер, РосОргПерПолн (FORMAT.md §5.1).
type RussianEntityPrincipal struct {
	// Organization is СвРосОрг (required).
	Organization Organization `xml:"СвРосОрг"`
	// Heads is ЛицоБезДов, the persons acting without a power of attorney
	// (one or more).
	Heads []ActingWithoutPOA `xml:"ЛицоБезДов"`

	// HeadIsCompany is @ЕИОУК, 1 if the sole executive body is a management
	// company (required).
	HeadIsCompany string `xml:"ЕИОУК,attr"`
	// HeadIsPerson is @ЕИОФЛ, 1 if it is a natural person (required).
	HeadIsPerson string `xml:"ЕИОФЛ,attr"`
	// HeadIsEntrepreneur is @ЕИОИП, 1 if it is an individual entrepreneur
	// (required).
	HeadIsEntrepreneur string `xml:"ЕИОИП,attr"`
}

// ActingWithoutPOA is a person acting for a principal without a power of
// attorney, typically the head who signs the POA (ЛицоБезДовТип):
// ЛицоБезДов, СвЗакПредРук. One of Company, Person, Entrepreneur is set.
type ActingWithoutPOA struct {
	// Company is СВЮЛ, a management company.
	Company *ManagementCompany `xml:"СВЮЛ,omitempty"`
	// Person is СвФЛ, a natural person.
	Person *Official `xml:"СвФЛ,omitempty"`
	// Entrepreneur is СвИП, an individual entrepreneur.
	Entrepreneur *Entrepreneur `xml:"СвИП,omitempty"`

	// Authority is @ПолнЮЛ: 1 acting individually, 2 jointly (required).
	Authority string `xml:"ПолнЮЛ,attr"`
}

// ManagementCompany is a management company acting as the sole executive
// body (СВЮЛ).
type ManagementCompany struct {
	// Organization is СвЮЛЕИО (required).
	Organization Organization `xml:"СвЮЛЕИО"`
	// Persons is СвФЛ, the persons acting for the company (one or more).
	Persons []Official `xml:"СвФЛ"`
}

// ForeignEntityPrincipal is a foreign legal entity as principal
// (ИнОргДоверТип): ИнОргДовер, ИнПерПолн (FORMAT.md §5.4).
type ForeignEntityPrincipal struct {
	// Organization is СвИнОрг (required).
	Organization ForeignOrganization `xml:"СвИнОрг"`
	// Heads is СвРукОП, the heads (one or more).
	Heads []Official `xml:"СвРукОП"`
}

// PersonPrincipal is a natural person as principal (ФЛДоверТип): ФЛДовер
// (FORMAT.md §5.3).
type PersonPrincipal struct {
	// Person is СведФЛ (required).
	Person Person `xml:"СведФЛ"`
	// Representative is СвЗакПредРук, a legal representative or signatory.
	Representative *ActingWithoutPOA `xml:"СвЗакПредРук,omitempty"`

	// Status is @СтУчНД.
	Status string `xml:"СтУчНД,attr,omitempty"`
	// Capable is @ПрДеесп, 1 with full legal capacity.
	Capable string `xml:"ПрДеесп,attr,omitempty"`
	// HasSignatory is @ПрНалРук, 1 if a signatory signs for the person.
	HasSignatory string `xml:"ПрНалРук,attr,omitempty"`
	// IncapacityDocument is @ДокНедеесп.
	IncapacityDocument string `xml:"ДокНедеесп,attr,omitempty"`
	// INN is @ИННФЛ.
	INN string `xml:"ИННФЛ,attr,omitempty"`
	// SNILS is @СНИЛС (required).
	SNILS string `xml:"СНИЛС,attr"`
}

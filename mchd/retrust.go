package mchd

// Original-POA kinds, the values of @ПрДовер, and forms, @ФормДовер
// (FORMAT.md §9, §13).
const (
	ParentOriginal = "1" // the POA is an original
	ParentRetrust  = "2" // the POA was itself issued by retrust

	FormElectronic = "1"
	FormPaper      = "2"
)

// Retrust is a power of attorney issued by way of retrust (Передов,
// FORMAT.md §9).
type Retrust struct {
	// Original is СвПервДовер, the original (first) POA (required).
	Original ParentPOA `xml:"СвПервДовер"`
	// Base is СвПередов, the POA this retrust is directly based on when that
	// is itself a retrust.
	Base *ParentPOA `xml:"СвПередов,omitempty"`
	// Info is СвПереДовер, the data of this retrust POA (required).
	Info POAInfo `xml:"СвПереДовер"`
	// Grantors is СвПередПолн, who passes the powers on (one or more).
	Grantors []Grantor `xml:"СвПередПолн"`
	// Recipients is СвПолучПолн, who receives the powers (one or more).
	Recipients []Representative `xml:"СвПолучПолн"`
	// Powers is СвПолн (required).
	Powers Powers `xml:"СвПолн"`
	// Notary is СвНотУд.
	Notary *NotaryCertification `xml:"СвНотУд,omitempty"`

	// HasBase is @ПрНалПередов: 1 if Base is present, 0 otherwise (required).
	HasBase string `xml:"ПрНалПередов,attr"`
}

// ParentPOA is the reference to a parent POA (СвПервДоверТип): СвПервДовер,
// СвПередов. The …Перв attributes name the original POA, the …N attributes
// the direct parent (FORMAT.md §15.2).
type ParentPOA struct {
	// Principals is СвДоверПерв, the principals of the original POA.
	Principals []ParentPrincipal `xml:"СвДоверПерв"`
	// Notary is СвНотДейств.
	Notary *Notary `xml:"СвНотДейств,omitempty"`
	// Acting is ВриоНот.
	Acting *ActingNotary `xml:"ВриоНот,omitempty"`

	// Kind is @ПрДовер, ParentOriginal or ParentRetrust (required).
	Kind string `xml:"ПрДовер,attr"`
	// Form is @ФормДовер, FormElectronic or FormPaper (required).
	Form string `xml:"ФормДовер,attr"`
	// IssueDate is @ДатаВыдДовер (xs:date, required).
	IssueDate string `xml:"ДатаВыдДовер,attr"`
	// ValidUntil is @СрокДейст (xs:date, required).
	ValidUntil string `xml:"СрокДейст,attr"`
	// OriginalInternalNumber is @ВнНомДоверПерв.
	OriginalInternalNumber string `xml:"ВнНомДоверПерв,attr,omitempty"`
	// ParentInternalNumber is @ВнНомДоверN.
	ParentInternalNumber string `xml:"ВнНомДоверN,attr,omitempty"`
	// OriginalGUID is @НомДоверПерв.
	OriginalGUID string `xml:"НомДоверПерв,attr,omitempty"`
	// ParentGUID is @НомДоверN.
	ParentGUID string `xml:"НомДоверN,attr,omitempty"`
	// OriginalNotaryRegNumber is @НомРНДПерв.
	OriginalNotaryRegNumber string `xml:"НомРНДПерв,attr,omitempty"`
	// ParentNotaryRegNumber is @НомРНДN.
	ParentNotaryRegNumber string `xml:"НомРНДN,attr,omitempty"`
}

// ParentPrincipal is a principal of the original POA in a retrust
// (СвДоверПерв). Its types differ from Principal's (FORMAT.md §15.3).
type ParentPrincipal struct {
	// Kind is @ТипДоверит (required).
	Kind string `xml:"ТипДоверит,attr"`
	// Russian is ДоверитПерв/РосОргДовер.
	Russian *Organization `xml:"ДоверитПерв>РосОргДовер,omitempty"`
	// Foreign is ДоверитПерв/ИнОргДовер.
	Foreign *ForeignOrganization `xml:"ДоверитПерв>ИнОргДовер,omitempty"`
	// Entrepreneur is ДоверитПерв/ИПДовер.
	Entrepreneur *Entrepreneur `xml:"ДоверитПерв>ИПДовер,omitempty"`
	// Person is ДоверитПерв/ФЛДовер.
	Person *PersonPrincipal `xml:"ДоверитПерв>ФЛДовер,omitempty"`
}

// Grantor is who passes powers on in a retrust (СвПередПолн). Exactly one
// of the ПередПолн children should be set and match Kind.
type Grantor struct {
	// Kind is @ТипПерПолн, one of the Representative… constants (required).
	Kind string `xml:"ТипПерПолн,attr"`
	// Entity is ПередПолн/РосОргПерПолн.
	Entity *RussianEntityPrincipal `xml:"ПередПолн>РосОргПерПолн,omitempty"`
	// Entrepreneur is ПередПолн/ИППерПолн.
	Entrepreneur *Entrepreneur `xml:"ПередПолн>ИППерПолн,omitempty"`
	// Person is ПередПолн/ФЛПерПолн.
	Person *GrantorPerson `xml:"ПередПолн>ФЛПерПолн,omitempty"`
	// Branch is ПередПолн/ФилПерПолн.
	Branch *GrantorBranch `xml:"ПередПолн>ФилПерПолн,omitempty"`
	// Foreign is ПередПолн/ИнПерПолн.
	Foreign *ForeignEntityPrincipal `xml:"ПередПолн>ИнПерПолн,omitempty"`
}

// GrantorPerson is a natural person passing powers on (ФЛПерПолн). Unlike
// most person elements, INN and SNILS are required (FORMAT.md §15.4).
type GrantorPerson struct {
	// Signatory is СведРукоп, the person signing on the grantor's behalf.
	Signatory *Official `xml:"СведРукоп,omitempty"`
	// Person is СведФЛ (required).
	Person Person `xml:"СведФЛ"`

	// Status is @СтУчНД.
	Status string `xml:"СтУчНД,attr,omitempty"`
	// HasSignatory is @ПрНалРук.
	HasSignatory string `xml:"ПрНалРук,attr,omitempty"`
	// INN is @ИННФЛ (required).
	INN string `xml:"ИННФЛ,attr"`
	// SNILS is @СНИЛС (required).
	SNILS string `xml:"СНИЛС,attr"`
}

// GrantorBranch is a branch of a legal entity passing powers on (ФилПерПолн).
type GrantorBranch struct {
	// Branch is СвФил (required).
	Branch Organization `xml:"СвФил"`
	// Head is СвРукФил, the head of the branch (required).
	Head Official `xml:"СвРукФил"`
}

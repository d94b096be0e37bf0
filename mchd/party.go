package mchd

// Organization is a Russian legal entity or one of its branches (СвОргТип):
// СвРосОрг, СвЮЛЕИО, СведОрг, СведФилиал, СвФил.
type Organization struct {
	// ConfirmingDocument is ДокПдтв, the document confirming the authority.
	ConfirmingDocument *ConfirmingDocument `xml:"ДокПдтв,omitempty"`
	// Address is АдрРег, the registered address.
	Address *Address `xml:"АдрРег,omitempty"`

	// Status is @СтУчНД, the participant status in a notarial act.
	Status string `xml:"СтУчНД,attr,omitempty"`
	// Name is @НаимОрг, the full name (required).
	Name string `xml:"НаимОрг,attr"`
	// INN is @ИННЮЛ, the 10-digit taxpayer number of the legal entity.
	INN string `xml:"ИННЮЛ,attr,omitempty"`
	// KPP is @КПП, the tax registration reason code (required).
	KPP string `xml:"КПП,attr"`
	// OGRN is @ОГРН, the 13-digit state registration number.
	OGRN string `xml:"ОГРН,attr,omitempty"`
	// RegNumber is @РегНомер, the registration number.
	RegNumber string `xml:"РегНомер,attr,omitempty"`
	// FoundingDocument is @НаимУчрДок, the name of the founding document.
	FoundingDocument string `xml:"НаимУчрДок,attr,omitempty"`
	// Phone is @КонтактТлф.
	Phone string `xml:"КонтактТлф,attr,omitempty"`
	// Email is @АдрЭлПочт.
	Email string `xml:"АдрЭлПочт,attr,omitempty"`
}

// ForeignOrganization is a foreign legal entity, its branch or accredited
// office (СвИнОргТип): СвИнОрг, СведИО, ИнОргДовер under ДоверитПерв.
type ForeignOrganization struct {
	// Address is АдрМНФакт, the actual address in the Russian Federation.
	Address *Address `xml:"АдрМНФакт,omitempty"`

	// Status is @СтУчНД.
	Status string `xml:"СтУчНД,attr,omitempty"`
	// Name is @НаимИО, the name (required).
	Name string `xml:"НаимИО,attr"`
	// INN is @ИННЮЛ.
	INN string `xml:"ИННЮЛ,attr,omitempty"`
	// KPP is @КПП.
	KPP string `xml:"КПП,attr,omitempty"`
	// AccreditationNumber is @НЗА, the accreditation record number.
	AccreditationNumber string `xml:"НЗА,attr,omitempty"`
	// Country is @СтрРег, the 3-digit OKSM code of the country of registration.
	Country string `xml:"СтрРег,attr,omitempty"`
	// RegAuthority is @НаимРегОрг, the name of the registering authority.
	RegAuthority string `xml:"НаимРегОрг,attr,omitempty"`
	// RegNumber is @РегНомер.
	RegNumber string `xml:"РегНомер,attr,omitempty"`
	// TaxpayerCode is @КодНПРег, the taxpayer code in the country of registration.
	TaxpayerCode string `xml:"КодНПРег,attr,omitempty"`
	// Phone is @КонтактТлф.
	Phone string `xml:"КонтактТлф,attr,omitempty"`
	// Email is @АдрЭлПочт.
	Email string `xml:"АдрЭлПочт,attr,omitempty"`
	// ForeignAddress is @АдрСтрРег, the address in the country of registration.
	ForeignAddress string `xml:"АдрСтрРег,attr,omitempty"`
}

// Official is a natural person acting in some role (СвФЛТип): СвФЛ, СведФизЛ,
// СвРукОП, СведРукоп, СвРукФил.
type Official struct {
	// ConfirmingDocument is ДокПдтв.
	ConfirmingDocument *ConfirmingDocument `xml:"ДокПдтв,omitempty"`
	// Person is СведФЛ (required).
	Person Person `xml:"СведФЛ"`

	// Status is @СтУчНД.
	Status string `xml:"СтУчНД,attr,omitempty"`
	// INN is @ИННФЛ, the 12-digit personal taxpayer number.
	INN string `xml:"ИННФЛ,attr,omitempty"`
	// SNILS is @СНИЛС, written NNN-NNN-NNN NN.
	SNILS string `xml:"СНИЛС,attr,omitempty"`
	// Position is @Должность.
	Position string `xml:"Должность,attr,omitempty"`
}

// Entrepreneur is an individual entrepreneur, ИП (СведИПТип): ИПДовер, СвИП,
// СведИП, ИППерПолн.
type Entrepreneur struct {
	// ConfirmingDocument is ДокПдтв.
	ConfirmingDocument *ConfirmingDocument `xml:"ДокПдтв,omitempty"`
	// Person is СведФЛ (required).
	Person Person `xml:"СведФЛ"`

	// Status is @СтУчНД.
	Status string `xml:"СтУчНД,attr,omitempty"`
	// Name is @НаимИП.
	Name string `xml:"НаимИП,attr,omitempty"`
	// OGRNIP is @ОГРНИП, 15 digits (required).
	OGRNIP string `xml:"ОГРНИП,attr"`
	// INN is @ИННФЛ, 12 digits (required).
	INN string `xml:"ИННФЛ,attr"`
	// SNILS is @СНИЛС (required).
	SNILS string `xml:"СНИЛС,attr"`
}

// Person holds a natural person's details (СведФЛТип): СведФЛ.
type Person struct {
	// Name is ФИО (required).
	Name FullName `xml:"ФИО"`
	// Address is АдрМЖ, the place of residence.
	Address *Address `xml:"АдрМЖ,omitempty"`
	// IDDocument is УдЛичнФЛ, the identity document.
	IDDocument *IDDocument `xml:"УдЛичнФЛ,omitempty"`

	// Sex is @Пол: 1 male, 2 female.
	Sex string `xml:"Пол,attr,omitempty"`
	// Citizenship is @ПрГражд: 1 Russian, 2 foreign, 3 stateless.
	Citizenship string `xml:"ПрГражд,attr,omitempty"`
	// ERN is @НомЕРН, the 12-digit population register record number.
	ERN string `xml:"НомЕРН,attr,omitempty"`
	// BirthDate is @ДатаРожд (xs:date).
	BirthDate string `xml:"ДатаРожд,attr,omitempty"`
	// BirthPlace is @МестоРожд.
	BirthPlace string `xml:"МестоРожд,attr,omitempty"`
	// Country is @Гражданство, the 3-digit OKSM code of citizenship.
	Country string `xml:"Гражданство,attr,omitempty"`
	// Phone is @КонтактТлф.
	Phone string `xml:"КонтактТлф,attr,omitempty"`
	// Email is @АдрЭлПочт.
	Email string `xml:"АдрЭлПочт,attr,omitempty"`
}

// FullName is a surname, given name and patronymic (ФИОТип): ФИО,
// ФИОНотДейств, ФИОВриоНот, ФИООтв.
type FullName struct {
	// Surname is @Фамилия (required).
	Surname string `xml:"Фамилия,attr"`
	// Given is @Имя (required).
	Given string `xml:"Имя,attr"`
	// Patronymic is @Отчество.
	Patronymic string `xml:"Отчество,attr,omitempty"`
}

// IDDocument is an identity document (УдЛичнФЛ).
type IDDocument struct {
	// ExpiryDate is expDate, the expiry date (xs:date).
	ExpiryDate string `xml:"expDate,omitempty"`

	// Kind is @КодВидДок, 2 digits; 21 is a Russian citizen's passport (required).
	Kind string `xml:"КодВидДок,attr"`
	// Number is @СерНомДок, series and number (required).
	Number string `xml:"СерНомДок,attr"`
	// IssueDate is @ДатаДок (xs:date, required).
	IssueDate string `xml:"ДатаДок,attr"`
	// Issuer is @ВыдДок.
	Issuer string `xml:"ВыдДок,attr,omitempty"`
	// IssuerCode is @КодВыдДок, e.g. 000-000.
	IssuerCode string `xml:"КодВыдДок,attr,omitempty"`
}

// ConfirmingDocument is a document confirming authority (ДокПдтвТип): ДокПдтв.
type ConfirmingDocument struct {
	// Name is @НаимДокПдтв.
	Name string `xml:"НаимДокПдтв,attr,omitempty"`
	// IssueDate is @ДатаВыд (xs:date).
	IssueDate string `xml:"ДатаВыд,attr,omitempty"`
	// Issuer is @КемВыд.
	Issuer string `xml:"КемВыд,attr,omitempty"`
	// Details is @СвУдДок.
	Details string `xml:"СвУдДок,attr,omitempty"`
}

// Address is an address (АдрТип): АдрРег, АдрМЖ, АдрМНФакт. The XSD allows
// at most one of Text and FIAS (FORMAT.md §15.1).
type Address struct {
	// Text is АдрРФ, the address as free text.
	Text string `xml:"АдрРФ,omitempty"`
	// FIAS is ФИАСАдрРФ, the address text from FIAS.
	FIAS string `xml:"ФИАСАдрРФ,omitempty"`

	// Region is @Регион, the 2-digit region code (required).
	Region string `xml:"Регион,attr"`
	// FIASID is @ИдФИАС, the FIAS GUID.
	FIASID string `xml:"ИдФИАС,attr,omitempty"`
}

package mchd

// NotaryCertification is the notarial certification of a POA (СвНотУдТип):
// СвНотУд.
type NotaryCertification struct {
	// Inscription is ИнСвУдНадпис, other data of the certifying inscription.
	Inscription string `xml:"ИнСвУдНадпис,omitempty"`
	// Notary is СвНотДейств, the notary who performed the act (required).
	Notary Notary `xml:"СвНотДейств"`
	// Signatures is ПодпРукопис, the handwritten signatures (one or more).
	Signatures []HandSignature `xml:"ПодпРукопис"`
	// Acting is ВриоНот, the person temporarily acting as notary.
	Acting *ActingNotary `xml:"ВриоНот,omitempty"`

	// Place is @МестоДовер, the place of certification (required).
	Place string `xml:"МестоДовер,attr"`
	// SendPOAToEPGU is @НапрДокДовЕПГУ (0/1).
	SendPOAToEPGU string `xml:"НапрДокДовЕПГУ,attr,omitempty"`
	// SendRepToEPGU is @НапрДокПовЕПГУ (0/1).
	SendRepToEPGU string `xml:"НапрДокПовЕПГУ,attr,omitempty"`
	// SendApplicantToFNP is @НапрДокЗвлФНП (0/1).
	SendApplicantToFNP string `xml:"НапрДокЗвлФНП,attr,omitempty"`
	// SendRepToFNP is @НапрДокПовФНП (0/1).
	SendRepToFNP string `xml:"НапрДокПовФНП,attr,omitempty"`
	// Fee is @УплНотДейст, the amount paid (decimal, required).
	Fee string `xml:"УплНотДейст,attr"`
	// Discount is @ЛьготаСум (decimal).
	Discount string `xml:"ЛьготаСум,attr,omitempty"`
	// OtherSystem is @ДрИнфСист.
	OtherSystem string `xml:"ДрИнфСист,attr,omitempty"`
	// OtherMeans is @ДрСпосВыд.
	OtherMeans string `xml:"ДрСпосВыд,attr,omitempty"`
	// Extra is @ДопСвНотДовер.
	Extra string `xml:"ДопСвНотДовер,attr,omitempty"`
}

// Notary is the notary who performed a notarial act (СвНотДействТип):
// СвНотДейств.
type Notary struct {
	// Name is ФИОНотДейств (required).
	Name FullName `xml:"ФИОНотДейств"`
	// Position is @Должность (required).
	Position string `xml:"Должность,attr"`
	// RegNumber is @РегНомНот (required).
	RegNumber string `xml:"РегНомНот,attr"`
}

// ActingNotary is a person temporarily acting as notary (ВриоНотТип): ВриоНот.
type ActingNotary struct {
	// Name is ФИОВриоНот (required).
	Name FullName `xml:"ФИОВриоНот"`
	// Position is @Должность (required).
	Position string `xml:"Должность,attr"`
	// RegNumber is @РегНомНот (required).
	RegNumber string `xml:"РегНомНот,attr"`
}

// HandSignature is a handwritten signature captured by the notary
// (ПодпРукопис).
type HandSignature struct {
	// PDFHash is ХешPDFДок.
	PDFHash string `xml:"ХешPDFДок"`
	// Image is ПодпИзобр.
	Image string `xml:"ПодпИзобр"`
	// Hash is ХешПодп.
	Hash string `xml:"ХешПодп"`
	// Time is ДатаВремПодп, an integer of up to 10 digits.
	Time string `xml:"ДатаВремПодп"`
	// Signer is ФИООтв.
	Signer FullName `xml:"ФИООтв"`
}

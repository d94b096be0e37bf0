package mchd

// POA kinds, the values of @ВидДовер (FORMAT.md §4).
const (
	KindRevocable   = "1"
	KindIrrevocable = "2"
)

// Retrust permissions, the values of @ПрПередов (FORMAT.md §4, §9).
const (
	RetrustForbidden = "1" // no retrust
	RetrustOnce      = "2" // one-time retrust
	RetrustFurther   = "3" // retrust with the right of further retrust
)

// POAInfo is the data of a power of attorney (СвДовТип): СвДов of an
// original POA, СвПереДовер of a retrust (FORMAT.md §4).
type POAInfo struct {
	// TaxOffices is КодНОДейст, the 4-digit codes of the tax offices for
	// which the POA is valid.
	TaxOffices []string `xml:"КодНОДейст"`
	// StatusURL is СведСист, where the POA's status can be checked
	// (required; see StatusURL).
	StatusURL string `xml:"СведСист"`
	// Irrevocable is Безотзыв, filled for an irrevocable POA.
	Irrevocable *Irrevocability `xml:"Безотзыв,omitempty"`

	// Kind is @ВидДовер, KindRevocable or KindIrrevocable (required).
	Kind string `xml:"ВидДовер,attr"`
	// Retrust is @ПрПередов, one of the Retrust… constants (required).
	Retrust string `xml:"ПрПередов,attr"`
	// InternalNumber is @ВнНомДовер, the issuer's own number (required).
	InternalNumber string `xml:"ВнНомДовер,attr"`
	// GUID is @НомДовер, the unified registration number (required).
	GUID string `xml:"НомДовер,attr"`
	// NotaryRegNumber is @НомРНДДовер, the number in the notarial register.
	NotaryRegNumber string `xml:"НомРНДДовер,attr,omitempty"`
	// ExtraID is @ДопИдДовер.
	ExtraID string `xml:"ДопИдДовер,attr,omitempty"`
	// InternalRegDate is @ДатаВнРегДовер (xs:date).
	InternalRegDate string `xml:"ДатаВнРегДовер,attr,omitempty"`
	// IssueDate is @ДатаВыдДовер (xs:date, required).
	IssueDate string `xml:"ДатаВыдДовер,attr"`
	// ValidUntil is @СрокДейст, the last day of validity (xs:date, required).
	ValidUntil string `xml:"СрокДейст,attr"`
	// TaxOffice is @КодНО, the tax office the POA is submitted to.
	TaxOffice string `xml:"КодНО,attr,omitempty"`
}

// Irrevocability gives the details of an irrevocable POA (Безотзыв). The
// meaning of its codes is uncertain (FORMAT.md §13).
type Irrevocability struct {
	// Conditions is ОписУслОт, the revocation conditions as text.
	Conditions string `xml:"ОписУслОт,omitempty"`

	// Retrust is @ПрПерБезДов (required).
	Retrust string `xml:"ПрПерБезДов,attr"`
	// RevocationCondition is @УслОтзыва (required).
	RevocationCondition string `xml:"УслОтзыва,attr"`
}

package mchd

// Representative kinds, the values of @ТипПред and @ТипПерПолн (FORMAT.md §6, §9).
const (
	RepresentativeEntity        = "1" // СведОрг, Russian legal entity
	RepresentativeEntrepreneur  = "2" // СведИП, individual entrepreneur
	RepresentativePerson        = "3" // СведФизЛ, natural person
	RepresentativeBranch        = "4" // СведФилиал, branch of a Russian legal entity
	RepresentativeForeignBranch = "5" // СведИО, branch of a foreign legal entity
)

// Representative is a representative receiving the powers (СвУпПредТип):
// СвУпПред, СвПолучПолн. Exactly one of the Пред children should be set and
// match Kind (FORMAT.md §6).
type Representative struct {
	// Kind is @ТипПред, one of the Representative… constants (required).
	Kind string `xml:"ТипПред,attr"`
	// Entity is Пред/СведОрг.
	Entity *Organization `xml:"Пред>СведОрг,omitempty"`
	// Entrepreneur is Пред/СведИП.
	Entrepreneur *Entrepreneur `xml:"Пред>СведИП,omitempty"`
	// Person is Пред/СведФизЛ.
	Person *Official `xml:"Пред>СведФизЛ,omitempty"`
	// Branch is Пред/СведФилиал.
	Branch *Organization `xml:"Пред>СведФилиал,omitempty"`
	// ForeignBranch is Пред/СведИО.
	ForeignBranch *ForeignOrganization `xml:"Пред>СведИО,omitempty"`
}

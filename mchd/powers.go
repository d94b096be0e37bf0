package mchd

// Power kinds, the values of @ТипПолн (FORMAT.md §7).
const (
	PowersText    = "0" // ТекстПолн
	PowersMachine = "1" // МашПолн
)

// Powers are the powers granted (СвПолнТип): СвПолн (FORMAT.md §7).
type Powers struct {
	// Text is ТекстПолн, powers as free text (with Kind PowersText).
	Text string `xml:"ТекстПолн,omitempty"`
	// Machine is МашПолн, machine-readable powers (with Kind PowersMachine).
	Machine []MachinePower `xml:"МашПолн"`

	// Kind is @ТипПолн, PowersText or PowersMachine (required).
	Kind string `xml:"ТипПолн,attr"`
	// Joint is @ПрСовмПолн: 1 representatives act individually, 2 jointly
	// (required; meaning uncertain, FORMAT.md §13).
	Joint string `xml:"ПрСовмПолн,attr"`
	// LossOnRetrust is @ПрУтрПолн: whether powers passed on are lost
	// (meaning uncertain, FORMAT.md §13).
	LossOnRetrust string `xml:"ПрУтрПолн,attr,omitempty"`
}

// MachinePower is one machine-readable power from a classifier (МашПолн).
type MachinePower struct {
	// Restrictions is ОгрСвПолн.
	Restrictions []Restriction `xml:"ОгрСвПолн"`

	// Mnemonic is @МнПолн.
	Mnemonic string `xml:"МнПолн,attr,omitempty"`
	// Code is @КодПолн, e.g. 2_FNS21 or KLASS_2.0_SIGN (required).
	Code string `xml:"КодПолн,attr"`
	// Name is @НаимПолн (required).
	Name string `xml:"НаимПолн,attr"`
}

// Restriction restricts a machine-readable power (ОгрСвПолн). Exactly one of
// ValueCode and ValueText is set (an xs:choice).
type Restriction struct {
	// ValueCode is КодЗначОгр, the restriction value as a code.
	ValueCode string `xml:"КодЗначОгр,omitempty"`
	// ValueText is ТексЗначОгр, the restriction value as free text.
	ValueText string `xml:"ТексЗначОгр,omitempty"`

	// ID is @ИдОгр, 1–999 (required).
	ID string `xml:"ИдОгр,attr"`
	// Code is @КодОгр, e.g. LIM_01 (required).
	Code string `xml:"КодОгр,attr"`
	// Name is @НаимОгр (required).
	Name string `xml:"НаимОгр,attr"`
	// ValueName is @НаимЗначОгр.
	ValueName string `xml:"НаимЗначОгр,attr,omitempty"`
}

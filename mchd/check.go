package mchd

import (
	"fmt"
	"strings"
)

// Severity says how serious a Problem is.
type Severity string

const (
	// SeverityError marks a violation of the XSD or of a rule FORMAT.md states
	// as certain: the document must not be accepted.
	SeverityError Severity = "error"
	// SeverityWarning marks a violation of a convention or of a rule whose
	// meaning FORMAT.md marks uncertain ([R]) or observed only in real files.
	SeverityWarning Severity = "warning"
)

// Problem is one finding of Check.
//
// Codes are stable. XSD constraints (all errors): XSD_ROOT, XSD_REQUIRED,
// XSD_UNEXPECTED, XSD_CHOICE, XSD_OCCURS, XSD_ORDER, XSD_CONTENT, XSD_PATTERN,
// XSD_LENGTH, XSD_ENUM, XSD_TYPE, XSD_DATE, XSD_RANGE. Rules the XSD does not
// encode: INN_CHECK_DIGIT, OGRN_CHECK_DIGIT, OGRNIP_CHECK_DIGIT,
// SNILS_CHECK_DIGIT, KPP_FORMAT, DATE_ORDER, RETRUST_TERM, RETRUST_NOT_ALLOWED,
// RETRUST_ONCE, RETRUST_BASE, PARENT_MISMATCH, PARTY_KIND, POWERS_KIND
// (errors unless stated) and the warnings IRREVOCABLE, HEAD_KIND,
// FILE_ID_FORMAT, FILE_ID_MISMATCH, FILE_NAME_MISMATCH, STATUS_URL_MISMATCH,
// PROFILE_TAX. RETRUST_ONCE and RETRUST_BASE are warnings too (FORMAT.md
// marks their meaning uncertain, [R]).
type Problem struct {
	// Path is the element or attribute concerned, e.g.
	// /Доверенность/Документ/Довер/СвДов/@СрокДейст; a repeated element
	// carries its 1-based index, e.g. СвДоверит[2].
	Path string `json:"path"`
	// Code is the stable code of the problem.
	Code string `json:"code"`
	// Severity is SeverityError or SeverityWarning.
	Severity Severity `json:"severity"`
	// Message says what is wrong, in Russian.
	Message string `json:"message"`
	// MessageEN says what is wrong, in English.
	MessageEN string `json:"message_en"`
}

// String returns the problem on one line: severity, code, path and both
// messages.
func (p Problem) String() string {
	return fmt.Sprintf("%s %s %s: %s / %s", p.Severity, p.Code, p.Path, p.Message, p.MessageEN)
}

// IsXSD reports whether the problem is a violation of the XSD.
func (p Problem) IsXSD() bool { return strings.HasPrefix(p.Code, "XSD_") }

// HasErrors reports whether ps holds at least one error.
func HasErrors(ps []Problem) bool {
	for _, p := range ps {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Check validates raw, the exact bytes of an EMCHD_1 file, against the
// official XSD (every constraint it states: required elements and
// attributes, choices, order, patterns, lengths, enumerations, dates) and
// the rules of FORMAT.md the XSD does not encode (§2.1 identity, §4.1 profile,
// §4 and §9 date order, §11 check digits). It returns the parsed document,
// or nil when Parse refuses it. The error is non-nil only when raw is not
// well-formed XML or Parse refuses it; the problems found up to then are
// returned with it.
func Check(raw []byte) (*Document, []Problem, error) {
	return CheckFile("", raw)
}

// CheckFile is Check for a file with the given name (base name, with .xml):
// it also checks that the name equals ИдФайл + ".xml" (FORMAT.md §2.1).
// An empty name skips that check.
func CheckFile(name string, raw []byte) (*Document, []Problem, error) {
	ps, root, err := checkBytes(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if name != "" {
		ps = append(ps, checkFileName(root, name)...)
	}
	d, err := decode(raw) // parseTree in checkBytes made Parse's well-formedness pass
	if err != nil {
		return nil, ps, err
	}
	return d, ps, nil
}

// Check validates d as Check does: its Raw bytes when it was parsed,
// otherwise the XML Marshal writes for it. A document Marshal refuses yields
// a single XSD_CONTENT problem at the root.
func (d *Document) Check() []Problem {
	raw := d.Raw()
	if raw == nil {
		var err error
		raw, err = Marshal(d)
		if err != nil {
			return []Problem{{Path: "/Доверенность", Code: "XSD_CONTENT", Severity: SeverityError,
				Message: "документ не может быть записан: " + err.Error(), MessageEN: "the document cannot be written: " + err.Error()}}
		}
	}
	ps, _, err := checkBytes(raw)
	if err != nil {
		return []Problem{{Path: "/", Code: "XSD_CONTENT", Severity: SeverityError,
			Message: "документ не является корректным XML: " + err.Error(), MessageEN: "the document is not well-formed XML: " + err.Error()}}
	}
	return ps
}

// checkBytes runs the XSD validator and the rules over raw.
func checkBytes(raw []byte) ([]Problem, *xnode, error) {
	issues, root, err := validateXSDTree(raw)
	if err != nil {
		return nil, nil, err
	}
	ps := make([]Problem, 0, len(issues))
	for _, is := range issues {
		ps = append(ps, Problem{Path: is.path, Code: is.code, Severity: SeverityError,
			Message: is.path + ": " + is.ru, MessageEN: is.path + ": " + is.en})
	}
	if root.space == Namespace && root.name == "Доверенность" {
		ps = append(ps, checkRules(root)...)
	}
	return ps, root, nil
}

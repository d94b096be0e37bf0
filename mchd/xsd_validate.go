package mchd

import (
	"bytes"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Validation of a document tree against the compiled schema (xsd.go): the
// element and attribute structure, occurrence bounds, sequences and choices,
// and the facets of simple types.
// xsdIssue is one violation found by the validator; check.go turns it into
// a Problem.
type xsdIssue struct {
	path, code, ru, en string
}

type xsdValidator struct {
	issues []xsdIssue
}

func (v *xsdValidator) add(path, code, ru, en string) {
	v.issues = append(v.issues, xsdIssue{path, code, ru, en})
}

// validateXSD validates data against the EMCHD_1 XSD.
func validateXSD(data []byte) ([]xsdIssue, error) {
	issues, _, err := validateXSDTree(data)
	return issues, err
}

// validateXSDTree is validateXSD that also returns the document's tree.
func validateXSDTree(data []byte) ([]xsdIssue, *xnode, error) {
	s, err := loadSchema()
	if err != nil {
		return nil, nil, err
	}
	root, err := parseTree(normalizeAttrs(data))
	if err != nil {
		return nil, nil, err
	}
	v := &xsdValidator{}
	path := "/" + root.name
	if root.space != Namespace || root.name != s.root.name {
		v.add(path, "XSD_ROOT",
			fmt.Sprintf("корневой элемент должен быть {%s}%s", Namespace, s.root.name),
			fmt.Sprintf("the root element must be {%s}%s", Namespace, s.root.name))
		return v.issues, root, nil
	}
	v.element(s.root, root, path)
	return v.issues, root, nil
}

// normalizeAttrs applies XML attribute-value normalization (XML 1.0 §3.3.3)
// to literal white space, which encoding/xml does not do: a literal tab, line
// feed, carriage return or CR LF inside a quoted attribute value becomes one
// space. Character references (&#9;) are untouched, as the standard says.
// Comments, CDATA sections, processing instructions and text are skipped.
func normalizeAttrs(data []byte) []byte {
	var spaces, drops []int // positions to turn into a space, to remove
	for i := 0; i < len(data); i++ {
		if data[i] != '<' {
			continue
		}
		rest := data[i:]
		end := ""
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			end = "-->"
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			end = "]]>"
		case bytes.HasPrefix(rest, []byte("<?")):
			end = "?>"
		case bytes.HasPrefix(rest, []byte("<!")), bytes.HasPrefix(rest, []byte("</")):
			continue
		}
		if end != "" {
			j := bytes.Index(rest[2:], []byte(end))
			if j < 0 {
				break
			}
			i += 2 + j + len(end) - 1
			continue
		}
		// A start tag: scan to its end, normalising quoted values.
		var quote byte
		for i++; i < len(data); i++ {
			c := data[i]
			if quote == 0 {
				if c == '"' || c == '\'' {
					quote = c
				} else if c == '>' {
					break
				}
				continue
			}
			switch {
			case c == quote:
				quote = 0
			case c == '\r' && i+1 < len(data) && data[i+1] == '\n':
				// CR LF is one line end, hence one space.
				spaces = append(spaces, i)
				drops = append(drops, i+1)
				i++
			case c == '\t' || c == '\n' || c == '\r':
				spaces = append(spaces, i)
			}
		}
	}
	if len(spaces) == 0 {
		return data
	}
	out := append([]byte(nil), data...)
	for _, i := range spaces {
		out[i] = ' '
	}
	for k := len(drops) - 1; k >= 0; k-- {
		out = append(out[:drops[k]], out[drops[k]+1:]...)
	}
	return out
}

func (v *xsdValidator) element(d *xsdElem, n *xnode, path string) {
	if d.simple != nil {
		if len(n.kids) > 0 {
			v.add(path, "XSD_CONTENT", "элемент не может содержать дочерних элементов",
				"the element must not contain child elements")
		}
		for _, a := range n.attrs {
			if a.Name.Space != xsiNS {
				v.add(path+"/@"+a.Name.Local, "XSD_UNEXPECTED", "атрибут не предусмотрен схемой",
					"the attribute is not allowed by the schema")
			}
		}
		v.value(d.simple, n.text.String(), path)
		return
	}
	t := d.complex
	v.attributes(t, n, path)
	if n.hasText {
		v.add(path, "XSD_CONTENT", "элемент не может содержать текст", "the element must not contain text")
	}
	v.content(t, n, path)
	// Children: name the path with an index when a name repeats.
	count := map[string]int{}
	for _, k := range n.kids {
		count[k.name]++
	}
	seen := map[string]int{}
	for _, k := range n.kids {
		seen[k.name]++
		kp := path + "/" + k.name
		if count[k.name] > 1 {
			kp += "[" + strconv.Itoa(seen[k.name]) + "]"
		}
		if k.space != Namespace {
			continue // reported by content
		}
		if kd := findElem(t.content, k.name); kd != nil {
			v.element(kd, k, kp)
		}
	}
}

func findElem(p *xsdParticle, name string) *xsdElem {
	if p == nil {
		return nil
	}
	if p.elem != nil {
		if p.elem.name == name {
			return p.elem
		}
		return nil
	}
	for _, it := range p.items {
		if e := findElem(it, name); e != nil {
			return e
		}
	}
	return nil
}

func (v *xsdValidator) attributes(t *xsdComplex, n *xnode, path string) {
	for _, d := range t.attrs {
		val, ok := n.attr(d.name)
		ap := path + "/@" + d.name
		if !ok {
			if d.required {
				v.add(ap, "XSD_REQUIRED", "обязательный атрибут отсутствует", "a required attribute is missing")
			}
			continue
		}
		v.value(d.simple, val, ap)
	}
	for _, a := range n.attrs {
		if a.Name.Space == xsiNS && (a.Name.Local == "schemaLocation" || a.Name.Local == "noNamespaceSchemaLocation") {
			continue
		}
		known := false
		if a.Name.Space == "" {
			for _, d := range t.attrs {
				if d.name == a.Name.Local {
					known = true
				}
			}
		}
		if !known {
			v.add(path+"/@"+a.Name.Local, "XSD_UNEXPECTED", "атрибут не предусмотрен схемой",
				"the attribute is not allowed by the schema")
		}
	}
}

// content checks the children of n against t's content model.
func (v *xsdValidator) content(t *xsdComplex, n *xnode, path string) {
	names := make([]string, 0, len(n.kids))
	for _, k := range n.kids {
		if k.space != Namespace {
			v.add(path+"/"+k.name, "XSD_UNEXPECTED",
				"элемент вне пространства имён "+Namespace, "an element outside the namespace "+Namespace)
			return
		}
		names = append(names, k.name)
	}
	if t.content == nil {
		if len(names) > 0 {
			v.add(path+"/"+names[0], "XSD_UNEXPECTED", "элемент не предусмотрен схемой",
				"the element is not allowed by the schema")
		}
		return
	}
	// Fast path: a greedy parse that reaches the end is a valid derivation.
	// Otherwise the exhaustive matcher decides.
	if e, ok := greedy(t.content, names, 0); ok && e == len(names) {
		return
	}
	ends := matchParticle(t.content, names, 0)
	if ends[len(names)] {
		return
	}
	// Explain the failure.
	for _, nm := range names {
		if findElem(t.content, nm) == nil {
			v.add(path+"/"+nm, "XSD_UNEXPECTED", "элемент не предусмотрен схемой здесь",
				"the element is not allowed here by the schema")
			return
		}
	}
	if miss := missingRequired(t.content, names); len(miss) > 0 {
		for _, m := range miss {
			v.add(path+"/"+m, "XSD_REQUIRED", "обязательный элемент отсутствует", "a required element is missing")
		}
		return
	}
	if c := clashingChoice(t.content, names); c != "" {
		v.add(path, "XSD_CHOICE", "допускается только один из элементов "+c,
			"only one of the elements "+c+" is allowed")
		return
	}
	count := map[string]int{}
	for _, nm := range names {
		count[nm]++
		if m := maxCount(t.content, nm); m >= 0 && count[nm] > m {
			v.add(fmt.Sprintf("%s/%s[%d]", path, nm, count[nm]), "XSD_OCCURS",
				fmt.Sprintf("элемент %s допускается не более %d раз", nm, m),
				fmt.Sprintf("the element %s is allowed at most %d times", nm, m))
			return
		}
	}
	order := strings.Join(declared(t.content, nil), ", ")
	v.add(path, "XSD_ORDER", "порядок или число дочерних элементов не соответствует схеме ("+order+")",
		"the order or number of child elements does not match the schema ("+order+")")
}

// maxCount returns how often name may occur in p, or -1 for unbounded.
func maxCount(p *xsdParticle, name string) int {
	if p.elem != nil {
		if p.elem.name != name {
			return 0
		}
		return p.max
	}
	total := 0
	for _, it := range p.items {
		m := maxCount(it, name)
		if m < 0 {
			return -1
		}
		if p.choice {
			total = max(total, m)
		} else {
			total += m
		}
	}
	if total > 0 && p.max < 0 {
		return -1
	}
	return total * p.max
}

// declared lists the element names of p in schema order.
func declared(p *xsdParticle, out []string) []string {
	if p.elem != nil {
		return append(out, p.elem.name)
	}
	for _, it := range p.items {
		out = declared(it, out)
	}
	return out
}

// greedy matches p at position i of names taking as much as it can, and
// returns where it ends; ok is false when it cannot satisfy p's bounds.
// Every success is a valid derivation, so a greedy match of all names proves
// the content valid; a failure proves nothing.
func greedy(p *xsdParticle, names []string, i int) (int, bool) {
	if p.elem != nil {
		n := 0
		for i+n < len(names) && names[i+n] == p.elem.name && (p.max < 0 || n < p.max) {
			n++
		}
		return i + n, n >= p.min
	}
	pos, reps := i, 0
	for p.max < 0 || reps < p.max {
		e, ok := greedyOnce(p, names, pos)
		if !ok {
			break
		}
		reps++
		if e == pos { // an empty match can be repeated at will
			reps = max(reps, p.min)
			break
		}
		pos = e
	}
	return pos, reps >= p.min
}

func greedyOnce(p *xsdParticle, names []string, i int) (int, bool) {
	if p.choice {
		empty := false
		for _, it := range p.items {
			e, ok := greedy(it, names, i)
			if ok && e > i {
				return e, true
			}
			empty = empty || ok
		}
		return i, empty
	}
	pos := i
	for _, it := range p.items {
		e, ok := greedy(it, names, pos)
		if !ok {
			return i, false
		}
		pos = e
	}
	return pos, true
}

// matchParticle returns the set of positions where p can end when it starts
// at position i of names.
func matchParticle(p *xsdParticle, names []string, i int) map[int]bool {
	cur := map[int]bool{i: true}
	out := map[int]bool{}
	if p.min == 0 {
		out[i] = true
	}
	for rep := 1; len(cur) > 0 && (p.max < 0 || rep <= p.max); rep++ {
		next := map[int]bool{}
		for pos := range cur {
			for e := range matchOnce(p, names, pos) {
				if e != pos || rep == 1 { // an empty match adds nothing after the first round
					next[e] = true
				}
			}
		}
		if rep >= p.min {
			for e := range next {
				if out[e] && p.max < 0 {
					// Already reached with enough repetitions: expanding
					// it again finds nothing new (keeps this linear).
					delete(next, e)
					continue
				}
				out[e] = true
			}
		}
		if rep > len(names)+1 && rep >= p.min {
			break
		}
		cur = next
	}
	return out
}

func matchOnce(p *xsdParticle, names []string, i int) map[int]bool {
	if p.elem != nil {
		if i < len(names) && names[i] == p.elem.name {
			return map[int]bool{i + 1: true}
		}
		return nil
	}
	if p.choice {
		out := map[int]bool{}
		for _, it := range p.items {
			for e := range matchParticle(it, names, i) {
				out[e] = true
			}
		}
		return out
	}
	cur := map[int]bool{i: true}
	for _, it := range p.items {
		next := map[int]bool{}
		for pos := range cur {
			for e := range matchParticle(it, names, pos) {
				next[e] = true
			}
		}
		cur = next
		if len(cur) == 0 {
			return nil
		}
	}
	return cur
}

// missingRequired names the required elements of a top-level sequence that
// are absent from names.
func missingRequired(p *xsdParticle, names []string) []string {
	if p.elem != nil || p.choice || p.min == 0 {
		return nil
	}
	has := map[string]bool{}
	for _, n := range names {
		has[n] = true
	}
	var out []string
	for _, it := range p.items {
		if it.elem != nil && it.min > 0 && !has[it.elem.name] {
			out = append(out, it.elem.name)
		}
		if it.elem == nil && it.choice && it.min > 0 {
			any := false
			var alts []string
			for _, a := range it.items {
				if a.elem != nil {
					alts = append(alts, a.elem.name)
					if has[a.elem.name] || a.min == 0 {
						any = true
					}
				} else {
					any = true
				}
			}
			if !any {
				out = append(out, strings.Join(alts, "|"))
			}
		}
	}
	return out
}

// clashingChoice names the alternatives of a choice when more than one of
// them is present.
func clashingChoice(p *xsdParticle, names []string) string {
	if p.elem != nil {
		return ""
	}
	has := map[string]bool{}
	for _, n := range names {
		has[n] = true
	}
	if p.choice && p.max == 1 {
		var alts, present []string
		for _, a := range p.items {
			if a.elem != nil {
				alts = append(alts, a.elem.name)
				if has[a.elem.name] {
					present = append(present, a.elem.name)
				}
			}
		}
		if len(present) > 1 {
			return strings.Join(alts, ", ")
		}
	}
	for _, it := range p.items {
		if c := clashingChoice(it, names); c != "" {
			return c
		}
	}
	return ""
}

// value checks a simple-type value.
func (v *xsdValidator) value(s *xsdSimple, val, path string) {
	// Numbers are whitespace-collapsed as XSD says; libxml2 (the reference
	// this validator agrees with) accepts no whitespace at all around an
	// xs:date, so neither do we.
	if s.builtin == "integer" || s.builtin == "decimal" {
		val = collapse(val)
	}
	if ru, en, code := s.check(val); code != "" {
		v.add(path, code, ru, en)
	}
}

func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

var (
	reInteger = regexp.MustCompile(`^[+-]?[0-9]+$`)
	reDecimal = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)
	reDate    = regexp.MustCompile(`^(-?)([0-9]{4,})-([0-9]{2})-([0-9]{2})(Z|[+-]([0-9]{2}):([0-9]{2}))?$`)
)

// check returns a message and code for the first violation of s by val.
func (s *xsdSimple) check(val string) (ru, en, code string) {
	if s.base != nil {
		if ru, en, code = s.base.check(val); code != "" {
			return
		}
	} else {
		switch s.builtin {
		case "integer":
			if !reInteger.MatchString(val) {
				return "значение не является целым числом", "the value is not an integer", "XSD_TYPE"
			}
		case "decimal":
			if !reDecimal.MatchString(val) {
				return "значение не является десятичным числом", "the value is not a decimal number", "XSD_TYPE"
			}
		case "date":
			if !validXSDDate(val) {
				return "значение не является датой xs:date (ГГГГ-ММ-ДД)",
					"the value is not an xs:date (YYYY-MM-DD)", "XSD_DATE"
			}
		}
	}
	if s.builtin == "date" {
		if s.minDate != "" && dateCmp(val, s.minDate) < 0 {
			return "дата раньше " + s.minDate, "the date is before " + s.minDate, "XSD_RANGE"
		}
		if s.maxDate != "" && dateCmp(val, s.maxDate) > 0 {
			return "дата позже " + s.maxDate, "the date is after " + s.maxDate, "XSD_RANGE"
		}
	}
	n := utf8.RuneCountInString(val)
	if s.builtin == "string" {
		if s.length >= 0 && n != s.length {
			return fmt.Sprintf("длина %d символов, требуется ровно %d", n, s.length),
				fmt.Sprintf("length is %d characters, exactly %d required", n, s.length), "XSD_LENGTH"
		}
		if s.minLen >= 0 && n < s.minLen {
			return fmt.Sprintf("длина %d символов, требуется не менее %d", n, s.minLen),
				fmt.Sprintf("length is %d characters, at least %d required", n, s.minLen), "XSD_LENGTH"
		}
		if s.maxLen >= 0 && n > s.maxLen {
			return fmt.Sprintf("длина %d символов, допускается не более %d", n, s.maxLen),
				fmt.Sprintf("length is %d characters, at most %d allowed", n, s.maxLen), "XSD_LENGTH"
		}
	}
	if len(s.patterns) > 0 {
		ok := false
		for _, re := range s.patterns {
			if re.MatchString(val) {
				ok = true
			}
		}
		if !ok {
			p := strings.Join(s.patternSrc, " | ")
			return fmt.Sprintf("значение %q не соответствует шаблону %s", val, p),
				fmt.Sprintf("the value %q does not match the pattern %s", val, p), "XSD_PATTERN"
		}
	}
	if len(s.enums) > 0 {
		ok := false
		for _, e := range s.enums {
			if e == val || (s.builtin != "string" && numEqual(e, val)) {
				ok = true
			}
		}
		if !ok {
			l := strings.Join(s.enums, ", ")
			return fmt.Sprintf("значение %q не из перечня допустимых (%s)", val, l),
				fmt.Sprintf("the value %q is not one of the allowed values (%s)", val, l), "XSD_ENUM"
		}
	}
	if s.builtin == "integer" || s.builtin == "decimal" {
		q, ok := new(big.Rat).SetString(strings.TrimPrefix(val, "+"))
		if !ok {
			return "значение не является числом", "the value is not a number", "XSD_TYPE"
		}
		intPart, frac := digits(val)
		if s.totalDigits >= 0 && len(intPart)+len(frac) > s.totalDigits {
			return fmt.Sprintf("не более %d цифр", s.totalDigits),
				fmt.Sprintf("at most %d digits allowed", s.totalDigits), "XSD_LENGTH"
		}
		if s.fracDigits >= 0 && len(frac) > s.fracDigits {
			return fmt.Sprintf("не более %d цифр после запятой", s.fracDigits),
				fmt.Sprintf("at most %d fraction digits allowed", s.fracDigits), "XSD_LENGTH"
		}
		if s.minIncl != nil && q.Cmp(s.minIncl) < 0 {
			return "значение меньше " + s.minIncl.RatString(), "the value is below " + s.minIncl.RatString(), "XSD_RANGE"
		}
		if s.maxIncl != nil && q.Cmp(s.maxIncl) > 0 {
			return "значение больше " + s.maxIncl.RatString(), "the value is above " + s.maxIncl.RatString(), "XSD_RANGE"
		}
	}
	return "", "", ""
}

// digits returns the significant integer and fraction digits of a decimal.
func digits(val string) (string, string) {
	val = strings.TrimLeft(val, "+-")
	i, f, _ := strings.Cut(val, ".")
	return strings.TrimLeft(i, "0"), strings.TrimRight(f, "0")
}

func numEqual(a, b string) bool {
	x, ok1 := new(big.Rat).SetString(strings.TrimPrefix(a, "+"))
	y, ok2 := new(big.Rat).SetString(strings.TrimPrefix(b, "+"))
	return ok1 && ok2 && x.Cmp(y) == 0
}

func validXSDDate(s string) bool {
	m := reDate.FindStringSubmatch(s)
	if m == nil {
		return false
	}
	year := m[2]
	if len(year) > 4 && year[0] == '0' {
		return false
	}
	y, err := strconv.Atoi(year)
	if err != nil || (y == 0) {
		return false
	}
	mo, _ := strconv.Atoi(m[3])
	d, _ := strconv.Atoi(m[4])
	if mo < 1 || mo > 12 || d < 1 {
		return false
	}
	days := []int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[mo-1]
	if mo == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	if d > days {
		return false
	}
	if m[5] != "" && m[5] != "Z" {
		hh, _ := strconv.Atoi(m[6])
		mm, _ := strconv.Atoi(m[7])
		if hh > 14 || mm > 59 || (hh == 14 && mm != 0) {
			return false
		}
	}
	return true
}

// dateCmp compares two valid xs:date values by their calendar day.
func dateCmp(a, b string) int {
	ma, mb := reDate.FindStringSubmatch(a), reDate.FindStringSubmatch(b)
	if ma == nil || mb == nil {
		return 0
	}
	ya, _ := strconv.Atoi(ma[2])
	yb, _ := strconv.Atoi(mb[2])
	if ma[1] == "-" {
		ya = -ya
	}
	if mb[1] == "-" {
		yb = -yb
	}
	if ya != yb {
		if ya < yb {
			return -1
		}
		return 1
	}
	return strings.Compare(ma[3]+ma[4], mb[3]+mb[4])
}

package mchd

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// This file interprets the official XSD (xsd_schema.go) over a document's
// element tree. It supports exactly the XSD features the EMCHD_1 schema uses:
// global and local elements and complex types, sequence and choice with
// occurrence bounds, attributes, simple types restricting xs:string,
// xs:integer, xs:decimal, xs:date or a named simple type, and the facets
// length, minLength, maxLength, pattern, enumeration, totalDigits,
// fractionDigits, minInclusive, maxInclusive.

const xsiNS = "http://www.w3.org/2001/XMLSchema-instance"

// xnode is a generic XML element: used both for the XSD and for documents.
type xnode struct {
	space, name string
	attrs       []xml.Attr
	kids        []*xnode
	text        strings.Builder
	hasText     bool // non-whitespace character data directly inside
}

func (n *xnode) attr(name string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// parseTree reads data into an element tree.
func parseTree(data []byte) (*xnode, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var root *xnode
	var stack []*xnode
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xnode{space: t.Name.Space, name: t.Name.Local}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				n.attrs = append(n.attrs, a)
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("second root element")
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.text.Write(t)
				if len(bytes.TrimSpace(t)) > 0 {
					p.hasText = true
				}
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no root element")
	}
	return root, nil
}

// Schema model.

type xsdElem struct {
	name     string
	min, max int // max < 0: unbounded
	complex  *xsdComplex
	simple   *xsdSimple
}

type xsdParticle struct {
	elem     *xsdElem // an element, or
	choice   bool     // a choice (else a sequence) of
	items    []*xsdParticle
	min, max int
}

type xsdAttr struct {
	name     string
	required bool
	simple   *xsdSimple
}

type xsdComplex struct {
	content *xsdParticle // nil: empty content
	attrs   []*xsdAttr
}

type xsdSimple struct {
	name        string     // named type, for messages
	builtin     string     // string, integer, decimal, date
	base        *xsdSimple // restricted named type, or nil
	patterns    []*regexp.Regexp
	patternSrc  []string
	enums       []string
	length      int // -1 if not set
	minLen      int
	maxLen      int
	totalDigits int
	fracDigits  int
	minIncl     *big.Rat
	maxIncl     *big.Rat
	minDate     string // xs:date bounds
	maxDate     string
}

type xsdSchema struct {
	root *xsdElem
}

var loadSchema = sync.OnceValues(func() (*xsdSchema, error) {
	return compileSchema([]byte(schemaXSD))
})

type xsdCompiler struct {
	complexTypes map[string]*xnode
	simpleTypes  map[string]*xnode
	cdone        map[string]*xsdComplex
	sdone        map[string]*xsdSimple
}

func compileSchema(data []byte) (*xsdSchema, error) {
	top, err := parseTree(data)
	if err != nil {
		return nil, err
	}
	c := &xsdCompiler{
		complexTypes: map[string]*xnode{}, simpleTypes: map[string]*xnode{},
		cdone: map[string]*xsdComplex{}, sdone: map[string]*xsdSimple{},
	}
	var rootDecl *xnode
	for _, k := range top.kids {
		name, _ := k.attr("name")
		switch k.name {
		case "complexType":
			c.complexTypes[name] = k
		case "simpleType":
			c.simpleTypes[name] = k
		case "element":
			rootDecl = k
		}
	}
	if rootDecl == nil {
		return nil, fmt.Errorf("xsd: no global element")
	}
	root, err := c.element(rootDecl)
	if err != nil {
		return nil, err
	}
	return &xsdSchema{root: root}, nil
}

func occurs(n *xnode) (int, int) {
	lo, hi := 1, 1
	if v, ok := n.attr("minOccurs"); ok {
		lo, _ = strconv.Atoi(v)
	}
	if v, ok := n.attr("maxOccurs"); ok {
		if v == "unbounded" {
			hi = -1
		} else {
			hi, _ = strconv.Atoi(v)
		}
	}
	return lo, hi
}

func (c *xsdCompiler) element(n *xnode) (*xsdElem, error) {
	name, _ := n.attr("name")
	e := &xsdElem{name: name}
	e.min, e.max = occurs(n)
	if t, ok := n.attr("type"); ok {
		var err error
		if strings.HasPrefix(t, "xs:") {
			e.simple = &xsdSimple{builtin: t[3:], length: -1, minLen: -1, maxLen: -1, totalDigits: -1, fracDigits: -1}
		} else if _, ok := c.complexTypes[t]; ok {
			e.complex, err = c.namedComplex(t)
		} else {
			e.simple, err = c.namedSimple(t)
		}
		return e, err
	}
	for _, k := range n.kids {
		var err error
		switch k.name {
		case "complexType":
			e.complex, err = c.complex(k)
		case "simpleType":
			e.simple, err = c.simple(k, "")
		}
		if err != nil {
			return nil, err
		}
	}
	if e.complex == nil && e.simple == nil {
		return nil, fmt.Errorf("xsd: element %s has no type", name)
	}
	return e, nil
}

func (c *xsdCompiler) namedComplex(name string) (*xsdComplex, error) {
	if t, ok := c.cdone[name]; ok {
		return t, nil
	}
	n, ok := c.complexTypes[name]
	if !ok {
		return nil, fmt.Errorf("xsd: unknown type %s", name)
	}
	t := &xsdComplex{}
	c.cdone[name] = t // recursion guard
	ct, err := c.complex(n)
	if err != nil {
		return nil, err
	}
	*t = *ct
	return t, nil
}

func (c *xsdCompiler) namedSimple(name string) (*xsdSimple, error) {
	if t, ok := c.sdone[name]; ok {
		return t, nil
	}
	n, ok := c.simpleTypes[name]
	if !ok {
		return nil, fmt.Errorf("xsd: unknown type %s", name)
	}
	t, err := c.simple(n, name)
	if err != nil {
		return nil, err
	}
	c.sdone[name] = t
	return t, nil
}

func (c *xsdCompiler) complex(n *xnode) (*xsdComplex, error) {
	t := &xsdComplex{}
	for _, k := range n.kids {
		switch k.name {
		case "sequence", "choice":
			p, err := c.group(k)
			if err != nil {
				return nil, err
			}
			t.content = p
		case "attribute":
			a, err := c.attribute(k)
			if err != nil {
				return nil, err
			}
			t.attrs = append(t.attrs, a)
		case "annotation":
		default:
			return nil, fmt.Errorf("xsd: unsupported %s in complexType", k.name)
		}
	}
	return t, nil
}

func (c *xsdCompiler) group(n *xnode) (*xsdParticle, error) {
	p := &xsdParticle{choice: n.name == "choice"}
	p.min, p.max = occurs(n)
	for _, k := range n.kids {
		switch k.name {
		case "element":
			e, err := c.element(k)
			if err != nil {
				return nil, err
			}
			p.items = append(p.items, &xsdParticle{elem: e, min: e.min, max: e.max})
		case "sequence", "choice":
			g, err := c.group(k)
			if err != nil {
				return nil, err
			}
			p.items = append(p.items, g)
		case "annotation":
		default:
			return nil, fmt.Errorf("xsd: unsupported %s in %s", k.name, n.name)
		}
	}
	return p, nil
}

func (c *xsdCompiler) attribute(n *xnode) (*xsdAttr, error) {
	name, _ := n.attr("name")
	use, _ := n.attr("use")
	a := &xsdAttr{name: name, required: use == "required"}
	if t, ok := n.attr("type"); ok {
		if strings.HasPrefix(t, "xs:") {
			a.simple = &xsdSimple{builtin: t[3:], length: -1, minLen: -1, maxLen: -1, totalDigits: -1, fracDigits: -1}
			return a, nil
		}
		var err error
		a.simple, err = c.namedSimple(t)
		return a, err
	}
	for _, k := range n.kids {
		if k.name == "simpleType" {
			var err error
			a.simple, err = c.simple(k, "")
			return a, err
		}
	}
	return nil, fmt.Errorf("xsd: attribute %s has no type", name)
}

// xsdRegexp translates an XSD pattern into an anchored Go regexp.
func xsdRegexp(p string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + strings.ReplaceAll(p, `\d`, `\p{Nd}`) + `)$`)
}

func (c *xsdCompiler) simple(n *xnode, name string) (*xsdSimple, error) {
	s := &xsdSimple{name: name, length: -1, minLen: -1, maxLen: -1, totalDigits: -1, fracDigits: -1}
	var r *xnode
	for _, k := range n.kids {
		if k.name == "restriction" {
			r = k
		}
	}
	if r == nil {
		return nil, fmt.Errorf("xsd: simple type %s without restriction", name)
	}
	base, _ := r.attr("base")
	if strings.HasPrefix(base, "xs:") {
		s.builtin = base[3:]
	} else {
		b, err := c.namedSimple(base)
		if err != nil {
			return nil, err
		}
		s.base = b
		s.builtin = b.builtin
	}
	for _, f := range r.kids {
		v, _ := f.attr("value")
		num := func() int { i, _ := strconv.Atoi(v); return i }
		switch f.name {
		case "length":
			s.length = num()
		case "minLength":
			s.minLen = num()
		case "maxLength":
			s.maxLen = num()
		case "totalDigits":
			s.totalDigits = num()
		case "fractionDigits":
			s.fracDigits = num()
		case "enumeration":
			s.enums = append(s.enums, v)
		case "pattern":
			re, err := xsdRegexp(v)
			if err != nil {
				return nil, fmt.Errorf("xsd: pattern %q: %v", v, err)
			}
			s.patterns = append(s.patterns, re)
			s.patternSrc = append(s.patternSrc, v)
		case "minInclusive", "maxInclusive":
			if s.builtin == "date" {
				if f.name == "minInclusive" {
					s.minDate = v
				} else {
					s.maxDate = v
				}
				continue
			}
			q, ok := new(big.Rat).SetString(v)
			if !ok {
				return nil, fmt.Errorf("xsd: bad bound %q", v)
			}
			if f.name == "minInclusive" {
				s.minIncl = q
			} else {
				s.maxIncl = q
			}
		case "annotation":
		default:
			return nil, fmt.Errorf("xsd: unsupported facet %s", f.name)
		}
	}
	return s, nil
}

// Validation.

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

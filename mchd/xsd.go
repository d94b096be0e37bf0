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

// parseTree reads data into an element tree. It refuses what wellFormed
// refuses (a directive, a duplicate attribute, text outside the root
// element), so that a document it accepts needs no second well-formedness
// pass before Parse decodes it (see CheckFile).
func parseTree(data []byte) (*xnode, error) {
	// A byte-order mark is not text outside the root: Parse skips it too,
	// and the rules report it (FORMAT.md §2).
	dec := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, bom)))
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
			for i, a := range t.Attr {
				for _, b := range t.Attr[:i] {
					if a.Name == b.Name {
						return nil, fmt.Errorf("duplicate attribute %s on <%s>", a.Name.Local, t.Name.Local)
					}
				}
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
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) != 0 {
					return nil, fmt.Errorf("text outside the root element")
				}
				break
			}
			p := stack[len(stack)-1]
			p.text.Write(t)
			if len(bytes.TrimSpace(t)) > 0 {
				p.hasText = true
			}
		case xml.Directive:
			// Real files have no DTD; refusing it also keeps entity tricks out.
			return nil, fmt.Errorf("DTD or other directive not allowed")
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

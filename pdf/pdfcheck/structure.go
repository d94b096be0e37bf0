package pdfcheck

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/podpis/podpis/pdf/internal/pdfread"
)

type (
	dict  = pdfread.Dict
	array = pdfread.Array
	name  = pdfread.Name
	str   = pdfread.Str
)

// maxFormDepth bounds the nesting of Form XObjects followed.
const maxFormDepth = 8

// XMP namespaces (XMP Specification Part 1 §8; ISO 19005-2 §6.6.2.1 for
// pdfaid).
const (
	nsRDF    = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsDC     = "http://purl.org/dc/elements/1.1/"
	nsXMP    = "http://ns.adobe.com/xap/1.0/"
	nsPDF    = "http://ns.adobe.com/pdf/1.3/"
	nsPDFAID = "http://www.aiim.org/pdfa/ns/id/"
)

// infoTwins pairs each Info entry with its XMP twin (ISO 19005-2 §6.6.3,
// PDFA2B.md §1 "Info ↔ XMP consistency").
var infoTwins = []struct{ info, xmp string }{
	{"Title", "dc:title"}, {"Author", "dc:creator"}, {"Subject", "dc:description"},
	{"Keywords", "pdf:Keywords"}, {"Creator", "xmp:CreatorTool"}, {"Producer", "pdf:Producer"},
	{"CreationDate", "xmp:CreateDate"}, {"ModDate", "xmp:ModifyDate"},
}

var xmpPrefix = map[string]string{nsDC: "dc", nsXMP: "xmp", nsPDF: "pdf", nsPDFAID: "pdfaid"}

// metadata checks the catalog's XMP stream (unfiltered, pdfaid part 2
// conformance B) and that every Info entry with an XMP twin has it with
// an equal value (dates: the same instant).
func (c *checker) metadata() {
	st, _ := c.d.Resolve(c.catalog["Metadata"])
	ms, ok := st.(pdfread.Stream)
	if !ok {
		c.add(RuleXMP, false, "the catalog has no /Metadata stream")
		c.add(RuleInfoXMP, false, "no XMP metadata")
		return
	}
	filtered := ms.Dict["Filter"] != nil
	raw, err := c.d.Decode(ms)
	var props map[string]string
	if err == nil {
		props, err = parseXMP(raw)
	}
	if err != nil {
		c.add(RuleXMP, false, "the XMP metadata is not readable: "+err.Error())
		c.add(RuleInfoXMP, false, "no XMP metadata")
		return
	}
	c.r.PDFAPart, c.r.PDFAConformance = props["pdfaid:part"], strings.ToUpper(props["pdfaid:conformance"])
	switch {
	case c.r.PDFAPart == "":
		c.add(RuleXMP, false, "no pdfaid claim")
	case filtered:
		c.add(RuleXMP, false, "the metadata stream is compressed")
	case c.r.PDFAPart != "2" || c.r.PDFAConformance != "B":
		c.add(RuleXMP, false, fmt.Sprintf("claims PDF/A-%s%s", c.r.PDFAPart, strings.ToLower(c.r.PDFAConformance)))
	default:
		c.add(RuleXMP, true, "")
	}

	info, _ := c.d.DictOf(c.d.Trailer["Info"])
	var bad []string
	for _, t := range infoTwins {
		v, ok := info[name(t.info)].(str)
		if !ok {
			continue
		}
		iv := pdfread.TextString(v)
		xv, has := props[t.xmp]
		switch {
		case !has:
			bad = append(bad, fmt.Sprintf("/%s has no %s", t.info, t.xmp))
		case strings.HasSuffix(t.info, "Date"):
			it, err1 := parseInfoDate(iv)
			xt, err2 := parseXMPDate(xv)
			if err1 != nil || err2 != nil || !it.Equal(xt) {
				bad = append(bad, fmt.Sprintf("/%s %s ≠ %s %s", t.info, iv, t.xmp, xv))
			}
		case iv != xv:
			bad = append(bad, fmt.Sprintf("/%s %q ≠ %s %q", t.info, iv, t.xmp, xv))
		}
	}
	c.add(RuleInfoXMP, len(bad) == 0, strings.Join(bad, "; "))
}

// parseXMP returns the properties of an XMP packet this package compares,
// keyed "prefix:name": simple values, the x-default (or first) item of an
// rdf:Alt and the first item of an rdf:Seq or rdf:Bag, written as elements
// or as attributes of rdf:Description.
func parseXMP(b []byte) (map[string]string, error) {
	props := map[string]string{}
	dec := xml.NewDecoder(bytes.NewReader(b))
	var (
		depth, propDepth int
		cur              string
		text             strings.Builder
		inLi, liDone     bool
		liDefault        bool
	)
	key := func(n xml.Name) string {
		if p, ok := xmpPrefix[n.Space]; ok {
			return p + ":" + n.Local
		}
		return ""
	}
	for tokens := 0; ; tokens++ {
		if tokens > 1<<20 {
			return nil, fmt.Errorf("too many XML tokens")
		}
		tok, err := dec.Token()
		if err == io.EOF {
			return props, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > 64 {
				return nil, fmt.Errorf("XML nested too deep")
			}
			if t.Name.Space == nsRDF && t.Name.Local == "Description" {
				for _, a := range t.Attr {
					if k := key(a.Name); k != "" {
						if _, ok := props[k]; !ok {
							props[k] = strings.TrimSpace(a.Value)
						}
					}
				}
				continue
			}
			if cur == "" {
				if k := key(t.Name); k != "" {
					cur, propDepth, inLi, liDone = k, depth, false, false
					text.Reset()
				}
				continue
			}
			if t.Name.Space == nsRDF && t.Name.Local == "li" {
				def := false
				for _, a := range t.Attr {
					if a.Name.Local == "lang" && a.Value == "x-default" {
						def = true
					}
				}
				if !liDone || (def && !liDefault) {
					text.Reset()
					inLi, liDefault = true, def
				}
			}
		case xml.CharData:
			if cur != "" && (inLi || !liDone) {
				text.Write(t)
			}
		case xml.EndElement:
			if cur != "" && t.Name.Space == nsRDF && t.Name.Local == "li" && inLi {
				inLi, liDone = false, true
			}
			if cur != "" && depth == propDepth {
				if _, ok := props[cur]; !ok {
					props[cur] = strings.TrimSpace(text.String())
				}
				cur = ""
			}
			depth--
		}
	}
}

var reInfoDate = regexp.MustCompile(`^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Z+-])(?:(\d{2})'?(?:(\d{2})'?)?)?)?$`)

// parseInfoDate reads a PDF date (ISO 32000-1 §7.9.4): D:YYYYMMDDHHmmSS
// with an optional offset; a missing offset is read as UTC.
func parseInfoDate(s string) (time.Time, error) {
	m := reInfoDate.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}, fmt.Errorf("bad date %q", s)
	}
	n := func(i, def int) int {
		if m[i] == "" {
			return def
		}
		v, _ := strconv.Atoi(m[i])
		return v
	}
	off := (n(8, 0)*60 + n(9, 0)) * 60
	if m[7] == "-" {
		off = -off
	}
	loc := time.FixedZone("", off)
	return time.Date(n(1, 0), time.Month(n(2, 1)), n(3, 1), n(4, 0), n(5, 0), n(6, 0), 0, loc), nil
}

// parseXMPDate reads an XMP date (ISO 8601 as XMP Part 1 §8.2.1.1 profiles
// it).
func parseXMPDate(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad date %q", s)
}

// iccComponents maps an ICC profile's data colour space (ICC.1 §7.2.6) to
// its number of components.
var iccComponents = map[string]int{"RGB ": 3, "GRAY": 1, "CMYK": 4, "Lab ": 3}

// outputIntent checks the catalog's /OutputIntents (ISO 19005-2 §6.2.3): one
// with /S /GTS_PDFA1 and an ICC profile whose /N matches its colour space,
// every GTS_PDFA1 intent with the same profile.
func (c *checker) outputIntent() {
	ois, _ := c.d.Resolve(c.catalog["OutputIntents"])
	oa, _ := ois.(array)
	var profile pdfread.Ref
	var problems []string
	found := 0
	for _, o := range oa {
		oi, _ := c.d.DictOf(o)
		if oi["S"] != name("GTS_PDFA1") {
			continue
		}
		found++
		p, _ := oi["DestOutputProfile"].(pdfread.Ref)
		if found > 1 && p != profile {
			problems = append(problems, "output intents with different profiles")
		}
		profile = p
		st, _ := c.d.Resolve(p)
		s, ok := st.(pdfread.Stream)
		if !ok {
			problems = append(problems, "no /DestOutputProfile stream")
			continue
		}
		icc, err := c.d.Decode(s)
		if err != nil || len(icc) < 128 || string(icc[36:40]) != "acsp" {
			problems = append(problems, "the ICC profile is not readable")
			continue
		}
		n, _ := s.Dict["N"].(int)
		if want := iccComponents[string(icc[16:20])]; want == 0 || n != want {
			problems = append(problems, fmt.Sprintf("/N %d for an ICC profile of colour space %q", n, icc[16:20]))
		}
	}
	if found == 0 {
		problems = append(problems, "no output intent with /S /GTS_PDFA1")
	}
	c.add(RuleOutputIntent, len(problems) == 0, strings.Join(problems, "; "))
}

// resources returns a page's /Resources, inherited from its ancestors
// (ISO 32000-1 §7.7.3.4).
func (c *checker) resources(page dict) dict {
	for range maxFormDepth * 4 {
		if r, _ := c.d.DictOf(page["Resources"]); r != nil {
			return r
		}
		parent, _ := c.d.DictOf(page["Parent"])
		if parent == nil {
			return nil
		}
		page = parent
	}
	return nil
}

// fonts checks that every font reachable from the pages — their resources,
// the Form XObjects they use and the annotations' appearance streams — is
// embedded (ISO 19005-2 §6.2.11.4.1): a FontFile, FontFile2 or FontFile3 in
// its descriptor (a Type 0 font's: its descendant's). Type 3 fonts are
// content streams and need none.
func (c *checker) fonts() {
	seen := map[any]bool{}
	var missing []string
	var walk func(res dict, depth int)
	walk = func(res dict, depth int) {
		if res == nil || depth > maxFormDepth {
			return
		}
		fonts, _ := c.d.DictOf(res["Font"])
		keys := make([]string, 0, len(fonts))
		for k := range fonts {
			keys = append(keys, string(k))
		}
		sort.Strings(keys)
		for _, k := range keys {
			ref := fonts[name(k)]
			if r, ok := ref.(pdfread.Ref); ok {
				if seen[r] {
					continue
				}
				seen[r] = true
			}
			if f, _ := c.d.DictOf(ref); f != nil && !c.embedded(f) {
				n, _ := f["BaseFont"].(name)
				missing = append(missing, string(n))
			}
		}
		xo, _ := c.d.DictOf(res["XObject"])
		for _, x := range xo {
			if r, ok := x.(pdfread.Ref); ok {
				if seen[r] {
					continue
				}
				seen[r] = true
			}
			if xd, _ := c.d.DictOf(x); xd["Subtype"] == name("Form") {
				sub, _ := c.d.DictOf(xd["Resources"])
				walk(sub, depth+1)
			}
		}
	}
	for _, p := range c.pages {
		pd, _ := c.d.DictOf(p)
		walk(c.resources(pd), 0)
		for _, a := range c.annots(pd) {
			ap, _ := c.d.DictOf(a["AP"])
			for _, st := range c.appearanceStreams(ap["N"]) {
				res, _ := c.d.DictOf(st["Resources"])
				walk(res, 1)
			}
		}
	}
	detail := ""
	if len(missing) > 0 {
		detail = fmt.Sprintf("%d font(s) not embedded: %s", len(missing), strings.Join(missing, ", "))
	}
	c.add(RuleFonts, len(missing) == 0, detail)
}

// embedded says a font dictionary's program is in the file.
func (c *checker) embedded(f dict) bool {
	switch f["Subtype"] {
	case name("Type3"):
		return true
	case name("Type0"):
		ds, _ := c.d.Resolve(f["DescendantFonts"])
		da, _ := ds.(array)
		if len(da) != 1 {
			return false
		}
		if f, _ = c.d.DictOf(da[0]); f == nil {
			return false
		}
	}
	fd, _ := c.d.DictOf(f["FontDescriptor"])
	for _, k := range []name{"FontFile", "FontFile2", "FontFile3"} {
		if _, ok := fd[k]; ok {
			return true
		}
	}
	return false
}

// annots returns a page's annotation dictionaries.
func (c *checker) annots(page dict) []dict {
	as, _ := c.d.Resolve(page["Annots"])
	aa, _ := as.(array)
	var out []dict
	for i, a := range aa {
		if i >= 10000 {
			break
		}
		if ad, _ := c.d.DictOf(a); ad != nil {
			out = append(out, ad)
		}
	}
	return out
}

// appearanceStreams returns the dictionaries of an /AP /N entry's streams:
// the stream itself, or each state's of a sub-dictionary.
func (c *checker) appearanceStreams(n any) []dict {
	o, _ := c.d.Resolve(n)
	switch v := o.(type) {
	case pdfread.Stream:
		return []dict{v.Dict}
	case dict:
		var out []dict
		for _, s := range v {
			if st, _ := c.d.Resolve(s); st != nil {
				if ss, ok := st.(pdfread.Stream); ok {
					out = append(out, ss.Dict)
				}
			}
		}
		return out
	}
	return nil
}

// forbiddenAnnots are the annotation types PDF/A-2 forbids (ISO 19005-2
// §6.3.1).
var forbiddenAnnots = map[name]bool{"3D": true, "Sound": true, "Screen": true, "Movie": true}

// annotations checks every annotation (ISO 19005-2 §6.3.2, §6.3.3): an
// allowed type; /F with Print set and Invisible, Hidden, NoView,
// ToggleNoView clear; /CA 1 if present; and, except for Popup, Link and
// zero-area ones, /AP with only /N.
func (c *checker) annotations() {
	var flagProblems, apProblems []string
	n := 0
	for i, p := range c.pages {
		pd, _ := c.d.DictOf(p)
		for _, a := range c.annots(pd) {
			n++
			st, _ := a["Subtype"].(name)
			where := fmt.Sprintf("page %d %s", i+1, st)
			if forbiddenAnnots[st] {
				flagProblems = append(flagProblems, where+": type forbidden")
				continue
			}
			if st != "Popup" {
				f, _ := a["F"].(int)
				if f&4 == 0 || f&(1|2|32|256) != 0 {
					flagProblems = append(flagProblems, fmt.Sprintf("%s: /F %d", where, f))
				}
			}
			if ca, ok := pdfread.Number(a["CA"]); ok && ca != 1 {
				flagProblems = append(flagProblems, fmt.Sprintf("%s: /CA %g", where, ca))
			}
			if st == "Popup" || st == "Link" || zeroArea(c.d, a["Rect"]) {
				continue
			}
			ap, _ := c.d.DictOf(a["AP"])
			switch {
			case ap == nil || ap["N"] == nil:
				apProblems = append(apProblems, where+": no /AP /N")
			case len(ap) != 1:
				apProblems = append(apProblems, where+": /AP has more than /N")
			case len(c.appearanceStreams(ap["N"])) == 0:
				apProblems = append(apProblems, where+": /AP /N is not a stream")
			}
		}
	}
	c.add(RuleAnnotFlags, len(flagProblems) == 0, limit(flagProblems))
	c.add(RuleAppearance, len(apProblems) == 0, limit(apProblems))
}

func zeroArea(d *pdfread.Document, r any) bool {
	o, _ := d.Resolve(r)
	a, _ := o.(array)
	if len(a) != 4 {
		return false
	}
	var v [4]float64
	for i, x := range a {
		v[i], _ = pdfread.Number(x)
	}
	return v[0] == v[2] || v[1] == v[3]
}

// limit joins at most five problems and counts the rest.
func limit(ps []string) string {
	if len(ps) > 5 {
		return strings.Join(ps[:5], "; ") + fmt.Sprintf("; and %d more", len(ps)-5)
	}
	return strings.Join(ps, "; ")
}

package mchd

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// A small mutable DOM for producing mutated documents.
type mnode struct {
	name  string
	attrs []xml.Attr
	kids  []*mnode
	text  string // leaf text, or text put into a complex element by a mutation
}

func toM(n *xnode) *mnode {
	m := &mnode{name: n.name, attrs: append([]xml.Attr(nil), n.attrs...)}
	for _, k := range n.kids {
		m.kids = append(m.kids, toM(k))
	}
	if len(n.kids) == 0 {
		m.text = n.text.String()
	}
	return m
}

func (m *mnode) clone() *mnode {
	c := &mnode{name: m.name, attrs: append([]xml.Attr(nil), m.attrs...), text: m.text}
	for _, k := range m.kids {
		c.kids = append(c.kids, k.clone())
	}
	return c
}

func (m *mnode) write(b *bytes.Buffer, root bool) {
	b.WriteString("<" + m.name)
	if root {
		b.WriteString(` xmlns="` + Namespace + `"`)
	}
	for _, a := range m.attrs {
		b.WriteString(" " + a.Name.Local + `="`)
		xml.EscapeText(b, []byte(a.Value))
		b.WriteString(`"`)
	}
	b.WriteString(">")
	xml.EscapeText(b, []byte(m.text))
	for _, k := range m.kids {
		k.write(b, false)
	}
	b.WriteString("</" + m.name + ">")
}

func (m *mnode) bytes() []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	m.write(&b, true)
	return []byte(strings.NewReplacer("@TAB@", "\t", "@LF@", "\n", "@CRLF@", "\r\n", "@REF9@", "&#9;").Replace(b.String()))
}

// all lists the elements of the tree with their parents (nil for the root).
func (m *mnode) all(parent *mnode, out *[][2]*mnode) {
	*out = append(*out, [2]*mnode{m, parent})
	for _, k := range m.kids {
		k.all(m, out)
	}
}

// mutate applies one random mutation to a copy of base and describes it.
func mutate(base *mnode, rng *rand.Rand) (*mnode, string) {
	d := base.clone()
	var nodes [][2]*mnode
	d.all(nil, &nodes)
	pick := nodes[rng.IntN(len(nodes))]
	n, parent := pick[0], pick[1]
	withAttr := func() (*xml.Attr, bool) {
		var as [][2]*mnode
		for _, p := range nodes {
			if len(p[0].attrs) > 0 {
				as = append(as, p)
			}
		}
		e := as[rng.IntN(len(as))][0]
		n = e
		return &e.attrs[rng.IntN(len(e.attrs))], true
	}
	leafText := func() *mnode {
		var ls []*mnode
		for _, p := range nodes {
			if len(p[0].kids) == 0 && p[0].text != "" {
				ls = append(ls, p[0])
			}
		}
		if len(ls) == 0 {
			return nil
		}
		return ls[rng.IntN(len(ls))]
	}
	switch k := rng.IntN(18); k {
	case 0:
		if parent == nil {
			return nil, ""
		}
		for i, c := range parent.kids {
			if c == n {
				parent.kids = append(parent.kids[:i], parent.kids[i+1:]...)
				break
			}
		}
		return d, "drop element " + n.name
	case 1:
		a, _ := withAttr()
		name := a.Name.Local
		for i := range n.attrs {
			if &n.attrs[i] == a {
				n.attrs = append(n.attrs[:i], n.attrs[i+1:]...)
				break
			}
		}
		return d, "drop attribute " + name
	case 2:
		a, _ := withAttr()
		a.Value = ""
		return d, "empty attribute " + a.Name.Local
	case 3:
		a, _ := withAttr()
		a.Value += strings.Repeat([]string{"1", "Я", "a"}[rng.IntN(3)], []int{1, 2, 40, 300, 1001, 5001}[rng.IntN(6)])
		return d, "lengthen attribute " + a.Name.Local
	case 4:
		a, _ := withAttr()
		r := []rune(a.Value)
		if len(r) == 0 {
			return nil, ""
		}
		r[rng.IntN(len(r))] = []rune{'X', '-', ' ', 'я', '0'}[rng.IntN(5)]
		a.Value = string(r)
		return d, "break attribute " + a.Name.Local
	case 5:
		a, _ := withAttr()
		a.Value = []string{"9", "0", "99", "3", "000", "1 ", "+1", "01", "1.0"}[rng.IntN(9)]
		return d, "enum attribute " + a.Name.Local + "=" + a.Value
	case 6:
		if len(n.kids) < 2 {
			return nil, ""
		}
		i := rng.IntN(len(n.kids) - 1)
		if n.kids[i].name == n.kids[i+1].name {
			return nil, ""
		}
		n.kids[i], n.kids[i+1] = n.kids[i+1], n.kids[i]
		return d, "swap children of " + n.name
	case 7:
		if parent == nil {
			return nil, ""
		}
		for i, c := range parent.kids {
			if c == n {
				parent.kids = append(parent.kids[:i+1], append([]*mnode{n.clone()}, parent.kids[i+1:]...)...)
				break
			}
		}
		return d, "duplicate element " + n.name
	case 8:
		l := leafText()
		if l == nil {
			return nil, ""
		}
		l.text = []string{"", " ", l.text + strings.Repeat("Ж", 1001), l.text + strings.Repeat("9", 5001), "X" + l.text}[rng.IntN(5)]
		return d, "change text of " + l.name
	case 9:
		n.attrs = append(n.attrs, xml.Attr{Name: xml.Name{Local: "Лишний"}, Value: "1"})
		return d, "unknown attribute on " + n.name
	case 10:
		var ds []*xml.Attr
		for _, p := range nodes {
			for i := range p[0].attrs {
				if strings.Contains(p[0].attrs[i].Name.Local, "Дата") || p[0].attrs[i].Name.Local == "СрокДейст" || p[0].attrs[i].Name.Local == "expDate" {
					ds = append(ds, &p[0].attrs[i])
				}
			}
		}
		if len(ds) == 0 {
			return nil, ""
		}
		a := ds[rng.IntN(len(ds))]
		a.Value = []string{"2026-02-30", "15.01.2026", "2026-01-15Z", "1899-12-31", " 2026-01-15 ", "2101-01-01", "2024-02-29", "2026-13-01", "0000-01-01", "2026-01-15+15:00", "20260115"}[rng.IntN(11)]
		return d, "date " + a.Name.Local + "=" + a.Value
	case 11:
		if len(n.kids) == 0 {
			return nil, ""
		}
		n.text = "текст"
		return d, "text in " + n.name
	case 12:
		n.kids = append(n.kids, &mnode{name: "Лишний"})
		return d, "unknown child of " + n.name
	case 13:
		a, _ := withAttr()
		a.Value = " " + a.Value
		return d, "leading space in " + a.Name.Local
	case 14:
		// Move an element to another position among its siblings.
		if parent == nil || len(parent.kids) < 3 {
			return nil, ""
		}
		i := rng.IntN(len(parent.kids))
		c := parent.kids[i]
		rest := append(append([]*mnode(nil), parent.kids[:i]...), parent.kids[i+1:]...)
		j := rng.IntN(len(rest) + 1)
		parent.kids = append(rest[:j:j], append([]*mnode{c}, rest[j:]...)...)
		return d, "move element " + c.name
	case 17:
		// Literal white space and character references in a value: the
		// former is normalised to a space by the XML parser, the latter not.
		a, _ := withAttr()
		r := []rune(a.Value)
		if len(r) == 0 {
			return nil, ""
		}
		i := rng.IntN(len(r))
		a.Value = string(r[:i]) + []string{"@TAB@", "@LF@", "@CRLF@", "@REF9@"}[rng.IntN(4)] + string(r[i+1:])
		return d, "white space in " + a.Name.Local
	case 16:
		// Insert a copy of another element of the document somewhere else:
		// a foreign element, a second branch of a choice, a misplaced one.
		other := nodes[rng.IntN(len(nodes))][0]
		if other == d {
			return nil, ""
		}
		j := rng.IntN(len(n.kids) + 1)
		n.kids = append(n.kids[:j:j], append([]*mnode{other.clone()}, n.kids[j:]...)...)
		return d, "insert " + other.name + " into " + n.name
	default:
		// Replace an element by an empty one of the same name.
		n.kids, n.attrs, n.text = nil, nil, ""
		return d, "empty element " + n.name
	}
}

// TestXSDMutations: on ≥ 200 mutated documents, Check's accept/reject
// answer (any XSD_* problem or none) equals xmllint's.
func TestXSDMutations(t *testing.T) {
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		missing(t, "xmllint not installed (Debian package libxml2-utils)")
	}
	if _, err := os.Stat(xsdPath); err != nil {
		missing(t, "XSD not found: %v", err)
	}
	var bases [][]byte
	for _, data := range samples(t) {
		bases = append(bases, data)
	}
	// Fixed GUIDs keep the corpus, hence the test, deterministic.
	fixed := func(d *Document, i int) *Document {
		if err := d.Identity(fmt.Sprintf("5f7737eb-d23c-498f-826f-1dcae0eaee%02d", i), testIssued); err != nil {
			t.Fatal(err)
		}
		return d
	}
	for i, kind := range []string{PrincipalRussianEntity, PrincipalForeignEntity, PrincipalEntrepreneur, PrincipalPerson} {
		out, err := Marshal(fixed(build(t, kind), i))
		if err != nil {
			t.Fatal(err)
		}
		bases = append(bases, out)
	}
	out, err := Marshal(fixed(testRetrust(t, fixed(build(t, PrincipalRussianEntity), 10)), 11))
	if err != nil {
		t.Fatal(err)
	}
	bases = append(bases, out, checkFullBytes(t, checkFullPOA()), checkFullBytes(t, checkFullRetrust()))
	sort.Slice(bases, func(i, j int) bool { return bytes.Compare(bases[i], bases[j]) < 0 })

	perBase := 45
	seed := uint64(928)
	if v := os.Getenv("MCHD_MUTATION_SEED"); v != "" { // for a wider search by hand
		seed, _ = strconv.ParseUint(v, 10, 64)
		perBase = 400
	}
	rng := rand.New(rand.NewPCG(7, seed))
	dir := t.TempDir()
	type doc struct {
		file, what string
		data       []byte
	}
	var docs []doc
	seen := map[string]bool{}
	for bi, b := range bases {
		root, err := parseTree(b)
		if err != nil {
			t.Fatal(err)
		}
		m := toM(root)
		// The unmutated base first.
		cands := []doc{{what: "unmutated", data: m.bytes()}}
		for tries := 0; len(cands) < perBase+1 && tries < 20*perBase; tries++ {
			md, what := mutate(m, rng)
			if md == nil {
				continue
			}
			cands = append(cands, doc{what: what, data: md.bytes()})
		}
		for i, c := range cands {
			if seen[string(c.data)] {
				continue
			}
			seen[string(c.data)] = true
			c.file = filepath.Join(dir, fmt.Sprintf("b%d_m%03d.xml", bi, i))
			if err := os.WriteFile(c.file, c.data, 0o600); err != nil {
				t.Fatal(err)
			}
			docs = append(docs, c)
		}
	}
	args := []string{"--noout", "--schema", xsdPath}
	for _, d := range docs {
		args = append(args, d.file)
	}
	outb, _ := exec.Command(bin, args...).CombinedOutput()
	verdict := map[string]bool{}
	for _, line := range strings.Split(string(outb), "\n") {
		if f, ok := strings.CutSuffix(line, " validates"); ok {
			verdict[f] = true
		} else if f, ok := strings.CutSuffix(line, " fails to validate"); ok {
			verdict[f] = false
		}
	}
	agree, rejected := 0, 0
	for _, d := range docs {
		want, ok := verdict[d.file]
		if !ok {
			t.Fatalf("xmllint gave no verdict on %s (%s)", d.file, d.what)
		}
		if !want {
			rejected++
		}
		issues, err := validateXSD(d.data)
		if err != nil {
			t.Fatalf("%s: %v", d.what, err)
		}
		for _, is := range issues {
			if !strings.HasPrefix(is.path, "/Доверенность") || is.ru == "" || is.en == "" || !strings.HasPrefix(is.code, "XSD_") {
				t.Errorf("%s: bad issue %+v", d.what, is)
			}
		}
		got := len(issues) == 0
		if got == want {
			agree++
			continue
		}
		var lint []string
		for _, l := range strings.Split(string(outb), "\n") {
			if strings.HasPrefix(l, d.file+":") {
				lint = append(lint, l)
			}
		}
		t.Errorf("%s (%s): xmllint valid=%v, Check valid=%v\nCheck: %v\nxmllint: %s",
			filepath.Base(d.file), d.what, want, got, issues, strings.Join(lint, "\n"))
	}
	t.Logf("%d documents (%d rejected by xmllint), agreement %d/%d = %.1f%%",
		len(docs), rejected, agree, len(docs), 100*float64(agree)/float64(len(docs)))
	if len(docs) < 200 {
		t.Errorf("only %d mutated documents, want ≥ 200", len(docs))
	}
}

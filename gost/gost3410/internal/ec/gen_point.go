//go:build ignore

// The point half of the generator: one file of point arithmetic per curve,
// from gen_point.tmpl (common code), gen_edwards.tmpl (twisted Edwards
// curves) and gen_weierstrass.tmpl (short Weierstrass curves), plus the
// dispatch switch curves_gen.go.

package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"text/template"
)

// curve is the template data for one curve.
type curve struct {
	P, ID, Desc string // Go prefix, dispatch constant, description
	Bench, Ctor string // test and benchmark name, constructor
	Field       *field
	Kind        string // "w3" (a = −3), "wa" (general a), "ed" (twisted Edwards, e = 1)
	Size        int
	Width       int // bits per fixed-base window
	Windows     int // fixed-base windows
	Entries     int // table entries per window, 2^(Width−1)
	Radix       int // 2^Width
	Cofactor4   bool

	a, b, q, gx, gy *big.Int
	d, u, v, s, t   *big.Int // Edwards form (FACTS §3.3)
}

func h(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		log.Fatalf("bad hex constant %q", s)
	}
	return v
}

func (c *curve) F() string { return c.Field.Name }
func (c *curve) N() int    { return c.Field.N }
func (c *curve) Ed() bool  { return c.Kind == "ed" }
func (c *curve) W3() bool  { return c.Kind == "w3" }
func (c *curve) WA() bool  { return c.Kind == "wa" }

func (c *curve) A() string { return c.Field.elemLit(c.a) }
func (c *curve) B() string { return c.Field.elemLit(c.b) }
func (c *curve) B3() string {
	return c.Field.elemLit(new(big.Int).Mul(c.b, big.NewInt(3)))
}
func (c *curve) D() string { return c.Field.elemLit(c.d) }
func (c *curve) S() string { return c.Field.elemLit(c.s) }
func (c *curve) T() string { return c.Field.elemLit(c.t) }

// GX, GY are the base point in the internal model (Edwards (u, v) or
// Weierstrass (x, y)); GT is u·v·d for the Edwards affine form.
func (c *curve) GX() string {
	if c.Ed() {
		return c.Field.elemLit(c.u)
	}
	return c.Field.elemLit(c.gx)
}
func (c *curve) GY() string {
	if c.Ed() {
		return c.Field.elemLit(c.v)
	}
	return c.Field.elemLit(c.gy)
}
func (c *curve) GDT() string {
	v := new(big.Int).Mul(c.u, c.v)
	v.Mul(v, c.d)
	return c.Field.elemLit(v)
}

func (c *curve) Order() string {
	b := c.q.FillBytes(make([]byte, c.Size))
	var parts []string
	for _, x := range b {
		parts = append(parts, fmt.Sprintf("0x%02x", x))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// curves lists the generated curves. The constants come from params.go
// (FACTS §3.2), parsed by defs, so they are written down only once.
var curves = []*curve{
	newCurve("test256", "defTest256", "256-test", "Test256", "id-GostR3410-2001-TestParamSet (y² = x³ + 7x + b)"),
	newCurve("cpa", "defCryptoProA", "256-cryptopro-a", "CryptoProA", "the CryptoPro-A curve (a = −3)"),
	newCurve("cpb", "defCryptoProB", "256-cryptopro-b", "CryptoProB", "the CryptoPro-B curve (a = −3)"),
	newCurve("cpc", "defCryptoProC", "256-cryptopro-c", "CryptoProC", "the CryptoPro-C curve (a = −3)"),
	newCurve("tc256a", "defTC26256A", "256-tc26-a", "TC26256A", "tc26-256-A in its twisted Edwards form u² + v² = 1 + d·u²·v²"),
	newCurve("test512", "defTest512", "512-test", "Test512", "id-tc26-gost-3410-12-512-paramSetTest (y² = x³ + 7x + b)"),
	newCurve("tc512a", "defTC26512A", "512-tc26-a", "TC26512A", "tc26-512-A (a = −3)"),
	newCurve("tc512b", "defTC26512B", "512-tc26-b", "TC26512B", "tc26-512-B (a = −3)"),
	newCurve("tc512c", "defTC26512C", "512-tc26-c", "TC26512C", "tc26-512-C in its twisted Edwards form u² + v² = 1 + d·u²·v²"),
}

// newCurve builds the template data of the curve defined by the params.go
// variable def; the field is the one whose p matches, the kind follows from
// the constants (Edwards data present, or a = p − 3, or general a).
func newCurve(prefix, def, bench, ctor, desc string) *curve {
	d := defs()[def]
	if d == nil {
		log.Fatalf("params.go has no %s", def)
	}
	c := &curve{P: prefix, ID: "id" + ctor, Bench: bench, Ctor: ctor, Desc: desc,
		a: h(d["a"]), b: h(d["b"]), q: h(d["q"]), gx: h(d["x"]), gy: h(d["y"])}
	p := h(d["p"])
	for _, f := range fields {
		if f.P.Cmp(p) == 0 {
			c.Field = f
		}
	}
	if c.Field == nil {
		log.Fatalf("%s: no field for p = %x", def, p)
	}
	switch {
	case d["edD"] != "":
		c.Kind, c.Cofactor4 = "ed", true
		c.d, c.u, c.v, c.s, c.t = h(d["edD"]), h(d["edU"]), h(d["edV"]), h(d["edS"]), h(d["edT"])
	case new(big.Int).Sub(p, c.a).Int64() == 3:
		c.Kind = "w3"
	default:
		c.Kind = "wa"
	}
	return c
}

// defs returns the string fields of every curveDef literal in params.go,
// keyed by variable name.
var defs = sync.OnceValue(func() map[string]map[string]string {
	file, err := parser.ParseFile(token.NewFileSet(), "params.go", nil, 0)
	if err != nil {
		log.Fatal(err)
	}
	out := map[string]map[string]string{}
	ast.Inspect(file, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Values) != 1 {
			return true
		}
		lit, ok := vs.Values[0].(*ast.CompositeLit)
		if !ok {
			return true
		}
		m := map[string]string{}
		for _, e := range lit.Elts {
			kv := e.(*ast.KeyValueExpr)
			if bl, ok := kv.Value.(*ast.BasicLit); ok && bl.Kind == token.STRING {
				m[kv.Key.(*ast.Ident).Name], _ = strconv.Unquote(bl.Value)
			}
		}
		out[vs.Names[0].Name] = m
		return true
	})
	return out
})

// fixedBaseWidth is the window width of the fixed-base tables. Width 6
// saves 4–7% of a signature on the Weierstrass curves, but its 4 KiB table
// rows made the 512-bit Montgomery curves up to 3× slower depending on where
// the caller's stack sits (a store-to-load aliasing stall, reproducible by
// calling Sign at different stack depths), so width 5 it is.
var fixedBaseWidth = 5

func generatePoints() {
	tmpl := template.Must(template.New("gen_point.tmpl").Funcs(template.FuncMap{
		"mul": func(a, b int) int { return a * b },
	}).ParseFiles("gen_point.tmpl", "gen_edwards.tmpl", "gen_weierstrass.tmpl"))
	for _, c := range curves {
		c.Size = c.Field.N * 8
		c.Width = fixedBaseWidth
		c.Windows = (8*c.Size + c.Width - 1) / c.Width
		c.Entries = 1 << (c.Width - 1)
		c.Radix = 1 << c.Width
		var b bytes.Buffer
		if err := tmpl.Execute(&b, c); err != nil {
			panic(err)
		}
		writeGo("point_"+c.P+".go", b.Bytes())
	}
	var b bytes.Buffer
	if err := template.Must(template.New("dispatch").Parse(dispatchTemplate)).Execute(&b, curves); err != nil {
		panic(err)
	}
	writeGo("curves_gen.go", b.Bytes())
	b.Reset()
	if err := template.Must(template.New("tests").Parse(testTemplate)).Execute(&b, curves); err != nil {
		panic(err)
	}
	writeGo("curves_gen_test.go", b.Bytes())
}

const testTemplate = `// Code generated by gen.go; DO NOT EDIT.

package ec

import "testing"

// pointCases runs the generic point tests of point_test.go on every curve.
var pointCases = []struct {
	name  string
	curve func() *Curve
	test  func(t *testing.T, c *Curve)
}{
{{- range .}}
	{"{{.Bench}}", {{.Ctor}}, func(t *testing.T, c *Curve) {
		tab := {{.P}}Table()
		var flat []{{.P}}Affine
		for i := range tab {
			flat = append(flat, tab[i][:]...)
		}
		testPoints[{{.P}}Point](t, c, pointImpl[{{.P}}Point, {{.P}}Affine]{
			{{.P}}BaseMult, {{.P}}VarMult, flat, {{.P}}Windows, len(tab[0])})
	}},
{{- end}}
}
`

const dispatchTemplate = `// Code generated by gen.go; DO NOT EDIT.

package ec

// Curve identifiers, one per generated point file.
const (
{{- range $i, $c := .}}
	{{$c.ID}}{{if eq $i 0}} = iota{{end}}
{{- end}}
)

// baseMult writes the affine coordinates of k·P (y may be nil). Constant time.
func (c *Curve) baseMult(x, y, k []byte) {
	switch c.id {
{{- range .}}
	case {{.ID}}:
		{{.P}}BaseMultBytes(x, y, k)
{{- end}}
	default:
		panic("ec: internal error: unknown curve")
	}
}

// verifyMult reports whether x(u1·P + u2·Q) mod q == r. Variable time.
func (c *Curve) verifyMult(qx, qy, u1, u2, r []byte) bool {
	switch c.id {
{{- range .}}
	case {{.ID}}:
		return {{.P}}Verify(qx, qy, u1, u2, r)
{{- end}}
	}
	panic("ec: internal error: unknown curve")
}

// checkPoint validates a public key. Variable time.
func (c *Curve) checkPoint(x, y []byte) error {
	switch c.id {
{{- range .}}
	case {{.ID}}:
		return {{.P}}CheckPoint(x, y)
{{- end}}
	}
	panic("ec: internal error: unknown curve")
}
`

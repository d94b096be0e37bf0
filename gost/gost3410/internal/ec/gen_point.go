//go:build ignore

// The point half of the generator: one file of point arithmetic per curve,
// from the template below, plus the dispatch switch curves_gen.go.

package main

import (
	"bytes"
	"fmt"
	"math/big"
	"strings"
	"text/template"
)

// curve is the template data for one curve.
type curve struct {
	P, ID, Desc string // Go prefix, dispatch constant, description
	Field       *field
	Kind        string // "w3" (a = −3), "wa" (general a), "ed" (twisted Edwards, e = 1)
	Size        int
	Windows     int // fixed-base windows of width 5
	Cofactor4   bool

	a, b, q, gx, gy *big.Int
	d, u, v, s, t   *big.Int // Edwards form (FACTS §3.3)
}

func h(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic(s)
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

var curves = []*curve{
	{P: "test256", ID: "idTest256", Desc: "id-GostR3410-2001-TestParamSet (y² = x³ + 7x + b)", Field: fieldByName("gf255p1073"), Kind: "wa",
		a: big.NewInt(7), b: h("5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E"),
		q:  h("8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3"),
		gx: big.NewInt(2), gy: h("08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8")},
	{P: "cpa", ID: "idCryptoProA", Desc: "the CryptoPro-A curve (a = −3)", Field: fieldByName("gf256m617"), Kind: "w3",
		a: big.NewInt(-3), b: h("A6"),
		q:  h("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893"),
		gx: big.NewInt(1), gy: h("8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14")},
	{P: "cpb", ID: "idCryptoProB", Desc: "the CryptoPro-B curve (a = −3)", Field: fieldByName("gf255p3225"), Kind: "w3",
		a: big.NewInt(-3), b: h("3E1AF419A269A5F866A7D3C25C3DF80AE979259373FF2B182F49D4CE7E1BBC8B"),
		q:  h("800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F"),
		gx: big.NewInt(1), gy: h("3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC")},
	{P: "cpc", ID: "idCryptoProC", Desc: "the CryptoPro-C curve (a = −3)", Field: fieldByName("gf256cpc"), Kind: "w3",
		a: big.NewInt(-3), b: h("805A"),
		q:  h("9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9"),
		gx: big.NewInt(0), gy: h("41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67")},
	{P: "tc256a", ID: "idTC26256A", Desc: "tc26-256-A in its twisted Edwards form u² + v² = 1 + d·u²·v²", Field: fieldByName("gf256m617"), Kind: "ed", Cofactor4: true,
		a: h("C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335"), b: h("295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513"),
		q:  h("400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67"),
		gx: h("91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28"), gy: h("32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C"),
		d: h("0605F6B7C183FA81578BC39CFAD518132B9DF62897009AF7E522C32D6DC7BFFB"), u: h("D"),
		v: h("60CA1E32AA475B348488C38FAB07649CE7EF8DBE87F22E81F92B2592DBA300E7"),
		s: h("7E7E82520F9F015FAA1D0F18C14AB9FB35188275DA3FD94206B74F34A48E0ECD"),
		t: h("0100FE73F595FF158E974B44D478D9588744FE5C192AC47EA63075DCE7A14AAA")},
	{P: "test512", ID: "idTest512", Desc: "id-tc26-gost-3410-12-512-paramSetTest (y² = x³ + 7x + b)", Field: fieldByName("gf512test"), Kind: "wa",
		a: big.NewInt(7), b: h("1CFF0806A31116DA29D8CFA54E57EB748BC5F377E49400FDD788B649ECA1AC4361834013B2AD7322480A89CA58E0CF74BC9E540C2ADD6897FAD0A3084F302ADC"),
		q:  h("4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DA82F2D7ECB1DBAC719905C5EECC423F1D86E25EDBE23C595D644AAF187E6E6DF"),
		gx: h("24D19CC64572EE30F396BF6EBBFD7A6C5213B3B3D7057CC825F91093A68CD762FD60611262CD838DC6B60AA7EEE804E28BC849977FAC33B4B530F1B120248A9A"),
		gy: h("2BB312A43BD2CE6E0D020613C857ACDDCFBF061E91E5F2C3F32447C259F39B2C83AB156D77F1496BF7EB3351E1EE4E43DC1A18B91B24640B6DBB92CB1ADD371E")},
	{P: "tc512a", ID: "idTC26512A", Desc: "tc26-512-A (a = −3)", Field: fieldByName("gf512m569"), Kind: "w3",
		a: big.NewInt(-3), b: h("E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760"),
		q:  h("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275"),
		gx: big.NewInt(3), gy: h("7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4")},
	{P: "tc512b", ID: "idTC26512B", Desc: "tc26-512-B (a = −3)", Field: fieldByName("gf511p111"), Kind: "w3",
		a: big.NewInt(-3), b: h("687D1B459DC841457E3E06CF6F5E2517B97C7D614AF138BCBF85DC806C4B289F3E965D2DB1416D217F8B276FAD1AB69C50F78BEE1FA3106EFB8CCBC7C5140116"),
		q:  h("800000000000000000000000000000000000000000000000000000000000000149A1EC142565A545ACFDB77BD9D40CFA8B996712101BEA0EC6346C54374F25BD"),
		gx: big.NewInt(2), gy: h("1A8F7EDA389B094C2C071E3647A8940F3C123B697578C213BE6DD9E6C8EC7335DCB228FD1EDF4A39152CBCAAF8C0398828041055F94CEEEC7E21340780FE41BD")},
	{P: "tc512c", ID: "idTC26512C", Desc: "tc26-512-C in its twisted Edwards form u² + v² = 1 + d·u²·v²", Field: fieldByName("gf512m569"), Kind: "ed", Cofactor4: true,
		a:  h("DC9203E514A721875485A529D2C722FB187BC8980EB866644DE41C68E143064546E861C0E2C9EDD92ADE71F46FCF50FF2AD97F951FDA9F2A2EB6546F39689BD3"),
		b:  h("B4C4EE28CEBC6C2C8AC12952CF37F16AC7EFB6A9F69F4B57FFDA2E4F0DE5ADE038CBC2FFF719D2C18DE0284B8BFEF3B52B8CC7A5F5BF0A3C8D2319A5312557E1"),
		q:  h("3FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC98CDBA46506AB004C33A9FF5147502CC8EDA9E7A769A12694623CEF47F023ED"),
		gx: h("E2E31EDFC23DE7BDEBE241CE593EF5DE2295B7A9CBAEF021D385F7074CEA043AA27272A7AE602BF2A7B9033DB9ED3610C6FB85487EAE97AAC5BC7928C1950148"),
		gy: h("F5CE40D95B5EB899ABBCCFF5911CB8577939804D6527378B8C108C3D2090FF9BE18E2D33E3021ED2EF32D85822423B6304F726AA854BAE07D0396E9A9ADDC40F"),
		d:  h("9E4F5D8C017D8D9F13A5CF3CDF5BFE4DAB402D54198E31EBDE28A0621050439CA6B39E0A515C06B304E2CE43E79E369E91A0CFC2BC2A22B4CA302DBB33EE7550"), u: h("12"),
		v: h("469AF79D1FB1F5E16B99592B77A01E2A0FDFB0D01794368D9A56117F7B38669522DD4B650CF789EEBF068C5D139732F0905622C04B2BAAE7600303EE73001A3D"),
		s: h("186C289CFFA09C983B168C30C829006C952FF4AAF99C73850875D7E77BEBEF18D653187D6BA8FE533EC74C6F061872585B97CC0F50F57752CD73F4913304621E"),
		t: h("9A628F975594ECEFD89BA28A2539FFB79C8AB238AEED0851FA5C1ABB02B80B44C6734501B83A011DD625CD0B5145091A6D9ACD4B1F5C5B1E21B2B249DDFD1271")},
}

func generatePoints() {
	tmpl := template.Must(template.New("point").Funcs(template.FuncMap{
		"mul": func(a, b int) int { return a * b },
	}).Parse(pointTemplate))
	for _, c := range curves {
		c.Size = c.Field.N * 8
		c.Windows = (8*c.Size + 4) / 5
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
}

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

const pointTemplate = `// Code generated by gen.go; DO NOT EDIT.

package ec

import (
	"crypto/subtle"
	"sync"
)

{{$F := .F}}{{$P := .P}}
{{- if .Ed}}
// {{.P}}Point is a point of {{.Desc}},
// in extended coordinates (X:Y:Z:T) with u = X/Z, v = Y/Z, T = X·Y/Z
// (Hisil–Wong–Carter–Dawson 2008). The identity is (0:1:1:0). Because e = 1
// is a square and d is not, the addition law below is complete (Bernstein–Lange
// 2007, Theorem 3.3; Hisil et al. §3.1), so it has no exceptional inputs.
type {{.P}}Point struct{ x, y, z, t {{.F}} }

// {{.P}}Affine is an affine point (u, v) with d·u·v precomputed, used in tables.
type {{.P}}Affine struct{ x, y, dt {{.F}} }

// {{.P}}Cached is a projective point with d·T precomputed, used for the
// variable-base multiples in Verify.
type {{.P}}Cached struct{ x, y, z, dt {{.F}} }

var (
	{{.P}}D = {{.D}}
	{{.P}}S = {{.S}}
	{{.P}}T = {{.T}}
)
{{- else}}
// {{.P}}Point is a point of {{.Desc}} in homogeneous
// projective coordinates (X:Y:Z), x = X/Z, y = Y/Z; the identity is (0:1:0).
// The formulas are the complete ones of Renes–Costello–Batina 2015
// (https://eprint.iacr.org/2015/1060){{if .W3}}, Algorithms 4, 5 and 6 (a = −3){{else}}, Algorithms 1, 2 and 3 (general a){{end}}.
type {{.P}}Point struct{ x, y, z {{.F}} }

// {{.P}}Affine is an affine point (x, y), used in tables; it cannot be the identity.
type {{.P}}Affine struct{ x, y {{.F}} }

{{- if .WA}}

var {{.P}}B3 = {{.B3}}
{{- end}}
{{- end}}

// Weierstrass coefficients y² = x³ + a·x + b (FACTS §3.2), for the curve check.
var (
	{{.P}}A = {{.A}}
	{{.P}}B = {{.B}}
)

// {{.P}}Order is q, big-endian.
var {{.P}}Order = [{{.Size}}]byte{{.Order}}

// {{.P}}Gen is the base point in the internal model.
var {{.P}}Gen = {{.P}}Affine{x: {{.GX}}, y: {{.GY}}{{if .Ed}}, dt: {{.GDT}}{{end}}}

func (p *{{.P}}Point) setIdentity() *{{.P}}Point {
	p.x.Zero()
	p.y.One()
{{- if .Ed}}
	p.z.One()
	p.t.Zero()
{{- else}}
	p.z.Zero()
{{- end}}
	return p
}

func (p *{{.P}}Point) set(q *{{.P}}Point) *{{.P}}Point {
	*p = *q
	return p
}

func (p *{{.P}}Point) fromAffine(a *{{.P}}Affine) *{{.P}}Point {
	p.x.Set(&a.x)
	p.y.Set(&a.y)
	p.z.One()
{{- if .Ed}}
	p.t.Mul(&a.x, &a.y)
{{- end}}
	return p
}

// selectFrom sets p to a if cond == 1 and to b if cond == 0, in constant time.
func (p *{{.P}}Point) selectFrom(a, b *{{.P}}Point, cond int) *{{.P}}Point {
	p.x.Select(&a.x, &b.x, cond)
	p.y.Select(&a.y, &b.y, cond)
	p.z.Select(&a.z, &b.z, cond)
{{- if .Ed}}
	p.t.Select(&a.t, &b.t, cond)
{{- end}}
	return p
}

// isIdentity returns 1 if p is the identity, in constant time.
func (p *{{.P}}Point) isIdentity() int {
{{- if .Ed}}
	return p.x.IsZero() & p.y.Equal(&p.z)
{{- else}}
	return p.z.IsZero()
{{- end}}
}

func (p *{{.P}}Point) neg(q *{{.P}}Point) *{{.P}}Point {
{{- if .Ed}}
	p.x.Neg(&q.x)
	p.y.Set(&q.y)
	p.z.Set(&q.z)
	p.t.Neg(&q.t)
{{- else}}
	p.x.Set(&q.x)
	p.y.Neg(&q.y)
	p.z.Set(&q.z)
{{- end}}
	return p
}

// selectFrom sets a to b if cond == 1 and to c if cond == 0, in constant time.
func (a *{{.P}}Affine) selectFrom(b, c *{{.P}}Affine, cond int) {
	a.x.Select(&b.x, &c.x, cond)
	a.y.Select(&b.y, &c.y, cond)
{{- if .Ed}}
	a.dt.Select(&b.dt, &c.dt, cond)
{{- end}}
}

// condNeg negates a if cond == 1, in constant time.
func (a *{{.P}}Affine) condNeg(cond int) {
	var n {{.F}}
{{- if .Ed}}
	n.Neg(&a.x)
	a.x.Select(&n, &a.x, cond)
	n.Neg(&a.dt)
	a.dt.Select(&n, &a.dt, cond)
{{- else}}
	n.Neg(&a.y)
	a.y.Select(&n, &a.y, cond)
{{- end}}
}

{{if .Ed -}}
// add sets p = p1 + p2 (add-2008-hwcd with e = 1; 10M).
func (p *{{.P}}Point) add(p1, p2 *{{.P}}Point) *{{.P}}Point {
	var c {{.P}}Cached
	c.fromPoint(p2)
	return p.addCached(p1, &c)
}

func (c *{{.P}}Cached) fromPoint(p *{{.P}}Point) {
	c.x.Set(&p.x)
	c.y.Set(&p.y)
	c.z.Set(&p.z)
	c.dt.Mul(&p.t, &{{.P}}D)
}

func (c *{{.P}}Cached) neg(q *{{.P}}Cached) {
	c.x.Neg(&q.x)
	c.y.Set(&q.y)
	c.z.Set(&q.z)
	c.dt.Neg(&q.dt)
}

// addCached sets p = p1 + p2 (add-2008-hwcd, e = 1, d·T2 precomputed; 9M):
// A = X1X2, B = Y1Y2, C = T1·dT2, D = Z1Z2, E = (X1+Y1)(X2+Y2) − A − B,
// F = D − C, G = D + C, H = B − A, X3 = EF, Y3 = GH, T3 = EH, Z3 = FG.
func (p *{{.P}}Point) addCached(p1 *{{.P}}Point, p2 *{{.P}}Cached) *{{.P}}Point {
	var a, b, c, d, e, f, g, h {{.F}}
	a.Mul(&p1.x, &p2.x)
	b.Mul(&p1.y, &p2.y)
	c.Mul(&p1.t, &p2.dt)
	d.Mul(&p1.z, &p2.z)
	e.Add(&p1.x, &p1.y)
	f.Add(&p2.x, &p2.y)
	e.Mul(&e, &f)
	e.Sub(&e, &a)
	e.Sub(&e, &b)
	f.Sub(&d, &c)
	g.Add(&d, &c)
	h.Sub(&b, &a)
	p.x.Mul(&e, &f)
	p.y.Mul(&g, &h)
	p.t.Mul(&e, &h)
	p.z.Mul(&f, &g)
	return p
}

// addAffine sets p = p1 + p2 for an affine p2 (same formulas with Z2 = 1; 8M).
// p2 may be the identity (0, 1, 0).
func (p *{{.P}}Point) addAffine(p1 *{{.P}}Point, p2 *{{.P}}Affine) *{{.P}}Point {
	var a, b, c, e, f, g, h {{.F}}
	a.Mul(&p1.x, &p2.x)
	b.Mul(&p1.y, &p2.y)
	c.Mul(&p1.t, &p2.dt)
	e.Add(&p1.x, &p1.y)
	f.Add(&p2.x, &p2.y)
	e.Mul(&e, &f)
	e.Sub(&e, &a)
	e.Sub(&e, &b)
	f.Sub(&p1.z, &c)
	g.Add(&p1.z, &c)
	h.Sub(&b, &a)
	p.x.Mul(&e, &f)
	p.y.Mul(&g, &h)
	p.t.Mul(&e, &h)
	p.z.Mul(&f, &g)
	return p
}

// double sets p = 2·p1 (dbl-2008-hwcd with e = 1; 4M + 4S):
// A = X1², B = Y1², C = 2Z1², E = (X1+Y1)² − A − B, G = A + B, F = G − C,
// H = A − B, X3 = EF, Y3 = GH, T3 = EH, Z3 = FG.
func (p *{{.P}}Point) double(p1 *{{.P}}Point) *{{.P}}Point {
	var e, h {{.F}}
	p.doubleNoT(p1, &e, &h)
	p.t.Mul(&e, &h)
	return p
}

// doubleNoT is double without T3 (3M + 4S), for a result that is only
// doubled again; it leaves E and H in e, h.
func (p *{{.P}}Point) doubleNoT(p1 *{{.P}}Point, e, h *{{.F}}) {
	var a, b, c, f, g {{.F}}
	a.Square(&p1.x)
	b.Square(&p1.y)
	c.Square(&p1.z)
	c.Add(&c, &c)
	e.Add(&p1.x, &p1.y)
	e.Square(e)
	e.Sub(e, &a)
	e.Sub(e, &b)
	g.Add(&a, &b)
	f.Sub(&g, &c)
	h.Sub(&a, &b)
	p.x.Mul(e, &f)
	p.y.Mul(&g, h)
	p.z.Mul(&f, &g)
}

// toAffine sets a to the affine form of p given zinv = 1/Z.
func (a *{{.P}}Affine) fromProjective(p *{{.P}}Point, zinv *{{.F}}) {
	a.x.Mul(&p.x, zinv)
	a.y.Mul(&p.y, zinv)
	a.dt.Mul(&a.x, &a.y)
	a.dt.Mul(&a.dt, &{{.P}}D)
}

// setW sets p from Weierstrass affine coordinates, mapping them to the
// Edwards model (FACTS §3.3): u = (x − t)/y, v = (x − t − s)/(x − t + s), as
// X = (x−t)(x−t+s), Y = (x−t−s)·y, Z = y·(x−t+s), T = (x−t)(x−t−s). It
// returns false if the encoding is out of range, the point is not on the
// curve, or it has no Edwards image (y = 0: the point of order 2). Variable time.
func (p *{{.P}}Point) setW(x, y []byte) bool {
	var X, Y, a, b, c {{.F}}
	if _, err := X.SetBytes(x); err != nil {
		return false
	}
	if _, err := Y.SetBytes(y); err != nil {
		return false
	}
	if {{.P}}OnCurveW(&X, &Y) != 1 {
		return false
	}
	a.Sub(&X, &{{.P}}T)
	b.Sub(&a, &{{.P}}S)
	c.Add(&a, &{{.P}}S)
	p.x.Mul(&a, &c)
	p.y.Mul(&b, &Y)
	p.z.Mul(&Y, &c)
	p.t.Mul(&a, &b)
	return p.z.IsZero() == 0
}

// bytesW writes the Weierstrass affine coordinates of p (FACTS §3.3:
// x = s(Z+Y)/(Z−Y) + t, y = s(Z+Y)·Z/((Z−Y)·X)); y may be nil. Constant
// time. The result is meaningless for the identity and the points with
// X = 0 (orders 1 and 2); it returns p.isIdentity().
func (p *{{.P}}Point) bytesW(x, y []byte) int {
	var zpy, zmy, inv, u, r {{.F}}
	zpy.Add(&p.z, &p.y)
	zmy.Sub(&p.z, &p.y)
	inv.Mul(&zmy, &p.x)
	inv.Invert(&inv)
	u.Mul(&zpy, &{{.P}}S)
	u.Mul(&u, &inv)
	r.Mul(&u, &p.x)
	r.Add(&r, &{{.P}}T)
	r.putBytes(x)
	if y != nil {
		r.Mul(&u, &p.z)
		r.putBytes(y)
	}
	return p.isIdentity()
}

// xMatches reports whether the Weierstrass x of p equals c:
// (c − t)(Z − Y) = s(Z + Y), with Z ≠ Y (else p is the identity).
func (p *{{.P}}Point) xMatches(c *{{.F}}) bool {
	var zpy, zmy, l, r {{.F}}
	zpy.Add(&p.z, &p.y)
	zmy.Sub(&p.z, &p.y)
	if zmy.IsZero() == 1 {
		return false
	}
	r.Mul(&zpy, &{{.P}}S)
	l.Sub(c, &{{.P}}T)
	l.Mul(&l, &zmy)
	return l.Equal(&r) == 1
}
{{- else}}
{{- if .W3}}
// add sets p = p1 + p2 (RCB 2015 Algorithm 4).
func (p *{{.P}}Point) add(p1, p2 *{{.P}}Point) *{{.P}}Point {
	var t0, t1, t2, t3, t4, x3, y3, z3 {{.F}}
	t0.Mul(&p1.x, &p2.x)
	t1.Mul(&p1.y, &p2.y)
	t2.Mul(&p1.z, &p2.z)
	t3.Add(&p1.x, &p1.y)
	t4.Add(&p2.x, &p2.y)
	t3.Mul(&t3, &t4)
	t4.Add(&t0, &t1)
	t3.Sub(&t3, &t4)
	t4.Add(&p1.y, &p1.z)
	x3.Add(&p2.y, &p2.z)
	t4.Mul(&t4, &x3)
	x3.Add(&t1, &t2)
	t4.Sub(&t4, &x3)
	x3.Add(&p1.x, &p1.z)
	y3.Add(&p2.x, &p2.z)
	x3.Mul(&x3, &y3)
	y3.Add(&t0, &t2)
	y3.Sub(&x3, &y3)
	z3.Mul(&{{.P}}B, &t2)
	x3.Sub(&y3, &z3)
	z3.Add(&x3, &x3)
	x3.Add(&x3, &z3)
	z3.Sub(&t1, &x3)
	x3.Add(&t1, &x3)
	y3.Mul(&{{.P}}B, &y3)
	t1.Add(&t2, &t2)
	t2.Add(&t1, &t2)
	y3.Sub(&y3, &t2)
	y3.Sub(&y3, &t0)
	t1.Add(&y3, &y3)
	y3.Add(&t1, &y3)
	t1.Add(&t0, &t0)
	t0.Add(&t1, &t0)
	t0.Sub(&t0, &t2)
	t1.Mul(&t4, &y3)
	t2.Mul(&t0, &y3)
	y3.Mul(&x3, &z3)
	y3.Add(&y3, &t2)
	x3.Mul(&t3, &x3)
	x3.Sub(&x3, &t1)
	z3.Mul(&t4, &z3)
	t1.Mul(&t3, &t0)
	z3.Add(&z3, &t1)
	p.x, p.y, p.z = x3, y3, z3
	return p
}

// addAffine sets p = p1 + p2 for an affine p2 (RCB 2015 Algorithm 5).
// p1 may be the identity; p2 cannot be.
func (p *{{.P}}Point) addAffine(p1 *{{.P}}Point, p2 *{{.P}}Affine) *{{.P}}Point {
	var t0, t1, t2, t3, t4, x3, y3, z3 {{.F}}
	t0.Mul(&p1.x, &p2.x)
	t1.Mul(&p1.y, &p2.y)
	t3.Add(&p2.x, &p2.y)
	t4.Add(&p1.x, &p1.y)
	t3.Mul(&t3, &t4)
	t4.Add(&t0, &t1)
	t3.Sub(&t3, &t4)
	t4.Mul(&p2.y, &p1.z)
	t4.Add(&t4, &p1.y)
	y3.Mul(&p2.x, &p1.z)
	y3.Add(&y3, &p1.x)
	z3.Mul(&{{.P}}B, &p1.z)
	x3.Sub(&y3, &z3)
	z3.Add(&x3, &x3)
	x3.Add(&x3, &z3)
	z3.Sub(&t1, &x3)
	x3.Add(&t1, &x3)
	y3.Mul(&{{.P}}B, &y3)
	t1.Add(&p1.z, &p1.z)
	t2.Add(&t1, &p1.z)
	y3.Sub(&y3, &t2)
	y3.Sub(&y3, &t0)
	t1.Add(&y3, &y3)
	y3.Add(&t1, &y3)
	t1.Add(&t0, &t0)
	t0.Add(&t1, &t0)
	t0.Sub(&t0, &t2)
	t1.Mul(&t4, &y3)
	t2.Mul(&t0, &y3)
	y3.Mul(&x3, &z3)
	y3.Add(&y3, &t2)
	x3.Mul(&t3, &x3)
	x3.Sub(&x3, &t1)
	z3.Mul(&t4, &z3)
	t1.Mul(&t3, &t0)
	z3.Add(&z3, &t1)
	p.x, p.y, p.z = x3, y3, z3
	return p
}

// double sets p = 2·p1 (RCB 2015 Algorithm 6).
func (p *{{.P}}Point) double(p1 *{{.P}}Point) *{{.P}}Point {
	var t0, t1, t2, t3, x3, y3, z3 {{.F}}
	t0.Square(&p1.x)
	t1.Square(&p1.y)
	t2.Square(&p1.z)
	t3.Mul(&p1.x, &p1.y)
	t3.Add(&t3, &t3)
	z3.Mul(&p1.x, &p1.z)
	z3.Add(&z3, &z3)
	y3.Mul(&{{.P}}B, &t2)
	y3.Sub(&y3, &z3)
	x3.Add(&y3, &y3)
	y3.Add(&x3, &y3)
	x3.Sub(&t1, &y3)
	y3.Add(&t1, &y3)
	y3.Mul(&x3, &y3)
	x3.Mul(&x3, &t3)
	t3.Add(&t2, &t2)
	t2.Add(&t2, &t3)
	z3.Mul(&{{.P}}B, &z3)
	z3.Sub(&z3, &t2)
	z3.Sub(&z3, &t0)
	t3.Add(&z3, &z3)
	z3.Add(&z3, &t3)
	t3.Add(&t0, &t0)
	t0.Add(&t3, &t0)
	t0.Sub(&t0, &t2)
	t0.Mul(&t0, &z3)
	y3.Add(&y3, &t0)
	t0.Mul(&p1.y, &p1.z)
	t0.Add(&t0, &t0)
	z3.Mul(&t0, &z3)
	x3.Sub(&x3, &z3)
	z3.Mul(&t0, &t1)
	z3.Add(&z3, &z3)
	z3.Add(&z3, &z3)
	p.x, p.y, p.z = x3, y3, z3
	return p
}
{{- else}}
// add sets p = p1 + p2 (RCB 2015 Algorithm 1).
func (p *{{.P}}Point) add(p1, p2 *{{.P}}Point) *{{.P}}Point {
	var t0, t1, t2, t3, t4, t5, x3, y3, z3 {{.F}}
	t0.Mul(&p1.x, &p2.x)
	t1.Mul(&p1.y, &p2.y)
	t2.Mul(&p1.z, &p2.z)
	t3.Add(&p1.x, &p1.y)
	t4.Add(&p2.x, &p2.y)
	t3.Mul(&t3, &t4)
	t4.Add(&t0, &t1)
	t3.Sub(&t3, &t4)
	t4.Add(&p1.x, &p1.z)
	t5.Add(&p2.x, &p2.z)
	t4.Mul(&t4, &t5)
	t5.Add(&t0, &t2)
	t4.Sub(&t4, &t5)
	t5.Add(&p1.y, &p1.z)
	x3.Add(&p2.y, &p2.z)
	t5.Mul(&t5, &x3)
	x3.Add(&t1, &t2)
	t5.Sub(&t5, &x3)
	z3.Mul(&{{.P}}A, &t4)
	x3.Mul(&{{.P}}B3, &t2)
	z3.Add(&x3, &z3)
	x3.Sub(&t1, &z3)
	z3.Add(&t1, &z3)
	y3.Mul(&x3, &z3)
	t1.Add(&t0, &t0)
	t1.Add(&t1, &t0)
	t2.Mul(&{{.P}}A, &t2)
	t4.Mul(&{{.P}}B3, &t4)
	t1.Add(&t1, &t2)
	t2.Sub(&t0, &t2)
	t2.Mul(&{{.P}}A, &t2)
	t4.Add(&t4, &t2)
	t0.Mul(&t1, &t4)
	y3.Add(&y3, &t0)
	t0.Mul(&t5, &t4)
	x3.Mul(&t3, &x3)
	x3.Sub(&x3, &t0)
	t0.Mul(&t3, &t1)
	z3.Mul(&t5, &z3)
	z3.Add(&z3, &t0)
	p.x, p.y, p.z = x3, y3, z3
	return p
}

// addAffine sets p = p1 + p2 for an affine p2 (RCB 2015 Algorithm 2).
// p1 may be the identity; p2 cannot be.
func (p *{{.P}}Point) addAffine(p1 *{{.P}}Point, p2 *{{.P}}Affine) *{{.P}}Point {
	var t0, t1, t2, t3, t4, t5, x3, y3, z3 {{.F}}
	t0.Mul(&p1.x, &p2.x)
	t1.Mul(&p1.y, &p2.y)
	t3.Add(&p2.x, &p2.y)
	t4.Add(&p1.x, &p1.y)
	t3.Mul(&t3, &t4)
	t4.Add(&t0, &t1)
	t3.Sub(&t3, &t4)
	t4.Mul(&p2.x, &p1.z)
	t4.Add(&t4, &p1.x)
	t5.Mul(&p2.y, &p1.z)
	t5.Add(&t5, &p1.y)
	z3.Mul(&{{.P}}A, &t4)
	x3.Mul(&{{.P}}B3, &p1.z)
	z3.Add(&x3, &z3)
	x3.Sub(&t1, &z3)
	z3.Add(&t1, &z3)
	y3.Mul(&x3, &z3)
	t1.Add(&t0, &t0)
	t1.Add(&t1, &t0)
	t2.Mul(&{{.P}}A, &p1.z)
	t4.Mul(&{{.P}}B3, &t4)
	t1.Add(&t1, &t2)
	t2.Sub(&t0, &t2)
	t2.Mul(&{{.P}}A, &t2)
	t4.Add(&t4, &t2)
	t0.Mul(&t1, &t4)
	y3.Add(&y3, &t0)
	t0.Mul(&t5, &t4)
	x3.Mul(&t3, &x3)
	x3.Sub(&x3, &t0)
	t0.Mul(&t3, &t1)
	z3.Mul(&t5, &z3)
	z3.Add(&z3, &t0)
	p.x, p.y, p.z = x3, y3, z3
	return p
}

// double sets p = 2·p1 (RCB 2015 Algorithm 3).
func (p *{{.P}}Point) double(p1 *{{.P}}Point) *{{.P}}Point {
	var t0, t1, t2, t3, x3, y3, z3 {{.F}}
	t0.Square(&p1.x)
	t1.Square(&p1.y)
	t2.Square(&p1.z)
	t3.Mul(&p1.x, &p1.y)
	t3.Add(&t3, &t3)
	z3.Mul(&p1.x, &p1.z)
	z3.Add(&z3, &z3)
	x3.Mul(&{{.P}}A, &z3)
	y3.Mul(&{{.P}}B3, &t2)
	y3.Add(&x3, &y3)
	x3.Sub(&t1, &y3)
	y3.Add(&t1, &y3)
	y3.Mul(&x3, &y3)
	x3.Mul(&t3, &x3)
	z3.Mul(&{{.P}}B3, &z3)
	t2.Mul(&{{.P}}A, &t2)
	t3.Sub(&t0, &t2)
	t3.Mul(&{{.P}}A, &t3)
	t3.Add(&t3, &z3)
	z3.Add(&t0, &t0)
	t0.Add(&z3, &t0)
	t0.Add(&t0, &t2)
	t0.Mul(&t0, &t3)
	y3.Add(&y3, &t0)
	t2.Mul(&p1.y, &p1.z)
	t2.Add(&t2, &t2)
	t0.Mul(&t2, &t3)
	x3.Sub(&x3, &t0)
	z3.Mul(&t2, &t1)
	z3.Add(&z3, &z3)
	z3.Add(&z3, &z3)
	p.x, p.y, p.z = x3, y3, z3
	return p
}
{{- end}}

// fromProjective sets a to the affine form of p given zinv = 1/Z.
func (a *{{.P}}Affine) fromProjective(p *{{.P}}Point, zinv *{{.F}}) {
	a.x.Mul(&p.x, zinv)
	a.y.Mul(&p.y, zinv)
}

// setW sets p = (x, y, 1) from big-endian affine coordinates; it returns
// false if they are out of range or not on the curve. Variable time.
func (p *{{.P}}Point) setW(x, y []byte) bool {
	if _, err := p.x.SetBytes(x); err != nil {
		return false
	}
	if _, err := p.y.SetBytes(y); err != nil {
		return false
	}
	p.z.One()
	return {{.P}}OnCurveW(&p.x, &p.y) == 1
}

// bytesW writes the affine coordinates of p (y may be nil), in constant
// time, and returns p.isIdentity() (the output is then (0, 0)).
func (p *{{.P}}Point) bytesW(x, y []byte) int {
	var zinv, r {{.F}}
	zinv.Invert(&p.z)
	r.Mul(&p.x, &zinv)
	r.putBytes(x)
	if y != nil {
		r.Mul(&p.y, &zinv)
		r.putBytes(y)
	}
	return p.isIdentity()
}

// xMatches reports whether p is not the identity and X = c·Z.
func (p *{{.P}}Point) xMatches(c *{{.F}}) bool {
	var l {{.F}}
	l.Mul(c, &p.z)
	return p.z.IsZero() == 0 && l.Equal(&p.x) == 1
}
{{- end}}

// {{.P}}OnCurveW returns 1 if y² = x³ + a·x + b.
func {{.P}}OnCurveW(x, y *{{.F}}) int {
	var l, r {{.F}}
	l.Square(y)
	r.Square(x)
	r.Add(&r, &{{.P}}A)
	r.Mul(&r, x)
	r.Add(&r, &{{.P}}B)
	return l.Equal(&r)
}

// {{.P}}Normalize sets out[i] to the affine form of pts[i] with a single
// inversion (Montgomery's trick). No pts[i] may be the identity.
func {{.P}}Normalize(out []{{.P}}Affine, pts []{{.P}}Point) {
	prefix := make([]{{.F}}, len(pts))
	var acc {{.F}}
	acc.One()
	for i := range pts {
		prefix[i].Set(&acc)
		acc.Mul(&acc, &pts[i].z)
	}
	acc.Invert(&acc)
	for i := len(pts) - 1; i >= 0; i-- {
		var zinv {{.F}}
		zinv.Mul(&acc, &prefix[i])
		acc.Mul(&acc, &pts[i].z)
		out[i].fromProjective(&pts[i], &zinv)
	}
}

// {{.P}}Windows is the number of 5-bit signed windows of a {{.Size}}-byte scalar.
const {{.P}}Windows = {{.Windows}}

// {{.P}}Table returns the fixed-base table: [i][j] = (j+1)·32^i·P, affine,
// built once on first use.
var {{.P}}Table = sync.OnceValue(func() *[{{.P}}Windows][16]{{.P}}Affine {
	tab := new([{{.P}}Windows][16]{{.P}}Affine)
	var base {{.P}}Point
	var pts [16]{{.P}}Point
	base.fromAffine(&{{.P}}Gen)
	for i := range tab {
		pts[0].set(&base)
		for j := 1; j < 16; j++ {
			pts[j].add(&pts[j-1], &base)
		}
		{{.P}}Normalize(tab[i][:], pts[:])
		base.double(&pts[15])
	}
	return tab
})

// {{.P}}BaseMult sets p = k·P for a big-endian {{.Size}}-byte scalar k (any
// value below 2^{{mul .Size 8}}).
//
// Constant time: the signed digits are computed arithmetically, every table
// entry of a window is read and selected with masks, and the addition
// formulas are complete (no branch depends on k).
func {{.P}}BaseMult(p *{{.P}}Point, k []byte) {
	var digits [{{.P}}Windows]int8
	signedDigits(digits[:], k)
	tab := {{.P}}Table()
	p.setIdentity()
	var a {{.P}}Affine
{{- if not .Ed}}
	var t {{.P}}Point
{{- end}}
	for i := range digits {
		neg, abs := digitAbs(digits[i])
{{- if .Ed}}
		a.x.Zero()
		a.y.One()
		a.dt.Zero()
{{- end}}
		for j := range tab[i] {
			a.selectFrom(&tab[i][j], &a, subtle.ConstantTimeEq(abs, int32(j+1)))
		}
		a.condNeg(neg)
{{- if .Ed}}
		p.addAffine(p, &a)
{{- else}}
		// A zero digit has no affine entry: add anyway and discard.
		t.addAffine(p, &a)
		p.selectFrom(p, &t, subtle.ConstantTimeEq(abs, 0))
{{- end}}
	}
}

// {{.P}}BaseMultBytes writes the affine coordinates of k·P (y may be nil). Constant time.
func {{.P}}BaseMultBytes(x, y, k []byte) {
	var p {{.P}}Point
	{{.P}}BaseMult(&p, k)
	p.bytesW(x, y)
}

// {{.P}}VarMult sets p = k·q for a big-endian scalar k, with a width-5 NAF.
// Variable time: for public scalars only.
func {{.P}}VarMult(p, q *{{.P}}Point, k []byte) {
	var naf [{{mul .Size 8}} + 1]int8
	n := wnaf(naf[:], k)
{{- if .Ed}}
	var pre [8]{{.P}}Cached
	var t, q2 {{.P}}Point
	q2.double(q)
	t.set(q)
	pre[0].fromPoint(&t)
	for i := 1; i < 8; i++ {
		t.add(&t, &q2)
		pre[i].fromPoint(&t)
	}
	var c {{.P}}Cached
	var e, h {{.F}}
	p.setIdentity()
	for i := n - 1; i >= 0; i-- {
		d := naf[i]
		if d == 0 && i > 0 {
			p.doubleNoT(p, &e, &h)
			continue
		}
		p.double(p)
		switch {
		case d > 0:
			p.addCached(p, &pre[d/2])
		case d < 0:
			c.neg(&pre[-d/2])
			p.addCached(p, &c)
		}
	}
{{- else}}
	var pre [8]{{.P}}Point
	var q2, c {{.P}}Point
	q2.double(q)
	pre[0].set(q)
	for i := 1; i < 8; i++ {
		pre[i].add(&pre[i-1], &q2)
	}
	p.setIdentity()
	for i := n - 1; i >= 0; i-- {
		p.double(p)
		switch d := naf[i]; {
		case d > 0:
			p.add(p, &pre[d/2])
		case d < 0:
			c.neg(&pre[-d/2])
			p.add(p, &c)
		}
	}
{{- end}}
}

// {{.P}}Verify reports whether x(u1·P + u2·Q) mod q equals r, for Q = (qx, qy).
// It returns false if Q is not a point of the curve. Variable time: all
// inputs are public.
func {{.P}}Verify(qx, qy, u1, u2, r []byte) bool {
	var q, acc {{.P}}Point
	if !q.setW(qx, qy) {
		return false
	}
	{{.P}}VarMult(&acc, &q, u2)
	var digits [{{.P}}Windows]int8
	signedDigits(digits[:], u1)
	tab := {{.P}}Table()
	for i, d := range digits {
		switch {
		case d > 0:
			acc.addAffine(&acc, &tab[i][d-1])
		case d < 0:
			a := tab[i][-d-1]
			a.condNeg(1)
			acc.addAffine(&acc, &a)
		}
	}
	// x_C < p and r = x_C mod q: try x = r, r + q, r + 2q, … below p.
	var cand [{{.Size}}]byte
	copy(cand[:], r)
	for {
		var c {{.F}}
		if _, err := c.SetBytes(cand[:]); err != nil {
			return false
		}
		if acc.xMatches(&c) {
			return true
		}
		if addBytes(cand[:], {{.P}}Order[:]) != 0 {
			return false
		}
	}
}

// {{.P}}CheckPoint checks that (x, y) is a valid public key. Variable time.
func {{.P}}CheckPoint(x, y []byte) error {
	var X, Y {{.F}}
	if _, err := X.SetBytes(x); err != nil {
		return errRange
	}
	if _, err := Y.SetBytes(y); err != nil {
		return errRange
	}
	if {{.P}}OnCurveW(&X, &Y) != 1 {
		return errNotOnCurve
	}
{{- if .Cofactor4}}
	// Cofactor 4: require q·Q = ∞ (FACTS §3.3). The point of order 2 has no
	// Edwards image (setW fails), and is rejected too.
	var q, r {{.P}}Point
	if !q.setW(x, y) {
		return errSubgroup
	}
	{{.P}}VarMult(&r, &q, {{.P}}Order[:])
	if r.isIdentity() != 1 {
		return errSubgroup
	}
{{- end}}
	return nil
}
`

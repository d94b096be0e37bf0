//go:build ignore

// The point half of the generator: one file of point arithmetic per curve,
// from gen_point.tmpl (common code), gen_edwards.tmpl (twisted Edwards
// curves) and gen_weierstrass.tmpl (short Weierstrass curves), plus the
// dispatch switch curves_gen.go.

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
	{P: "test256", Bench: "256-test", Ctor: "Test256", ID: "idTest256", Desc: "id-GostR3410-2001-TestParamSet (y² = x³ + 7x + b)", Field: fieldByName("gf255p1073"), Kind: "wa",
		a: big.NewInt(7), b: h("5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E"),
		q:  h("8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3"),
		gx: big.NewInt(2), gy: h("08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8")},
	{P: "cpa", Bench: "256-cryptopro-a", Ctor: "CryptoProA", ID: "idCryptoProA", Desc: "the CryptoPro-A curve (a = −3)", Field: fieldByName("gf256m617"), Kind: "w3",
		a: big.NewInt(-3), b: h("A6"),
		q:  h("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893"),
		gx: big.NewInt(1), gy: h("8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14")},
	{P: "cpb", Bench: "256-cryptopro-b", Ctor: "CryptoProB", ID: "idCryptoProB", Desc: "the CryptoPro-B curve (a = −3)", Field: fieldByName("gf255p3225"), Kind: "w3",
		a: big.NewInt(-3), b: h("3E1AF419A269A5F866A7D3C25C3DF80AE979259373FF2B182F49D4CE7E1BBC8B"),
		q:  h("800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F"),
		gx: big.NewInt(1), gy: h("3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC")},
	{P: "cpc", Bench: "256-cryptopro-c", Ctor: "CryptoProC", ID: "idCryptoProC", Desc: "the CryptoPro-C curve (a = −3)", Field: fieldByName("gf256cpc"), Kind: "w3",
		a: big.NewInt(-3), b: h("805A"),
		q:  h("9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9"),
		gx: big.NewInt(0), gy: h("41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67")},
	{P: "tc256a", Bench: "256-tc26-a", Ctor: "TC26256A", ID: "idTC26256A", Desc: "tc26-256-A in its twisted Edwards form u² + v² = 1 + d·u²·v²", Field: fieldByName("gf256m617"), Kind: "ed", Cofactor4: true,
		a: h("C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335"), b: h("295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513"),
		q:  h("400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67"),
		gx: h("91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28"), gy: h("32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C"),
		d: h("0605F6B7C183FA81578BC39CFAD518132B9DF62897009AF7E522C32D6DC7BFFB"), u: h("D"),
		v: h("60CA1E32AA475B348488C38FAB07649CE7EF8DBE87F22E81F92B2592DBA300E7"),
		s: h("7E7E82520F9F015FAA1D0F18C14AB9FB35188275DA3FD94206B74F34A48E0ECD"),
		t: h("0100FE73F595FF158E974B44D478D9588744FE5C192AC47EA63075DCE7A14AAA")},
	{P: "test512", Bench: "512-test", Ctor: "Test512", ID: "idTest512", Desc: "id-tc26-gost-3410-12-512-paramSetTest (y² = x³ + 7x + b)", Field: fieldByName("gf512test"), Kind: "wa",
		a: big.NewInt(7), b: h("1CFF0806A31116DA29D8CFA54E57EB748BC5F377E49400FDD788B649ECA1AC4361834013B2AD7322480A89CA58E0CF74BC9E540C2ADD6897FAD0A3084F302ADC"),
		q:  h("4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DA82F2D7ECB1DBAC719905C5EECC423F1D86E25EDBE23C595D644AAF187E6E6DF"),
		gx: h("24D19CC64572EE30F396BF6EBBFD7A6C5213B3B3D7057CC825F91093A68CD762FD60611262CD838DC6B60AA7EEE804E28BC849977FAC33B4B530F1B120248A9A"),
		gy: h("2BB312A43BD2CE6E0D020613C857ACDDCFBF061E91E5F2C3F32447C259F39B2C83AB156D77F1496BF7EB3351E1EE4E43DC1A18B91B24640B6DBB92CB1ADD371E")},
	{P: "tc512a", Bench: "512-tc26-a", Ctor: "TC26512A", ID: "idTC26512A", Desc: "tc26-512-A (a = −3)", Field: fieldByName("gf512m569"), Kind: "w3",
		a: big.NewInt(-3), b: h("E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760"),
		q:  h("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275"),
		gx: big.NewInt(3), gy: h("7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4")},
	{P: "tc512b", Bench: "512-tc26-b", Ctor: "TC26512B", ID: "idTC26512B", Desc: "tc26-512-B (a = −3)", Field: fieldByName("gf511p111"), Kind: "w3",
		a: big.NewInt(-3), b: h("687D1B459DC841457E3E06CF6F5E2517B97C7D614AF138BCBF85DC806C4B289F3E965D2DB1416D217F8B276FAD1AB69C50F78BEE1FA3106EFB8CCBC7C5140116"),
		q:  h("800000000000000000000000000000000000000000000000000000000000000149A1EC142565A545ACFDB77BD9D40CFA8B996712101BEA0EC6346C54374F25BD"),
		gx: big.NewInt(2), gy: h("1A8F7EDA389B094C2C071E3647A8940F3C123B697578C213BE6DD9E6C8EC7335DCB228FD1EDF4A39152CBCAAF8C0398828041055F94CEEEC7E21340780FE41BD")},
	{P: "tc512c", Bench: "512-tc26-c", Ctor: "TC26512C", ID: "idTC26512C", Desc: "tc26-512-C in its twisted Edwards form u² + v² = 1 + d·u²·v²", Field: fieldByName("gf512m569"), Kind: "ed", Cofactor4: true,
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

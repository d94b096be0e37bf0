package ec

import (
	"fmt"
	"math/big"
	"math/rand"
	"testing"
)

// pointElem is the method set shared by the generated point types, with A
// the matching affine table type.
type pointElem[P, A any] interface {
	*P
	setIdentity() *P
	set(q *P) *P
	add(a, b *P) *P
	double(a *P) *P
	neg(a *P) *P
	selectFrom(a, b *P, cond int) *P
	isIdentity() int
	fromAffine(a *A) *P
	setW(x, y []byte) bool
	bytesW(x, y []byte) int
}

// pointImpl bundles the per-curve functions the tests exercise.
type pointImpl[P, A any] struct {
	baseMult func(p *P, k []byte)
	varMult  func(p, q *P, k []byte)
	table    func() []A // flattened fixed-base table
	windows  int
}

// pointCases runs the generic point tests for every curve.
var pointCases = []struct {
	name  string
	curve func() *Curve
	test  func(t *testing.T, c *Curve)
}{
	{"256-test", Test256, func(t *testing.T, c *Curve) {
		testPoints[test256Point](t, c, pointImpl[test256Point, test256Affine]{test256BaseMult, test256VarMult,
			func() []test256Affine { return flat(test256Table()[:]) }, test256Windows})
	}},
	{"256-cryptopro-a", CryptoProA, func(t *testing.T, c *Curve) {
		testPoints[cpaPoint](t, c, pointImpl[cpaPoint, cpaAffine]{cpaBaseMult, cpaVarMult,
			func() []cpaAffine { return flat(cpaTable()[:]) }, cpaWindows})
	}},
	{"256-cryptopro-b", CryptoProB, func(t *testing.T, c *Curve) {
		testPoints[cpbPoint](t, c, pointImpl[cpbPoint, cpbAffine]{cpbBaseMult, cpbVarMult,
			func() []cpbAffine { return flat(cpbTable()[:]) }, cpbWindows})
	}},
	{"256-cryptopro-c", CryptoProC, func(t *testing.T, c *Curve) {
		testPoints[cpcPoint](t, c, pointImpl[cpcPoint, cpcAffine]{cpcBaseMult, cpcVarMult,
			func() []cpcAffine { return flat(cpcTable()[:]) }, cpcWindows})
	}},
	{"256-tc26-a", TC26256A, func(t *testing.T, c *Curve) {
		testPoints[tc256aPoint](t, c, pointImpl[tc256aPoint, tc256aAffine]{tc256aBaseMult, tc256aVarMult,
			func() []tc256aAffine { return flat(tc256aTable()[:]) }, tc256aWindows})
	}},
	{"512-test", Test512, func(t *testing.T, c *Curve) {
		testPoints[test512Point](t, c, pointImpl[test512Point, test512Affine]{test512BaseMult, test512VarMult,
			func() []test512Affine { return flat(test512Table()[:]) }, test512Windows})
	}},
	{"512-tc26-a", TC26512A, func(t *testing.T, c *Curve) {
		testPoints[tc512aPoint](t, c, pointImpl[tc512aPoint, tc512aAffine]{tc512aBaseMult, tc512aVarMult,
			func() []tc512aAffine { return flat(tc512aTable()[:]) }, tc512aWindows})
	}},
	{"512-tc26-b", TC26512B, func(t *testing.T, c *Curve) {
		testPoints[tc512bPoint](t, c, pointImpl[tc512bPoint, tc512bAffine]{tc512bBaseMult, tc512bVarMult,
			func() []tc512bAffine { return flat(tc512bTable()[:]) }, tc512bWindows})
	}},
	{"512-tc26-c", TC26512C, func(t *testing.T, c *Curve) {
		testPoints[tc512cPoint](t, c, pointImpl[tc512cPoint, tc512cAffine]{tc512cBaseMult, tc512cVarMult,
			func() []tc512cAffine { return flat(tc512cTable()[:]) }, tc512cWindows})
	}},
}

func flat[A any](tab [][16]A) []A {
	var out []A
	for i := range tab {
		out = append(out, tab[i][:]...)
	}
	return out
}

func TestPoints(t *testing.T) {
	for _, pc := range pointCases {
		t.Run(pc.name, func(t *testing.T) {
			t.Parallel()
			pc.test(t, pc.curve())
		})
	}
}

func testPoints[P any, A any, PP pointElem[P, A]](t *testing.T, c *Curve, impl pointImpl[P, A]) {
	ref := newRefCurve(c.Params())
	n := c.Size()
	rnd := rand.New(rand.NewSource(int64(n) + ref.q.Int64()))

	// toRef converts p to a reference point.
	toRef := func(p *P) refPoint {
		x, y := make([]byte, n), make([]byte, n)
		if PP(p).bytesW(x, y) == 1 {
			return refPoint{inf: true}
		}
		return refPoint{x: new(big.Int).SetBytes(x), y: new(big.Int).SetBytes(y)}
	}
	fromRef := func(r refPoint) *P {
		p := new(P)
		if r.inf {
			return PP(p).setIdentity()
		}
		if !PP(p).setW(r.x.FillBytes(make([]byte, n)), r.y.FillBytes(make([]byte, n))) {
			t.Fatalf("setW rejected a curve point (%x, %x)", r.x, r.y)
		}
		return p
	}
	same := func(a, b refPoint) bool {
		if a.inf || b.inf {
			return a.inf == b.inf
		}
		return a.x.Cmp(b.x) == 0 && a.y.Cmp(b.y) == 0
	}
	randScalarBig := func() *big.Int { return new(big.Int).Rand(rnd, ref.q) }

	// Base point and the order (cofactor curves: q·P = ∞ too).
	G := fromRef(ref.base())
	if !same(toRef(G), ref.base()) {
		t.Fatal("base point does not round-trip through the internal model")
	}
	var qG P
	impl.varMult(&qG, G, c.Order())
	if PP(&qG).isIdentity() != 1 {
		t.Error("q·P is not the identity")
	}

	// Point addition and doubling vs the reference, including P + P, P + (−P),
	// P + ∞ and ∞ + ∞ (the formulas are complete).
	points := []refPoint{ref.base(), {inf: true}}
	for i := 0; i < 4; i++ {
		points = append(points, ref.mul(randScalarBig(), ref.base()))
	}
	negate := func(r refPoint) refPoint {
		if r.inf {
			return r
		}
		return refPoint{x: r.x, y: new(big.Int).Sub(ref.p, r.y)}
	}
	points = append(points, negate(points[2]))
	for i, a := range points {
		for j, b := range points {
			var s P
			PP(&s).add(fromRef(a), fromRef(b))
			if !same(toRef(&s), ref.add(a, b)) {
				t.Errorf("add(points[%d], points[%d]) differs from the reference", i, j)
			}
			// Aliasing: receiver = first argument.
			x := fromRef(a)
			PP(x).add(x, fromRef(b))
			if !same(toRef(x), ref.add(a, b)) {
				t.Errorf("aliased add(points[%d], points[%d]) differs", i, j)
			}
		}
		var d P
		PP(&d).double(fromRef(a))
		if !same(toRef(&d), ref.add(a, a)) {
			t.Errorf("double(points[%d]) differs from the reference", i)
		}
		x := fromRef(a)
		PP(x).double(x)
		if !same(toRef(x), ref.add(a, a)) {
			t.Errorf("aliased double(points[%d]) differs", i)
		}
		var ng P
		PP(&ng).neg(fromRef(a))
		if !same(toRef(&ng), negate(a)) {
			t.Errorf("neg(points[%d]) differs", i)
		}
		var sel P
		PP(&sel).selectFrom(fromRef(a), G, 1)
		if !same(toRef(&sel), a) {
			t.Error("selectFrom(a, b, 1) != a")
		}
		PP(&sel).selectFrom(G, fromRef(a), 0)
		if !same(toRef(&sel), a) {
			t.Error("selectFrom(a, b, 0) != b")
		}
	}

	// Scalar multiplication with edge scalars: the constant-time fixed-base
	// path, the variable-time path, and the reference must agree. The fixed
	// base path accepts any scalar below 2^(8·Size).
	q := ref.q
	one := big.NewInt(1)
	allOnesBelowQ := new(big.Int).Sub(new(big.Int).Lsh(one, uint(q.BitLen()-1)), one)
	maxScalar := new(big.Int).Sub(new(big.Int).Lsh(one, uint(8*n)), one)
	scalars := map[string]*big.Int{
		"0": big.NewInt(0), "1": one, "2": big.NewInt(2), "3": big.NewInt(3), "16": big.NewInt(16), "17": big.NewInt(17),
		"q-1": new(big.Int).Sub(q, one), "q-2": new(big.Int).Sub(q, big.NewInt(2)),
		"q": q, "q+1": new(big.Int).Add(q, one), "allOnesBelowQ": allOnesBelowQ,
		"2^(8n)-1": maxScalar, "(q-1)/2": new(big.Int).Rsh(q, 1),
	}
	for i := 0; i < 3; i++ {
		scalars[fmt.Sprint("random", i)] = randScalarBig()
	}
	for name, k := range scalars {
		want := ref.mul(k, ref.base())
		kb := k.FillBytes(make([]byte, n))
		var p P
		impl.baseMult(&p, kb)
		if !same(toRef(&p), want) {
			t.Errorf("baseMult(%s) differs from the reference", name)
		}
		impl.varMult(&p, G, kb)
		if !same(toRef(&p), want) {
			t.Errorf("varMult(%s, P) differs from the reference", name)
		}
	}
	// Variable-base multiplication of a point other than P.
	R := ref.mul(randScalarBig(), ref.base())
	for name, k := range scalars {
		var p P
		impl.varMult(&p, fromRef(R), k.FillBytes(make([]byte, n)))
		if !same(toRef(&p), ref.mul(k, R)) {
			t.Errorf("varMult(%s, R) differs from the reference", name)
		}
	}

	// Every single-bit scalar 2^i, against the reference by doubling.
	pw := ref.base()
	for i := 0; i < 8*n; i++ {
		kb := new(big.Int).Lsh(one, uint(i)).FillBytes(make([]byte, n))
		var p P
		impl.baseMult(&p, kb)
		if !same(toRef(&p), pw) {
			t.Errorf("baseMult(1<<%d) differs from the reference", i)
		}
		impl.varMult(&p, G, kb)
		if !same(toRef(&p), pw) {
			t.Errorf("varMult(1<<%d) differs from the reference", i)
		}
		pw = ref.add(pw, pw)
	}

	// The fixed-base table: entry [i][j] = (j+1)·32^i·P (a plain
	// double-and-add chain in the reference).
	tab := impl.table()
	base := ref.base()
	for i := 0; i < impl.windows; i++ {
		acc := base
		for j := 0; j < 16; j++ {
			var p P
			PP(&p).fromAffine(&tab[16*i+j])
			if !same(toRef(&p), acc) {
				t.Fatalf("table[%d][%d] differs from the reference", i, j)
			}
			acc = ref.add(acc, base)
		}
		for k := 0; k < 5; k++ {
			base = ref.add(base, base)
		}
	}

	// Every table index through the constant-time lookup: digit d ∈ [−15, 16]
	// in window i, i.e. k = d·32^i mod q, checked against varMult.
	windows := []int{0, 1, impl.windows / 2, impl.windows - 2}
	if !testing.Short() {
		windows = windows[:0]
		for i := 0; i < impl.windows-1; i++ {
			windows = append(windows, i)
		}
	}
	for _, i := range windows {
		for d := int64(-15); d <= 16; d++ {
			k := new(big.Int).Lsh(big.NewInt(d), uint(5*i))
			k.Mod(k, q)
			kb := k.FillBytes(make([]byte, n))
			var a, b P
			impl.baseMult(&a, kb)
			impl.varMult(&b, G, kb)
			if !same(toRef(&a), toRef(&b)) {
				t.Errorf("baseMult(%d·32^%d) != varMult", d, i)
			}
		}
	}
}

// TestRecoding checks that the signed-digit and NAF recodings represent the
// scalar and respect their digit ranges.
func TestRecoding(t *testing.T) {
	rnd := rand.New(rand.NewSource(2))
	for _, size := range []int{32, 64} {
		max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(8*size)), big.NewInt(1))
		values := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(16), big.NewInt(17), big.NewInt(31), max,
			new(big.Int).Rsh(max, 1), new(big.Int).Rsh(max, 2)}
		for i := 0; i < 200; i++ {
			values = append(values, new(big.Int).Rand(rnd, max))
		}
		for _, k := range values {
			kb := k.FillBytes(make([]byte, size))
			digits := make([]int8, (8*size+4)/5)
			signedDigits(digits, kb)
			sum := new(big.Int)
			for i := len(digits) - 1; i >= 0; i-- {
				if digits[i] < -15 || digits[i] > 16 {
					t.Fatalf("signed digit %d out of range for %x", digits[i], k)
				}
				sum.Lsh(sum, 5).Add(sum, big.NewInt(int64(digits[i])))
			}
			if sum.Cmp(k) != 0 {
				t.Fatalf("signedDigits(%x) represents %x", k, sum)
			}
			naf := make([]int8, 8*size+1)
			m := wnaf(naf, kb)
			sum.SetInt64(0)
			last := -5
			for i := m - 1; i >= 0; i-- {
				d := naf[i]
				if d != 0 && (d%2 == 0 || d < -15 || d > 15) {
					t.Fatalf("NAF digit %d out of range", d)
				}
				sum.Lsh(sum, 1).Add(sum, big.NewInt(int64(d)))
			}
			for i := 0; i < m; i++ {
				if naf[i] != 0 {
					if i-last < 5 {
						t.Fatalf("NAF of %x has non-zero digits %d apart", k, i-last)
					}
					last = i
				}
			}
			if sum.Cmp(k) != 0 {
				t.Fatalf("wnaf(%x) represents %x", k, sum)
			}
		}
	}
	for d := int8(-15); d <= 16; d++ {
		neg, abs := digitAbs(d)
		if (neg == 1) != (d < 0) || (abs != int32(d) && abs != -int32(d)) || abs < 0 {
			t.Errorf("digitAbs(%d) = %d, %d", d, neg, abs)
		}
	}
}

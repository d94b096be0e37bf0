package ec

import (
	"fmt"
	"math/big"
	"math/bits"
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
	table    []A // flattened fixed-base table
	windows  int
	entries  int
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

	// The fixed-base table: entry [i][j] = (j+1)·2^(w·i)·P (a plain
	// double-and-add chain in the reference).
	tab := impl.table
	width := bits.Len(uint(impl.entries))
	base := ref.base()
	for i := 0; i < impl.windows; i++ {
		acc := base
		for j := 0; j < impl.entries; j++ {
			var p P
			PP(&p).fromAffine(&tab[impl.entries*i+j])
			if !same(toRef(&p), acc) {
				t.Fatalf("table[%d][%d] differs from the reference", i, j)
			}
			acc = ref.add(acc, base)
		}
		for k := 0; k < width; k++ {
			base = ref.add(base, base)
		}
	}

	// Every table index through the constant-time lookup: digit
	// d ∈ [−entries + 1, entries] in window i, i.e. k = d·2^(w·i) mod q,
	// checked against varMult.
	windows := []int{0, 1, impl.windows / 2, impl.windows - 2}
	if !testing.Short() {
		windows = windows[:0]
		for i := 0; i < impl.windows-1; i++ {
			windows = append(windows, i)
		}
	}
	for _, i := range windows {
		for d := int64(-impl.entries + 1); d <= int64(impl.entries); d++ {
			k := new(big.Int).Lsh(big.NewInt(d), uint(width*i))
			k.Mod(k, q)
			kb := k.FillBytes(make([]byte, n))
			var a, b P
			impl.baseMult(&a, kb)
			impl.varMult(&b, G, kb)
			if !same(toRef(&a), toRef(&b)) {
				t.Errorf("baseMult(%d·2^(%d·%d)) != varMult", d, width, i)
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
			sum := new(big.Int)
			for w := 5; w <= 7; w++ { // widths whose top window has room for the carry
				digits := make([]int8, (8*size+w-1)/w)
				signedDigits(digits, kb, uint(w))
				sum.SetInt64(0)
				half := int8(1) << (w - 1)
				for i := len(digits) - 1; i >= 0; i-- {
					if digits[i] <= -half || digits[i] > half {
						t.Fatalf("signed digit %d out of range for %x, w = %d", digits[i], k, w)
					}
					sum.Lsh(sum, uint(w)).Add(sum, big.NewInt(int64(digits[i])))
				}
				if sum.Cmp(k) != 0 {
					t.Fatalf("signedDigits(%x, %d) represents %x", k, w, sum)
				}
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

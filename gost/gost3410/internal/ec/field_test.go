package ec

import (
	"bytes"
	"math/big"
	"math/rand"
	"reflect"
	"testing"
	"testing/quick"
)

// fieldElem is the method set shared by the generated field element types.
type fieldElem[E any] interface {
	*E
	Zero() *E
	One() *E
	Set(a *E) *E
	Add(a, b *E) *E
	Sub(a, b *E) *E
	Neg(a *E) *E
	Mul(a, b *E) *E
	Square(a *E) *E
	Invert(a *E) *E
	Select(a, b *E, cond int) *E
	Equal(a *E) int
	IsZero() int
	SetBytes(b []byte) (*E, error)
	Bytes() []byte
}

// fieldCases lists the seven distinct primes of FACTS §3.2 / §7.3.
var fieldCases = []struct {
	name string
	p    string
	test func(t *testing.T, p *big.Int)
}{
	{"2^256-617", defCryptoProA.p, testField[gf256m617]},
	{"2^255+3225", defCryptoProB.p, testField[gf255p3225]},
	{"2^255+1073", defTest256.p, testField[gf255p1073]},
	{"cryptopro-c", defCryptoProC.p, testField[gf256cpc]},
	{"2^512-569", defTC26512A.p, testField[gf512m569]},
	{"2^511+111", defTC26512B.p, testField[gf511p111]},
	{"test-512", defTest512.p, testField[gf512test]},
}

func TestField(t *testing.T) {
	for _, fc := range fieldCases {
		t.Run(fc.name, func(t *testing.T) { fc.test(t, mustHex(fc.p)) })
	}
}

// edgeValue returns a value below p, weighted towards edge cases: 0, 1,
// 2, p−1, p−2, (p−1)/2, 2^k, 2^k − 1, limbs that are all ones or all zeros,
// and uniformly random values.
func edgeValue(r *rand.Rand, p *big.Int) *big.Int {
	n := (p.BitLen() + 63) / 64
	one := big.NewInt(1)
	switch r.Intn(10) {
	case 0:
		return big.NewInt(int64(r.Intn(3)))
	case 1:
		return new(big.Int).Sub(p, big.NewInt(int64(1+r.Intn(2))))
	case 2:
		return new(big.Int).Rsh(p, 1)
	case 3:
		v := new(big.Int).Lsh(one, uint(r.Intn(p.BitLen())))
		if r.Intn(2) == 0 {
			v.Sub(v, one)
		}
		return v.Mod(v, p)
	case 4:
		// Each limb all ones, all zeros, or random.
		v := new(big.Int)
		for i := 0; i < n; i++ {
			var w uint64
			switch r.Intn(3) {
			case 0:
				w = ^uint64(0)
			case 1:
				w = r.Uint64()
			}
			v.Lsh(v, 64).Or(v, new(big.Int).SetUint64(w))
		}
		return v.Mod(v, p)
	default:
		return new(big.Int).Rand(r, p)
	}
}

func testField[E any, P fieldElem[E]](t *testing.T, p *big.Int) {
	size := (p.BitLen() + 63) / 64 * 8
	enc := func(v *big.Int) []byte { return v.FillBytes(make([]byte, size)) }
	set := func(v *big.Int) *E {
		e, err := P(new(E)).SetBytes(enc(v))
		if err != nil {
			t.Fatalf("SetBytes(%x): %v", v, err)
		}
		return e
	}
	get := func(e *E) *big.Int { return new(big.Int).SetBytes(P(e).Bytes()) }
	mod := func(v *big.Int) *big.Int { return v.Mod(v, p) }

	cfg := &quick.Config{MaxCount: 2000, Rand: rand.New(rand.NewSource(1))}
	if testing.Short() {
		cfg.MaxCount = 200
	}
	cfg.Values = func(args []reflect.Value, r *rand.Rand) {
		for i := range args {
			args[i] = reflect.ValueOf(edgeValue(r, p))
		}
	}
	check := func(name string, f any) {
		t.Helper()
		if err := quick.Check(f, cfg); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	check("Bytes∘SetBytes", func(a *big.Int) bool { return get(set(a)).Cmp(a) == 0 })
	check("Add", func(a, b *big.Int) bool {
		return get(P(new(E)).Add(set(a), set(b))).Cmp(mod(new(big.Int).Add(a, b))) == 0
	})
	check("Sub", func(a, b *big.Int) bool {
		return get(P(new(E)).Sub(set(a), set(b))).Cmp(mod(new(big.Int).Sub(a, b))) == 0
	})
	check("Neg", func(a *big.Int) bool {
		return get(P(new(E)).Neg(set(a))).Cmp(mod(new(big.Int).Neg(a))) == 0
	})
	check("Mul", func(a, b *big.Int) bool {
		return get(P(new(E)).Mul(set(a), set(b))).Cmp(mod(new(big.Int).Mul(a, b))) == 0
	})
	check("Square", func(a *big.Int) bool {
		return get(P(new(E)).Square(set(a))).Cmp(mod(new(big.Int).Mul(a, a))) == 0
	})
	check("Invert", func(a *big.Int) bool {
		want := new(big.Int).ModInverse(a, p)
		if want == nil {
			want = new(big.Int) // Invert(0) = 0
		}
		return get(P(new(E)).Invert(set(a))).Cmp(want) == 0
	})
	check("Equal/IsZero", func(a, b *big.Int) bool {
		eq := 0
		if a.Cmp(b) == 0 {
			eq = 1
		}
		z := 0
		if a.Sign() == 0 {
			z = 1
		}
		return P(set(a)).Equal(set(b)) == eq && P(set(a)).Equal(set(a)) == 1 && P(set(a)).IsZero() == z
	})
	check("Select", func(a, b *big.Int) bool {
		return get(P(new(E)).Select(set(a), set(b), 1)).Cmp(a) == 0 &&
			get(P(new(E)).Select(set(a), set(b), 0)).Cmp(b) == 0
	})
	check("distributivity", func(a, b, c *big.Int) bool {
		var l, r, t E
		P(&l).Add(set(a), set(b))
		P(&l).Mul(&l, set(c))
		P(&r).Mul(set(a), set(c))
		P(&t).Mul(set(b), set(c))
		P(&r).Add(&r, &t)
		return P(&l).Equal(&r) == 1
	})

	// Aliasing: the receiver may be either argument or both.
	binary := map[string]func(z, x, y *E) *E{
		"Add": func(z, x, y *E) *E { return P(z).Add(x, y) },
		"Sub": func(z, x, y *E) *E { return P(z).Sub(x, y) },
		"Mul": func(z, x, y *E) *E { return P(z).Mul(x, y) },
	}
	for name, op := range binary {
		check("alias "+name, func(a, b *big.Int) bool {
			want := get(op(new(E), set(a), set(b)))
			x, y := set(a), set(b)
			ok := get(op(x, x, y)).Cmp(want) == 0
			x, y = set(a), set(b)
			ok = ok && get(op(y, x, y)).Cmp(want) == 0
			x = set(a)
			same := get(op(new(E), set(a), set(a)))
			return ok && get(op(x, x, x)).Cmp(same) == 0
		})
	}
	unary := map[string]func(z, x *E) *E{
		"Square": func(z, x *E) *E { return P(z).Square(x) },
		"Neg":    func(z, x *E) *E { return P(z).Neg(x) },
		"Invert": func(z, x *E) *E { return P(z).Invert(x) },
		"Set":    func(z, x *E) *E { return P(z).Set(x) },
	}
	for name, op := range unary {
		check("alias "+name, func(a *big.Int) bool {
			want := get(op(new(E), set(a)))
			x := set(a)
			return get(op(x, x)).Cmp(want) == 0
		})
	}

	// SetBytes rejects values ≥ p and wrong lengths, leaving e unchanged.
	allOnes := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(8*size)), big.NewInt(1))
	for _, bad := range []*big.Int{p, new(big.Int).Add(p, big.NewInt(1)), allOnes,
		new(big.Int).Sub(allOnes, big.NewInt(1))} {
		e := set(big.NewInt(5))
		if _, err := P(e).SetBytes(enc(bad)); err == nil {
			t.Errorf("SetBytes(%x) accepted a value ≥ p", bad)
		}
		if get(e).Cmp(big.NewInt(5)) != 0 {
			t.Errorf("SetBytes(%x) modified the receiver on error", bad)
		}
	}
	for _, l := range []int{0, size - 1, size + 1} {
		if _, err := P(new(E)).SetBytes(make([]byte, l)); err == nil {
			t.Errorf("SetBytes accepted %d bytes", l)
		}
	}
	var zero, one E
	P(&one).One()
	if !bytes.Equal(P(&zero).Bytes(), make([]byte, size)) || P(&zero).IsZero() != 1 {
		t.Error("the zero value is not 0")
	}
	if get(&one).Cmp(big.NewInt(1)) != 0 || P(&one).IsZero() != 0 {
		t.Error("One is not 1")
	}
}

//go:build ignore

// gen.go writes the per-prime field arithmetic (gf*.go), the per-curve
// point arithmetic (point_*.go) and the curve dispatch (curves_gen.go) of
// package ec. Run it with
//
//	go run gen.go gen_point.go
//
// It uses only the standard library. The field code is plain fully unrolled
// Go over math/bits, written by this generator (no fiat-crypto output is
// used): Solinas folding for p = 2^(64n) − c with small c, word-by-word
// Montgomery reduction (separated operand scanning) otherwise. Constants of
// the curves come from params.go (FACTS §3.2).
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"log"
	"math/big"
	"math/bits"
	"os"
	"strings"
)

// field describes one prime field.
type field struct {
	Name string // Go type name, e.g. gf256m617
	Desc string // human description of p
	P    *big.Int
	N    int // 64-bit limbs
	// solinas is set when p = 2^(64N) − c with c < 2^32: elements are kept
	// in the ordinary representation and reduced by folding.
	solinas bool
	c       uint64
}

func (f *field) mont() bool { return !f.solinas }

func newField(name, desc, hex string) *field {
	p, _ := new(big.Int).SetString(hex, 16)
	f := &field{Name: name, Desc: desc, P: p, N: (p.BitLen() + 63) / 64}
	c := new(big.Int).Lsh(big.NewInt(1), uint(64*f.N))
	c.Sub(c, p)
	if c.BitLen() <= 32 {
		f.solinas, f.c = true, c.Uint64()
	}
	return f
}

// limbs returns the little-endian 64-bit limbs of v.
func limbs(v *big.Int, n int) []uint64 {
	out := make([]uint64, n)
	t := new(big.Int).Set(v)
	mask := new(big.Int).SetUint64(^uint64(0))
	for i := range out {
		out[i] = new(big.Int).And(t, mask).Uint64()
		t.Rsh(t, 64)
	}
	return out
}

func limbLit(v *big.Int, n int) string {
	var parts []string
	for _, l := range limbs(v, n) {
		parts = append(parts, fmt.Sprintf("0x%016x", l))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// repr maps an integer mod p to the limbs stored in an element.
func (f *field) repr(v *big.Int) *big.Int {
	v = new(big.Int).Mod(v, f.P)
	if f.mont() {
		v.Lsh(v, uint(64*f.N)).Mod(v, f.P)
	}
	return v
}

// elemLit is a Go composite literal of the element holding v.
func (f *field) elemLit(v *big.Int) string {
	return fmt.Sprintf("%s{l: [%d]uint64%s}", f.Name, f.N, limbLit(f.repr(v), f.N))
}

// emitter accumulates straight-line Go code with fresh variable names.
type emitter struct {
	b   bytes.Buffer
	seq int
}

func (e *emitter) p(format string, args ...any) { fmt.Fprintf(&e.b, format+"\n", args...) }

func (e *emitter) fresh(prefix string) string {
	e.seq++
	return fmt.Sprintf("%s%d", prefix, e.seq)
}

// chain emits a carry (op "Add64") or borrow ("Sub64") chain
// out_i, c = a_i op b_i op c and returns the outputs and the last carry.
func (e *emitter) chain(op, prefix string, a, b []string) ([]string, string) {
	out := make([]string, len(a))
	c := "0"
	for i := range a {
		nc := e.fresh("c")
		out[i] = e.fresh(prefix)
		e.p("%s, %s := bits.%s(%s, %s, %s)", out[i], nc, op, a[i], b[i], c)
		c = nc
	}
	return out, c
}

// words returns n copies of "0" with first at index 0 (a small constant
// added at the bottom of a chain).
func words(n int, first string) []string {
	w := make([]string, n)
	for i := range w {
		w[i] = "0"
	}
	w[0] = first
	return w
}

// vars returns the names prefix0 … prefix(n−1).
func vars(prefix string, n int) []string {
	v := make([]string, n)
	for i := range v {
		v[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return v
}

// selectInto emits z[i] = a[i] if the mask m is all ones, else b[i].
func (e *emitter) selectInto(a, b []string) {
	for i := range a {
		e.p("z[%d] = %s&m | %s&^m", i, a[i], b[i])
	}
}

// prod is a 128-bit partial product hi:lo held in two variables (or the
// literal "0").
type prod struct{ hi, lo string }

// mulWords emits hi, lo = a·b.
func (e *emitter) mulWords(a, b string) prod {
	h, l := e.fresh("h"), e.fresh("l")
	e.p("%s, %s := bits.Mul64(%s, %s)", h, l, a, b)
	return prod{h, l}
}

// rowLimbs emits the limbs r_0 … r_m of the row Σ ps[k]·2^(64k) (one
// carry chain), adding the extra terms (carries, possibly none) into r_m.
// r_m cannot overflow: it is at most 2^64 − 2 before the extras, which are
// at most 1 in total where they are used.
func (e *emitter) rowLimbs(ps []prod, extra ...string) []string {
	m := len(ps)
	lo, hi := make([]string, m-1), make([]string, m-1)
	for k := 1; k < m; k++ {
		lo[k-1], hi[k-1] = ps[k].lo, ps[k-1].hi
	}
	mid, c := e.chain("Add64", "r", lo, hi)
	r := append([]string{ps[0].lo}, mid...)
	terms := []string{ps[m-1].hi}
	if m > 1 {
		terms = append(terms, c)
	}
	for _, x := range extra {
		if x != "" {
			terms = append(terms, x)
		}
	}
	top := e.fresh("r")
	e.p("%s := %s", top, strings.Join(terms, " + "))
	return append(r, top)
}

// addRow adds the row Σ products[k]·2^(64(off+k)) into the accumulator t,
// where t[off+len(products)] is still undefined and becomes defined. carryIn
// (possibly "") is added into the top limb of the row.
func (e *emitter) addRow(t []string, off int, ps []prod, carryIn string) {
	m := len(ps)
	r := e.rowLimbs(ps, carryIn)
	// Accumulate into t (second carry chain); t[off+m] is new.
	if t[off+m-1] == "" || t[off+m] != "" {
		log.Fatal("addRow: accumulator shape")
	}
	sum, c := e.chain("Add64", "t", t[off:off+m], r[:m])
	copy(t[off:], sum)
	t[off+m] = e.fresh("t")
	e.p("%s := %s + %s", t[off+m], r[m], c)
}

// product emits the 2N-limb product x·y (or x² when square) into t.
//
// Rows of partial products are summed with two carry chains each (one to
// form the row, one to accumulate it), so the carries stay in the flags
// between MULQs. (Product scanning, one three-word column accumulator at a
// time, measured 10–50% slower with the gc compiler.)
func (f *field) product(e *emitter, square bool) []string {
	n := f.N
	t := make([]string, 2*n)
	x := func(i int) string { return fmt.Sprintf("x%d", i) }
	y := func(i int) string { return fmt.Sprintf("y%d", i) }
	if !square {
		for i := 0; i < n; i++ {
			ps := make([]prod, n)
			for j := 0; j < n; j++ {
				ps[j] = e.mulWords(x(i), y(j))
			}
			if i == 0 {
				e.rowIntoAt(t, 0, ps)
				continue
			}
			e.addRow(t, i, ps, "")
		}
		return t
	}
	// Off-diagonal products x_i·x_j, i < j, then double, then add x_i².
	for i := 0; i < n-1; i++ {
		ps := make([]prod, 0, n)
		for j := i + 1; j < n; j++ {
			ps = append(ps, e.mulWords(x(i), x(j)))
		}
		if i == 0 {
			e.rowIntoAt(t, 1, ps)
			continue
		}
		e.addRow(t, 2*i+1, ps, "")
	}
	t[0] = "0"
	// t[2n-1] is undefined so far; the doubling shifts into it.
	d := make([]string, 2*n)
	for i := 2*n - 1; i >= 1; i-- {
		lo := t[i-1]
		hi := t[i]
		v := e.fresh("d")
		switch {
		case hi == "" && lo == "0":
			v = "0"
		case hi == "":
			e.p("%s := %s >> 63", v, lo)
		case lo == "0":
			e.p("%s := %s << 1", v, hi)
		default:
			e.p("%s := %s<<1 | %s>>63", v, hi, lo)
		}
		d[i] = v
	}
	d[0] = "0"
	// Add the diagonal squares: one carry chain over all 2n limbs.
	c := ""
	for i := 0; i < n; i++ {
		sq := e.mulWords(x(i), x(i))
		for k, w := range []string{sq.lo, sq.hi} {
			idx := 2*i + k
			v := e.fresh("t")
			if idx == 0 {
				e.p("%s := %s", v, w)
				t[idx] = v
				continue
			}
			nc := e.fresh("c")
			if c == "" {
				e.p("%s, %s := bits.Add64(%s, %s, 0)", v, nc, d[idx], w)
			} else if idx == 2*n-1 {
				e.p("%s, _ := bits.Add64(%s, %s, %s)", v, d[idx], w, c)
				nc = ""
			} else {
				e.p("%s, %s := bits.Add64(%s, %s, %s)", v, nc, d[idx], w, c)
			}
			t[idx], c = v, nc
		}
	}
	return t
}

// rowIntoAt sets t[off..off+len(ps)] to the row Σ ps[k]·2^(64(off+k)).
func (e *emitter) rowIntoAt(t []string, off int, ps []prod) {
	copy(t[off:], e.rowLimbs(ps))
}

// reduceSolinas emits z = t mod p for p = 2^(64n) − c, fully reduced.
func (f *field) reduceSolinas(e *emitter, t []string) {
	n := f.N
	// hi·c as an (n+1)-limb row.
	ps := make([]prod, n)
	for j := 0; j < n; j++ {
		ps[j] = e.mulWords(t[n+j], "solC")
	}
	acc := append([]string(nil), t[:n]...)
	acc = append(acc, "")
	e.addRow(acc, 0, ps, "")
	// acc[n] ≤ c: fold it once more (acc[n]·c < 2^64).
	top := acc[n]
	e.p("%s *= solC", top)
	r, c := e.chain("Add64", "u", acc[:n], words(n, top))
	// A carry out means the value wrapped and is now small: add c once more.
	e.p("%s = %s + solC&-%s", r[0], r[0], c)
	f.finalSolinas(e, r)
}

// finalSolinas emits z = r − p if r ≥ p else r, for r < 2^(64n), and the
// store into z (r ≥ p ⇔ r + c ≥ 2^(64n)).
func (f *field) finalSolinas(e *emitter, r []string) {
	s, c := e.chain("Add64", "s", r, words(f.N, "solC"))
	e.p("m := -%s", c)
	e.selectInto(s, r)
}

// limbKind classifies a modulus limb for the Montgomery row m·p.
func limbProd(e *emitter, m string, pl uint64) prod {
	switch {
	case pl == 0:
		return prod{"0", "0"}
	case pl&(pl-1) == 0:
		s := 0
		for pl>>s != 1 {
			s++
		}
		if s == 0 {
			return prod{"0", m}
		}
		h, l := e.fresh("h"), e.fresh("l")
		e.p("%s, %s := %s>>%d, %s<<%d", h, l, m, 64-s, m, s)
		return prod{h, l}
	default:
		h, l := e.fresh("h"), e.fresh("l")
		e.p("%s, %s := bits.Mul64(%s, 0x%016x)", h, l, m, pl)
		return prod{h, l}
	}
}

// reduceMont emits z = t·2^(−64n) mod p (word-by-word Montgomery reduction,
// separated operand scanning), for t < p·2^(64n).
func (f *field) reduceMont(e *emitter, t []string) {
	n := f.N
	pl := limbs(f.P, n)
	t = append(t, "") // t[2n] receives the final carry
	extra := ""
	for i := 0; i < n; i++ {
		m := e.fresh("m")
		e.p("%s := %s * montInv", m, t[i])
		ps := make([]prod, n)
		for j := 0; j < n; j++ {
			ps[j] = limbProd(e, m, pl[j])
		}
		// Row r_0..r_n of m·p; the previous round's carry goes into r_n.
		r := e.rowLimbs(ps, extra)
		// t[i..i+n] += r; t[i] becomes 0 and is dropped.
		sum, c := e.chain("Add64", "t", t[i:i+n+1], r)
		e.p("_ = %s", sum[0])
		copy(t[i:], sum)
		extra = c
	}
	// Result t[n..2n−1] + extra·2^(64n) < 2p: subtract p once if needed.
	f.finalMont(e, t[n:2*n], extra)
}

// finalMont stores into z the value (r + top·2^(64n)) reduced by one
// conditional subtraction of p.
func (f *field) finalMont(e *emitter, r []string, top string) {
	s, b := e.chain("Sub64", "s", r, f.pLimbs())
	// Keep r when it was below p: no carry word and a borrow.
	if top == "" {
		e.p("m := -%s", b)
	} else {
		e.p("m := -(%s &^ %s)", b, top)
	}
	e.selectInto(r, s)
}

// pLimbs returns the limbs of p as Go literals.
func (f *field) pLimbs() []string {
	var out []string
	for _, l := range limbs(f.P, f.N) {
		out = append(out, fmt.Sprintf("0x%016x", l))
	}
	return out
}

func (f *field) loadArgs(e *emitter, names ...string) {
	for _, nm := range names {
		var l []string
		for i := 0; i < f.N; i++ {
			l = append(l, fmt.Sprintf("%s%d", nm, i))
		}
		var r []string
		for i := 0; i < f.N; i++ {
			r = append(r, fmt.Sprintf("%s[%d]", nm, i))
		}
		e.p("%s := %s", strings.Join(l, ", "), strings.Join(r, ", "))
	}
}

func (f *field) mulFunc(square bool) string {
	e := &emitter{}
	name := f.Name + "Mul"
	sig := "z, x, y *[%d]uint64"
	if square {
		name = f.Name + "Square"
		sig = "z, x *[%d]uint64"
	}
	e.p("func %s("+sig+") {", name, f.N)
	if square {
		f.loadArgs(e, "x")
	} else {
		f.loadArgs(e, "x", "y")
	}
	t := f.product(e, square)
	if f.solinas {
		f.reduceSolinas(e, t)
	} else {
		f.reduceMont(e, t)
	}
	e.p("}")
	return e.b.String()
}

// addFunc emits z = x + y mod p.
func (f *field) addFunc() string {
	e := &emitter{}
	n := f.N
	e.p("func %sAdd(z, x, y *[%d]uint64) {", f.Name, n)
	f.loadArgs(e, "x", "y")
	r, c := e.chain("Add64", "r", vars("x", n), vars("y", n))
	if f.solinas {
		// s = r + c = r − p mod 2^(64n). Take s if x + y ≥ p: either the sum
		// carried (then r + c < p, no second carry) or r + c carries.
		s, k := e.chain("Add64", "s", r, words(n, "solC"))
		e.p("m := -(%s | %s)", c, k)
		e.selectInto(s, r)
	} else {
		f.finalMont(e, r, c)
	}
	e.p("}")
	return e.b.String()
}

// subFunc emits z = x − y mod p.
func (f *field) subFunc() string {
	e := &emitter{}
	n := f.N
	e.p("func %sSub(z, x, y *[%d]uint64) {", f.Name, n)
	f.loadArgs(e, "x", "y")
	r, b := e.chain("Sub64", "r", vars("x", n), vars("y", n))
	// On a borrow add p back (the final carry is the borrow, discarded).
	e.p("m := -%s", b)
	masked := f.pLimbs()
	for i := range masked {
		masked[i] += "&m"
	}
	s, c := e.chain("Add64", "s", r, masked)
	e.p("_ = %s", c)
	for i := range s {
		e.p("z[%d] = %s", i, s[i])
	}
	e.p("}")
	return e.b.String()
}

func (f *field) generate() []byte {
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	n := f.N
	w("// Code generated by gen.go; DO NOT EDIT.\n\npackage ec\n\n")
	w("import \"math/bits\"\n\n")
	rep := "ordinary (non-Montgomery) representation, reduced by folding with p = 2^%d − %d"
	rep = fmt.Sprintf(rep, 64*n, f.c)
	if f.mont() {
		rep = fmt.Sprintf("Montgomery form x·2^%d mod p", 64*n)
	}
	w("// %s is an element of GF(p), p = %s.\n//\n", f.Name, f.Desc)
	w("// The limbs are little-endian 64-bit words in %s,\n", rep)
	w("// always fully reduced (< p), so equal values have equal limbs. The zero\n")
	w("// value is 0. Every operation is constant time and sets and returns the\n")
	w("// receiver; receivers and arguments may alias.\n")
	w("type %s struct{ l [%d]uint64 }\n\n", f.Name, n)
	if f.solinas {
		w("const solC%s = %d\n\n", f.Name, f.c)
	}
	pl := limbLit(f.P, n)
	w("var %sP = [%d]uint64%s\n\n", f.Name, n, pl)
	one := f.repr(big.NewInt(1))
	w("// Zero sets e = 0.\nfunc (e *%s) Zero() *%s { e.l = [%d]uint64{}; return e }\n\n", f.Name, f.Name, n)
	w("// One sets e = 1.\nfunc (e *%s) One() *%s { e.l = [%d]uint64%s; return e }\n\n", f.Name, f.Name, n, limbLit(one, n))
	w("// Set sets e = a.\nfunc (e *%s) Set(a *%s) *%s { e.l = a.l; return e }\n\n", f.Name, f.Name, f.Name)
	for _, op := range []string{"Add", "Sub", "Mul"} {
		w("// %s sets e = a %s b mod p.\nfunc (e *%s) %s(a, b *%s) *%s { %s%s(&e.l, &a.l, &b.l); return e }\n\n",
			op, map[string]string{"Add": "+", "Sub": "−", "Mul": "·"}[op], f.Name, op, f.Name, f.Name, f.Name, op)
	}
	w("// Square sets e = a² mod p.\nfunc (e *%s) Square(a *%s) *%s { %sSquare(&e.l, &a.l); return e }\n\n", f.Name, f.Name, f.Name, f.Name)
	w("// Neg sets e = −a mod p.\nfunc (e *%s) Neg(a *%s) *%s { var z [%d]uint64; %sSub(&e.l, &z, &a.l); return e }\n\n", f.Name, f.Name, f.Name, n, f.Name)
	w(`// Select sets e to a if cond == 1 and to b if cond == 0.
func (e *%[1]s) Select(a, b *%[1]s, cond int) *%[1]s {
	m := -uint64(cond)
	for i := range e.l {
		e.l[i] = a.l[i]&m | b.l[i]&^m
	}
	return e
}

// Equal returns 1 if e == a and 0 otherwise.
func (e *%[1]s) Equal(a *%[1]s) int {
	var d uint64
	for i := range e.l {
		d |= e.l[i] ^ a.l[i]
	}
	return int((d|-d)>>63) ^ 1
}

// IsZero returns 1 if e == 0 and 0 otherwise.
func (e *%[1]s) IsZero() int {
	var d uint64
	for i := range e.l {
		d |= e.l[i]
	}
	return int((d|-d)>>63) ^ 1
}

// Bytes returns the %[2]d-byte big-endian encoding of e.
func (e *%[1]s) Bytes() []byte {
	var out [%[2]d]byte
	return e.putBytes(out[:])
}

// putBytes writes the big-endian encoding of e to out[:%[2]d] and returns it.
func (e *%[1]s) putBytes(out []byte) []byte {
	l := e.l
`, f.Name, n*8)
	if f.mont() {
		w("\tvar one = [%d]uint64{1}\n\t%sMul(&l, &l, &one)\n", n, f.Name)
	}
	w(`	putLimbs(out[:%[2]d], l[:])
	return out[:%[2]d]
}

// SetBytes sets e to the big-endian value in b, which must be exactly %[2]d
// bytes and encode a value below p. On error e is unchanged.
func (e *%[1]s) SetBytes(b []byte) (*%[1]s, error) {
	if len(b) != %[2]d {
		return nil, errFieldLength
	}
	var l [%[3]d]uint64
	getLimbs(l[:], b)
	if %[1]sIsCanonical(&l) != 1 {
		return nil, errFieldRange
	}
`, f.Name, n*8, n)
	if f.mont() {
		rr := new(big.Int).Lsh(big.NewInt(1), uint(128*n))
		rr.Mod(rr, f.P)
		w("\tvar rr = [%d]uint64%s\n\t%sMul(&l, &l, &rr)\n", n, limbLit(rr, n), f.Name)
	}
	w(`	e.l = l
	return e, nil
}

// %[1]sIsCanonical returns 1 if l < p, in constant time.
func %[1]sIsCanonical(l *[%[2]d]uint64) int {
	var b uint64
	for i := range l {
		_, b = bits.Sub64(l[i], %[1]sP[i], b)
	}
	return int(b)
}

`, f.Name, n)
	body := f.addFunc() + "\n" + f.subFunc() + "\n" + f.mulFunc(false) + "\n" + f.mulFunc(true) + "\n"
	if f.solinas {
		body = strings.ReplaceAll(body, "solC", "solC"+f.Name)
	} else {
		inv := new(big.Int).ModInverse(f.P, new(big.Int).Lsh(big.NewInt(1), 64))
		inv.Sub(new(big.Int).Lsh(big.NewInt(1), 64), inv)
		body = strings.ReplaceAll(body, "montInv", fmt.Sprintf("0x%016x", inv.Uint64()))
	}
	w("%s", body)
	w("%s", f.invert())
	return b.Bytes()
}

// invert emits Invert as a fixed chain of squarings and multiplications
// for the public exponent e = p − 2. When e starts with a long run of L ones
// (p = 2^(64n) − c), a^(2^L − 1) is built first by the usual doubling chain
// (a^(2^(2k) − 1) = (a^(2^k − 1))^(2^k) · a^(2^k − 1)); the remaining bits,
// or all of them otherwise, are handled by sliding windows of width 5 over
// precomputed odd powers.
func (f *field) invert() string {
	e := new(big.Int).Sub(f.P, big.NewInt(2))
	const w = 5
	top := e.BitLen() - 1
	L := 0
	for L <= top && e.Bit(top-L) == 1 {
		L++
	}
	if L < 32 {
		L = 0
	}
	// Sliding windows over bits [0, top−L], collecting the odd powers used.
	type step struct{ squares, pow int }
	var steps []step
	maxPow := 1
	sq := 0
	started := L > 0
	for i := top - L; i >= 0; {
		if e.Bit(i) == 0 {
			sq++
			i--
			continue
		}
		j := max(i-w+1, 0)
		for e.Bit(j) == 0 {
			j++
		}
		v := 0
		for k := i; k >= j; k-- {
			v = v<<1 | int(e.Bit(k))
		}
		if !started {
			steps = append(steps, step{-1, v})
			started = true
			sq = 0
		} else {
			steps = append(steps, step{sq + i - j + 1, v})
			sq = 0
		}
		maxPow = max(maxPow, v)
		i = j - 1
	}
	var b bytes.Buffer
	out := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	squares := func(n int) {
		if n == 1 {
			out("\tz.Square(&z)\n")
		} else if n > 1 {
			out("\tfor i := 0; i < %d; i++ {\n\t\tz.Square(&z)\n\t}\n", n)
		}
	}
	out(`// Invert sets e = 1/a mod p (Fermat: a^(p−2)), and e = 0 when a = 0.
// The chain of operations depends only on p, so it is constant time.
func (e *%[1]s) Invert(a *%[1]s) *%[1]s {
	var z %[1]s
`, f.Name)
	if maxPow > 1 || len(steps) > 0 {
		out("\t// pw[i] = a^(2i+1)\n\tvar pw [%d]%s\n\tvar a2 %s\n", maxPow/2+1, f.Name, f.Name)
		out("\tpw[0].Set(a)\n")
		if maxPow > 1 {
			out("\ta2.Square(a)\n\tfor i := 1; i < len(pw); i++ {\n\t\tpw[i].Mul(&pw[i-1], &a2)\n\t}\n")
		}
	}
	if L > 0 {
		// z = a^(2^k − 1), k running over the binary prefixes of L.
		out("\t// z = a^(2^%d − 1)\n\tvar t %s\n\tz.Set(a)\n", L, f.Name)
		k := 1
		for bit := bits.Len(uint(L)) - 2; bit >= 0; bit-- {
			out("\tt.Set(&z)\n")
			squares(k)
			out("\tz.Mul(&z, &t)\n")
			k *= 2
			if L>>bit&1 == 1 {
				out("\tz.Square(&z)\n\tz.Mul(&z, a)\n")
				k++
			}
		}
		if k != L {
			log.Fatal("invert: chain does not reach L")
		}
	}
	for _, st := range steps {
		if st.squares < 0 {
			out("\tz.Set(&pw[%d])\n", st.pow/2)
			continue
		}
		squares(st.squares)
		out("\tz.Mul(&z, &pw[%d])\n", st.pow/2)
	}
	squares(sq)
	out("\treturn e.Set(&z)\n}\n")
	return b.String()
}

// fields lists the seven distinct primes (FACTS §7.3), taken from params.go.
var fields = []*field{
	newField("gf256m617", "2^256 − 617 (CryptoPro-A, tc26-256-A)", defs()["defCryptoProA"]["p"]),
	newField("gf255p3225", "2^255 + 3225 (CryptoPro-B)", defs()["defCryptoProB"]["p"]),
	newField("gf255p1073", "2^255 + 1073 (TEST-256)", defs()["defTest256"]["p"]),
	newField("gf256cpc", "0x9B9F…759B (CryptoPro-C)", defs()["defCryptoProC"]["p"]),
	newField("gf512m569", "2^512 − 569 (tc26-512-A, tc26-512-C)", defs()["defTC26512A"]["p"]),
	newField("gf511p111", "2^511 + 111 (tc26-512-B)", defs()["defTC26512B"]["p"]),
	newField("gf512test", "0x4531…6373 (TEST-512)", defs()["defTest512"]["p"]),
}

func fieldByName(name string) *field {
	for _, f := range fields {
		if f.Name == name {
			return f
		}
	}
	log.Fatalf("no field %s", name)
	return nil
}

func writeGo(name string, src []byte) {
	out, err := format.Source(src)
	if err != nil {
		os.WriteFile(name+".broken", src, 0o644)
		log.Fatalf("%s: %v", name, err)
	}
	if err := os.WriteFile(name, out, 0o644); err != nil {
		log.Fatal(err)
	}
}

func main() {
	for _, f := range fields {
		writeGo(f.Name+".go", f.generate())
	}
	generatePoints()
}

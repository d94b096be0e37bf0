package streebog

import (
	"bytes"
	"encoding"
	"encoding/binary"
	"encoding/hex"
	"go/ast"
	"go/parser"
	"go/token"
	"math/big"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
)

// This file holds a slow reference Streebog written straight from RFC 6986,
// structurally unlike the package: 64-byte vectors in wire order (v[i] is
// the RFC's a_i), S, P and L applied one after the other, byte by byte and
// bit by bit, and byte-wise carries in the 512-bit additions. It reads π, the
// matrix A and C_1…C_12 from the literals in gen.go, so that it shares the
// standard's numbers with the generator (they are checked by the RFC
// vectors) but none of the derived tables or of the kernel code.

type vec [64]byte

type refParams struct {
	pi [256]byte
	a  [64]uint64
	c  [12]vec
}

var (
	refOnce sync.Once
	ref     refParams
	refErr  error
)

// loadRef parses gen.go and evaluates its parameter literals.
func loadRef(t testing.TB) *refParams {
	t.Helper()
	refOnce.Do(func() { refErr = parseGen(&ref) })
	if refErr != nil {
		t.Fatalf("reading the RFC 6986 parameters from gen.go: %v", refErr)
	}
	return &ref
}

func parseGen(p *refParams) error {
	f, err := parser.ParseFile(token.NewFileSet(), "gen.go", nil, 0)
	if err != nil {
		return err
	}
	lits := map[string][]string{}
	for _, decl := range f.Decls {
		g, ok := decl.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			if len(vs.Values) != 1 {
				continue
			}
			cl, ok := vs.Values[0].(*ast.CompositeLit)
			if !ok {
				continue
			}
			for _, e := range cl.Elts {
				if bl, ok := e.(*ast.BasicLit); ok {
					lits[vs.Names[0].Name] = append(lits[vs.Names[0].Name], bl.Value)
				}
			}
		}
	}
	if len(lits["pi"]) != 256 || len(lits["matrixA"]) != 64 || len(lits["iterationConstants"]) != 12 {
		return strconv.ErrSyntax
	}
	for i, s := range lits["pi"] {
		v, err := strconv.ParseUint(s, 0, 8)
		if err != nil {
			return err
		}
		p.pi[i] = byte(v)
	}
	for i, s := range lits["matrixA"] {
		v, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			return err
		}
		p.a[i] = v
	}
	for i, s := range lits["iterationConstants"] {
		s, err := strconv.Unquote(s)
		if err != nil {
			return err
		}
		b, err := hex.DecodeString(s)
		if err != nil || len(b) != 64 {
			return strconv.ErrSyntax
		}
		// The RFC prints a_63 first; wire order starts with a_0.
		for j := range b {
			p.c[i][j] = b[63-j]
		}
	}
	return nil
}

func (p *refParams) x(a, b vec) vec {
	for i := range a {
		a[i] ^= b[i]
	}
	return a
}

// s is S of RFC 6986, Section 7: π on every byte.
func (p *refParams) s(a vec) vec {
	for i := range a {
		a[i] = p.pi[a[i]]
	}
	return a
}

// pt is P of RFC 6986, Section 7: byte i of the result is byte τ(i) of a,
// with τ of Section 6.3, (0, 8, 16, …, 56, 1, 9, …, 63).
func (p *refParams) pt(a vec) vec {
	var r vec
	for i := range r {
		r[i] = a[8*(i%8)+i/8]
	}
	return r
}

// l is L of RFC 6986, Section 7: the map l of Section 6.4 on each 8-byte
// chunk, bit by bit; bit j of byte i of a chunk is bit 8i+j of the 64-bit
// value (byte 0 least significant) and selects row A[63-(8i+j)].
func (p *refParams) l(a vec) vec {
	var r vec
	for chunk := range 8 {
		var acc uint64
		for i := range 8 {
			for j := range 8 {
				if a[8*chunk+i]>>j&1 == 1 {
					acc ^= p.a[63-(8*i+j)]
				}
			}
		}
		for i := range 8 {
			r[8*chunk+i] = byte(acc >> (8 * i))
		}
	}
	return r
}

func (p *refParams) lps(a vec) vec { return p.l(p.pt(p.s(a))) }

// g is g_N(h, m) of RFC 6986, Section 8.
func (p *refParams) g(n, h, m vec) vec {
	k := p.lps(p.x(h, n))
	e := m
	for i := range 12 {
		e = p.lps(p.x(k, e))
		k = p.lps(p.x(k, p.c[i]))
	}
	e = p.x(k, e)
	return p.x(p.x(e, h), m)
}

// refAdd is the addition mod 2^512 (⊞) of RFC 6986, Section 4, byte by byte.
func refAdd(a, b vec) vec {
	carry := 0
	for i := range a {
		s := int(a[i]) + int(b[i]) + carry
		a[i], carry = byte(s), s>>8
	}
	return a
}

func refNumber(bits int) vec {
	var v vec
	v[0], v[1] = byte(bits), byte(bits>>8)
	return v
}

// refState is the state of RFC 6986, Section 9: h, N, Σ and the
// unprocessed tail of the message.
type refState struct {
	p       *refParams
	h, n, s vec
	tail    []byte
	size    int
}

func newRef(t testing.TB, size int) *refState {
	r := &refState{p: loadRef(t), size: size}
	if size == Size256 {
		for i := range r.h {
			r.h[i] = 1
		}
	}
	return r
}

// write runs stage 2 (Section 9.2) on every full block.
func (r *refState) write(msg []byte) {
	r.tail = append(r.tail, msg...)
	for len(r.tail) >= 64 {
		var m vec
		copy(m[:], r.tail)
		r.h = r.p.g(r.n, r.h, m)
		r.n = refAdd(r.n, refNumber(512))
		r.s = refAdd(r.s, m)
		r.tail = r.tail[64:]
	}
}

// sum runs stage 3 (Section 9.3) on a copy of the state.
func (r *refState) sum() []byte {
	var m vec
	copy(m[:], r.tail)
	m[len(r.tail)] = 1
	var zero vec
	h := r.p.g(r.n, r.h, m)
	n := refAdd(r.n, refNumber(8*len(r.tail)))
	s := refAdd(r.s, m)
	h = r.p.g(zero, h, n)
	h = r.p.g(zero, h, s)
	if r.size == Size256 {
		return bytes.Clone(h[32:])
	}
	return bytes.Clone(h[:])
}

// marshal encodes the reference state in the package's state format.
func (r *refState) marshal() []byte {
	magic := magic512
	if r.size == Size256 {
		magic = magic256
	}
	b := []byte(magic)
	b = append(b, r.h[:]...)
	b = append(b, r.n[:]...)
	b = append(b, r.s[:]...)
	var buf [64]byte
	copy(buf[:], r.tail)
	b = append(b, buf[:]...)
	return append(b, byte(len(r.tail)))
}

func TestReferenceVectors(t *testing.T) {
	for _, v := range vectors {
		if len(v.msg) > 1000 {
			continue // the reference is slow
		}
		for _, vr := range variants {
			r := newRef(t, vr.size)
			r.write(v.msg)
			if got := hex.EncodeToString(r.sum()); got != vr.want(v) {
				t.Errorf("reference %s/%s = %s, want %s (%s)", v.name, vr.name, got, vr.want(v), v.citation)
			}
		}
	}
}

func testAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, vr := range variants {
		for n := 0; n < 300; n += 1 + rng.IntN(7) {
			msg := make([]byte, n)
			for i := range msg {
				msg[i] = byte(rng.Uint32())
			}
			r := newRef(t, vr.size)
			r.write(msg)
			if got, want := vr.sum(msg), r.sum(); !bytes.Equal(got, want) {
				t.Errorf("%s length %d: %x, reference %x", vr.name, n, got, want)
			}
		}
	}
}

// Messages long enough to carry N out of its lowest 64-bit limb (2^61
// bytes) cannot be hashed for real. Instead the package's state is set,
// through UnmarshalBinary, to N and Σ just below limb boundaries and to the
// wrap-around point 2^512, and the following writes are compared with the
// reference started from the same state.
func testCountersNearLimbBoundaries(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	pow := func(bits int) *big.Int { return new(big.Int).Lsh(big.NewInt(1), uint(bits)) }
	mod := pow(512)
	toVec := func(x *big.Int) vec {
		x = new(big.Int).Mod(x, mod)
		var v vec
		x.FillBytes(v[:])
		for i := range 32 { // big-endian to wire (little-endian) order
			v[i], v[63-i] = v[63-i], v[i]
		}
		return v
	}
	type start struct {
		name string
		n, s *big.Int
	}
	var starts []start
	for limb := 1; limb <= 8; limb++ {
		b := pow(64 * limb)
		starts = append(starts,
			start{"N=2^" + strconv.Itoa(64*limb) + "-512", new(big.Int).Sub(b, big.NewInt(512)), big.NewInt(0)},
			start{"N=2^" + strconv.Itoa(64*limb) + "-8", new(big.Int).Sub(b, big.NewInt(8)), new(big.Int).Sub(b, big.NewInt(1))},
			start{"Σ=2^" + strconv.Itoa(64*limb) + "-1", big.NewInt(1024), new(big.Int).Sub(b, big.NewInt(1))},
		)
	}
	for _, st := range starts {
		for _, vr := range variants {
			for _, tail := range []int{0, 5, 63} {
				for _, more := range []int{0, 1, 64, 200} {
					r := newRef(t, vr.size)
					for i := range r.h {
						r.h[i] = byte(rng.Uint32())
					}
					r.n, r.s = toVec(st.n), toVec(st.s)
					r.tail = make([]byte, tail)
					for i := range r.tail {
						r.tail[i] = byte(rng.Uint32())
					}

					h := vr.new()
					if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(r.marshal()); err != nil {
						t.Fatal(err)
					}
					msg := make([]byte, more)
					for i := range msg {
						msg[i] = byte(rng.Uint32())
					}
					h.Write(msg)
					r.write(msg)
					if got, want := h.Sum(nil), r.sum(); !bytes.Equal(got, want) {
						t.Errorf("%s %s tail %d + %d bytes: %x, reference %x", vr.name, st.name, tail, more, got, want)
					}
					state, _ := h.(encoding.BinaryMarshaler).MarshalBinary()
					if want := r.marshal(); !bytes.Equal(state, want) {
						t.Errorf("%s %s tail %d + %d bytes: state\n%x, reference\n%x", vr.name, st.name, tail, more, state, want)
					}
				}
			}
		}
	}
}

func limbsToBig(x *[8]uint64) *big.Int {
	var b [64]byte
	for i, w := range x {
		binary.BigEndian.PutUint64(b[56-8*i:], w)
	}
	return new(big.Int).SetBytes(b[:])
}

// TestAdd512 checks the N and Σ adders of RFC 6986, Section 9 (addition mod
// 2^512 on little-endian limbs) against math/big on edge values.
func TestAdd512(t *testing.T) {
	const ones = ^uint64(0)
	mod := new(big.Int).Lsh(big.NewInt(1), 512)
	values := [][8]uint64{
		{},
		{1},
		{ones},
		{ones, ones, ones, ones, ones, ones, ones, ones},
		{ones, ones, ones, ones, ones, ones, ones, ones - 1},
		{0, 0, 0, 0, 0, 0, 0, 1 << 63},
		{512},
		{ones - 511, ones, ones, ones, ones, ones, ones, ones},
	}
	// Carries that stop after every limb: all ones up to limb i.
	for i := range 8 {
		var v [8]uint64
		for j := 0; j <= i; j++ {
			v[j] = ones
		}
		values = append(values, v)
		var w [8]uint64
		w[i] = 1
		values = append(values, w)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 50 {
		var v [8]uint64
		for j := range v {
			switch rng.IntN(3) {
			case 0:
				v[j] = ones
			case 1:
				v[j] = rng.Uint64()
			}
		}
		values = append(values, v)
	}
	for _, x := range values {
		for _, y := range values {
			want := new(big.Int).Add(limbsToBig(&x), limbsToBig(&y))
			want.Mod(want, mod)
			got := x
			add512(&got, &y)
			if limbsToBig(&got).Cmp(want) != 0 {
				t.Errorf("add512(%x, %x) = %x, want %x", x, y, got, want)
			}
			if y[1] == 0 && y[2] == 0 && y[3] == 0 && y[4] == 0 && y[5] == 0 && y[6] == 0 && y[7] == 0 {
				got := x
				incN(&got, y[0])
				if limbsToBig(&got).Cmp(want) != 0 {
					t.Errorf("incN(%x, %x) = %x, want %x", x, y[0], got, want)
				}
			}
		}
	}
}

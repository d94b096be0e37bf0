package streebog

import (
	"bytes"
	"encoding"
	"encoding/hex"
	"hash"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// vector is a known answer, all hex in wire order.
type vector struct {
	name     string
	msg      []byte
	sum256   string
	sum512   string
	citation string
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// carryMessage is 64 bytes 0xee, 0x16, 62 bytes 0x11, 0x16: its two blocks
// make Σ carry through every byte (FACTS §1.3).
func carryMessage() []byte {
	m := bytes.Repeat([]byte{0xee}, 64)
	m = append(m, 0x16)
	m = append(m, bytes.Repeat([]byte{0x11}, 62)...)
	return append(m, 0x16)
}

// vectors are the examples of RFC 6986, Section 10 (reversed into wire order,
// see FACTS §1.2), and the extra vectors of FACTS §1.3, which were checked
// with openssl dgst -engine gost.
var vectors = []vector{
	{
		name:     "M1",
		msg:      []byte("012345678901234567890123456789012345678901234567890123456789012"),
		sum256:   "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500",
		sum512:   "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48",
		citation: "RFC 6986, Section 10.1 (example 1), wire order",
	},
	{
		name: "M2",
		msg: mustHex("d1e520e2e5f2f0e82c20d1f2f0e8e1eee6e820e2edf3f6e82c20e2e5fef2fa20f120eceef0ff20f1f2f0e5ebe0ece820" +
			"ede020f5f0e0e1f0fbff20efebfaeafb20c8e3eef0e5e2fb"),
		sum256:   "9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50",
		sum512:   "1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28",
		citation: "RFC 6986, Section 10.2 (example 2), wire order",
	},
	{
		name:     "empty",
		msg:      []byte{},
		sum256:   "3f539a213e97c802cc229d474c6aa32a825a360b2a933a949fd925208d9ce1bb",
		sum512:   "8e945da209aa869f0455928529bcae4679e9873ab707b55315f56ceb98bef0a7362f715528356ee83cda5f2aac4c6ad2ba3a715c1bcd81cb8e9f90bf4c1c1a8a",
		citation: "FACTS §1.3, openssl",
	},
	{
		name:     "1MiB-zeros",
		msg:      make([]byte, 1<<20),
		sum256:   "32dab0b800aef3d78cdc33a66a4835494fb18657666bdddabfd4a699fc5d3208",
		sum512:   "0956b900bf87797f1e24c9ee5432a30c768400a2006e0252c3a2bd358df3a3ae468195894898513f42846df71e056b81dec6f0b3f0de7543aa4275f37b958a4c",
		citation: "FACTS §1.3, openssl",
	},
	{
		name:     "fox",
		msg:      []byte("The quick brown fox jumps over the lazy dog"),
		sum256:   "3e7dea7f2384b6c5a3d0e24aaa29c05e89ddd762145030ec22c71a6db8b2c1f4",
		sum512:   "d2b793a0bb6cb5904828b5b6dcfb443bb8f33efc06ad09368878ae4cdc8245b97e60802469bed1e7c21a64ff0b179a6a1e0bb74d92965450a0adab69162c00fe",
		citation: "FACTS §1.3, openssl",
	},
	{
		name:     "one-block",
		msg:      seq(64),
		sum256:   "1bce2366e4aecd63c75f972bfc6a514e03e2125920bea5b59cbd8ce0be56b8f3",
		sum512:   "2ae581f18ae85e3596c936acbef910f2ed70dcf91ed5d24b39a5af657bf8232a303d686056c8c00bf30d42e16ce255426fa8a155dcb3eb822d925808f7c7e345",
		citation: "FACTS §1.3, openssl",
	},
	{
		name:     "one-block-plus-1",
		msg:      seq(65),
		sum256:   "3ce0351669ec6743d326120c67e27043eb7742a874c61a933c4d8970364cb97c",
		sum512:   "9ceec527f07f832abe16e8274c67dbf2236fd05790426237dc9abfb5eed6daf20847df0c94c754b4e88f09b836890e68303ef8f589dd6e51489cfa9d3bbfdadd",
		citation: "FACTS §1.3, openssl",
	},
	{
		name:     "64xff",
		msg:      bytes.Repeat([]byte{0xff}, 64),
		sum256:   "964a5ab60286f106288743e2fe1a422d160898ca1bd535e831aa500cfe34d7e8",
		sum512:   "41629de677d7e8090c3cd70affe3300d1e1cfba2db97945ec37feb4e1375bc02a53f00370b7d715b07f37f93cac844efadbfd1b85f9ddae3de9656c0e95affc7",
		citation: "FACTS §1.3, openssl",
	},
	{
		name:     "sigma-carry",
		msg:      carryMessage(),
		sum256:   "81bb632fa31fcc38b4c379a662dbc58b9bed83f50d3a1b2ce7271ab02d25babb",
		sum512:   "8b06f41e59907d9636e892caf5942fcdfb71fa31169a5e70f0edb873664df41c2cce6e06dc6755d15a61cdeb92bd607cc4aaca6732bf3568a23a210dd520fd41",
		citation: "FACTS §1.3, openssl; gost-engine's expected results",
	},
}

// variant is one output size, for tests that run over both.
type variant struct {
	name string
	size int
	new  func() hash.Hash
	sum  func([]byte) []byte
	want func(vector) string
}

var variants = []variant{
	{"256", Size256, New256, func(b []byte) []byte { s := Sum256(b); return s[:] }, func(v vector) string { return v.sum256 }},
	{"512", Size512, New512, func(b []byte) []byte { s := Sum512(b); return s[:] }, func(v vector) string { return v.sum512 }},
}

// splitOffsets returns the offsets at which to split a message of length n in
// two writes: every offset for short messages, a sample for long ones.
func splitOffsets(n int) []int {
	if n <= 300 {
		offs := make([]int, n+1)
		for i := range offs {
			offs[i] = i
		}
		return offs
	}
	offs := []int{0, 1, 63, 64, 65, n / 2, n - 65, n - 64, n - 1, n}
	for range 8 {
		offs = append(offs, rand.IntN(n+1))
	}
	return offs
}

func testVectors(t *testing.T) {
	for _, v := range vectors {
		for _, vr := range variants {
			t.Run(v.name+"/"+vr.name, func(t *testing.T) {
				want := vr.want(v)
				check := func(how string, got []byte) {
					t.Helper()
					if g := hex.EncodeToString(got); g != want {
						t.Errorf("%s = %s, want %s (%s)", how, g, want, v.citation)
					}
				}

				check("Sum", vr.sum(v.msg))

				h := vr.new()
				h.Write(v.msg)
				check("one Write", h.Sum(nil))

				for _, i := range splitOffsets(len(v.msg)) {
					h.Reset()
					h.Write(v.msg[:i])
					h.Write(v.msg[i:])
					check("split at "+strconv.Itoa(i), h.Sum(nil))
				}

				h.Reset()
				for i := range v.msg {
					h.Write(v.msg[i : i+1])
				}
				check("byte by byte", h.Sum(nil))

				// A Sum in the middle must not change the state.
				h.Reset()
				half := len(v.msg) / 2
				h.Write(v.msg[:half])
				mid := h.Sum(nil)
				if again := h.Sum(nil); !bytes.Equal(mid, again) {
					t.Errorf("two Sums in a row differ: %x, %x", mid, again)
				}
				if want := vr.sum(v.msg[:half]); !bytes.Equal(mid, want) {
					t.Errorf("Sum of the first half = %x, want %x", mid, want)
				}
				h.Write(v.msg[half:])
				check("Sum in the middle", h.Sum(nil))
			})
		}
	}
}

func TestSizes(t *testing.T) {
	for _, vr := range variants {
		h := vr.new()
		if h.Size() != vr.size {
			t.Errorf("New%s().Size() = %d, want %d", vr.name, h.Size(), vr.size)
		}
		if h.BlockSize() != BlockSize || BlockSize != 64 {
			t.Errorf("New%s().BlockSize() = %d, want 64", vr.name, h.BlockSize())
		}
		if n := len(h.Sum(nil)); n != vr.size {
			t.Errorf("New%s().Sum(nil) has %d bytes, want %d", vr.name, n, vr.size)
		}
	}
	if Size256 != 32 || Size512 != 64 {
		t.Errorf("Size256, Size512 = %d, %d", Size256, Size512)
	}
}

// TestHashInterface reproduces the checklist of Go's internal/testhash,
// which cannot be imported: Sum appends and does not change the state, Write
// never fails, Reset, no reads outside the written slice, stateful writes,
// and Clone.
func testHashInterface(t *testing.T) {
	for _, vr := range variants {
		t.Run(vr.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			random := func(n int) []byte {
				b := make([]byte, n)
				for i := range b {
					b[i] = byte(rng.Uint32())
				}
				return b
			}
			write := func(h hash.Hash, p []byte) {
				t.Helper()
				before := bytes.Clone(p)
				n, err := h.Write(p)
				if err != nil || n != len(p) {
					t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(p))
				}
				if !bytes.Equal(p, before) {
					t.Fatal("Write modified its input")
				}
			}
			sum := func(h hash.Hash, b []byte) []byte {
				t.Helper()
				s1 := h.Sum(bytes.Clone(b))
				s2 := h.Sum(bytes.Clone(b))
				if !bytes.Equal(s1, s2) {
					t.Fatalf("successive Sums differ: %x, %x", s1, s2)
				}
				return s1
			}

			t.Run("SumAppend", func(t *testing.T) {
				h := vr.new()
				for _, prefix := range [][]byte{nil, {}, []byte("a"), random(BlockSize + 1)} {
					h.Reset()
					s := sum(h, prefix)
					if !bytes.Equal(s[:len(prefix)], prefix) {
						t.Errorf("Sum altered the prefix")
					}
					if !bytes.Equal(s[len(prefix):], sum(h, nil)) {
						t.Errorf("Sum depends on the prefix")
					}
					if len(s)-len(prefix) != vr.size {
						t.Errorf("Sum appended %d bytes, want %d", len(s)-len(prefix), vr.size)
					}
				}
			})

			t.Run("WriteWithoutError", func(t *testing.T) {
				h := vr.new()
				for _, p := range [][]byte{nil, {}, []byte("a"), random(BlockSize + 1), random(1000)} {
					write(h, p)
				}
			})

			t.Run("ResetState", func(t *testing.T) {
				h := vr.new()
				empty := sum(h, nil)
				write(h, random(BlockSize))
				h.Reset()
				if got := sum(h, nil); !bytes.Equal(got, empty) {
					t.Errorf("Sum after Reset = %x, want %x", got, empty)
				}
			})

			t.Run("OutOfBoundsRead", func(t *testing.T) {
				for _, n := range []int{1, BlockSize - 1, BlockSize, BlockSize + 1, 3*BlockSize + 5} {
					msg := random(n)
					want := vr.sum(msg)
					buf := random(3 * n)
					copy(buf[n:2*n], msg)
					h := vr.new()
					write(h, buf[n:2*n])
					if got := sum(h, nil); !bytes.Equal(got, want) {
						t.Errorf("length %d: Write read outside its slice", n)
					}
				}
			})

			t.Run("StatefulWrite", func(t *testing.T) {
				prefix, suffix := random(BlockSize), random(BlockSize)
				h := vr.new()
				write(h, prefix)
				write(h, suffix)
				serial := sum(h, nil)
				h.Reset()
				write(h, append(bytes.Clone(prefix), suffix...))
				if got := sum(h, nil); !bytes.Equal(got, serial) {
					t.Errorf("two Writes differ from one")
				}
			})

			t.Run("Clone", func(t *testing.T) {
				h := vr.new().(hash.Cloner)
				h3, err := h.Clone()
				if err != nil {
					t.Fatal(err)
				}
				prefix, suffix := []byte("tmp"), []byte("tmp2")
				write(h, prefix)
				h2, err := h.Clone()
				if err != nil {
					t.Fatal(err)
				}
				prefixSum := sum(h, nil)
				if !bytes.Equal(prefixSum, sum(h2, nil)) {
					t.Fatal("clone differs from original")
				}
				write(h, suffix)
				write(h3, append(bytes.Clone(prefix), suffix...))
				composite := sum(h3, nil)
				if !bytes.Equal(sum(h, nil), composite) {
					t.Fatal("clone of the initial state diverged")
				}
				if !bytes.Equal(sum(h2, nil), prefixSum) {
					t.Fatal("writing to the original changed the clone")
				}
				write(h2, suffix)
				if !bytes.Equal(sum(h2, nil), composite) {
					t.Fatal("clone diverged after writes")
				}
			})
		})
	}
}

func testAllocations(t *testing.T) {
	msg := make([]byte, 1000)
	if n := testing.AllocsPerRun(10, func() { Sum256(msg) }); n > 0 {
		t.Errorf("Sum256 allocates %v times", n)
	}
	if n := testing.AllocsPerRun(10, func() { Sum512(msg) }); n > 0 {
		t.Errorf("Sum512 allocates %v times", n)
	}
	for _, vr := range variants {
		h := vr.new()
		out := make([]byte, 0, Size512)
		if n := testing.AllocsPerRun(10, func() {
			h.Reset()
			h.Write(msg[:3])
			h.Write(msg)
			out = h.Sum(out[:0])
		}); n > 0 {
			t.Errorf("%s: Write+Sum allocates %v times", vr.name, n)
		}
	}
}

// TestMarshalMidStream marshals the state after every prefix length up to
// three blocks (and some longer ones), resumes in a fresh hash and compares
// with hashing in one go.
func testMarshalMidStream(t *testing.T) {
	msg := make([]byte, 1000)
	for i := range msg {
		msg[i] = byte(i*31 + 7)
	}
	offsets := splitOffsets(3 * BlockSize)
	offsets = append(offsets, 500, 511, 512, 513, 1000)
	for _, vr := range variants {
		want := vr.sum(msg)
		for _, off := range offsets {
			h := vr.new()
			h.Write(msg[:off])
			state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if len(state) != marshaledSize {
				t.Fatalf("%s: state is %d bytes, want %d", vr.name, len(state), marshaledSize)
			}
			appended, err := h.(encoding.BinaryAppender).AppendBinary([]byte("prefix"))
			if err != nil || string(appended[:6]) != "prefix" || !bytes.Equal(appended[6:], state) {
				t.Fatalf("%s: AppendBinary does not append the MarshalBinary state", vr.name)
			}

			h2 := vr.new()
			h2.Write([]byte("garbage to be overwritten"))
			if err := h2.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
				t.Fatalf("%s offset %d: %v", vr.name, off, err)
			}
			again, _ := h2.(encoding.BinaryMarshaler).MarshalBinary()
			if !bytes.Equal(again, state) {
				t.Errorf("%s offset %d: marshal(unmarshal(state)) differs", vr.name, off)
			}
			h2.Write(msg[off:])
			if got := h2.Sum(nil); !bytes.Equal(got, want) {
				t.Errorf("%s offset %d: resumed hash = %x, want %x", vr.name, off, got, want)
			}
		}
	}
}

func TestUnmarshalErrors(t *testing.T) {
	h256, h512 := New256(), New512()
	h256.Write([]byte("some data"))
	h512.Write([]byte("some data"))
	s256, _ := h256.(encoding.BinaryMarshaler).MarshalBinary()
	s512, _ := h512.(encoding.BinaryMarshaler).MarshalBinary()

	expectError := func(name string, h hash.Hash, state []byte) {
		t.Helper()
		before, _ := h.(encoding.BinaryMarshaler).MarshalBinary()
		err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(state)
		if err == nil {
			t.Errorf("%s: UnmarshalBinary accepted a bad state", name)
			return
		}
		if !strings.HasPrefix(err.Error(), "streebog: invalid hash state") {
			t.Errorf("%s: error %q lacks the package prefix", name, err)
		}
		after, _ := h.(encoding.BinaryMarshaler).MarshalBinary()
		if !bytes.Equal(before, after) {
			t.Errorf("%s: a failed UnmarshalBinary changed the state", name)
		}
	}

	expectError("512 state into 256", New256(), s512)
	expectError("256 state into 512", New512(), s256)
	for n := range len(s256) {
		expectError("truncated to "+strconv.Itoa(n), New256(), s256[:n])
	}
	expectError("one byte too long", New256(), append(bytes.Clone(s256), 0))
	bad := bytes.Clone(s256)
	bad[0] ^= 1
	expectError("wrong magic", New256(), bad)
	bad = bytes.Clone(s512)
	bad[len(bad)-1] = BlockSize
	expectError("fill length 64", New512(), bad)
	bad[len(bad)-1] = 0xff
	expectError("fill length 255", New512(), bad)
}

// benchSizes are the sub-benchmarks of shared/bench/gobench, so that
// benchstat can put podpis next to the references.
var benchSizes = []struct {
	name string
	n    int
}{
	{"8KiB", 8 << 10},
	{"64KiB", 64 << 10},
	{"1MiB", 1 << 20},
}

func benchmarkHash(b *testing.B, newHash func() hash.Hash) {
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			buf := make([]byte, s.n)
			h := newHash()
			out := make([]byte, 0, Size512)
			b.SetBytes(int64(s.n))
			b.ReportAllocs()
			for b.Loop() {
				h.Reset()
				h.Write(buf)
				out = h.Sum(out[:0])
			}
		})
	}
}

func BenchmarkStreebog256(b *testing.B) { benchmarkHash(b, New256) }

func BenchmarkStreebog512(b *testing.B) { benchmarkHash(b, New512) }

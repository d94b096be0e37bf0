package streebog

import (
	"bufio"
	"math/rand/v2"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// asmImpl is one assembly implementation of blocks (impl_*_test.go lists
// them per build), as crypto/internal/impl registers them in the standard
// library.
type asmImpl struct {
	name      string
	supported bool  // the CPU runs it
	use       *bool // blocks dispatches to it while true
	blocks    func(h, n, sigma *[8]uint64, p []byte, inc uint64)
}

// testAllImplementations runs f once with the generic code and once with
// each assembly implementation that the CPU supports, like the standard
// library's cryptotest.TestAllImplementations.
func testAllImplementations(t *testing.T, f func(t *testing.T)) {
	saved := make([]bool, len(asmImpls))
	for i, impl := range asmImpls {
		saved[i] = *impl.use
	}
	defer func() {
		for i, impl := range asmImpls {
			*impl.use = saved[i]
		}
	}()
	selectImpl := func(name string) {
		for _, impl := range asmImpls {
			*impl.use = impl.name == name
		}
	}

	selectImpl("")
	t.Run("generic", f)
	for _, impl := range asmImpls {
		if !impl.supported {
			t.Logf("%s: not supported by this CPU", impl.name)
			continue
		}
		selectImpl(impl.name)
		t.Run(impl.name, f)
	}
}

func TestVectors(t *testing.T)       { testAllImplementations(t, testVectors) }
func TestHashInterface(t *testing.T) { testAllImplementations(t, testHashInterface) }
func TestMarshalMidStream(t *testing.T) {
	testAllImplementations(t, testMarshalMidStream)
}
func TestAgainstReference(t *testing.T) { testAllImplementations(t, testAgainstReference) }
func TestCountersNearLimbBoundaries(t *testing.T) {
	testAllImplementations(t, testCountersNearLimbBoundaries)
}
func TestOpenSSLGolden(t *testing.T) { testAllImplementations(t, testOpenSSLGolden) }
func TestHMACRFC7836(t *testing.T)   { testAllImplementations(t, testHMACRFC7836) }
func TestAllocations(t *testing.T)   { testAllImplementations(t, testAllocations) }

// randomWords returns eight words that are random, all ones, or one below a
// power of two, so that additions carry often.
func randomWords(rng *rand.Rand) [8]uint64 {
	var w [8]uint64
	for i := range w {
		switch rng.IntN(4) {
		case 0:
			w[i] = ^uint64(0)
		case 1:
			w[i] = ^uint64(0) - uint64(rng.IntN(1<<12))
		default:
			w[i] = rng.Uint64()
		}
	}
	return w
}

// TestBlocksAgainstGeneric calls each assembly implementation directly and
// blocksGeneric on random states (h, N, Σ near carries), messages of 0 to
// 40 blocks at random alignments and increments of N (512 for Write, a tail
// length for Sum, 0 for g_0, random), and compares all three outputs. It
// then does the same through blocks, across the maxAsmBlocks boundary.
func TestBlocksAgainstGeneric(t *testing.T) {
	for _, impl := range asmImpls {
		t.Run(impl.name, func(t *testing.T) {
			if !impl.supported {
				t.Skipf("%s: not supported by this CPU", impl.name)
			}
			rng := rand.New(rand.NewPCG(9, 10))
			buf := make([]byte, 41*BlockSize+7)
			for trial := range 2000 {
				for i := range buf {
					buf[i] = byte(rng.Uint32())
				}
				nb := rng.IntN(41)
				off := rng.IntN(8)
				p := buf[off : off+nb*BlockSize]
				inc := []uint64{512, 0, uint64(8 * rng.IntN(BlockSize)), rng.Uint64()}[rng.IntN(4)]
				h, n, sigma := randomWords(rng), randomWords(rng), randomWords(rng)
				if trial%3 == 0 {
					// N as Write leaves it, a multiple of 512 just below a
					// carry out of one or more limbs.
					n[0] = -(8 * BlockSize * uint64(1+rng.IntN(nb+1)))
				}
				h1, n1, s1 := h, n, sigma
				h2, n2, s2 := h, n, sigma
				blocksGeneric(&h1, &n1, &s1, p, inc)
				impl.blocks(&h2, &n2, &s2, p, inc)
				if h1 != h2 || n1 != n2 || s1 != s2 {
					t.Fatalf("trial %d, %d blocks, inc %#x, from h %x N %x Σ %x:\n"+
						"generic h %x N %x Σ %x\n%s h %x N %x Σ %x",
						trial, nb, inc, h, n, sigma, h1, n1, s1, impl.name, h2, n2, s2)
				}
			}

			defer func(saved bool) { *impl.use = saved }(*impl.use)
			*impl.use = true
			long := make([]byte, (2*maxAsmBlocksForTest+3)*BlockSize)
			for i := range long {
				long[i] = byte(rng.Uint32())
			}
			for _, nb := range []int{maxAsmBlocksForTest - 1, maxAsmBlocksForTest, maxAsmBlocksForTest + 1, 2*maxAsmBlocksForTest + 3} {
				h, n, sigma := randomWords(rng), randomWords(rng), randomWords(rng)
				h1, n1, s1 := h, n, sigma
				h2, n2, s2 := h, n, sigma
				blocksGeneric(&h1, &n1, &s1, long[:nb*BlockSize], 512)
				blocks(&h2, &n2, &s2, long[:nb*BlockSize], 512)
				if h1 != h2 || n1 != n2 || s1 != s2 {
					t.Errorf("blocks over %d blocks differs from blocksGeneric", nb)
				}
			}
		})
	}
}

// FuzzImplementations hashes data, written in two pieces, with the generic
// code and with every supported assembly implementation, and compares.
func FuzzImplementations(f *testing.F) {
	f.Add([]byte("The quick brown fox jumps over the lazy dog"), uint16(7))
	f.Add(make([]byte, 1000), uint16(64))
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		i := int(split) % (len(data) + 1)
		hashAll := func() [][]byte {
			var sums [][]byte
			for _, vr := range variants {
				h := vr.new()
				h.Write(data[:i])
				h.Write(data[i:])
				sums = append(sums, h.Sum(nil))
			}
			return sums
		}
		var want [][]byte
		testAllImplementations(t, func(t *testing.T) {
			got := hashAll()
			if want == nil {
				want = got
			} else if !reflect.DeepEqual(got, want) {
				t.Fatalf("%x, generic %x", got, want)
			}
		})
	})
}

// TestAVX512ConstsLayout checks the #define offsets of block_amd64.s
// against the layout of avx512Consts.
func TestAVX512ConstsLayout(t *testing.T) {
	want := avx512ConstsOffsets()
	if want == nil {
		t.Skip("no AVX-512 kernel in this build")
	}
	f, err := os.Open("block_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string]uintptr{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 3 && fs[0] == "#define" {
			if v, err := strconv.ParseUint(fs[2], 10, 64); err == nil {
				got[fs[1]] = uintptr(v)
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("block_amd64.s defines offsets %v, avx512Consts has %v", got, want)
	}
}

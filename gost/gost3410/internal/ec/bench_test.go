package ec

import (
	"crypto/rand"
	"testing"
)

// allCurves lists every curve with its benchmark name (FACTS §3.1 names).
var allCurves = []struct {
	name  string
	curve func() *Curve
}{
	{"256-test", Test256},
	{"256-cryptopro-a", CryptoProA},
	{"256-cryptopro-b", CryptoProB},
	{"256-cryptopro-c", CryptoProC},
	{"256-tc26-a", TC26256A},
	{"512-test", Test512},
	{"512-tc26-a", TC26512A},
	{"512-tc26-b", TC26512B},
	{"512-tc26-c", TC26512C},
}

// randScalar returns a uniformly random scalar in [1, q−1].
func randScalar(tb testing.TB, c *Curve) []byte {
	tb.Helper()
	for {
		k := make([]byte, c.Size())
		if _, err := rand.Read(k); err != nil {
			tb.Fatal(err)
		}
		if bl := c.sf.bitLen() % 8; bl != 0 {
			k[0] &= 1<<bl - 1 // same bit length as q: few rejections
		}
		if c.ScalarIsValid(k) == 1 {
			return k
		}
	}
}

func BenchmarkSign(b *testing.B) {
	for _, tc := range allCurves {
		b.Run(tc.name, func(b *testing.B) {
			c := tc.curve()
			d, k, e := randScalar(b, c), randScalar(b, c), randScalar(b, c)
			c.Sign(d, e, k) // build the table
			b.ReportAllocs()
			b.ResetTimer()
			defer cpuTimer(b)()
			for range b.N {
				if _, _, err := c.Sign(d, e, k); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, tc := range allCurves {
		b.Run(tc.name, func(b *testing.B) {
			c := tc.curve()
			d, k, e := randScalar(b, c), randScalar(b, c), randScalar(b, c)
			x, y, _ := c.PublicKey(d)
			r, s, err := c.Sign(d, e, k)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			defer cpuTimer(b)()
			for range b.N {
				if !c.Verify(x, y, e, r, s) {
					b.Fatal("verify failed")
				}
			}
		})
	}
}

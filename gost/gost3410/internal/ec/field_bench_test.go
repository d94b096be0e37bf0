package ec

import "testing"

// benchField runs the micro-benchmarks of one field type.
func benchField[E any, P fieldElem[E]](b *testing.B, name string) {
	var x, y E
	P(&x).One()
	P(&y).One()
	P(&y).Add(&y, &y)
	P(&x).Sub(&x, &y) // −1
	P(&y).Invert(&x)
	b.Run("Mul/"+name, func(b *testing.B) {
		b.ReportAllocs()
		defer cpuTimer(b)()
		for range b.N {
			P(&x).Mul(&x, &y)
		}
	})
	b.Run("Square/"+name, func(b *testing.B) {
		b.ReportAllocs()
		defer cpuTimer(b)()
		for range b.N {
			P(&x).Square(&x)
		}
	})
	b.Run("Invert/"+name, func(b *testing.B) {
		b.ReportAllocs()
		defer cpuTimer(b)()
		for range b.N {
			P(&x).Invert(&x)
		}
	})
}

func BenchmarkField(b *testing.B) {
	benchField[gf255p1073](b, "255p1073")
	benchField[gf256m617](b, "256m617")
	benchField[gf255p3225](b, "255p3225")
	benchField[gf256cpc](b, "256cpc")
	benchField[gf512test](b, "512test")
	benchField[gf512m569](b, "512m569")
	benchField[gf511p111](b, "511p111")
}

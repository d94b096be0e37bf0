package cgobench

import (
	"runtime"
	"sync"
	"testing"
)

// Run runs four sub-benchmarks of b on C calls of n iterations, n called
// once, by the first of them to run (with that sub-benchmark's B): prefix+"cgo-1" (one goroutine),
// prefix+"cgo-parallel" (b.RunParallel: GOMAXPROCS goroutines),
// prefix+"pthread-1" and prefix+"pthread-parallel" (GOMAXPROCS C threads).
// ns/op is wall time per call, so cgo-1 ÷ cgo-parallel is what Go reaches and
// pthread-1 ÷ pthread-parallel what the machine gives C. The names are flat
// so that make bench can select them with one -bench level.
func Run(b *testing.B, prefix string, n func(*testing.B) uint64) {
	var (
		once  sync.Once
		count uint64
	)
	iters := func(b *testing.B) uint64 {
		once.Do(func() { count = n(b) })
		return count
	}
	b.Run(prefix+"cgo-1", func(b *testing.B) {
		n := iters(b)
		for b.Loop() {
			Call(n)
		}
	})
	b.Run(prefix+"cgo-parallel", func(b *testing.B) {
		n := iters(b)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				Call(n)
			}
		})
	})
	threads := func(k int) func(*testing.B) {
		return func(b *testing.B) {
			if err := Threads(iters(b), k, uint64(b.N)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run(prefix+"pthread-1", threads(1))
	b.Run(prefix+"pthread-parallel", threads(min(runtime.GOMAXPROCS(0), MaxThreads)))
}

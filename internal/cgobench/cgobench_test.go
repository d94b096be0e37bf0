package cgobench

import (
	"testing"
	"time"
)

func TestIterations(t *testing.T) {
	n := Iterations(50 * time.Microsecond)
	if n < 100 {
		t.Fatalf("Iterations(50µs) = %d: a 50 µs loop cannot be that short", n)
	}
	// A call of n iterations takes about 50 µs; allow for a busy machine.
	best := time.Hour
	for range 20 {
		start := time.Now()
		Call(n)
		best = min(best, time.Since(start))
	}
	if best < 10*time.Microsecond || best > 10*time.Millisecond {
		t.Errorf("a calibrated 50 µs call took %v at best", best)
	}
}

func TestThreads(t *testing.T) {
	if err := Threads(1000, 0, 10); err == nil {
		t.Error("Threads with 0 threads: no error")
	}
	if err := Threads(1000, MaxThreads+1, 10); err == nil {
		t.Error("Threads with 65 threads: no error")
	}
	// The work is done: 3 threads × 1000 calls of a 10 µs loop take time.
	n := Iterations(10 * time.Microsecond)
	start := time.Now()
	if err := Threads(n, 3, 3000); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 3*time.Millisecond {
		t.Errorf("3000 calls of 10 µs on 3 threads took %v: the calls were not made", d)
	}
}

// BenchmarkCgoScaling: one goroutine against GOMAXPROCS goroutines, and one C
// thread against GOMAXPROCS C threads, each op a 30 µs C call (about a
// gosttoken C_Sign here; sign/pkcs11's BenchmarkTokenSign calibrates to the
// token's own time instead).
func BenchmarkCgoScaling(b *testing.B) {
	Run(b, "", func(*testing.B) uint64 { return Iterations(30 * time.Microsecond) })
}

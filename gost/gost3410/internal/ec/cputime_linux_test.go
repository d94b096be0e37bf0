package ec

import (
	"runtime"
	"syscall"
	"testing"
)

// threadCPU returns the CPU time consumed by the calling OS thread, in ns.
func threadCPU() int64 {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// cpuTimer reports "cpu-ns/op", the thread CPU time per iteration, which the
// load of a shared machine disturbs much less than wall time.
func cpuTimer(b *testing.B) func() {
	runtime.LockOSThread()
	start := threadCPU()
	return func() {
		b.ReportMetric(float64(threadCPU()-start)/float64(b.N), "cpu-ns/op")
		runtime.UnlockOSThread()
	}
}

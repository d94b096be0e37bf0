// Package cgobench measures how far C calls of a given length scale when Go
// makes them from several goroutines at once, beside the same calls made from
// plain C threads. It is the reference for sign/pkcs11's two-session figure
// (issue 5): a PKCS#11 C_Sign is such a call, and the Go runtime's handling of
// long cgo calls — sysmon retaking a P whose goroutine has been in C for a
// tick (20 µs, runtime/proc.go retake) and starting a spinning M for it —
// costs CPU that the C calls then lack on a machine with as many cores as
// calls in flight. A benchmark that signs on a token reports its scaling next
// to CgoScaling's, so a shortfall is put where it belongs.
//
// The work is a register-only loop (a 64-bit LCG step per iteration): no
// memory traffic, no system calls, so two calls in flight never contend for
// anything but the CPUs.
package cgobench

/*
#include <pthread.h>
#include <stdint.h>

static uint64_t cgobench_spin(uint64_t n) {
	uint64_t x = 1;
	for (uint64_t i = 0; i < n; i++) {
		// Knuth's MMIX LCG multiplier; the asm keeps x in a register and
		// the loop from being folded.
		x = x * 6364136223846793005ULL + i;
		__asm__ volatile("" : "+r"(x));
	}
	return x;
}

struct cgobench_job {
	uint64_t n, calls;
};

static void *cgobench_worker(void *arg) {
	struct cgobench_job *j = arg;
	for (uint64_t i = 0; i < j->calls; i++) {
		cgobench_spin(j->n);
	}
	return NULL;
}

// cgobench_threads makes calls calls of cgobench_spin(n), split over threads
// POSIX threads (at most 64). It returns 0, or -1 if a thread could not start.
static int cgobench_threads(uint64_t n, int threads, uint64_t calls) {
	pthread_t t[64];
	struct cgobench_job jobs[64];
	int started = 0, rc = 0;
	for (int i = 0; i < threads; i++) {
		jobs[i].n = n;
		jobs[i].calls = calls / threads + ((uint64_t)i < calls % threads);
		if (pthread_create(&t[i], NULL, cgobench_worker, &jobs[i]) != 0) {
			rc = -1;
			break;
		}
		started++;
	}
	for (int i = 0; i < started; i++) {
		pthread_join(t[i], NULL);
	}
	return rc;
}
*/
import "C"

import (
	"errors"
	"slices"
	"time"
)

// MaxThreads bounds Threads' threads argument.
const MaxThreads = 64

// Call makes one C call of n loop iterations.
func Call(n uint64) { C.cgobench_spin(C.uint64_t(n)) }

// Threads makes calls C calls of n iterations, split over threads C threads,
// and returns when all are done. No Go code runs meanwhile: it is one cgo call.
func Threads(n uint64, threads int, calls uint64) error {
	if threads < 1 || threads > MaxThreads {
		return errors.New("cgobench: threads must be 1–64")
	}
	if C.cgobench_threads(C.uint64_t(n), C.int(threads), C.uint64_t(calls)) != 0 {
		return errors.New("cgobench: cannot start a thread")
	}
	return nil
}

// Iterations returns the loop length whose C call takes about d on this
// machine now: the median of 21 timed calls, scaled.
func Iterations(d time.Duration) uint64 {
	const probe = 1 << 16
	times := make([]time.Duration, 21)
	for i := range times {
		start := time.Now()
		Call(probe)
		times[i] = time.Since(start)
	}
	slices.Sort(times)
	med := max(times[len(times)/2], 1)
	return max(uint64(float64(probe)*float64(d)/float64(med)), 1)
}

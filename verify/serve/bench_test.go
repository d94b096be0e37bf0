package serve

import (
	"bytes"
	"io"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// BenchmarkServeVerify is the bounded load test of the verification API on
// loopback: clients (two per CPU) post a detached CMS signature with its
// document over HTTP keep-alive connections, each answer is checked (200,
// TOTAL-PASSED), and it reports requests/s, the p50 and p99 latency, and
// the live heap after the run against before it (flat memory: no growth
// with the number of requests).
func BenchmarkServeVerify(b *testing.B) {
	clients := 2 * runtime.GOMAXPROCS(0)
	// Room for every client: the limit is not what is measured here (503
	// is tested in TestSlowClientAndConcurrency).
	e := newEnv(b, func(c *Config) {
		c.Concurrency = 2 * clients
		c.Logger = discardLogger()
	})
	body, ctype := multipartBody(b, "", file{"doc.sig", e.in.sig}, file{docName, document})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	post := func() error {
		req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/v1/verify", bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("X-API-Key", e.key)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK || !bytes.Contains(data, []byte(`"indication":"TOTAL-PASSED"`)) {
			return &httpError{resp.StatusCode, data}
		}
		return nil
	}
	// Warm up the connections, then measure the heap.
	for range clients {
		if err := post(); err != nil {
			b.Fatal(err)
		}
	}
	before := liveHeap()

	var (
		mu   sync.Mutex
		lats = make([]time.Duration, 0, b.N)
		errs int
	)
	b.SetParallelism(2)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var local []time.Duration
		bad := 0
		for pb.Next() {
			t0 := time.Now()
			if err := post(); err != nil {
				bad++
				if bad == 1 {
					b.Error(err)
				}
			}
			local = append(local, time.Since(t0))
		}
		mu.Lock()
		lats = append(lats, local...)
		errs += bad
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	after := liveHeap()
	if errs > 0 {
		b.Fatalf("%d of %d requests failed", errs, len(lats))
	}
	slices.Sort(lats)
	pct := func(p float64) float64 {
		return float64(lats[min(len(lats)-1, int(p*float64(len(lats))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(len(lats))/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(after-before)/(1<<20), "heap-growth-MB")
}

type httpError struct {
	status int
	body   []byte
}

func (e *httpError) Error() string { return http.StatusText(e.status) + ": " + string(e.body) }

// liveHeap is the heap in use after a collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

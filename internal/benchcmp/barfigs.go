package main

import (
	"fmt"
	"regexp"
	"strings"
)

// The second table: podpis figures that issues 5–9 set bars on and that are not
// "podpis beside the engine" — a token's overhead and scaling, rendering and
// PDF-signing times, МЧД checks, bulk verification. Each is computed from the
// results of Go benchmarks found by name (findBenchmarks), so a benchmark that
// is not written yet is reported as missing and the rest of the report stands.

// A benchFunc is a Go benchmark function the second table reads.
type benchFunc struct {
	name string
	// pkgs are the packages the issues put it in, preferred when the function
	// is declared in several; it is found by name wherever it is.
	pkgs []string
	// cpu is go test's -cpu for it; 0 means GOMAXPROCS.
	cpu int
}

var benchFuncs = []benchFunc{
	{"BenchmarkTokenSign", []string{"sign/pkcs11"}, 0},
	{"BenchmarkRenderOnePage", []string{"pdf"}, 0},
	{"BenchmarkSignPDF", []string{"pdf/pdfsign"}, 0},
	{"BenchmarkStreebog256", []string{pkgStreebog}, 0},
	// Issue 7: "≥ 1,000 checks/s on one core".
	{"BenchmarkCheckMCHD", []string{"verify", "mchd"}, 1},
	{"BenchmarkRenderMCHD", []string{"mchd/form"}, 0},
	{"BenchmarkBulkVerify", []string{"verify/bulk", "verify", "cmd/podpis"}, 0},
	{"BenchmarkServeVerify", []string{"verify/serve"}, 0},
	{"BenchmarkAuthenticate", []string{"tokend"}, 0},
}

func lookupBenchFunc(name string) benchFunc {
	for _, f := range benchFuncs {
		if f.name == name {
			return f
		}
	}
	panic("benchcmp: internal error: no benchFunc " + name)
}

// A limit is an issue's bar on a podpis figure: value ≤ max or value ≥ min.
type limit struct {
	atMost bool
	v      float64
}

func (l limit) met(v float64) bool {
	if l.atMost {
		return v <= l.v
	}
	return v >= l.v
}

func (l limit) String(unit string) string {
	op := "≥"
	if l.atMost {
		op = "≤"
	}
	if unit == "×" {
		return fmt.Sprintf("%s %g×", op, l.v)
	}
	return fmt.Sprintf("%s %g %s", op, l.v, unit)
}

func atMost(v float64) *limit  { return &limit{atMost: true, v: v} }
func atLeast(v float64) *limit { return &limit{v: v} }

// A podpisFigure is one line of the second table.
type podpisFigure struct {
	name  string
	issue int
	unit  string
	bar   *limit // nil: reported without a bar
	// inputs are the Go benchmark results it is computed from, by name
	// without the -GOMAXPROCS suffix ("BenchmarkTokenSign/host-hash").
	inputs []string
	// engine is the engine figure it needs too, or "".
	engine string
	how    string // how it is computed, for the legend under the table
	// value computes it from one round's results (in the order of inputs)
	// and that round's engine figure.
	value func(in []benchLine, engine float64) (float64, error)
}

const (
	tokenHost     = "BenchmarkTokenSign/host-hash"
	tokenParallel = "BenchmarkTokenSign/parallel"
	tokenDirect   = "BenchmarkTokenSign/direct"
	tokenDirectV  = "BenchmarkTokenSign/direct-verified"
	tokenDirectP  = "BenchmarkTokenSign/direct-parallel"
	cgoOne        = "BenchmarkTokenSign/ceiling-cgo-1"
	cgoParallel   = "BenchmarkTokenSign/ceiling-cgo-parallel"
	pthreadOne    = "BenchmarkTokenSign/ceiling-pthread-1"
	pthreadPar    = "BenchmarkTokenSign/ceiling-pthread-parallel"
	signPDF       = "BenchmarkSignPDF/sign"
	streebog1MiB  = "BenchmarkStreebog256/1MiB"
	bulkJobs1     = "BenchmarkBulkVerify/jobs-1"
	bulkJobs2     = "BenchmarkBulkVerify/jobs-2"
	authDirect    = "BenchmarkAuthenticate/direct"
	authDialog    = "BenchmarkAuthenticate/direct-pinentry"
	authTokend    = "BenchmarkAuthenticate/tokend"
)

func opsPerSec(in []benchLine, _ float64) (float64, error) { return 1e9 / in[0].nsPerOp, nil }
func msPerOp(in []benchLine, _ float64) (float64, error)   { return in[0].nsPerOp / 1e6, nil }
func sPerOp(in []benchLine, _ float64) (float64, error)    { return in[0].nsPerOp / 1e9, nil }

// speedup is how many times faster the second input runs than the first:
// ns/op of one ÷ ns/op of the other. For a b.RunParallel benchmark ns/op is
// wall time per operation over all goroutines, so this is the ratio of
// throughputs.
func speedup(in []benchLine, _ float64) (float64, error) { return in[0].nsPerOp / in[1].nsPerOp, nil }

// metric returns the b.ReportMetric value of unit from the first input.
func metric(unit string) func([]benchLine, float64) (float64, error) {
	return func(in []benchLine, _ float64) (float64, error) {
		v, ok := in[0].metrics[unit]
		if !ok {
			return 0, fmt.Errorf("%s reports no %s", in[0].name, unit)
		}
		return v, nil
	}
}

func mbPerSec(l benchLine) (float64, error) {
	if l.mbPerS == 0 {
		return 0, fmt.Errorf("%s reports no MB/s (b.SetBytes missing)", l.name)
	}
	return l.mbPerS, nil
}

// podpisCatalogue lists the second table's figures in report order.
func podpisCatalogue() []podpisFigure {
	return []podpisFigure{
		// Issue 5, "Speed": gosttoken, host hashing, 1 KiB.
		{name: "token/host-hash", issue: 5, unit: "ops/s", inputs: []string{tokenHost},
			how: "1e9 / ns/op of host-hash (Key.Sign on a pool session, Streebog-256 on the host)", value: opsPerSec},
		{name: "token/vs_engine", issue: 5, unit: "×", inputs: []string{tokenHost}, engine: "sign/256-a",
			how:   "token/host-hash ÷ the engine's raw sign/256-a of this run (the token's signatures come from the same engine)",
			value: func(in []benchLine, engine float64) (float64, error) { return 1e9 / in[0].nsPerOp / engine, nil }},
		{name: "token/overhead", issue: 5, unit: "%", bar: atMost(10), inputs: []string{tokenHost, tokenDirect},
			how: "(host-hash − direct) / direct: the library's time per signature over the token's own (C_SignInit + C_Sign on one session)",
			value: func(in []benchLine, _ float64) (float64, error) {
				return (in[0].nsPerOp - in[1].nsPerOp) / in[1].nsPerOp * 100, nil
			}},
		{name: "token/scaling", issue: 5, unit: "×", bar: atLeast(1.6), inputs: []string{tokenHost, tokenParallel},
			how: "host-hash ns/op ÷ parallel ns/op: two sessions against one", value: speedup},
		{name: "token/scaling_raw", issue: 5, unit: "×", inputs: []string{tokenDirectV, tokenDirectP},
			how: "direct-verified ns/op ÷ direct-parallel ns/op: the token through miekg/pkcs11 with no library, a session per goroutine", value: speedup},
		{name: "token/cgo_ceiling", issue: 5, unit: "×", inputs: []string{cgoOne, cgoParallel},
			how: "ceiling-cgo-1 ÷ ceiling-cgo-parallel: a C loop as long as one direct signature, called from one and from GOMAXPROCS goroutines — what Go's cgo reaches here for any call of the token's length (internal/cgobench)", value: speedup},
		{name: "token/c_threads", issue: 5, unit: "×", inputs: []string{pthreadOne, pthreadPar},
			how: "ceiling-pthread-1 ÷ ceiling-pthread-parallel: the same loop from one and from GOMAXPROCS C threads, no Go — what the machine gives", value: speedup},
		{name: "token/vs_ceiling", issue: 5, unit: "%", inputs: []string{tokenHost, tokenParallel, cgoOne, cgoParallel},
			how: "token/scaling ÷ token/cgo_ceiling: how much of what cgo allows the library reaches",
			value: func(in []benchLine, _ float64) (float64, error) {
				return in[0].nsPerOp / in[1].nsPerOp / (in[2].nsPerOp / in[3].nsPerOp) * 100, nil
			}},

		// Issue 6, "Speed and robustness".
		{name: "render/one_page", issue: 6, unit: "ms/op", bar: atMost(20), inputs: []string{"BenchmarkRenderOnePage"},
			how: "BenchmarkRenderOnePage (pdf): text, table, QR code and stamp", value: msPerOp},
		{name: "sign_pdf/time", issue: 6, unit: "ms/op", inputs: []string{signPDF},
			how: "BenchmarkSignPDF/sign (pdf/pdfsign): a 1 MB PDF, GOST 256 file key", value: msPerOp},
		{name: "sign_pdf/throughput", issue: 6, unit: "MB/s", inputs: []string{signPDF},
			how:   "MB/s of BenchmarkSignPDF/sign",
			value: func(in []benchLine, _ float64) (float64, error) { return mbPerSec(in[0]) }},
		{name: "sign_pdf/hash_rate", issue: 6, unit: "MB/s", inputs: []string{streebog1MiB},
			how:   "Streebog-256 over 1 MiB in this run (BenchmarkStreebog256/1MiB, gost/streebog)",
			value: func(in []benchLine, _ float64) (float64, error) { return mbPerSec(in[0]) }},
		{name: "sign_pdf/hashing_share", issue: 6, unit: "%", bar: atLeast(50), inputs: []string{signPDF, streebog1MiB},
			how: "time to hash the signed bytes at sign_pdf/hash_rate ÷ sign time (= signing MB/s ÷ hashing MB/s); \"dominated by hashing\": at least half",
			value: func(in []benchLine, _ float64) (float64, error) {
				sign, err := mbPerSec(in[0])
				if err != nil {
					return 0, err
				}
				hash, err := mbPerSec(in[1])
				return sign / hash * 100, err
			}},

		// Issue 7, "Speed".
		{name: "mchd/check", issue: 7, unit: "checks/s", bar: atLeast(1000), inputs: []string{"BenchmarkCheckMCHD"},
			how: "1e9 / ns/op of BenchmarkCheckMCHD (XML + signature + chain, no network) on one core (-cpu 1)", value: opsPerSec},
		{name: "render/mchd", issue: 7, unit: "ms/op", bar: atMost(50), inputs: []string{"BenchmarkRenderMCHD"},
			how: "BenchmarkRenderMCHD (mchd/form): a typical two-page form", value: msPerOp},

		// Issue 8, "podpis verify --bulk": 10,000 small signed files.
		{name: "bulk_verify/jobs-1", issue: 8, unit: "s/op", inputs: []string{bulkJobs1},
			how: "BenchmarkBulkVerify/jobs-1: one batch with one job", value: sPerOp},
		{name: "bulk_verify/jobs-2", issue: 8, unit: "s/op", inputs: []string{bulkJobs2},
			how: "BenchmarkBulkVerify/jobs-2: one batch with two jobs", value: sPerOp},
		{name: "bulk_verify/speedup", issue: 8, unit: "×", bar: atLeast(1.8), inputs: []string{bulkJobs1, bulkJobs2},
			how: "jobs-1 ns/op ÷ jobs-2 ns/op", value: speedup},

		// Issue 8, "podpis serve": a bounded load test on loopback.
		{name: "serve/throughput", issue: 8, unit: "req/s", inputs: []string{"BenchmarkServeVerify"},
			how: "BenchmarkServeVerify (verify/serve): POST /v1/verify of a detached CMS from 4 clients on loopback, every answer checked", value: metric("req/s")},
		{name: "serve/p99", issue: 8, unit: "ms", inputs: []string{"BenchmarkServeVerify"},
			how: "99th percentile latency of those requests", value: metric("p99-ms")},
		{name: "serve/heap_growth", issue: 8, unit: "MB", inputs: []string{"BenchmarkServeVerify"},
			how: "heap in use after the load minus before (flat memory: near 0)", value: metric("heap-growth-MB")},

		// Issue 9, "Speed": tokend against sign/pkcs11 directly, same run,
		// scripted pinentry.
		{name: "tokend/login", issue: 9, unit: "ms/op", inputs: []string{authTokend},
			how: "BenchmarkAuthenticate/tokend (tokend): one /v1/authenticate on the gosttoken, PIN from the scripted pinentry", value: msPerOp},
		{name: "tokend/overhead", issue: 9, unit: "ms", bar: atMost(5), inputs: []string{authTokend, authDialog},
			how:   "tokend − direct-pinentry: what the daemon adds (HTTP, gate, listing, JSON) to pkcs11.Open + SignContext + Close with the same pinentry dialog",
			value: func(in []benchLine, _ float64) (float64, error) { return (in[0].nsPerOp - in[1].nsPerOp) / 1e6, nil }},
		{name: "tokend/dialog", issue: 9, unit: "ms", inputs: []string{authDialog, authDirect},
			how:   "direct-pinentry − direct: the dialog program's own cost (a process and Assuan), paid by any program asking the person",
			value: func(in []benchLine, _ float64) (float64, error) { return (in[0].nsPerOp - in[1].nsPerOp) / 1e6, nil }},
	}
}

// selectPodpisFigures returns the second table's figures whose names match only (all if nil).
func selectPodpisFigures(only *regexp.Regexp) []podpisFigure {
	var figs []podpisFigure
	for _, f := range podpisCatalogue() {
		if only == nil || only.MatchString(f.name) {
			figs = append(figs, f)
		}
	}
	return figs
}

// benchFuncsFor returns the benchmark functions figs are computed from, in
// first-seen order, each with the sub-benchmarks they need: nil when a figure
// reads the function's own result (then all of it runs).
func benchFuncsFor(figs []podpisFigure) (names []string, subs map[string][]string) {
	subs = map[string][]string{}
	whole := map[string]bool{}
	for _, f := range figs {
		for _, in := range f.inputs {
			fn, sub, _ := strings.Cut(in, "/")
			if _, seen := subs[fn]; !seen && !whole[fn] {
				names = append(names, fn)
			}
			if sub == "" {
				whole[fn] = true
			}
			subs[fn] = appendNew(subs[fn], sub)
		}
	}
	for fn := range whole {
		subs[fn] = nil
	}
	return names, subs
}

// funcRegex is the -bench pattern for one function and the sub-benchmarks
// it needs (all when subs is nil). One function per go test run: a two-level
// pattern would skip a function without sub-benchmarks.
func funcRegex(fn string, subs []string) string {
	if len(subs) == 0 {
		return "^" + regexp.QuoteMeta(fn) + "$"
	}
	quoted := make([]string, len(subs))
	for i, s := range subs {
		quoted[i] = regexp.QuoteMeta(s)
	}
	return "^" + regexp.QuoteMeta(fn) + "$/^(" + strings.Join(quoted, "|") + ")$"
}

// choosePackage picks where to run fn among the packages declaring it: the
// first of the issue's packages that does, else the first in sorted order.
func choosePackage(fn benchFunc, declared []string) string {
	for _, p := range fn.pkgs {
		for _, d := range declared {
			if d == p {
				return p
			}
		}
	}
	if len(declared) > 0 {
		return declared[0]
	}
	return ""
}

// resultFor finds an input among one round's results: by its exact name, or,
// for a whole function ("BenchmarkCheckMCHD") that turned out to have exactly
// one sub-benchmark, that one's.
func resultFor(results map[string]benchLine, input string) (benchLine, bool) {
	if l, ok := results[input]; ok {
		return l, true
	}
	if strings.Contains(input, "/") {
		return benchLine{}, false
	}
	var only []benchLine
	for name, l := range results {
		if strings.HasPrefix(name, input+"/") {
			only = append(only, l)
		}
	}
	if len(only) == 1 {
		return only[0], true
	}
	return benchLine{}, false
}

// podpisRuns are the second table's Go benchmark results of all rounds.
type podpisRuns struct {
	rounds []map[string]benchLine // per round: result name (no -N suffix) → its line
	pkg    map[string]string      // function → the package it runs in; absent: declared nowhere
	errs   map[string]string      // function → why it gave no results, or not all
}

// noBenchmarkYet starts a podpisRow's Missing when no package declares the
// benchmark function; the table shows it as "missing (no benchmark yet)".
const noBenchmarkYet = "no benchmark yet: "

// A podpisRow is one line of the second table.
type podpisRow struct {
	Figure  string   `json:"figure"`
	Issue   int      `json:"issue"`
	Value   *float64 `json:"value"` // median over the rounds; null when missing
	Unit    string   `json:"unit"`
	Bar     string   `json:"bar,omitempty"`     // e.g. "≤ 10 %"; empty when the figure has none
	Met     *bool    `json:"met,omitempty"`     // whether Value meets Bar; null without either
	Missing string   `json:"missing,omitempty"` // why there is no value
	From    string   `json:"from"`              // how the value is computed
	Rounds  int      `json:"rounds"`            // rounds whose results it is the median of
	// Inputs are the medians of the ns/op it was computed from, over those
	// rounds, by benchmark name: what the closing notes quote beside it.
	Inputs map[string]float64 `json:"inputs_ns_per_op,omitempty"`
}

// makePodpisRows computes each figure per round from that round's results
// (and engine figure), so that figures read from two benchmarks compare
// results of the same stretch of time, and reports the median over the rounds.
// engine holds the engine's figures by name, one per round.
func makePodpisRows(figs []podpisFigure, runs podpisRuns, engine map[string][]float64) []podpisRow {
	var rows []podpisRow
	for _, f := range figs {
		r := podpisRow{Figure: f.name, Issue: f.issue, Unit: f.unit, From: f.how}
		if f.bar != nil {
			r.Bar = f.bar.String(f.unit)
		}
		var values []float64
		var valueErr error
		inputs := map[string][]float64{}
	rounds:
		for round, results := range runs.rounds {
			in := make([]benchLine, len(f.inputs))
			for i, name := range f.inputs {
				l, ok := resultFor(results, name)
				if !ok {
					continue rounds
				}
				in[i] = l
			}
			var e float64
			if f.engine != "" {
				if round >= len(engine[f.engine]) {
					continue
				}
				e = engine[f.engine][round]
			}
			v, err := f.value(in, e)
			if err != nil {
				valueErr = err
				continue
			}
			values = append(values, v)
			for i, name := range f.inputs {
				inputs[name] = append(inputs[name], in[i].nsPerOp)
			}
		}
		if len(values) == 0 {
			r.Missing = missingReason(f, runs, valueErr)
			rows = append(rows, r)
			continue
		}
		v := median(values)
		r.Value, r.Rounds, r.Inputs = &v, len(values), medians(inputs)
		if f.bar != nil {
			met := f.bar.met(v)
			r.Met = &met
		}
		rows = append(rows, r)
	}
	return rows
}

// missingReason says why figure f got no value in any round.
func missingReason(f podpisFigure, runs podpisRuns, valueErr error) string {
	if valueErr != nil {
		return valueErr.Error()
	}
	for _, input := range f.inputs {
		fn, _, _ := strings.Cut(input, "/")
		pkg, declared := runs.pkg[fn]
		if !declared {
			return noBenchmarkYet + fn
		}
		if why, failed := runs.errs[fn]; failed {
			return pkg + ": " + why
		}
		seen := false
		for _, results := range runs.rounds {
			if _, ok := resultFor(results, input); ok {
				seen = true
			}
		}
		if !seen {
			return "no result " + input + " from ./" + pkg
		}
	}
	return "its inputs were never measured in the same round"
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The files in testdata are real `go test -bench -benchtime 1s` output of the
// podpis benchmarks the second table reads, captured on 2026-11-23 on the
// shared 2-core machine while other work ran (so the figures are noisy; the
// tests check arithmetic, not speed): BenchmarkTokenSign (sign/pkcs11),
// BenchmarkRenderOnePage (pdf), BenchmarkSignPDF (pdf/pdfsign),
// BenchmarkStreebog256/1MiB (gost/streebog), BenchmarkRenderMCHD (mchd/form),
// and BenchmarkCheckMCHD (verify) run with -cpu 1, so without a -N suffix.
func readResults(t *testing.T, results map[string]benchLine, file string, procs int) {
	t.Helper()
	out, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	lines, err := parseBenchOutput(string(out), procs)
	if err != nil || len(lines) == 0 {
		t.Fatalf("%s: %v, %d lines", file, err, len(lines))
	}
	for _, l := range lines {
		results[l.name] = l
	}
}

func realRound(t *testing.T) map[string]benchLine {
	results := map[string]benchLine{}
	readResults(t, results, "tokensign.txt", 2)
	readResults(t, results, "renderonepage.txt", 2)
	readResults(t, results, "signpdf.txt", 2)
	readResults(t, results, "streebog256_1mib.txt", 2)
	readResults(t, results, "rendermchd.txt", 2)
	readResults(t, results, "checkmchd_cpu1.txt", 1)
	return results
}

// ranEverythingBut is where benchmarks ran when every function but the ones named was found.
func ranEverythingBut(absent ...string) map[string]string {
	pkgs := map[string]string{}
	for _, f := range benchFuncs {
		if !slices.Contains(absent, f.name) {
			pkgs[f.name] = f.pkgs[0]
		}
	}
	return pkgs
}

func rowsByName(rows []podpisRow) map[string]podpisRow {
	m := map[string]podpisRow{}
	for _, r := range rows {
		m[r.Figure] = r
	}
	return m
}

func TestPodpisFiguresFromRealOutput(t *testing.T) {
	results := realRound(t)
	if l := results["BenchmarkTokenSign/direct-verified"]; l.nsPerOp != 453937 || l.mbPerS != 2.26 {
		t.Errorf("direct-verified = %+v", l)
	}
	if l := results["BenchmarkCheckMCHD"]; l.nsPerOp != 32552514 {
		t.Errorf("BenchmarkCheckMCHD (-cpu 1) = %+v", l)
	}
	runs := podpisRuns{
		rounds: []map[string]benchLine{results},
		pkg:    ranEverythingBut("BenchmarkBulkVerify"),
		errs:   map[string]string{},
	}
	const engineSign = 21400.0 // sign/256-a ops/s
	rows := makePodpisRows(podpisCatalogue(), runs, map[string][]float64{"sign/256-a": {engineSign}})
	if len(rows) != len(podpisCatalogue()) {
		t.Fatalf("%d rows", len(rows))
	}
	got := rowsByName(rows)
	check := func(name string, want float64, met ...bool) {
		t.Helper()
		r := got[name]
		if r.Value == nil || math.Abs(*r.Value-want) > 1e-9*math.Abs(want) || r.Missing != "" || r.Rounds != 1 {
			t.Errorf("%s = %+v, want value %v", name, r, want)
			return
		}
		switch {
		case len(met) == 0 && (r.Met != nil || r.Bar != ""):
			t.Errorf("%s: has a bar: %+v", name, r)
		case len(met) == 1 && (r.Met == nil || *r.Met != met[0]):
			t.Errorf("%s: met %v, want %v (%+v)", name, r.Met, met[0], r)
		}
	}
	check("token/host-hash", 1e9/80217)
	check("token/vs_engine", 1e9/80217/engineSign)
	check("token/overhead", (80217.0-96643)/96643*100, true) // negative on this noisy run: met
	check("token/scaling", 80217.0/72097, false)             // 1.11×: below 1.6×
	check("token/scaling_raw", 453937.0/306958)
	check("token/cgo_ceiling", 31000.0/20000)
	check("token/c_threads", 29000.0/15000)
	check("token/vs_ceiling", 80217.0/72097/(31000.0/20000)*100)
	check("render/one_page", 18.236312, true)
	check("sign_pdf/time", 5.461219)
	check("sign_pdf/throughput", 192.11)
	check("sign_pdf/hash_rate", 236.15)
	check("sign_pdf/hashing_share", 192.11/236.15*100, true)
	check("mchd/check", 1e9/32552514, false)
	check("render/mchd", 44.694993, true)
	for _, name := range []string{"bulk_verify/jobs-1", "bulk_verify/jobs-2", "bulk_verify/speedup"} {
		if r := got[name]; r.Value != nil || r.Met != nil || r.Missing != noBenchmarkYet+"BenchmarkBulkVerify" {
			t.Errorf("%s = %+v", name, r)
		}
	}
	if r := got["bulk_verify/speedup"]; r.Bar != "≥ 1.8×" {
		t.Errorf("bulk_verify/speedup bar %q", r.Bar)
	}
	if r := got["mchd/check"]; r.Bar != "≥ 1000 checks/s" {
		t.Errorf("mchd/check bar %q", r.Bar)
	}
}

// Figures read from two benchmarks are computed per round, then the median is
// taken: the ratio of one round's pair, not a ratio of medians from different
// rounds.
func TestPodpisMedianPerRound(t *testing.T) {
	round := func(host, parallel float64) map[string]benchLine {
		return map[string]benchLine{
			tokenHost:     {name: tokenHost, nsPerOp: host},
			tokenParallel: {name: tokenParallel, nsPerOp: parallel},
		}
	}
	// Per round: 2.0, 1.5, 1.0 → median 1.5. Medians first would give
	// 200/100 = 2.0.
	runs := podpisRuns{
		rounds: []map[string]benchLine{round(200, 100), round(300, 200), round(100, 100)},
		pkg:    ranEverythingBut(),
	}
	rows := makePodpisRows(selectPodpisFigures(regexp.MustCompile(`^token/(scaling|host-hash)$`)), runs, nil)
	got := rowsByName(rows)
	if r := got["token/scaling"]; r.Value == nil || *r.Value != 1.5 || r.Rounds != 3 || *r.Met {
		t.Errorf("token/scaling = %+v", r)
	}
	if r := got["token/scaling"]; !maps.Equal(r.Inputs, map[string]float64{tokenHost: 200, tokenParallel: 100}) {
		t.Errorf("token/scaling inputs %v", r.Inputs)
	}
	if r := got["token/host-hash"]; r.Value == nil || *r.Value != 1e9/200 {
		t.Errorf("token/host-hash = %+v", r)
	}

	// A round that lacks one input does not count; one engine figure per round.
	runs.rounds[1] = map[string]benchLine{tokenHost: {name: tokenHost, nsPerOp: 300}}
	rows = makePodpisRows(selectPodpisFigures(regexp.MustCompile(`^token/(scaling|vs_engine)$`)), runs,
		map[string][]float64{"sign/256-a": {10000, 1000, 5000}})
	got = rowsByName(rows)
	if r := got["token/scaling"]; r.Value == nil || *r.Value != 1.5 || r.Rounds != 2 {
		t.Errorf("token/scaling with a round short = %+v", r)
	}
	if r := got["token/vs_engine"]; r.Value == nil || math.Abs(*r.Value-1e9/100/5000) > 1e-9 || r.Rounds != 3 {
		t.Errorf("token/vs_engine = %+v", r) // per round 500, 3333, 2000
	}
}

func TestPodpisMissing(t *testing.T) {
	results := realRound(t)
	delete(results, "BenchmarkSignPDF/sign")
	delete(results, "BenchmarkRenderMCHD") // declared nowhere, so never run
	signNoBytes := results["BenchmarkStreebog256/1MiB"]
	signNoBytes.mbPerS = 0
	results["BenchmarkStreebog256/1MiB"] = signNoBytes
	runs := podpisRuns{
		rounds: []map[string]benchLine{results},
		pkg:    ranEverythingBut("BenchmarkRenderMCHD"),
		errs:   map[string]string{"BenchmarkTokenSign": "go test failed: newGostToken: cc not found"},
	}
	for name := range results {
		if strings.HasPrefix(name, "BenchmarkTokenSign/") && name != tokenHost {
			delete(results, name) // failed after host-hash
		}
	}
	got := rowsByName(makePodpisRows(podpisCatalogue(), runs, map[string][]float64{"sign/256-a": {20000}}))
	for name, want := range map[string]string{
		"token/overhead":         "sign/pkcs11: go test failed: newGostToken: cc not found",
		"token/scaling":          "sign/pkcs11: go test failed: newGostToken: cc not found",
		"sign_pdf/time":          "no result BenchmarkSignPDF/sign from ./pdf/pdfsign",
		"sign_pdf/hashing_share": "no result BenchmarkSignPDF/sign from ./pdf/pdfsign",
		"sign_pdf/hash_rate":     "BenchmarkStreebog256/1MiB reports no MB/s (b.SetBytes missing)",
		"render/mchd":            noBenchmarkYet + "BenchmarkRenderMCHD",
	} {
		if r := got[name]; r.Missing != want || r.Value != nil || r.Met != nil {
			t.Errorf("%s = %+v, want missing %q", name, r, want)
		}
	}
	// What the failing function measured before it failed still counts.
	if r := got["token/host-hash"]; r.Value == nil || r.Missing != "" {
		t.Errorf("token/host-hash = %+v", r)
	}
	if r := got["render/one_page"]; r.Value == nil || !*r.Met {
		t.Errorf("render/one_page = %+v", r)
	}
}

func TestResultFor(t *testing.T) {
	results := map[string]benchLine{
		"BenchmarkCheckMCHD/typical": {name: "BenchmarkCheckMCHD/typical", nsPerOp: 1},
		"BenchmarkRenderMCHD/a":      {name: "BenchmarkRenderMCHD/a", nsPerOp: 2},
		"BenchmarkRenderMCHD/b":      {name: "BenchmarkRenderMCHD/b", nsPerOp: 3},
		"BenchmarkRenderOnePage":     {name: "BenchmarkRenderOnePage", nsPerOp: 4},
	}
	for input, want := range map[string]float64{
		"BenchmarkCheckMCHD":         1, // its only sub-benchmark
		"BenchmarkCheckMCHD/typical": 1,
		"BenchmarkRenderMCHD":        0, // two: which one is meant is unknown
		"BenchmarkRenderOnePage":     4,
		"BenchmarkRenderOnePage/x":   0,
		"BenchmarkCheck":             0, // a prefix of another name is not it
	} {
		l, ok := resultFor(results, input)
		if ok != (want != 0) || l.nsPerOp != want {
			t.Errorf("resultFor(%s) = %+v, %v", input, l, ok)
		}
	}
}

func TestLimit(t *testing.T) {
	for _, c := range []struct {
		l    *limit
		unit string
		v    float64
		met  bool
		text string
	}{
		{atMost(20), "ms/op", 20, true, "≤ 20 ms/op"},
		{atMost(20), "ms/op", 20.01, false, "≤ 20 ms/op"},
		{atMost(10), "%", -17, true, "≤ 10 %"},
		{atLeast(1.6), "×", 1.6, true, "≥ 1.6×"},
		{atLeast(1.6), "×", 1.59, false, "≥ 1.6×"},
		{atLeast(1000), "checks/s", 999, false, "≥ 1000 checks/s"},
	} {
		if got := c.l.met(c.v); got != c.met {
			t.Errorf("%s met(%v) = %v", c.text, c.v, got)
		}
		if got := c.l.String(c.unit); got != c.text {
			t.Errorf("String = %q, want %q", got, c.text)
		}
	}
}

func TestPodpisSelection(t *testing.T) {
	var names []string
	for _, f := range selectPodpisFigures(regexp.MustCompile(`^token/|render|sign_pdf`)) {
		names = append(names, f.name)
	}
	want := []string{"token/host-hash", "token/vs_engine", "token/overhead", "token/scaling", "token/scaling_raw",
		"token/cgo_ceiling", "token/c_threads", "token/vs_ceiling",
		"render/one_page", "sign_pdf/time", "sign_pdf/throughput", "sign_pdf/hash_rate", "sign_pdf/hashing_share", "render/mchd"}
	if !slices.Equal(names, want) {
		t.Errorf("selected %v", names)
	}
	// The first table's selectors keep meaning what they meant.
	for _, only := range []string{`^sign/`, `^verify/`, `512`, `cms_verify`} {
		if figs := selectPodpisFigures(regexp.MustCompile(only)); len(figs) != 0 {
			t.Errorf("-only %s selects %d podpis figures", only, len(figs))
		}
	}
	if got := engineNames(nil, selectPodpisFigures(regexp.MustCompile(`token`))); !slices.Equal(got, []string{"sign/256-a"}) {
		t.Errorf("engine figures for token: %v", got)
	}
	if got := engineNames(nil, selectPodpisFigures(regexp.MustCompile(`render|mchd`))); len(got) != 0 {
		t.Errorf("engine figures for render, mchd: %v", got)
	}

	funcs, subs := benchFuncsFor(selectPodpisFigures(regexp.MustCompile(`token/(overhead|host)|sign_pdf|mchd/check`)))
	if !slices.Equal(funcs, []string{"BenchmarkTokenSign", "BenchmarkSignPDF", "BenchmarkStreebog256", "BenchmarkCheckMCHD"}) {
		t.Errorf("functions %v", funcs)
	}
	for fn, want := range map[string]string{
		"BenchmarkTokenSign":   `^BenchmarkTokenSign$/^(host-hash|direct)$`,
		"BenchmarkSignPDF":     `^BenchmarkSignPDF$/^(sign)$`,
		"BenchmarkStreebog256": `^BenchmarkStreebog256$/^(1MiB)$`,
		"BenchmarkCheckMCHD":   `^BenchmarkCheckMCHD$`,
	} {
		if got := funcRegex(fn, subs[fn]); got != want {
			t.Errorf("funcRegex(%s) = %s, want %s", fn, got, want)
		}
	}
	// Every input names a function benchFuncs knows (lookupBenchFunc panics otherwise).
	for _, f := range podpisCatalogue() {
		for _, in := range f.inputs {
			fn, _, _ := strings.Cut(in, "/")
			if bf := lookupBenchFunc(fn); len(bf.pkgs) == 0 {
				t.Errorf("%s: no package for %s", f.name, fn)
			}
		}
	}
	if bf := lookupBenchFunc("BenchmarkCheckMCHD"); bf.cpu != 1 {
		t.Errorf("BenchmarkCheckMCHD runs with -cpu %d, want 1 (one core)", bf.cpu)
	}
}

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFindBenchmarks(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"go.mod":                    "module example.com/fake\n\ngo 1.26\n",
		"mchd/a_test.go":            "package mchd\n\nimport \"testing\"\n\nfunc BenchmarkCheckMCHD(b *testing.B) {}\n",
		"verify/b_test.go":          "package verify\n\nimport \"testing\"\n\nfunc BenchmarkCheckMCHD(b *testing.B) {}\n\nfunc broken( {\n",
		"verify/c_test.go":          "//go:build ignore\n\npackage verify\n\nimport \"testing\"\n\nfunc BenchmarkBulkVerify(b *testing.B) {}\n",
		"verify/d.go":               "package verify\n\nimport \"testing\"\n\nfunc BenchmarkRenderMCHD(b *testing.B) {}\n",
		"verify/e_test.go":          "package verify\n\nimport \"testing\"\n\ntype T struct{}\n\nfunc (T) BenchmarkRenderOnePage(b *testing.B) {}\n",
		"verify/testdata/f_test.go": "package x\n\nimport \"testing\"\n\nfunc BenchmarkSignPDF(b *testing.B) {}\n",
		"verify/j_test.go":          "//go:build ignore\n\npackage verify\n\nimport \"testing\"\n\nfunc BenchmarkSignPDF(b *testing.B) {}\n",
		"_old/g_test.go":            "package x\n\nimport \"testing\"\n\nfunc BenchmarkSignPDF(b *testing.B) {}\n",
		"tools/go.mod":              "module example.com/tools\n",
		"tools/h_test.go":           "package tools\n\nimport \"testing\"\n\nfunc BenchmarkSignPDF(b *testing.B) {}\n",
		"pdf/pdfsign/i_test.go":     "package pdfsign\n\nimport \"testing\"\n\nfunc BenchmarkSignPDF(b *testing.B) {}\n",
	})
	names := []string{"BenchmarkCheckMCHD", "BenchmarkBulkVerify", "BenchmarkRenderMCHD", "BenchmarkRenderOnePage", "BenchmarkSignPDF"}
	found, err := findBenchmarks(root, names)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"BenchmarkCheckMCHD": {"mchd", "verify"}, // the second file is broken after the declaration
		"BenchmarkSignPDF":   {"pdf/pdfsign"},    // not in testdata, _old or another module
	}
	if len(found.pkgs) != len(want) || !slices.Equal(found.pkgs["BenchmarkCheckMCHD"], want["BenchmarkCheckMCHD"]) ||
		!slices.Equal(found.pkgs["BenchmarkSignPDF"], want["BenchmarkSignPDF"]) {
		t.Errorf("found %v, want %v", found.pkgs, want)
	}
	// Declared only where build constraints exclude it: noted apart, so the
	// report can say so instead of "no benchmark yet".
	if !maps.Equal(found.excluded, map[string]string{"BenchmarkBulkVerify": "verify/c_test.go"}) {
		t.Errorf("excluded %v", found.excluded)
	}
	check := lookupBenchFunc("BenchmarkCheckMCHD")
	for _, c := range []struct {
		declared []string
		want     string
	}{
		{[]string{"mchd", "verify"}, "verify"}, // the package first
		{[]string{"mchd"}, "mchd"},
		{[]string{"cmd/podpis", "internal/x"}, "cmd/podpis"}, // elsewhere: the first by name
		{nil, ""},
	} {
		if got := choosePackage(check, c.declared); got != c.want {
			t.Errorf("choosePackage(%v) = %q, want %q", c.declared, got, c.want)
		}
	}
}

// TestMeasurePodpis runs the second table's whole path, go test included, on a
// throwaway module: BenchmarkRenderOnePage; BenchmarkCheckMCHD, which fails
// unless it runs on one core; BenchmarkBulkVerify with jobs-1 and jobs-2 (and
// -2 suffixes from -cpu 2 to strip); BenchmarkSignPDF in a package that does
// not compile; BenchmarkRenderMCHD in a file no build includes;
// BenchmarkTokenSign nowhere.
func TestMeasurePodpis(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test")
	}
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"go.mod": "module example.com/fake\n\ngo 1.26\n",
		"pdf/r_test.go": `package pdf

import ("testing"; "time")

func BenchmarkRenderOnePage(b *testing.B) {
	for b.Loop() {
		time.Sleep(time.Millisecond)
	}
}
`,
		"verify/v_test.go": `package verify

import ("runtime"; "testing"; "time")

func BenchmarkCheckMCHD(b *testing.B) {
	if runtime.GOMAXPROCS(0) != 1 {
		b.Fatal("not on one core")
	}
	for b.Loop() {
	}
}

func BenchmarkBulkVerify(b *testing.B) {
	for _, jobs := range []int{1, 2} {
		b.Run("jobs-"+string(rune('0'+jobs)), func(b *testing.B) {
			for b.Loop() {
				time.Sleep(time.Duration(4/jobs) * time.Millisecond)
			}
		})
	}
}
`,
		"mchd/form/f_test.go":   "//go:build cgo && !cgo\n\npackage form\n\nimport \"testing\"\n\nfunc BenchmarkRenderMCHD(b *testing.B) {}\n",
		"pdf/pdfsign/s.go":      "package pdfsign\n\nfunc broken() int { return \"x\" }\n",
		"pdf/pdfsign/s_test.go": "package pdfsign\n\nimport \"testing\"\n\nfunc BenchmarkSignPDF(b *testing.B) {}\n",
	})
	figs := selectPodpisFigures(regexp.MustCompile(`^(render/(one_page|mchd)|mchd/check|bulk_verify/.*|sign_pdf/time|token/overhead)$`))
	opts := options{benchtime: 20 * time.Millisecond, count: 2}
	var progress bytes.Buffer
	m, err := measure(context.Background(), opts, nil, figs, "", root, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.bars.rounds) != 2 || m.bars.pkg["BenchmarkCheckMCHD"] != "verify" {
		t.Fatalf("runs: %+v", m.bars)
	}
	if why := m.bars.errs["BenchmarkCheckMCHD"]; why != "" {
		t.Errorf("BenchmarkCheckMCHD: %s", why)
	}
	if n := strings.Count(progress.String(), "running BenchmarkSignPDF"); n != 1 {
		t.Errorf("the broken package ran %d times, want once:\n%s", n, progress.String())
	}
	rows := makePodpisRows(figs, m.bars, m.engine)
	got := rowsByName(rows)
	for _, name := range []string{"render/one_page", "mchd/check", "bulk_verify/jobs-1", "bulk_verify/jobs-2", "bulk_verify/speedup"} {
		if r := got[name]; r.Value == nil || r.Rounds != 2 || r.Missing != "" {
			t.Errorf("%s = %+v (errors %v)", name, r, m.bars.errs)
		}
	}
	if r := got["render/one_page"]; r.Value != nil && (*r.Value < 1 || !*r.Met) {
		t.Errorf("render/one_page = %v ms/op, met %v", *r.Value, *r.Met)
	}
	if r := got["bulk_verify/speedup"]; r.Value != nil && *r.Value < 1.2 {
		t.Errorf("bulk_verify/speedup = %v, want about 2", *r.Value)
	}
	if r := got["sign_pdf/time"]; !strings.HasPrefix(r.Missing, "pdf/pdfsign: go test failed: ") || !strings.Contains(r.Missing, "s.go") {
		t.Errorf("sign_pdf/time = %+v", r)
	}
	if r := got["render/mchd"]; r.Missing != "mchd/form: declared only in mchd/form/f_test.go, which build constraints exclude here (cgo off?)" {
		t.Errorf("render/mchd = %+v", r)
	}
	if strings.Contains(progress.String(), "running BenchmarkRenderMCHD") {
		t.Errorf("an excluded benchmark ran:\n%s", progress.String())
	}
	if r := got["token/overhead"]; r.Missing != noBenchmarkYet+"BenchmarkTokenSign" {
		t.Errorf("token/overhead = %+v", r)
	}
}

func TestWritePodpisReport(t *testing.T) {
	results := realRound(t)
	runs := podpisRuns{rounds: []map[string]benchLine{results}, pkg: ranEverythingBut("BenchmarkBulkVerify"), errs: map[string]string{}}
	rep := report{
		Benchtime: "1s", Count: 1, Engine: "OpenSSL test", Go: "go test", Procs: 2,
		Podpis:    makePodpisRows(podpisCatalogue(), runs, map[string][]float64{"sign/256-a": {21400}}),
		BenchPkgs: runs.pkg,
	}
	var text bytes.Buffer
	if err := writeTable(&text, rep); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	for _, want := range []string{
		"podpis figures with bars",
		"token/overhead          -17.0  %         ≤ 10 %           met",
		"token/scaling            1.11  ×         ≥ 1.6×           BELOW BAR",
		"render/one_page         18.24  ms/op     ≤ 20 ms/op       met",
		"mchd/check                 31  checks/s  ≥ 1000 checks/s  BELOW BAR",
		"bulk_verify/speedup         —  ×         ≥ 1.8×           missing (no benchmark yet)",
		"missing benchmarks: BenchmarkBulkVerify\n",
		"BenchmarkTokenSign (sign/pkcs11)",
		"2 of 24 podpis figures BELOW BAR, 9 missing.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "podpis vs OpenSSL GOST engine") {
		t.Errorf("engine table printed without engine figures:\n%s", out)
	}

	var js bytes.Buffer
	if err := writeJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Podpis []struct {
			Figure  string
			Value   *float64
			Bar     string
			Met     *bool
			Missing string
		} `json:"podpis_figures"`
		BelowBar int `json:"podpis_below_bar"`
		Missing  int `json:"podpis_missing"`
	}
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatalf("%v\n%s", err, js.String())
	}
	if len(back.Podpis) != 24 || back.BelowBar != 2 || back.Missing != 9 {
		t.Fatalf("JSON read back as %+v", back)
	}
	for _, r := range back.Podpis {
		switch r.Figure {
		case "token/scaling":
			if r.Value == nil || r.Met == nil || *r.Met || r.Bar != "≥ 1.6×" {
				t.Errorf("JSON %+v", r)
			}
		case "bulk_verify/speedup":
			if r.Value != nil || r.Met != nil || r.Missing != noBenchmarkYet+"BenchmarkBulkVerify" {
				t.Errorf("JSON %+v", r)
			}
		case "sign_pdf/time":
			if r.Value == nil || r.Met != nil || r.Bar != "" {
				t.Errorf("JSON %+v", r)
			}
		}
	}
}

func TestGoTestReason(t *testing.T) {
	for out, want := range map[string]string{
		"goos: linux\nBenchmarkCheckMCHD\n--- FAIL: BenchmarkCheckMCHD\n    v_test.go:7: not on one core\nFAIL\nexit status 1\n": "--- FAIL: BenchmarkCheckMCHD v_test.go:7: not on one core",
		"# example.com/fake/pdf\npdf/s.go:3:28: cannot use \"x\"\nFAIL\texample.com/fake/pdf [build failed]\n":                   "pdf/s.go:3:28: cannot use \"x\"",
		"BenchmarkX-2\npanic: runtime error: index out of range [recovered]\n":                                                   "panic: runtime error: index out of range [recovered]",
		"--- FAIL: BenchmarkX\nFAIL\n": "--- FAIL: BenchmarkX",
		"PASS\n":                       "no output",
	} {
		if got := goTestReason(out); got != want {
			t.Errorf("goTestReason(%q) = %q, want %q", out, got, want)
		}
	}
}

// BenchmarkServeVerify's figures are its b.ReportMetric values; this line is
// its output of 2026-11-23 (verify/serve, busy machine).
func TestServeMetrics(t *testing.T) {
	const out = "BenchmarkServeVerify-2   \t    2000\t   2475103 ns/op\t         0.1400 heap-growth-MB\t         2.000 p50-ms\t        90.00 p99-ms\t       399.0 req/s\n"
	lines, err := parseBenchOutput(out, 2)
	if err != nil || len(lines) != 1 {
		t.Fatalf("%v %v", lines, err)
	}
	want := map[string]float64{"serve/throughput": 399, "serve/p99": 90, "serve/heap_growth": 0.14}
	for _, f := range podpisCatalogue() {
		w, ok := want[f.name]
		if !ok {
			continue
		}
		delete(want, f.name)
		if got, err := f.value(lines, 0); err != nil || got != w {
			t.Errorf("%s = %v, %v; want %v", f.name, got, err, w)
		}
	}
	if len(want) != 0 {
		t.Errorf("figures not in the catalogue: %v", want)
	}
	if _, err := metric("req/s")([]benchLine{{name: "BenchmarkX", nsPerOp: 1}}, 0); err == nil {
		t.Error("a missing metric gave no error")
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

const goBenchOutput = `goos: linux
goarch: amd64
pkg: github.com/podpis/podpis/gost/streebog
cpu: AMD EPYC 9R45 Processor
BenchmarkStreebog256/8KiB-2         	   26511	     45029 ns/op	 181.93 MB/s	       0 B/op	       0 allocs/op
BenchmarkStreebog256/8KiB-2         	   26000	     44000 ns/op	 186.18 MB/s	       0 B/op	       0 allocs/op
BenchmarkStreebog256/8KiB-2         	   25000	     48000 ns/op	 170.67 MB/s	       0 B/op	       0 allocs/op
BenchmarkStreebog512/1MiB-2         	     200	   5800000 ns/op	 180.79 MB/s
BenchmarkSign/256-a-2
    sign_test.go:40: a log line between the name and the result
BenchmarkSign/256-a-2               	   40000	     25000 ns/op	   40000 ops/s	     512 B/op	       7 allocs/op
BenchmarkSign/256-a-2               	   40000	     20000 ns/op
BenchmarkVerify/256-cryptopro-a-2   	   10000	    100000 ns/op
BenchmarkVerify/cryptopro-b-2       	   10000	    200000 ns/op
BenchmarkSignCMS-2                  	    1000	   1000000 ns/op
PASS
ok  	github.com/podpis/podpis/gost/streebog	12.345s
`

func TestParseBenchOutput(t *testing.T) {
	lines, err := parseBenchOutput(goBenchOutput, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 9 {
		t.Fatalf("got %d lines, want 9: %+v", len(lines), lines)
	}
	if l := lines[0]; l.name != "BenchmarkStreebog256/8KiB" || l.nsPerOp != 45029 || l.mbPerS != 181.93 {
		t.Errorf("first line = %+v", l)
	}
	if l := lines[4]; l.name != "BenchmarkSign/256-a" || l.nsPerOp != 25000 || l.mbPerS != 0 {
		t.Errorf("sign line = %+v", l)
	}

	samples, err := goSamples(lines)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(samples["streebog256/8KiB"]); n != 3 {
		t.Errorf("%d samples of streebog256/8KiB, want 3", n)
	}
	values := medians(samples)
	want := map[string]float64{
		"streebog256/8KiB":   181.93, // median of three
		"streebog512/1MiB":   180.79,
		"sign/256-a":         1e9 / 25000 * 1.125, // median of 40000 and 50000 ops/s
		"verify/cryptopro-a": 10000,               // spelled 256-cryptopro-a
		"verify/cryptopro-b": 5000,
	}
	if len(values) != len(want) {
		t.Errorf("figures %v, want %v", values, want)
	}
	for name, w := range want {
		if got := values[name]; math.Abs(got-w) > 1e-9*w {
			t.Errorf("%s = %v, want %v", name, got, w)
		}
	}
}

func TestParseBenchOutputSuffix(t *testing.T) {
	// With one CPU, go test prints no -N suffix; with four, -4.
	for procs, line := range map[int]string{
		1: "BenchmarkSign/512-a \t 100 \t 12 ns/op",
		4: "BenchmarkSign/512-a-4 \t 100 \t 12 ns/op",
	} {
		lines, err := parseBenchOutput(line, procs)
		if err != nil || len(lines) != 1 || lines[0].name != "BenchmarkSign/512-a" {
			t.Errorf("procs %d: %+v, %v", procs, lines, err)
		}
	}
}

func TestParseBenchOutputMalformed(t *testing.T) {
	for _, in := range []string{
		"BenchmarkSign/256-a-2 100 25000",
		"BenchmarkSign/256-a-2 100",
		"BenchmarkSign/256-a-2 100 abc ns/op",
		"BenchmarkSign/256-a-2 100 NaN ns/op",
		"BenchmarkSign/256-a-2 100 +Inf ns/op",
		"BenchmarkSign/256-a-2 100 -5 ns/op",
		"BenchmarkSign/256-a-2 100 0 ns/op",
		"BenchmarkStreebog256/8KiB-2 100 181.9 MB/s",
		"BenchmarkStreebog256/8KiB-2 100 45029 ns/op 181.9",
		"ok\nBenchmarkStreebog256/8KiB-2 100 45029 ns/op 1e999 MB/s",
	} {
		if lines, err := parseBenchOutput(in, 2); err == nil {
			t.Errorf("%q: no error, got %+v", in, lines)
		}
	}
	// Not results at all: no error, nothing read.
	for _, in := range []string{"", "PASS", "FAIL\tgithub.com/podpis/podpis/gost/streebog [build failed]",
		"BenchmarkSign/256-a-2", "BenchmarkSign/256-a-2 --- FAIL: something", "Benchmark"} {
		if lines, err := parseBenchOutput(in, 2); err != nil || len(lines) != 0 {
			t.Errorf("%q: %+v, %v", in, lines, err)
		}
	}
}

func TestGoFiguresNeedsSetBytes(t *testing.T) {
	_, err := goSamples([]benchLine{{name: "BenchmarkStreebog256/8KiB", nsPerOp: 45000}})
	if err == nil || !strings.Contains(err.Error(), "SetBytes") {
		t.Errorf("err = %v", err)
	}
}

func TestFigureName(t *testing.T) {
	for bench, want := range map[string]string{
		"BenchmarkStreebog256/8KiB":       "streebog256/8KiB",
		"BenchmarkStreebog512/1MiB":       "streebog512/1MiB",
		"BenchmarkSign/256-a":             "sign/256-a",
		"BenchmarkVerify/cryptopro-c":     "verify/cryptopro-c",
		"BenchmarkVerify/256-cryptopro-c": "verify/cryptopro-c",
		"BenchmarkSign":                   "",
		"BenchmarkSign/":                  "",
		"BenchmarkSign/256-a/x":           "",
		"BenchmarkSignCMS/256-a":          "",
		"BenchmarkCMSVerify/chain":        "cms_verify/chain",
		"BenchmarkCMSVerify/nochain":      "cms_verify/nochain",
		"BenchmarkSHA256/8KiB":            "",
	} {
		if got := figureName(bench); got != want {
			t.Errorf("figureName(%q) = %q, want %q", bench, got, want)
		}
	}
}

func TestBenchRegex(t *testing.T) {
	figs := selectFigures(regexp.MustCompile(`^(sign/256-a|verify/cryptopro-b)$`))
	if got, want := benchRegex(figs), `^(BenchmarkSign|BenchmarkVerify)$/^(256-a|cryptopro-b|256-cryptopro-b)$`; got != want {
		t.Errorf("benchRegex = %s, want %s", got, want)
	}
	figs = selectFigures(regexp.MustCompile(`streebog`))
	if got, want := benchRegex(figs), `^(BenchmarkStreebog256|BenchmarkStreebog512)$/^(8KiB|64KiB|1MiB)$`; got != want {
		t.Errorf("benchRegex = %s, want %s", got, want)
	}
}

func TestCatalogue(t *testing.T) {
	figs := catalogue()
	seen := map[string]bool{}
	for _, f := range figs {
		if seen[f.name] {
			t.Errorf("%s twice", f.name)
		}
		seen[f.name] = true
		if figureName(goBenchName(f.name)) != f.name {
			t.Errorf("%s does not round-trip through %s", f.name, goBenchName(f.name))
		}
	}
	for _, name := range []string{"sign/256-a", "verify/cryptopro-a", "sign/512-a", "streebog256/8KiB", "streebog512/1MiB"} {
		if !seen[name] {
			t.Errorf("catalogue lacks %s", name)
		}
	}
	byName := map[string]figure{}
	for _, f := range figs {
		byName[f.name] = f
	}
	if f := byName["verify/256-c"]; f.engine != "verify/cryptopro-b" || f.gogost != 0 {
		t.Errorf("verify/256-c = %+v", f)
	}
	if f := byName["sign/256-b"]; f.engine != "sign/cryptopro-a" || f.gogost != 912 {
		t.Errorf("sign/256-b = %+v", f)
	}
	if got := distinct(figs, figure.pkgName); !slices.Equal(got, []string{pkgStreebog, pkgGost3410, pkgCMS}) {
		t.Errorf("packages = %v", got)
	}
	if got := len(distinct(figs, figure.engineName)); got != 22 {
		t.Errorf("%d engine figures, want 22 (6 hashes, 7 curves × 2, 2 CMS)", got)
	}
	if f := byName["cms_verify/chain"]; f.engine != "cms_verify_chain" || f.pkg != pkgCMS || f.sameCurve {
		t.Errorf("cms_verify/chain = %+v", f)
	}
	if bars := barsFor(byName["cms_verify/nochain"]); len(bars) != 1 || bars[0].min != 0.8 {
		t.Errorf("cms_verify/nochain bars %v", bars)
	}
}

const engineOutput = `# OpenSSL 3.0.22 25 Aug 2026; engine gost (Reference implementation of GOST engine)
# streebog256/8KiB rounds: 180.1 181.2 179.0
streebog256/8KiB MB/s 180.1
sign/256-a ops/s 37100.0

verify/cryptopro-a ops/s 6244
`

func TestParseEngineOutput(t *testing.T) {
	run, err := parseEngineOutput(engineOutput)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(run.about, "OpenSSL 3.0.22") {
		t.Errorf("about = %q", run.about)
	}
	want := map[string]float64{"streebog256/8KiB": 180.1, "sign/256-a": 37100, "verify/cryptopro-a": 6244}
	if len(run.values) != len(want) {
		t.Errorf("values = %v", run.values)
	}
	for k, v := range want {
		if run.values[k] != v {
			t.Errorf("%s = %v, want %v", k, run.values[k], v)
		}
	}
}

func TestParseEngineOutputMalformed(t *testing.T) {
	for _, in := range []string{
		"sign/256-a ops/s",
		"sign/256-a ops/s 1 2",
		"sign/256-a MB/s 37100",
		"streebog256/8KiB ops/s 180",
		"sign/256-a ops/s x",
		"sign/256-a ops/s -1",
		"sign/256-a ops/s 0",
		"sign/256-a ops/s NaN",
		"sign/256-a ops/s 1\nsign/256-a ops/s 2",
		"FATAL: something",
	} {
		if run, err := parseEngineOutput(in); err == nil {
			t.Errorf("%q: no error, got %+v", in, run)
		}
	}
}

func TestRowsAndBars(t *testing.T) {
	figs := selectFigures(regexp.MustCompile(`^(streebog256/(8KiB|64KiB)|sign/256-a|verify/256-a|sign/256-b|sign/512-c|streebog512/1MiB)$`))
	engine := map[string]float64{
		"streebog256/8KiB": 180, "streebog256/64KiB": 180, "streebog512/1MiB": 180,
		"sign/256-a": 40000, "verify/256-a": 14000, "sign/cryptopro-a": 25000, "sign/512-c": 8000,
	}
	podpis := map[string]float64{
		"streebog256/8KiB":  140,   // 0.78× engine: below 0.8; 5.7× gogost: below 10
		"streebog256/64KiB": 100,   // 0.56× engine: no engine bar at 64 KiB, no gogost figure
		"streebog512/1MiB":  250,   // 1.39× engine, 11.2× gogost: fine
		"sign/256-a":        20000, // exactly 0.5×: meets the bar
		"verify/256-a":      6000,  // 0.43×: below
		"sign/256-b":        30000, // vs cryptopro-a: 1.2× engine, 32.9× gogost
	}
	rows := makeRows(figs, engine, podpis, map[string]string{})
	got := map[string]row{}
	for _, r := range rows {
		got[r.Figure] = r
	}
	if len(rows) != 7 {
		t.Fatalf("%d rows: %+v", len(rows), rows)
	}
	check := func(name string, ratio, gogostRatio float64, below ...string) {
		t.Helper()
		r := got[name]
		if math.Abs(r.Ratio-ratio) > 0.005 || math.Abs(r.GogostRatio-gogostRatio) > 0.05 {
			t.Errorf("%s: ratio %.3f, gogost ratio %.3f; want %.3f, %.3f", name, r.Ratio, r.GogostRatio, ratio, gogostRatio)
		}
		if !slices.Equal(r.BelowBar, below) {
			t.Errorf("%s: below bar %q, want %q", name, r.BelowBar, below)
		}
	}
	check("streebog256/8KiB", 0.78, 5.67, "≥0.8× engine", "≥10× gogost")
	check("streebog256/64KiB", 0.56, 0)
	check("streebog512/1MiB", 1.39, 11.16)
	check("sign/256-a", 0.5, 21.86)
	check("verify/256-a", 0.43, 12.93, "≥0.5× engine")
	check("sign/256-b", 1.2, 32.89)
	if r := got["sign/256-b"]; r.EngineFigure != "sign/cryptopro-a" || r.Engine != 25000 {
		t.Errorf("sign/256-b compared with %q = %v", r.EngineFigure, r.Engine)
	}
	if r := got["sign/512-c"]; r.Missing != "no benchmark BenchmarkSign/512-c" || r.Podpis != 0 || r.BelowBar != nil {
		t.Errorf("sign/512-c = %+v", r)
	}

	// A package that failed: its figures say why; 256-b, the same curve as
	// cryptopro-a, is only listed where podpis benchmarks it under that name.
	rows = makeRows(figs, engine, map[string]float64{}, map[string]string{pkgGost3410: "go test failed: build failed"})
	if len(rows) != 6 || slices.ContainsFunc(rows, func(r row) bool { return r.Figure == "sign/256-b" }) {
		t.Errorf("rows of a failed package: %+v", rows)
	}
	for _, r := range rows {
		want := noBenchmark + goBenchName(r.Figure)
		if !strings.HasPrefix(r.Figure, "streebog") {
			want = "gost/gost3410: go test failed: build failed"
		}
		if r.Missing != want || r.Ratio != 0 || len(r.BelowBar) != 0 {
			t.Errorf("%s: %+v, want missing %q", r.Figure, r, want)
		}
	}
}

func TestWriteReport(t *testing.T) {
	figs := selectFigures(regexp.MustCompile(`^(streebog256/8KiB|sign/256-b|verify/512-a)$`))
	rep := report{
		Benchtime: "1s", Count: 3, Engine: "OpenSSL test", Go: "go test",
		Rows: makeRows(figs, map[string]float64{"streebog256/8KiB": 180, "sign/cryptopro-a": 25000, "verify/512-a": 1800},
			map[string]float64{"streebog256/8KiB": 100, "sign/256-b": 26000}, map[string]string{}),
	}
	var text bytes.Buffer
	if err := writeTable(&text, rep); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	for _, want := range []string{
		"streebog256/8KiB  MB/s    100.0",
		"BELOW BAR (≥0.8× engine, ≥10× gogost)",
		"vs cryptopro-a",
		"MISSING",
		"missing benchmarks: BenchmarkVerify/512-a",
		"1 of 3 figures BELOW BAR, 1 missing.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	var js bytes.Buffer
	if err := writeJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Figures []struct {
			Figure   string
			Podpis   float64
			Ratio    float64
			BelowBar []string `json:"below_bar"`
			Missing  string
		}
		BelowBar int `json:"below_bar"`
		Missing  int
	}
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatalf("%v\n%s", err, js.String())
	}
	if len(back.Figures) != 3 || back.BelowBar != 1 || back.Missing != 1 ||
		back.Figures[0].Ratio != 100.0/180 || len(back.Figures[0].BelowBar) != 2 || back.Figures[2].Missing == "" {
		t.Errorf("JSON read back as %+v", back)
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{{[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"-benchtime", "200ms", "-count", "1", "-only", "^sign/", "-json"}, &bytes.Buffer{})
	if err != nil || o.benchtime != 200*time.Millisecond || o.count != 1 || !o.json || !o.only.MatchString("sign/256-a") {
		t.Errorf("%+v, %v", o, err)
	}
	for _, args := range [][]string{
		{"-count", "0"}, {"-benchtime", "0s"}, {"-benchtime", "100x"}, {"-only", "("}, {"extra"},
	} {
		if _, err := parseFlags(args, &bytes.Buffer{}); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
	if code := run([]string{"-only", "no-such-figure"}, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
		t.Errorf("-only matching nothing: exit %d, want 2", code)
	}
}

// requireTools skips (fails in CI) when the tools `make deps` installs are missing.
func requireTools(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal(err)
	}
	t.Skip(err)
}

// TestHarness builds the real C harness and checks it measures what the catalogue
// compares with, under the same names.
func TestHarness(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the C harness")
	}
	ctx := context.Background()
	bin, err := buildHarness(ctx, t.TempDir())
	requireTools(t, err)
	out, err := exec.Command(bin, "-l").Output()
	if err != nil {
		t.Fatal(err)
	}
	listed := strings.Fields(string(out))
	if want := distinct(catalogue(), figure.engineName); !slices.Equal(listed, want) {
		t.Errorf("harness measures %v,\ncatalogue compares with %v", listed, want)
	}
	names := []string{"streebog512/8KiB", "verify/512-c"}
	run, err := runHarness(ctx, bin, 20*time.Millisecond, 1, names)
	requireTools(t, err)
	if len(run.values) != 2 || !strings.Contains(run.about, "OpenSSL") {
		t.Errorf("harness run: %+v", run)
	}
	if _, err := runHarness(ctx, bin, 20*time.Millisecond, 1, []string{"sign/256-b"}); err == nil {
		t.Error("harness accepted an unknown figure")
	}
}

func TestBuildHarnessWithoutCompiler(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := buildHarness(context.Background(), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "make deps") {
		t.Errorf("err = %v", err)
	}
}

// TestRunGoBench runs go test on a throwaway module: one package with
// benchmarks, one that does not compile, one with no Go files.
func TestRunGoBench(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test")
	}
	root := t.TempDir()
	write := func(name, text string) {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/fake\n\ngo 1.26\n")
	write("gost/streebog/s_test.go", `package streebog

import "testing"

func BenchmarkStreebog256(b *testing.B) {
	b.Run("8KiB", func(b *testing.B) {
		b.SetBytes(8192)
		for range b.N {
		}
	})
	b.Run("64KiB", func(b *testing.B) { b.Fatal("not measured") })
}
`)
	write("gost/gost3410/g.go", "package gost3410\n\nfunc broken() int { return \"x\" }\n")
	write("gost/gost3410/g_test.go", "package gost3410\n")
	ctx := context.Background()
	figs := selectFigures(regexp.MustCompile(`^streebog256/(8|1)`))
	values, err := runGoBench(ctx, root, pkgStreebog, figs, 10*time.Millisecond, 2, 2)
	if s := values["streebog256/8KiB"]; err != nil || len(values) != 1 || len(s) != 2 || s[0] <= 0 {
		t.Errorf("streebog: %v, %v", values, err)
	}
	// 64KiB fails: the figures measured before it stand, and the failure is said.
	figs = selectFigures(regexp.MustCompile(`^streebog256/(8|64)`))
	values, err = runGoBench(ctx, root, pkgStreebog, figs, 10*time.Millisecond, 1, 2)
	if err == nil || len(values) != 1 {
		t.Errorf("streebog with a failing benchmark: %v, %v", values, err)
	}
	figs = selectFigures(regexp.MustCompile(`^sign/256-a$`))
	values, err = runGoBench(ctx, root, pkgGost3410, figs, 10*time.Millisecond, 1, 2)
	if err == nil || values != nil || !strings.Contains(err.Error(), "g.go") {
		t.Errorf("broken package: %v, %v", values, err)
	}
	values, err = runGoBench(ctx, root, "gost/none", figs, 10*time.Millisecond, 1, 2)
	if err == nil || values != nil {
		t.Errorf("missing package: %v, %v", values, err)
	}
}

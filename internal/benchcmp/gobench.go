package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// benchTops maps a figure's first element to the Go benchmark function measuring it.
var benchTops = map[string]string{
	"streebog256": "BenchmarkStreebog256",
	"streebog512": "BenchmarkStreebog512",
	"sign":        "BenchmarkSign",
	"verify":      "BenchmarkVerify",
	"cms_verify":  "BenchmarkCMSVerify",
}

// A benchLine is one result line of `go test -bench` output.
type benchLine struct {
	name    string // as printed, without the -GOMAXPROCS suffix
	nsPerOp float64
	mbPerS  float64 // 0 when the benchmark does not call b.SetBytes
	// metrics holds the b.ReportMetric values by unit ("req/s", "p99-ms").
	metrics map[string]float64
}

// parseBenchOutput reads the result lines of `go test -bench` output run with
// -cpu procs. Other lines (goos:, PASS, build errors, logs) are skipped; a line
// that starts like a result (name, iteration count) but is not a well-formed one
// is an error.
func parseBenchOutput(out string, procs int) ([]benchLine, error) {
	suffix := ""
	if procs > 1 {
		suffix = "-" + strconv.Itoa(procs)
	}
	var lines []benchLine
	for n, text := range strings.Split(out, "\n") {
		fields := strings.Fields(text)
		if len(fields) < 2 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		if _, err := strconv.ParseUint(fields[1], 10, 64); err != nil {
			continue // a name printed before the benchmark's own output, not a result
		}
		l := benchLine{name: strings.TrimSuffix(fields[0], suffix)}
		metrics := fields[2:]
		if len(metrics) == 0 || len(metrics)%2 != 0 {
			return nil, fmt.Errorf("line %d: want value-unit pairs after the iteration count: %q", n+1, text)
		}
		for i := 0; i < len(metrics); i += 2 {
			v, err := strconv.ParseFloat(metrics[i], 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return nil, fmt.Errorf("line %d: bad value %q for %s: %q", n+1, metrics[i], metrics[i+1], text)
			}
			switch metrics[i+1] {
			case "ns/op":
				l.nsPerOp = v
			case "MB/s":
				l.mbPerS = v
			default:
				if l.metrics == nil {
					l.metrics = map[string]float64{}
				}
				l.metrics[metrics[i+1]] = v
			}
		}
		if l.nsPerOp <= 0 {
			return nil, fmt.Errorf("line %d: no positive ns/op: %q", n+1, text)
		}
		lines = append(lines, l)
	}
	return lines, nil
}

// figureName returns the report's name for a Go benchmark, or "" if it is none of
// the report's: BenchmarkStreebog256/8KiB → streebog256/8KiB, BenchmarkSign/256-a →
// sign/256-a. The spelling 256-cryptopro-a is read as cryptopro-a.
func figureName(bench string) string {
	top, sub, ok := strings.Cut(bench, "/")
	if !ok || sub == "" || strings.Contains(sub, "/") {
		return ""
	}
	for first, fn := range benchTops {
		if fn == top {
			if rest, ok := strings.CutPrefix(sub, "256-"); ok && strings.HasPrefix(rest, "cryptopro-") {
				sub = rest
			}
			return first + "/" + sub
		}
	}
	return ""
}

// goSamples turns result lines into samples per figure, one per line (go test
// prints one per -count): MB/s for hashing, 1e9/(ns/op) ops/s otherwise.
func goSamples(lines []benchLine) (map[string][]float64, error) {
	samples := map[string][]float64{}
	for _, l := range lines {
		name := figureName(l.name)
		if name == "" {
			continue
		}
		v := 1e9 / l.nsPerOp
		if unit(name) == "MB/s" {
			if l.mbPerS == 0 {
				return nil, fmt.Errorf("%s reports no MB/s (b.SetBytes missing)", l.name)
			}
			v = l.mbPerS
		}
		samples[name] = append(samples[name], v)
	}
	return samples, nil
}

// medians reduces samples to their median per figure.
func medians(samples map[string][]float64) map[string]float64 {
	values := map[string]float64{}
	for name, s := range samples {
		if len(s) > 0 {
			values[name] = median(s)
		}
	}
	return values
}

// median of a non-empty sample.
func median(s []float64) float64 {
	s = slices.Sorted(slices.Values(s))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// benchRegex is the -bench pattern that runs exactly the benchmarks behind figs
// (the cross product of their functions and sub-benchmarks, anchored per level).
func benchRegex(figs []figure) string {
	var tops, subs []string
	for _, f := range figs {
		first, sub, _ := strings.Cut(f.name, "/")
		tops = appendNew(tops, regexp.QuoteMeta(benchTops[first]))
		subs = appendNew(subs, regexp.QuoteMeta(sub))
		if strings.HasPrefix(sub, "cryptopro-") {
			subs = appendNew(subs, regexp.QuoteMeta("256-"+sub))
		}
	}
	return "^(" + strings.Join(tops, "|") + ")$/^(" + strings.Join(subs, "|") + ")$"
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// runGoBench runs one package's benchmarks for figs in the module at root and
// returns the samples it measured, -count per figure. A package that does not build, or whose
// benchmarks fail before giving any figure, is an error saying why and no
// figures; one that fails part-way returns what it measured and the error.
// Figures it simply lacks are absent from the map.
func runGoBench(ctx context.Context, root, pkg string, figs []figure, benchtime time.Duration, count, procs int) (map[string][]float64, error) {
	pattern := benchRegex(figs)
	run, err := goTestBench(ctx, root, pkg, pattern, benchtime, count, procs)
	if err != nil {
		return nil, err
	}
	samples, err := goSamples(run.lines)
	if err != nil {
		return nil, err
	}
	if err := run.failure(len(samples) > 0); err != nil {
		if len(samples) == 0 {
			return nil, err
		}
		return samples, err
	}
	return samples, nil
}

// A goTestRun is what one `go test -bench` run printed.
type goTestRun struct {
	pattern string
	lines   []benchLine
	out     string // the whole output, for goTestReason
	exitErr error  // go test's non-zero exit, or nil
}

// goTestBench runs `go test -bench pattern` on one package of the module at
// root, with -cpu procs. The error is for a run that could not start, was
// interrupted, or printed output that cannot be read; a go test that exits
// non-zero is a run with exitErr set.
func goTestBench(ctx context.Context, root, pkg, pattern string, benchtime time.Duration, count, procs int) (goTestRun, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-vet=off", "-run", "^$",
		"-bench", pattern,
		"-benchtime", benchtime.String(),
		"-count", strconv.Itoa(count),
		"-cpu", strconv.Itoa(procs),
		"-timeout", "30m",
		"./"+pkg)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return goTestRun{}, ctx.Err()
	}
	var exitErr *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exitErr) {
		return goTestRun{}, fmt.Errorf("go test: %w", runErr)
	}
	lines, err := parseBenchOutput(out.String(), procs)
	if err != nil {
		return goTestRun{}, fmt.Errorf("unreadable go test output: %w", err)
	}
	return goTestRun{pattern: pattern, lines: lines, out: out.String(), exitErr: runErr}, nil
}

// failure says what went wrong in the run, given whether it measured what
// was asked (some of it); nil if nothing did.
func (r goTestRun) failure(measured bool) error {
	switch {
	case r.exitErr != nil && !measured:
		return fmt.Errorf("go test failed: %s", goTestReason(r.out))
	case r.exitErr != nil:
		return fmt.Errorf("go test failed part-way: %s", goTestReason(r.out))
	case !measured:
		return fmt.Errorf("no benchmark matches -bench '%s'", r.pattern)
	}
	return nil
}

// goTestReason picks the line of go test output that best says what went
// wrong: a panic, or a --- FAIL line with the log line under it.
func goTestReason(out string) string {
	var first string
	lines := strings.Split(out, "\n")
	for i, line := range lines {
		line = strings.TrimSpace(line)
		switch {
		case line == "", strings.HasPrefix(line, "# "), line == "FAIL", line == "PASS",
			strings.HasPrefix(line, "goos:"), strings.HasPrefix(line, "goarch:"),
			strings.HasPrefix(line, "pkg:"), strings.HasPrefix(line, "cpu:"):
			continue
		case strings.Contains(line, "panic:"):
			return shorten(line)
		case strings.HasPrefix(line, "--- FAIL"):
			if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "    ") {
				line += " " + strings.TrimSpace(lines[i+1])
			}
			return shorten(line)
		}
		if first == "" {
			first = line
		}
	}
	if first == "" {
		return "no output"
	}
	return shorten(first)
}

func shorten(s string) string {
	const max = 200
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// A bar is a minimum ratio a figure must reach (the acceptance bars).
type bar struct {
	against string // "engine" or "gogost"
	min     float64
}

func (b bar) String() string { return fmt.Sprintf("≥%g× %s", b.min, b.against) }

// barsFor returns the bars figure f must meet: Streebog-256 at 8 KiB and CMS
// verification ≥ 0.8× the engine, every sign and verify ≥ 0.5× the engine, and
// ≥ 10× gogost wherever gogost has a figure.
func barsFor(f figure) []bar {
	var bars []bar
	switch {
	case f.name == "streebog256/8KiB", strings.HasPrefix(f.name, "cms_verify/"):
		bars = append(bars, bar{"engine", 0.8})
	case strings.HasPrefix(f.name, "sign/"), strings.HasPrefix(f.name, "verify/"):
		bars = append(bars, bar{"engine", 0.5})
	}
	if f.gogost > 0 {
		bars = append(bars, bar{"gogost", 10})
	}
	return bars
}

// A row of the report. Numbers are 0 where absent (every real figure is > 0).
type row struct {
	Figure       string   `json:"figure"`
	Unit         string   `json:"unit"`
	Podpis       float64  `json:"podpis,omitempty"`
	Engine       float64  `json:"engine"`
	EngineFigure string   `json:"engine_figure,omitempty"` // set when the engine figure is another name's (same curve)
	Ratio        float64  `json:"ratio,omitempty"`         // podpis / engine; > 1: podpis is faster
	Gogost       float64  `json:"gogost,omitempty"`
	GogostRatio  float64  `json:"gogost_ratio,omitempty"` // podpis / gogost
	BelowBar     []string `json:"below_bar,omitempty"`    // the bars it misses, e.g. "≥0.5× engine"
	Missing      string   `json:"missing,omitempty"`      // why podpis has no figure
}

// noBenchmark starts Missing when the package ran but has no benchmark for the figure.
const noBenchmark = "no benchmark "

// A report is the whole comparison of one run.
type report struct {
	Benchtime string            `json:"benchtime"`
	Count     int               `json:"count"`
	Engine    string            `json:"engine"`
	Go        string            `json:"go"`
	Procs     int               `json:"gomaxprocs"` // go test's -cpu, but for BenchmarkCheckMCHD
	Rows      []row             `json:"figures"`
	Packages  map[string]string `json:"package_errors,omitempty"` // package → what went wrong
	BelowBar  int               `json:"below_bar"`                // rows missing a bar
	Missing   int               `json:"missing"`                  // rows without a podpis figure

	// The second table: podpis figures with the issues' bars.
	Podpis         []podpisRow       `json:"podpis_figures,omitempty"`
	BenchPkgs      map[string]string `json:"benchmark_packages,omitempty"` // function → package it ran in
	BenchErrors    map[string]string `json:"benchmark_errors,omitempty"`   // function → what went wrong
	PodpisBelowBar int               `json:"podpis_below_bar"`             // rows of Podpis missing their bar
	PodpisMissing  int               `json:"podpis_missing"`               // rows of Podpis without a value
}

// makeRows puts podpis's figures beside the engine's. pkgErrs says why a
// package gave no figures (or failed part-way). A figure podpis lacks is listed
// as missing, except 256-b, -c, -d: they are the CryptoPro curves again, so a
// package may well benchmark only cryptopro-a, -b, -c.
func makeRows(figs []figure, engine, podpis map[string]float64, pkgErrs map[string]string) []row {
	var rows []row
	for _, f := range figs {
		r := row{Figure: f.name, Unit: unit(f.name), Engine: engine[f.engine], Gogost: f.gogost}
		if f.sameCurve {
			r.EngineFigure = f.engine
		}
		p, ok := podpis[f.name]
		if !ok && f.sameCurve {
			continue // 256-b, -c, -d: optional, being cryptopro-a, -b, -c again
		}
		if !ok {
			r.Missing = noBenchmark + goBenchName(f.name)
			if why, ok := pkgErrs[f.pkg]; ok {
				r.Missing = f.pkg + ": " + why
			}
			rows = append(rows, r)
			continue
		}
		r.Podpis = p
		if r.Engine > 0 {
			r.Ratio = p / r.Engine
		}
		if r.Gogost > 0 {
			r.GogostRatio = p / r.Gogost
		}
		for _, b := range barsFor(f) {
			ratio := r.Ratio
			if b.against == "gogost" {
				ratio = r.GogostRatio
			}
			if ratio > 0 && ratio < b.min {
				r.BelowBar = append(r.BelowBar, b.String())
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// goBenchName is the Go benchmark expected to measure a figure.
func goBenchName(name string) string {
	first, sub, _ := strings.Cut(name, "/")
	return benchTops[first] + "/" + sub
}

func (rep *report) count() {
	rep.BelowBar, rep.Missing = 0, 0
	for _, r := range rep.Rows {
		if len(r.BelowBar) > 0 {
			rep.BelowBar++
		}
		if r.Missing != "" {
			rep.Missing++
		}
	}
	rep.PodpisBelowBar, rep.PodpisMissing = 0, 0
	for _, r := range rep.Podpis {
		if r.Met != nil && !*r.Met {
			rep.PodpisBelowBar++
		}
		if r.Missing != "" {
			rep.PodpisMissing++
		}
	}
}

func writeJSON(w io.Writer, rep report) error {
	rep.count()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// writeTable prints the report for people: the engine comparison, then the
// podpis figures with bars; either is left out when -only selects none of it.
func writeTable(w io.Writer, rep report) error {
	rep.count()
	var b strings.Builder
	if len(rep.Rows) > 0 {
		writeEngineTable(&b, rep)
	}
	if len(rep.Podpis) > 0 {
		if len(rep.Rows) > 0 {
			b.WriteString("\n")
		}
		writePodpisTable(&b, rep)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeEngineTable(b *strings.Builder, rep report) {
	cells := [][]string{{"figure", "unit", "podpis", "engine", "podpis/engine", "gogost", "podpis/gogost", ""}}
	for _, r := range rep.Rows {
		var notes []string
		if r.EngineFigure != "" {
			notes = append(notes, "vs "+strings.TrimPrefix(r.EngineFigure, strings.Split(r.Figure, "/")[0]+"/"))
		}
		if r.Missing != "" {
			notes = append(notes, "MISSING")
		}
		if len(r.BelowBar) > 0 {
			notes = append(notes, "BELOW BAR ("+strings.Join(r.BelowBar, ", ")+")")
		}
		cells = append(cells, []string{r.Figure, r.Unit, number(r.Podpis, r.Unit), number(r.Engine, r.Unit),
			ratio(r.Ratio), number(r.Gogost, r.Unit), ratio(r.GogostRatio), strings.Join(notes, "; ")})
	}

	fmt.Fprintf(b, "podpis vs OpenSSL GOST engine, one run: median of %d round(s) of %s per figure and side; ratio = podpis/engine, > 1 means podpis is faster\n", rep.Count, rep.Benchtime)
	fmt.Fprintf(b, "engine: %s\ngo: %s\n\n", rep.Engine, rep.Go)
	writeColumns(b, cells, "llrrrrr")
	b.WriteString("\n")
	if slices.ContainsFunc(rep.Rows, func(r row) bool { return r.EngineFigure != "" }) {
		b.WriteString("\"vs cryptopro-x\": 256-b, -c, -d are the CryptoPro-A, -B, -C curves and are compared with those figures.\n")
	}
	b.WriteString("gogost: v5.14 figures from shared/bench/README.md (constants, not measured in this run).\n")
	b.WriteString("bars: streebog256/8KiB and cms_verify ≥0.8× engine; every sign/verify ≥0.5× engine; everything ≥10× gogost.\n")
	for _, pkg := range slices.Sorted(maps.Keys(rep.Packages)) {
		fmt.Fprintf(b, "%s: %s\n", pkg, rep.Packages[pkg])
	}
	var lacking []string
	for _, r := range rep.Rows {
		if bench, ok := strings.CutPrefix(r.Missing, noBenchmark); ok {
			lacking = append(lacking, bench)
		}
	}
	if len(lacking) > 0 {
		fmt.Fprintf(b, "missing benchmarks: %s\n", strings.Join(lacking, ", "))
	}
	fmt.Fprintf(b, "%d of %d figures BELOW BAR, %d missing.\n", rep.BelowBar, len(rep.Rows), rep.Missing)
}

// writePodpisTable prints the second table: figure, value, unit, bar, result.
func writePodpisTable(b *strings.Builder, rep report) {
	cells := [][]string{{"figure", "value", "unit", "bar", "result"}}
	var lacking []string
	for _, r := range rep.Podpis {
		value, result := "—", "—"
		switch {
		case r.Missing != "":
			why, yet := strings.CutPrefix(r.Missing, noBenchmarkYet)
			if yet {
				lacking = appendNew(lacking, why)
				why = "no benchmark yet"
			}
			result = "missing (" + why + ")"
		case r.Met != nil && *r.Met:
			result = "met"
		case r.Met != nil:
			result = "BELOW BAR"
		}
		if r.Value != nil {
			value = podpisNumber(*r.Value, r.Unit)
		}
		bar := r.Bar
		if bar == "" {
			bar = "—"
		}
		cells = append(cells, []string{r.Figure, value, r.Unit, bar, result})
	}
	fmt.Fprintf(b, "podpis figures with bars (issues 5–8), same run: median of %d round(s) of %s per benchmark; -cpu %d, BenchmarkCheckMCHD -cpu 1\n", rep.Count, rep.Benchtime, rep.Procs)
	if rep.Engine != "" && slices.ContainsFunc(rep.Podpis, func(r podpisRow) bool { return r.Figure == "token/vs_engine" }) {
		fmt.Fprintf(b, "engine: %s\n", rep.Engine)
	}
	b.WriteString("\n")
	writeColumns(b, cells, "lr")
	b.WriteString("\n")
	for _, r := range rep.Podpis {
		fmt.Fprintf(b, "%s: %s\n", r.Figure, r.From)
	}
	var ran []string
	for _, fn := range slices.Sorted(maps.Keys(rep.BenchPkgs)) {
		ran = append(ran, fn+" ("+rep.BenchPkgs[fn]+")")
	}
	if len(ran) > 0 {
		fmt.Fprintf(b, "benchmarks: %s\n", strings.Join(ran, ", "))
	}
	for _, fn := range slices.Sorted(maps.Keys(rep.BenchErrors)) {
		fmt.Fprintf(b, "%s: %s\n", fn, rep.BenchErrors[fn])
	}
	if len(lacking) > 0 {
		fmt.Fprintf(b, "missing benchmarks: %s\n", strings.Join(lacking, ", "))
	}
	fmt.Fprintf(b, "%d of %d podpis figures BELOW BAR, %d missing.\n", rep.PodpisBelowBar, len(rep.Podpis), rep.PodpisMissing)
}

// writeColumns aligns cells, column i to the right where align[i] is 'r'
// (numbers), to the left otherwise.
func writeColumns(b *strings.Builder, cells [][]string, align string) {
	widths := make([]int, len(cells[0]))
	for _, line := range cells {
		for i, c := range line {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for _, line := range cells {
		var parts []string
		for i, c := range line {
			pad := strings.Repeat(" ", widths[i]-len([]rune(c)))
			switch {
			case i < len(align) && align[i] == 'r':
				parts = append(parts, pad+c)
			default:
				parts = append(parts, c+pad)
			}
		}
		b.WriteString(strings.TrimRight(strings.Join(parts, "  "), " ") + "\n")
	}
}

func number(v float64, unit string) string {
	switch {
	case v == 0:
		return "—"
	case unit == "MB/s":
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}

func ratio(v float64) string {
	if v == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", v)
}

// podpisNumber formats a second-table value: whole numbers for rates per
// second, two decimals for times and ratios, one for percentages and MB/s.
func podpisNumber(v float64, unit string) string {
	switch unit {
	case "ops/s", "checks/s":
		return fmt.Sprintf("%.0f", v)
	case "%", "MB/s":
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

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
	Rows      []row             `json:"figures"`
	Packages  map[string]string `json:"package_errors,omitempty"` // package → what went wrong
	BelowBar  int               `json:"below_bar"`                // rows missing a bar
	Missing   int               `json:"missing"`                  // rows without a podpis figure
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
}

func writeJSON(w io.Writer, rep report) error {
	rep.count()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// writeTable prints the report for people.
func writeTable(w io.Writer, rep report) error {
	rep.count()
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

	var b strings.Builder
	fmt.Fprintf(&b, "podpis vs OpenSSL GOST engine, one run: median of %d round(s) of %s per figure and side; ratio = podpis/engine, > 1 means podpis is faster\n", rep.Count, rep.Benchtime)
	fmt.Fprintf(&b, "engine: %s\ngo: %s\n\n", rep.Engine, rep.Go)
	writeColumns(&b, cells)
	b.WriteString("\n")
	if slices.ContainsFunc(rep.Rows, func(r row) bool { return r.EngineFigure != "" }) {
		b.WriteString("\"vs cryptopro-x\": 256-b, -c, -d are the CryptoPro-A, -B, -C curves and are compared with those figures.\n")
	}
	b.WriteString("gogost: v5.14 figures from shared/bench/README.md (constants, not measured in this run).\n")
	b.WriteString("bars: streebog256/8KiB and cms_verify ≥0.8× engine; every sign/verify ≥0.5× engine; everything ≥10× gogost.\n")
	for _, pkg := range slices.Sorted(maps.Keys(rep.Packages)) {
		fmt.Fprintf(&b, "%s: %s\n", pkg, rep.Packages[pkg])
	}
	var lacking []string
	for _, r := range rep.Rows {
		if bench, ok := strings.CutPrefix(r.Missing, noBenchmark); ok {
			lacking = append(lacking, bench)
		}
	}
	if len(lacking) > 0 {
		fmt.Fprintf(&b, "missing benchmarks: %s\n", strings.Join(lacking, ", "))
	}
	fmt.Fprintf(&b, "%d of %d figures BELOW BAR, %d missing.\n", rep.BelowBar, len(rep.Rows), rep.Missing)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeColumns aligns cells: the first two columns and the last to the left,
// numbers to the right.
func writeColumns(b *strings.Builder, cells [][]string) {
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
			case i == len(line)-1:
				parts = append(parts, c)
			case i < 2:
				parts = append(parts, c+pad)
			default:
				parts = append(parts, pad+c)
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

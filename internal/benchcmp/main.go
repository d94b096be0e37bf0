// Command benchcmp is the program behind `make bench`. In one run on this
// machine it measures podpis's GOST primitives and OpenSSL 3 with the GOST engine
// (Debian libengine-gost-openssl) and prints them side by side, as ratios, since
// the machines are shared and noisy and only figures from the same run compare.
//
// What it measures, on both sides:
//
//   - streebog256/SIZE, streebog512/SIZE: hashing throughput in MB/s (10^6 bytes
//     per second, as Go's testing.B reports) for 8 KiB, 64 KiB and 1 MiB buffers;
//     one iteration hashes the whole buffer from a fresh state (Reset, Write, Sum
//     in Go; Init, Update, Final in OpenSSL).
//   - sign/CURVE, verify/CURVE: GOST R 34.10-2012 signatures per second over a
//     precomputed digest, for the CLI curve names 256-a (engine paramset TCA),
//     cryptopro-a, -b, -c (256 "A", "B", "C"), 512-a, -b, -c (512 "A", "B", "C").
//     256-b, 256-c and 256-d are the CryptoPro-A, -B and -C curves under tc26
//     identifiers: where podpis benchmarks them under those names they are
//     compared with the engine's cryptopro-a, -b, -c; otherwise they are left out.
//   - cms_verify/nochain, cms_verify/chain: detached CAdES-BES signatures over
//     1 KiB (CryptoPro-A leaf and CA, Streebog-256) parsed and verified per
//     second, with the embedded signer certificate only, or with the path to the
//     trusted CA too (one certificate signature more); the harness's figures are
//     cms_verify_nochain and cms_verify_chain (d2i_CMS_ContentInfo + CMS_verify,
//     with and without CMS_NO_SIGNER_CERT_VERIFY).
//
// The podpis side is `go test -bench` on gost/streebog (BenchmarkStreebog256/8KiB
// …, with b.SetBytes), gost/gost3410 (BenchmarkSign/NAME, BenchmarkVerify/NAME)
// and cms (BenchmarkCMSVerify/nochain, /chain), ops/s = 1e9 / ns/op. The engine side is a C harness, cengine/engine_bench.c,
// compiled with cc against libcrypto into a temporary directory; it loads the
// engine with ENGINE_by_id("gost") and times the EVP calls in process, excluding
// setup. The run is -count rounds; each round measures every figure once on both
// sides for -benchtime, and the report shows each side's median, so both come
// from the same stretch of time on a machine whose load drifts. A package that
// does not build yet, or lacks a benchmark, shows its figures as missing; the
// rest of the report stands.
//
// Reading the table: ratio = podpis / engine, so above 1 podpis is faster and
// below 1 slower, for MB/s and ops/s alike. The gogost column holds gogost v5.14's
// figures from shared/bench/README.md, constants measured earlier on this machine
// kind, not in this run. The issues' bars are Streebog-256 at 8 KiB and both CMS
// figures ≥ 0.8× the engine, every sign and verify ≥ 0.5× the engine, and
// everything ≥ 10× gogost;
// a figure under a bar is marked BELOW BAR.
//
// A second table, "podpis figures with bars", holds the figures issues 5–8 set
// bars on that are not podpis beside the engine (barfigs.go lists them, with how
// each is computed):
//
//   - token/…: BenchmarkTokenSign (sign/pkcs11, gosttoken, 1 KiB, host hashing):
//     host-hash ops/s, and ÷ the engine's sign/256-a of the same run (the token
//     signs through that engine; no bar); overhead = (host-hash − direct) / direct
//     ≤ 10 %; scaling = host-hash ns/op ÷ parallel ns/op ≥ 1.6×; beside it, with
//     no bar, the token's scaling through bare miekg/pkcs11, the cgo ceiling (a C
//     loop of the token's length from one and two goroutines), the same loop from
//     C threads, and scaling as a share of the cgo ceiling.
//   - render/one_page: BenchmarkRenderOnePage (pdf) ≤ 20 ms/op.
//   - sign_pdf/…: BenchmarkSignPDF/sign (pdf/pdfsign, 1 MB) in ms/op and MB/s,
//     Streebog-256 over 1 MiB of the same round (BenchmarkStreebog256/1MiB), and
//     the hashing share = time to hash the signed bytes at that rate ÷ signing
//     time ≥ 50 % ("dominated by hashing").
//   - mchd/check: BenchmarkCheckMCHD ≥ 1,000 checks/s, run with -cpu 1 (one
//     core); render/mchd: BenchmarkRenderMCHD (mchd/form) ≤ 50 ms/op.
//   - bulk_verify/…: BenchmarkBulkVerify/jobs-1 and /jobs-2, speedup ≥ 1.8×.
//   - serve/…: BenchmarkServeVerify (verify/serve), a bounded load on loopback:
//     requests/s, p99 latency and heap growth from its b.ReportMetric values.
//   - tokend/…: BenchmarkAuthenticate (tokend): a login through the daemon, and
//     what it adds to direct sign/pkcs11 with the same pinentry dialog ≤ 5 ms.
//
// Those benchmarks are found by name in the module's _test.go files (the
// package an issue names is preferred when several declare one), each run by
// its own go test in every round; the others run with -cpu GOMAXPROCS. A figure
// read from two benchmarks (or a benchmark and the engine) is computed per round,
// then the median taken. A benchmark no package declares yet is shown as
// "missing (no benchmark yet)"; one declared only in files whose build
// constraints exclude them here (cgo off), or that fails, as missing with the
// reason; the rest of the report stands. -only selects from both tables; a table none of
// whose figures is selected is left out, and the engine harness is built and run
// only when a selected figure needs it. -json writes both tables, the second as
// podpis_figures (value null when missing, met true/false where there is a bar,
// and the medians of the ns/op each value was computed from).
//
// The report exits 0 whatever the figures; it exits 2 with one line when the
// harness cannot be built or the engine is missing (run `make deps`).
//
// At the defaults (-count 3, -benchtime 1s) `make bench` took 6.5 minutes on
// the shared two-core machine (2026-11-23), much of it go test building and
// linking test binaries.
//
// Usage:
//
//	go run ./internal/benchcmp [-benchtime 1s] [-count 3] [-only REGEX] [-json]
//
// for instance -only 'token|render|sign_pdf' for issues 5 and 6 alone.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	benchtime time.Duration
	count     int
	only      *regexp.Regexp
	json      bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	var only string
	fs := flag.NewFlagSet("benchcmp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&o.benchtime, "benchtime", time.Second, "time per figure per round, on each side")
	fs.IntVar(&o.count, "count", 3, "rounds; each measures every figure once on both sides, the report shows medians")
	fs.StringVar(&only, "only", "", "measure only figures matching this `regex` (e.g. streebog, ^sign/, 512)")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.benchtime < time.Millisecond || o.benchtime > time.Hour:
		return o, fmt.Errorf("-benchtime %s: want 1ms to 1h", o.benchtime)
	case o.count < 1 || o.count > 50:
		return o, fmt.Errorf("-count %d: want 1 to 50", o.count)
	}
	if only != "" {
		re, err := regexp.Compile(only)
		if err != nil {
			return o, fmt.Errorf("-only: %v", err)
		}
		o.only = re
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "benchcmp: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := compare(ctx, opts, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "benchcmp: %v\n", err)
		return 2
	}
	return 0
}

func progress(stderr io.Writer, format string, args ...any) {
	fmt.Fprintf(stderr, "benchcmp: "+format+"\n", args...)
}

// compare measures both sides and writes the report.
func compare(ctx context.Context, opts options, stdout, stderr io.Writer) error {
	figs := selectFigures(opts.only)
	pfigs := selectPodpisFigures(opts.only)
	if len(figs) == 0 && len(pfigs) == 0 {
		return fmt.Errorf("-only %s matches no figure (they are named like streebog256/8KiB, sign/256-a, verify/cryptopro-a, token/overhead, render/one_page, sign_pdf/time, mchd/check, bulk_verify/speedup)", opts.only)
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "podpis-benchcmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	var bin string
	if len(engineNames(figs, pfigs)) > 0 {
		progress(stderr, "building OpenSSL harness…")
		if bin, err = buildHarness(ctx, tmp); err != nil {
			return err
		}
	}
	m, err := measure(ctx, opts, figs, pfigs, bin, root, stderr)
	if err != nil {
		return err
	}
	rep := report{
		Benchtime:   opts.benchtime.String(),
		Count:       opts.count,
		Engine:      m.about,
		Go:          fmt.Sprintf("%s %s/%s, GOMAXPROCS %d", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0)),
		Procs:       runtime.GOMAXPROCS(0),
		Rows:        makeRows(figs, medians(m.engine), medians(m.podpis), m.pkgErrs),
		Packages:    m.pkgErrs,
		Podpis:      makePodpisRows(pfigs, m.bars, m.engine),
		BenchPkgs:   m.bars.pkg,
		BenchErrors: m.bars.errs,
	}
	if opts.json {
		return writeJSON(stdout, rep)
	}
	return writeTable(stdout, rep)
}

// engineNames are the engine figures the selected figures of both tables need.
func engineNames(figs []figure, pfigs []podpisFigure) []string {
	names := distinct(figs, figure.engineName)
	for _, f := range pfigs {
		if f.engine != "" {
			names = appendNew(names, f.engine)
		}
	}
	return names
}

// measurements are the samples of all rounds, per figure.
type measurements struct {
	about   string               // OpenSSL and engine versions
	engine  map[string][]float64 // by engine figure name, one per round
	podpis  map[string][]float64
	pkgErrs map[string]string // why a package gave no figures, or not all
	bars    podpisRuns        // the second table's results
}

// measure runs opts.count rounds; each measures every figure once on both
// sides, and runs every benchmark the second table reads, so that both sides'
// medians come from the same stretch of time on a machine whose load drifts. A
// package or benchmark function that fails is not run again.
func measure(ctx context.Context, opts options, figs []figure, pfigs []podpisFigure, bin, root string, stderr io.Writer) (measurements, error) {
	m := measurements{engine: map[string][]float64{}, podpis: map[string][]float64{}, pkgErrs: map[string]string{},
		bars: podpisRuns{pkg: map[string]string{}, errs: map[string]string{}}}
	names := engineNames(figs, pfigs)
	procs := runtime.GOMAXPROCS(0)
	funcs, subs := benchFuncsFor(pfigs)
	if len(funcs) > 0 {
		declared, err := findBenchmarks(root, funcs)
		if err != nil {
			return m, fmt.Errorf("looking for benchmarks: %v", err)
		}
		for _, fn := range funcs {
			if pkg := choosePackage(lookupBenchFunc(fn), declared.pkgs[fn]); pkg != "" {
				m.bars.pkg[fn] = pkg
			} else if file, ok := declared.excluded[fn]; ok {
				m.bars.pkg[fn] = path.Dir(file)
				m.bars.errs[fn] = "declared only in " + file + ", which build constraints exclude here (cgo off?)"
			}
		}
	}
	for round := 1; round <= opts.count; round++ {
		if len(names) > 0 {
			progress(stderr, "round %d/%d: running OpenSSL GOST engine (%d × %s)…", round, opts.count, len(names), opts.benchtime)
			run, err := runHarness(ctx, bin, opts.benchtime, 1, names)
			if err != nil {
				return m, err
			}
			m.about = run.about
			for name, v := range run.values {
				m.engine[name] = append(m.engine[name], v)
			}
		}
		for _, pkg := range distinct(figs, figure.pkgName) {
			if _, failed := m.pkgErrs[pkg]; failed {
				continue
			}
			var pkgFigs []figure
			for _, f := range figs {
				if f.pkg == pkg {
					pkgFigs = append(pkgFigs, f)
				}
			}
			progress(stderr, "round %d/%d: running Go benchmarks (%s)…", round, opts.count, pkg)
			samples, err := runGoBench(ctx, root, pkg, pkgFigs, opts.benchtime, 1, procs)
			if ctx.Err() != nil {
				return m, ctx.Err()
			}
			if err != nil {
				m.pkgErrs[pkg] = err.Error()
				progress(stderr, "%s: %v (its figures are reported as missing)", pkg, err)
			}
			for name, s := range samples {
				m.podpis[name] = append(m.podpis[name], s...)
			}
		}
		results := map[string]benchLine{}
		for _, fn := range funcs {
			pkg, ok := m.bars.pkg[fn]
			if _, failed := m.bars.errs[fn]; !ok || failed {
				continue
			}
			cpu := lookupBenchFunc(fn).cpu
			if cpu == 0 {
				cpu = procs
			}
			progress(stderr, "round %d/%d: running %s (%s, -cpu %d)…", round, opts.count, fn, pkg, cpu)
			run, err := goTestBench(ctx, root, pkg, funcRegex(fn, subs[fn]), opts.benchtime, 1, cpu)
			if ctx.Err() != nil {
				return m, ctx.Err()
			}
			measured := false
			for _, l := range run.lines {
				if l.name == fn || strings.HasPrefix(l.name, fn+"/") {
					results[l.name] = l
					measured = true
				}
			}
			if err == nil {
				err = run.failure(measured)
			}
			if err != nil {
				m.bars.errs[fn] = err.Error()
				progress(stderr, "%s: %v (figures it lacks are reported as missing)", fn, err)
			}
		}
		m.bars.rounds = append(m.bars.rounds, results)
	}
	return m, nil
}

// moduleRoot is the directory of the main module's go.mod, where go test runs.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside the podpis module: run from the repository root")
	}
	return filepath.Dir(gomod), nil
}

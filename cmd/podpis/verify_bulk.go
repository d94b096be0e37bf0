package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/podpis/podpis/internal/atomicfile"
	"github.com/podpis/podpis/verify"
	"github.com/podpis/podpis/verify/bulk"
)

// bulkFlags are the flags of `podpis verify` for files given as arguments
// (verify.Any) and for batches (package verify/bulk).
type bulkFlags struct {
	dir, manifest, out, html, power string
	jobs                            int
	resume                          bool
}

// addBulkFlags registers --bulk, --manifest, --jobs, --out, --resume,
// --html and --power on `podpis verify` and routes to verifyBulk or
// verifyFiles when they, or file arguments, are given; otherwise the
// command runs as before.
func addBulkFlags(cmd *cobra.Command, f *verifyFlags) {
	var b bulkFlags
	fl := cmd.Flags()
	fl.StringVar(&b.dir, "bulk", "", "verify every signed object in this directory (pairs X with X.sig/.sgn/.p7s, else by content)")
	fl.StringVar(&b.manifest, "manifest", "", "verify the entries of this file: one per line, the entry's files separated by TAB")
	fl.IntVar(&b.jobs, "jobs", 0, "with --bulk/--manifest: entries checked at once (default: one per CPU)")
	fl.StringVar(&b.out, "out", "", "with --bulk/--manifest: write one JSON line per entry to this file (schema: package verify/bulk)")
	fl.BoolVar(&b.resume, "resume", false, "with --out: skip the entries the file already has and append the rest")
	fl.StringVar(&b.html, "html", "", "also write the report as an HTML page to this file (to print and file)")
	fl.StringVar(&b.power, "power", "", "for a document signed by a representative: the power code (КодПолн) the document needs")
	cmd.Use += "\n  podpis verify FILE... --trust … [--power CODE] [--html report.html]\n  podpis verify --bulk DIR|--manifest FILE --trust … [--jobs N] [--out report.jsonl [--resume]] [--html report.html]"
	cmd.Long += `

Given files as arguments, verify works out what each is from its bytes (a
CMS signature in DER, BER, PEM or Base64, a PDF, a power of attorney in
EMCHD_1 XML, or a document) and checks what they make together: a signature
with its document (paired by the signature's message digest), a signed PDF,
a power of attorney with its signature, or a document signed by a
representative together with the power of attorney and its signature
(--power asks whether the power of attorney grants that power).

With --bulk DIR or --manifest FILE it checks a batch in parallel (--jobs),
shows progress on stderr, writes one JSON line per entry to --out as each
finishes, and ends with a summary table. Interrupted (Ctrl-C), it finishes
the entries in flight, keeps what it wrote and exits with status 2; run it
again with --resume to check the rest. One bad file never stops the batch.
Exit status 1 when any entry is not valid.`
	orig, origArgs := cmd.RunE, cmd.Args
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(c *cobra.Command, args []string) error {
		switch {
		case b.dir != "" || b.manifest != "":
			if len(args) > 0 {
				return fmt.Errorf("--bulk and --manifest take no file arguments (got %s)", args[0])
			}
			return verifyBulk(c, *f, b)
		case len(args) > 0 || b.html != "":
			if b.out != "" || b.resume || b.jobs != 0 {
				return errors.New("--out, --resume and --jobs go with --bulk or --manifest")
			}
			return verifyFiles(c, *f, b, args)
		}
		if b.out != "" || b.resume || b.jobs != 0 || b.power != "" {
			return errors.New("--out, --resume, --jobs and --power go with --bulk, --manifest or file arguments")
		}
		if err := origArgs(c, args); err != nil {
			return err
		}
		return orig(c, args)
	}
}

// anyOptions are verify.Any's options from the shared verify flags.
func anyOptions(f verifyFlags, b bulkFlags) (verify.AnyOptions, error) {
	var opts verify.AnyOptions
	o, err := verifyOptions(f)
	if err != nil {
		return opts, err
	}
	opts.Options = o
	opts.Power = b.power
	if o.Online {
		// One cache for the whole run: a CRL or OCSP answer is fetched
		// once, not once per entry.
		opts.Cache = verify.NewRevocationCache()
	}
	return opts, nil
}

// verifyFiles checks the files given as arguments (and --in/--content) as
// one signed object.
func verifyFiles(cmd *cobra.Command, f verifyFlags, b bulkFlags, args []string) error {
	if err := f.checkOutput(); err != nil {
		return err
	}
	names := append([]string(nil), args...)
	for _, n := range []string{f.in, f.content} {
		if n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return errors.New("verify --html needs the files to verify: --in (and --content) or file arguments")
	}
	opts, err := anyOptions(f, b)
	if err != nil {
		return err
	}
	in := make([]verify.Input, len(names))
	for i, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			return err
		}
		in[i] = verify.Input{Name: n, Data: data}
	}
	res, err := verify.Any(cmd.Context(), in, opts)
	if err != nil {
		return err
	}
	if b.html != "" {
		var page bytes.Buffer
		if err := res.WriteHTML(&page, verify.Lang(f.lang)); err != nil {
			return err
		}
		if err := atomicfile.WriteFile(b.html, page.Bytes(), 0o644); err != nil {
			return err
		}
	}
	if err := f.writeReport(cmd.OutOrStdout(), res, res.WriteText); err != nil {
		return err
	}
	if !res.Passed() {
		return errInvalid{fmt.Sprintf("%s: %s %s", strings.Join(names, " + "), res.Indication, res.Code)}
	}
	return nil
}

// verifyBulk runs a batch.
func verifyBulk(cmd *cobra.Command, f verifyFlags, b bulkFlags) error {
	if err := f.checkOutput(); err != nil {
		return err
	}
	if b.dir != "" && b.manifest != "" {
		return errors.New("give --bulk DIR or --manifest FILE, not both")
	}
	if b.resume && b.out == "" {
		return errors.New("--resume needs --out (the JSON-lines file to continue)")
	}
	if b.jobs < 0 {
		return fmt.Errorf("--jobs %d: give a positive number", b.jobs)
	}
	opts, err := anyOptions(f, b)
	if err != nil {
		return err
	}
	var entries []bulk.Entry
	if b.dir != "" {
		if st, err := os.Stat(b.dir); err != nil {
			return err
		} else if !st.IsDir() {
			return fmt.Errorf("--bulk %s: not a directory", b.dir)
		}
		entries, err = bulk.ScanDir(b.dir, b.out, b.html)
		if err != nil {
			return err
		}
	} else {
		mf, err := os.Open(b.manifest)
		if err != nil {
			return err
		}
		entries, err = bulk.ReadManifest(mf, filepath.Dir(b.manifest))
		mf.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", b.manifest, err)
		}
	}
	if len(entries) == 0 {
		return errors.New("nothing to verify: no files found")
	}

	var out *bulk.Output
	var prev []bulk.Record
	if b.out != "" {
		if out, prev, err = bulk.OpenOutput(b.out, b.resume); err != nil {
			return err
		}
	}
	done := map[string]bool{}
	sum := bulk.NewSummary()
	var all []bulk.Record
	for i := range prev {
		done[prev[i].ID] = true
		sum.Add(&prev[i])
	}
	all = append(all, prev...)

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	prog := newProgress(stderr, verify.Lang(f.lang))
	var jsonOut *jsonLines
	if out == nil && f.format == "json" {
		jsonOut = &jsonLines{w: stdout}
	}
	run, runErr := bulk.Run(ctx, entries, bulk.Options{Verify: opts, Jobs: b.jobs, Done: done, Progress: prog.update, Encode: out != nil || jsonOut != nil},
		func(r *bulk.Record) error {
			if b.html != "" {
				all = append(all, *r)
			}
			switch {
			case out != nil:
				return out.Write(r)
			case jsonOut != nil:
				return jsonOut.write(r)
			}
			return nil
		})
	prog.finish()
	if out != nil {
		if err := out.Close(); err != nil && runErr == nil {
			runErr = err
		}
	}
	sum.Merge(run)
	if f.format != "json" || out != nil {
		if err := sum.WriteText(stdout, verify.Lang(f.lang)); err != nil {
			return err
		}
	}
	if b.html != "" {
		var page bytes.Buffer
		if err := bulk.WriteHTML(&page, all, sum, verify.Lang(f.lang)); err != nil {
			return err
		}
		if err := atomicfile.WriteFile(b.html, page.Bytes(), 0o644); err != nil {
			return err
		}
	}
	if errors.Is(runErr, bulk.ErrInterrupted) {
		msg := runErr.Error()
		if b.out != "" {
			msg += "; run again with --resume to check the rest"
		}
		return errors.New(msg)
	}
	if runErr != nil {
		return runErr
	}
	if !sum.Passed() {
		return errInvalid{fmt.Sprintf("%d of %d not valid", sum.Total()-sum.Valid, sum.Total())}
	}
	return nil
}

type jsonLines struct{ w io.Writer }

func (j *jsonLines) write(r *bulk.Record) error {
	line, err := r.JSONLine()
	if err != nil {
		return err
	}
	_, err = j.w.Write(line)
	return err
}

// progress shows how far a batch is on stderr: a bar redrawn in place on a
// terminal, otherwise a plain line every 5% (and at least every 10 s).
type progress struct {
	w        io.Writer
	tty      bool
	lang     verify.Lang
	lastLine time.Time
	lastPct  int
	drawn    bool
}

func newProgress(w io.Writer, lang verify.Lang) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &progress{w: w, tty: tty, lang: lang, lastPct: -1}
}

func (p *progress) words(ru, en string) string {
	if p.lang == verify.English {
		return en
	}
	return ru
}

func (p *progress) update(pr bulk.Progress) {
	if pr.Total == 0 {
		return
	}
	pct := pr.Done * 100 / pr.Total
	elapsed := time.Since(pr.Started)
	rate := float64(pr.Done) / max(elapsed.Seconds(), 1e-3)
	if p.tty {
		now := time.Now()
		if pr.Done != pr.Total && now.Sub(p.lastLine) < 100*time.Millisecond {
			return
		}
		p.lastLine = now
		const width = 30
		fill := pr.Done * width / pr.Total
		eta := ""
		if rate > 0 && pr.Done < pr.Total {
			left := time.Duration(float64(pr.Total-pr.Done) / rate * float64(time.Second)).Round(time.Second)
			eta = fmt.Sprintf("  %s %s", p.words("осталось", "ETA"), left)
		}
		fmt.Fprintf(p.w, "\r[%s%s] %d/%d %3d%%  %.0f/%s%s\x1b[K", strings.Repeat("#", fill), strings.Repeat(".", width-fill),
			pr.Done, pr.Total, pct, rate, p.words("с", "s"), eta)
		p.drawn = true
		return
	}
	if pct/5 == p.lastPct/5 && pr.Done != pr.Total && time.Since(p.lastLine) < 10*time.Second {
		return
	}
	p.lastPct, p.lastLine = pct, time.Now()
	fmt.Fprintf(p.w, "podpis: %s %d %s %d (%d%%)\n", p.words("проверено", "checked"), pr.Done, p.words("из", "of"), pr.Total, pct)
}

func (p *progress) finish() {
	if p.tty && p.drawn {
		fmt.Fprintln(p.w)
	}
}

package bulk

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/verify"
)

// testPKI is one devpki for the package's tests (key generation is slow).
var testPKI = sync.OnceValues(func() (*devpki.PKI, error) { return devpki.New(devpki.Options{}) })

func pkiT(tb testing.TB) (*devpki.PKI, verify.AnyOptions) {
	tb.Helper()
	p, err := testPKI()
	if err != nil {
		tb.Fatal(err)
	}
	var opts verify.AnyOptions
	opts.Roots = pki.NewCertPool()
	opts.Roots.AddCert(p.CA.Cert)
	return p, opts
}

func signDetached(tb testing.TB, p *devpki.PKI, data []byte) []byte {
	tb.Helper()
	sig, err := cms.Sign(bytes.NewReader(data), cms.SignerConfig{Signer: p.Signer.Key, Certificate: p.Signer.Cert}, cms.SignOptions{Detached: true})
	if err != nil {
		tb.Fatal(err)
	}
	return sig
}

func write(tb testing.TB, dir, name string, data []byte) {
	tb.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// mixedDir is a folder an operator might receive: pairs by name with each
// extension, a signature named after nothing, a changed document, garbage,
// an unsigned file and an attached signature.
func mixedDir(t *testing.T) (string, verify.AnyOptions) {
	p, opts := pkiT(t)
	dir := t.TempDir()
	for _, n := range []string{"a.txt", "sub/b.xml", "c.doc"} {
		write(t, dir, n, []byte("документ "+n))
	}
	write(t, dir, "a.txt.sig", signDetached(t, p, []byte("документ a.txt")))
	write(t, dir, "sub/b.xml.SGN", signDetached(t, p, []byte("документ sub/b.xml")))
	write(t, dir, "c.doc.p7s", signDetached(t, p, []byte("документ c.doc")))
	write(t, dir, "orphan/unnamed.sig", signDetached(t, p, []byte("отчёт за ноябрь")))
	write(t, dir, "reports/Отчёт ноябрь.txt", []byte("отчёт за ноябрь"))
	write(t, dir, "changed.txt", []byte("изменённый текст"))
	write(t, dir, "changed.txt.sig", signDetached(t, p, []byte("исходный текст")))
	write(t, dir, "garbage.sig", []byte("this is not a signature"))
	write(t, dir, "lonely.txt", []byte("no signature for me"))
	att, err := cms.Sign(bytes.NewReader([]byte("приложение")), cms.SignerConfig{Signer: p.Signer.Key, Certificate: p.Signer.Cert}, cms.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "attached.p7s", att)
	return dir, opts
}

func ids(entries []Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.ID
	}
	return out
}

func TestScanDir(t *testing.T) {
	dir, _ := mixedDir(t)
	entries, err := ScanDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"a.txt + a.txt.sig", "attached.p7s", "c.doc + c.doc.p7s", "changed.txt + changed.txt.sig", "garbage.sig",
		"lonely.txt", "reports/Отчёт ноябрь.txt + orphan/unnamed.sig", "sub/b.xml + sub/b.xml.SGN",
	}
	if got := ids(entries); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, e := range entries {
		if (e.ID == "lonely.txt") != (e.Problem != "") {
			t.Errorf("%s: problem %q", e.ID, e.Problem)
		}
	}
}

// One run over the mixed folder: every entry has exactly one record with the
// right outcome, garbage does not stop the batch, and the summary adds up.
func TestRun(t *testing.T) {
	dir, opts := mixedDir(t)
	entries, err := ScanDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*Record{}
	calls := 0
	sum, err := Run(context.Background(), entries, Options{Verify: opts, Jobs: 3, Progress: func(p Progress) {
		calls++
		if p.Total != len(entries) || p.Done != calls {
			t.Errorf("progress %d/%d after %d calls", p.Done, p.Total, calls)
		}
	}}, func(r *Record) error {
		if got[r.ID] != nil {
			t.Errorf("%s twice", r.ID)
		}
		got[r.ID] = r
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a.txt + a.txt.sig": Valid, "attached.p7s": Valid, "c.doc + c.doc.p7s": Valid,
		"changed.txt + changed.txt.sig": Invalid, "garbage.sig": Error, "lonely.txt": Error,
		"reports/Отчёт ноябрь.txt + orphan/unnamed.sig": Valid, "sub/b.xml + sub/b.xml.SGN": Valid,
	}
	for id, o := range want {
		r := got[id]
		if r == nil {
			t.Errorf("%s: no record", id)
			continue
		}
		if r.Outcome != o {
			t.Errorf("%s: %s %s %s %s, want %s", id, r.Outcome, r.Code, r.Detail, r.Error, o)
		}
		if r.Schema != SchemaVersion || (o == Valid && len(r.Signers) == 0) {
			t.Errorf("%s: record %+v", id, r)
		}
	}
	if got["changed.txt + changed.txt.sig"].Code != verify.CodeContentMismatch {
		t.Errorf("changed: %s", got["changed.txt + changed.txt.sig"].Code)
	}
	if sum.Valid != 5 || sum.Invalid[verify.CodeContentMismatch] != 1 || sum.Errors != 2 || sum.Total() != len(entries) || sum.Passed() {
		t.Errorf("summary %+v", sum)
	}
	for _, l := range []verify.Lang{verify.Russian, verify.English} {
		var b strings.Builder
		if err := sum.WriteText(&b, l); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "CONTENT_MISMATCH") || !strings.Contains(b.String(), "       8\n") {
			t.Errorf("summary text:\n%s", b.String())
		}
	}
}

func TestManifest(t *testing.T) {
	m := "# документы за ноябрь\n\na.txt.sig\ta.txt\r\n/abs/x.p7s\n\nr.pdf\n"
	entries, err := ReadManifest(strings.NewReader(m), "/base")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 || entries[0].ID != "a.txt.sig + a.txt" || entries[0].Files[1] != "/base/a.txt" || entries[1].Files[0] != "/abs/x.p7s" {
		t.Fatalf("%+v", entries)
	}
	if _, err := ReadManifest(strings.NewReader("a\tb\nc\na\tb\n"), "."); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("duplicate: %v", err)
	}
}

// corpus writes n small documents with detached signatures into dir.
func corpus(tb testing.TB, dir string, n int) {
	tb.Helper()
	p, _ := pkiT(tb)
	var wg sync.WaitGroup
	errs := make(chan error, runtime.NumCPU())
	idx := make(chan int)
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range idx {
				doc := []byte(fmt.Sprintf("Счёт № %d от 23.11.2026", i))
				sig, err := cms.Sign(bytes.NewReader(doc), cms.SignerConfig{Signer: p.Signer.Key, Certificate: p.Signer.Cert}, cms.SignOptions{Detached: true})
				if err == nil {
					name := filepath.Join(dir, fmt.Sprintf("%05d.txt", i))
					err = errors.Join(os.WriteFile(name, doc, 0o644), os.WriteFile(name+".sig", sig, 0o644))
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for i := range n {
		idx <- i
	}
	close(idx)
	wg.Wait()
	select {
	case err := <-errs:
		tb.Fatal(err)
	default:
	}
}

// The child process of TestResumeAfterKill: a run over BULK_DIR with one job
// appending to BULK_OUT, stopped by SIGINT like the command line.
func TestBulkChild(t *testing.T) {
	dir, out := os.Getenv("BULK_DIR"), os.Getenv("BULK_OUT")
	if dir == "" {
		t.Skip("run by TestResumeAfterKill")
	}
	trust, err := verify.LoadTrustStore(os.Getenv("BULK_CA"))
	if err != nil {
		t.Fatal(err)
	}
	var opts verify.AnyOptions
	opts.Trust, opts.Roots = trust, trust.Pool()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	entries, err := ScanDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	o, recs, err := OpenOutput(out, true)
	if err != nil {
		t.Fatal(err)
	}
	done := map[string]bool{}
	for _, r := range recs {
		done[r.ID] = true
	}
	_, err = Run(ctx, entries, Options{Verify: opts, Jobs: 2, Done: done}, func(r *Record) error {
		time.Sleep(5 * time.Millisecond) // give the parent time to stop us midway
		return o.Write(r)
	})
	if cerr := o.Close(); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil && !errors.Is(err, ErrInterrupted) {
		t.Fatal(err)
	}
}

func lines(t *testing.T, name string) int {
	data, _ := os.ReadFile(name)
	return bytes.Count(data, []byte("\n"))
}

// A run is stopped midway twice — by SIGINT (it finishes what is in flight
// and exits) and by SIGKILL (it may leave half a line) — and resumed each
// time: in the end every entry is in the output exactly once.
func TestResumeAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	dir := t.TempDir()
	const n = 300
	corpus(t, dir, n)
	out := filepath.Join(t.TempDir(), "report.jsonl")
	p, _ := pkiT(t)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	write(t, filepath.Dir(ca), "ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.CA.Cert.Raw}))
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBulkChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "BULK_DIR="+dir, "BULK_OUT="+out, "BULK_CA="+ca)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	waitLines := func(cmd *exec.Cmd, atLeast int) {
		deadline := time.Now().Add(2 * time.Minute)
		for lines(t, out) < atLeast {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("no progress: %d lines", lines(t, out))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	cmd := start()
	waitLines(cmd, 40)
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("after SIGINT: %v", err)
	}
	afterInt := lines(t, out)
	if afterInt >= n {
		t.Fatalf("SIGINT came too late: %d lines", afterInt)
	}
	data, _ := os.ReadFile(out)
	if len(data) > 0 && data[len(data)-1] != '\n' {
		t.Fatal("SIGINT left a partial line")
	}

	cmd = start()
	waitLines(cmd, afterInt+40)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	afterKill := lines(t, out)
	if afterKill >= n {
		t.Fatalf("SIGKILL came too late: %d lines", afterKill)
	}
	// Make the kill land mid-line for certain: a torn last record.
	f, err := os.OpenFile(out, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"schema":1,"id":"00299.txt + 00299.txt.sig","fil`)
	f.Close()

	cmd = start()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("resumed run: %v", err)
	}
	fh, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, good, err := ReadRecords(fh)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := fh.Stat(); st.Size() != good {
		t.Fatalf("trailing bytes after the last record: %d of %d", good, st.Size())
	}
	seen := map[string]int{}
	for _, r := range recs {
		seen[r.ID]++
		if r.Outcome != Valid {
			t.Errorf("%s: %s %s", r.ID, r.Outcome, r.Error)
		}
	}
	var dup []string
	for id, c := range seen {
		if c != 1 {
			dup = append(dup, id+"×"+strconv.Itoa(c))
		}
	}
	sort.Strings(dup)
	if len(seen) != n || len(dup) > 0 {
		t.Fatalf("%d distinct entries of %d; duplicates %v", len(seen), n, dup)
	}
	t.Logf("stopped at %d (SIGINT) and %d (SIGKILL) of %d records", afterInt, afterKill, n)
}

// cpuTime is the user and system time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestOpenOutput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	o, _, err := OpenOutput(out, false)
	if err != nil {
		t.Fatal(err)
	}
	o.Write(&Record{Schema: 1, ID: "x", Outcome: Valid})
	o.Close()
	if _, _, err := OpenOutput(out, false); err == nil || !strings.Contains(err.Error(), "--resume") {
		t.Fatalf("existing output without resume: %v", err)
	}
	os.WriteFile(out, []byte("{\"schema\":1,\"id\":\"x\"}\nnot json\n"), 0o644)
	if _, _, err := OpenOutput(out, true); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("foreign file: %v", err)
	}
	os.WriteFile(out, []byte("{\"schema\":2,\"id\":\"x\"}\n"), 0o644)
	if _, _, err := OpenOutput(out, true); err == nil || !strings.Contains(err.Error(), "schema 2") {
		t.Fatalf("newer schema: %v", err)
	}
}

// BenchmarkBulkVerify verifies a folder of 10,000 small documents with
// detached CAdES-BES signatures (devpki, generated once per run), pairing
// included, with one and with two jobs; make bench compares the two
// (internal/benchcmp, bar: jobs-2 at least 1.8× faster on 2 cores).
func BenchmarkBulkVerify(b *testing.B) {
	dir := b.TempDir()
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("PODPIS_BULK_N")); err == nil && v > 0 {
		n = v
	}
	corpus(b, dir, n)
	_, opts := pkiT(b)
	for _, jobs := range []int{1, 2} {
		b.Run(fmt.Sprintf("jobs-%d", jobs), func(b *testing.B) {
			cpu0 := cpuTime()
			for b.Loop() {
				entries, err := ScanDir(dir)
				if err != nil {
					b.Fatal(err)
				}
				// The records are encoded and written as the command does.
				sum, err := Run(context.Background(), entries, Options{Verify: opts, Jobs: jobs, Encode: true}, func(r *Record) error {
					line, err := r.JSONLine()
					if err == nil {
						_, err = io.Discard.Write(line)
					}
					return err
				})
				if err != nil || sum.Valid != n {
					b.Fatalf("%v: %+v", err, sum)
				}
			}
			b.ReportMetric(float64(n), "files/op")
			// CPU seconds the process used per batch: on a busy machine the
			// wall time says little, this says whether the jobs ran at once.
			b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

// JSONLine writes the result as verify.Result.MarshalJSON gives it rather
// than through the encoder: the line must be, byte for byte, what the
// encoder writes for the whole record (valid, invalid, error, a name with
// characters HTML would escape).
func TestJSONLine(t *testing.T) {
	dir, opts := mixedDir(t)
	entries, err := ScanDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	_, err = Run(context.Background(), entries, Options{Verify: opts, Jobs: 2}, func(r *Record) error {
		n++
		if n == 1 {
			r.Signers = append(r.Signers, `ООО "Рога & копыта" <офис>`)
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r); err != nil {
			return err
		}
		r.line = nil // encoded anew, with the name added
		line, err := r.JSONLine()
		if err != nil {
			return err
		}
		if !bytes.Equal(line, b.Bytes()) {
			t.Errorf("%s:\n%s\nthe encoder writes\n%s", r.ID, line, b.Bytes())
		}
		if again, _ := r.JSONLine(); &again[0] != &line[0] {
			t.Errorf("%s: encoded twice", r.ID)
		}
		return nil
	})
	if err != nil || n != len(entries) {
		t.Fatalf("%d of %d: %v", n, len(entries), err)
	}
}

package registry

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podpis/podpis/pki/devpki"
)

// The crash tests re-run this test binary as a writer process (TestMain
// sees childEnv and calls childMain instead of the tests).
const (
	childEnv = "PODPIS_REGISTRY_CHILD" // the DSN to write to
	childN   = "PODPIS_REGISTRY_N"     // how many POAs; 0 = until killed
)

// childMain works in a loop — create and sign a POA; every third time
// import a retrust of it; every second time revoke the POA (with the
// retrust, in the same transaction) — printing "ok OP GUID" after each call
// returns: the moment the registry has reported it written.
func childMain() {
	fail := func(err error) {
		fmt.Println("error", err)
		os.Exit(3)
	}
	p, err := devpki.New(devpki.Options{})
	if err != nil {
		fail(err)
	}
	n, _ := strconv.Atoi(os.Getenv(childN))
	r, err := Open(context.Background(), os.Getenv(childEnv))
	if err != nil {
		fail(err)
	}
	ctx := context.Background()
	say := func(op, guid string) {
		if _, err := os.Stdout.WriteString("ok " + op + " " + guid + "\n"); err != nil {
			fail(err)
		}
	}
	tb := &childTB{}
	org := p.Signer.Cert.SubjectName.LegalEntityINN()
	for i := 0; n == 0 || i < n; i++ {
		d, x := newPOA(tb, p)
		g := guidOf(d)
		if _, err := r.Create(ctx, x); err != nil {
			fail(err)
		}
		say(OpCreate, g)
		if _, err := r.AttachSignature(ctx, g, signBy(tb, p.Signer, x)); err != nil {
			fail(err)
		}
		say(OpSign, g)
		if i%3 == 1 {
			rt, rx := newRetrust(tb, p, d, false)
			if _, err := r.Import(ctx, rx, signBy(tb, p.Person, rx)); err != nil {
				fail(err)
			}
			say(OpImport, guidOf(rt))
		}
		if i%2 == 1 {
			stmt, sig := statement(tb, p.Signer, g, org, "Тест")
			if _, err := r.Revoke(ctx, g, "Тест", stmt, sig); err != nil {
				fail(err)
			}
			say(OpRevoke, g)
		}
	}
	r.Close()
	os.Exit(0)
}

// childTB lets the test helpers run in the child: a failure ends it.
type childTB struct{ testing.TB }

func (*childTB) Helper() {}
func (*childTB) Fatal(args ...any) {
	fmt.Println(append([]any{"error"}, args...)...)
	os.Exit(3)
}
func (c *childTB) Fatalf(format string, args ...any) { c.Fatal(fmt.Sprintf(format, args...)) }

func startChild(t *testing.T, dsn string, n int) (*exec.Cmd, io.ReadCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"="+dsn, childN+"="+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, out
}

// readReported reads the child's lines until EOF, sending each reported
// operation ("OP GUID") to seen as it comes.
func readReported(t *testing.T, out io.Reader, seen chan<- string) []string {
	var ops []string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		op, ok := strings.CutPrefix(line, "ok ")
		if !ok {
			t.Errorf("child: %s", line)
			continue
		}
		ops = append(ops, op)
		if seen != nil {
			seen <- op
		}
	}
	if seen != nil {
		close(seen)
	}
	return ops
}

// historyFor is what the journal must hold for a record in each status:
// the records the child writes go through exactly these.
var historyFor = map[Status][]string{
	StatusDraft:   {"create"},
	StatusSigned:  {"create sign", "import"},
	StatusRevoked: {"create sign revoke", "import revoke"},
}

// checkIntegrity checks that every reported operation is in the journal,
// every record reads back whole (XML against its hash) with a journal
// history that matches its status — no record changed without its entry,
// no entry without its change — and the chain verifies. It returns the
// number of records.
func checkIntegrity(t *testing.T, dsn string, reported []string) int {
	t.Helper()
	ctx := context.Background()
	r := open(t, dsn)
	recs, err := r.List(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	j, err := r.Journal(ctx, "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	history := make(map[string][]string)
	inJournal := make(map[string]bool)
	for _, e := range j {
		history[e.GUID] = append(history[e.GUID], e.Op)
		inJournal[e.Op+" "+e.GUID] = true
	}
	for _, op := range reported {
		if !inJournal[op] {
			t.Errorf("reported written but not in the journal: %s", op)
		}
	}
	for _, rec := range recs {
		h := strings.Join(history[rec.GUID], " ")
		if !slices.Contains(historyFor[rec.Status], h) {
			t.Errorf("record %s is %s but its journal says %q", rec.GUID, rec.Status, h)
		}
		if rec.Status != StatusDraft {
			if _, err := verifyOver(rec.Signature, rec.XML); err != nil {
				t.Errorf("record %s: %v", rec.GUID, err)
			}
		}
		delete(history, rec.GUID)
	}
	for g := range history {
		t.Errorf("journal entries for %s, which is not stored", g)
	}
	rep, err := r.VerifyJournal(ctx)
	if err != nil || !rep.OK {
		t.Errorf("journal after the crash: %+v %v", rep, err)
	}
	if bad, err := r.VerifyRecords(ctx); err != nil || len(bad) != 0 {
		t.Errorf("records after the crash: %+v %v", bad, err)
	}
	return len(recs)
}

// TestKillWriter kills a writing process with SIGKILL at several points and
// checks that nothing reported as written is lost and no half record or
// broken journal is left.
func TestKillWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("starts writer processes")
	}
	forEachBackend(t, func(t *testing.T, dsn string, r *Registry) {
		r.Close()
		var all []string
		for round, after := range []int{3, 8, 17, 29, 40, 55} {
			cmd, out := startChild(t, dsn, 0)
			seen := make(chan string, 1000)
			var reported []string
			done := make(chan struct{})
			go func() { reported = readReported(t, out, seen); close(done) }()
			for range after {
				if _, ok := <-seen; !ok {
					t.Fatalf("round %d: the writer stopped early", round)
				}
			}
			// Kill at a moment unrelated to the loop: mid-transaction as
			// often as not.
			time.Sleep(time.Duration(round*400) * time.Microsecond)
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			go func() {
				for range seen {
				}
			}()
			<-done
			cmd.Wait()
			all = append(all, reported...)
			checkIntegrity(t, dsn, all)
		}
	})
}

// TestTwoProcesses runs two writer processes on one database at once:
// both finish without an error (they wait for each other's lock).
func TestTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts writer processes")
	}
	forEachBackend(t, func(t *testing.T, dsn string, r *Registry) {
		const n = 25
		var wg sync.WaitGroup
		var mu sync.Mutex
		var all []string
		for range 2 {
			cmd, out := startChild(t, dsn, n)
			wg.Add(1)
			go func() {
				defer wg.Done()
				g := readReported(t, out, nil)
				if err := cmd.Wait(); err != nil {
					t.Errorf("writer process: %v", err)
				}
				mu.Lock()
				all = append(all, g...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		// Per child: n POAs, n/3 retrusts (i%3 == 1); operations: n creates,
		// n signs, those imports, n/2 revocations.
		imports := (n + 1) / 3
		if want := 2 * (2*n + imports + n/2); len(all) != want {
			t.Fatalf("%d operations reported, want %d", len(all), want)
		}
		if got := checkIntegrity(t, dsn, all); got != 2*(n+imports) {
			t.Errorf("%d records, want %d", got, 2*(n+imports))
		}
	})
}

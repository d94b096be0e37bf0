package registry

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
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

// childMain creates POAs in a loop, printing "ok GUID" after each Create
// returns — the moment the registry has reported it written.
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
	tb := &childTB{}
	for i := 0; n == 0 || i < n; i++ {
		_, x := newPOA(tb, p)
		rec, err := r.Create(context.Background(), x)
		if err != nil {
			fail(err)
		}
		if _, err := os.Stdout.WriteString("ok " + rec.GUID + "\n"); err != nil {
			fail(err)
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
// GUID to seen as it comes.
func readReported(t *testing.T, out io.Reader, seen chan<- string) []string {
	var guids []string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		g, ok := strings.CutPrefix(line, "ok ")
		if !ok {
			t.Errorf("child: %s", line)
			continue
		}
		guids = append(guids, g)
		if seen != nil {
			seen <- g
		}
	}
	if seen != nil {
		close(seen)
	}
	return guids
}

// checkIntegrity checks that every reported GUID is stored, every record
// reads back whole (XML against its hash), every record has exactly its
// create entry in the journal, and the journal chain verifies.
func checkIntegrity(t *testing.T, dsn string, reported []string) int {
	t.Helper()
	ctx := context.Background()
	r := open(t, dsn)
	for _, g := range reported {
		if _, err := r.Get(ctx, g); err != nil {
			t.Errorf("reported written but not found: %v", err)
		}
	}
	recs, err := r.List(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	j, err := r.Journal(ctx, "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(j) != len(recs) {
		t.Errorf("%d records but %d journal entries", len(recs), len(j))
	}
	created := make(map[string]bool)
	for _, e := range j {
		created[e.GUID] = true
	}
	for _, rec := range recs {
		if !created[rec.GUID] || rec.Status != StatusDraft {
			t.Errorf("record %s (%s) has no create entry", rec.GUID, rec.Status)
		}
	}
	rep, err := r.VerifyJournal(ctx)
	if err != nil || !rep.OK {
		t.Errorf("journal after the crash: %+v %v", rep, err)
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
		for round, after := range []int{5, 17, 40} {
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
			time.Sleep(time.Duration(round*700) * time.Microsecond)
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
			if n := checkIntegrity(t, dsn, all); n < len(all) {
				t.Fatalf("round %d: %d records, %d reported", round, n, len(all))
			}
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
		if len(all) != 2*n {
			t.Fatalf("%d POAs reported, want %d", len(all), 2*n)
		}
		if got := checkIntegrity(t, dsn, all); got != 2*n {
			t.Errorf("%d records, want %d", got, 2*n)
		}
	})
}

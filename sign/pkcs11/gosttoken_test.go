//go:build cgo

package pkcs11

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
)

// The GOST test token of testdata/gosttoken: a PKCS#11 module in C over
// OpenSSL's GOST engine, so the signatures tested here come from another
// implementation than podpis' own. It is built once per test binary with its
// Makefile; state lives in GOSTTOKEN_DIR, one directory per test.
const gosttokenSrc = "../../testdata/gosttoken"

var gosttoken struct {
	once sync.Once
	lib  string
	err  error
	out  []byte
	dir  string
}

// gosttokenLib builds libgosttoken.so (once) and returns its path. Without
// the Makefile (the token not written yet) the test is skipped; a build that
// fails is a failure in CI and a skip elsewhere.
func gosttokenLib(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(gosttokenSrc, "Makefile")); err != nil {
		t.Skip("skipping: testdata/gosttoken/Makefile is absent (the GOST test token is not in this tree)")
	}
	gosttoken.once.Do(func() {
		dir, err := os.MkdirTemp("", "podpis-gosttoken-")
		if err != nil {
			gosttoken.err = err
			return
		}
		gosttoken.dir = dir
		cmd := exec.Command("make", "-s", "-C", gosttokenSrc, "OUT="+dir)
		gosttoken.out, gosttoken.err = cmd.CombinedOutput()
		gosttoken.lib = filepath.Join(dir, "libgosttoken.so")
	})
	if gosttoken.err != nil {
		t.Logf("make -C testdata/gosttoken: %v\n%s", gosttoken.err, gosttoken.out)
	}
	require(t, "a buildable testdata/gosttoken (gcc, libssl-dev, libp11-kit-dev, libengine-gost-openssl)", gosttoken.err == nil)
	return gosttoken.lib
}

func TestMain(m *testing.M) {
	code := m.Run()
	if gosttoken.dir != "" {
		os.RemoveAll(gosttoken.dir)
	}
	os.Exit(code)
}

// gostToken is the state directory of gosttoken for one test.
type gostToken struct {
	t      testing.TB
	dir    string
	module string
}

// newGostToken sets GOSTTOKEN_DIR (and the other variables given) for the
// test and initialises a token labelled label in each of slots slots
// ("g0", "g1", … when label is ""), with the test PINs, through OpenSC's
// pkcs11-tool.
func newGostToken(t testing.TB, slots int, env ...string) *gostToken {
	t.Helper()
	lib := gosttokenLib(t)
	_, err := exec.LookPath("pkcs11-tool")
	require(t, "pkcs11-tool (Debian opensc)", err == nil)
	if n := openModules(); n != 0 {
		t.Fatalf("%d PKCS#11 modules still loaded before the test", n)
	}
	g := &gostToken{t: t, dir: t.TempDir(), module: lib}
	t.Setenv("GOSTTOKEN_DIR", g.dir)
	t.Setenv("GOSTTOKEN_SLOTS", strconv.Itoa(slots))
	for i := 0; i+1 < len(env); i += 2 {
		t.Setenv(env[i], env[i+1])
	}
	t.Cleanup(func() {
		if n := openModules(); n != 0 {
			t.Errorf("%d PKCS#11 modules still loaded after the test: a Key was not closed", n)
		}
	})
	for i := range slots {
		label := "g" + strconv.Itoa(i)
		g.run("--slot", strconv.Itoa(i), "--init-token", "--label", label, "--so-pin", testSOPIN)
		g.run("--token-label", label, "--init-pin", "--login", "--login-type", "so", "--so-pin", testSOPIN, "--pin", testPIN)
	}
	return g
}

func (g *gostToken) run(args ...string) string {
	g.t.Helper()
	out, err := exec.Command("pkcs11-tool", append([]string{"--module", g.module}, args...)...).CombinedOutput()
	if err != nil {
		g.t.Fatalf("pkcs11-tool %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (g *gostToken) uri(path string) string {
	return "pkcs11:" + path + "?module-path=" + g.module
}

// remove takes the token out of slot (the "removed" control file), and
// insert puts it back. Each waits for the module to notice: session calls
// look at the control file at most every 10 ms (GT_POLL_MS), as a reader
// notices a pulled card a little later.
func (g *gostToken) remove(slot int) {
	g.t.Helper()
	if err := os.WriteFile(filepath.Join(g.dir, "slot"+strconv.Itoa(slot), "removed"), nil, 0o600); err != nil {
		g.t.Fatal(err)
	}
	time.Sleep(gosttokenPoll)
}

func (g *gostToken) insert(slot int) {
	g.t.Helper()
	if err := os.Remove(filepath.Join(g.dir, "slot"+strconv.Itoa(slot), "removed")); err != nil {
		g.t.Fatal(err)
	}
	time.Sleep(gosttokenPoll)
}

// gosttokenPoll is twice GT_POLL_MS (testdata/gosttoken/src/gosttoken.h).
const gosttokenPoll = 20 * time.Millisecond

// userFails reads the token's failed-login counter from its state file.
func (g *gostToken) userFails(slot int) int {
	g.t.Helper()
	data, err := os.ReadFile(filepath.Join(g.dir, "slot"+strconv.Itoa(slot), "token"))
	if err != nil {
		g.t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "user_fails="); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				g.t.Fatal(err)
			}
			return n
		}
	}
	g.t.Fatal("no user_fails in the token state")
	return 0
}

// keygen makes a key labelled label on ps on token g0 and closes it.
func (g *gostToken) keygen(label string, ps *gost3410.ParamSet) {
	g.t.Helper()
	k, err := GenerateKey(context.Background(), g.uri("token=g0;object="+label), ps, pinOpts())
	if err != nil {
		g.t.Fatal(err)
	}
	k.Close()
}

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/podpis/podpis/internal/osslgost"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"podpis": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the command-line scripts in testdata/*.txtar. Scripts use
// `exec openssl` (with the GOST engine configured) for cross-checks; they skip
// those parts with [!openssl] only outside CI, where a missing engine is an
// error.
func TestScripts(t *testing.T) {
	conf, osslErr := osslgost.ConfigFile()
	if osslErr != nil && os.Getenv("CI") != "" {
		t.Fatalf("OpenSSL GOST oracle required in CI: %v", osslErr)
	}
	module, tokenErr := buildGostToken(t)
	if tokenErr != nil && os.Getenv("CI") != "" {
		t.Fatalf("the GOST test token is required in CI: %v", tokenErr)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata",
		Setup: func(env *testscript.Env) error {
			// The default МЧД registry of every mchd command (--db unset)
			// lives in the script's own directory.
			env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, "data"))
			if osslErr == nil {
				env.Setenv("OPENSSL_CONF", conf)
			}
			if tokenErr == nil {
				// Each script gets its own token state; podpis finds the
				// module through $PODPIS_PKCS11_MODULE.
				env.Setenv("GOSTTOKEN_MODULE", module)
				env.Setenv("PODPIS_PKCS11_MODULE", module)
				env.Setenv("GOSTTOKEN_DIR", filepath.Join(env.WorkDir, "token"))
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// envfile NAME FILE waits up to 10 s for FILE to exist and sets
			// the environment variable NAME to its contents.
			"envfile": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: envfile NAME FILE")
				}
				for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
					if data, err := os.ReadFile(ts.MkAbs(args[1])); err == nil {
						ts.Setenv(args[0], string(data))
						return
					}
					if time.Now().After(deadline) {
						ts.Fatalf("%s did not appear", args[1])
					}
				}
			},
			// truncate IN OUT N writes the first N bytes of IN to OUT.
			"truncate": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 3 {
					ts.Fatalf("usage: truncate IN OUT N")
				}
				n, err := strconv.Atoi(args[2])
				ts.Check(err)
				data := ts.ReadFile(args[0])
				ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(data[:n]), 0o644))
			},
			// exitcode N prog args... runs prog and checks its exit status is N.
			"exitcode": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 2 {
					ts.Fatalf("usage: exitcode N prog args...")
				}
				err := ts.Exec(args[1], args[2:]...)
				got := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					got = ee.ExitCode()
				} else if err != nil {
					ts.Fatalf("%v", err)
				}
				if strconv.Itoa(got) != args[0] {
					ts.Fatalf("exit status %d, want %s", got, args[0])
				}
			},
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "openssl":
				return osslErr == nil, nil
			case "gosttoken":
				return tokenErr == nil, nil
			}
			return false, nil
		},
	})
}

// buildGostToken builds the GOST test token (testdata/gosttoken, a PKCS#11
// module in C over OpenSSL's GOST engine) into a temporary directory and
// returns the module's path, with OpenSC's pkcs11-tool needed to set it up.
func buildGostToken(t *testing.T) (string, error) {
	if _, err := exec.LookPath("pkcs11-tool"); err != nil {
		return "", fmt.Errorf("pkcs11-tool (Debian opensc) not found: %w", err)
	}
	dir := t.TempDir()
	out, err := exec.Command("make", "-s", "-C", "../../testdata/gosttoken", "OUT="+dir).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("make -C testdata/gosttoken: %v: %s", err, out)
	}
	return filepath.Join(dir, "libgosttoken.so"), nil
}

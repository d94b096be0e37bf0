// Package osslgost runs OpenSSL with the GOST engine (Debian libengine-gost-openssl)
// as the independent oracle in podpis' tests.
//
// Tests that need it call Require. Where the engine is missing, the test fails
// when the CI environment variable is set (CI must install it, see `make deps`)
// and is skipped with a message otherwise. The engine is loaded through a
// configuration file (spec/infra/RECIPES.md, "OpenSSL with the GOST engine"), so
// that commands which have no -engine flag also see the GOST algorithms.
package osslgost

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const conf = `openssl_conf = conf
[conf]
engines = engines
[engines]
gost = gost_section
[gost_section]
engine_id = gost
default_algorithms = ALL
`

var (
	once     sync.Once
	confPath string
	probeErr error
)

func probe() {
	if _, err := exec.LookPath("openssl"); err != nil {
		probeErr = fmt.Errorf("openssl not found in PATH (run `make deps`)")
		return
	}
	dir, err := os.MkdirTemp("", "podpis-osslgost-")
	if err != nil {
		probeErr = err
		return
	}
	confPath = filepath.Join(dir, "openssl.cnf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		probeErr = err
		return
	}
	out, err := command(nil, "engine", "gost", "-c").CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("gost2012_256")) {
		probeErr = fmt.Errorf("OpenSSL GOST engine not usable (install libengine-gost-openssl, `make deps`): %s", firstLine(out))
	}
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return s
}

func command(stdin []byte, args ...string) *exec.Cmd {
	cmd := exec.Command("openssl", args...)
	cmd.Env = append(os.Environ(), "OPENSSL_CONF="+confPath)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	return cmd
}

// Available reports whether OpenSSL with the GOST engine can be run, and why not.
func Available() error {
	once.Do(probe)
	return probeErr
}

// ConfigFile returns the path of an OpenSSL configuration file that loads the
// GOST engine, for tests that run openssl themselves (OPENSSL_CONF=path).
func ConfigFile() (string, error) {
	if err := Available(); err != nil {
		return "", err
	}
	return confPath, nil
}

// Require fails the test in CI and skips it elsewhere when the engine is missing.
func Require(t testing.TB) {
	t.Helper()
	if err := Available(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("OpenSSL GOST oracle required in CI: %v", err)
		}
		t.Skipf("skipping OpenSSL cross-check: %v", err)
	}
}

// Run runs openssl with the GOST engine configured, feeding stdin (may be nil),
// and returns stdout. A non-zero exit fails the test with stderr.
func Run(t testing.TB, stdin []byte, args ...string) []byte {
	t.Helper()
	out, err := Try(t, stdin, args...)
	if err != nil {
		t.Fatalf("openssl %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// Try is Run without failing the test: it returns the error with stderr's text,
// for checks where OpenSSL is expected to refuse.
func Try(t testing.TB, stdin []byte, args ...string) ([]byte, error) {
	t.Helper()
	Require(t)
	cmd := command(stdin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

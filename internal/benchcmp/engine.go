package main

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// harnessSource is the C harness. It lives in a directory of its own, with no Go
// files, because Go refuses C files in a package that does not use cgo.
//
//go:embed cengine/engine_bench.c
var harnessSource []byte

// exitNoEngine is the harness's exit status when the GOST engine cannot be loaded.
const exitNoEngine = 3

const runMakeDeps = "run `make deps`"

// An engineRun is what one run of the harness measured.
type engineRun struct {
	about  string             // OpenSSL and engine versions, from the harness's first comment
	values map[string]float64 // figure name → median over the rounds
}

// buildHarness compiles the harness into dir and returns the executable's path.
func buildHarness(ctx context.Context, dir string) (string, error) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		return "", fmt.Errorf("cannot build the OpenSSL harness: no C compiler (cc); %s", runMakeDeps)
	}
	src := filepath.Join(dir, "engine_bench.c")
	bin := filepath.Join(dir, "engine_bench")
	if err := os.WriteFile(src, harnessSource, 0o600); err != nil {
		return "", err
	}
	out, err := exec.CommandContext(ctx, cc, "-O2", "-o", bin, src, "-lcrypto").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("cannot build the OpenSSL harness (needs libssl-dev; %s): %s", runMakeDeps, ccReason(out, err))
	}
	return bin, nil
}

// ccReason picks the compiler's first error line, or the error itself.
func ccReason(out []byte, err error) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for _, line := range lines {
		if strings.Contains(line, "error") {
			return shorten(strings.TrimSpace(line))
		}
	}
	if lines[0] != "" {
		return shorten(lines[0])
	}
	return err.Error()
}

// runHarness measures the named engine figures, rounds times each for at least
// perRound, and checks that every one came back.
func runHarness(ctx context.Context, bin string, perRound time.Duration, rounds int, names []string) (engineRun, error) {
	args := append([]string{"-t", strconv.FormatFloat(perRound.Seconds(), 'f', -1, 64), "-r", strconv.Itoa(rounds)}, names...)
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return engineRun{}, ctx.Err()
	}
	reason := shorten(strings.TrimSpace(stderr.String()))
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr) && exitErr.ExitCode() == exitNoEngine:
		return engineRun{}, fmt.Errorf("OpenSSL GOST engine missing or unusable (%s): %s", runMakeDeps, reason)
	case err != nil:
		return engineRun{}, fmt.Errorf("OpenSSL harness failed: %v: %s", err, reason)
	}
	run, err := parseEngineOutput(stdout.String())
	if err != nil {
		return engineRun{}, fmt.Errorf("OpenSSL harness output: %w", err)
	}
	for _, name := range names {
		if _, ok := run.values[name]; !ok {
			return engineRun{}, fmt.Errorf("OpenSSL harness gave no figure %s", name)
		}
	}
	return run, nil
}

// parseEngineOutput reads the harness's output: "FIGURE UNIT VALUE" lines, and
// comment lines starting with '#' of which the first says what was measured.
func parseEngineOutput(out string) (engineRun, error) {
	run := engineRun{values: map[string]float64{}}
	for n, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if comment, ok := strings.CutPrefix(line, "#"); ok {
			if run.about == "" {
				run.about = strings.TrimSpace(comment)
			}
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 {
			return engineRun{}, fmt.Errorf("line %d: want FIGURE UNIT VALUE: %q", n+1, line)
		}
		name, u := fields[0], fields[1]
		if u != unit(name) {
			return engineRun{}, fmt.Errorf("line %d: %s in %s, want %s", n+1, name, u, unit(name))
		}
		v, err := strconv.ParseFloat(fields[2], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
			return engineRun{}, fmt.Errorf("line %d: bad value %q", n+1, fields[2])
		}
		if _, dup := run.values[name]; dup {
			return engineRun{}, fmt.Errorf("line %d: %s given twice", n+1, name)
		}
		run.values[name] = v
	}
	return run, nil
}

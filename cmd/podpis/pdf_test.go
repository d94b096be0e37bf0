package main

import (
	"os"
	"os/exec"
	"testing"
)

// TestQPDFInCI makes a missing qpdf an error in CI: the pdf*.txtar scripts
// run `qpdf --check` on what podpis writes under [exec:qpdf] and skip it
// only outside CI.
func TestQPDFInCI(t *testing.T) {
	if _, err := exec.LookPath("qpdf"); err != nil && os.Getenv("CI") != "" {
		t.Fatalf("qpdf (Debian qpdf) required in CI: %v", err)
	}
}

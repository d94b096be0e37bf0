package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/pki/devpki"
)

// The example runs end to end on a fresh test PKI with poa.yaml, whose
// organisation and people are devpki's.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	p, err := devpki.New(devpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WriteDir(filepath.Join(dir, "pki"), false); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := run(context.Background(), &out, "poa.yaml", filepath.Join(dir, "pki"), dir, time.Now()); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"POWER OF ATTORNEY VALID (TOTAL-PASSED)", "KLASS_2.0_SIGN? YES"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "ON_EMCHD_*"))
	if len(files) != 2 {
		t.Errorf("wrote %v, want the XML and its signature", files)
	}
	// A retrust needs the POA it is based on: refused before anything is written.
	if err := run(context.Background(), &out, "retrust.yaml", filepath.Join(dir, "pki"), dir, time.Now()); err == nil {
		t.Error("a retrust description without its parent was accepted")
	}
}

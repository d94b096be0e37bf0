package main

import (
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/verify"
	"github.com/podpis/podpis/verify/bulk"
)

// On a terminal the bar is redrawn in place (carriage return, erase to the
// end of the line) and ends with a newline; elsewhere plain lines come every
// 5% and at the end.
func TestProgress(t *testing.T) {
	var tty strings.Builder
	p := &progress{w: &tty, tty: true, lang: verify.English, lastPct: -1}
	start := time.Now().Add(-10 * time.Second)
	for i := 1; i <= 200; i++ {
		p.update(bulk.Progress{Done: i, Total: 200, Started: start})
	}
	p.finish()
	out := tty.String()
	if !strings.HasPrefix(out, "\r[") || !strings.HasSuffix(out, "] 200/200 100%  20/s\x1b[K\n") || strings.Count(out, "\n") != 1 {
		t.Fatalf("terminal output %q", out[max(0, len(out)-120):])
	}
	if !strings.Contains(out, "ETA") && strings.Count(out, "\r") > 1 {
		t.Fatalf("no ETA while running: %q", out[:120])
	}

	var plain strings.Builder
	p = &progress{w: &plain, lang: verify.Russian, lastPct: -1}
	for i := 1; i <= 200; i++ {
		p.update(bulk.Progress{Done: i, Total: 200, Started: time.Now()})
	}
	p.finish()
	lines := strings.Split(strings.TrimSuffix(plain.String(), "\n"), "\n")
	if len(lines) != 21 || lines[0] != "podpis: проверено 1 из 200 (0%)" || lines[20] != "podpis: проверено 200 из 200 (100%)" {
		t.Fatalf("%d plain lines: %q … %q", len(lines), lines[0], lines[len(lines)-1])
	}
}

package bulk

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/podpis/podpis/verify"
)

// Output is the JSON-lines file a run appends to: one Record per line,
// each written with one write call, so that a run killed at any moment
// leaves complete lines and at most one partial last line (which
// OpenOutput removes on resume).
type Output struct {
	f *os.File
}

// OpenOutput opens the JSON-lines output at path. Without resume the file
// must not exist (a finished report is never overwritten by mistake). With
// resume an existing file is read: its complete records are returned, a
// partial last line is cut off, and new records are appended; a missing one
// is created.
func OpenOutput(path string, resume bool) (*Output, []Record, error) {
	if !resume {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			return nil, nil, fmt.Errorf("%s exists: use --resume to continue it, or give another --out", path)
		}
		if err != nil {
			return nil, nil, err
		}
		return &Output{f: f}, nil, nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, err
	}
	recs, good, err := ReadRecords(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, nil, err
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, err
	}
	return &Output{f: f}, recs, nil
}

// Write appends r as one line, with one write call.
func (o *Output) Write(r *Record) error {
	line, err := r.JSONLine()
	if err != nil {
		return err
	}
	_, err = o.f.Write(line)
	return err
}

// Close syncs and closes the file.
func (o *Output) Close() error {
	return errors.Join(o.f.Sync(), o.f.Close())
}

// ReadRecords reads the JSON lines of r: the records, and the length of
// the prefix made of complete lines. A last line without its newline is a
// run killed while writing it and is not counted; a complete line that is
// not a record of this schema is an error (the file is not a podpis
// report, or a newer one).
func ReadRecords(r io.Reader) ([]Record, int64, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var recs []Record
	var good int64
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err == io.EOF {
			return recs, good, nil // a partial line or nothing
		}
		if err != nil {
			return nil, 0, err
		}
		var rec Record
		if err := json.Unmarshal(line, &rec); err != nil || rec.ID == "" {
			return nil, 0, fmt.Errorf("line %d is not a record of a podpis bulk report", n)
		}
		if rec.Schema != SchemaVersion {
			return nil, 0, fmt.Errorf("line %d has schema %d; this podpis writes %d", n, rec.Schema, SchemaVersion)
		}
		recs = append(recs, rec)
		good += int64(len(line))
	}
}

// summaryPhrases are the texts of the summary table, Russian first.
var summaryPhrases = map[string][2]string{
	"title":         {"Итого", "Summary"},
	"valid":         {"действительны", "valid"},
	"invalid":       {"недействительны", "invalid"},
	"indeterminate": {"не установлено", "indeterminate"},
	"errors":        {"не проверены (ошибка)", "not checked (error)"},
	"total":         {"всего", "total"},
	"interrupted":   {"прервано: не все проверены; продолжить — с --resume", "interrupted: not all checked; continue with --resume"},
}

// WriteText writes the summary table: valid, invalid by reason code,
// indeterminate by reason code, errors, total; in lang (Russian when empty).
func (s *Summary) WriteText(w io.Writer, lang verify.Lang) error {
	l := 0
	if lang == verify.English {
		l = 1
	}
	p := func(k string) string { return summaryPhrases[k][l] }
	var b strings.Builder
	row := func(label string, n int) { fmt.Fprintf(&b, "  %-58s %7d\n", label, n) }
	fmt.Fprintf(&b, "%s\n", p("title"))
	row(p("valid"), s.Valid)
	for _, group := range []struct {
		key string
		m   map[verify.Code]int
	}{{"invalid", s.Invalid}, {"indeterminate", s.Indeterminate}} {
		n := 0
		for _, c := range group.m {
			n += c
		}
		row(p(group.key), n)
		for _, c := range codes(group.m) {
			row("    "+string(c)+": "+clip(c.Text(lang), 40), group.m[c])
		}
	}
	row(p("errors"), s.Errors)
	row(p("total"), s.Total())
	if s.Interrupted {
		fmt.Fprintf(&b, "%s\n", p("interrupted"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// clip shortens s to n characters (runes) for a table cell.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

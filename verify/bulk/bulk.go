// Package bulk verifies batches of signed files for operators (issue 8,
// "podpis verify --bulk"): it pairs documents with their signatures (ScanDir,
// by name and, where a signature's name names nothing, by its messageDigest;
// or ReadManifest), checks each entry with verify.Any on several goroutines,
// and writes one JSON line per entry (Record, schema version SchemaVersion)
// as it finishes, so that an interrupted run keeps what it did and a second
// run with the same output resumes where it stopped (OpenOutput).
//
// Security contract: every file is untrusted input. One file that cannot be
// read, is garbage or is huge (MaxFile) gives a Record with Error and never
// stops the batch; what a verdict means is package verify's contract. Paths
// come from the caller (a directory walk that follows no symbolic links, or
// a manifest the operator wrote).
package bulk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/podpis/podpis/verify"
)

// SchemaVersion is the version of the JSON-lines record (Record). A reader
// checks it: fields may be added within a version, none renamed or given
// another meaning.
const SchemaVersion = 1

// Outcomes of an entry, Record.Outcome.
const (
	Valid         = "valid"         // TOTAL-PASSED
	Invalid       = "invalid"       // TOTAL-FAILED
	Indeterminate = "indeterminate" // INDETERMINATE
	Error         = "error"         // not checked: unreadable, not a signed object, no signature
)

// Record is one line of the JSON-lines output, schema version 1:
//
//	schema        1
//	id            the entry's ID (Entry.ID): the key --resume skips by
//	files         the paths read
//	outcome       valid, invalid, indeterminate or error
//	kind          what was checked: cms, pdf, mchd, representative (verify.Kind)
//	indication    TOTAL-PASSED, TOTAL-FAILED or INDETERMINATE (ETSI EN 319 102-1)
//	subIndication the sub-indication, when not passed
//	code          podpis' reason code (verify.Code; OK when valid)
//	detail        the reason in a sentence (English)
//	signers       the signers' names, as their certificates give them
//	error         why the entry could not be checked (outcome error)
//	checkedAt     when the entry was checked (RFC 3339)
//	ms            how long the check took, in milliseconds
//	result        the full verify.Result (package verify's JSON)
type Record struct {
	Schema        int                  `json:"schema"`
	ID            string               `json:"id"`
	Files         []string             `json:"files"`
	Outcome       string               `json:"outcome"`
	Kind          verify.Kind          `json:"kind,omitempty"`
	Indication    verify.Indication    `json:"indication,omitempty"`
	SubIndication verify.SubIndication `json:"subIndication,omitempty"`
	Code          verify.Code          `json:"code,omitempty"`
	Detail        string               `json:"detail,omitempty"`
	Signers       []string             `json:"signers,omitempty"`
	Error         string               `json:"error,omitempty"`
	CheckedAt     time.Time            `json:"checkedAt"`
	Millis        int64                `json:"ms"`
	Result        *verify.Result       `json:"result,omitempty"`

	line []byte // the JSON line, once encoded (JSONLine)
}

// JSONLine returns r as one JSON line, newline included (HTML characters
// unescaped, so that names read as they are). It is encoded once; change
// no field after the first call.
//
// The line is what a json.Encoder with SetEscapeHTML(false) writes for r.
// The result, which is most of it, is written as verify.Result.MarshalJSON
// gives it instead of passing through the encoder again: the encoder would
// only copy that already compact JSON (a JSON marshaler's output is checked
// and compacted; with HTML escaping off compacting changes nothing), and
// the line is copied out of a pooled buffer at its size.
func (r *Record) JSONLine() ([]byte, error) {
	if r.line != nil {
		return r.line, nil
	}
	b := lineBufs.Get().(*bytes.Buffer)
	defer lineBufs.Put(b)
	b.Reset()
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	head := *r
	head.Result, head.line = nil, nil
	if err := enc.Encode(&head); err != nil {
		return nil, err
	}
	if r.Result != nil {
		res, err := r.Result.MarshalJSON()
		if err != nil {
			return nil, &json.MarshalerError{Type: reflect.TypeFor[*verify.Result](), Err: err}
		}
		// Result is the last field: its member goes before the closing
		// brace and newline of the rest.
		b.Truncate(b.Len() - len("}\n"))
		b.WriteString(`,"result":`)
		b.Write(res)
		b.WriteString("}\n")
	}
	r.line = bytes.Clone(b.Bytes())
	return r.line, nil
}

// lineBufs are the buffers JSONLine encodes in; the line itself is copied
// out at its size.
var lineBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// DefaultMaxFile bounds each file an entry reads (a signed PDF of the
// portal's kind is a few megabytes; verify.PDF holds a PDF in memory).
const DefaultMaxFile = 256 << 20

// Options are the inputs of Run besides the entries.
type Options struct {
	// Verify are the trust anchors, revocation settings and validation time
	// of every check. A RevocationCache set there is shared by the jobs.
	Verify verify.AnyOptions
	// Jobs is the number of entries checked at once; <= 0 means one per CPU.
	Jobs int
	// Done are IDs to skip: the entries an earlier run wrote.
	Done map[string]bool
	// MaxFile bounds each file read; 0 means DefaultMaxFile.
	MaxFile int64
	// Progress, when set, is called after each entry (from one goroutine).
	Progress func(Progress)
	// Encode makes each job encode its records' JSON lines (JSONLine), so
	// that the one goroutine that emits only copies bytes.
	Encode bool
}

// Progress is how far a run is.
type Progress struct {
	Done, Total int
	Started     time.Time
	Last        *Record
}

// resultsPerJob is how many finished records each job may have waiting to
// be emitted: enough that the emitting goroutine, woken once, takes
// several; few enough that an interrupted run emits little more than what
// was in flight (a record holds its whole verify.Result).
const resultsPerJob = 8

// ErrInterrupted is returned by Run when its context ended: the entries
// in flight were finished and written, the others were not started.
var ErrInterrupted = errors.New("bulk: interrupted")

// Run checks the entries not in opts.Done on opts.Jobs goroutines and passes
// each Record to emit as it finishes (from one goroutine, in completion
// order). When ctx ends it starts no more entries, finishes those in flight
// (their checks do not see the cancellation), emits them and returns
// ErrInterrupted. An emit error stops the run the same way and is returned.
// The summary counts what was emitted.
func Run(ctx context.Context, entries []Entry, opts Options, emit func(*Record) error) (*Summary, error) {
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	if opts.MaxFile <= 0 {
		opts.MaxFile = DefaultMaxFile
	}
	var todo []int
	for i, e := range entries {
		if !opts.Done[e.ID] {
			todo = append(todo, i)
		}
	}
	sum := NewSummary()
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	// Checks run to completion even when ctx ends; only dispatch stops.
	vctx := context.WithoutCancel(ctx)
	// The jobs take the next entry themselves (next) rather than from a
	// dispatching goroutine: on two cores every goroutine beside the jobs
	// competes with them, and each hand-over through an unbuffered channel
	// wakes one. results holds a few records per job, so that a job rarely
	// waits for the one goroutine that emits.
	var next atomic.Int64
	results := make(chan *Record, resultsPerJob*jobs)
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for stop.Err() == nil {
				k := int(next.Add(1)) - 1
				if k >= len(todo) {
					return
				}
				r := Check(vctx, entries[todo[k]], opts.Verify, opts.MaxFile)
				if opts.Encode {
					r.JSONLine() // an error shows again when the line is written
				}
				results <- r
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()
	p := Progress{Total: len(todo), Started: time.Now()}
	var emitErr error
	for r := range results {
		if emitErr != nil {
			continue // drain: the workers finish what they hold
		}
		if emitErr = emit(r); emitErr != nil {
			cancel()
			continue
		}
		sum.Add(r)
		p.Done++
		p.Last = r
		if opts.Progress != nil {
			opts.Progress(p)
		}
	}
	if emitErr != nil {
		return sum, emitErr
	}
	if ctx.Err() != nil && p.Done < len(todo) {
		sum.Interrupted = true
		return sum, fmt.Errorf("%w after %d of %d entries", ErrInterrupted, p.Done, len(todo))
	}
	return sum, nil
}

// Check checks one entry: reads its files (each at most maxFile bytes) and
// runs verify.Any. It never fails: a problem is a Record with Error.
func Check(ctx context.Context, e Entry, opts verify.AnyOptions, maxFile int64) *Record {
	start := time.Now()
	r := &Record{Schema: SchemaVersion, ID: e.ID, Files: e.Files, CheckedAt: start.UTC().Truncate(time.Second)}
	defer func() { r.Millis = time.Since(start).Milliseconds() }()
	if e.Problem != "" {
		r.Outcome, r.Error = Error, e.Problem
		return r
	}
	in := make([]verify.Input, len(e.Files))
	for i, name := range e.Files {
		data, err := readBounded(name, maxFile)
		if err != nil {
			r.Outcome, r.Error = Error, oneLine(err)
			return r
		}
		in[i] = verify.Input{Name: name, Data: data}
	}
	res, err := verify.Any(ctx, in, opts)
	if err != nil {
		r.Outcome, r.Error = Error, oneLine(err)
		return r
	}
	r.Kind, r.Indication, r.SubIndication, r.Code, r.Detail = res.Kind, res.Indication, res.SubIndication, res.Code, res.Detail
	r.Outcome = outcome(res.Indication)
	r.Signers = signers(res)
	r.Result = res
	return r
}

func outcome(i verify.Indication) string {
	switch i {
	case verify.TotalPassed:
		return Valid
	case verify.TotalFailed:
		return Invalid
	}
	return Indeterminate
}

// signers names the signers of the signed object (not those of a POA's
// own signature).
func signers(res *verify.Result) []string {
	var reps []*verify.Report
	switch {
	case res.CMS != nil:
		reps = append(reps, res.CMS)
	case res.PDF != nil:
		for i := range res.PDF.Signatures {
			if res.PDF.Signatures[i].Report != nil {
				reps = append(reps, res.PDF.Signatures[i].Report)
			}
		}
	case res.MCHD != nil && res.MCHD.Signature != nil:
		reps = append(reps, res.MCHD.Signature)
	}
	var names []string
	for _, rep := range reps {
		for _, s := range rep.Signatures {
			if s.Signer == nil {
				continue
			}
			n := s.Signer.CommonName
			if p := s.Signer.Surname + " " + s.Signer.GivenName; s.Signer.Surname != "" {
				n = p
			}
			names = append(names, n)
		}
	}
	return names
}

func oneLine(err error) string {
	s := err.Error()
	for i := range len(s) {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}

// Summary counts a run's outcomes.
type Summary struct {
	Valid         int                 `json:"valid"`
	Invalid       map[verify.Code]int `json:"invalid"`
	Indeterminate map[verify.Code]int `json:"indeterminate"`
	Errors        int                 `json:"errors"`
	// Interrupted reports that the run stopped before the end.
	Interrupted bool `json:"interrupted,omitempty"`
}

// NewSummary returns an empty summary.
func NewSummary() *Summary {
	return &Summary{Invalid: map[verify.Code]int{}, Indeterminate: map[verify.Code]int{}}
}

// Add counts r.
func (s *Summary) Add(r *Record) {
	switch r.Outcome {
	case Valid:
		s.Valid++
	case Invalid:
		s.Invalid[r.Code]++
	case Indeterminate:
		s.Indeterminate[r.Code]++
	default:
		s.Errors++
	}
}

// Merge adds the counts of o (nil adds nothing) and its Interrupted.
func (s *Summary) Merge(o *Summary) {
	if o == nil {
		return
	}
	s.Valid += o.Valid
	s.Errors += o.Errors
	for c, n := range o.Invalid {
		s.Invalid[c] += n
	}
	for c, n := range o.Indeterminate {
		s.Indeterminate[c] += n
	}
	s.Interrupted = s.Interrupted || o.Interrupted
}

// Total is the number of entries counted.
func (s *Summary) Total() int {
	n := s.Valid + s.Errors
	for _, c := range s.Invalid {
		n += c
	}
	for _, c := range s.Indeterminate {
		n += c
	}
	return n
}

// Passed reports whether every entry counted is valid.
func (s *Summary) Passed() bool { return s.Total() == s.Valid && !s.Interrupted }

// codes returns the codes of m, most frequent first.
func codes(m map[verify.Code]int) []verify.Code {
	out := make([]verify.Code, 0, len(m))
	for c := range m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if m[out[i]] != m[out[j]] {
			return m[out[i]] > m[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

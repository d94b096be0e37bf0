package registry

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"

	"github.com/podpis/podpis/gost/streebog"
)

// Operations recorded in the journal (the list: create, sign,
// render, check, revoke, import).
const (
	OpCreate = "create"
	OpSign   = "sign"
	OpRender = "render"
	OpCheck  = "check"
	OpRevoke = "revoke"
	OpImport = "import"
)

// ResultOK is the result of an operation that did what was asked.
const ResultOK = "ok"

// genesis is the "previous hash" of the first entry: 32 zero bytes in hex.
var genesis = strings.Repeat("0", 64)

// Entry is one line of the audit journal.
type Entry struct {
	// Seq numbers entries from 1 without gaps.
	Seq int64 `json:"seq"`
	// Time is when the entry was written (UTC).
	Time time.Time `json:"time"`
	// Actor is who did it: a certificate ("cert:" and its subject) or an OS
	// user ("user:" and the login name).
	Actor string `json:"actor"`
	// Op is one of the Op… constants.
	Op string `json:"op"`
	// GUID is the POA concerned.
	GUID string `json:"guid"`
	// Result is ResultOK or what a check found ("valid", "invalid: CODE").
	Result string `json:"result"`
	// Detail is free text (e.g. "revoked with parent <GUID>").
	Detail string `json:"detail,omitempty"`
	// Prev is the hex Streebog-256 hash of the previous entry's canonical
	// bytes (genesis for the first); Hash that of this entry's.
	Prev string `json:"prev"`
	Hash string `json:"hash"`

	// at is Time as stored, the form that is hashed.
	at string
}

// Canonical returns the bytes that Hash covers: a version line and then
// one "name=value" line per field in a fixed order, each value in Go's
// strconv.Quote form (so a value can hold no line break, and every value
// reads back unambiguously), each line ending in LF:
//
//	podpis-mchd-journal-1
//	seq=1
//	time="2026-11-23T17:00:00.120000000Z"
//	actor="user:alice"
//	op="create"
//	guid="…"
//	result="ok"
//	detail=""
//	prev="0000…0000"
func (e *Entry) Canonical() []byte {
	at := e.at
	if at == "" {
		at = stamp(e.Time)
	}
	var b strings.Builder
	b.WriteString("podpis-mchd-journal-1\n")
	b.WriteString("seq=" + strconv.FormatInt(e.Seq, 10) + "\n")
	for _, f := range [][2]string{
		{"time", at}, {"actor", e.Actor}, {"op", e.Op}, {"guid", e.GUID},
		{"result", e.Result}, {"detail", e.Detail}, {"prev", e.Prev},
	} {
		b.WriteString(f[0] + "=" + strconv.Quote(f[1]) + "\n")
	}
	return []byte(b.String())
}

func (e *Entry) hash() string {
	h := streebog.Sum256(e.Canonical())
	return hex.EncodeToString(h[:])
}

type actorKey struct{}

// WithActor returns a context under which journal entries name actor as
// who acted, instead of the signing certificate or the OS user.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// actor is the context's actor, else fallback (a certificate), else the OS
// user running the program.
func actor(ctx context.Context, fallback string) string {
	if a, ok := ctx.Value(actorKey{}).(string); ok && a != "" {
		return a
	}
	if fallback != "" {
		return fallback
	}
	return osUser()
}

func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "user:" + u.Username
	}
	if n := os.Getenv("USER"); n != "" {
		return "user:" + n
	}
	return "user:uid=" + strconv.Itoa(os.Getuid())
}

// appendEntry adds e to the journal inside tx, chaining it to the last
// entry. The caller holds the write lock (Registry.write).
func (r *Registry) appendEntry(ctx context.Context, tx *sql.Tx, e *Entry) error {
	var last sql.NullInt64
	var prev sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1`).Scan(&last, &prev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		e.Seq, e.Prev = 1, genesis
	case err != nil:
		return fmt.Errorf("registry: journal: %w", err)
	default:
		e.Seq, e.Prev = last.Int64+1, prev.String
	}
	e.Time = r.now().UTC()
	e.at = stamp(e.Time)
	e.Hash = e.hash()
	_, err = tx.ExecContext(ctx, `INSERT INTO journal (seq, at, actor, op, guid, result, detail, prev, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.Seq, e.at, e.Actor, e.Op, e.GUID, e.Result, e.Detail, e.Prev, e.Hash)
	if err != nil {
		return fmt.Errorf("registry: journal: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('journal_head', $1)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, strconv.FormatInt(e.Seq, 10)+":"+e.Hash)
	if err != nil {
		return fmt.Errorf("registry: journal head: %w", err)
	}
	return nil
}

// Log appends an entry for an operation that changes no record — render
// and check — with the context's actor (WithActor) or the OS user. op must
// be one of the Op… constants and result not empty.
func (r *Registry) Log(ctx context.Context, op, guid, result, detail string) (*Entry, error) {
	switch op {
	case OpCreate, OpSign, OpRender, OpCheck, OpRevoke, OpImport:
	default:
		return nil, fmt.Errorf("registry: journal: unknown operation %q", op)
	}
	if result == "" {
		return nil, errors.New("registry: journal: empty result")
	}
	e := &Entry{Actor: actor(ctx, ""), Op: op, GUID: strings.ToLower(guid), Result: result, Detail: detail}
	if err := r.write(ctx, func(tx *sql.Tx) error { return r.appendEntry(ctx, tx, e) }); err != nil {
		return nil, err
	}
	return e, nil
}

// Journal returns the entries with Seq > after, oldest first, at most limit
// of them (all when limit ≤ 0); guid, when not empty, keeps only that POA's.
func (r *Registry) Journal(ctx context.Context, guid string, after int64, limit int) ([]Entry, error) {
	return journal(ctx, r.db, guid, after, limit)
}

func journal(ctx context.Context, db querier, guid string, after int64, limit int) ([]Entry, error) {
	q := `SELECT seq, at, actor, op, guid, result, detail, prev, hash FROM journal WHERE seq > $1`
	args := []any{after}
	if guid != "" {
		q += ` AND guid = $2`
		args = append(args, strings.ToLower(guid))
	}
	q += ` ORDER BY seq`
	if limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(limit)
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("registry: journal: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.Seq, &e.at, &e.Actor, &e.Op, &e.GUID, &e.Result, &e.Detail, &e.Prev, &e.Hash); err != nil {
			return nil, fmt.Errorf("registry: journal: %w", err)
		}
		e.Time = parseStamp(e.at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("registry: journal: %w", err)
	}
	return out, nil
}

// JournalReport is what VerifyJournal found.
type JournalReport struct {
	// Entries is how many entries were read; Head is the last entry's hash
	// (write it down elsewhere to detect a rewrite of the whole journal).
	Entries int64  `json:"entries"`
	Head    string `json:"head"`
	// OK is true when the chain is whole. Otherwise BrokenSeq is the first
	// entry that does not fit (for entries cut from the end, the first one
	// missing; 0 when the head record itself is gone) and Problem says how,
	// in English.
	OK        bool   `json:"ok"`
	BrokenSeq int64  `json:"broken_seq,omitempty"`
	Problem   string `json:"problem,omitempty"`
}

// VerifyJournal recomputes the chain: every entry's hash over its canonical
// bytes, every entry's Prev against the previous entry's hash, sequence
// numbers without gaps from 1, and the last entry against the head kept in
// meta (updated in the same transaction as each append). It reports the first
// entry that breaks the chain; a Go error means it could not read.
func (r *Registry) VerifyJournal(ctx context.Context) (*JournalReport, error) {
	return verifyJournal(ctx, r.db)
}

func verifyJournal(ctx context.Context, db querier) (*JournalReport, error) {
	rep := &JournalReport{OK: true}
	prev := genesis
	var after int64
	for {
		batch, err := journal(ctx, db, "", after, 1000)
		if err != nil {
			return nil, err
		}
		for i := range batch {
			e := &batch[i]
			want := rep.Entries + 1
			switch {
			case e.Seq != want:
				return rep.broken(want, fmt.Sprintf("entry %d is missing (next is %d)", want, e.Seq)), nil
			case e.Prev != prev:
				return rep.broken(e.Seq, fmt.Sprintf("entry %d does not chain to entry %d (an entry was changed or deleted)", e.Seq, e.Seq-1)), nil
			case e.hash() != e.Hash:
				return rep.broken(e.Seq, fmt.Sprintf("entry %d was changed after it was written (hash mismatch)", e.Seq)), nil
			}
			prev = e.Hash
			rep.Entries++
			after = e.Seq
		}
		if len(batch) < 1000 {
			break
		}
	}
	rep.Head = prev
	var head string
	err := db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'journal_head'`).Scan(&head)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if rep.Entries > 0 {
			return rep.broken(0, "the journal head record is missing"), nil
		}
	case err != nil:
		return nil, fmt.Errorf("registry: journal head: %w", err)
	case head != strconv.FormatInt(rep.Entries, 10)+":"+prev:
		return rep.broken(rep.Entries+1, fmt.Sprintf("the journal ends at entry %d but its head record says %s (entries were deleted from the end)", rep.Entries, head)), nil
	}
	return rep, nil
}

func (rep *JournalReport) broken(seq int64, problem string) *JournalReport {
	rep.OK, rep.BrokenSeq, rep.Problem = false, seq, problem
	return rep
}

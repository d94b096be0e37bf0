package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	// The two database/sql drivers: "sqlite" (pure Go, no cgo) and "pgx".
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// Errors a caller can switch on with errors.Is. Each is wrapped with the GUID
// or detail it concerns.
var (
	// ErrNotFound: no POA with that GUID is in the registry.
	ErrNotFound = errors.New("registry: POA not found")
	// ErrDuplicate: a POA with that GUID is already in the registry.
	ErrDuplicate = errors.New("registry: a POA with this GUID is already registered")
	// ErrAlreadyRevoked: the POA is revoked already.
	ErrAlreadyRevoked = errors.New("registry: POA already revoked")
	// ErrBadDocument: the XML is not a POA the registry accepts (malformed,
	// a BOM, XSD or rule errors of mchd.Check, no valid GUID).
	ErrBadDocument = errors.New("registry: not a valid EMCHD_1 document")
	// ErrBadSignature: the signature is not a valid CMS signature over
	// exactly the bytes it is meant to cover.
	ErrBadSignature = errors.New("registry: signature does not cover these bytes")
	// ErrWrongSigner: the revocation is signed by someone other than the
	// principal.
	ErrWrongSigner = errors.New("registry: signer is not the principal")
	// ErrState: the operation does not apply to the POA's status (signing a
	// POA that is already signed or revoked).
	ErrState = errors.New("registry: operation not allowed in this status")
	// ErrNewerSchema: the database was written by a newer podpis.
	ErrNewerSchema = errors.New("registry: database schema is newer than this program")
)

// Status is a POA's state in the registry.
type Status string

// The statuses. A draft has no signature yet; a signed POA has its detached
// CMS signature; a revoked one also has the revocation time and reason.
const (
	StatusDraft   Status = "draft"
	StatusSigned  Status = "signed"
	StatusRevoked Status = "revoked"
)

// Valid reports whether s is one of the three statuses.
func (s Status) Valid() bool {
	return s == StatusDraft || s == StatusSigned || s == StatusRevoked
}

// Record is one POA as stored.
type Record struct {
	// GUID is НомДовер, lower case.
	GUID string
	// PrincipalINN is the ИНН of the first principal (СвДоверит) or, for a
	// retrust, of the first grantor (СвПередПолн): the party who signs and
	// may revoke this document. PrincipalINNs lists every principal's.
	PrincipalINN  string
	PrincipalINNs []string
	// PrincipalName is the first principal's (or grantor's) name.
	PrincipalName string
	// Representative and RepresentativeINN name the first representative
	// (СвУпПред, or СвПолучПолн of a retrust).
	Representative    string
	RepresentativeINN string
	// IssueDate and ValidUntil are ДатаВыдДовер and СрокДейст (xs:date).
	IssueDate, ValidUntil string
	// ParentGUID is the POA a retrust is directly based on (НомДоверN, or
	// НомДоверПерв for a first-level retrust); OriginalGUID the original
	// POA of the chain (НомДоверПерв). Both are empty for an original POA.
	ParentGUID, OriginalGUID string

	Status Status
	// XML is the document exactly as it was given; Signature the detached
	// CMS over it, exactly as given (nil for a draft).
	XML, Signature []byte
	// Signer describes the certificate that signed XML.
	Signer string

	Created time.Time
	Signed  time.Time // zero for a draft
	// Revocation is set when Status is StatusRevoked.
	Revocation *Revocation
}

// Revocation is how a POA ended.
type Revocation struct {
	// Time is the time written in the revocation statement.
	Time   time.Time
	Reason string
	// Statement and Signature are the canonical revocation statement
	// (RevocationStatement) and the principal's detached CMS over it, as
	// given. Both are empty for a retrust revoked with its parent.
	Statement, Signature []byte
	// Signer describes the certificate that signed Statement.
	Signer string
	// Via is the GUID of the revoked ancestor that ended this retrust;
	// empty when this POA was revoked itself.
	Via string
}

// Registry is a store of POAs and their audit journal in SQLite or
// PostgreSQL. It is safe for concurrent use; several processes may open the
// same database.
type Registry struct {
	db *sql.DB
	pg bool
	// now is the clock (tests replace it).
	now func() time.Time
}

// busyTimeout is how long an SQLite writer waits for another writer's lock
// before failing (SQLite's busy_timeout, milliseconds).
const busyTimeout = 60000

// Open opens (creating or migrating when needed) the registry at dsn: a
// postgres:// or postgresql:// URL for PostgreSQL, anything else a file path
// for SQLite. The SQLite file's directory is created with mode 0700, the
// file itself with mode 0600.
func Open(ctx context.Context, dsn string) (*Registry, error) {
	var (
		db  *sql.DB
		err error
		pg  = isPostgres(dsn)
	)
	if pg {
		db, err = sql.Open("pgx", dsn)
	} else {
		if dsn == "" {
			return nil, errors.New("registry: empty database path")
		}
		if strings.ContainsRune(dsn, '?') {
			return nil, fmt.Errorf("registry: database path %q contains '?'", dsn)
		}
		if dir := filepath.Dir(dsn); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("registry: %w", err)
			}
		}
		// POAs hold personal data (names, СНИЛС, passport numbers): the file
		// is created readable by its owner only; SQLite gives its -wal and
		// -shm files the same permissions.
		f, ferr := os.OpenFile(dsn, os.O_RDWR|os.O_CREATE, 0o600)
		if ferr != nil {
			return nil, fmt.Errorf("registry: %w", ferr)
		}
		f.Close()
		// WAL lets readers run beside the one writer; synchronous=FULL makes
		// a commit durable before it is reported; _txlock=immediate takes
		// the write lock at BEGIN, so that writers queue on busy_timeout
		// instead of failing when a read lock cannot be upgraded
		// (https://www.sqlite.org/lang_transaction.html, "immediate").
		q := fmt.Sprintf("?_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate", busyTimeout)
		db, err = sql.Open("sqlite", dsn+q)
	}
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	r := &Registry{db: db, pg: pg, now: time.Now}
	if err := r.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return r, nil
}

func isPostgres(dsn string) bool {
	l := strings.ToLower(dsn)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// DefaultPath is the SQLite registry used when none is named:
// $XDG_DATA_HOME/podpis/mchd.db, else ~/.local/share/podpis/mchd.db on Unix
// (XDG Base Directory Specification), the user's configuration directory
// (os.UserConfigDir) elsewhere.
func DefaultPath() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "podpis", "mchd.db"), nil
	}
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "plan9":
	default:
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, ".local", "share", "podpis", "mchd.db"), nil
		}
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("registry: no data directory for the default database: %w", err)
	}
	return filepath.Join(d, "podpis", "mchd.db"), nil
}

// Close closes the database.
func (r *Registry) Close() error { return r.db.Close() }

// Backend names the database: "sqlite" or "postgres".
func (r *Registry) Backend() string {
	if r.pg {
		return "postgres"
	}
	return "sqlite"
}

// lockKey is the PostgreSQL advisory lock that serialises writers, so that
// the journal chain has one head (an arbitrary constant: "podpis" in ASCII).
const lockKey = 0x706f64706973

// write runs fn in a transaction that holds the registry's write lock:
// BEGIN IMMEDIATE in SQLite, a transaction-scoped advisory lock in
// PostgreSQL. Either everything fn did is committed or nothing is.
func (r *Registry) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("registry: begin: %w", err)
	}
	defer tx.Rollback()
	if r.pg {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(lockKey)); err != nil {
			return fmt.Errorf("registry: lock: %w", err)
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("registry: commit: %w", err)
	}
	return nil
}

// stampLayout is RFC 3339 in UTC with all nine digits of the fraction, so
// that stored times sort as strings in time order (time.RFC3339Nano drops
// trailing zeros and would not).
const stampLayout = "2006-01-02T15:04:05.000000000Z"

// stamp formats a time as stored.
func stamp(t time.Time) string { return t.UTC().Format(stampLayout) }

func parseStamp(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

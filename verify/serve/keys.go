package serve

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	// The database/sql drivers the МЧД registry uses (mchd/registry):
	// "sqlite" (pure Go) and "pgx".
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// An API key is KeyPrefix, the key's id (16 hex digits, public: it names the
// key in lists and logs), "_", and the secret: 32 random bytes in unpadded
// base64url (43 characters). It is shown once, when made.
//
// The database keeps only SHA-256(secret). SHA-256 and not Streebog-256:
// the secret is 256 random bits, so no dictionary or brute force can invert
// its hash and a plain hash suffices (no salt or slow KDF is needed); and
// the hash of a secret should be computed in constant time, which
// crypto/sha256 is while package streebog is table-driven and not constant
// time in its input (see its documentation). The comparison of the stored
// and computed hashes is constant time (crypto/subtle).
const KeyPrefix = "podpis_"

const (
	keyIDLen     = 8  // bytes, 16 hex digits
	keySecretLen = 32 // bytes
	maxKeyName   = 200
)

// ErrKeyNotFound: no active key has that id or name.
var ErrKeyNotFound = errors.New("serve: no such API key")

// KeyInfo describes a stored API key; the secret is not part of it.
type KeyInfo struct {
	ID      string     `json:"id"`
	Name    string     `json:"name"`
	Created time.Time  `json:"created"`
	Revoked *time.Time `json:"revoked,omitempty"`
}

// KeyStore keeps API keys in the table serve_api_keys of the МЧД
// registry's database: an SQLite file or a postgres:// URL, opened as
// mchd/registry opens it. It is safe for concurrent use.
type KeyStore struct {
	db *sql.DB
}

// schema creates the table; both SQLite and PostgreSQL accept it. Times are
// RFC 3339 text in UTC with nine fraction digits, so they sort as strings
// (as the registry stores them).
const schema = `CREATE TABLE IF NOT EXISTS serve_api_keys (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	hash TEXT NOT NULL,
	created TEXT NOT NULL,
	revoked TEXT
)`

const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// OpenKeyStore opens the key table in the database dsn (a postgres:// or
// postgresql:// URL, else an SQLite file path, created with mode 0600 when
// missing), creating the table when needed.
func OpenKeyStore(ctx context.Context, dsn string) (*KeyStore, error) {
	var (
		db  *sql.DB
		err error
	)
	l := strings.ToLower(dsn)
	if strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://") {
		db, err = sql.Open("pgx", dsn)
	} else {
		if dsn == "" || strings.ContainsRune(dsn, '?') {
			return nil, fmt.Errorf("serve: bad database path %q", dsn)
		}
		if err := os.MkdirAll(filepath.Dir(dsn), 0o700); err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
		f, ferr := os.OpenFile(dsn, os.O_RDWR|os.O_CREATE, 0o600)
		if ferr != nil {
			return nil, fmt.Errorf("serve: %w", ferr)
		}
		f.Close()
		// The registry's settings (mchd/registry.Open): WAL, a writer
		// waits up to 60 s for another's lock.
		db, err = sql.Open("sqlite", dsn+"?_pragma=busy_timeout(60000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	}
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("serve: API key table: %w", err)
	}
	return &KeyStore{db: db}, nil
}

// Close closes the database.
func (s *KeyStore) Close() error { return s.db.Close() }

// Add makes a key named name and returns it: the only time the key is
// available. Names are unique, revoked keys included.
func (s *KeyStore) Add(ctx context.Context, name string) (string, KeyInfo, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > maxKeyName || strings.ContainsFunc(name, func(r rune) bool { return r < ' ' }) {
		return "", KeyInfo{}, fmt.Errorf("serve: a key name is 1 to %d printable bytes", maxKeyName)
	}
	var id [keyIDLen]byte
	var secret [keySecretLen]byte
	rand.Read(id[:])
	rand.Read(secret[:])
	info := KeyInfo{ID: hex.EncodeToString(id[:]), Name: name, Created: time.Now().UTC()}
	sum := sha256.Sum256(secret[:])
	_, err := s.db.ExecContext(ctx, `INSERT INTO serve_api_keys (id, name, hash, created) VALUES ($1, $2, $3, $4)`,
		info.ID, info.Name, hex.EncodeToString(sum[:]), info.Created.Format(timeLayout))
	if err != nil {
		var n int
		if s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM serve_api_keys WHERE name = $1`, name).Scan(&n) == nil && n > 0 {
			return "", KeyInfo{}, fmt.Errorf("serve: a key named %q exists already", name)
		}
		return "", KeyInfo{}, fmt.Errorf("serve: %w", err)
	}
	return KeyPrefix + info.ID + "_" + base64.RawURLEncoding.EncodeToString(secret[:]), info, nil
}

// List returns every key, revoked ones too, oldest first.
func (s *KeyStore) List(ctx context.Context) ([]KeyInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, created, revoked FROM serve_api_keys ORDER BY created, id`)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	defer rows.Close()
	var out []KeyInfo
	for rows.Next() {
		var (
			k       KeyInfo
			created string
			revoked sql.NullString
		)
		if err := rows.Scan(&k.ID, &k.Name, &created, &revoked); err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
		if k.Created, err = time.Parse(time.RFC3339Nano, created); err != nil {
			return nil, fmt.Errorf("serve: key %s: bad time: %w", k.ID, err)
		}
		if revoked.Valid {
			t, err := time.Parse(time.RFC3339Nano, revoked.String)
			if err != nil {
				return nil, fmt.Errorf("serve: key %s: bad time: %w", k.ID, err)
			}
			k.Revoked = &t
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// Revoke revokes the active key whose id or name is idOrName. A revoked key
// stays listed and is refused from then on.
func (s *KeyStore) Revoke(ctx context.Context, idOrName string) (KeyInfo, error) {
	keys, err := s.List(ctx)
	if err != nil {
		return KeyInfo{}, err
	}
	for _, k := range keys {
		if k.Revoked == nil && (k.ID == idOrName || k.Name == idOrName) {
			now := time.Now().UTC()
			res, err := s.db.ExecContext(ctx, `UPDATE serve_api_keys SET revoked = $1 WHERE id = $2 AND revoked IS NULL`, now.Format(timeLayout), k.ID)
			if err != nil {
				return KeyInfo{}, fmt.Errorf("serve: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return KeyInfo{}, ErrKeyNotFound
			}
			k.Revoked = &now
			return k, nil
		}
	}
	return KeyInfo{}, ErrKeyNotFound
}

// Check returns the active key that key is. Every failure is
// ErrKeyNotFound (or a database error): an unknown id, a wrong secret and a
// revoked key look alike to the caller.
func (s *KeyStore) Check(ctx context.Context, key string) (KeyInfo, error) {
	rest, ok := strings.CutPrefix(key, KeyPrefix)
	if !ok {
		return KeyInfo{}, ErrKeyNotFound
	}
	id, enc, ok := strings.Cut(rest, "_")
	if !ok || len(id) != 2*keyIDLen || len(enc) != base64.RawURLEncoding.EncodedLen(keySecretLen) {
		return KeyInfo{}, ErrKeyNotFound
	}
	secret, err := base64.RawURLEncoding.Strict().DecodeString(enc)
	if err != nil {
		return KeyInfo{}, ErrKeyNotFound
	}
	var (
		k       = KeyInfo{ID: id}
		stored  string
		created string
		revoked sql.NullString
	)
	err = s.db.QueryRowContext(ctx, `SELECT name, hash, created, revoked FROM serve_api_keys WHERE id = $1`, id).Scan(&k.Name, &stored, &created, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return KeyInfo{}, ErrKeyNotFound
	}
	if err != nil {
		return KeyInfo{}, fmt.Errorf("serve: %w", err)
	}
	want, err := hex.DecodeString(stored)
	sum := sha256.Sum256(secret)
	if err != nil || subtle.ConstantTimeCompare(sum[:], want) != 1 || revoked.Valid {
		return KeyInfo{}, ErrKeyNotFound
	}
	k.Created, _ = time.Parse(time.RFC3339Nano, created)
	return k, nil
}

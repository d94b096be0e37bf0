package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// SchemaVersion is the version of the tables below, kept in meta under
// "schema_version". Open creates version 1 in an empty database and refuses
// a database of a later version; a later podpis adds its migrations to
// migrations, each run once in the write transaction of Open.
const SchemaVersion = 1

// migrations[i] brings a database at version i to version i+1. {{blob}} and
// {{int}} are replaced by each backend's binary and 64-bit integer types.
var migrations = []string{
	`CREATE TABLE poa (
		guid                 TEXT PRIMARY KEY,
		principal_inn        TEXT NOT NULL,
		principal_inns       TEXT NOT NULL,
		principal_name       TEXT NOT NULL,
		representative       TEXT NOT NULL,
		representative_inn   TEXT NOT NULL,
		issue_date           TEXT NOT NULL,
		valid_until          TEXT NOT NULL,
		parent_guid          TEXT NOT NULL,
		original_guid        TEXT NOT NULL,
		status               TEXT NOT NULL CHECK (status IN ('draft', 'signed', 'revoked')),
		xml                  {{blob}} NOT NULL,
		xml_streebog256      TEXT NOT NULL,
		signature            {{blob}},
		signer               TEXT NOT NULL,
		created_at           TEXT NOT NULL,
		signed_at            TEXT NOT NULL,
		revoked_at           TEXT NOT NULL,
		revocation_reason    TEXT NOT NULL,
		revocation_statement {{blob}},
		revocation_signature {{blob}},
		revocation_signer    TEXT NOT NULL,
		revoked_via          TEXT NOT NULL,
		CHECK (status <> 'signed' OR signature IS NOT NULL),
		CHECK (status <> 'draft' OR signature IS NULL),
		CHECK ((status = 'revoked') = (revoked_at <> ''))
	);
	CREATE INDEX poa_principal ON poa (principal_inn);
	CREATE INDEX poa_parent ON poa (parent_guid);
	CREATE INDEX poa_original ON poa (original_guid);
	CREATE TABLE journal (
		seq     {{int}} PRIMARY KEY,
		at      TEXT NOT NULL,
		actor   TEXT NOT NULL,
		op      TEXT NOT NULL,
		guid    TEXT NOT NULL,
		result  TEXT NOT NULL,
		detail  TEXT NOT NULL,
		prev    TEXT NOT NULL,
		hash    TEXT NOT NULL
	);`,
}

func (r *Registry) ddl(s string) string {
	blob, integer := "BLOB", "INTEGER"
	if r.pg {
		blob, integer = "BYTEA", "BIGINT"
	}
	return strings.NewReplacer("{{blob}}", blob, "{{int}}", integer).Replace(s)
}

// migrate creates the meta table, reads the schema version and runs the
// missing migrations, all in one write transaction, so that two processes
// opening a new database at once create it once.
func (r *Registry) migrate(ctx context.Context) error {
	return r.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`); err != nil {
			return fmt.Errorf("registry: create schema: %w", err)
		}
		var v string
		err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v)
		version := 0
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("registry: read schema version: %w", err)
		default:
			if version, err = strconv.Atoi(v); err != nil {
				return fmt.Errorf("registry: schema version %q: %w", v, err)
			}
		}
		if version > SchemaVersion {
			return fmt.Errorf("%w (version %d, this program knows %d)", ErrNewerSchema, version, SchemaVersion)
		}
		if version == SchemaVersion {
			return nil
		}
		for ; version < SchemaVersion; version++ {
			for _, stmt := range strings.Split(r.ddl(migrations[version]), ";") {
				if strings.TrimSpace(stmt) == "" {
					continue
				}
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("registry: migrate to version %d: %w", version+1, err)
				}
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('schema_version', $1)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, strconv.Itoa(SchemaVersion))
		if err != nil {
			return fmt.Errorf("registry: write schema version: %w", err)
		}
		return nil
	})
}

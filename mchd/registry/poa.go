package registry

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/gost/streebog"
	"github.com/podpis/podpis/pki"
)

// Create stores a draft: the XML exactly as given, no signature. The
// document must pass parse (no BOM, mchd.Check without errors, a GUID).
// A GUID already registered gives ErrDuplicate and changes nothing.
func (r *Registry) Create(ctx context.Context, xml []byte) (*Record, error) {
	rec, err := parse(xml)
	if err != nil {
		return nil, err
	}
	rec.XML = bytes.Clone(xml)
	rec.Status = StatusDraft
	return rec, r.insert(ctx, rec, OpCreate, actor(ctx, ""))
}

// Import stores someone else's signed POA: the XML and its detached CMS
// signature exactly as given. The signature must verify over exactly these
// bytes (see AttachSignature); the signer is not checked against the
// principal here (that is mchd check's job, with a trust store).
func (r *Registry) Import(ctx context.Context, xml, sig []byte) (*Record, error) {
	rec, err := parse(xml)
	if err != nil {
		return nil, err
	}
	cert, err := verifyOver(sig, xml)
	if err != nil {
		return nil, err
	}
	rec.XML, rec.Signature = bytes.Clone(xml), bytes.Clone(sig)
	rec.Status = StatusSigned
	rec.Signer = describe(cert)
	return rec, r.insert(ctx, rec, OpImport, actor(ctx, ""))
}

func (r *Registry) insert(ctx context.Context, rec *Record, op, who string) error {
	return r.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM poa WHERE guid = $1`, rec.GUID).Scan(&n); err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("%w: %s", ErrDuplicate, rec.GUID)
		}
		now := r.now().UTC()
		rec.Created = now
		signedAt := ""
		if rec.Status == StatusSigned {
			rec.Signed = now
			signedAt = stamp(now)
		}
		digest := streebog.Sum256(rec.XML)
		_, err := tx.ExecContext(ctx, `INSERT INTO poa (guid, principal_inn, principal_inns, principal_name,
			representative, representative_inn, issue_date, valid_until, parent_guid, original_guid,
			status, xml, xml_streebog256, signature, signer, created_at, signed_at,
			revoked_at, revocation_reason, revocation_signer, revoked_via)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, '', '', '', '')`,
			rec.GUID, rec.PrincipalINN, joinINNs(rec.PrincipalINNs), rec.PrincipalName,
			rec.Representative, rec.RepresentativeINN, rec.IssueDate, rec.ValidUntil, rec.ParentGUID, rec.OriginalGUID,
			string(rec.Status), rec.XML, hex.EncodeToString(digest[:]), nullBytes(rec.Signature), rec.Signer, stamp(now), signedAt)
		if err != nil {
			return fmt.Errorf("registry: store %s: %w", rec.GUID, err)
		}
		return r.appendEntry(ctx, tx, &Entry{Actor: who, Op: op, GUID: rec.GUID, Result: ResultOK})
	})
}

// AttachSignature records the detached CMS signature of a draft and marks it
// signed. The signature must be valid and over exactly the stored XML bytes
// (cms.Verify: the signer's signature and the content digest); otherwise
// ErrBadSignature and nothing changes. The journal names the signing
// certificate as the actor.
func (r *Registry) AttachSignature(ctx context.Context, guid string, sig []byte) (*Record, error) {
	guid = strings.ToLower(guid)
	var rec *Record
	err := r.write(ctx, func(tx *sql.Tx) error {
		var err error
		if rec, err = r.get(ctx, tx, guid); err != nil {
			return err
		}
		if rec.Status != StatusDraft {
			return fmt.Errorf("%w: %s is %s, only a draft can be signed", ErrState, guid, rec.Status)
		}
		cert, err := verifyOver(sig, rec.XML)
		if err != nil {
			return err
		}
		now := r.now().UTC()
		rec.Signature, rec.Signer, rec.Signed, rec.Status = bytes.Clone(sig), describe(cert), now, StatusSigned
		res, err := tx.ExecContext(ctx, `UPDATE poa SET status = 'signed', signature = $1, signer = $2, signed_at = $3
			WHERE guid = $4 AND status = 'draft'`, rec.Signature, rec.Signer, stamp(now), guid)
		if err != nil {
			return fmt.Errorf("registry: sign %s: %w", guid, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("registry: sign %s: %d rows changed", guid, n)
		}
		return r.appendEntry(ctx, tx, &Entry{Actor: actor(ctx, rec.Signer), Op: OpSign, GUID: guid, Result: ResultOK})
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// Get returns the POA with that GUID, or an error wrapping ErrNotFound.
func (r *Registry) Get(ctx context.Context, guid string) (*Record, error) {
	return r.get(ctx, r.db, strings.ToLower(guid))
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

const recordColumns = `guid, principal_inn, principal_inns, principal_name, representative, representative_inn,
	issue_date, valid_until, parent_guid, original_guid, status, xml, xml_streebog256, signature, signer,
	created_at, signed_at, revoked_at, revocation_reason, revocation_statement, revocation_signature,
	revocation_signer, revoked_via`

type scanner interface{ Scan(dest ...any) error }

// scanRecord reads one row of recordColumns and checks the stored XML
// against its stored Streebog-256 hash.
func scanRecord(s scanner) (*Record, error) {
	var (
		rec                                   Record
		inns, status, digest, created, signed string
		revokedAt, reason, revSigner, via     string
		stmt, revSig, sig                     []byte
	)
	err := s.Scan(&rec.GUID, &rec.PrincipalINN, &inns, &rec.PrincipalName, &rec.Representative, &rec.RepresentativeINN,
		&rec.IssueDate, &rec.ValidUntil, &rec.ParentGUID, &rec.OriginalGUID, &status, &rec.XML, &digest, &sig, &rec.Signer,
		&created, &signed, &revokedAt, &reason, &stmt, &revSig, &revSigner, &via)
	if err != nil {
		return nil, err
	}
	rec.Status = Status(status)
	rec.PrincipalINNs = splitINNs(inns)
	rec.Signature = sig
	rec.Created, rec.Signed = parseStamp(created), parseStamp(signed)
	if revokedAt != "" {
		rec.Revocation = &Revocation{Time: parseStamp(revokedAt), Reason: reason, Statement: stmt, Signature: revSig, Signer: revSigner, Via: via}
	}
	if d := streebog.Sum256(rec.XML); hex.EncodeToString(d[:]) != digest {
		return &rec, fmt.Errorf("registry: stored XML of %s does not match its stored hash (database damaged or edited)", rec.GUID)
	}
	return &rec, nil
}

func (r *Registry) get(ctx context.Context, q querier, guid string) (*Record, error) {
	rec, err := scanRecord(q.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM poa WHERE guid = $1`, guid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, guid)
	}
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	return rec, nil
}

// Filter selects records for List; zero fields select everything.
type Filter struct {
	// PrincipalINN keeps the POAs that name this ИНН among their principals
	// (or grantors, for a retrust).
	PrincipalINN string
	// Status keeps the POAs in this status.
	Status Status
}

// List returns the records that match f, oldest first.
func (r *Registry) List(ctx context.Context, f Filter) ([]*Record, error) {
	q := `SELECT ` + recordColumns + ` FROM poa WHERE 1 = 1`
	var args []any
	if f.PrincipalINN != "" {
		if !innRE.MatchString(f.PrincipalINN) {
			return nil, fmt.Errorf("registry: principal ИНН %q is not 10 or 12 digits", f.PrincipalINN)
		}
		args = append(args, "%,"+f.PrincipalINN+",%")
		q += fmt.Sprintf(` AND principal_inns LIKE $%d`, len(args))
	}
	if f.Status != "" {
		if !f.Status.Valid() {
			return nil, fmt.Errorf("registry: unknown status %q (draft, signed or revoked)", f.Status)
		}
		args = append(args, string(f.Status))
		q += fmt.Sprintf(` AND status = $%d`, len(args))
	}
	rows, err := r.db.QueryContext(ctx, q+` ORDER BY created_at, guid`, args...)
	if err != nil {
		return nil, fmt.Errorf("registry: list: %w", err)
	}
	defer rows.Close()
	var out []*Record
	for rows.Next() {
		rec, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("registry: list: %w", err)
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("registry: list: %w", err)
	}
	return out, nil
}

// joinINNs stores the principals' INNs as ",inn1,inn2," so that one LIKE
// finds any of them (INNs are digits: no separator can occur inside one).
func joinINNs(inns []string) string { return "," + strings.Join(inns, ",") + "," }

func splitINNs(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// verifyOver checks that sig is a CMS SignedData whose every signer
// verifies over exactly content (detached), or whose embedded content is
// exactly content (attached), and returns the first signer's certificate.
func verifyOver(sig, content []byte) (*pki.Certificate, error) {
	sd, err := cms.Parse(sig)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	opts := cms.VerifyOptions{}
	if sd.Detached {
		opts.Content = bytes.NewReader(content)
	} else if !bytes.Equal(sd.Content, content) {
		return nil, fmt.Errorf("%w: the signature carries other content", ErrBadSignature)
	}
	res, err := sd.Verify(opts)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	if len(res.Signers) == 0 {
		return nil, fmt.Errorf("%w: the signature has no signer", ErrBadSignature)
	}
	for _, s := range res.Signers {
		if s.Code != cms.OK {
			return nil, fmt.Errorf("%w: signer %d: %s (%s)", ErrBadSignature, s.Index+1, s.Code, s.Detail)
		}
	}
	return res.Signers[0].Certificate, nil
}

// describe names a certificate in the journal and the record: "cert:",
// the holder's name, the Russian identifiers present and the serial number.
func describe(c *pki.Certificate) string {
	if c == nil {
		return ""
	}
	n := c.SubjectName
	parts := []string{}
	if s := n.CommonName; s != "" {
		parts = append(parts, "CN="+s)
	}
	if s := n.PersonName(); s != "" && s != n.CommonName {
		parts = append(parts, "name="+s)
	}
	if s := n.LegalEntityINN(); s != "" {
		parts = append(parts, "INNLE="+s)
	}
	if s := n.PersonINN(); s != "" {
		parts = append(parts, "INN="+s)
	}
	if n.SNILS != "" {
		parts = append(parts, "SNILS="+n.SNILS)
	}
	parts = append(parts, "serial="+c.SerialNumber.Text(16))
	return "cert:" + strings.Join(parts, "; ")
}

// RecordProblem is a stored record that does not hold together.
type RecordProblem struct {
	GUID    string `json:"guid"`
	Problem string `json:"problem"`
}

// VerifyRecords reads every record and reports those whose stored XML
// differs from its stored Streebog-256 hash, whose stored signature or
// revocation statement no longer verifies over the stored bytes, or whose
// status disagrees with the journal (a record without its create or import
// entry, a journalled record that is gone, a revoked POA without its revoke
// entry or the reverse, a signed one without its sign or import entry) —
// what an edit of the database behind the registry's back leaves. Records
// are in GUID order. A Go error means it could not read.
func (r *Registry) VerifyRecords(ctx context.Context) ([]RecordProblem, error) {
	entries, err := r.Journal(ctx, "", 0, 0)
	if err != nil {
		return nil, err
	}
	ops := make(map[string]map[string]bool)
	for _, e := range entries {
		if ops[e.GUID] == nil {
			ops[e.GUID] = make(map[string]bool)
		}
		ops[e.GUID][e.Op] = true
	}
	rows, err := r.db.QueryContext(ctx, `SELECT `+recordColumns+` FROM poa ORDER BY guid`)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	defer rows.Close()
	var out []RecordProblem
	seen := make(map[string]bool)
	for rows.Next() {
		rec, err := scanRecord(rows)
		if rec == nil {
			return nil, fmt.Errorf("registry: %w", err)
		}
		seen[rec.GUID] = true
		bad := func(p string) { out = append(out, RecordProblem{rec.GUID, p}) }
		if err != nil {
			bad("the stored XML does not match its stored hash")
			continue
		}
		if rec.Signature != nil {
			if _, err := verifyOver(rec.Signature, rec.XML); err != nil {
				bad("the stored signature does not verify over the stored XML: " + err.Error())
			}
		}
		if rv := rec.Revocation; rv != nil && rv.Via == "" {
			if _, err := verifyOver(rv.Signature, rv.Statement); err != nil {
				bad("the revocation signature does not verify over the statement: " + err.Error())
			}
		}
		o := ops[rec.GUID]
		switch {
		case !o[OpCreate] && !o[OpImport]:
			bad("the journal has no create or import entry for it")
		case (rec.Status == StatusRevoked) != o[OpRevoke]:
			bad(fmt.Sprintf("it is %s but the journal %s", rec.Status, map[bool]string{true: "has a revoke entry", false: "has no revoke entry"}[o[OpRevoke]]))
		case rec.Status == StatusDraft && (o[OpSign] || o[OpImport]):
			bad("it is a draft but the journal says it was signed or imported")
		case rec.Status == StatusSigned && !o[OpSign] && !o[OpImport]:
			bad("it is signed but the journal has no sign or import entry")
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	var gone []RecordProblem
	for g, o := range ops {
		if !seen[g] && (o[OpCreate] || o[OpImport]) {
			gone = append(gone, RecordProblem{g, "the journal records it but it is not stored (deleted)"})
		}
	}
	slices.SortFunc(gone, func(a, b RecordProblem) int { return strings.Compare(a.GUID, b.GUID) })
	return append(out, gone...), nil
}

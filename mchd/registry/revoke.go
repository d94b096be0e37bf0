package registry

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/pki"
)

// A revocation statement is what the principal signs to revoke a POA.
// FORMAT.md §10 says the FNS revocation request format was not found, so
// podpis defines its own, small and canonical — five lines, each ending in
// LF, in this order, nothing else:
//
//	podpis-mchd-revocation-1
//	guid=5f7737eb-d23c-498f-826f-1dcae0eaee34
//	principal-inn=7714350892
//	time=2026-11-23T17:00:00Z
//	reason="Увольнение представителя"
//
// guid is НомДовер in lower case; principal-inn the ИНН of the principal
// who revokes (10 digits for an organisation, 12 for a person or ИП); time
// is RFC 3339 in UTC with whole seconds; reason is Go's strconv.Quote of a
// non-empty UTF-8 text of at most 1000 bytes without control characters.
// The same statement always has the same bytes (ParseStatement accepts only
// that form), so the detached CMS signature over it is checkable by anyone
// who has the two files.
const statementHeader = "podpis-mchd-revocation-1"

// MaxReason is the longest reason accepted, in bytes.
const MaxReason = 1000

// Statement is a parsed revocation statement.
type Statement struct {
	GUID         string
	PrincipalINN string
	Time         time.Time
	Reason       string
}

var innRE = regexp.MustCompile(`^([0-9]{10}|[0-9]{12})$`)

// RevocationStatement returns the canonical bytes of the statement
// revoking guid, by the principal with ИНН principalINN, at time at (in
// UTC, truncated to the second), for reason.
func RevocationStatement(guid, principalINN string, at time.Time, reason string) ([]byte, error) {
	return Statement{GUID: guid, PrincipalINN: principalINN, Time: at, Reason: reason}.Bytes()
}

// Bytes returns the canonical form of s, or an error naming the field
// that cannot be written.
func (s Statement) Bytes() ([]byte, error) {
	guid := strings.ToLower(s.GUID)
	if !mchd.ValidGUID(guid) {
		return nil, fmt.Errorf("registry: revocation statement: %q is not a GUID", s.GUID)
	}
	if !innRE.MatchString(s.PrincipalINN) {
		return nil, fmt.Errorf("registry: revocation statement: principal ИНН %q is not 10 or 12 digits", s.PrincipalINN)
	}
	if err := checkReason(s.Reason); err != nil {
		return nil, err
	}
	if s.Time.IsZero() {
		return nil, errors.New("registry: revocation statement: no time")
	}
	var b bytes.Buffer
	b.WriteString(statementHeader + "\n")
	b.WriteString("guid=" + guid + "\n")
	b.WriteString("principal-inn=" + s.PrincipalINN + "\n")
	b.WriteString("time=" + s.Time.UTC().Truncate(time.Second).Format(time.RFC3339) + "\n")
	b.WriteString("reason=" + strconv.Quote(s.Reason) + "\n")
	return b.Bytes(), nil
}

func checkReason(r string) error {
	switch {
	case strings.TrimSpace(r) == "":
		return errors.New("registry: revocation statement: the reason is empty")
	case len(r) > MaxReason:
		return fmt.Errorf("registry: revocation statement: the reason is %d bytes, at most %d", len(r), MaxReason)
	case !utf8.ValidString(r):
		return errors.New("registry: revocation statement: the reason is not UTF-8")
	case strings.IndexFunc(r, unicode.IsControl) >= 0:
		return errors.New("registry: revocation statement: the reason contains a control character (a line break?)")
	}
	return nil
}

// ParseStatement reads a revocation statement. Only the canonical form is
// accepted: data must be exactly what Bytes writes for the result.
func ParseStatement(data []byte) (*Statement, error) {
	bad := func(why string) (*Statement, error) {
		return nil, fmt.Errorf("registry: not a revocation statement: %s", why)
	}
	if len(data) > 2*MaxReason+200 {
		return bad("too long")
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) != 6 || lines[5] != "" {
		return bad("want five lines, each ending in a line feed")
	}
	if lines[0] != statementHeader {
		return bad("the first line is not " + statementHeader)
	}
	var s Statement
	for i, name := range []string{"guid", "principal-inn", "time", "reason"} {
		v, ok := strings.CutPrefix(lines[i+1], name+"=")
		if !ok {
			return bad(fmt.Sprintf("line %d is not %s=…", i+2, name))
		}
		switch name {
		case "guid":
			s.GUID = v
		case "principal-inn":
			s.PrincipalINN = v
		case "time":
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return bad("time is not RFC 3339")
			}
			s.Time = t.UTC()
		case "reason":
			r, err := strconv.Unquote(v)
			if err != nil || !strings.HasPrefix(v, `"`) {
				return bad("reason is not a quoted string")
			}
			s.Reason = r
		}
	}
	canon, err := s.Bytes()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(canon, data) {
		return bad("not in canonical form (lower-case GUID, UTC time in whole seconds, reason quoted as strconv.Quote)")
	}
	return &s, nil
}

// certHasINN reports whether the certificate's subject carries inn: ИНН ЮЛ
// for a 10-digit INN (pki.Name.LegalEntityINN, which also reads the
// pre-2021 padded form), the personal ИНН for a 12-digit one.
func certHasINN(c *pki.Certificate, inn string) bool {
	if c == nil {
		return false
	}
	if len(inn) == 10 {
		return c.SubjectName.LegalEntityINN() == inn
	}
	return c.SubjectName.PersonINN() == inn
}

// maxSkew is how far in the future a statement's time may be (clocks of
// the signer's and the registry's machines differ).
const maxSkew = 5 * time.Minute

// Revoke revokes the POA guid with the principal's signed statement: stmt
// must be the canonical statement (RevocationStatement) for guid and
// reason, naming one of the POA's principals (grantors, for a retrust), no
// later than now; sig a valid CMS signature over exactly stmt by a
// certificate carrying that principal's ИНН. Every retrust based on the POA,
// directly or through other retrusts, is revoked with it (FORMAT.md §10:
// "retrusts based on it end with it"), each with its own journal entry.
// An unknown GUID (ErrNotFound), a POA already revoked (ErrAlreadyRevoked),
// a bad statement or signature change nothing.
func (r *Registry) Revoke(ctx context.Context, guid, reason string, stmt, sig []byte) (*Record, error) {
	guid = strings.ToLower(guid)
	s, err := ParseStatement(stmt)
	if err != nil {
		return nil, err
	}
	if s.GUID != guid {
		return nil, fmt.Errorf("registry: the revocation statement is for %s, not %s", s.GUID, guid)
	}
	if s.Reason != reason {
		return nil, fmt.Errorf("registry: the revocation statement gives another reason: %q", s.Reason)
	}
	if s.Time.After(r.now().Add(maxSkew)) {
		return nil, fmt.Errorf("registry: the revocation statement is dated in the future (%s)", s.Time.Format(time.RFC3339))
	}
	cert, err := verifyOver(sig, stmt)
	if err != nil {
		return nil, err
	}
	if !certHasINN(cert, s.PrincipalINN) {
		return nil, fmt.Errorf("%w: the certificate of %s does not carry ИНН %s", ErrWrongSigner, describe(cert), s.PrincipalINN)
	}
	signer := describe(cert)
	var rec *Record
	err = r.write(ctx, func(tx *sql.Tx) error {
		if rec, err = r.get(ctx, tx, guid); err != nil {
			return err
		}
		if rec.Status == StatusRevoked {
			return fmt.Errorf("%w: %s on %s", ErrAlreadyRevoked, guid, rec.Revocation.Time.Format(time.RFC3339))
		}
		if !slices.Contains(rec.PrincipalINNs, s.PrincipalINN) {
			return fmt.Errorf("%w: ИНН %s is not a principal of %s (%s)", ErrWrongSigner, s.PrincipalINN, guid, strings.Join(rec.PrincipalINNs, ", "))
		}
		who := actor(ctx, signer)
		_, err := tx.ExecContext(ctx, `UPDATE poa SET status = 'revoked', revoked_at = $1, revocation_reason = $2,
			revocation_statement = $3, revocation_signature = $4, revocation_signer = $5, revoked_via = ''
			WHERE guid = $6`, stamp(s.Time), reason, stmt, sig, signer, guid)
		if err != nil {
			return fmt.Errorf("registry: revoke %s: %w", guid, err)
		}
		if err := r.appendEntry(ctx, tx, &Entry{Actor: who, Op: OpRevoke, GUID: guid, Result: ResultOK, Detail: reason}); err != nil {
			return err
		}
		rec.Status = StatusRevoked
		rec.Revocation = &Revocation{Time: s.Time, Reason: reason, Statement: bytes.Clone(stmt), Signature: bytes.Clone(sig), Signer: signer}
		return r.cascade(ctx, tx, guid, s.Time, reason, who)
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// cascade revokes, breadth first, every retrust whose parent or original is
// a revoked POA of this revocation.
func (r *Registry) cascade(ctx context.Context, tx *sql.Tx, root string, at time.Time, reason, who string) error {
	queue := []string{root}
	for len(queue) > 0 {
		g := queue[0]
		queue = queue[1:]
		rows, err := tx.QueryContext(ctx, `SELECT guid FROM poa WHERE (parent_guid = $1 OR original_guid = $1)
			AND status <> 'revoked' ORDER BY guid`, g)
		if err != nil {
			return fmt.Errorf("registry: retrusts of %s: %w", g, err)
		}
		var children []string
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return fmt.Errorf("registry: retrusts of %s: %w", g, err)
			}
			children = append(children, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("registry: retrusts of %s: %w", g, err)
		}
		for _, c := range children {
			_, err := tx.ExecContext(ctx, `UPDATE poa SET status = 'revoked', revoked_at = $1, revocation_reason = $2,
				revocation_signer = '', revoked_via = $3 WHERE guid = $4`, stamp(at), reason, root, c)
			if err != nil {
				return fmt.Errorf("registry: revoke retrust %s: %w", c, err)
			}
			e := &Entry{Actor: who, Op: OpRevoke, GUID: c, Result: ResultOK, Detail: "retrust revoked with " + root}
			if err := r.appendEntry(ctx, tx, e); err != nil {
				return err
			}
			queue = append(queue, c)
		}
	}
	return nil
}

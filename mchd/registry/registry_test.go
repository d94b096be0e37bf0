package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podpis/podpis/mchd"
)

// snapshot is everything the registry holds, to show that a refused
// operation changed nothing.
type snapshot struct {
	records []*Record
	journal []Entry
}

func snap(t testing.TB, r *Registry) snapshot {
	t.Helper()
	recs, err := r.List(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	j, err := r.Journal(context.Background(), "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return snapshot{recs, j}
}

func (s snapshot) equal(o snapshot) bool {
	if len(s.records) != len(o.records) || len(s.journal) != len(o.journal) {
		return false
	}
	for i := range s.records {
		a, b := s.records[i], o.records[i]
		if a.GUID != b.GUID || a.Status != b.Status || !bytes.Equal(a.XML, b.XML) || !bytes.Equal(a.Signature, b.Signature) ||
			(a.Revocation == nil) != (b.Revocation == nil) {
			return false
		}
	}
	for i := range s.journal {
		if s.journal[i].Hash != o.journal[i].Hash {
			return false
		}
	}
	return true
}

// unchanged runs f, which must fail with an error wrapping want, and checks
// that the registry is as before.
func unchanged(t *testing.T, r *Registry, want error, f func() error) {
	t.Helper()
	before := snap(t, r)
	err := f()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
	if !snap(t, r).equal(before) {
		t.Fatalf("registry changed by a refused operation (%v)", err)
	}
}

func TestCreateGet(t *testing.T) {
	p := thePKI(t)
	forEachBackend(t, func(t *testing.T, dsn string, r *Registry) {
		ctx := context.Background()
		d, xml := newPOA(t, p)
		// Bytes are stored verbatim: add a trailing comment Marshal would
		// never write, and the registry must give it back.
		xml = append(xml, "<!-- verbatim -->\n"...)
		rec, err := r.Create(ctx, xml)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Get(ctx, strings.ToUpper(guidOf(d)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.XML, xml) || got.Status != StatusDraft || got.Signature != nil {
			t.Fatalf("got %s with %d bytes, want the draft as given", got.Status, len(got.XML))
		}
		sn := p.Signer.Cert.SubjectName
		if got.GUID != guidOf(d) || got.PrincipalINN != sn.LegalEntityINN() || got.PrincipalName != `ООО "РОМАШКА"` ||
			got.Representative != "ПЕТРОВ ИВАН ИВАНОВИЧ" || got.RepresentativeINN != p.Person.Cert.SubjectName.PersonINN() ||
			got.IssueDate != "2026-01-15" || got.ValidUntil != "2027-01-14" || got.ParentGUID != "" || got.Created.IsZero() {
			t.Errorf("fields: %+v", got)
		}
		if rec.GUID != got.GUID {
			t.Errorf("Create returned %s", rec.GUID)
		}

		unchanged(t, r, ErrDuplicate, func() error { _, err := r.Create(ctx, xml); return err })
		unchanged(t, r, ErrBadDocument, func() error { _, err := r.Create(ctx, append([]byte("\xef\xbb\xbf"), xml...)); return err })
		unchanged(t, r, ErrBadDocument, func() error { _, err := r.Create(ctx, xml[:len(xml)/2]); return err })
		bad := bytes.Replace(xml, []byte(`ДатаВыдДовер="2026-01-15"`), []byte(`ДатаВыдДовер="2026-13-15"`), 1)
		unchanged(t, r, ErrBadDocument, func() error { _, err := r.Create(ctx, bad); return err })
		if _, err := r.Get(ctx, mchd.NewGUID()); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get of an unknown GUID: %v", err)
		}

		j, err := r.Journal(ctx, "", 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(j) != 1 || j[0].Op != OpCreate || j[0].GUID != guidOf(d) || j[0].Result != ResultOK || !strings.HasPrefix(j[0].Actor, "user:") {
			t.Errorf("journal: %+v", j)
		}
	})
}

func TestSign(t *testing.T) {
	p := thePKI(t)
	forEachBackend(t, func(t *testing.T, dsn string, r *Registry) {
		ctx := context.Background()
		d, xml := newPOA(t, p)
		g := guidOf(d)
		if _, err := r.Create(ctx, xml); err != nil {
			t.Fatal(err)
		}
		other := bytes.Replace(xml, []byte("счета-фактуры"), []byte("акты"), 1)
		unchanged(t, r, ErrBadSignature, func() error { _, err := r.AttachSignature(ctx, g, signBy(t, p.Signer, other)); return err })
		unchanged(t, r, ErrBadSignature, func() error { _, err := r.AttachSignature(ctx, g, []byte("not CMS")); return err })
		unchanged(t, r, ErrNotFound, func() error { _, err := r.AttachSignature(ctx, mchd.NewGUID(), signBy(t, p.Signer, xml)); return err })

		sig := signBy(t, p.Signer, xml)
		if _, err := r.AttachSignature(ctx, g, sig); err != nil {
			t.Fatal(err)
		}
		got, err := r.Get(ctx, g)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != StatusSigned || !bytes.Equal(got.Signature, sig) || !bytes.Equal(got.XML, xml) ||
			!strings.Contains(got.Signer, "INNLE="+p.Signer.Cert.SubjectName.LegalEntityINN()) || got.Signed.IsZero() {
			t.Errorf("after signing: %s %q", got.Status, got.Signer)
		}
		unchanged(t, r, ErrState, func() error { _, err := r.AttachSignature(ctx, g, sig); return err })
		j, _ := r.Journal(ctx, g, 0, 0)
		if len(j) != 2 || j[1].Op != OpSign || j[1].Actor != got.Signer {
			t.Errorf("journal: %+v", j)
		}
	})
}

func TestImportList(t *testing.T) {
	p := thePKI(t)
	forEachBackend(t, func(t *testing.T, dsn string, r *Registry) {
		ctx := context.Background()
		d1, x1 := newPOA(t, p)
		_, x2 := newPOA(t, p)
		_, x3 := newRetrust(t, p, d1, false)
		unchanged(t, r, ErrBadSignature, func() error { _, err := r.Import(ctx, x1, signBy(t, p.Signer, x2)); return err })
		if _, err := r.Import(ctx, x1, signBy(t, p.Signer, x1)); err != nil {
			t.Fatal(err)
		}
		unchanged(t, r, ErrDuplicate, func() error { _, err := r.Import(ctx, x1, signBy(t, p.Signer, x1)); return err })
		if _, err := r.Create(ctx, x2); err != nil {
			t.Fatal(err)
		}
		rt, err := r.Import(ctx, x3, signBy(t, p.Person, x3))
		if err != nil {
			t.Fatal(err)
		}
		if rt.ParentGUID != guidOf(d1) || rt.OriginalGUID != guidOf(d1) || rt.PrincipalINN != p.Person.Cert.SubjectName.PersonINN() {
			t.Errorf("retrust fields: %+v", rt)
		}
		org := p.Signer.Cert.SubjectName.LegalEntityINN()
		for _, c := range []struct {
			f    Filter
			want int
		}{
			{Filter{}, 3},
			{Filter{PrincipalINN: org}, 2},
			{Filter{PrincipalINN: org, Status: StatusSigned}, 1},
			{Filter{Status: StatusDraft}, 1},
			{Filter{Status: StatusSigned}, 2},
			{Filter{PrincipalINN: p.Person.Cert.SubjectName.PersonINN()}, 1},
			{Filter{PrincipalINN: "7700000000"}, 0},
		} {
			got, err := r.List(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != c.want {
				t.Errorf("List(%+v): %d records, want %d", c.f, len(got), c.want)
			}
		}
		if _, err := r.List(ctx, Filter{Status: "valid"}); err == nil {
			t.Error("List accepted an unknown status")
		}
		if _, err := r.List(ctx, Filter{PrincipalINN: "%"}); err == nil {
			t.Error("List accepted a pattern as ИНН")
		}
	})
}

func TestRevoke(t *testing.T) {
	p := thePKI(t)
	forEachBackend(t, func(t *testing.T, dsn string, r *Registry) {
		ctx := context.Background()
		org := p.Signer.Cert.SubjectName.LegalEntityINN()
		pinn := p.Person.Cert.SubjectName.PersonINN()
		d, x := newPOA(t, p)
		r1, x1 := newRetrust(t, p, d, true)
		r2, x2 := newRetrust(t, p, r1, false)
		_, other := newPOA(t, p)
		for _, doc := range [][]byte{x, x1, x2, other} {
			if _, err := r.Import(ctx, doc, signBy(t, p.Signer, doc)); err != nil {
				t.Fatal(err)
			}
		}
		g := guidOf(d)
		reason := "Увольнение представителя"

		// Refusals, each leaving everything as it was.
		stmt, sig := statement(t, p.Signer, g, org, reason)
		unchanged(t, r, ErrNotFound, func() error {
			u := mchd.NewGUID()
			s, sg := statement(t, p.Signer, u, org, reason)
			_, err := r.Revoke(ctx, u, reason, s, sg)
			return err
		})
		unchanged(t, r, ErrBadSignature, func() error { _, err := r.Revoke(ctx, g, reason, stmt, signBy(t, p.Signer, x)); return err })
		unchanged(t, r, ErrWrongSigner, func() error {
			// The person signs a statement naming the organisation.
			_, err := r.Revoke(ctx, g, reason, stmt, signBy(t, p.Person, stmt))
			return err
		})
		unchanged(t, r, ErrWrongSigner, func() error {
			// The person names themself, but is no principal of the POA.
			s, sg := statement(t, p.Person, g, pinn, reason)
			_, err := r.Revoke(ctx, g, reason, s, sg)
			return err
		})
		for _, f := range []func() error{
			func() error { _, err := r.Revoke(ctx, guidOf(r1), reason, stmt, sig); return err }, // statement for another POA
			func() error { _, err := r.Revoke(ctx, g, "другая причина", stmt, sig); return err },
			func() error { _, err := r.Revoke(ctx, g, reason, append(stmt, ' '), sig); return err },
		} {
			before := snap(t, r)
			if err := f(); err == nil {
				t.Error("a mismatched statement was accepted")
			}
			if !snap(t, r).equal(before) {
				t.Error("a refused revocation changed the registry")
			}
		}

		rec, err := r.Revoke(ctx, g, reason, stmt, sig)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Status != StatusRevoked || rec.Revocation.Reason != reason || !bytes.Equal(rec.Revocation.Statement, stmt) {
			t.Errorf("revoked record: %+v", rec.Revocation)
		}
		for _, c := range []struct {
			guid string
			want Status
			via  string
		}{{g, StatusRevoked, ""}, {guidOf(r1), StatusRevoked, g}, {guidOf(r2), StatusRevoked, g}} {
			got, err := r.Get(ctx, c.guid)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != c.want || got.Revocation == nil || got.Revocation.Via != c.via || got.Revocation.Reason != reason {
				t.Errorf("%s: %s %+v", c.guid, got.Status, got.Revocation)
			}
			if got.Revocation != nil && !got.Revocation.Time.Equal(rec.Revocation.Time) {
				t.Errorf("%s revoked at %v, the statement says %v", c.guid, got.Revocation.Time, rec.Revocation.Time)
			}
		}
		if o, _ := r.List(ctx, Filter{Status: StatusSigned}); len(o) != 1 {
			t.Errorf("%d signed POAs left, want the unrelated one", len(o))
		}
		unchanged(t, r, ErrAlreadyRevoked, func() error { _, err := r.Revoke(ctx, g, reason, stmt, sig); return err })
		// A retrust revoked with its parent cannot be revoked again by its
		// grantor either.
		unchanged(t, r, ErrAlreadyRevoked, func() error {
			s, sg := statement(t, p.Person, guidOf(r1), pinn, reason)
			_, err := r.Revoke(ctx, guidOf(r1), reason, s, sg)
			return err
		})
		j, _ := r.Journal(ctx, "", 0, 0)
		var ops []string
		for _, e := range j[4:] {
			ops = append(ops, e.Op+" "+e.GUID)
			if e.Actor != describe(p.Signer.Cert) {
				t.Errorf("revocation actor %q", e.Actor)
			}
		}
		// The POA first, then its retrusts (both name it as the original,
		// so their order is by GUID).
		want := []string{"revoke " + guidOf(r1), "revoke " + guidOf(r2)}
		slices.Sort(want)
		want = append([]string{"revoke " + g}, want...)
		if !slices.Equal(ops, want) {
			t.Errorf("journal after revocation: %q, want %q", ops, want)
		}
		if rep, err := r.VerifyJournal(ctx); err != nil || !rep.OK || rep.Entries != 7 {
			t.Errorf("VerifyJournal: %+v %v", rep, err)
		}
	})
}

// TestRevokeRetrustByGrantor: the grantor of a retrust revokes it; the
// parent stays signed.
func TestRevokeRetrustByGrantor(t *testing.T) {
	p := thePKI(t)
	forEachBackend(t, func(t *testing.T, dsn string, r *Registry) {
		ctx := context.Background()
		d, x := newPOA(t, p)
		r1, x1 := newRetrust(t, p, d, false)
		for _, doc := range [][]byte{x, x1} {
			if _, err := r.Import(ctx, doc, signBy(t, p.Signer, doc)); err != nil {
				t.Fatal(err)
			}
		}
		s, sg := statement(t, p.Person, guidOf(r1), p.Person.Cert.SubjectName.PersonINN(), "Отзыв")
		if _, err := r.Revoke(ctx, guidOf(r1), "Отзыв", s, sg); err != nil {
			t.Fatal(err)
		}
		if got, _ := r.Get(ctx, guidOf(d)); got.Status != StatusSigned {
			t.Errorf("parent became %s", got.Status)
		}
	})
}

func TestJournalTamper(t *testing.T) {
	p := thePKI(t)
	forEachBackend(t, func(t *testing.T, dsn string, r *Registry) {
		ctx := context.Background()
		var guids []string
		for range 4 {
			d, x := newPOA(t, p)
			if _, err := r.Create(ctx, x); err != nil {
				t.Fatal(err)
			}
			guids = append(guids, guidOf(d))
		}
		if _, err := r.Log(WithActor(ctx, "operator-1"), OpCheck, guids[0], "invalid: MCHD_REVOKED", "from test"); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Log(ctx, "delete", guids[0], ResultOK, ""); err == nil {
			t.Error("Log took an unknown operation")
		}
		if _, err := r.Log(ctx, OpRender, guids[0], "", ""); err == nil {
			t.Error("Log took an empty result")
		}
		rep, err := r.VerifyJournal(ctx)
		if err != nil || !rep.OK || rep.Entries != 5 || len(rep.Head) != 64 {
			t.Fatalf("fresh journal: %+v %v", rep, err)
		}
		last, _ := r.Journal(ctx, "", 4, 0)
		if len(last) != 1 || last[0].Actor != "operator-1" || last[0].Result != "invalid: MCHD_REVOKED" || last[0].Hash != rep.Head {
			t.Fatalf("logged entry: %+v", last)
		}
		for _, c := range []struct {
			name, sql string
			seq       int64
		}{
			{"edit", `UPDATE journal SET actor = 'someone else' WHERE seq = 2`, 2},
			{"edit result", `UPDATE journal SET result = 'ok' WHERE seq = 5`, 5},
			{"delete middle", `DELETE FROM journal WHERE seq = 3`, 3},
			{"delete last", `DELETE FROM journal WHERE seq = 5`, 5},
			{"rehash one", `UPDATE journal SET guid = 'x', hash = '` + strings.Repeat("ab", 32) + `' WHERE seq = 1`, 1},
		} {
			t.Run(c.name, func(t *testing.T) {
				tx, err := r.db.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				if _, err := tx.ExecContext(ctx, c.sql); err != nil {
					t.Fatal(err)
				}
				// Verify inside the tampering transaction: a registry
				// reading this state, without committing it.
				rep, err := verifyJournal(ctx, tx)
				if err != nil {
					t.Fatal(err)
				}
				if rep.OK || rep.BrokenSeq != c.seq {
					t.Errorf("%s: report %+v, want broken at %d", c.name, rep, c.seq)
				}
			})
		}
		// The stored XML is checked against its hash on every read, and
		// VerifyRecords names every damaged record.
		if bad, err := r.VerifyRecords(ctx); err != nil || len(bad) != 0 {
			t.Fatalf("VerifyRecords before: %v %v", bad, err)
		}
		if _, err := r.db.ExecContext(ctx, `UPDATE poa SET xml = $1 WHERE guid = $2`, []byte("<x/>"), guids[1]); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Get(ctx, guids[1]); err == nil || !strings.Contains(err.Error(), "does not match its stored hash") {
			t.Errorf("Get of an edited record: %v", err)
		}
		// A signed record whose signature is swapped for one over other bytes.
		_, x := newPOA(t, p)
		rec, err := r.Import(ctx, x, signBy(t, p.Signer, x))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.db.ExecContext(ctx, `UPDATE poa SET signature = $1 WHERE guid = $2`, signBy(t, p.Signer, []byte("other")), rec.GUID); err != nil {
			t.Fatal(err)
		}
		// A record deleted, one marked signed, one marked revoked, all
		// without their entries.
		for _, q := range []string{
			`DELETE FROM poa WHERE guid = '` + guids[0] + `'`,
			`UPDATE poa SET status = 'signed', signature = signature WHERE guid = 'none'`,
			`UPDATE poa SET status = 'revoked', revoked_at = '2026-01-01T00:00:00.000000000Z' WHERE guid = '` + guids[2] + `'`,
		} {
			if _, err := r.db.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		bad, err := r.VerifyRecords(ctx)
		if err != nil {
			t.Fatal(err)
		}
		problems := make(map[string]string)
		for _, b := range bad {
			problems[b.GUID] += b.Problem + "\n"
		}
		want := map[string]string{
			guids[0]: "not stored (deleted)",
			guids[1]: "stored hash",
			guids[2]: "it is revoked but the journal has no revoke entry",
			rec.GUID: "stored signature does not verify",
		}
		if len(problems) != len(want) {
			t.Errorf("VerifyRecords after four edits: %+v", bad)
		}
		for g, w := range want {
			if !strings.Contains(problems[g], w) {
				t.Errorf("VerifyRecords on %s: %q, want %q", g, problems[g], w)
			}
		}
	})
}

// TestConcurrentWriters: goroutines on one Registry and on a second one
// opened on the same database all succeed, and the journal stays whole.
func TestConcurrentWriters(t *testing.T) {
	p := thePKI(t)
	forEachBackend(t, func(t *testing.T, dsn string, r *Registry) {
		ctx := context.Background()
		r2 := open(t, dsn)
		const workers, each = 6, 8
		docs := make([][][]byte, workers)
		for w := range docs {
			for range each {
				_, x := newPOA(t, p)
				docs[w] = append(docs[w], x)
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, workers*each*2)
		for w := range workers {
			reg := r
			if w%2 == 1 {
				reg = r2
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, x := range docs[w] {
					rec, err := reg.Create(ctx, x)
					if err != nil {
						errs <- err
						continue
					}
					if _, err := reg.Log(ctx, OpRender, rec.GUID, ResultOK, ""); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		all, err := r.List(ctx, Filter{})
		if err != nil || len(all) != workers*each {
			t.Fatalf("%d records, %v", len(all), err)
		}
		rep, err := r2.VerifyJournal(ctx)
		if err != nil || !rep.OK || rep.Entries != 2*workers*each {
			t.Fatalf("journal: %+v %v", rep, err)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := Open(ctx, ""); err == nil {
		t.Error("empty DSN accepted")
	}
	if _, err := Open(ctx, t.TempDir()+"/a?b.db"); err == nil {
		t.Error("path with ? accepted")
	}
	junk := filepath.Join(t.TempDir(), "junk.db")
	if err := os.WriteFile(junk, []byte(strings.Repeat("not a database ", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, junk); err == nil {
		t.Error("a file that is no SQLite database opened")
	}
	if _, err := Open(ctx, filepath.Join(junk, "sub.db")); err == nil {
		t.Error("a path under a file opened")
	}
	dsn := t.TempDir() + "/mchd.db"
	r := open(t, dsn)
	if _, err := r.db.ExecContext(ctx, `UPDATE meta SET value = '99' WHERE key = 'schema_version'`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, dsn); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("newer schema: %v", err)
	}
	// Reopening an up-to-date database does not fail; the file and its
	// directory are private.
	dsn2 := t.TempDir() + "/sub/mchd.db"
	open(t, dsn2)
	open(t, dsn2)
	for name, want := range map[string]os.FileMode{dsn2: 0o600, filepath.Dir(dsn2): 0o700 | os.ModeDir} {
		if fi, err := os.Stat(name); err != nil || fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v (%v)", name, fi.Mode(), want, err)
		}
	}
}

func TestStampSorts(t *testing.T) {
	base := time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)
	prev := stamp(base)
	for _, d := range []time.Duration{1, 10, 100 * time.Millisecond, 500 * time.Millisecond, time.Second} {
		s := stamp(base.Add(d))
		if s <= prev {
			t.Errorf("%s sorts before %s", s, prev)
		}
		if !parseStamp(s).Equal(base.Add(d)) {
			t.Errorf("%s does not read back", s)
		}
		prev = s
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/data/home")
	if p, err := DefaultPath(); err != nil || p != "/data/home/podpis/mchd.db" {
		t.Errorf("DefaultPath with XDG_DATA_HOME: %q %v", p, err)
	}
	t.Setenv("XDG_DATA_HOME", "relative")
	t.Setenv("HOME", "/home/alice")
	if p, err := DefaultPath(); err != nil || !strings.HasPrefix(p, "/home/alice/") || !strings.HasSuffix(p, "/podpis/mchd.db") {
		t.Errorf("DefaultPath: %q %v", p, err)
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ExampleRevocationStatement() {
	stmt, err := RevocationStatement("5F7737EB-D23C-498F-826F-1DCAE0EAEE34", "7714350892",
		mustTime("2026-11-23T20:00:00+03:00"), "Увольнение представителя")
	if err != nil {
		panic(err)
	}
	fmt.Print(string(stmt))
	// Output:
	// podpis-mchd-revocation-1
	// guid=5f7737eb-d23c-498f-826f-1dcae0eaee34
	// principal-inn=7714350892
	// time=2026-11-23T17:00:00Z
	// reason="Увольнение представителя"
}

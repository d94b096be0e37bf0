//go:build cgo

package pkcs11

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/pkcs11"
)

// slotRef is a token present in a slot of a module.
type slotRef struct {
	mod  *module
	slot uint
	info pkcs11.TokenInfo
	sinf pkcs11.SlotInfo
}

func (r slotRef) candidate() Candidate {
	return Candidate{
		Module: r.mod.path, SlotID: r.slot, Token: r.info.Label, Serial: r.info.SerialNumber,
		URI: (&URI{Token: r.info.Label, Serial: r.info.SerialNumber}).String(),
	}
}

// matches reports whether the token fits the URI's token and slot
// attributes (RFC 7512 §2.3).
func (r slotRef) matches(u *URI) bool {
	for _, c := range [][2]string{
		{u.Token, r.info.Label}, {u.Manufacturer, r.info.ManufacturerID}, {u.Serial, r.info.SerialNumber},
		{u.Model, r.info.Model}, {u.SlotDescription, r.sinf.SlotDescription}, {u.SlotManufacturer, r.sinf.ManufacturerID},
	} {
		if c[0] != "" && c[0] != c[1] {
			return false
		}
	}
	return u.SlotID == nil || *u.SlotID == r.slot
}

// tokenSearch is the modules opened for a URI and the tokens found in them.
type tokenSearch struct {
	mods    []*module
	present []slotRef // every token present in the modules that fit the URI
	matched []slotRef // those that fit the URI's token attributes
}

func (ts *tokenSearch) close() {
	for _, m := range ts.mods {
		m.release()
	}
}

// findTokens loads the modules for u (see modulePaths) and lists the
// tokens present. It fails with ErrModuleNotFound, ErrTokenNotPresent when
// no token is in any slot (or in the URI's slot-id), and a *MatchError
// (ErrKeyNotFound) listing the tokens present when none fits u. On success
// the caller closes the search once it holds what it needs.
func findTokens(u *URI, opts Options) (*tokenSearch, error) {
	paths, err := modulePaths(u, opts)
	if err != nil {
		return nil, err
	}
	ts := &tokenSearch{}
	var loadErrs []error
	for _, p := range paths {
		m, err := openModule(p)
		if err != nil {
			if len(paths) == 1 {
				return nil, err
			}
			loadErrs = append(loadErrs, err) // a well-known module that does not load is skipped
			continue
		}
		ts.mods = append(ts.mods, m)
		if !m.matchesLibrary(u) {
			continue
		}
		slots, err := m.ctx.GetSlotList(true)
		if err != nil {
			ts.close()
			return nil, fmt.Errorf("pkcs11: module %s: %w", p, callErr("C_GetSlotList", err))
		}
		for _, slot := range slots {
			r := slotRef{mod: m, slot: slot}
			if r.info, err = m.ctx.GetTokenInfo(slot); err != nil {
				continue // removed meanwhile
			}
			if r.sinf, err = m.ctx.GetSlotInfo(slot); err != nil {
				continue
			}
			if r.info.Flags&pkcs11.CKF_TOKEN_INITIALIZED == 0 {
				continue // SoftHSM's free slot, a blank card: no keys there
			}
			trimTokenInfo(&r.info)
			r.sinf.SlotDescription, r.sinf.ManufacturerID = trimPad(r.sinf.SlotDescription), trimPad(r.sinf.ManufacturerID)
			ts.present = append(ts.present, r)
			if r.matches(u) {
				ts.matched = append(ts.matched, r)
			}
		}
	}
	if len(ts.matched) > 0 {
		return ts, nil
	}
	ts.close()
	switch {
	case len(ts.mods) == 0:
		return nil, errors.Join(loadErrs...)
	case u.SlotID != nil && !hasSlot(ts.present, *u.SlotID):
		return nil, condErrorf(ErrTokenNotPresent, "no token in slot %d (%s)", *u.SlotID, modulesOf(ts.mods))
	case len(ts.present) == 0:
		return nil, condErrorf(ErrTokenNotPresent, "no initialised token in any slot (%s); insert the token", modulesOf(ts.mods))
	}
	me := &MatchError{URI: redact(u), Err: ErrKeyNotFound, Reason: "no token matches"}
	for _, r := range ts.present {
		me.Candidates = append(me.Candidates, r.candidate())
	}
	sortCandidates(me.Candidates)
	return nil, me
}

func hasSlot(refs []slotRef, slot uint) bool {
	for _, r := range refs {
		if r.slot == slot {
			return true
		}
	}
	return false
}

func modulesOf(mods []*module) string {
	var names []string
	for _, m := range mods {
		names = append(names, m.path)
	}
	return "module " + strings.Join(names, ", ")
}

// redact returns the URI for messages. It holds no PIN (ParseURI refuses
// pin-value), so it is the URI in canonical form.
func redact(u *URI) string { return u.String() }

// pickToken chooses the token among several that fit u: the one whose
// objects, read without login, fit u. It returns the token acquired, or a
// *MatchError (ErrAmbiguous) when several or none can be told apart.
func pickToken(ctx context.Context, ts *tokenSearch, u *URI, opts Options) (*token, error) {
	if len(ts.matched) == 1 {
		r := ts.matched[0]
		return r.mod.acquireToken(r.slot, opts.Sessions)
	}
	var (
		hits       []*token
		candidates []Candidate
	)
	for _, r := range ts.matched {
		t, err := r.mod.acquireToken(r.slot, opts.Sessions)
		if err != nil {
			continue
		}
		objs, err := t.objects(ctx)
		if err != nil {
			t.release()
			continue
		}
		n := 0
		for _, p := range objs.pairs {
			if p.matches(u) {
				candidates = append(candidates, t.candidate(p))
				n++
			}
		}
		for _, c := range objs.other { // certificates whose key shows only after login
			if p := certOnly(c); p.matches(u) {
				candidates = append(candidates, t.candidate(p))
				n++
			}
		}
		if n == 0 {
			t.release()
			continue
		}
		hits = append(hits, t)
	}
	if len(hits) == 1 {
		return hits[0], nil
	}
	for _, t := range hits {
		t.release()
	}
	me := &MatchError{URI: redact(u), Err: ErrAmbiguous, Candidates: candidates}
	if len(hits) == 0 {
		me.Reason = "several tokens match"
		me.Candidates = nil
		for _, r := range ts.matched {
			me.Candidates = append(me.Candidates, r.candidate())
		}
	}
	sortCandidates(me.Candidates)
	return nil, me
}

// certOnly is a pseudo key pair of a certificate whose key is not seen.
func certOnly(c *object) *keyPair { return &keyPair{certs: []*object{c}, cert: c} }

// sortCandidates orders candidates by token, label and id, for messages
// that read the same each time.
func sortCandidates(cs []Candidate) {
	slices.SortStableFunc(cs, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(a.Token, b.Token), cmp.Compare(a.Serial, b.Serial),
			cmp.Compare(a.Label, b.Label), bytes.Compare(a.ID, b.ID))
	})
}

// objects reads the token's objects in a pool session.
func (t *token) objects(ctx context.Context) (*tokenObjects, error) {
	var objs *tokenObjects
	err := t.withSession(ctx, func(s pkcs11.SessionHandle) error {
		var err error
		objs, err = readObjects(t.mod.ctx, s)
		return err
	})
	return objs, err
}

// candidate describes a key pair of the token for a MatchError.
func (t *token) candidate(p *keyPair) Candidate {
	c := Candidate{
		Module: t.mod.path, SlotID: t.slot, Token: t.info.Label, Serial: t.info.SerialNumber,
		Label: p.label(), ID: p.id(),
	}
	if p.cert != nil {
		c.Subject = p.cert.cert.SubjectName.String()
	}
	c.URI = t.keyURI(p).String()
	return c
}

// keyURI is a URI naming pair p on the token.
func (t *token) keyURI(p *keyPair) *URI {
	u := &URI{Token: t.info.Label, Serial: t.info.SerialNumber, Object: p.label(), ID: p.id()}
	if u.ID == nil && u.Object == "" {
		u.Type = "private"
	}
	return u
}

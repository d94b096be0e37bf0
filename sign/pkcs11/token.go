//go:build cgo

package pkcs11

import (
	"context"
	"fmt"
	"sync"

	"github.com/miekg/pkcs11"
)

// token is one token in one slot of a module, shared by every Key on it.
//
// PKCS#11 sessions are not safe for concurrent use, while crypto.Signer users
// assume they are (the reasoning of crypto11's package doc). So each
// operation takes a session of its own from a pool of at most cap(sem)
// sessions, opened on demand and kept. Besides the pool, one "anchor"
// session stays open for the token's lifetime: the login belongs to the
// application, not to a session, but ends when the application's last
// session on the token closes (PKCS#11 v2.40 §5.6, C_CloseSession), so the
// anchor keeps the one login alive while pool sessions come and go; C_Login
// and C_Logout are called on it.
type token struct {
	mod  *module
	slot uint
	info pkcs11.TokenInfo // as read when the token was opened (trimmed)
	sinf pkcs11.SlotInfo
	// mechs are the mechanisms the token offers (C_GetMechanismList).
	mechs  map[uint]bool
	anchor pkcs11.SessionHandle

	sem      chan struct{} // one element per pool session in use
	loginSem chan struct{} // one login at a time, cancellable while waiting

	mu       sync.Mutex
	idle     []pkcs11.SessionHandle
	loggedIn bool  // the user is logged in, or the token needs no login
	gone     error // set once the token is found removed

	refs int // guarded by registry.mu
}

// acquireToken returns the live token in slot, opening it on first use,
// with a reference the caller gives back with release. sessions sizes the
// pool of a token opened here.
func (m *module) acquireToken(slot uint, sessions int) (*token, error) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if t := m.tokens[slot]; t != nil && t.err() == nil {
		// The token may have been pulled out (and put back) since its
		// last operation; its anchor session tells.
		_, err := m.ctx.GetSessionInfo(t.anchor)
		rv := rvOf(err)
		if !isRemoval(rv) {
			t.refs++
			return t, nil
		}
		t.setGone(rv)
	}
	t, err := m.openToken(slot, sessions)
	if err != nil {
		return nil, err
	}
	m.tokens[slot] = t
	m.refs++ // the token holds the module
	return t, nil
}

func (m *module) openToken(slot uint, sessions int) (*token, error) {
	info, err := m.ctx.GetTokenInfo(slot)
	if err != nil {
		return nil, slotError(slot, callErr("C_GetTokenInfo", err))
	}
	sinf, err := m.ctx.GetSlotInfo(slot)
	if err != nil {
		return nil, slotError(slot, callErr("C_GetSlotInfo", err))
	}
	trimTokenInfo(&info)
	sinf.SlotDescription, sinf.ManufacturerID = trimPad(sinf.SlotDescription), trimPad(sinf.ManufacturerID)
	list, err := m.ctx.GetMechanismList(slot)
	if err != nil {
		return nil, slotError(slot, callErr("C_GetMechanismList", err))
	}
	mechs := make(map[uint]bool, len(list))
	for _, mech := range list {
		mechs[mech.Mechanism] = true
	}
	anchor, err := m.ctx.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION)
	if err != nil {
		return nil, slotError(slot, callErr("C_OpenSession", err))
	}
	if sessions <= 0 {
		sessions = DefaultSessions
	}
	if max := info.MaxSessionCount; max != pkcs11.CK_EFFECTIVELY_INFINITE && max != pkcs11.CK_UNAVAILABLE_INFORMATION && max > 1 {
		sessions = min(sessions, int(max)-1) // one is the anchor
	}
	t := &token{
		mod: m, slot: slot, info: info, sinf: sinf, mechs: mechs, anchor: anchor,
		sem: make(chan struct{}, sessions), loginSem: make(chan struct{}, 1), refs: 1,
	}
	if info.Flags&pkcs11.CKF_LOGIN_REQUIRED == 0 {
		t.loggedIn = true
	}
	return t, nil
}

// slotError turns a removal error on a slot into ErrTokenNotPresent.
func slotError(slot uint, err error) error {
	if rv := rvOf(err); rv == pkcs11.CKR_TOKEN_NOT_PRESENT || rv == pkcs11.CKR_DEVICE_REMOVED {
		return condErrorf(ErrTokenNotPresent, "no token in slot %d", slot)
	}
	return err
}

func trimTokenInfo(info *pkcs11.TokenInfo) {
	info.Label = trimPad(info.Label)
	info.ManufacturerID = trimPad(info.ManufacturerID)
	info.Model = trimPad(info.Model)
	info.SerialNumber = trimPad(info.SerialNumber)
}

// release gives back a reference. The last one waits for operations in
// progress, logs out (when logged in and the token is still there), closes
// the sessions and gives back the module, which finalises when no one else
// holds it.
func (t *token) release() {
	registry.mu.Lock()
	t.refs--
	last := t.refs == 0
	if last && t.mod.tokens[t.slot] == t {
		delete(t.mod.tokens, t.slot)
	}
	registry.mu.Unlock()
	if !last {
		return
	}
	for range cap(t.sem) {
		t.sem <- struct{}{} // every pool session is back
	}
	t.mu.Lock()
	gone, loggedIn := t.gone != nil, t.loggedIn && t.info.Flags&pkcs11.CKF_LOGIN_REQUIRED != 0
	idle := t.idle
	t.idle, t.loggedIn = nil, false
	t.mu.Unlock()
	if !gone {
		if loggedIn {
			t.mod.ctx.Logout(t.anchor)
		}
		for _, s := range idle {
			t.mod.ctx.CloseSession(s)
		}
		t.mod.ctx.CloseSession(t.anchor)
	}
	t.mod.release()
}

// err returns the token's removal error, nil while it is there.
func (t *token) err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.gone
}

// withSession runs fn with a session of the pool, which no one else uses
// meanwhile. Waiting for a free session ends with ctx. A session fn fails
// in is closed rather than reused (it may hold an unfinished operation);
// removal errors become ErrTokenNotPresent.
func (t *token) withSession(ctx context.Context, fn func(pkcs11.SessionHandle) error) error {
	return t.with(ctx, false, fn)
}

// withRWSession is withSession with a read/write session opened for fn
// alone (object creation, key generation).
func (t *token) withRWSession(ctx context.Context, fn func(pkcs11.SessionHandle) error) error {
	return t.with(ctx, true, fn)
}

func (t *token) with(ctx context.Context, rw bool, fn func(pkcs11.SessionHandle) error) error {
	if err := t.err(); err != nil {
		return err
	}
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("pkcs11: waiting for a session on token %q: %w", t.info.Label, ctx.Err())
	}
	defer func() { <-t.sem }()
	if err := t.err(); err != nil {
		return err
	}
	s, err := t.take(rw)
	if err != nil {
		return t.check(callErr("C_OpenSession", err))
	}
	if err := fn(s); err != nil {
		t.mod.ctx.CloseSession(s)
		return t.check(err)
	}
	if rw {
		t.mod.ctx.CloseSession(s)
	} else {
		t.mu.Lock()
		t.idle = append(t.idle, s)
		t.mu.Unlock()
	}
	return nil
}

// take returns an idle pool session or opens one.
func (t *token) take(rw bool) (pkcs11.SessionHandle, error) {
	if !rw {
		t.mu.Lock()
		if n := len(t.idle); n > 0 {
			s := t.idle[n-1]
			t.idle = t.idle[:n-1]
			t.mu.Unlock()
			return s, nil
		}
		t.mu.Unlock()
	}
	flags := uint(pkcs11.CKF_SERIAL_SESSION)
	if rw {
		flags |= pkcs11.CKF_RW_SESSION
	}
	return t.mod.ctx.OpenSession(t.slot, flags)
}

// check looks at an error from the token. Removal (PKCS#11 v2.40 §5.1:
// CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT, or a session handle that died
// with the token) marks the token gone, so every Key on it fails fast with
// ErrTokenNotPresent from then on; CKR_USER_NOT_LOGGED_IN forgets the
// login. Other errors are returned as they are.
func (t *token) check(err error) error {
	rv := rvOf(err)
	if rv == pkcs11.CKR_USER_NOT_LOGGED_IN && t.info.Flags&pkcs11.CKF_LOGIN_REQUIRED != 0 {
		t.mu.Lock()
		t.loggedIn = false
		t.mu.Unlock()
		return err
	}
	if !isRemoval(rv) {
		return err
	}
	gone := t.setGone(rv)
	registry.mu.Lock()
	if t.mod.tokens[t.slot] == t {
		delete(t.mod.tokens, t.slot)
	}
	registry.mu.Unlock()
	return gone
}

// setGone records that the token was removed, as removal code rv said, and
// returns the error its keys fail with from now on.
func (t *token) setGone(rv uint) error {
	how := "was removed"
	if rv == pkcs11.CKR_SESSION_HANDLE_INVALID || rv == pkcs11.CKR_SESSION_CLOSED {
		si, serr := t.mod.ctx.GetSlotInfo(t.slot)
		if serr == nil && si.Flags&pkcs11.CKF_TOKEN_PRESENT != 0 {
			how = "was removed and inserted again"
		}
	}
	gone := condErrorf(ErrTokenNotPresent, "token %q in slot %d %s (%s); insert it and open the key again", t.info.Label, t.slot, how, rvName(pkcs11.Error(rv)))
	t.mu.Lock()
	if t.gone == nil {
		t.gone = gone
	}
	gone = t.gone
	t.loggedIn = false
	t.mu.Unlock()
	return gone
}

// has reports whether the token offers mechanism mech.
func (t *token) has(mech uint) bool { return t.mechs[mech] }

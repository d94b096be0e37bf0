//go:build cgo

package pkcs11

import (
	"context"
	"fmt"
	"sync"

	"github.com/miekg/pkcs11"
)

// login logs the user in on first need, once per token: C_Login belongs to
// the application and covers every session on the token (PKCS#11 v2.40
// §5.6). Before asking for the PIN it reads the token's flags: a locked PIN
// is reported without trying, and the prompt is told about the attempts
// left. A PIN pad (CKF_PROTECTED_AUTHENTICATION_PATH) logs in with no PIN.
// A rejected PIN is a *PINError; nothing here ever tries a PIN twice.
func (t *token) login(ctx context.Context, src PINSource) error {
	t.mu.Lock()
	done := t.loggedIn
	t.mu.Unlock()
	if done {
		return nil
	}
	select {
	case t.loginSem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("pkcs11: waiting to log in to token %q: %w", t.info.Label, ctx.Err())
	}
	defer func() { <-t.loginSem }()
	if err := t.err(); err != nil {
		return err
	}
	t.mu.Lock()
	done = t.loggedIn
	t.mu.Unlock()
	if done { // another goroutine logged in while this one waited
		return nil
	}
	err := t.authenticate(ctx, t.anchor, pkcs11.CKU_USER, src, false)
	if err == nil {
		t.mu.Lock()
		t.loggedIn = true
		t.mu.Unlock()
	}
	return err
}

// authenticate asks src for the PIN (unless the token has a PIN pad) and
// calls C_Login on session s as userType: CKU_USER for the token login,
// CKU_CONTEXT_SPECIFIC for a key with CKA_ALWAYS_AUTHENTICATE, between
// C_SignInit and C_Sign. The PIN is zeroed as soon as C_Login returns.
func (t *token) authenticate(ctx context.Context, s pkcs11.SessionHandle, userType uint, src PINSource, contextSpecific bool) error {
	info, err := t.mod.ctx.GetTokenInfo(t.slot)
	if err != nil {
		return t.check(callErr("C_GetTokenInfo", err))
	}
	switch f := info.Flags; {
	case f&pkcs11.CKF_USER_PIN_LOCKED != 0:
		return lockedError(t.info.Label)
	case f&pkcs11.CKF_USER_PIN_INITIALIZED == 0:
		return fmt.Errorf("pkcs11: token %q has no user PIN set yet; initialise it with the vendor's tool (pkcs11-tool --init-pin)", t.info.Label)
	}
	pi := PINInfo{
		Token: t.info.Label, Serial: t.info.SerialNumber, Model: t.info.Model,
		Retry:           t.rejected(),
		CountLow:        info.Flags&pkcs11.CKF_USER_PIN_COUNT_LOW != 0,
		FinalTry:        info.Flags&pkcs11.CKF_USER_PIN_FINAL_TRY != 0,
		ContextSpecific: contextSpecific,
	}
	pi.Status = pinStatus(pi.CountLow, pi.FinalTry, false)

	var pin []byte
	if info.Flags&pkcs11.CKF_PROTECTED_AUTHENTICATION_PATH != 0 {
		if n, ok := src.(PINPadNotifier); ok {
			n.PINPad(pi)
		}
	} else {
		if src == nil {
			return errNoPINSource(t.info.Label)
		}
		if pin, err = src.PIN(ctx, pi); err != nil {
			clear(pin)
			return err
		}
		if len(pin) == 0 {
			return errEmptyPIN
		}
	}
	err = t.mod.loginWith(s, userType, pin) // zeroes pin
	rv := rvOf(err)
	t.setRejected(rv == pkcs11.CKR_PIN_INCORRECT || rv == pkcs11.CKR_PIN_LOCKED || rv == pkcs11.CKR_PIN_LEN_RANGE || rv == pkcs11.CKR_PIN_INVALID)
	switch rv {
	case pkcs11.CKR_OK, pkcs11.CKR_USER_ALREADY_LOGGED_IN:
		return nil
	case pkcs11.CKR_PIN_INCORRECT:
		return t.pinError()
	case pkcs11.CKR_PIN_LOCKED:
		// The flags said it was not locked before: this PIN was wrong and
		// used up the last attempt.
		e := t.pinError()
		e.Locked = true
		return e
	case pkcs11.CKR_PIN_LEN_RANGE, pkcs11.CKR_PIN_INVALID:
		return condErrorf(ErrPINIncorrect, "token %q refused the PIN's length or characters (it takes %d to %d characters)", t.info.Label, t.info.MinPinLen, t.info.MaxPinLen)
	case pkcs11.CKR_PIN_EXPIRED:
		return fmt.Errorf("pkcs11: the PIN of token %q has expired; change it with the vendor's tool", t.info.Label)
	case pkcs11.CKR_FUNCTION_CANCELED, pkcs11.CKR_CANCEL:
		return fmt.Errorf("pkcs11: PIN entry on token %q was cancelled", t.info.Label)
	}
	return t.check(callErr("C_Login", err))
}

// pinError reads the token's PIN flags after a rejected PIN.
func (t *token) pinError() *PINError {
	e := &PINError{Token: t.info.Label}
	info, err := t.mod.ctx.GetTokenInfo(t.slot)
	if err == nil {
		e.CountLow = info.Flags&pkcs11.CKF_USER_PIN_COUNT_LOW != 0
		e.FinalTry = info.Flags&pkcs11.CKF_USER_PIN_FINAL_TRY != 0
		e.Locked = info.Flags&pkcs11.CKF_USER_PIN_LOCKED != 0
	}
	return e
}

// rejectedPINs remembers, for the life of the process, the tokens whose
// last PIN was rejected with no successful login since (PINInfo.Retry). It
// is keyed by module, serial number and label, so it outlives the token's
// sessions: a caller opening a key again after a wrong PIN is still told.
var rejectedPINs sync.Map // string → struct{}

func (t *token) pinKey() string {
	return t.mod.path + "\x00" + t.info.SerialNumber + "\x00" + t.info.Label
}

func (t *token) rejected() bool {
	_, ok := rejectedPINs.Load(t.pinKey())
	return ok
}

func (t *token) setRejected(rejected bool) {
	if rejected {
		rejectedPINs.Store(t.pinKey(), struct{}{})
	} else {
		rejectedPINs.Delete(t.pinKey())
	}
}

package pkcs11

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Conditions callers branch on. Errors returned by this package wrap them; the
// messages around them say what to do.
var (
	// ErrTokenNotPresent: the token is not in its slot, or was pulled out
	// while a key on it was open (the key must then be opened again).
	ErrTokenNotPresent = errors.New("pkcs11: token not present")
	// ErrPINIncorrect: the token rejected the PIN. The error is a *PINError
	// saying what the token now reports about the attempts left.
	ErrPINIncorrect = errors.New("pkcs11: PIN incorrect")
	// ErrPINLocked: the user PIN is blocked; only the security officer (SO)
	// PIN can unblock it. No login is attempted on a locked token.
	ErrPINLocked = errors.New("pkcs11: PIN locked")
	// ErrKeyNotFound: no key on the matching tokens fits the URI. The error
	// is a *MatchError listing the keys that are there.
	ErrKeyNotFound = errors.New("pkcs11: key not found")
	// ErrAmbiguous: the URI fits more than one key or token. The error is a
	// *MatchError listing them.
	ErrAmbiguous = errors.New("pkcs11: URI matches more than one key")
	// ErrModuleNotFound: the PKCS#11 module (the vendor's .so) is not
	// installed where the URI, Options or the well-known list say.
	ErrModuleNotFound = errors.New("pkcs11: module not found")
	// ErrClosed: the Key was closed.
	ErrClosed = errors.New("pkcs11: key is closed")
)

// condError is an error that matches one of the sentinels above but reads
// as its own message, without the sentinel's text in front.
type condError struct {
	msg  string
	cond error
}

func (e *condError) Error() string { return e.msg }
func (e *condError) Unwrap() error { return e.cond }

// condErrorf makes a condError: "pkcs11: " and the formatted message,
// matching cond.
func condErrorf(cond error, format string, args ...any) error {
	return &condError{msg: "pkcs11: " + fmt.Sprintf(format, args...), cond: cond}
}

// PINError is a PIN the token rejected, with what the token reports now. It
// matches ErrPINIncorrect, and ErrPINLocked too when that PIN locked the
// token. It never holds the PIN.
type PINError struct {
	// Token is the token's label.
	Token string
	// CountLow, FinalTry and Locked are the token's CKF_USER_PIN_COUNT_LOW,
	// CKF_USER_PIN_FINAL_TRY and CKF_USER_PIN_LOCKED flags read after the
	// failed login.
	CountLow, FinalTry, Locked bool
}

func (e *PINError) Error() string {
	words := pinStatus(e.CountLow, e.FinalTry, e.Locked)
	if words == "" {
		words = "the token does not say how many attempts are left"
	}
	return fmt.Sprintf("pkcs11: PIN incorrect for token %q: %s", e.Token, words)
}

// Unwrap returns ErrPINIncorrect, and ErrPINLocked when the token is now
// locked.
func (e *PINError) Unwrap() []error {
	if e.Locked {
		return []error{ErrPINIncorrect, ErrPINLocked}
	}
	return []error{ErrPINIncorrect}
}

// unlockHint says how a person unblocks a user PIN.
const unlockHint = "unlock it with the SO PIN (the vendor's token tool, or pkcs11-tool --login --login-type so --init-pin)"

// pinStatus puts the token's PIN flags in words, "" when none is set. The
// flags are all PKCS#11 offers (v2.40 §5.7.3, CK_TOKEN_INFO): COUNT_LOW means
// a wrong PIN was entered since the last successful login, FINAL_TRY that one
// attempt is left; the exact count is not part of the standard.
func pinStatus(countLow, finalTry, locked bool) string {
	switch {
	case locked:
		return "PIN locked — " + unlockHint
	case finalTry:
		return "1 attempt left — the next wrong PIN locks the token"
	case countLow:
		return "a wrong PIN was entered since the last login (not yet the final try)"
	}
	return ""
}

// lockedError is the error for a token whose user PIN is blocked.
func lockedError(label string) error {
	return condErrorf(ErrPINLocked, "token %q is locked: %s", label, unlockHint)
}

// MatchError is a URI that matches no key (ErrKeyNotFound) or several
// (ErrAmbiguous), with the candidates a person can choose from.
type MatchError struct {
	// URI is the URI as given.
	URI string
	// Err is ErrKeyNotFound or ErrAmbiguous.
	Err error
	// Reason says what was looked for, e.g. "no token matches" (optional).
	Reason string
	// Candidates are the keys (or tokens) in reach: for ErrAmbiguous the
	// ones that match, for ErrKeyNotFound all those on the tokens searched.
	Candidates []Candidate
}

// Candidate is a key pair (or a token, when Label and ID are empty) that a
// URI could have meant.
type Candidate struct {
	Module  string
	SlotID  uint
	Token   string // token label
	Serial  string // token serial number
	Label   string // CKA_LABEL of the key (of its certificate when the key has none)
	ID      []byte // CKA_ID
	Subject string // the certificate's subject, "" without one
	// URI names this candidate alone (without the query).
	URI string
}

func (c Candidate) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "token %q", c.Token)
	if c.Label != "" || c.ID != nil {
		fmt.Fprintf(&b, " label %q id %s", c.Label, hex.EncodeToString(c.ID))
		if c.Subject != "" {
			fmt.Fprintf(&b, " certificate %q", c.Subject)
		} else {
			b.WriteString(" no certificate")
		}
	} else {
		fmt.Fprintf(&b, " serial %q slot %d", c.Serial, c.SlotID)
	}
	return b.String()
}

// maxListed bounds the candidates named in an error message.
const maxListed = 8

func (e *MatchError) Error() string {
	var b strings.Builder
	reason := e.Reason
	if reason == "" {
		if e.Err == ErrAmbiguous {
			reason = "more than one key matches"
		} else {
			reason = "no key matches"
		}
	}
	fmt.Fprintf(&b, "pkcs11: %s %s", reason, e.URI)
	if len(e.Candidates) == 0 {
		b.WriteString(" (nothing found there)")
		return b.String()
	}
	if e.Err == ErrAmbiguous {
		if c := e.Candidates[0]; c.Label == "" && c.ID == nil {
			b.WriteString("; name one with token= or serial=: ")
		} else {
			b.WriteString("; name one with object= or id=: ")
		}
	} else {
		b.WriteString("; found: ")
	}
	for i, c := range e.Candidates {
		if i == maxListed {
			fmt.Fprintf(&b, "; … and %d more", len(e.Candidates)-maxListed)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(c.String())
	}
	return b.String()
}

func (e *MatchError) Unwrap() error { return e.Err }

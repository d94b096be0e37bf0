//go:build cgo

package pkcs11

import (
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/pkcs11"
)

// rvError is a PKCS#11 function that failed with a CK_RV. It unwraps to the
// pkcs11.Error.
type rvError struct {
	fn string // "C_Sign"
	rv pkcs11.Error
}

func (e *rvError) Error() string {
	return fmt.Sprintf("pkcs11: %s failed: %s", e.fn, rvName(e.rv))
}

func (e *rvError) Unwrap() error { return e.rv }

// rvName names a CK_RV, "CKR_PIN_INCORRECT (0xA0)".
func rvName(rv pkcs11.Error) string {
	s := rv.Error() // "pkcs11: 0xA0: CKR_PIN_INCORRECT"
	if i := strings.LastIndex(s, ": "); i >= 0 && strings.HasPrefix(s[i+2:], "CKR_") {
		return fmt.Sprintf("%s (0x%X)", s[i+2:], uint(rv))
	}
	return fmt.Sprintf("CK_RV 0x%X", uint(rv))
}

// callErr wraps an error from the binding with the function's name; nil
// stays nil.
func callErr(fn string, err error) error {
	if err == nil {
		return nil
	}
	var rv pkcs11.Error
	if errors.As(err, &rv) {
		return &rvError{fn: fn, rv: rv}
	}
	return fmt.Errorf("pkcs11: %s: %w", fn, err)
}

// rvOf returns the CK_RV inside err, or 0 (CKR_OK) when there is none.
func rvOf(err error) uint {
	var rv pkcs11.Error
	if errors.As(err, &rv) {
		return uint(rv)
	}
	return pkcs11.CKR_OK
}

// isRemoval reports whether rv says the token is gone or its sessions died
// with it (PKCS#11 v2.40 §5.1: CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT; a
// removed token's sessions report CKR_SESSION_HANDLE_INVALID or
// CKR_SESSION_CLOSED).
func isRemoval(rv uint) bool {
	switch rv {
	case pkcs11.CKR_DEVICE_REMOVED, pkcs11.CKR_TOKEN_NOT_PRESENT, pkcs11.CKR_TOKEN_NOT_RECOGNIZED,
		pkcs11.CKR_SESSION_HANDLE_INVALID, pkcs11.CKR_SESSION_CLOSED:
		return true
	}
	return false
}

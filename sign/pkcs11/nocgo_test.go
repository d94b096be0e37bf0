//go:build !cgo

package pkcs11

import (
	"context"
	"errors"
	"testing"
)

func TestNoCgo(t *testing.T) {
	if _, err := Open(context.Background(), "pkcs11:token=t", Options{}); !errors.Is(err, ErrNoCgo) {
		t.Fatalf("Open: %v", err)
	}
	if _, err := Open(context.Background(), "pkcs11:token=t?pin-value=1", Options{}); !errors.Is(err, ErrPINInURI) {
		t.Fatalf("Open with pin-value: %v", err)
	}
}

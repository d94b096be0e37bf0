package pkcs11

import (
	"time"

	"github.com/podpis/podpis/pki"
)

// TokenInfo describes a slot and the token in it, for `podpis token list`.
type TokenInfo struct {
	Module          string
	SlotID          uint
	SlotDescription string
	// Present is false for an empty slot ("no token in slot …"); the
	// fields below are then empty.
	Present bool

	Label, Serial, Model, Manufacturer string
	// Flags are the token's noteworthy CK_TOKEN_INFO flags in words:
	// "login required", "PIN pad", "PIN: 1 attempt left — the next wrong
	// PIN locks the token", "PIN locked — …", "write-protected", …
	Flags []string
	// The same CK_TOKEN_INFO flags for programs (PKCS#11 v2.40 §5.7.3):
	// CKF_LOGIN_REQUIRED, CKF_PROTECTED_AUTHENTICATION_PATH (a PIN pad:
	// the PIN is typed on the reader, not given to the host),
	// CKF_USER_PIN_COUNT_LOW, CKF_USER_PIN_FINAL_TRY and
	// CKF_USER_PIN_LOCKED, read at the listing.
	LoginRequired, PINPad, PINCountLow, PINFinalTry, PINLocked bool
	// GOST lists the GOST R 34.10-2012 signing the token offers:
	// "256", "512", "256 with on-token hashing", …
	GOST []string
	// Keys are the key pairs visible without login: their public keys and
	// certificates (a private key is listed only if the token shows it
	// before login).
	Keys []KeyInfo
	// Problem says why Keys could not be read, "" when they were.
	Problem string
	// URI names the token.
	URI string
}

// KeyInfo is a key pair seen on a token.
type KeyInfo struct {
	Label string
	ID    []byte
	// Algorithm is e.g. "GOST R 34.10-2012 256-bit
	// (id-tc26-gost-3410-12-256-paramSetA)", "ECDSA P-256", "RSA 2048";
	// empty when only a private key is visible and it does not show its
	// public half.
	Algorithm string
	// PrivateKey: the private key object was visible.
	PrivateKey bool
	// Certificate is the key's certificate, nil without one; Subject,
	// NotBefore and NotAfter are taken from it.
	Certificate         *pki.Certificate
	Subject             string
	NotBefore, NotAfter time.Time
	// URI names the key alone.
	URI string
}

// CertificateObject is a certificate stored on a token.
type CertificateObject struct {
	Token       string // the token's label
	Label       string // CKA_LABEL
	ID          []byte // CKA_ID
	Certificate *pki.Certificate
	// HasKey: the certificate belongs to a key pair seen on the token (by
	// CKA_ID or public key; private keys are seen only after login, so a
	// listing without login pairs through public keys).
	HasKey bool
}

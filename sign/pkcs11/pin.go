package pkcs11

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// PINInfo tells a PINSource which token asks for its PIN and what the token
// reports about the attempts left, so a prompt can say it.
type PINInfo struct {
	// Token, Serial and Model identify the token.
	Token, Serial, Model string
	// Retry is set when a PIN given for this token earlier in this process
	// was rejected and no login has succeeded since. The built-in file and
	// environment sources refuse to give the same PIN again.
	Retry bool
	// CountLow and FinalTry are the token's CKF_USER_PIN_COUNT_LOW and
	// CKF_USER_PIN_FINAL_TRY flags, read just before asking.
	CountLow, FinalTry bool
	// Status puts the flags in words for a prompt, e.g. "1 attempt left —
	// the next wrong PIN locks the token"; "" when the token reports nothing.
	Status string
	// ContextSpecific is set when the key wants the PIN again for this one
	// signature (CKA_ALWAYS_AUTHENTICATE, PKCS#11 v2.40 §4.9).
	ContextSpecific bool
}

// PINSource gives the user PIN when a token needs a login. It is asked at
// most once per login: a rejected PIN is reported to the caller as a
// *PINError and never tried again by this package.
type PINSource interface {
	// PIN returns the PIN. The returned slice belongs to the caller, which
	// zeroes it right after C_Login; a source must not keep a reference to
	// it or a copy.
	PIN(ctx context.Context, info PINInfo) ([]byte, error)
}

// PINPadNotifier is an optional interface of a PINSource: on a token with a
// protected authentication path (a PIN pad, CKF_PROTECTED_AUTHENTICATION_PATH)
// no PIN is asked for; PINPad is called instead, before C_Login waits for the
// person to type the PIN on the reader.
type PINPadNotifier interface {
	PINPad(info PINInfo)
}

// PINFunc adapts a function, such as a prompt, to a PINSource.
type PINFunc func(ctx context.Context, info PINInfo) ([]byte, error)

// PIN calls f.
func (f PINFunc) PIN(ctx context.Context, info PINInfo) ([]byte, error) { return f(ctx, info) }

// PINFile is a PINSource reading the first line of the file at path (without
// the line ending) each time a PIN is needed; nothing is cached. It refuses to
// give a PIN when the token already rejected one in this process
// (PINInfo.Retry), since the file would give the same one again, and when the
// token is on its final try: a PIN nobody typed must not be what locks it.
func PINFile(path string) PINSource { return pinFile(path) }

type pinFile string

func (p pinFile) PIN(ctx context.Context, info PINInfo) ([]byte, error) {
	if err := refuseUnattended("the PIN file "+string(p), info); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(string(p))
	if err != nil {
		return nil, fmt.Errorf("pkcs11: reading the PIN file: %w", err)
	}
	defer clear(data)
	line, _, _ := bytes.Cut(data, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) == 0 {
		return nil, fmt.Errorf("pkcs11: PIN file %s is empty", string(p))
	}
	return bytes.Clone(line), nil
}

// PINEnv is a PINSource reading the environment variable name (PODPIS_PIN
// is the documented one). Like PINFile, it refuses after a rejected PIN and
// on the final try. The process environment itself cannot be wiped; prefer a
// file or a prompt where that matters.
func PINEnv(name string) PINSource { return pinEnv(name) }

type pinEnv string

func (p pinEnv) PIN(ctx context.Context, info PINInfo) ([]byte, error) {
	if err := refuseUnattended("$"+string(p), info); err != nil {
		return nil, err
	}
	v, ok := os.LookupEnv(string(p))
	if !ok || v == "" {
		return nil, fmt.Errorf("pkcs11: environment variable %s holds no PIN", string(p))
	}
	return []byte(v), nil
}

// refuseUnattended keeps a source no person watches from repeating a
// rejected PIN or spending a token's last attempt.
func refuseUnattended(what string, info PINInfo) error {
	switch {
	case info.Retry:
		return fmt.Errorf("pkcs11: token %q rejected a PIN earlier; not trying %s again (%s; check it, or enter the PIN at the prompt)",
			info.Token, what, pinStatusOr(info))
	case info.FinalTry:
		return fmt.Errorf("pkcs11: token %q is on its final PIN try; not risking it with %s — enter the PIN at the prompt", info.Token, what)
	}
	return nil
}

func pinStatusOr(info PINInfo) string {
	if info.Status != "" {
		return info.Status
	}
	return "the token does not say how many attempts are left"
}

// EnvPIN is the environment variable read for the PIN when neither the URI
// nor Options name a PIN source.
const EnvPIN = "PODPIS_PIN"

// pinSourceFor picks the PIN source for a key: the URI's pin-source, else
// Options.PIN, else $PODPIS_PIN when set; nil when there is none.
func pinSourceFor(u *URI, opts Options) (PINSource, error) {
	if s := u.PINSource; s != "" {
		switch {
		case strings.HasPrefix(s, "env:"):
			return PINEnv(strings.TrimPrefix(s, "env:")), nil
		case strings.HasPrefix(s, "file://"):
			// RFC 8089 file URI: file:///path, or file://localhost/path.
			p := strings.TrimPrefix(s, "file://")
			p = strings.TrimPrefix(p, "localhost")
			if !strings.HasPrefix(p, "/") {
				return nil, fmt.Errorf("pkcs11: pin-source %q names a file on another host", s)
			}
			return PINFile(p), nil
		case strings.HasPrefix(s, "file:"):
			return PINFile(strings.TrimPrefix(s, "file:")), nil
		}
		return PINFile(s), nil
	}
	if opts.PIN != nil {
		return opts.PIN, nil
	}
	if v, ok := os.LookupEnv(EnvPIN); ok && v != "" {
		return PINEnv(EnvPIN), nil
	}
	return nil, nil
}

// errNoPINSource is the error for a token that needs a PIN nobody gives.
func errNoPINSource(label string) error {
	return fmt.Errorf("pkcs11: token %q needs its PIN: give pin-source=file:PATH in the URI, --pin-file, %s, or enter it at the prompt", label, EnvPIN)
}

var errEmptyPIN = errors.New("pkcs11: the PIN source gave an empty PIN")

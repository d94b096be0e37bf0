package pkcs11

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// TerminalPIN is a PINSource that asks a person on the terminal tty without
// echo (golang.org/x/term), writing the prompt to out: which token, and what
// the token reports about the attempts left. It is what a command line uses
// when neither a PIN file nor $PODPIS_PIN is given. Reading cannot be
// interrupted by the context once the prompt is shown, and x/term reads
// through buffers of its own that it does not clear; the slice returned is
// zeroed after C_Login as usual.
func TerminalPIN(tty *os.File, out io.Writer) PINSource {
	return PINFunc(func(ctx context.Context, info PINInfo) ([]byte, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !term.IsTerminal(int(tty.Fd())) {
			return nil, fmt.Errorf("pkcs11: token %q needs its PIN and there is no terminal to ask on; use --pin-file or %s", info.Token, EnvPIN)
		}
		fmt.Fprint(out, pinPrompt(info))
		pin, err := term.ReadPassword(int(tty.Fd()))
		fmt.Fprintln(out)
		if err != nil {
			clear(pin)
			return nil, fmt.Errorf("pkcs11: reading the PIN: %w", err)
		}
		return pin, nil
	})
}

// pinPrompt is the line a person sees before typing the PIN.
func pinPrompt(info PINInfo) string {
	var b strings.Builder
	if info.Retry {
		b.WriteString("The PIN was not accepted. ")
	}
	if info.ContextSpecific {
		fmt.Fprintf(&b, "PIN to confirm this signature with token %q", info.Token)
	} else {
		fmt.Fprintf(&b, "PIN for token %q", info.Token)
	}
	if info.Status != "" {
		fmt.Fprintf(&b, " (%s)", info.Status)
	}
	b.WriteString(": ")
	return b.String()
}

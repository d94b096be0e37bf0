// Package pinentry asks a person for consent and a PIN through a pinentry
// program, the dialog GnuPG uses (Debian pinentry-gnome3, pinentry-qt,
// pinentry-curses, pinentry-tty), speaking the Assuan protocol over the
// program's stdin and stdout.
//
// Protocol (the Assuan manual, "Client requests" and "Server responses";
// pinentry's commands as shared/spec/infra/RECIPES.md "pinentry" lists them):
// the program greets with "OK …"; each command is one line of at most 1000
// bytes; the answers are "OK [text]", "ERR <code> <text>", "D <data>" (data,
// percent-escaped), "S <status>", "# comment" and "INQUIRE …" (answered with
// CANCEL here: tokend never hands anything more to the program). Parameters
// are percent-escaped by the client: '%', CR, LF and every other control
// character become %XX. GETPIN answers the PIN as D lines then OK; CONFIRM
// answers OK (yes) or ERR; ERR codes are gpg-error values, source in the
// top 8 bits and code in the low 16: GPG_ERR_CANCELED (99, "Operation
// cancelled", also what pinentry-tty says without a terminal),
// GPG_ERR_NOT_CONFIRMED (114) and GPG_ERR_TIMEOUT (62).
//
// Security contract: the PIN travels only from the program's stdout pipe
// into buffers this package owns. Lines are read into one fixed buffer that
// is zeroed when the dialog ends; the PIN is decoded straight into the slice
// returned to the caller, which must zero it after use (sign/pkcs11 does,
// after C_Login). A PIN is never logged, put in an error, or kept. The
// program is started for one dialog and ended with BYE (or killed when the
// context ends), so nothing is cached between operations.
package pinentry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The gpg-error codes pinentry answers (libgpg-error err-codes.h.in).
const (
	errCanceled     = 99
	errNotConfirmed = 114
	errTimeout      = 62
)

var (
	// ErrCancelled: the person closed the dialog or pressed Cancel.
	ErrCancelled = errors.New("pinentry: cancelled by the user")
	// ErrTimeout: the dialog's own timeout (SETTIMEOUT) or the context ran out.
	ErrTimeout = errors.New("pinentry: timed out waiting for the user")
)

// Program is a pinentry program.
type Program struct {
	// Path is the program: a path, or a name looked up in $PATH
	// ("pinentry" by default, Debian's alternative).
	Path string
	// Args are extra arguments (e.g. "--ttyname", "/dev/pts/3"; never a
	// secret).
	Args []string
	// Env, when not nil, is the program's environment; else the daemon's.
	Env []string
}

// Dialog is what one dialog shows. Empty fields are not sent.
type Dialog struct {
	Title       string // SETTITLE
	Description string // SETDESC: who asks for what
	Prompt      string // SETPROMPT: "PIN:"
	Error       string // SETERROR: shown above the prompt (a retry)
	OK, Cancel  string // SETOK, SETCANCEL: button labels
	// Timeout is sent as SETTIMEOUT in whole seconds (rounded up) when
	// positive; the context bounds the dialog in any case.
	Timeout time.Duration
}

// AssuanError is an ERR line other than cancel and timeout.
type AssuanError struct {
	Command string
	Code    int
	Text    string
}

func (e *AssuanError) Error() string {
	return fmt.Sprintf("pinentry: %s: ERR %d %s", e.Command, e.Code, e.Text)
}

// GetPIN shows d and returns the PIN typed. The caller owns the slice and
// must zero it after use. Cancel is ErrCancelled, a timeout ErrTimeout.
func (p *Program) GetPIN(ctx context.Context, d Dialog) ([]byte, error) {
	var pin []byte
	err := p.run(ctx, d, func(c *conn) error {
		var err error
		pin, err = c.getpin()
		return err
	})
	if err != nil {
		clear(pin)
		return nil, err
	}
	return pin, nil
}

// Confirm shows d with OK and Cancel buttons and returns nil when the person
// confirms, ErrCancelled when not.
func (p *Program) Confirm(ctx context.Context, d Dialog) error {
	return p.run(ctx, d, func(c *conn) error {
		_, err := c.command("CONFIRM")
		return err
	})
}

func (p *Program) run(ctx context.Context, d Dialog, f func(*conn) error) (err error) {
	path := p.Path
	if path == "" {
		path = "pinentry"
	}
	cmd := exec.CommandContext(ctx, path, p.Args...)
	if p.Env != nil {
		cmd.Env = p.Env
	}
	cmd.Stderr = nil
	cmd.WaitDelay = 2 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pinentry: start %s: %w", path, err)
	}
	c := &conn{w: stdin, r: stdout}
	defer func() {
		c.wipe()
		stdin.Close()
		werr := cmd.Wait()
		if ctx.Err() != nil {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				err = ErrTimeout
			} else {
				err = fmt.Errorf("%w (the request was cancelled)", ErrCancelled)
			}
		} else if err == nil && werr != nil {
			var ee *exec.ExitError
			if !errors.As(werr, &ee) {
				err = werr
			}
		}
	}()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the context ends the dialog by killing the program (CommandContext); this closes our side too.
		defer wg.Done()
		select {
		case <-ctx.Done():
			stdout.Close()
		case <-done:
		}
	}()
	defer func() { close(done); wg.Wait() }()

	if _, err := c.readResponse(); err != nil {
		return fmt.Errorf("pinentry: %s did not greet: %w", path, err)
	}
	if tty := os.Getenv("GPG_TTY"); tty != "" && !hasArg(p.Args, "--ttyname") {
		if _, err := c.command("OPTION ttyname=" + escape(tty)); err != nil {
			return err
		}
	}
	for _, kv := range []struct{ cmd, v string }{
		{"SETTITLE", d.Title}, {"SETDESC", d.Description}, {"SETPROMPT", d.Prompt},
		{"SETERROR", d.Error}, {"SETOK", d.OK}, {"SETCANCEL", d.Cancel},
	} {
		if kv.v == "" {
			continue
		}
		if _, err := c.command(kv.cmd + " " + escape(kv.v)); err != nil {
			return err
		}
	}
	if d.Timeout > 0 {
		secs := int((d.Timeout + time.Second - 1) / time.Second)
		if _, err := c.command("SETTIMEOUT " + strconv.Itoa(secs)); err != nil {
			return err
		}
	}
	if err := f(c); err != nil {
		return err
	}
	c.command("BYE")
	return nil
}

func hasArg(args []string, a string) bool {
	for _, x := range args {
		if x == a || strings.HasPrefix(x, a+"=") {
			return true
		}
	}
	return false
}

// escape percent-escapes an Assuan parameter: '%', CR, LF and control
// characters (Assuan manual, "Client requests").
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' || c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// maxLine is Assuan's line limit (ASSUAN_LINELENGTH, 1000 bytes with the
// newline); a longer line is a protocol error.
const maxLine = 1000

// conn is one Assuan session. buf holds what has been read and not yet
// consumed; it is a fixed array zeroed by wipe.
type conn struct {
	w   io.Writer
	r   io.Reader
	buf [4 * maxLine]byte
	n   int // bytes in buf
}

func (c *conn) wipe() { clear(c.buf[:]); c.n = 0 }

// line returns the next line without its newline, as a view into buf that
// is valid until the next call. The consumed bytes are zeroed when the
// next line is read.
func (c *conn) line() ([]byte, error) {
	for {
		for i := 0; i < c.n; i++ {
			if c.buf[i] == '\n' {
				return c.buf[:i], nil
			}
		}
		if c.n >= maxLine {
			return nil, errors.New("pinentry: protocol error: line longer than 1000 bytes")
		}
		m, err := c.r.Read(c.buf[c.n:])
		c.n += m
		if m == 0 && err != nil {
			if err == io.EOF {
				return nil, errors.New("pinentry: the program ended the conversation")
			}
			return nil, err
		}
	}
}

// consume drops the line just returned (and its newline), zeroing it.
func (c *conn) consume(l []byte) {
	k := len(l) + 1
	copy(c.buf[:], c.buf[k:c.n])
	clear(c.buf[c.n-k : c.n])
	c.n -= k
}

// readResponse reads lines until OK or ERR. D lines are handed to data
// (percent-decoded by the caller); without data they are a protocol error.
func (c *conn) readResponse() (string, error) {
	return c.readResponseData(nil)
}

func (c *conn) readResponseData(data func([]byte) error) (string, error) {
	for {
		l, err := c.line()
		if err != nil {
			return "", err
		}
		switch {
		case string(l) == "OK" || len(l) > 3 && string(l[:3]) == "OK ":
			s := ""
			if len(l) > 3 {
				s = string(l[3:])
			}
			c.consume(l)
			return s, nil
		case len(l) >= 3 && string(l[:3]) == "ERR":
			s := strings.TrimSpace(string(l[3:]))
			c.consume(l)
			code, text, _ := strings.Cut(s, " ")
			n, _ := strconv.Atoi(code)
			return "", errFromCode(n, text)
		case len(l) >= 2 && string(l[:2]) == "D ":
			if data == nil {
				c.consume(l)
				return "", errors.New("pinentry: protocol error: unexpected data line")
			}
			err := data(l[2:])
			c.consume(l)
			if err != nil {
				return "", err
			}
		case len(l) >= 8 && string(l[:8]) == "INQUIRE ":
			c.consume(l)
			if _, err := io.WriteString(c.w, "CAN\n"); err != nil {
				return "", err
			}
		case len(l) == 0 || l[0] == '#' || l[0] == 'S' && (len(l) == 1 || l[1] == ' '):
			c.consume(l)
		default:
			c.consume(l)
			return "", errors.New("pinentry: protocol error: unexpected line from the program")
		}
	}
}

// errFromCode maps a gpg-error value (source<<24 | code) to an error.
func errFromCode(v int, text string) error {
	switch v & 0xffff {
	case errCanceled, errNotConfirmed:
		return ErrCancelled
	case errTimeout:
		return ErrTimeout
	}
	return &AssuanError{Code: v, Text: text}
}

// command sends one command line and reads the response.
func (c *conn) command(line string) (string, error) {
	if len(line)+1 > maxLine {
		return "", fmt.Errorf("pinentry: %s: the text is too long for one Assuan line", strings.Fields(line)[0])
	}
	if _, err := io.WriteString(c.w, line+"\n"); err != nil {
		return "", fmt.Errorf("pinentry: write: %w", err)
	}
	s, err := c.readResponse()
	var ae *AssuanError
	if errors.As(err, &ae) {
		ae.Command = strings.Fields(line)[0]
	}
	return s, err
}

// getpin runs GETPIN, decoding the D lines straight into the result.
func (c *conn) getpin() ([]byte, error) {
	if _, err := io.WriteString(c.w, "GETPIN\n"); err != nil {
		return nil, fmt.Errorf("pinentry: write: %w", err)
	}
	pin := make([]byte, 0, 64)
	grow := func(extra int) {
		if len(pin)+extra > cap(pin) {
			bigger := make([]byte, len(pin), 2*(len(pin)+extra))
			copy(bigger, pin)
			clear(pin)
			pin = bigger
		}
	}
	_, err := c.readResponseData(func(d []byte) error {
		grow(len(d))
		for i := 0; i < len(d); i++ {
			b := d[i]
			if b == '%' {
				if i+2 >= len(d) {
					return errors.New("pinentry: protocol error: bad escape in data")
				}
				h, ok1 := unhex(d[i+1])
				l, ok2 := unhex(d[i+2])
				if !ok1 || !ok2 {
					return errors.New("pinentry: protocol error: bad escape in data")
				}
				b = h<<4 | l
				i += 2
			}
			pin = append(pin, b)
		}
		return nil
	})
	if err != nil {
		clear(pin[:cap(pin)])
		var ae *AssuanError
		if errors.As(err, &ae) {
			ae.Command = "GETPIN"
		}
		return nil, err
	}
	if len(pin) == 0 {
		// pinentry answers OK without data when the person confirms an
		// empty field; a token PIN is never empty.
		return nil, ErrCancelled
	}
	return pin, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

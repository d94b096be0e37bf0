package pkcs11

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/pkcs11"
	"golang.org/x/sys/unix"
)

// TestWrongPINSoftHSM: a wrong PIN is tried once; the error says what the
// token reports now (SoftHSM sets CKF_USER_PIN_COUNT_LOW and never locks);
// the PIN file then refuses to give the same PIN again, so no second login
// happens; the right PIN clears the flag.
func TestWrongPINSoftHSM(t *testing.T) {
	h := newSoftHSM(t)
	h.initToken("t1")
	ecKey(t, h, "t1", "k")
	ctx := context.Background()
	wrong := &countingPIN{pin: "00000000"}
	_, err := Open(ctx, h.uri("token=t1;object=k"), Options{PIN: wrong})
	var pe *PINError
	if !errors.As(err, &pe) || !errors.Is(err, ErrPINIncorrect) || errors.Is(err, ErrPINLocked) || !pe.CountLow || pe.FinalTry {
		t.Fatalf("wrong PIN: %v (%+v)", err, pe)
	}
	if msg := err.Error(); !strings.Contains(msg, `PIN incorrect for token "t1"`) || strings.Contains(msg, "00000000") {
		t.Errorf("message %q", msg)
	}
	if wrong.calls != 1 {
		t.Fatalf("PIN source asked %d times", wrong.calls)
	}
	flags := tokenFlagsOf(t, h, "t1")
	if flags&pkcs11.CKF_USER_PIN_COUNT_LOW == 0 {
		t.Fatal("the token does not show the failed login")
	}

	// A PIN file after a rejected PIN: refused without a login attempt.
	dir := t.TempDir()
	pf := filepath.Join(dir, "pin")
	os.WriteFile(pf, []byte("00000000\n"), 0o600)
	_, err = Open(ctx, h.uri("token=t1;object=k")+"&pin-source=file:"+pf, Options{})
	if err == nil || !strings.Contains(err.Error(), "rejected a PIN earlier; not trying the PIN file") {
		t.Fatalf("PIN file after a rejected PIN: %v", err)
	}
	// The right PIN from the prompt-like source works and resets the flags.
	right := &countingPIN{pin: testPIN}
	open(t, h.uri("token=t1;object=k"), Options{PIN: right})
	if right.calls != 1 || !right.infos[0].Retry || !right.infos[0].CountLow {
		t.Fatalf("prompt info after a wrong PIN: %+v", right.infos)
	}
	if tokenFlagsOf(t, h, "t1")&pkcs11.CKF_USER_PIN_COUNT_LOW != 0 {
		t.Error("COUNT_LOW still set after a good login")
	}
}

func tokenFlagsOf(t *testing.T, h *softHSM, label string) uint {
	t.Helper()
	infos, err := ListTokens(context.Background(), h.module)
	if err != nil {
		t.Fatal(err)
	}
	m, err := openModule(h.module)
	if err != nil {
		t.Fatal(err)
	}
	defer m.release()
	for _, ti := range infos {
		if ti.Label == label {
			info, err := m.ctx.GetTokenInfo(ti.SlotID)
			if err != nil {
				t.Fatal(err)
			}
			return info.Flags
		}
	}
	t.Fatalf("no token %q", label)
	return 0
}

// TestPINSources: where the PIN comes from, in order, and what each source
// refuses.
func TestPINSources(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		return p
	}
	for _, tc := range []struct {
		content, want string
	}{
		{"1234\n", "1234"}, {"1234\r\nsecond line\n", "1234"}, {"пин-код", "пин-код"}, {" 12 34 ", " 12 34 "},
	} {
		pin, err := PINFile(write("pin", tc.content)).PIN(ctx, PINInfo{Token: "t"})
		if err != nil || string(pin) != tc.want {
			t.Errorf("PINFile(%q) = %q, %v", tc.content, pin, err)
		}
	}
	for _, tc := range []struct {
		src  PINSource
		info PINInfo
		want string
	}{
		{PINFile(write("empty", "\n")), PINInfo{}, "is empty"},
		{PINFile(filepath.Join(dir, "missing")), PINInfo{}, "no such file"},
		{PINFile(write("p", "1")), PINInfo{Token: "t", Retry: true}, "rejected a PIN earlier"},
		{PINFile(write("p", "1")), PINInfo{Token: "t", FinalTry: true}, "final PIN try"},
		{PINEnv("PODPIS_TEST_NO_SUCH_VAR"), PINInfo{}, "holds no PIN"},
		{PINEnv("HOME"), PINInfo{FinalTry: true}, "final PIN try"},
	} {
		if _, err := tc.src.PIN(ctx, tc.info); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%T %+v: %v, want %q", tc.src, tc.info, err, tc.want)
		}
	}
	t.Setenv("PODPIS_TEST_PIN", "4321")
	if pin, err := PINEnv("PODPIS_TEST_PIN").PIN(ctx, PINInfo{}); err != nil || string(pin) != "4321" {
		t.Errorf("PINEnv: %q, %v", pin, err)
	}

	// Order: the URI's pin-source, Options.PIN, $PODPIS_PIN.
	file := write("f", "from-file\n")
	opt := PINFunc(func(context.Context, PINInfo) ([]byte, error) { return []byte("from-options"), nil })
	t.Setenv(EnvPIN, "from-env")
	for _, tc := range []struct {
		uri  string
		opts Options
		want string
	}{
		{"pkcs11:?pin-source=" + file, Options{PIN: opt}, "from-file"},
		{"pkcs11:?pin-source=file:" + file, Options{}, "from-file"},
		{"pkcs11:?pin-source=file://" + file, Options{}, "from-file"},
		{"pkcs11:?pin-source=env:PODPIS_TEST_PIN", Options{PIN: opt}, "4321"},
		{"pkcs11:", Options{PIN: opt}, "from-options"},
		{"pkcs11:", Options{}, "from-env"},
	} {
		u, _ := ParseURI(tc.uri)
		src, err := pinSourceFor(u, tc.opts)
		if err != nil || src == nil {
			t.Errorf("%s: %v", tc.uri, err)
			continue
		}
		if pin, err := src.PIN(ctx, PINInfo{}); err != nil || string(pin) != tc.want {
			t.Errorf("%s: PIN %q, %v, want %q", tc.uri, pin, err, tc.want)
		}
	}
	u, _ := ParseURI("pkcs11:?pin-source=file://otherhost/pin")
	if _, err := pinSourceFor(u, Options{}); err == nil {
		t.Error("a file on another host accepted")
	}
	os.Unsetenv(EnvPIN)
	if src, _ := pinSourceFor(&URI{}, Options{}); src != nil {
		t.Error("a PIN source with none given")
	}
}

// TestNoPINSource: a token that needs a login and no way to get the PIN:
// the error says how to give one.
func TestNoPINSource(t *testing.T) {
	h := newSoftHSM(t)
	h.initToken("t1")
	ecKey(t, h, "t1", "k")
	t.Setenv(EnvPIN, "")
	_, err := Open(context.Background(), h.uri("token=t1;object=k"), Options{})
	if err == nil || !strings.Contains(err.Error(), `token "t1" needs its PIN`) || !strings.Contains(err.Error(), "--pin-file") {
		t.Fatalf("no PIN source: %v", err)
	}
}

// TestTerminalPIN: the prompt on a pseudo-terminal names the token and the
// attempts left, echo is off, and the PIN typed comes back; without a
// terminal the source says what to use instead.
func TestTerminalPIN(t *testing.T) {
	// The master side stays non-blocking (no Fd call on it), so read
	// deadlines work.
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		unix.Close(fd)
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		unix.Close(fd)
		t.Skipf("ptsname: %v", err)
	}
	ptmx := os.NewFile(uintptr(fd), "/dev/ptmx")
	defer ptmx.Close()
	pts, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR, 0)
	if err != nil {
		t.Skipf("open pts: %v", err)
	}
	defer pts.Close()

	done := make(chan struct{})
	var pin []byte
	var perr error
	go func() {
		defer close(done)
		pin, perr = TerminalPIN(pts, pts).PIN(context.Background(),
			PINInfo{Token: "g0", Retry: true, FinalTry: true, Status: pinStatus(true, true, false)})
	}()
	ptmx.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(ptmx)
	prompt, err := r.ReadString(':')
	if err != nil {
		<-done
		t.Fatalf("reading the prompt: %v (the source returned %q, %v)", err, pin, perr)
	}
	for _, want := range []string{"The PIN was not accepted", `PIN for token "g0"`, "1 attempt left"} {
		if !strings.Contains(prompt, want) {
			t.Errorf("prompt %q lacks %q", prompt, want)
		}
	}
	r.ReadString(' ')
	ptmx.Write([]byte("s3cret\r"))
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the prompt did not return")
	}
	if perr != nil || string(pin) != "s3cret" {
		t.Fatalf("PIN %q, %v", pin, perr)
	}
	ptmx.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	rest, _ := r.ReadString(0)
	if strings.Contains(rest, "s3cret") {
		t.Errorf("the PIN was echoed: %q", rest)
	}

	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := TerminalPIN(f, f).PIN(context.Background(), PINInfo{Token: "t"}); err == nil || !strings.Contains(err.Error(), "no terminal") {
		t.Errorf("not a terminal: %v", err)
	}
	if got := pinPrompt(PINInfo{Token: "t", ContextSpecific: true}); got != `PIN to confirm this signature with token "t": ` {
		t.Errorf("context-specific prompt %q", got)
	}
}

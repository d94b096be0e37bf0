//go:build linux

package pkcs11

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

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
	// The prompt is written just before echo is turned off: type only once
	// it is off, as a person reading the prompt does.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		tio, err := unix.IoctlGetTermios(int(pts.Fd()), unix.TCGETS)
		if err == nil && tio.Lflag&unix.ECHO == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("echo was never turned off")
		}
	}
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

//go:build cgo

package pkcs11

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miekg/pkcs11"
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

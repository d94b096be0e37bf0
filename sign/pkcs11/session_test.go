//go:build cgo

package pkcs11

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/miekg/pkcs11"
)

// ecKey generates an ECDSA P-256 key labelled label on token and closes it.
func ecKey(t testing.TB, h *softHSM, token, label string) {
	t.Helper()
	k, err := GenerateECDSAKey(context.Background(), h.uri("token="+token+";object="+label), elliptic.P256(), pinOpts())
	if err != nil {
		t.Fatal(err)
	}
	k.Close()
}

// TestConcurrentSigning: many goroutines sign with one key (and a second key
// on the same token) through a pool of four sessions; the PIN is asked for
// once; run with -race.
func TestConcurrentSigning(t *testing.T) {
	h := newSoftHSM(t)
	h.initToken("t1")
	ecKey(t, h, "t1", "a")
	ecKey(t, h, "t1", "b")
	pin := &countingPIN{pin: testPIN}
	opts := Options{PIN: pin, Sessions: 4}
	a := open(t, h.uri("token=t1;object=a"), opts)
	b := open(t, h.uri("token=t1;object=b"), opts)
	if a.tok != b.tok {
		t.Fatal("two keys on one token do not share it")
	}
	const workers, each = 24, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := a
			if w%3 == 0 {
				k = b
			}
			for i := range each {
				d := sha256.Sum256(fmt.Appendf(nil, "%d/%d", w, i))
				sig, err := k.Sign(nil, d[:], crypto.SHA256)
				if err == nil && !ecdsa.VerifyASN1(k.Public().(*ecdsa.PublicKey), d[:], sig) {
					err = errors.New("bad signature")
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if pin.calls != 1 {
		t.Errorf("PIN asked %d times for one token", pin.calls)
	}
	a.tok.mu.Lock()
	idle := len(a.tok.idle)
	a.tok.mu.Unlock()
	if idle < 1 || idle > 4 {
		t.Errorf("%d idle sessions, want 1..4", idle)
	}
}

// TestSessionWaitCancelled: a signature waiting for a session gives up when
// its context ends, and a closed key refuses to sign.
func TestSessionWaitCancelled(t *testing.T) {
	h := newSoftHSM(t)
	h.initToken("t1")
	ecKey(t, h, "t1", "a")
	k := open(t, h.uri("token=t1;object=a"), Options{PIN: staticPIN(testPIN), Sessions: 1})
	d := sha256.Sum256(nil)
	if _, err := k.Sign(nil, d[:], crypto.SHA256); err != nil {
		t.Fatal(err)
	}
	k.tok.sem <- struct{}{} // someone holds the only session
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := k.SignContext(ctx, d[:], crypto.SHA256)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("SignContext while the pool is busy: %v after %v", err, time.Since(start))
	}
	<-k.tok.sem
	if _, err := k.SignContext(context.Background(), d[:], crypto.SHA256); err != nil {
		t.Fatal(err)
	}
	k.Close()
	k.Close()
	if _, err := k.Sign(nil, d[:], crypto.SHA256); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed key: %v", err)
	}
}

// TestLogoutOnClose: the token stays logged in while a key on it is open,
// and closing the last one logs out (seen from a fresh session: the login
// state belongs to the application, PKCS#11 v2.40 §5.6); the module stays
// loaded while a key on another of its tokens is open, and is finalised
// after the last.
func TestLogoutOnClose(t *testing.T) {
	h := newSoftHSM(t)
	h.initToken("t1")
	h.initToken("t2")
	ecKey(t, h, "t1", "a")
	ecKey(t, h, "t2", "b")
	a1 := open(t, h.uri("token=t1;object=a"), pinOpts())
	a2 := open(t, h.uri("token=t1;object=a"), pinOpts())
	b := open(t, h.uri("token=t2;object=b"), pinOpts())
	m, slot := a1.tok.mod, a1.tok.slot
	state := func() uint {
		t.Helper()
		s, err := m.ctx.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION)
		if err != nil {
			t.Fatal(err)
		}
		defer m.ctx.CloseSession(s)
		si, err := m.ctx.GetSessionInfo(s)
		if err != nil {
			t.Fatal(err)
		}
		return si.State
	}
	if st := state(); st != pkcs11.CKS_RO_USER_FUNCTIONS {
		t.Fatalf("session state %d while keys are open, want RO user functions", st)
	}
	a1.Close()
	if st := state(); st != pkcs11.CKS_RO_USER_FUNCTIONS {
		t.Fatalf("session state %d with one key still open", st)
	}
	a2.Close()
	if st := state(); st != pkcs11.CKS_RO_PUBLIC_SESSION {
		t.Fatalf("session state %d after the last key on the token closed, want RO public (logged out)", st)
	}
	if openModules() != 1 {
		t.Fatal("module unloaded while a key on its other token is open")
	}
	b.Close()
	if n := openModules(); n != 0 {
		t.Fatalf("%d modules loaded after the last key closed", n)
	}
}

// TestAlwaysAuthenticate: a key with CKA_ALWAYS_AUTHENTICATE gets a
// context-specific login (CKU_CONTEXT_SPECIFIC) with a fresh PIN for each
// signature, and the prompt says so.
func TestAlwaysAuthenticate(t *testing.T) {
	h := newSoftHSM(t)
	h.initToken("t1")
	h.tool("t1", "--keypairgen", "--key-type", "EC:prime256v1", "--label", "aa", "--id", "aa", "--always-auth")
	pin := &countingPIN{pin: testPIN}
	k := open(t, h.uri("object=aa"), Options{PIN: pin})
	if !k.alwaysAuth {
		t.Fatal("CKA_ALWAYS_AUTHENTICATE not seen")
	}
	d := sha256.Sum256(nil)
	for i := range 2 {
		sig, err := k.Sign(nil, d[:], crypto.SHA256)
		if err != nil || !ecdsa.VerifyASN1(k.Public().(*ecdsa.PublicKey), d[:], sig) {
			t.Fatalf("signature %d: %v", i, err)
		}
	}
	if pin.calls != 3 || pin.infos[0].ContextSpecific || !pin.infos[1].ContextSpecific || !pin.infos[2].ContextSpecific {
		t.Fatalf("PIN asked %d times: %+v", pin.calls, pin.infos)
	}
}

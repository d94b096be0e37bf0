//go:build cgo

package pkcs11

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/internal/osslgost"
)

// TestGOSTToken: GOST keys generated on gosttoken on three parameter sets
// sign with host hashing (CKM_GOSTR3410 / _512) and token hashing
// (CKM_GOSTR3410_WITH_GOSTR3411_12_256 / _512); the signatures verify with
// gost3410, and a CMS signature made through the token verifies with
// OpenSSL's GOST engine.
func TestGOSTToken(t *testing.T) {
	g := newGostToken(t, 1)
	ctx := context.Background()
	msg := []byte("Документ для подписи")
	dir := t.TempDir()
	data := filepath.Join(dir, "content.txt")
	os.WriteFile(data, msg, 0o600)
	for _, ps := range []*gost3410.ParamSet{gost3410.TC26256A, gost3410.CryptoProA, gost3410.TC26512A} {
		t.Run(ps.Name(), func(t *testing.T) {
			k, err := GenerateKey(ctx, g.uri("token=g0;object="+ps.Name()), ps, pinOpts())
			if err != nil {
				t.Fatal(err)
			}
			defer k.Close()
			pub, ok := k.Public().(*gost3410.PublicKey)
			if !ok || pub.ParamSet() != ps {
				t.Fatalf("public key %T on %v, want %s", k.Public(), pub.ParamSet(), ps)
			}
			h := ps.Hash().New()
			h.Write(msg)
			digest := h.Sum(nil)
			sig, err := k.Sign(nil, digest, gost3410.SignerOpts{Hash: ps.Hash()})
			if err != nil {
				t.Fatal(err)
			}
			if !gost3410.Verify(pub, digest, sig) {
				t.Fatal("host-hashed signature does not verify")
			}
			sig, err = k.SignMessage(nil, msg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !gost3410.VerifyMessage(pub, msg, sig) {
				t.Fatal("token-hashed signature does not verify")
			}
			if _, err := k.Sign(nil, digest[:16], nil); err == nil {
				t.Error("short digest accepted")
			}

			// Certificate from a GOST CA, imported next to the key; CMS
			// through the token, checked by OpenSSL.
			ca := newGOSTCA(t, ps)
			cert := ca.issue(t, pub, "Подписант "+ps.Name())
			if err := ImportCertificate(ctx, g.uri("token=g0;object="+ps.Name()), cert, pinOpts()); err != nil {
				t.Fatal(err)
			}
			k2 := open(t, g.uri("token=g0;object="+ps.Name()), pinOpts())
			if k2.Certificate() == nil || !k2.Certificate().Equal(cert) {
				t.Fatal("the imported certificate is not paired with the key")
			}
			p7s, err := cms.Sign(bytes.NewReader(msg), cms.SignerConfig{Signer: k2, Certificate: k2.Certificate()}, cms.SignOptions{Detached: true})
			if err != nil {
				t.Fatal(err)
			}
			osslgost.Require(t)
			in := filepath.Join(dir, ps.Name()+".p7s")
			caFile := filepath.Join(dir, ps.Name()+"-ca.pem")
			os.WriteFile(in, p7s, 0o600)
			os.WriteFile(caFile, certPEM(ca.cert), 0o600)
			osslgost.Run(t, nil, "cms", "-verify", "-binary", "-inform", "DER", "-in", in, "-content", data,
				"-CAfile", caFile, "-purpose", "any", "-out", filepath.Join(dir, "out"))
			// The same with host hashing: a plain crypto.Signer hides
			// SignMessage, so pki.Sign hashes and calls Sign.
			p7s, err = cms.Sign(bytes.NewReader(msg), cms.SignerConfig{Signer: struct{ crypto.Signer }{k2}, Certificate: cert}, cms.SignOptions{Detached: true})
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(in, p7s, 0o600)
			osslgost.Run(t, nil, "cms", "-verify", "-binary", "-inform", "DER", "-in", in, "-content", data,
				"-CAfile", caFile, "-purpose", "any", "-out", filepath.Join(dir, "out"))

			// A signature that does not fit the digest is caught: always with
			// VerifyEach, and by default on a key's first signature.
			other := append([]byte(nil), digest...)
			other[0] ^= 1
			if err := k2.checkGOST(pub, other, sig); err != nil {
				t.Errorf("second and later signatures are checked without VerifyEach: %v", err)
			}
			for name, each := range map[string]bool{"first signature": false, "VerifyEach": true} {
				k2.verified.Store(each) // with VerifyEach, even after a first check
				k2.verifyEach = each
				if err := k2.checkGOST(pub, other, sig); err == nil || !strings.Contains(err.Error(), "does not verify") {
					t.Errorf("%s: check of a wrong signature: %v", name, err)
				}
			}
		})
	}
}

// TestGOSTTokenPIN: the token's PIN counter as this package reports it. Each
// wrong PIN is tried once (the source is asked once per Open); the flags
// after it are in the error; the third locks the token, and a locked token
// is refused without asking for a PIN.
func TestGOSTTokenPIN(t *testing.T) {
	g := newGostToken(t, 1)
	ctx := context.Background()
	g.keygen("k", gost3410.TC26256A)

	wrong := &countingPIN{pin: "0000"}
	want := []string{
		"a wrong PIN was entered since the last login",
		"1 attempt left — the next wrong PIN locks the token",
		"PIN locked — unlock it with the SO PIN",
	}
	for i, w := range want {
		_, err := Open(ctx, g.uri("token=g0;object=k"), Options{PIN: wrong})
		var pe *PINError
		if !errors.As(err, &pe) || !errors.Is(err, ErrPINIncorrect) || !strings.Contains(err.Error(), w) {
			t.Fatalf("wrong PIN %d: %v, want a PINError saying %q", i+1, err, w)
		}
		if wrong.calls != i+1 {
			t.Fatalf("wrong PIN %d: the PIN source was asked %d times", i+1, wrong.calls)
		}
		// The token's own counter: exactly one failed C_Login per Open.
		if n := g.userFails(0); n != i+1 {
			t.Fatalf("wrong PIN %d: the token counted %d failed logins", i+1, n)
		}
		if infos, err := ListTokens(ctx, g.module); err != nil || len(infos) != 1 ||
			i == 0 && (!infos[0].PINCountLow || infos[0].PINFinalTry || infos[0].PINLocked) ||
			i == 1 && (!infos[0].PINFinalTry || infos[0].PINLocked) {
			t.Errorf("ListTokens after wrong PIN %d: %+v, %v", i+1, infos, err)
		}
		if i == 2 && !errors.Is(err, ErrPINLocked) {
			t.Errorf("the third wrong PIN: %v, want ErrPINLocked too", err)
		}
	}
	// The prompt was told what the token said before each attempt.
	if in := wrong.infos[0]; in.Retry || in.CountLow {
		t.Errorf("first prompt info: %+v", in)
	}
	if in := wrong.infos[1]; !in.CountLow || in.FinalTry || !in.Retry || in.Token != "g0" {
		t.Errorf("second prompt info: %+v", in)
	}
	if in := wrong.infos[2]; !in.FinalTry || !strings.Contains(in.Status, "1 attempt left") {
		t.Errorf("third prompt info: %+v", in)
	}
	right := &countingPIN{pin: testPIN}
	_, err := Open(ctx, g.uri("token=g0;object=k"), Options{PIN: right})
	if !errors.Is(err, ErrPINLocked) || right.calls != 0 || !strings.Contains(err.Error(), "SO PIN") {
		t.Fatalf("locked token: %v (PIN asked %d times)", err, right.calls)
	}
	if n := g.userFails(0); n != 3 {
		t.Fatalf("a login was attempted on the locked token (counter %d)", n)
	}
	infos, err := ListTokens(ctx, g.module)
	if err != nil || len(infos) != 1 || !strings.Contains(strings.Join(infos[0].Flags, ","), "PIN: PIN locked") || !infos[0].PINLocked || !infos[0].LoginRequired {
		t.Fatalf("ListTokens on a locked token: %+v, %v", infos, err)
	}
	// The SO unlocks it (pkcs11-tool --init-pin as SO); the right PIN works.
	g.run("--token-label", "g0", "--init-pin", "--login", "--login-type", "so", "--so-pin", testSOPIN, "--pin", testPIN)
	open(t, g.uri("token=g0;object=k"), Options{PIN: right})
}

// TestGOSTTokenRemoval: pulling the token out makes signing fail with
// ErrTokenNotPresent at once, as do Open and later signatures; put back, the
// key opens again.
func TestGOSTTokenRemoval(t *testing.T) {
	g := newGostToken(t, 1)
	ctx := context.Background()
	k, err := GenerateKey(ctx, g.uri("token=g0;object=k"), gost3410.TC26256A, pinOpts())
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	digest := make([]byte, 32)
	if _, err := k.Sign(nil, digest, nil); err != nil {
		t.Fatal(err)
	}
	g.remove(0)
	for i := range 2 {
		if _, err := k.Sign(nil, digest, nil); !errors.Is(err, ErrTokenNotPresent) {
			t.Fatalf("sign %d after removal: %v, want ErrTokenNotPresent", i, err)
		}
	}
	if _, err := Open(ctx, g.uri("token=g0;object=k"), pinOpts()); !errors.Is(err, ErrTokenNotPresent) {
		t.Fatalf("Open after removal: %v", err)
	}
	g.insert(0)
	if _, err := k.Sign(nil, digest, nil); !errors.Is(err, ErrTokenNotPresent) {
		t.Fatalf("old key after reinsertion: %v, want ErrTokenNotPresent", err)
	}
	k2 := open(t, g.uri("token=g0;object=k"), pinOpts())
	if _, err := k2.Sign(nil, digest, nil); err != nil {
		t.Fatal(err)
	}
	// Out and back in while k2 is idle: the next Open sees it and starts
	// afresh (a new login), and k2 reports the removal.
	g.remove(0)
	infos, err := ListTokens(ctx, g.module) // the module notices
	if err != nil || len(infos) != 1 || infos[0].Present {
		t.Fatalf("ListTokens with the token out: %+v, %v", infos, err)
	}
	g.insert(0)
	pin := &countingPIN{pin: testPIN}
	k3 := open(t, g.uri("token=g0;object=k"), Options{PIN: pin})
	if _, err := k3.Sign(nil, digest, nil); err != nil || pin.calls != 1 {
		t.Fatalf("key opened after reinsertion: %v (PIN asked %d times)", err, pin.calls)
	}
	if _, err := k2.Sign(nil, digest, nil); !errors.Is(err, ErrTokenNotPresent) {
		t.Fatalf("key opened before reinsertion: %v", err)
	}
}

// TestGOSTTokenWrappedValue: a module that wraps the public key's
// CKA_VALUE in an OCTET STRING (as OpenSC does, FACTS §5.3) gives the same
// key.
func TestGOSTTokenWrappedValue(t *testing.T) {
	g := newGostToken(t, 1, "GOSTTOKEN_WRAP_PUBKEY", "1")
	ctx := context.Background()
	for _, ps := range []*gost3410.ParamSet{gost3410.TC26256B, gost3410.TC26512C} {
		k, err := GenerateKey(ctx, g.uri("token=g0;object="+ps.Name()), ps, pinOpts())
		if err != nil {
			t.Fatal(err)
		}
		d := make([]byte, ps.Size())
		sig, err := k.Sign(nil, d, nil)
		if err != nil || !gost3410.Verify(k.Public().(*gost3410.PublicKey), d, sig) {
			t.Fatalf("%s: %v", ps.Name(), err)
		}
		k.Close()
	}
	// The raw attribute is indeed wrapped.
	out := g.run("--token-label", "g0", "--list-objects", "--type", "pubkey")
	if !strings.Contains(out, "Public Key Object") {
		t.Fatalf("pkcs11-tool lists no public key:\n%s", out)
	}
}

// TestGOSTTokenPINPad: with a protected authentication path no PIN is asked
// for; the source's PINPad hook is told instead, and C_Login gets no PIN.
func TestGOSTTokenPINPad(t *testing.T) {
	g := newGostToken(t, 1)
	ctx := context.Background()
	g.keygen("k", gost3410.TC26256A)
	t.Setenv("GOSTTOKEN_PROTECTED_AUTH", "1")
	pad := &padSource{}
	k := open(t, g.uri("token=g0;object=k"), Options{PIN: pad})
	if pad.asked != 0 || pad.pads != 1 || pad.info.Token != "g0" {
		t.Fatalf("PIN asked %d times, pad hook called %d times (%+v)", pad.asked, pad.pads, pad.info)
	}
	if _, err := k.Sign(nil, make([]byte, 32), nil); err != nil {
		t.Fatal(err)
	}
	infos, err := ListTokens(ctx, g.module)
	if err != nil || !strings.Contains(strings.Join(infos[0].Flags, ","), "PIN pad") || !infos[0].PINPad || infos[0].PINLocked {
		t.Fatalf("ListTokens: %+v %v", infos, err)
	}
	want := "256, 512, 256 with on-token hashing, 512 with on-token hashing, 256 key generation, 512 key generation"
	if got := strings.Join(infos[0].GOST, ", "); got != want {
		t.Errorf("GOST support %q, want %q", got, want)
	}
	if ki := infos[0].Keys; len(ki) != 1 || !strings.HasPrefix(ki[0].Algorithm, "GOST R 34.10-2012 256-bit (id-tc26-gost-3410-12-256-paramSetA)") {
		t.Errorf("keys %+v", ki)
	}
}

type padSource struct {
	asked, pads int
	info        PINInfo
}

func (p *padSource) PIN(context.Context, PINInfo) ([]byte, error) {
	p.asked++
	return nil, errors.New("asked for a PIN on a PIN-pad token")
}

func (p *padSource) PINPad(info PINInfo) { p.pads++; p.info = info }

package tokend

import (
	"context"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/sign/pkcs11"
	"github.com/podpis/podpis/tokend/authtoken"
	"github.com/podpis/podpis/tokend/pinentry"
	"github.com/podpis/podpis/tokend/tokendtest"
)

// BenchmarkAuthenticate measures the speed goal: tokend adds at most
// 5 ms to a token operation against calling sign/pkcs11 directly. All three
// log in to the same GOST test token, sign one login digest and log out:
//
//   - direct: pkcs11.Open with the PIN from a function, SignContext, Close
//     (C_Logout) — the token's own cost of a login;
//   - direct-pinentry: the same with the PIN asked through the scripted
//     pinentry (one process per dialog), as a program asking a person would;
//   - tokend: one /v1/authenticate over loopback HTTP, the same dialog,
//     plus the gate, the token listing, the certificate match and JSON.
//
// tokend − direct-pinentry is what the daemon adds; direct-pinentry − direct
// is the dialog program's own cost (starting a process and speaking Assuan),
// which any program that asks the person for a PIN pays. make bench derives
// both.
func BenchmarkAuthenticate(b *testing.B) {
	s, tk, pe, _ := tokenServer(b, Config{})
	digest, _ := authtoken.Digest(authtoken.GOST256, portal, nonce)
	ctx := context.Background()
	direct := func(pin pkcs11.PINSource) func(*testing.B) {
		return func(b *testing.B) {
			for b.Loop() {
				k, err := pkcs11.Open(ctx, "pkcs11:token=g0;object=auth", pkcs11.Options{Module: tk.Module, PIN: pin, Sessions: 1})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := k.SignContext(ctx, digest, gost3410.SignerOpts{Hash: gost3410.Streebog256}); err != nil {
					b.Fatal(err)
				}
				k.Close()
			}
		}
	}
	b.Run("direct", direct(pkcs11.PINFunc(func(context.Context, pkcs11.PINInfo) ([]byte, error) {
		return []byte(tokendtest.PIN), nil
	})))
	b.Run("direct-pinentry", direct(pkcs11.PINFunc(func(ctx context.Context, _ pkcs11.PINInfo) ([]byte, error) {
		return pe.prog.GetPIN(ctx, pinentry.Dialog{Description: "PIN"})
	})))
	b.Run("tokend", func(b *testing.B) {
		req := map[string]any{"nonce": nonce}
		for b.Loop() {
			if r := call(b, s, "/v1/authenticate", portal, req); r.status != 200 {
				b.Fatalf("%d %s", r.status, r.body)
			}
		}
	})
}

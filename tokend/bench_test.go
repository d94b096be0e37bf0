package tokend

import (
	"context"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/sign/pkcs11"
	"github.com/podpis/podpis/tokend/authtoken"
	"github.com/podpis/podpis/tokend/tokendtest"
)

// The speed goal: tokend adds at most 5 ms to a token operation
// against calling sign/pkcs11 directly. BenchmarkTokenLogin is the direct
// path doing the per-login work tokend does (open the key, log in with the
// PIN, sign the digest, close it, which calls C_Logout); BenchmarkAuthenticate
// is one /v1/authenticate over loopback HTTP with the scripted pinentry (one
// process per dialog), which adds the gate, the token listing, the dialog and
// JSON. Run both in one go:
//
//	go test -run XXX -bench 'TokenLogin|Authenticate' -benchtime 1s ./tokend/
//
// Measured 2026-11-23 on a shared, busy 2-core VM: TokenLogin 4.8 ms/op,
// Authenticate 31 ms/op. The 26 ms are mostly the pinentry process (about
// 18 ms to start the scripted Go pinentry and talk Assuan) and the token
// listing before the operation (about 3.7 ms, because sign/pkcs11 runs
// C_Initialize/C_Finalize for each listing when no key is open). The
// issue's ≤ 5 ms is not met yet; see the session report.

func BenchmarkTokenLogin(b *testing.B) {
	tk := tokendtest.New(b, 1)
	tk.Key(0, "auth", gost3410.TC26256A)
	pin := pkcs11.PINFunc(func(context.Context, pkcs11.PINInfo) ([]byte, error) { return []byte(tokendtest.PIN), nil })
	digest, _ := authtoken.Digest(authtoken.GOST256, portal, nonce)
	ctx := context.Background()
	b.ResetTimer()
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

func BenchmarkAuthenticate(b *testing.B) {
	s, _, _, _ := tokenServer(b, Config{})
	req := map[string]any{"nonce": nonce}
	b.ResetTimer()
	for b.Loop() {
		if r := call(b, s, "/v1/authenticate", portal, req); r.status != 200 {
			b.Fatalf("%d %s", r.status, r.body)
		}
	}
}

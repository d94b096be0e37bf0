//go:build cgo

package pkcs11

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
)

// TestKeepLoaded: a held module stays loaded across listings and key opens,
// sees a token pulled out and put back, and is unloaded by release (once,
// however often release is called).
func TestKeepLoaded(t *testing.T) {
	g := newGostToken(t, 2)
	g.keygen("k", gost3410.TC26256A)
	ctx := context.Background()

	release, err := KeepLoaded(g.module)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if n := openModules(); n != 1 {
		t.Fatalf("%d modules loaded after KeepLoaded, want 1", n)
	}
	present := func() int {
		t.Helper()
		infos, err := ListTokens(ctx, g.module)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ti := range infos {
			if ti.Label != "" {
				n++
			}
		}
		return n
	}
	if n := present(); n != 2 {
		t.Fatalf("%d tokens listed, want 2", n)
	}
	g.remove(1)
	if n := present(); n != 1 {
		t.Errorf("token g1 pulled out: %d tokens listed, want 1", n)
	}
	g.insert(1)
	if n := present(); n != 2 {
		t.Errorf("token g1 put back: %d tokens listed, want 2", n)
	}
	k, err := Open(ctx, g.uri("token=g0;object=k"), pinOpts())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Sign(nil, make([]byte, 32), gost3410.SignerOpts{Hash: gost3410.Streebog256}); err != nil {
		t.Fatal(err)
	}
	k.Close()
	if n := openModules(); n != 1 {
		t.Fatalf("%d modules loaded after a listing and a closed key, want 1 (held)", n)
	}
	release()
	release()
	if n := openModules(); n != 0 {
		t.Fatalf("%d modules loaded after release, want 0", n)
	}

	if _, err := KeepLoaded(filepath.Join(t.TempDir(), "nope.so")); !errors.Is(err, ErrModuleNotFound) {
		t.Errorf("KeepLoaded(missing file) = %v, want ErrModuleNotFound", err)
	}
}

// BenchmarkListTokens: a listing of one gosttoken with a key, with the
// module loaded for each listing (cold) and held by KeepLoaded (held).
func BenchmarkListTokens(b *testing.B) {
	g := newGostToken(b, 1)
	g.keygen("k", gost3410.TC26256A)
	ctx := context.Background()
	list := func(b *testing.B) {
		for b.Loop() {
			if _, err := ListTokens(ctx, g.module); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("cold", list)
	b.Run("held", func(b *testing.B) {
		release, err := KeepLoaded(g.module)
		if err != nil {
			b.Fatal(err)
		}
		defer release()
		list(b)
	})
}

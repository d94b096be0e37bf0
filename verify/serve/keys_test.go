package serve

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/podpis/podpis/internal/pgtest"
	"github.com/podpis/podpis/mchd/registry"
)

// The key store works the same on SQLite and PostgreSQL, beside the МЧД
// registry's tables in the same database.
func TestKeyStore(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "sub", "mchd.db")
		testKeyStore(t, path)
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("database mode %v", fi.Mode().Perm())
		}
	})
	t.Run("postgres", func(t *testing.T) {
		testKeyStore(t, pgtest.Require(t).NewDatabase(t))
	})
}

func testKeyStore(t *testing.T, dsn string) {
	ctx := context.Background()
	// The registry made the database; the keys join it and leave it
	// usable by the registry.
	reg, err := registry.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	reg.Close()
	ks, err := OpenKeyStore(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Close()

	key, info, err := ks.Add(ctx, "ЭДО-оператор")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, KeyPrefix+info.ID+"_") || len(key) != len(KeyPrefix)+16+1+43 {
		t.Fatalf("key shape %q", key)
	}
	key2, info2, err := ks.Add(ctx, "bank")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ks.Add(ctx, "bank"); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("duplicate name: %v", err)
	}
	for _, bad := range []string{"", "  ", "a\nb", strings.Repeat("x", 201)} {
		if _, _, err := ks.Add(ctx, bad); err == nil {
			t.Fatalf("name %q accepted", bad)
		}
	}

	got, err := ks.Check(ctx, key)
	if err != nil || got.ID != info.ID || got.Name != "ЭДО-оператор" {
		t.Fatalf("check: %+v %v", got, err)
	}
	// The database holds the hash, not the key.
	var stored string
	if err := ks.db.QueryRowContext(ctx, `SELECT hash FROM serve_api_keys WHERE id = $1`, info.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	secret := key[strings.LastIndexByte(key, '_')+1:]
	if strings.Contains(stored, secret) || len(stored) != 64 {
		t.Fatalf("stored %q", stored)
	}

	// Wrong secrets, other ids, malformed keys: all ErrKeyNotFound.
	swap := key2[:len(KeyPrefix)+17] + key[len(KeyPrefix)+17:] // key2's id, key's secret
	// The first character of the secret changed: well-formed, wrong.
	i := strings.LastIndexByte(key, '_') + 1
	c := byte('A')
	if key[i] == 'A' {
		c = 'B'
	}
	flip := key[:i] + string(c) + key[i+1:]
	for name, k := range map[string]string{
		"swapped": swap, "flipped": flip, "empty": "", "no prefix": strings.TrimPrefix(key, KeyPrefix),
		"short": key[:len(key)-1], "long": key + "A", "padded": key[:len(key)-1] + "=", "bad id": KeyPrefix + "zzzzzzzzzzzzzzzz_" + secret,
	} {
		if _, err := ks.Check(ctx, k); !errors.Is(err, ErrKeyNotFound) {
			t.Errorf("%s: %v", name, err)
		}
	}

	list, err := ks.List(ctx)
	if err != nil || len(list) != 2 || list[0].ID != info.ID || list[1].ID != info2.ID || list[0].Revoked != nil {
		t.Fatalf("list %+v %v", list, err)
	}
	if _, err := ks.Revoke(ctx, "bank"); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Revoke(ctx, "bank"); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("second revoke: %v", err)
	}
	if _, err := ks.Revoke(ctx, "nobody"); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("unknown: %v", err)
	}
	if _, err := ks.Check(ctx, key2); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("revoked key: %v", err)
	}
	if _, err := ks.Revoke(ctx, info.ID); err != nil {
		t.Fatal(err)
	}
	list, _ = ks.List(ctx)
	if list[0].Revoked == nil || list[1].Revoked == nil {
		t.Fatalf("list after revoke %+v", list)
	}

	// Concurrent checks and adds (the server checks from many goroutines).
	k3, _, err := ks.Add(ctx, "third")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 20 {
		wg.Add(2)
		go func() { defer wg.Done(); _, err := ks.Check(ctx, k3); errs <- err }()
		go func() { defer wg.Done(); _, _, err := ks.Add(ctx, "c"+string(rune('a'+i))); errs <- err }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	// The registry still opens and works with the key table in its
	// database.
	reg, err = registry.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if _, err := reg.Log(ctx, registry.OpCheck, "", registry.ResultOK, ""); err != nil {
		t.Fatal(err)
	}
}

// Keys over HTTP: a revoked key gets 401 at once.
func TestRevokedKeyServer(t *testing.T) {
	e := newEnv(t, nil)
	body, ctype := multipartBody(t, "", file{"doc.sig", e.in.sig}, file{docName, document})
	resp := e.post(t, body, ctype)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatal(resp.Status)
	}
	if _, err := e.keys.Revoke(context.Background(), "test client"); err != nil {
		t.Fatal(err)
	}
	wantError(t, e.post(t, body, ctype), http.StatusUnauthorized, codeUnauthorized)
	wantError(t, e.post(t, body, ctype, "X-API-Key", ""), http.StatusUnauthorized, codeUnauthorized)
}

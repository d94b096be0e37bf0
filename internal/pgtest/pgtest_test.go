package pgtest

import (
	"context"
	"database/sql"
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// TestServer: two databases on the throw-away server, each empty and
// writable, and the server runs as a user other than root.
func TestServer(t *testing.T) {
	s := Require(t)
	ctx := context.Background()
	for range 2 {
		db, err := sql.Open("pgx", s.NewDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("new database: %d tables, %v", n, err)
		}
		if _, err := db.ExecContext(ctx, `CREATE TABLE t (x int)`); err != nil {
			t.Fatal(err)
		}
	}
	if os.Geteuid() == 0 && s.user != "postgres" {
		t.Errorf("as root the server must run as postgres, runs as %q", s.user)
	}
}

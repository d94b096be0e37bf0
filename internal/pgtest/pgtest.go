// Package pgtest starts a throw-away PostgreSQL server for tests: Debian's
// postgresql package (initdb and pg_ctl), a new cluster in a temporary
// directory, listening only on a Unix socket in that directory, trust
// authentication, stopped at the end. PostgreSQL refuses to run as root, so
// as root the server runs as the "postgres" user the Debian package creates
// (runuser -u postgres), as shared/spec/infra/RECIPES.md describes.
//
// A missing PostgreSQL makes Require fail the test when the environment
// variable CI is set and skip it (with the reason) otherwise.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// Server is a running throw-away cluster.
type Server struct {
	dir  string // holds data/, the socket and the log
	port int
	bin  string // directory of initdb and pg_ctl
	user string // OS user running the server, "" for the current one
	n    atomic.Int64
}

var (
	once    sync.Once
	shared  *Server
	initErr error
)

// Require returns the process-wide test server, starting it on first use.
// Call Stop from TestMain after m.Run.
func Require(t testing.TB) *Server {
	t.Helper()
	once.Do(func() { shared, initErr = Start() })
	if initErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL is required in CI: %v", initErr)
		}
		t.Skipf("PostgreSQL not available (install Debian's postgresql): %v", initErr)
	}
	return shared
}

// Stop stops the process-wide server if Require started one.
func Stop() {
	if shared != nil {
		shared.Stop()
	}
}

// binDir finds initdb and pg_ctl: the newest /usr/lib/postgresql/N/bin
// (Debian keeps them off PATH), else PATH.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d, nil
		}
	}
	p, err := exec.LookPath("pg_ctl")
	if err != nil {
		return "", errors.New("pg_ctl not found under /usr/lib/postgresql/*/bin nor on PATH")
	}
	return filepath.Dir(p), nil
}

// Start initialises and starts a new cluster.
func Start() (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	// The socket lives in dir, so ports cannot collide on the file system;
	// one per process still keeps two test binaries' shared-memory keys
	// (derived from the port) apart.
	s := &Server{dir: dir, port: 40000 + os.Getpid()%20000, bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root and there is no postgres user to run the server: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		s.user = "postgres"
	}
	if out, err := s.run("initdb", "-D", filepath.Join(dir, "data"), "-A", "trust", "-U", "podpis", "-E", "UTF8", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	opts := fmt.Sprintf("-k %s -p %d -c listen_addresses='' -c fsync=on", dir, s.port)
	if out, err := s.run("pg_ctl", "-D", filepath.Join(dir, "data"), "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start: %v: %s\n%s", err, out, log)
	}
	return s, nil
}

func (s *Server) run(tool string, args ...string) ([]byte, error) {
	path := filepath.Join(s.bin, tool)
	var cmd *exec.Cmd
	if s.user != "" {
		cmd = exec.Command("runuser", append([]string{"-u", s.user, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = s.dir
	return cmd.CombinedOutput()
}

// Stop stops the server and removes its directory.
func (s *Server) Stop() {
	s.run("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "-w", "stop")
	os.RemoveAll(s.dir)
}

// URL is the connection URL of database db.
func (s *Server) URL(db string) string {
	return fmt.Sprintf("postgres://podpis@/%s?host=%s&port=%d&sslmode=disable", db, s.dir, s.port)
}

// NewDatabase creates an empty database and returns its URL.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), s.n.Add(1))
	admin, err := sql.Open("pgx", s.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	return s.URL(strings.ToLower(name))
}

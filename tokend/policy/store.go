package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/podpis/podpis/internal/atomicfile"
)

// How an origin came to be allowed by the person.
const (
	HowDialog = "dialog" // the first-use dialog of the daemon
	HowCLI    = "cli"    // tokend allow
)

// maxStoreSize bounds the person's file; it is only ever written here and
// one entry takes about 100 bytes.
const maxStoreSize = 4 << 20

// Entry is one origin the person allowed.
type Entry struct {
	Origin    string    `json:"origin"`
	AllowedAt time.Time `json:"allowedAt"`
	How       string    `json:"how"`
}

// storeFile is the JSON form of the person's file.
type storeFile struct {
	Origins []Entry `json:"origins"`
}

var (
	// ErrNotAllowed: revoking an origin the person never allowed.
	ErrNotAllowed = errors.New("policy: the origin is not in your list of allowed origins")
	// ErrAdminDenied: allowing an origin the admin policy file denies.
	ErrAdminDenied = errors.New("policy: the origin is denied by the admin policy file")
)

// DefaultStorePath returns $XDG_CONFIG_HOME/podpis/tokend/origins.json, or
// ~/.config/podpis/tokend/origins.json when XDG_CONFIG_HOME is unset or not
// absolute (XDG Base Directory Specification 0.8: "If $XDG_CONFIG_HOME is
// either not set or empty, a default equal to $HOME/.config should be
// used"; relative paths "should be ignored").
func DefaultStorePath() (string, error) {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("policy: where to keep your allowed origins: %w", err)
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "podpis", "tokend", "origins.json"), nil
}

// ParseStore parses the person's file. Every entry must carry an origin in
// the form CheckOrigin accepts, a time and how; an origin may appear once.
func ParseStore(data []byte) ([]Entry, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var sf storeFile
	if err := dec.Decode(&sf); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("data after the JSON object")
	}
	seen := map[string]bool{}
	for i, e := range sf.Origins {
		if err := CheckOrigin(e.Origin); err != nil {
			return nil, fmt.Errorf("entry %d: %v", i+1, err)
		}
		if seen[e.Origin] {
			return nil, fmt.Errorf("entry %d: %s is listed twice", i+1, e.Origin)
		}
		seen[e.Origin] = true
		if e.AllowedAt.IsZero() {
			return nil, fmt.Errorf("entry %d: no allowedAt", i+1)
		}
		if e.How != HowDialog && e.How != HowCLI {
			return nil, fmt.Errorf("entry %d: how %q (want %s or %s)", i+1, e.How, HowDialog, HowCLI)
		}
	}
	return sf.Origins, nil
}

// Store is the person's file of allowed origins. It is safe for concurrent
// use, and it rereads the file when it changed on disk since the last read
// (another process — tokend allow — wrote it).
type Store struct {
	path string

	mu      sync.Mutex
	fi      fs.FileInfo // of the last read; nil when the file was missing
	loaded  bool
	entries []Entry
	err     error // of the last read
}

// OpenStore returns the store at path (DefaultStorePath when ""). The file
// need not exist; it is read on first use.
func OpenStore(path string) (*Store, error) {
	if path == "" {
		p, err := DefaultStorePath()
		if err != nil {
			return nil, err
		}
		path = p
	}
	return &Store{path: path}, nil
}

// Path returns the file's path.
func (s *Store) Path() string { return s.path }

// refresh rereads the file if it changed; s.mu is held.
func (s *Store) refresh() {
	fi, err := os.Stat(s.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		s.fi, s.loaded, s.entries, s.err = nil, true, nil, nil
		return
	case err != nil:
		s.fi, s.loaded, s.entries, s.err = nil, true, nil, fmt.Errorf("policy: your allowed origins: %w", err)
		return
	}
	if s.loaded && s.fi != nil && os.SameFile(s.fi, fi) && s.fi.ModTime().Equal(fi.ModTime()) && s.fi.Size() == fi.Size() {
		return
	}
	s.fi, s.loaded = fi, true
	s.entries, s.err = s.read()
}

// read reads and checks the file.
func (s *Store) read() ([]Entry, error) {
	f, err := os.Open(s.path)
	if err != nil {
		return nil, fmt.Errorf("policy: your allowed origins: %w", err)
	}
	defer f.Close()
	if err := checkOwner(f, s.path); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxStoreSize+1))
	if err != nil {
		return nil, fmt.Errorf("policy: your allowed origins: %w", err)
	}
	if len(data) > maxStoreSize {
		return nil, fmt.Errorf("policy: %s is larger than %d bytes", s.path, maxStoreSize)
	}
	entries, err := ParseStore(data)
	if err != nil {
		return nil, fmt.Errorf("policy: %s: %v (fix or remove the file; `tokend origins` lists what it should hold)", s.path, err)
	}
	return entries, nil
}

// List returns the origins the person allowed, oldest first.
func (s *Store) List() ([]Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh()
	return slices.Clone(s.entries), s.err
}

// Allowed reports whether the person allowed origin.
func (s *Store) Allowed(origin string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh()
	if s.err != nil {
		return false, s.err
	}
	return slices.ContainsFunc(s.entries, func(e Entry) bool { return e.Origin == origin }), nil
}

// Add records that the person allowed origin, how (HowDialog or HowCLI), at
// now. Adding an origin already there keeps the first entry and is not an
// error.
func (s *Store) Add(origin, how string, now time.Time) error {
	if err := CheckOrigin(origin); err != nil {
		return err
	}
	if how != HowDialog && how != HowCLI {
		return fmt.Errorf("policy: how %q (want %s or %s)", how, HowDialog, HowCLI)
	}
	return s.update(func(es []Entry) ([]Entry, error) {
		if slices.ContainsFunc(es, func(e Entry) bool { return e.Origin == origin }) {
			return es, nil
		}
		return append(es, Entry{Origin: origin, AllowedAt: now.UTC().Truncate(time.Second), How: how}), nil
	})
}

// Remove deletes origin from the person's list; ErrNotAllowed when it is
// not there.
func (s *Store) Remove(origin string) error {
	return s.update(func(es []Entry) ([]Entry, error) {
		i := slices.IndexFunc(es, func(e Entry) bool { return e.Origin == origin })
		if i < 0 {
			return nil, ErrNotAllowed
		}
		return slices.Delete(es, i, i+1), nil
	})
}

// update changes the file under the lock: read the current contents (a
// file that cannot be read or parsed is left alone and is an error), apply
// f, write atomically with mode 0600.
func (s *Store) update(f func([]Entry) ([]Entry, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("policy: your allowed origins: %w", err)
	}
	unlock, err := lockFile(s.path + ".lock")
	if err != nil {
		return fmt.Errorf("policy: lock %s.lock: %w", s.path, err)
	}
	defer unlock()
	s.loaded = false // whatever we saw before, read it again under the lock
	s.refresh()
	if s.err != nil {
		return s.err
	}
	entries, err := f(slices.Clone(s.entries))
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []Entry{}
	}
	data, err := json.MarshalIndent(storeFile{Origins: entries}, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(s.path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("policy: write %s: %w", s.path, err)
	}
	s.loaded = false
	s.refresh()
	return s.err
}

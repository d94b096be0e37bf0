//go:build unix

package policy

import (
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// lockFile takes an exclusive advisory lock (flock(2)) on path, creating
// it, and returns the function that releases it. The daemon and `tokend
// allow` both change the person's file; the lock keeps one from losing the
// other's change.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { unix.Flock(int(f.Fd()), unix.LOCK_UN); f.Close() }, nil
}

// checkOwner refuses a file that someone else could have written: owned by
// another user, or writable by the group or others. Such a file could add
// origins behind the person's back.
func checkOwner(f *os.File, path string) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("policy: %s is writable by other users (mode %v); run chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		return fmt.Errorf("policy: %s belongs to another user (uid %d); it must be your own file", path, st.Uid)
	}
	return nil
}

//go:build unix

package bulk

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A file without a size (a named pipe a manifest may name) is read as it
// comes, growing the buffer, and still bounded.
func TestReadBoundedPipe(t *testing.T) {
	data := bytes.Repeat([]byte("подпись "), 1000) // 15,000 bytes
	for _, c := range []struct {
		limit int64
		ok    bool
	}{{int64(len(data)), true}, {int64(len(data)) - 1, false}, {100, false}} {
		p := filepath.Join(t.TempDir(), "fifo")
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skipf("no named pipes here: %v", err)
		}
		done := make(chan error, 1)
		go func() {
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err == nil {
				f.Write(data) // the reader may stop early: EPIPE
				err = f.Close()
			}
			done <- err
		}()
		got, err := readBounded(p, c.limit)
		if c.ok && (err != nil || !bytes.Equal(got, data)) {
			t.Errorf("limit %d: %d bytes, %v", c.limit, len(got), err)
		}
		if !c.ok && (err == nil || got != nil) {
			t.Errorf("limit %d: %d bytes, no error", c.limit, len(got))
		}
		if err := <-done; err != nil && c.ok {
			t.Errorf("writer: %v", err)
		}
	}
}

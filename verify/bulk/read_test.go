package bulk

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// readBounded reads whole files of any size up to the limit, and refuses
// larger ones, missing ones and folders with a message naming the path.
func TestReadBounded(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{0, 1, 511, 512, 513, 4096, 100_000} {
		data := bytes.Repeat([]byte{'x', 0xd1, 0x8f}, n/3+1)[:n]
		p := filepath.Join(dir, "f")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readBounded(p, int64(n))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%d bytes, limit %d: %d bytes, %v", n, n, len(got), err)
		}
		if cap(got) > n+1 {
			t.Errorf("%d bytes read into a buffer of %d", n, cap(got))
		}
		if n > 0 {
			_, err := readBounded(p, int64(n-1))
			if err == nil || err.Error() != p+": larger than "+strconv.Itoa(n-1)+" bytes" {
				t.Errorf("%d bytes, limit %d: %v", n, n-1, err)
			}
		}
	}
	missing := filepath.Join(dir, "нет такого")
	if _, err := readBounded(missing, 10); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := readBounded(dir, 10); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("a folder: %v", err)
	}
}

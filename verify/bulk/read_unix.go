//go:build unix

package bulk

import (
	"io/fs"
	"syscall"
)

// readBounded reads the file at path, at most limit bytes (more is an
// error); it opens, sizes (fstat), reads until the end and closes, with
// plain system calls.
func readBounded(path string, limit int64) ([]byte, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	size := int64(-1)
	var st syscall.Stat_t
	if syscall.Fstat(fd, &st) == nil && st.Mode&syscall.S_IFMT == syscall.S_IFREG {
		size = st.Size
	}
	if size > limit {
		return nil, tooLarge(path, limit)
	}
	data := make([]byte, 0, startCap(size, limit))
	for {
		if len(data) == cap(data) {
			if int64(len(data)) > limit {
				return nil, tooLarge(path, limit)
			}
			data = grow(data, limit) // the file was larger than its size said, or has none
		}
		n, err := syscall.Read(fd, data[len(data):cap(data)])
		if err == syscall.EINTR || err == syscall.EAGAIN {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			break
		}
		data = data[:len(data)+n]
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(path, limit)
	}
	return data, nil
}

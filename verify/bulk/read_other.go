//go:build !unix

package bulk

import (
	"io"
	"os"
)

// readBounded reads the file at path, at most limit bytes (more is an
// error), into one buffer of the file's size when it has one.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
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
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(path, limit)
	}
	return data, nil
}

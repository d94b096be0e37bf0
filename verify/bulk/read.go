package bulk

import "fmt"

// A batch of small files spends a good part of its time opening and reading
// them. os.Open makes a descriptor non-blocking and tries to register it
// with the network poller, which a regular file does not need (on Linux four
// fcntl calls and an epoll_ctl that fails, per file), and io.ReadAll reads
// a signature of a few kilobytes in several calls, growing its buffer each
// time. readBounded (read_unix.go) opens, sizes the file (fstat), reads it
// into one buffer of its size (two reads: the data and the end) and closes.

// tooLarge is the error of a file over the limit.
func tooLarge(path string, limit int64) error {
	return fmt.Errorf("%s: larger than %d bytes", path, limit)
}

// initialCap is the buffer readBounded starts with when the size is not
// known (a pipe or a device named in a manifest): grown as it fills.
const initialCap = 512

// startCap is the capacity to read a file of the given size (-1 unknown)
// into: its size and one byte, to see the end, within limit+1.
func startCap(size, limit int64) int {
	if size < 0 {
		return int(min(initialCap, limit+1))
	}
	return int(min(size, limit) + 1)
}

// grow doubles the capacity of full data, to at most limit+1.
func grow(data []byte, limit int64) []byte {
	n := int(min(max(2*int64(cap(data)), initialCap), limit+1))
	out := make([]byte, len(data), n)
	copy(out, data)
	return out
}

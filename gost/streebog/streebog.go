package streebog

//go:generate go run gen.go

import (
	"encoding"
	"encoding/binary"
	"errors"
	"hash"
	"math/bits"
)

const (
	// Size256 is the size, in bytes, of a Streebog-256 checksum.
	Size256 = 32
	// Size512 is the size, in bytes, of a Streebog-512 checksum.
	Size512 = 64
	// BlockSize is the block size of Streebog, in bytes.
	BlockSize = 64
)

// digest is the state of a Streebog computation (RFC 6986, Section 9): the
// chaining value h, the bit counter N, the checksum Σ and the unprocessed
// tail of the message. The three 512-bit vectors are eight little-endian
// words each; word i is wire-order bytes 8i…8i+7.
type digest struct {
	h     [8]uint64
	n     [8]uint64
	sigma [8]uint64
	x     [BlockSize]byte
	nx    int
	size  int // Size256 or Size512
}

var (
	_ hash.Cloner                = (*digest)(nil)
	_ encoding.BinaryMarshaler   = (*digest)(nil)
	_ encoding.BinaryAppender    = (*digest)(nil)
	_ encoding.BinaryUnmarshaler = (*digest)(nil)
)

// iv256 is the initial chaining value of Streebog-256: 64 bytes 0x01
// (RFC 6986, Section 6.1). Streebog-512 starts from all zeroes.
const iv256 = 0x0101010101010101

// New256 returns a new hash.Hash computing the Streebog-256 checksum. The
// returned value also implements encoding.BinaryMarshaler,
// encoding.BinaryAppender, encoding.BinaryUnmarshaler and hash.Cloner.
func New256() hash.Hash { return newDigest(Size256) }

// New512 returns a new hash.Hash computing the Streebog-512 checksum. The
// returned value also implements encoding.BinaryMarshaler,
// encoding.BinaryAppender, encoding.BinaryUnmarshaler and hash.Cloner.
func New512() hash.Hash { return newDigest(Size512) }

func newDigest(size int) *digest {
	d := &digest{size: size}
	d.Reset()
	return d
}

// Sum256 returns the Streebog-256 checksum of data, in wire order.
func Sum256(data []byte) (sum [Size256]byte) {
	oneShot(sum[:], data)
	return sum
}

// Sum512 returns the Streebog-512 checksum of data, in wire order.
func Sum512(data []byte) (sum [Size512]byte) {
	oneShot(sum[:], data)
	return sum
}

// oneShot writes the checksum of data into out, whose length selects the
// variant. Everything stays on the caller's stack.
func oneShot(out, data []byte) {
	d := digest{size: len(out)}
	d.Reset()
	d.Write(data)
	d.checkSum(out)
}

func (d *digest) Reset() {
	var iv uint64
	if d.size == Size256 {
		iv = iv256
	}
	for i := range d.h {
		d.h[i] = iv
	}
	d.n = [8]uint64{}
	d.sigma = [8]uint64{}
	d.nx = 0
}

func (d *digest) Size() int { return d.size }

func (d *digest) BlockSize() int { return BlockSize }

// Write absorbs p. It never returns an error.
func (d *digest) Write(p []byte) (nn int, err error) {
	nn = len(p)
	if d.nx > 0 {
		n := copy(d.x[d.nx:], p)
		d.nx += n
		if d.nx < BlockSize {
			return nn, nil
		}
		blocks(&d.h, &d.n, &d.sigma, d.x[:], 8*BlockSize)
		d.nx = 0
		p = p[n:]
	}
	if len(p) >= BlockSize {
		n := len(p) &^ (BlockSize - 1)
		blocks(&d.h, &d.n, &d.sigma, p[:n], 8*BlockSize)
		p = p[n:]
	}
	if len(p) > 0 {
		d.nx = copy(d.x[:], p)
	}
	return nn, nil
}

// Sum appends the checksum of the data written so far to b, in wire order,
// and leaves the state unchanged.
func (d *digest) Sum(b []byte) []byte {
	// checkSum works on copies of the state, so the caller can keep writing.
	var out [Size512]byte
	d.checkSum(out[:d.size])
	return append(b, out[:d.size]...)
}

// checkSum runs stage 3 of RFC 6986, Section 9.3, on d and writes the digest
// into out, which is d.size bytes long.
func (d *digest) checkSum(out []byte) {
	// Pad the tail to a full block: the message bytes, one 0x01, zeroes
	// (in the RFC's reversed notation, 0^(511-|M|) ‖ 1 ‖ M).
	var block [BlockSize]byte
	copy(block[:], d.x[:d.nx])
	block[d.nx] = 0x01

	// Steps 2 to 6: h = g_N(h, m); N += |M|; Σ += m; h = g_0(h, N);
	// h = g_0(h, Σ). blocks does the first three at once; the last two
	// hash N and Σ as blocks, counting in a zero N that stays zero, and
	// summing into a Σ that is thrown away.
	h, n, sigma := d.h, d.n, d.sigma
	blocks(&h, &n, &sigma, block[:], uint64(d.nx)*8)
	var zero, scratch [8]uint64
	putWords(&block, &n)
	blocks(&h, &zero, &scratch, block[:], 0)
	putWords(&block, &sigma)
	blocks(&h, &zero, &scratch, block[:], 0)

	// Streebog-256 is the high half of the final state, wire bytes 32…63
	// (RFC 6986, Section 9.3, step 3: MSB_256).
	first := 0
	if d.size == Size256 {
		first = 4
	}
	for i := first; i < 8; i++ {
		binary.LittleEndian.PutUint64(out[8*(i-first):], h[i])
	}
}

// add512 sets x = x + y mod 2^512, on little-endian 64-bit limbs. It serves
// both N (the bit counter) and Σ (the checksum) of RFC 6986, Section 9.
func add512(x, y *[8]uint64) {
	var c uint64
	x[0], c = bits.Add64(x[0], y[0], 0)
	x[1], c = bits.Add64(x[1], y[1], c)
	x[2], c = bits.Add64(x[2], y[2], c)
	x[3], c = bits.Add64(x[3], y[3], c)
	x[4], c = bits.Add64(x[4], y[4], c)
	x[5], c = bits.Add64(x[5], y[5], c)
	x[6], c = bits.Add64(x[6], y[6], c)
	x[7], _ = bits.Add64(x[7], y[7], c)
}

// incN adds k to the 512-bit counter n, mod 2^512. It is add512 with a
// one-limb addend, written out so that the common no-carry case is cheap.
func incN(n *[8]uint64, k uint64) {
	var c uint64
	n[0], c = bits.Add64(n[0], k, 0)
	for i := 1; i < 8 && c != 0; i++ {
		n[i], c = bits.Add64(n[i], 0, c)
	}
}

// Clone returns an independent copy of the hashing state.
func (d *digest) Clone() (hash.Cloner, error) {
	r := *d
	return &r, nil
}

// The marshalled state is the magic string of the output size, then h, N and
// Σ as 64 wire-order bytes each, the 64-byte block buffer (zero past the fill
// length) and the fill length as one byte.
const (
	magic256      = "streebog256\x01"
	magic512      = "streebog512\x01"
	marshaledSize = len(magic256) + 4*64 + 1
)

func (d *digest) magic() string {
	if d.size == Size256 {
		return magic256
	}
	return magic512
}

func (d *digest) MarshalBinary() ([]byte, error) {
	return d.AppendBinary(make([]byte, 0, marshaledSize))
}

func (d *digest) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, d.magic()...)
	b = appendWords(b, &d.h)
	b = appendWords(b, &d.n)
	b = appendWords(b, &d.sigma)
	b = append(b, d.x[:d.nx]...)
	b = append(b, make([]byte, len(d.x)-d.nx)...)
	b = append(b, byte(d.nx))
	return b, nil
}

func (d *digest) UnmarshalBinary(b []byte) error {
	magic := d.magic()
	if len(b) < len(magic) || string(b[:len(magic)]) != magic {
		return errors.New("streebog: invalid hash state identifier")
	}
	if len(b) != marshaledSize {
		return errors.New("streebog: invalid hash state size")
	}
	if nx := int(b[len(b)-1]); nx >= BlockSize {
		return errors.New("streebog: invalid hash state buffer length")
	}
	b = b[len(magic):]
	b = consumeWords(b, &d.h)
	b = consumeWords(b, &d.n)
	b = consumeWords(b, &d.sigma)
	b = b[copy(d.x[:], b):]
	d.nx = int(b[0])
	return nil
}

// putWords stores w into b as 64 wire-order bytes.
func putWords(b *[BlockSize]byte, w *[8]uint64) {
	for i, v := range w {
		binary.LittleEndian.PutUint64(b[8*i:], v)
	}
}

func appendWords(b []byte, w *[8]uint64) []byte {
	for _, v := range w {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

func consumeWords(b []byte, w *[8]uint64) []byte {
	for i := range w {
		w[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return b[64:]
}

// Package ber converts BER-encoded ASN.1 to DER, so that the DER-only
// golang.org/x/crypto/cryptobyte reader can parse what real signing tools
// write (shared STYLE.md §1e).
//
// CMS files from `openssl cms -stream`, CryptoPro, КриптоАРМ and PDF signers
// are often BER (ITU-T X.690 §8): constructed values with indefinite lengths
// ended by end-of-contents octets, OCTET STRINGs and BIT STRINGs split into
// constructed segments, lengths in more octets than needed. Normalize rewrites
// exactly those encodings into their DER form (X.690 §10.1, §10.2):
//
//   - indefinite lengths become definite lengths;
//   - long-form lengths are written in the fewest octets, short form below 128;
//   - constructed OCTET STRING, BIT STRING and universal character strings
//     are flattened into one primitive value (X.690 §8.7.3, §8.6.4, §8.23.6);
//   - a BOOLEAN TRUE other than 0xFF becomes 0xFF (X.690 §11.1).
//
// Everything else is copied byte for byte: primitive contents, the identifier
// octets and, when an element is already DER, the whole element. In
// particular a DER SET OF is never re-sorted and a value that is already DER
// comes out identical, so a signature over DER bytes inside a BER container
// (CMS signed attributes, certificates) still covers the bytes that are read.
// Input that is DER already is returned as is, without copying.
//
// What is not done: implicitly tagged strings ([n] IMPLICIT OCTET STRING in
// constructed form) cannot be recognised without the schema and stay
// constructed; high tag numbers (≥ 31) and non-minimal INTEGERs are rejected
// or left to the DER reader, as cryptobyte rejects them too.
//
// # Limits
//
// Normalize never panics and reads no length it has not checked against the
// input. It allocates one output buffer and one table of one int per
// constructed value. The output is hardly ever longer than the input: an
// indefinite length costs 4 bytes (header and end-of-contents), its DER form
// 4 for values shorter than 64 KiB and 5 or 6 above.
// Nesting deeper than MaxDepth, lengths beyond the input and malformed
// identifiers are errors that say where in the input they were found.
package ber

import (
	"errors"
	"fmt"
)

// MaxDepth is the deepest nesting of constructed values Normalize accepts. A
// CAdES-A signature with timestamps inside timestamps stays below 40.
const MaxDepth = 64

// ErrTrailingData is returned (wrapped) by Normalize when bytes follow the
// first element.
var ErrTrailingData = errors.New("ber: trailing data after the element")

// A SyntaxError describes malformed BER: what is wrong and at which byte offset.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("ber: %s at offset %d", e.Msg, e.Offset)
}

// Normalize returns the DER form of the single BER element in, which must fill
// in completely. When in is DER already, Normalize returns in itself.
func Normalize(in []byte) ([]byte, error) {
	out, rest, err := NormalizeElement(in)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w (%d bytes at offset %d)", ErrTrailingData, len(rest), len(in)-len(rest))
	}
	return out, nil
}

// NormalizeElement converts the first BER element of in to DER and returns it
// with the bytes that follow it. When the element is DER already, out is a
// sub-slice of in.
func NormalizeElement(in []byte) (out, rest []byte, err error) {
	m := measurer{in: in}
	end, derLen, err := m.element(0, 0)
	if err != nil {
		return nil, nil, err
	}
	if !m.changed {
		return in[:end:end], in[end:], nil
	}
	w := writer{in: in, lens: m.lens, out: make([]byte, 0, derLen)}
	if _, err := w.element(0); err != nil {
		// The writer walks what the measurer accepted; it cannot fail.
		panic("ber: internal error: " + err.Error())
	}
	if len(w.out) != derLen {
		panic("ber: internal error: measured and written lengths differ")
	}
	return w.out, in[end:], nil
}

// header is one parsed identifier and length.
type header struct {
	tag        byte // the identifier octet (class, constructed bit, tag number < 31)
	contentAt  int  // offset of the first content octet
	length     int  // content length; -1 for indefinite
	minimalLen bool // the length was written in DER form
}

const (
	constructedBit = 0x20
	tagBoolean     = 0x01
	tagBitString   = 0x03
	tagOctetString = 0x04
	classMask      = 0xc0
	tagNumberMask  = 0x1f
)

// readHeader parses the identifier and length octets at off.
func readHeader(in []byte, off int) (header, error) {
	if off >= len(in) {
		return header{}, &SyntaxError{off, "unexpected end of input (identifier)"}
	}
	tag := in[off]
	if tag&tagNumberMask == tagNumberMask {
		return header{}, &SyntaxError{off, "high tag number form is not supported"}
	}
	p := off + 1
	if p >= len(in) {
		return header{}, &SyntaxError{p, "unexpected end of input (length)"}
	}
	b := in[p]
	p++
	switch {
	case b < 0x80:
		return header{tag: tag, contentAt: p, length: int(b), minimalLen: true}, nil
	case b == 0x80:
		if tag&constructedBit == 0 {
			return header{}, &SyntaxError{off, "indefinite length on a primitive value"}
		}
		return header{tag: tag, contentAt: p, length: -1}, nil
	case b == 0xff:
		return header{}, &SyntaxError{p - 1, "reserved length octet 0xff"}
	}
	n := int(b & 0x7f)
	if n > len(in)-p {
		return header{}, &SyntaxError{p, "unexpected end of input (long length)"}
	}
	length, minimal := 0, true
	for i := 0; i < n; i++ {
		if length > (len(in)-p)>>8 {
			// Already longer than the whole input could be; no overflow possible below.
			return header{}, &SyntaxError{p - 1, "length exceeds the input"}
		}
		length = length<<8 | int(in[p+i])
		if i == 0 && in[p] == 0 {
			minimal = false
		}
	}
	if length < 0x80 || lengthOctets(length) != n {
		minimal = false
	}
	return header{tag: tag, contentAt: p + n, length: length, minimalLen: minimal}, nil
}

// lengthOctets returns how many octets follow the first length octet in the
// DER long form of l (0 for the short form).
func lengthOctets(l int) int {
	if l < 0x80 {
		return 0
	}
	n := 0
	for ; l > 0; l >>= 8 {
		n++
	}
	return n
}

// headerLen returns the DER header size of a value with content length l.
func headerLen(l int) int { return 2 + lengthOctets(l) }

// isString reports whether a universal tag names a string type whose
// constructed form is a sequence of segments to concatenate (X.690 §8.6, §8.7,
// §8.23: BIT STRING, OCTET STRING, and the restricted character string types).
func isString(tag byte) bool {
	if tag&classMask != 0 {
		return false
	}
	switch tag &^ constructedBit {
	case tagBitString, tagOctetString, 12, 18, 19, 20, 21, 22, 25, 26, 27, 28, 30:
		return true
	}
	return false
}

// measurer is the first pass: it validates the input, computes the DER length
// of every value and records, in pre-order, the content length of each
// constructed value (and, after each flattened BIT STRING, its unused-bits count).
type measurer struct {
	in      []byte
	lens    []int
	changed bool
}

// element measures the value at off. It returns the offset just past it in the
// input and its DER length (header included).
func (m *measurer) element(off, depth int) (end, derLen int, err error) {
	h, err := readHeader(m.in, off)
	if err != nil {
		return 0, 0, err
	}
	if h.tag == 0 && h.length == 0 {
		return 0, 0, &SyntaxError{off, "unexpected end-of-contents octets"}
	}
	if !h.minimalLen {
		m.changed = true
	}
	if h.length >= 0 && h.length > len(m.in)-h.contentAt {
		return 0, 0, &SyntaxError{off, fmt.Sprintf("length %d exceeds the %d remaining bytes", h.length, len(m.in)-h.contentAt)}
	}
	if h.tag&constructedBit == 0 {
		end = h.contentAt + h.length
		if h.tag == tagBoolean && h.length == 1 && m.in[h.contentAt] != 0 && m.in[h.contentAt] != 0xff {
			m.changed = true
		}
		return end, headerLen(h.length) + h.length, nil
	}
	if depth >= MaxDepth {
		return 0, 0, &SyntaxError{off, fmt.Sprintf("nesting deeper than %d", MaxDepth)}
	}
	if isString(h.tag) {
		m.changed = true
		return m.flatString(off, h, depth)
	}
	slot := len(m.lens)
	m.lens = append(m.lens, 0)
	content := 0
	p := h.contentAt
	for {
		if h.length < 0 {
			if isEOC(m.in, p) {
				p += 2
				break
			}
		} else if p == h.contentAt+h.length {
			break
		}
		childEnd, childLen, err := m.element(p, depth+1)
		if err != nil {
			return 0, 0, err
		}
		if h.length >= 0 && childEnd > h.contentAt+h.length {
			return 0, 0, &SyntaxError{p, "value runs past the end of its parent"}
		}
		p = childEnd
		content += childLen
	}
	if h.length < 0 {
		m.changed = true
	}
	m.lens[slot] = content
	return p, headerLen(content) + content, nil
}

func isEOC(in []byte, p int) bool {
	return p+1 < len(in) && in[p] == 0 && in[p+1] == 0
}

// flatString measures a constructed string value as the primitive value it
// becomes. Segments must carry the same universal tag in either form
// (X.690 §8.7.3.2), and only the last BIT STRING segment may have unused bits.
func (m *measurer) flatString(off int, h header, depth int) (end, derLen int, err error) {
	slot := len(m.lens)
	m.lens = append(m.lens, 0)
	bitString := h.tag&^constructedBit == tagBitString
	if bitString {
		m.lens = append(m.lens, 0) // unused bits of the last segment
	}
	seg := segmenter{in: m.in, tag: h.tag &^ constructedBit, bitString: bitString}
	end, err = seg.walk(h, depth)
	if err != nil {
		return 0, 0, err
	}
	content := seg.total
	if bitString {
		content++ // the unused-bits octet
		m.lens[slot+1] = seg.unused
	}
	m.lens[slot] = content
	return end, headerLen(content) + content, nil
}

// segmenter walks the segments of a constructed string. With emit set it
// appends their contents to out; otherwise it counts and validates them.
type segmenter struct {
	in        []byte
	tag       byte // the primitive tag every segment must carry
	bitString bool
	emit      bool
	out       []byte
	total     int // content bytes so far, unused-bits octets excluded
	unused    int // unused bits of the last segment seen
	sawLast   bool
}

// walk handles the segments of the constructed string with header h and
// returns the offset past its end.
func (s *segmenter) walk(h header, depth int) (int, error) {
	p := h.contentAt
	for {
		if h.length < 0 {
			if isEOC(s.in, p) {
				return p + 2, nil
			}
		} else if p == h.contentAt+h.length {
			return p, nil
		}
		c, err := readHeader(s.in, p)
		if err != nil {
			return 0, err
		}
		if c.tag&^constructedBit != s.tag {
			return 0, &SyntaxError{p, fmt.Sprintf("segment tag 0x%02x inside a constructed string of tag 0x%02x", c.tag, s.tag)}
		}
		if c.length >= 0 && c.length > len(s.in)-c.contentAt {
			return 0, &SyntaxError{p, fmt.Sprintf("length %d exceeds the %d remaining bytes", c.length, len(s.in)-c.contentAt)}
		}
		var next int
		if c.tag&constructedBit != 0 {
			if depth+1 >= MaxDepth {
				return 0, &SyntaxError{p, fmt.Sprintf("nesting deeper than %d", MaxDepth)}
			}
			next, err = s.walk(c, depth+1)
			if err != nil {
				return 0, err
			}
		} else {
			next = c.contentAt + c.length
			data := s.in[c.contentAt:next]
			if s.bitString {
				if len(data) == 0 {
					return 0, &SyntaxError{p, "BIT STRING segment without the unused-bits octet"}
				}
				if s.sawLast {
					return 0, &SyntaxError{p, "BIT STRING segment after one with unused bits"}
				}
				s.unused = int(data[0])
				if s.unused > 7 || (s.unused > 0 && len(data) == 1) {
					return 0, &SyntaxError{p, "invalid unused-bits count in a BIT STRING segment"}
				}
				if s.unused > 0 {
					s.sawLast = true
				}
				data = data[1:]
			}
			s.total += len(data)
			if s.emit {
				s.out = append(s.out, data...)
			}
		}
		if h.length >= 0 && next > h.contentAt+h.length {
			return 0, &SyntaxError{p, "segment runs past the end of its string"}
		}
		p = next
	}
}

// writer is the second pass: it walks the input again in the same order and
// writes DER, taking the constructed lengths from the measurer's table.
type writer struct {
	in   []byte
	lens []int
	next int // next entry of lens
	out  []byte
}

func (w *writer) header(tag byte, length int) {
	w.out = append(w.out, tag)
	if length < 0x80 {
		w.out = append(w.out, byte(length))
		return
	}
	n := lengthOctets(length)
	w.out = append(w.out, 0x80|byte(n))
	for i := n - 1; i >= 0; i-- {
		w.out = append(w.out, byte(length>>(8*i)))
	}
}

func (w *writer) element(off int) (int, error) {
	h, err := readHeader(w.in, off)
	if err != nil {
		return 0, err
	}
	if h.tag&constructedBit == 0 {
		end := h.contentAt + h.length
		w.header(h.tag, h.length)
		if h.tag == tagBoolean && h.length == 1 && w.in[h.contentAt] != 0 {
			w.out = append(w.out, 0xff)
		} else {
			w.out = append(w.out, w.in[h.contentAt:end]...)
		}
		return end, nil
	}
	if isString(h.tag) {
		content := w.lens[w.next]
		w.next++
		prim := h.tag &^ constructedBit
		w.header(prim, content)
		seg := segmenter{in: w.in, tag: prim, bitString: prim == tagBitString, emit: true}
		if seg.bitString {
			w.out = append(w.out, byte(w.lens[w.next]))
			w.next++
		}
		seg.out = w.out
		end, err := seg.walk(h, 0)
		w.out = seg.out
		return end, err
	}
	w.header(h.tag, w.lens[w.next])
	w.next++
	p := h.contentAt
	for {
		if h.length < 0 {
			if isEOC(w.in, p) {
				return p + 2, nil
			}
		} else if p == h.contentAt+h.length {
			return p, nil
		}
		if p, err = w.element(p); err != nil {
			return 0, err
		}
	}
}

package pdfread

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// ErrFormat wraps every reading failure; messages are one line.
var ErrFormat = errors.New("malformed PDF")

// ErrEncrypted is returned for encrypted PDFs, which podpis neither signs
// nor verifies.
var ErrEncrypted = errors.New("encrypted PDFs are not supported")

// Errorf returns an error wrapping ErrFormat.
func Errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
}

func formatErr(format string, args ...any) error { return Errorf(format, args...) }

// The PDF objects (ISO 32000-1 §7.3): integers are int, booleans bool,
// null nil.
type (
	Name    string
	Str     []byte // a literal or hexadecimal string, decoded
	Real    string // a real number as written, so it is written back unchanged
	Array   []any
	Dict    map[Name]any
	Keyword string
	Ref     struct{ Num, Gen int }
)

type (
	name    = Name
	str     = Str
	real    = Real
	array   = Array
	dict    = Dict
	keyword = Keyword
	ref     = Ref
)

// HexPos records where a hexadecimal string started and ended (the offsets
// of '<' and one past '>') in the buffer it was parsed from.
type HexPos struct{ Start, End int }

type hexPos = HexPos

// Stream is a stream object: its dictionary and encoded data.
type Stream struct {
	Dict Dict
	Raw  []byte // the encoded stream data
}

type stream = Stream

// maxDepth bounds the nesting of arrays and dictionaries.
const maxDepth = 64

type lexer struct {
	buf []byte
	pos int
	// hex records, when non-nil, the position of hexadecimal strings by key
	// of the innermost dictionary (for /Contents).
	hex map[name]hexPos
}

func isWhite(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isDelim(c byte) bool {
	return bytes.IndexByte([]byte("()<>[]{}/%"), c) >= 0
}

func (l *lexer) skip() {
	for l.pos < len(l.buf) {
		c := l.buf[l.pos]
		if isWhite(c) {
			l.pos++
		} else if c == '%' {
			for l.pos < len(l.buf) && l.buf[l.pos] != '\n' && l.buf[l.pos] != '\r' {
				l.pos++
			}
		} else {
			return
		}
	}
}

// regular reads a run of regular characters.
func (l *lexer) regular() []byte {
	start := l.pos
	for l.pos < len(l.buf) && !isWhite(l.buf[l.pos]) && !isDelim(l.buf[l.pos]) {
		l.pos++
	}
	return l.buf[start:l.pos]
}

// object reads one direct object, or a reference "n g R".
func (l *lexer) object(depth int) (any, error) {
	if depth > maxDepth {
		return nil, formatErr("nesting too deep at offset %d", l.pos)
	}
	l.skip()
	if l.pos >= len(l.buf) {
		return nil, formatErr("unexpected end of data")
	}
	start := l.pos
	switch c := l.buf[l.pos]; c {
	case '/':
		l.pos++
		return l.name()
	case '(':
		return l.literal()
	case '<':
		if l.pos+1 < len(l.buf) && l.buf[l.pos+1] == '<' {
			l.pos += 2
			return l.dict(depth)
		}
		return l.hexString()
	case '[':
		l.pos++
		var a array
		for {
			l.skip()
			if l.pos >= len(l.buf) {
				return nil, formatErr("unterminated array")
			}
			if l.buf[l.pos] == ']' {
				l.pos++
				return a, nil
			}
			o, err := l.object(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, o)
		}
	case ']', ')', '>', '{', '}':
		return nil, formatErr("unexpected %q at offset %d", c, start)
	}
	tok := l.regular()
	if len(tok) == 0 {
		return nil, formatErr("unexpected %q at offset %d", l.buf[start], start)
	}
	switch string(tok) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	if n, err := strconv.Atoi(string(tok)); err == nil {
		// Look ahead for "gen R".
		save := l.pos
		l.skip()
		if g := l.regular(); len(g) > 0 {
			if gen, err := strconv.Atoi(string(g)); err == nil && gen >= 0 {
				l.skip()
				if r := l.regular(); string(r) == "R" && n >= 0 {
					return ref{n, gen}, nil
				}
			}
		}
		l.pos = save
		return n, nil
	}
	if isNumber(tok) {
		return real(tok), nil
	}
	return keyword(tok), nil
}

func isNumber(tok []byte) bool {
	digits := 0
	for i, c := range tok {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
		case (c == '-' || c == '+') && i == 0:
		default:
			return false
		}
	}
	return digits > 0
}

func (l *lexer) name() (any, error) {
	tok := l.regular()
	var b []byte
	for i := 0; i < len(tok); i++ {
		if tok[i] == '#' && i+2 < len(tok) {
			if v, err := strconv.ParseUint(string(tok[i+1:i+3]), 16, 8); err == nil {
				b = append(b, byte(v))
				i += 2
				continue
			}
		}
		b = append(b, tok[i])
	}
	return name(b), nil
}

func (l *lexer) dict(depth int) (any, error) {
	d := dict{}
	for {
		l.skip()
		if l.pos+1 < len(l.buf) && l.buf[l.pos] == '>' && l.buf[l.pos+1] == '>' {
			l.pos += 2
			return d, nil
		}
		if l.pos >= len(l.buf) || l.buf[l.pos] != '/' {
			return nil, formatErr("dictionary key expected at offset %d", l.pos)
		}
		l.pos++
		k, _ := l.name()
		l.skip()
		start := l.pos
		v, err := l.object(depth + 1)
		if err != nil {
			return nil, err
		}
		if _, ok := v.(str); ok && l.hex != nil && depth == 0 && l.buf[start] == '<' {
			l.hex[k.(name)] = hexPos{start, l.pos}
		}
		d[k.(name)] = v
	}
}

func (l *lexer) hexString() (any, error) {
	l.pos++
	var b []byte
	var hi byte
	odd := false
	for l.pos < len(l.buf) {
		c := l.buf[l.pos]
		l.pos++
		var v byte
		switch {
		case c == '>':
			if odd {
				b = append(b, hi<<4)
			}
			return str(b), nil
		case isWhite(c):
			continue
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return nil, formatErr("bad hexadecimal string at offset %d", l.pos-1)
		}
		if odd {
			b = append(b, hi<<4|v)
		} else {
			hi = v
		}
		odd = !odd
	}
	return nil, formatErr("unterminated hexadecimal string")
}

func (l *lexer) literal() (any, error) {
	l.pos++
	var b []byte
	nest := 0
	for l.pos < len(l.buf) {
		c := l.buf[l.pos]
		l.pos++
		switch c {
		case '(':
			nest++
		case ')':
			if nest == 0 {
				return str(b), nil
			}
			nest--
		case '\\':
			if l.pos >= len(l.buf) {
				return nil, formatErr("unterminated string")
			}
			e := l.buf[l.pos]
			l.pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if l.pos < len(l.buf) && l.buf[l.pos] == '\n' {
					l.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for i := 0; i < 2 && l.pos < len(l.buf) && l.buf[l.pos] >= '0' && l.buf[l.pos] <= '7'; i++ {
						v = v*8 + int(l.buf[l.pos]-'0')
						l.pos++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		b = append(b, c)
	}
	return nil, formatErr("unterminated string")
}

// expect reads a keyword.
func (l *lexer) expect(kw string) bool {
	l.skip()
	save := l.pos
	if string(l.regular()) == kw {
		return true
	}
	l.pos = save
	return false
}

// integer reads a non-negative integer token.
func (l *lexer) integer() (int, bool) {
	l.skip()
	save := l.pos
	n, err := strconv.Atoi(string(l.regular()))
	if err != nil || n < 0 {
		l.pos = save
		return 0, false
	}
	return n, true
}

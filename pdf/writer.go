package pdf

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"sync"
	"unicode/utf16"
)

// objWriter writes the body of a PDF file: numbered indirect objects whose
// byte offsets it records for the cross-reference table (ISO 32000-1 §7.5).
type objWriter struct {
	buf     bytes.Buffer
	offsets []int // offsets[n-1] is the offset of object n; 0 = not written
}

// alloc reserves the next object number.
func (w *objWriter) alloc() int {
	w.offsets = append(w.offsets, 0)
	return len(w.offsets)
}

// obj writes object n with the given dictionary or value.
func (w *objWriter) obj(n int, body string) {
	w.offsets[n-1] = w.buf.Len()
	fmt.Fprintf(&w.buf, "%d 0 obj\n%s\nendobj\n", n, body)
}

// put writes an object built elsewhere.
func (w *objWriter) put(o Object) {
	w.offsets[o.Num-1] = w.buf.Len()
	fmt.Fprintf(&w.buf, "%d 0 obj\n", o.Num)
	w.buf.Write(o.Data)
	w.buf.WriteString("\nendobj\n")
}

// stream writes object n as a stream. dict is the dictionary without
// /Length and /Filter and without the enclosing << >>. If compress is set
// the data is Flate-encoded. An EOL precedes endstream (PDFA2B.md §1).
func (w *objWriter) stream(n int, dict string, data []byte, compress bool) {
	w.offsets[n-1] = w.buf.Len()
	w.buf.WriteString(streamObject(n, dict, data, compress))
}

// streamObject returns the bytes of "n 0 obj … endobj" for a stream.
func streamObject(n int, dict string, data []byte, compress bool) string {
	var b bytes.Buffer
	filter := ""
	if compress {
		data = deflate(data)
		filter = " /Filter /FlateDecode"
	}
	sep := " "
	if dict == "" {
		sep = ""
	}
	fmt.Fprintf(&b, "%d 0 obj\n<< %s%s/Length %d%s >>\nstream\n", n, dict, sep, len(data), filter)
	b.Write(data)
	b.WriteString("\nendstream\nendobj\n")
	return b.String()
}

// deflate compresses with a fixed level; compress/zlib is deterministic
// for a given Go version, which keeps the output byte-identical. Writers
// are pooled: each holds about a megabyte of tables.
func deflate(data []byte) []byte {
	var b bytes.Buffer
	zw := zlibPool.Get().(*zlib.Writer)
	zw.Reset(&b)
	zw.Write(data)
	zw.Close()
	zlibPool.Put(zw)
	return b.Bytes()
}

var zlibPool = sync.Pool{New: func() any {
	zw, _ := zlib.NewWriterLevel(io.Discard, zlib.BestCompression)
	return zw
}}

// finish writes the xref table and trailer and returns the whole file.
func (w *objWriter) finish(root, info int, id []byte) []byte {
	xref := w.buf.Len()
	fmt.Fprintf(&w.buf, "xref\n0 %d\n0000000000 65535 f\r\n", len(w.offsets)+1)
	for _, off := range w.offsets {
		fmt.Fprintf(&w.buf, "%010d 00000 n\r\n", off)
	}
	h := hex.EncodeToString(id)
	fmt.Fprintf(&w.buf, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n",
		len(w.offsets)+1, root, info, h, h, xref)
	return w.buf.Bytes()
}

// header is the file header with the binary comment (ISO 32000-1 §7.5.2).
const header = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"

// textString encodes s as a PDF text string: a literal for printable ASCII,
// else UTF-16BE with a byte-order mark as a hex string (ISO 32000-1 §7.9.2.2).
func textString(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			ascii = false
			break
		}
	}
	if ascii {
		var b bytes.Buffer
		b.WriteByte('(')
		for i := 0; i < len(s); i++ {
			if c := s[i]; c == '(' || c == ')' || c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(s[i])
		}
		b.WriteByte(')')
		return b.String()
	}
	u := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2+2*len(u))
	b = append(b, 0xFE, 0xFF)
	for _, c := range u {
		b = append(b, byte(c>>8), byte(c))
	}
	return "<" + hex.EncodeToString(b) + ">"
}

// num formats a number for a content stream: at most 3 decimals, no
// exponent, no trailing zeros.
func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', 3, 64)
	for len(s) > 1 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	s = trimDot(s)
	if s == "-0" {
		return "0"
	}
	return s
}

func trimDot(s string) string {
	if s[len(s)-1] == '.' {
		return s[:len(s)-1]
	}
	return s
}

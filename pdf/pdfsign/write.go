package pdfsign

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
)

// Writing objects back (ISO 32000-1 §7.3). Strings are written in
// hexadecimal, so no escaping can go wrong; names escape every byte outside
// the regular printable range (§7.3.5).

func writeObject(b *bytes.Buffer, o any) {
	switch v := o.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	case real:
		b.WriteString(string(v))
	case keyword:
		b.WriteString(string(v))
	case name:
		writeName(b, v)
	case str:
		b.WriteByte('<')
		b.WriteString(hex.EncodeToString(v))
		b.WriteByte('>')
	case ref:
		fmt.Fprintf(b, "%d %d R", v.Num, v.Gen)
	case array:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(' ')
			}
			writeObject(b, e)
		}
		b.WriteByte(']')
	case dict:
		b.WriteString("<<")
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, string(k))
		}
		slices.Sort(keys) // deterministic output
		for _, k := range keys {
			writeName(b, name(k))
			b.WriteByte(' ')
			writeObject(b, v[name(k)])
			b.WriteByte(' ')
		}
		b.WriteString(">>")
	default:
		panic(fmt.Sprintf("pdfsign: internal error: cannot write %T", o))
	}
}

func writeName(b *bytes.Buffer, n name) {
	b.WriteByte('/')
	for i := 0; i < len(n); i++ {
		c := n[i]
		if c < '!' || c > '~' || c == '#' || bytes.IndexByte([]byte("()<>[]{}/%"), c) >= 0 {
			fmt.Fprintf(b, "#%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
}

// update collects the objects of one incremental update (§7.5.6).
type update struct {
	buf     bytes.Buffer
	base    int // length of the original file
	offsets map[int]int
}

func (u *update) begin(num int) {
	u.offsets[num] = u.base + u.buf.Len()
	fmt.Fprintf(&u.buf, "%d 0 obj\n", num)
}

func (u *update) put(num int, o any) {
	u.begin(num)
	writeObject(&u.buf, o)
	u.buf.WriteString("\nendobj\n")
}

func (u *update) putStream(num int, d dict, data []byte) {
	d["Length"] = len(data)
	u.begin(num)
	writeObject(&u.buf, d)
	u.buf.WriteString("\nstream\n")
	u.buf.Write(data)
	u.buf.WriteString("\nendstream\nendobj\n")
}

// putRaw writes an object whose body (between "obj" and "endobj") is
// already serialised.
func (u *update) putRaw(num int, body []byte) {
	u.begin(num)
	u.buf.Write(body)
	u.buf.WriteString("\nendobj\n")
}

// runs groups sorted object numbers into consecutive runs.
func (u *update) runs() [][]int {
	nums := make([]int, 0, len(u.offsets))
	for n := range u.offsets {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	var out [][]int
	for _, n := range nums {
		if k := len(out); k > 0 && out[k-1][len(out[k-1])-1] == n-1 {
			out[k-1] = append(out[k-1], n)
		} else {
			out = append(out, []int{n})
		}
	}
	return out
}

// finish writes the cross-reference section and trailer: a table when the
// original used tables, else a cross-reference stream (§7.5.8), numbered
// xrefNum.
func (u *update) finish(trailer dict, useStream bool, xrefNum int) {
	if !useStream {
		xref := u.base + u.buf.Len()
		u.buf.WriteString("xref\n")
		for _, r := range u.runs() {
			fmt.Fprintf(&u.buf, "%d %d\n", r[0], len(r))
			for _, n := range r {
				fmt.Fprintf(&u.buf, "%010d 00000 n\r\n", u.offsets[n])
			}
		}
		u.buf.WriteString("trailer\n")
		writeObject(&u.buf, trailer)
		fmt.Fprintf(&u.buf, "\nstartxref\n%d\n%%%%EOF\n", xref)
		return
	}
	xref := u.base + u.buf.Len()
	u.offsets[xrefNum] = xref
	var index array
	var data []byte
	for _, r := range u.runs() {
		index = append(index, r[0], len(r))
		for _, n := range r {
			o := u.offsets[n]
			data = append(data, 1, byte(o>>24), byte(o>>16), byte(o>>8), byte(o), 0)
		}
	}
	d := dict{}
	for k, v := range trailer {
		d[k] = v
	}
	d["Type"] = name("XRef")
	d["W"] = array{1, 4, 1}
	d["Index"] = index
	u.putStream(xrefNum, d, data)
	fmt.Fprintf(&u.buf, "startxref\n%d\n%%%%EOF\n", xref)
}

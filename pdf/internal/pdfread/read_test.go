package pdfread

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// onePage is a PDF with a classic cross-reference table and one page that
// inherits its MediaBox.
func onePage(trailerExtra string) []byte {
	var b strings.Builder
	var offs []int
	obj := func(body string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), body)
	}
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>")
	obj("<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Title (\xfe\xff\x04\x1f\xd8\x3d\xde\x00) >>")
	obj("<< /Length 8 >>\nstream\n0 0 m S\n\nendstream")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, trailerExtra, xref)
	return []byte(b.String())
}

func TestParse(t *testing.T) {
	d, err := Parse(onePage(""))
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := d.Pages(c)
	if err != nil || len(pages) != 1 || pages[0].Num != 3 {
		t.Fatalf("pages %v, %v", pages, err)
	}
	page, _ := d.DictOf(pages[0])
	if got := TextString(page["Title"].(Str)); got != "П😀" {
		t.Errorf("TextString: %q", got)
	}
	st, _ := d.Resolve(page["Contents"])
	body, err := d.Decode(st.(Stream))
	if err != nil || string(body) != "0 0 m S\n" {
		t.Errorf("content %q, %v", body, err)
	}
	if len(d.Sections) != 1 || len(d.Sections[0].Objects) != 4 {
		t.Errorf("sections %+v", d.Sections)
	}
	if n, ok := Number(Real("-.5")); !ok || n != -0.5 {
		t.Errorf("Number: %v %v", n, ok)
	}
	if _, err := Parse(onePage(" /Encrypt 1 0 R")); !errors.Is(err, ErrEncrypted) {
		t.Errorf("encrypted: %v", err)
	}
	for _, bad := range []string{"", "%PDF-1.7\n", "%PDF-1.7\nstartxref\n5\n%%EOF"} {
		if _, err := Parse([]byte(bad)); !errors.Is(err, ErrFormat) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// FuzzParse reads arbitrary bytes as a PDF and walks what it finds: the
// catalog, the pages, every object listed, every stream decoded. No panic;
// errors are one line. The corpus holds podpis' own files, signed ones,
// ones qpdf rewrote with object and cross-reference streams, and one with
// image and vector QR codes.
func FuzzParse(f *testing.F) {
	f.Add(onePage(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("two-line error %q", err)
			}
			return
		}
		if c, err := d.Catalog(); err == nil {
			_, _ = d.Pages(c)
		}
		for n := range d.Entries {
			if o, err := d.Object(n); err == nil {
				if st, ok := o.(Stream); ok {
					_, _ = d.Decode(st)
				}
			}
		}
	})
}

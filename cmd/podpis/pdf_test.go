package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podpis/podpis/pdf"
)

// TestQPDFInCI makes a missing qpdf an error in CI: the pdf*.txtar scripts
// run `qpdf --check` on what podpis writes under [exec:qpdf] and skip it
// only outside CI.
func TestQPDFInCI(t *testing.T) {
	if _, err := exec.LookPath("qpdf"); err != nil && os.Getenv("CI") != "" {
		t.Fatalf("qpdf (Debian qpdf) required in CI: %v", err)
	}
}

// bigPDF writes a valid one-page PDF of exactly size bytes (its content
// stream is a long comment).
func bigPDF(t *testing.T, size int) []byte {
	t.Helper()
	build := func(pad int) []byte {
		var b bytes.Buffer
		var offs []int
		obj := func(body string) {
			offs = append(offs, b.Len())
			fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), body)
		}
		b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
		obj("<< /Type /Catalog /Pages 2 0 R >>")
		obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
		obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>")
		content := "%" + strings.Repeat("x", pad) + "\n"
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
		xref := b.Len()
		fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(offs)+1)
		for _, o := range offs {
			fmt.Fprintf(&b, "%010d 00000 n\r\n", o)
		}
		fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
		return b.Bytes()
	}
	small := build(0)
	// The startxref offset may gain digits with the padding: adjust once.
	data := build(size - len(small))
	if d := len(data) - size; d != 0 {
		data = build(size - len(small) - d)
	}
	if len(data) != size {
		t.Fatalf("built %d bytes, want %d", len(data), size)
	}
	return data
}

// The 5 MB limit (pdf.MaxSize): signing a file that the signature would
// push over it writes nothing and leaves the input alone (exit 2, one
// line); pdf check flags a file over it (exit 1).
func TestPDFSizeLimit(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	podpis(t, "devpki", "--out", p("pki"))
	near := bigPDF(t, pdf.MaxSize-1000)
	if err := os.WriteFile(p("near.pdf"), near, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run([]string{"pdf", "sign", "--in", p("near.pdf"), "--out", p("x.pdf"), "--key", p("pki/signer.key"), "--cert", p("pki/signer.pem")}, nil, &out, &errb)
	msg := errb.String()
	if code != 2 || !strings.HasPrefix(msg, "podpis: "+p("x.pdf")+" would be ") || !strings.HasSuffix(msg, "over the 5 MB limit (5242880 bytes); nothing written\n") || strings.Count(msg, "\n") != 1 {
		t.Errorf("exit %d: %q", code, msg)
	}
	if _, err := os.Stat(p("x.pdf")); !os.IsNotExist(err) {
		t.Errorf("an output was written: %v", err)
	}
	if got, _ := os.ReadFile(p("near.pdf")); !bytes.Equal(got, near) {
		t.Error("the input changed")
	}

	if err := os.WriteFile(p("over.pdf"), bigPDF(t, pdf.MaxSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	code = run([]string{"pdf", "check", "--lang", "en", p("over.pdf")}, nil, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "over 5 MB") || !strings.Contains(out.String(), "FAIL size: 5242881 bytes (limit 5242880)") {
		t.Errorf("exit %d: %s\n%s", code, errb.String(), out.String())
	}
}

// columnWidths keeps short columns unwrapped beside a long one and fills
// the width exactly.
func TestColumnWidths(t *testing.T) {
	rows := [][]string{{"Работа", "Срок", "Сумма"}, {strings.Repeat("длинное название работы ", 8), "ноябрь", "50 000 ₽"}}
	const cw = 480
	w := columnWidths(rows, true, cw)
	if sum := w[0] + w[1] + w[2]; sum < cw-0.01 || sum > cw+0.01 {
		t.Errorf("widths %v sum to %v, want %v", w, sum, cw)
	}
	for i := 1; i < 3; i++ {
		if need := (pdf.Style{Bold: true}).Width(rows[0][i]) + 6; w[i] < need || w[i] < (pdf.Style{}).Width(rows[1][i])+6 {
			t.Errorf("column %d is %v wide, narrower than its text", i, w[i])
		}
	}
	if w[0] < cw/2 {
		t.Errorf("the long column got %v of %v", w[0], cw)
	}
	// Short tables spread evenly over the width.
	if w := columnWidths([][]string{{"a", "b"}}, false, 100); w[0]+w[1] < 99.99 || w[0]-w[1] > 1 || w[1]-w[0] > 1 {
		t.Errorf("%v", w)
	}
}

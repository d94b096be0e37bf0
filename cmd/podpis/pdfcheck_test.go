package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/pdf"
)

func samplePDF(t testing.TB) []byte {
	doc := pdf.New(pdf.Options{Title: "Проверка", Created: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)})
	layoutText(doc, "# Заголовок\n\nТекст **жирный**.\n\n- пункт\n1. первый\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", true)
	if err := doc.QR("QR", pdf.Mm(30), pdf.Left, pdf.QRMedium); err != nil {
		t.Fatal(err)
	}
	return doc.Bytes()
}

func TestCheckPDF(t *testing.T) {
	data := samplePDF(t)
	r := checkPDF(data)
	if r.PDFAPart != "2" || r.PDFAConformance != "B" || !r.SizeOK {
		t.Fatalf("claim %s%s, size ok %v", r.PDFAPart, r.PDFAConformance, r.SizeOK)
	}
	for _, rule := range r.Rules {
		if !rule.OK {
			t.Errorf("rule %q failed: %s", rule.Rule, rule.Detail)
		}
	}
	if msg := r.failure(false); msg != "" {
		t.Errorf("failure() = %q", msg)
	}

	// Over 5 MB: flagged (padding in a comment after the header).
	big := append(append([]byte{}, data[:15]...), append(bytes.Repeat([]byte("%pad\n"), pdf.MaxSize/5+1), data[15:]...)...)
	if r := checkPDF(big); r.SizeOK || !strings.Contains(r.failure(false), "over 5 MB") {
		t.Errorf("a %d-byte file passes the size check", len(big))
	}
	if err := checkSize("x.pdf", pdf.MaxSize+1); err == nil {
		t.Error("checkSize lets a file over 5 MB through")
	}

	// Bytes after %%EOF are found.
	r = checkPDF(append(append([]byte{}, data...), "junk"...))
	if !strings.Contains(r.failure(false), "1 PDF/A rule(s) failed") {
		t.Errorf("junk after %%%%EOF: %q", r.failure(false))
	}

	// JavaScript and a missing /ID are found.
	bad := bytes.Replace(data, []byte("/ID"), []byte("/XX"), -1)
	bad = bytes.Replace(bad, []byte("/Type /Catalog"), []byte("/Type /Catalog /OpenAction << /S /JavaScript /JS (x) >>"), 1)
	r = checkPDF(bad)
	failed := map[string]string{}
	for _, rule := range r.Rules {
		if !rule.OK {
			failed[rule.Rule] = rule.Detail
		}
	}
	if _, ok := failed["trailer /ID"]; !ok {
		t.Errorf("a file without /ID passes: %v", failed)
	}
	if d := failed["no JavaScript, actions, embedded files, XFA"]; !strings.Contains(d, "/JavaScript") {
		t.Errorf("JavaScript not found: %v", failed)
	}
}

// FuzzCheckPDF: the check and the QR finder never panic on any input.
func FuzzCheckPDF(f *testing.F) {
	f.Add(samplePDF(f))
	f.Add([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Pages /Kids [2 0 R] >> endobj 2 0 obj << /Contents 3 0 R >> endobj 3 0 obj << /Length 9 >> stream\n0 0 1 1 re f\nendstream endobj startxref 99999\n%%EOF"))
	f.Add([]byte("%PDF-1.4\n<< /Subtype /Image /Width 2 /Height 2 /BitsPerComponent 8 >>stream\nabcd\nendstream"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkPDF(data)
		findQRCodes(data)
	})
}

package main

import (
	"strings"
	"testing"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/podpis/podpis/pdf"
)

// TestFindQRCodes decodes the vector QR codes package pdf draws: a short
// one and a long Cyrillic one on the first page, one on the second.
func TestFindQRCodes(t *testing.T) {
	long := strings.Repeat("Доверенность № 42, выдана ООО «Ромашка»; ", 14)
	doc := pdf.New(pdf.Options{Title: "QR"})
	doc.Paragraph("Коды", pdf.Style{})
	if err := doc.QR("https://example.ru/?id=1", pdf.Mm(30), pdf.Left, pdf.QRMedium); err != nil {
		t.Fatal(err)
	}
	size, err := pdf.MinQRSize(long, pdf.QRMedium)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.QR(long, size, pdf.Right, pdf.QRMedium); err != nil {
		t.Fatal(err)
	}
	doc.NewPage()
	if err := doc.QR("второй лист", pdf.Mm(30), pdf.Center, pdf.QRMedium); err != nil {
		t.Fatal(err)
	}
	got := findQRCodes(doc.Bytes())
	want := map[string]int{"https://example.ru/?id=1": 1, long: 1, "второй лист": 2}
	if len(got) != len(want) {
		t.Fatalf("found %d QR codes, want %d: %+v", len(got), len(want), got)
	}
	for _, q := range got {
		page, ok := want[q.Payload]
		if !ok || q.Page != page {
			t.Errorf("QR %q on page %d; want one of %v", q.Payload, q.Page, want)
		}
		if q.X < 0 || q.X > 210 || q.Y < 0 || q.Y > 297 {
			t.Errorf("QR %q at %v,%v mm: off the page", q.Payload, q.X, q.Y)
		}
	}
}

// TestFilledRectsBounded: garbage content streams give no panic.
func TestFilledRectsGarbage(t *testing.T) {
	for _, s := range []string{"", "(", "((\\", "1 2 3 4 re f", "BI", "/", "%", "1 1 1 rg 0 0 1 1 re f 0 g q Q Q Q re f*"} {
		filledRects([]byte(s))
	}
}

// TestFindQRCodesImage decodes a QR code placed as a PNG image.
func TestFindQRCodesImage(t *testing.T) {
	png, err := qrcode.Encode("картинка: https://example.ru/?id=7", qrcode.Medium, 256)
	if err != nil {
		t.Fatal(err)
	}
	im, err := pdf.ParseImage(png)
	if err != nil {
		t.Fatal(err)
	}
	doc := pdf.New(pdf.Options{Title: "QR"})
	doc.Image(im, pdf.Mm(40), pdf.Left)
	got := findQRCodes(doc.Bytes())
	if len(got) != 1 || got[0].Payload != "картинка: https://example.ru/?id=7" || !got[0].Image {
		t.Fatalf("found %+v", got)
	}
}

package pdfcheck

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/podpis/podpis/pdf"
)

func samplePDF(t testing.TB) []byte {
	t.Helper()
	doc := pdf.New(pdf.Options{Title: "Проверка", Author: "Иванов И. И.", Subject: "Тест", Keywords: "акт, тест",
		Creator: "podpis test", Created: time.Date(2026, 11, 23, 12, 0, 0, 0, time.FixedZone("MSK", 3*3600))})
	doc.Paragraph("Заголовок", pdf.Style{Size: 16, Bold: true})
	doc.Paragraph("Текст.", pdf.Style{})
	doc.Table(pdf.Table{Rows: [][]string{{"a", "b"}, {"1", "2"}}, Header: true})
	if err := doc.QR("QR", pdf.Mm(30), pdf.Left, pdf.QRMedium); err != nil {
		t.Fatal(err)
	}
	return doc.Bytes()
}

func mustCheck(t testing.TB, data []byte) *Report {
	t.Helper()
	r, err := Check(data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func failedRules(r *Report) map[string]string {
	failed := map[string]string{}
	for _, rule := range r.Rules {
		if !rule.OK {
			failed[rule.Rule] = rule.Detail
		}
	}
	return failed
}

func TestCheckOwn(t *testing.T) {
	data := samplePDF(t)
	r := mustCheck(t, data)
	if r.PDFAPart != "2" || r.PDFAConformance != "B" || !r.SizeOK || len(r.Failed()) != 0 {
		t.Fatalf("claim %s%s, size ok %v, failed %v %v", r.PDFAPart, r.PDFAConformance, r.SizeOK, r.Failed(), failedRules(r))
	}
	if len(r.Rules) != 13 {
		t.Errorf("%d rules", len(r.Rules))
	}
	if len(r.QRCodes) != 1 || r.QRCodes[0].Payload != "QR" || r.QRCodes[0].Page != 1 {
		t.Errorf("QR codes %+v", r.QRCodes)
	}
}

// Each defect is found by its rule (and only a few others).
func TestCheckDefects(t *testing.T) {
	data := samplePDF(t)
	// Replacements keep the length so that the cross-reference stays right.
	same := func(old, new string) []byte {
		if len(old) != len(new) {
			panic(fmt.Sprintf("%q and %q differ in length", old, new))
		}
		if !bytes.Contains(data, []byte(old)) {
			t.Fatalf("%q not in the sample", old)
		}
		return bytes.Replace(data, []byte(old), []byte(new), 1)
	}
	cases := []struct {
		name string
		data []byte
		rule string
	}{
		{"junk after %%EOF", append(bytes.Clone(data), "junk"...), RuleEOF},
		{"no /ID", bytes.Replace(data, []byte("/ID"), []byte("/XX"), -1), RuleID},
		{"JavaScript", same("/Lang (ru-RU)", "/JS   (ru-RU)"), RuleActions},
		{"title differs", same("<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">Пр", "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">Пѣ"), RuleInfoXMP},
		{"date differs", same("<xmp:CreateDate>2026-11-23T12", "<xmp:CreateDate>2026-11-23T13"), RuleInfoXMP},
		{"claims 2a", same("<pdfaid:conformance>B", "<pdfaid:conformance>A"), RuleXMP},
		{"no output intent", same("/S /GTS_PDFA1", "/S /GTS_PDFX1"), RuleOutputIntent},
		{"font not embedded", same("/FontFile2", "/FontFileX"), RuleFonts},
		{"no binary comment", same("%PDF-1.7\n%\xe2", "%PDF-1.7\n% "), RuleBinary},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := mustCheck(t, c.data)
			failed := failedRules(r)
			if _, ok := failed[c.rule]; !ok {
				t.Errorf("rule %q not failed; failed: %v", c.rule, failed)
			}
			if len(r.Failed()) == 0 {
				t.Error("Failed() empty")
			}
		})
	}
}

func TestCheckSize(t *testing.T) {
	data := samplePDF(t)
	// Over 5 MB: a comment after the header shifts every offset, so only the
	// size and bytes are judged; Check still reads what it can.
	big := append(bytes.Clone(data), bytes.Repeat([]byte("%pad\n"), pdf.MaxSize/5+1)...)
	big = append(big, data[bytes.LastIndex(data, []byte("startxref")):]...)
	r := mustCheck(t, big)
	if r.SizeOK || !strings.Contains(strings.Join(r.Failed(), ","), "over 5 MB") {
		t.Errorf("a %d-byte file passes the size check", len(big))
	}
}

func TestCheckUnreadable(t *testing.T) {
	data := samplePDF(t)
	for name, b := range map[string][]byte{
		"truncated": data[:len(data)/2],
		"not a PDF": []byte("hello"),
	} {
		if _, err := Check(b); !errors.Is(err, ErrFormat) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The trailer follows the cross-reference section: an edit there moves
	// no object.
	enc := bytes.Replace(data, []byte("/Root"), []byte("/Encrypt 1 0 R /Root"), 1)
	if r := mustCheck(t, enc); !r.Encrypted || failedRules(r)[RuleEncryption] == "" {
		t.Errorf("encrypted: %+v", r)
	}
}

// TestQRCodes decodes the vector QR codes package pdf draws: a short one and
// a long Cyrillic one on the first page, one on the second, with their
// positions.
func TestQRCodes(t *testing.T) {
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
	got := mustCheck(t, doc.Bytes()).QRCodes
	want := map[string]int{"https://example.ru/?id=1": 1, long: 1, "второй лист": 2}
	if len(got) != len(want) {
		t.Fatalf("found %d QR codes, want %d: %+v", len(got), len(want), got)
	}
	for _, q := range got {
		page, ok := want[q.Payload]
		if !ok || q.Page != page || q.Image {
			t.Errorf("QR %q on page %d; want one of %v", q.Payload, q.Page, want)
		}
		// Left-aligned codes start at the 20 mm margin, the centred one at
		// (210-30)/2 mm; the reported corner is the code's own, inside the
		// 4-module quiet zone: 4 × 30/(25+8) = 3.6 mm for these version-2
		// codes.
		switch q.Payload {
		case "https://example.ru/?id=1":
			near(t, q.X, 20+3.6, 0.3)
		case "второй лист":
			near(t, q.X, 90+3.6, 0.3)
			near(t, q.Y, 20+3.6, 0.3)
		}
	}
}

func near(t *testing.T, got, want, tol float64) {
	t.Helper()
	if got < want-tol || got > want+tol {
		t.Errorf("%.1f mm, want %.1f ± %.0f", got, want, tol)
	}
}

// TestQRCodeImage decodes a QR code placed as a PNG image, with its page
// and position.
func TestQRCodeImage(t *testing.T) {
	png, err := qrcode.Encode("картинка: https://example.ru/?id=7", qrcode.Medium, 256)
	if err != nil {
		t.Fatal(err)
	}
	im, err := pdf.ParseImage(png)
	if err != nil {
		t.Fatal(err)
	}
	doc := pdf.New(pdf.Options{Title: "QR"})
	doc.Paragraph("Картинка ниже", pdf.Style{})
	doc.NewPage()
	doc.Image(im, pdf.Mm(40), pdf.Right)
	got := mustCheck(t, doc.Bytes()).QRCodes
	if len(got) != 1 || got[0].Payload != "картинка: https://example.ru/?id=7" || !got[0].Image || got[0].Page != 2 {
		t.Fatalf("found %+v", got)
	}
	// Right-aligned, 40 mm wide: from 150 to 190 mm, top at the 20 mm
	// margin; the code's corner is inside the image's quiet zone (4 of 37
	// modules: 4.3 mm).
	near(t, got[0].X, 150+4.3, 0.5)
	near(t, got[0].Y, 20+4.3, 0.5)
}

// FuzzCheck: Check never panics on any input.
func FuzzCheck(f *testing.F) {
	f.Add(samplePDF(f))
	f.Add([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Pages /Kids [2 0 R] >> endobj 2 0 obj << /Contents 3 0 R >> endobj 3 0 obj << /Length 9 >> stream\n0 0 1 1 re f\nendstream endobj startxref 99999\n%%EOF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Check(data)
		if err == nil && r == nil {
			t.Fatal("nil report without error")
		}
	})
}

// TestRunGarbage: content-stream garbage gives no panic.
func TestRunGarbage(t *testing.T) {
	f := &finder{budget: qrMaxContent, images: map[int]bool{}}
	for _, s := range []string{"", "(", "((\\", "1 2 3 4 re f", "BI", "/", "%", "1 1 1 rg 0 0 1 1 re f 0 g q Q Q Q re f*", "1 0 0 1 0 0 cm cm /X Do"} {
		f.run([]byte(s), nil, identity, 0)
	}
}

// The text report names every rule, in Russian by default, in English on
// request, and lists the QR codes.
func TestWriteText(t *testing.T) {
	r := mustCheck(t, samplePDF(t))
	for _, english := range []bool{false, true} {
		var b strings.Builder
		if err := r.WriteText(&b, english); err != nil {
			t.Fatal(err)
		}
		for _, rule := range r.Rules {
			want := rule.Rule
			if !english {
				want = ruleRU[rule.Rule]
			}
			if want == "" || !strings.Contains(b.String(), "ok   "+want+"\n") {
				t.Errorf("english %v: no line for %q:\n%s", english, rule.Rule, b.String())
			}
		}
		if want := map[bool]string{false: "QR-код, страница 1, в точке ", true: "QR code, page 1, at "}[english]; !strings.Contains(b.String(), want) {
			t.Errorf("no %q:\n%s", want, b.String())
		}
	}
}

// rawPDF writes a PDF with the given catalog entries and one empty page.
func rawPDF(catalogExtra string) []byte {
	var b bytes.Buffer
	var offs []int
	obj := func(body string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), body)
	}
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R " + catalogExtra + " >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}

// Malformed output intents (direct dictionaries where streams belong, two
// of them) are reported, not a panic.
func TestOutputIntentMalformed(t *testing.T) {
	r := mustCheck(t, rawPDF("/OutputIntents [<< /S /GTS_PDFA1 /DestOutputProfile << /N 3 >> >> << /S /GTS_PDFA1 /DestOutputProfile << /N 3 >> >>]"))
	if d := failedRules(r)[RuleOutputIntent]; !strings.Contains(d, "no /DestOutputProfile stream") {
		t.Errorf("output intent: %q", d)
	}
}

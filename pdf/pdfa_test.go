package pdf

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// checkStructure applies the self-checks of PDFA2B.md §5 that need no
// validator: header and binary comment, /ID and no /Encrypt, unfiltered
// XMP with pdfaid part 2 / B, an output intent, no forbidden keys, and
// every stream with an exact /Length and an EOL before endstream.
func checkStructure(t *testing.T, b []byte) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-1.7\n%")) {
		t.Fatalf("header: %q", b[:min(len(b), 16)])
	}
	for _, c := range b[10:14] {
		if c < 0x80 {
			t.Errorf("binary comment byte %#x < 0x80", c)
		}
	}
	trailer := b[bytes.LastIndex(b, []byte("trailer")):]
	if !bytes.Contains(trailer, []byte("/ID [<")) || bytes.Contains(b, []byte("/Encrypt")) {
		t.Errorf("trailer: %s", trailer)
	}
	if !bytes.HasSuffix(b, []byte("%%EOF\n")) {
		t.Error("file does not end with the EOF marker and one EOL")
	}
	objects := withoutStreams(b) // compressed data may hold any bytes
	for _, bad := range []string{"/JavaScript", "/Launch", "/AA", "/EmbeddedFiles", "/XFA", "/NeedAppearances", "/LZWDecode", "/Interpolate true"} {
		// A key ends at a delimiter; "/XFAILP+DejaVuSans" is a subset font name.
		if regexp.MustCompile(regexp.QuoteMeta(bad) + `[\s/<>\[\]()]`).Match(objects) {
			t.Errorf("forbidden %s present", bad)
		}
	}
	for _, want := range []string{"<pdfaid:part>2</pdfaid:part>", "<pdfaid:conformance>B</pdfaid:conformance>",
		"/Type /Metadata /Subtype /XML /Length", "/S /GTS_PDFA1", "/DestOutputProfile"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("missing %q", want)
		}
	}
	re := regexp.MustCompile(`/Length (\d+)[^>]*>>\nstream\n`)
	for _, m := range re.FindAllSubmatchIndex(b, -1) {
		n, _ := strconv.Atoi(string(b[m[2]:m[3]]))
		end := m[1] + n
		if end+10 > len(b) || string(b[end:end+10]) != "\nendstream" {
			t.Errorf("stream at %d: /Length %d does not end at EOL + endstream", m[0], n)
		}
	}
	// Every Info date has an explicit offset.
	if !regexp.MustCompile(`/CreationDate \(D:\d{14}[+-]\d\d'\d\d'\)`).Match(b) {
		t.Error("CreationDate lacks an explicit +HH'mm' offset")
	}
}

// withoutStreams returns b with the data of every stream cut out.
func withoutStreams(b []byte) []byte {
	var out []byte
	re := regexp.MustCompile(`/Length (\d+)[^>]*>>\nstream\n`)
	last := 0
	for _, m := range re.FindAllSubmatchIndex(b, -1) {
		if m[0] < last {
			continue
		}
		n, _ := strconv.Atoi(string(b[m[2]:m[3]]))
		out = append(out, b[last:m[1]]...)
		last = min(m[1]+n, len(b))
	}
	return append(out, b[last:]...)
}

func TestStructure(t *testing.T) {
	checkStructure(t, sampleDoc(t, shortPayload).Bytes())
	checkStructure(t, multiPageDoc(t).Bytes())
}

// multiPageDoc has a table that continues over pages.
func multiPageDoc(t testing.TB) *Document {
	d := New(Options{Title: "Реестр", Created: testCreated, PageNumbers: true})
	d.Paragraph("Реестр документов", Style{Size: 14, Bold: true})
	rows := [][]string{{"№", "Документ", "Дата"}}
	for i := range 60 {
		rows = append(rows, []string{strconv.Itoa(i + 1), fmt.Sprintf("Документ № %d — длинное наименование, которое переносится на следующую строку ячейки таблицы", i+1), "23.11.2026"})
	}
	d.Table(Table{Header: true, Widths: []float64{1, 8, 2}, Rows: rows})
	return d
}

func TestMultiPage(t *testing.T) {
	d := multiPageDoc(t)
	if d.Pages() < 3 {
		t.Fatalf("%d pages, want ≥ 3", d.Pages())
	}
	b := d.Bytes()
	pt := tool(t, "pdftotext")
	p := filepath.Join(t.TempDir(), "multi.pdf")
	os.WriteFile(p, b, 0o644)
	out, err := run(t, pt, p, "-")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out, "Дата"); n != d.Pages() {
		t.Errorf("table header appears %d times on %d pages", n, d.Pages())
	}
	if want := fmt.Sprintf("Страница %d из %d", d.Pages(), d.Pages()); !strings.Contains(out, want) {
		t.Errorf("no %q", want)
	}
	checkOracles(t, p)
}

// appearanceDoc is a hand-assembled PDF/A-2b page that shows a stamp
// Appearance as a Form XObject, the way a signature widget would.
func appearanceDoc(a *Appearance) []byte {
	ow := &objWriter{}
	ow.buf.WriteString(header)
	catalog, pages, page, content, meta, info, profile := ow.alloc(), ow.alloc(), ow.alloc(), ow.alloc(), ow.alloc(), ow.alloc(), ow.alloc()
	objs := a.Objects(ow.alloc())
	for range objs[1:] {
		ow.alloc()
	}
	for _, o := range objs {
		ow.put(o)
	}
	o := Options{Title: "Штамп", Created: testCreated}
	ow.obj(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R /Metadata %d 0 R /OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB IEC61966-2.1) /DestOutputProfile %d 0 R >>] >>", pages, meta, profile))
	ow.obj(pages, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", page))
	ow.obj(page, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Resources << /XObject << /Stamp %d 0 R >> >> /Contents %d 0 R >>",
		pages, num(A4Width), num(A4Height), objs[0].Num, content))
	ow.stream(content, "", []byte("q 1 0 0 1 60 600 cm /Stamp Do Q\n"), true)
	ow.stream(meta, "/Type /Metadata /Subtype /XML", xmpPacket(&o, testCreated), false)
	ow.obj(info, infoDict(&o, testCreated))
	ow.offsets[profile-1] = ow.buf.Len()
	ow.buf.WriteString(iccObject(profile))
	return ow.finish(catalog, info, []byte("appearance-test!"))
}

func TestStampAppearance(t *testing.T) {
	a := StampAppearance(testStamp, Mm(85), 0)
	if a.H != testStamp.Height(Mm(85)) {
		t.Errorf("height %v, want %v", a.H, testStamp.Height(Mm(85)))
	}
	objs := a.Objects(40)
	if objs[0].Num != 40 || !bytes.Contains(objs[0].Data, []byte("/Subtype /Form")) {
		t.Fatalf("first object %d: %.80s", objs[0].Num, objs[0].Data)
	}
	for i, o := range objs {
		if o.Num != 40+i {
			t.Errorf("object %d numbered %d", i, o.Num)
		}
	}
	b := appearanceDoc(a)
	checkStructure(t, b)
	p := filepath.Join(t.TempDir(), "stamp.pdf")
	os.WriteFile(p, b, 0o644)
	pt := tool(t, "pdftotext")
	out, err := run(t, pt, p, "-")
	if err != nil || !strings.Contains(out, "Владелец: Иванов Иван Иванович") {
		t.Errorf("pdftotext: %v\n%s", err, out)
	}
	checkOracles(t, p)
}

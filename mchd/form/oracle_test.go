package form

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/pdf"
)

// The oracles of shared/spec/pdfa/PDFA2B.md §2–§3 and DESIGN.md: qpdf
// checks the syntax, poppler's pdffonts that every font is embedded and
// pdftotext that the text is there and searchable, PDFBox Preflight the
// PDF/A rules it knows (PDF/A-1b, so "7.11.2 part must be 1" is expected),
// and zbarimg, an independent decoder, reads the QR code back from a
// 300-dpi rendering.

func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(tool(t, name), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func writePDF(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "form.pdf")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func qpdfCheck(t *testing.T, file string) {
	t.Helper()
	out := runTool(t, "qpdf", "--check", file)
	if !strings.Contains(out, "No syntax or stream encoding errors found") || strings.Contains(strings.ToLower(out), "warning") {
		t.Errorf("qpdf --check:\n%s", out)
	}
}

func fontsEmbedded(t *testing.T, file string) {
	t.Helper()
	out := runTool(t, "pdffonts", file)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 3 {
		t.Fatalf("pdffonts lists no fonts:\n%s", out)
	}
	for _, l := range lines[2:] {
		f := strings.Fields(l)
		if len(f) < 7 || f[len(f)-5] != "yes" || f[len(f)-3] != "yes" {
			t.Errorf("font not embedded or not mapped to Unicode: %q", l)
		}
	}
}

// text returns the text of the form, lines joined by spaces so that a
// value wrapped in a table cell still matches.
func text(t *testing.T, file string) string {
	t.Helper()
	return strings.Join(strings.Fields(runTool(t, "pdftotext", "-enc", "UTF-8", file, "-")), " ")
}

func wantText(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, strings.Join(strings.Fields(w), " ")) {
			t.Errorf("pdftotext lacks %q", w)
		}
	}
}

// preflight runs PDFBox Preflight (PDFA2B.md §3) and returns the error codes.
func preflight(t *testing.T, file string) []string {
	t.Helper()
	j := "/usr/share/java/"
	jars := []string{"preflight.jar", "pdfbox2.jar", "xmpbox.jar", "fontbox2.jar", "commons-logging.jar", "javax.activation.jar", "jaxb-api.jar"}
	for i, n := range jars {
		jars[i] = j + n
		if _, err := os.Stat(jars[i]); err != nil {
			missing(t, "PDFBox Preflight: %v (Debian libpdfbox2-java libactivation-java libjaxb-api-java)", err)
		}
	}
	out, _ := exec.Command(tool(t, "java"), "-cp", strings.Join(jars, ":"), "org.apache.pdfbox.preflight.Validator_A1b", file).CombinedOutput()
	if !strings.Contains(string(out), "PDF/A-1b file") {
		t.Fatalf("Preflight did not run:\n%s", out)
	}
	var codes []string
	for _, m := range regexp.MustCompile(`(?m)^(\d+(?:\.\d+)*) : `).FindAllStringSubmatch(string(out), -1) {
		codes = append(codes, m[1])
	}
	return codes
}

// qrReadBack renders page (1-based) at 300 dpi and returns what zbarimg
// decodes there.
func qrReadBack(t *testing.T, file string, page int) string {
	t.Helper()
	dir := t.TempDir()
	p := strconv.Itoa(page)
	runTool(t, "pdftoppm", "-r", "300", "-f", p, "-l", p, "-png", file, filepath.Join(dir, "p"))
	pngs, _ := filepath.Glob(filepath.Join(dir, "p*.png"))
	if len(pngs) != 1 {
		t.Fatalf("pdftoppm wrote %v", pngs)
	}
	out, err := exec.Command(tool(t, "zbarimg"), "--raw", "-q", pngs[0]).Output()
	if err != nil {
		t.Fatalf("zbarimg found no code on page %d: %v", page, err)
	}
	return strings.TrimSuffix(string(out), "\n")
}

// TestOracles renders both real samples and generated documents of every
// kind (principal kinds, a retrust, 300 powers, English labels) and checks
// each with the oracles.
func TestOracles(t *testing.T) {
	type tc struct {
		doc      *mchd.Document
		raw      []byte
		sigs     int // 0, 1 or 2 signers
		opts     Options
		want     []string
		pflight  bool
		pageOfQR int // 0: the last page
	}
	cases := map[string]func() tc{
		"sample tax profile": func() tc {
			d, raw := readSample(t, sampleTax)
			return tc{doc: d, raw: raw, sigs: 1, pflight: true, want: []string{
				"ДОВЕРЕННОСТЬ № 301", "5f7737eb-d23c-498f-826f-1dcae0eaee34", "ИНН 7714350892", "КПП 771401001", "ОГРН 1157746734837",
				`ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "БАЗАЛЬТ СВОБОДНОЕ ПРОГРАММНОЕ ОБЕСПЕЧЕНИЕ"`,
				"ИВАНОВ ИВАН ИВАНОВИЧ, ГЕНЕРАЛЬНЫЙ ДИРЕКТОР", "ПЕТРОВ ПЕТР ПЕТРОВИЧ", "ИНН 770200000202", "СНИЛС 223-344-556 39",
				"2_FNS99", "Представлять интересы налогоплательщика в отношениях с налоговыми органами (полные полномочия)",
				"FNS_OFR_173FZ", "без права передоверия", "Налоговый орган (представление) 7714",
				"ДОКУМЕНТ ПОДПИСАН ЭЛЕКТРОННОЙ ПОДПИСЬЮ", "Действителен: с 10.01.2026 по 10.01.2027", "Страница 1 из",
			}}
		},
		"sample KLASS 2.0, two signers": func() tc {
			d, raw := readSample(t, sampleKlass)
			return tc{doc: d, raw: raw, sigs: 2, want: []string{
				"ДОВЕРЕННОСТЬ № 302", "cea38d31-3ea4-481a-b725-1ff4f7eb45be", "KLASS_2.0_SIGN_DIG_DOC", "Подписывать электронные документы",
				"Ограничение 1: Тип документа — Товарная накладная по форме ТОРГ-12 (LIM_01_04)",
				"допускается передоверие с правом последующего передоверия", "код 1 (по распространённому толкованию",
				"Владелец: Иванов Иван Петрович", "Владелец: Петрова Мария Сергеевна", "Подписано: 15.01.2026 12:41 МСК",
			}}
		},
		"retrust, English": func() tc {
			r, parent := retrust(t)
			d, raw := marshal(t, r)
			return tc{doc: d, raw: raw, sigs: 1, opts: Options{Lang: "en"}, pflight: true, want: []string{
				"POWER OF ATTORNEY No. 42-П", "issued by way of retrust", d.Info().GUID, "Original power of attorney",
				"Registration number of the original " + parent.Info().GUID, "Grantor of the powers", "Recipient of the powers",
				"ООО \"ТЕСТ\"", "ПЕТРОВ ИВАН ИВАНОВИЧ", "SIGNED WITH AN ELECTRONIC SIGNATURE", "Page 1 of",
			}}
		},
		"300 powers": func() tc {
			d, raw := marshal(t, manyPowers(t, 300))
			return tc{doc: d, raw: raw, sigs: 1, pflight: true, want: []string{
				"TEST_POWER_001", "TEST_POWER_150", "TEST_POWER_300", "Полномочие номер 300: подписывать документы вида 300",
				"машиночитаемые (по классификатору полномочий), всего 300",
				"ZZ_UNKNOWN_POWER наименование не указано",
				"2_FNS21 Подписывать документы (информацию) (наименование по классификатору; в документе не указано)",
			}}
		},
	}
	for _, kind := range []string{mchd.PrincipalRussianEntity, mchd.PrincipalForeignEntity, mchd.PrincipalEntrepreneur, mchd.PrincipalPerson} {
		cases["principal kind "+kind] = func() tc {
			d, raw := marshal(t, build(t, kind))
			want := map[string][]string{
				mchd.PrincipalRussianEntity: {"Российское юридическое лицо", `ООО "ТЕСТ"`},
				mchd.PrincipalForeignEntity: {"Иностранное юридическое лицо", "ACME GMBH", "безотзывная", "ПрПерБезДов = 1, УслОтзыва = 2; по соглашению сторон", "7714, 7715"},
				mchd.PrincipalEntrepreneur:  {"Индивидуальный предприниматель", "ОГРНИП 304774600000011", "Нотариальное удостоверение", "НОТАРИУС НОТАРИУСОВ НИКОЛАЙ", "Представлять мои интересы во всех организациях."},
				mchd.PrincipalPerson:        {"Физическое лицо", "КУЗНЕЦОВ ИВАН ИВАНОВИЧ", "Законный представитель или рукоприкладчик", "представители действуют совместно (код 2)"},
			}[kind]
			// Every representative kind appears in each of these documents.
			want = append(want, `АО "ПРЕДСТАВИТЕЛЬ"`, `ФИЛИАЛ ООО "ТЕСТ"`, "Филиал (аккредитованное представительство) иностранного юридического лица",
				"СИДОРОВ ИВАН ИВАНОВИЧ", "Электронные подписи к форме не приложены")
			return tc{doc: d, raw: raw, want: want}
		}
	}
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			c := cases[name]()
			var sigs []Signature
			if c.sigs > 0 {
				_, sigs = sign(t, c.raw, c.sigs == 2)
			}
			out := render(t, c.doc, c.raw, sigs, c.opts)
			file := writePDF(t, out)
			qpdfCheck(t, file)
			fontsEmbedded(t, file)
			wantText(t, text(t, file), c.want...)
			page := c.pageOfQR
			if page == 0 {
				page = pages(out)
			}
			if got, want := qrReadBack(t, file, page), QRPayload(c.raw, c.doc); got != want {
				t.Errorf("QR read back\n%q\nwant\n%q", got, want)
			}
			if c.pflight {
				if codes := preflight(t, file); !slices.Equal(codes, []string{"7.11.2"}) {
					t.Errorf("Preflight: %v, want only 7.11.2", codes)
				}
			}
		})
	}
}

// TestAttach: with Attach the XML and the signature file are embedded as
// associated files; qpdf finds them and gives back exactly their bytes,
// and the file says PDF/A-3b. Preflight (PDF/A-1 only) then also reports
// the embedded files, which PDF/A-1 forbids (PDFA2B.md §3), and nothing else.
func TestAttach(t *testing.T) {
	d, raw := readSample(t, sampleKlass)
	sig, sigs := sign(t, raw, true)
	out := render(t, d, raw, sigs, Options{Attach: true})
	file := writePDF(t, out)
	qpdfCheck(t, file)
	fontsEmbedded(t, file)
	xmlName := d.FileID + ".xml"
	list := runTool(t, "qpdf", "--list-attachments", file)
	if !strings.Contains(list, xmlName+" -> ") || !strings.Contains(list, "poa.xml.sig -> ") || strings.Count(list, " -> ") != 2 {
		t.Fatalf("attachments:\n%s", list)
	}
	for name, want := range map[string][]byte{xmlName: raw, "poa.xml.sig": sig} {
		got, err := exec.Command(tool(t, "qpdf"), "--show-attachment="+name, file).Output()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("attachment %s: %d bytes back (err %v), want the %d bytes embedded", name, len(got), err, len(want))
		}
	}
	// poppler reads them too.
	if l := runTool(t, "pdfdetach", "-list", file); !strings.Contains(l, "2 embedded files") {
		t.Errorf("pdfdetach -list:\n%s", l)
	}
	for _, w := range []string{"<pdfaid:part>3</pdfaid:part>", "/AFRelationship /Source", "/AFRelationship /Supplement",
		"/Subtype /application#2Fxml", "/Subtype /application#2Fpkcs7-signature", "/AF [", "/EmbeddedFiles"} {
		if !bytes.Contains(out, []byte(w)) {
			t.Errorf("attached form lacks %q", w)
		}
	}
	if bytes.Contains(out, []byte("<pdfaid:part>2</pdfaid:part>")) {
		t.Error("attached form still claims PDF/A-2")
	}
	codes := preflight(t, file)
	slices.Sort(codes)
	codes = slices.Compact(codes)
	if !slices.Equal(codes, []string{"1.2.9", "1.4.7", "7.11.2"}) {
		t.Errorf("Preflight: %v, want only the embedded-file codes and 7.11.2", codes)
	}
	if got := qrReadBack(t, file, pages(out)); got != QRPayload(raw, d) {
		t.Errorf("QR read back %q", got)
	}
}

// TestAttachedFiles checks pdf.Document.WriteToAttached (pdf/attach.go) on
// its own: bad file lists are refused, a non-ASCII name keeps a Unicode /UF
// and an ASCII /F, and qpdf gives back every file's bytes.
func TestAttachedFiles(t *testing.T) {
	doc := func() *pdf.Document {
		d := pdf.New(pdf.Options{Created: testCreated, Title: "Вложения"})
		d.Paragraph("Документ с вложениями", pdf.Style{})
		return d
	}
	for name, files := range map[string][]pdf.AttachedFile{
		"empty name":   {{MIME: "text/plain", Data: []byte("x")}},
		"repeated":     {{Name: "a.txt", MIME: "text/plain"}, {Name: "a.txt", MIME: "text/plain"}},
		"bad MIME":     {{Name: "a.txt", MIME: "text plain"}},
		"relationship": {{Name: "a.txt", MIME: "text/plain", Relationship: "Parent"}},
	} {
		var b bytes.Buffer
		if _, err := doc().WriteToAttached(&b, files); err == nil || b.Len() != 0 {
			t.Errorf("%s: err %v, %d bytes written", name, err, b.Len())
		}
	}
	files := []pdf.AttachedFile{
		{Name: "доверенность.xml", MIME: "application/xml", Relationship: "Source", Data: []byte("<a/>\n")},
		{Name: "b.bin", MIME: "application/octet-stream", Data: bytes.Repeat([]byte{0, 1, 2, 0xFF}, 5000)},
		{Name: "empty.txt", MIME: "text/plain", Data: nil},
	}
	var b bytes.Buffer
	if _, err := doc().WriteToAttached(&b, files); err != nil {
		t.Fatal(err)
	}
	out := b.Bytes()
	if !bytes.Contains(out, []byte("/F (____________.xml)")) || !bytes.Contains(out, []byte("/AFRelationship /Unspecified")) {
		t.Error("no ASCII /F for the Cyrillic name, or no default relationship")
	}
	file := writePDF(t, out)
	qpdfCheck(t, file)
	for _, f := range files {
		got, err := exec.Command(tool(t, "qpdf"), "--show-attachment="+f.Name, file).Output()
		if err != nil || !bytes.Equal(got, f.Data) {
			t.Errorf("%s: %d bytes back (err %v), want %d", f.Name, len(got), err, len(f.Data))
		}
	}
	// Without files it is WriteTo.
	var plain, none bytes.Buffer
	doc().WriteTo(&plain)
	doc().WriteToAttached(&none, nil)
	if !bytes.Equal(plain.Bytes(), none.Bytes()) {
		t.Error("WriteToAttached(nil) differs from WriteTo")
	}
}

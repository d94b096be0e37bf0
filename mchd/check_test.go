package mchd

import (
	"os"
	"strings"
	"testing"
)

func TestCheckSamples(t *testing.T) {
	for name, data := range samples(t) {
		d, ps, err := CheckFile(name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, p := range ps {
			t.Errorf("%s: %v", name, p)
		}
		if got := d.Check(); len(got) != 0 {
			t.Errorf("%s: Document.Check: %v", name, got)
		}
	}
}

func TestCheckBuilt(t *testing.T) {
	for _, kind := range []string{PrincipalRussianEntity, PrincipalForeignEntity, PrincipalEntrepreneur, PrincipalPerson} {
		d := build(t, kind)
		for _, p := range d.Check() {
			t.Errorf("ТипДоверит=%s: %v", kind, p)
		}
	}
	parent := build(t, PrincipalRussianEntity)
	r := testRetrust(t, parent)
	for _, p := range r.Check() {
		t.Errorf("retrust: %v", p)
	}
	for _, p := range r.CheckParent(parent) {
		t.Errorf("retrust vs parent: %v", p)
	}
}

func testRetrust(t testing.TB, parent *Document) *Document {
	t.Helper()
	r, err := NewRetrust(parent, testIssued, testUntil)
	if err != nil {
		t.Fatal(err)
	}
	r.Retrust.Info.InternalNumber = "42-1"
	r.Retrust.Grantors = []Grantor{{Kind: RepresentativePerson, Person: &GrantorPerson{
		INN: testINNRep, SNILS: testSNILSRep, Person: testPerson("ПЕТРОВ"),
	}}}
	r.Retrust.Recipients = []Representative{testRepresentative(RepresentativePerson)}
	r.Retrust.Powers = testMachinePowers()
	return r
}

// has reports whether ps holds a problem with code at a path ending in suffix.
func has(ps []Problem, code, suffix string) bool {
	for _, p := range ps {
		if p.Code == code && strings.HasSuffix(p.Path, suffix) {
			return true
		}
	}
	return false
}

func TestCheckRules(t *testing.T) {
	mutate := func(f func(d *Document)) []Problem {
		d := build(t, PrincipalRussianEntity)
		f(d)
		return d.Check()
	}
	cases := []struct {
		name, code, suffix string
		sev                Severity
		f                  func(d *Document)
	}{
		{"INN ЮЛ", "INN_CHECK_DIGIT", "СвРосОрг/@ИННЮЛ", SeverityError, func(d *Document) { d.POA.Principals[0].Russian.Organization.INN = "7714350893" }},
		{"INN ФЛ", "INN_CHECK_DIGIT", "@ИННФЛ", SeverityError, func(d *Document) { d.POA.Principals[0].Russian.Heads[0].Person.INN = "770100000143" }},
		{"OGRN", "OGRN_CHECK_DIGIT", "@ОГРН", SeverityError, func(d *Document) { d.POA.Principals[0].Russian.Organization.OGRN = "1157746734838" }},
		{"SNILS", "SNILS_CHECK_DIGIT", "@СНИЛС", SeverityError, func(d *Document) { d.POA.Principals[0].Russian.Heads[0].Person.SNILS = "112-233-445 96" }},
		{"KPP", "KPP_FORMAT", "@КПП", SeverityError, func(d *Document) { d.POA.Principals[0].Russian.Organization.KPP = "0014010a1" }},
		{"date order", "DATE_ORDER", "СвДов/@СрокДейст", SeverityError, func(d *Document) { d.POA.Info.ValidUntil = "2025-01-01" }},
		{"GUID", "FILE_ID_MISMATCH", "/Доверенность/@ИдФайл", SeverityWarning, func(d *Document) { d.POA.Info.GUID = NewGUID() }},
		{"file date", "FILE_ID_MISMATCH", "/Доверенность/@ИдФайл", SeverityWarning, func(d *Document) { d.POA.Info.IssueDate = "2026-01-16" }},
		{"file id", "FILE_ID_FORMAT", "/Доверенность/@ИдФайл", SeverityWarning, func(d *Document) { d.FileID = "anything" }},
		{"status URL", "STATUS_URL_MISMATCH", "СвДов/СведСист", SeverityWarning, func(d *Document) { d.POA.Info.StatusURL = "https://example.com" }},
		{"profile", "PROFILE_TAX", "/Доверенность/@ИдФайлНО", SeverityWarning, func(d *Document) { d.Profile = "00010000" }},
		{"principal kind", "PARTY_KIND", "СвДоверит/Доверит", SeverityError, func(d *Document) { d.POA.Principals[0].Kind = PrincipalEntrepreneur }},
		{"representative kind", "PARTY_KIND", "СвУпПред[1]/Пред", SeverityError, func(d *Document) { d.POA.Representatives[0].Kind = RepresentativePerson }},
		{"powers kind", "POWERS_KIND", "Довер/СвПолн", SeverityError, func(d *Document) { d.POA.Powers.Kind = PowersText }},
		{"irrevocable", "IRREVOCABLE", "СвДов/Безотзыв", SeverityWarning, func(d *Document) { d.POA.Info.Kind = KindIrrevocable }},
		{"head kind", "HEAD_KIND", "РосОргДовер/@ЕИОФЛ", SeverityWarning, func(d *Document) { d.POA.Principals[0].Russian.HeadIsPerson = "0" }},
		{"tax file id", "PROFILE_TAX", "/Доверенность/@ИдФайлНО", SeverityWarning, func(d *Document) { d.TaxFileID = "ON_DOVEL_7714_7714_7714350892771401001_20260115_" + NewGUID() }},
		{"XSD date", "XSD_DATE", "СвДов/@СрокДейст", SeverityError, func(d *Document) { d.POA.Info.ValidUntil = "14.01.2027" }},
		{"XSD pattern", "XSD_PATTERN", "СвРосОрг/@ИННЮЛ", SeverityError, func(d *Document) { d.POA.Principals[0].Russian.Organization.INN = "0014350892" }},
		{"XSD enum", "XSD_ENUM", "СвДов/@ВидДовер", SeverityError, func(d *Document) { d.POA.Info.Kind = "3" }},
		{"XSD empty", "XSD_LENGTH", "СвДов/@ВнНомДовер", SeverityError, func(d *Document) { d.POA.Info.InternalNumber = "" }},
	}
	for _, c := range cases {
		ps := mutate(c.f)
		ok := false
		for _, p := range ps {
			if p.Code == c.code && strings.HasSuffix(p.Path, c.suffix) && p.Severity == c.sev {
				ok = true
				if !strings.Contains(p.Message, p.Path) || !strings.Contains(p.MessageEN, p.Path) {
					t.Errorf("%s: message does not name the path: %v", c.name, p)
				}
			}
		}
		if !ok {
			t.Errorf("%s: want %s %s at …%s, got %v", c.name, c.sev, c.code, c.suffix, ps)
		}
	}
}

func TestCheckRetrustRules(t *testing.T) {
	parent := build(t, PrincipalRussianEntity)
	r := testRetrust(t, parent)
	r.Retrust.Info.ValidUntil = "2027-02-01"
	if ps := r.Check(); !has(ps, "RETRUST_TERM", "СвПереДовер/@СрокДейст") {
		t.Errorf("term past the original's: %v", ps)
	}
	if ps := r.CheckParent(parent); !has(ps, "RETRUST_TERM", "СвПереДовер/@СрокДейст") {
		t.Errorf("CheckParent term: %v", ps)
	}
	parent.POA.Info.Retrust = RetrustForbidden
	if ps := r.CheckParent(parent); !has(ps, "RETRUST_NOT_ALLOWED", "Передов") {
		t.Errorf("CheckParent forbidden: %v", ps)
	}
	parent.POA.Info.Retrust = RetrustOnce
	r.Retrust.Info.Retrust = RetrustFurther
	if ps := r.CheckParent(parent); !has(ps, "RETRUST_ONCE", "@ПрПередов") {
		t.Errorf("CheckParent once: %v", ps)
	}
	other := build(t, PrincipalRussianEntity)
	if ps := r.CheckParent(other); !has(ps, "PARENT_MISMATCH", "@НомДоверПерв") {
		t.Errorf("CheckParent other parent: %v", ps)
	}
}

func TestCheckMalformed(t *testing.T) {
	if _, _, err := Check([]byte("<a")); err == nil {
		t.Error("malformed input accepted")
	}
	_, ps, _ := Check([]byte(`<x xmlns="urn:other"/>`))
	if !has(ps, "XSD_ROOT", "/x") {
		t.Errorf("wrong root: %v", ps)
	}
}

func TestNormalizeAttrs(t *testing.T) {
	for in, want := range map[string]string{
		"<a b=\"1\t2\n3\r\n4\r5\" c='&#9;'>\t\n</a>": "<a b=\"1 2 3 4 5\" c='&#9;'>\t\n</a>",
		"<!-- \"\t --><a b=\"x>\ty\"/>":              "<!-- \"\t --><a b=\"x> y\"/>",
		"<![CDATA[<a b=\"\t\">]]>":                   "<![CDATA[<a b=\"\t\">]]>",
		"<?pi \"\t\"?><a/>":                          "<?pi \"\t\"?><a/>",
	} {
		if got := string(normalizeAttrs([]byte(in))); got != want {
			t.Errorf("normalizeAttrs(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckXSDCodes(t *testing.T) {
	raw, err := Marshal(build(t, PrincipalRussianEntity))
	if err != nil {
		t.Fatal(err)
	}
	root, err := parseTree(raw)
	if err != nil {
		t.Fatal(err)
	}
	base := toM(root)
	find := func(m *mnode, name string) *mnode {
		for _, k := range m.kids {
			if k.name == name {
				return k
			}
		}
		t.Fatalf("no %s in %s", name, m.name)
		return nil
	}
	cases := []struct {
		name, code, path string
		f                func(m *mnode)
	}{
		{"drop СвДов", "XSD_REQUIRED", "/Доверенность/Документ/Довер/СвДов", func(m *mnode) {
			dov := find(find(m, "Документ"), "Довер")
			dov.kids = dov.kids[1:]
		}},
		{"two СвДов", "XSD_OCCURS", "/Доверенность/Документ/Довер/СвДов[2]", func(m *mnode) {
			dov := find(find(m, "Документ"), "Довер")
			dov.kids = append([]*mnode{dov.kids[0].clone()}, dov.kids...)
		}},
		{"Довер and Передов", "XSD_CHOICE", "/Доверенность/Документ", func(m *mnode) {
			doc := find(m, "Документ")
			doc.kids = append(doc.kids, &mnode{name: "Передов"})
		}},
		{"swap", "XSD_ORDER", "/Доверенность/Документ/Довер", func(m *mnode) {
			dov := find(find(m, "Документ"), "Довер")
			dov.kids[0], dov.kids[1] = dov.kids[1], dov.kids[0]
		}},
		{"drop attribute", "XSD_REQUIRED", "/Доверенность/@ВерсФорм", func(m *mnode) {
			m.attrs = m.attrs[1:]
		}},
	}
	for _, c := range cases {
		m := base.clone()
		c.f(m)
		_, ps, err := Check(m.bytes())
		if err != nil && c.code != "XSD_CHOICE" {
			t.Errorf("%s: %v", c.name, err)
		}
		ok := false
		for _, p := range ps {
			if p.Code == c.code && p.Path == c.path && p.Severity == SeverityError {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s: want %s at %s, got %v", c.name, c.code, c.path, ps)
		}
	}
}

// TestSchemaCurrent: xsd_schema.go holds the official XSD (go run xsd_gen.go
// regenerates it).
func TestSchemaCurrent(t *testing.T) {
	data, err := os.ReadFile(xsdPath)
	if err != nil {
		missing(t, "XSD not found: %v", err)
	}
	if string(data) != schemaXSD {
		t.Error("xsd_schema.go is stale: run go run xsd_gen.go in mchd/")
	}
}

func BenchmarkCheck(b *testing.B) {
	raw, err := Marshal(build(b, PrincipalRussianEntity))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, ps, err := Check(raw); err != nil || len(ps) != 0 {
			b.Fatal(err, ps)
		}
	}
}

// FuzzCheck: Check never panics, and a document it finds without XSD
// problems is one Parse reads.
func FuzzCheck(f *testing.F) {
	for _, kind := range []string{PrincipalRussianEntity, PrincipalPerson} {
		raw, err := Marshal(build(f, kind))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(`<Доверенность xmlns="urn://x-artefacts/EMCHD_1"/>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, ps, err := Check(data)
		if err != nil {
			return
		}
		for _, p := range ps {
			if p.Path == "" || p.Message == "" || p.MessageEN == "" {
				t.Errorf("incomplete problem %+v", p)
			}
		}
		if d != nil {
			d.Check()
		}
	})
}

package mchd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var inputToday = time.Date(2026, 11, 23, 12, 0, 0, 0, time.FixedZone("MSK", 3*60*60))

func readExample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "examples", "mchd", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// buildInput parses and builds data; the document must pass Check without
// errors and xmllint against the official XSD.
func buildInput(t *testing.T, data []byte, parent *Document) (*Document, []byte) {
	t.Helper()
	in, err := ParseInput(data)
	if err != nil {
		t.Fatal(err)
	}
	d, err := in.Build(inputToday, parent)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if _, ps, err := CheckFile(d.FileName(), out); err != nil || HasErrors(ps) {
		t.Fatalf("Check: %v %v\n%s", err, ps, out)
	}
	xmllint(t, out)
	p, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	return p, out
}

func TestInputExamples(t *testing.T) {
	d, _ := buildInput(t, readExample(t, "poa.yaml"), nil)
	info := d.Info()
	if info.IssueDate != "2026-11-23" || info.ValidUntil != "2031-12-31" || info.Retrust != RetrustOnce || info.InternalNumber != "15/2026" {
		t.Errorf("СвДов: %+v", info)
	}
	if !ValidGUID(info.GUID) || d.FileName() != "ON_EMCHD_20261123_"+info.GUID+".xml" {
		t.Errorf("identity: %s %s", info.GUID, d.FileName())
	}
	org := d.POA.Principals[0].Russian
	if org.Organization.INN != "7708123450" || org.Organization.OGRN != "1027708123453" ||
		org.Heads[0].Person.SNILS != "112-233-445 95" || org.Heads[0].Person.INN != "770812345620" {
		t.Errorf("principal: %+v", org)
	}
	if rep := d.POA.Representatives[0].Person; rep.SNILS != "223-344-556 39" || rep.Person.Name.Surname != "Петрова" {
		t.Errorf("representative: %+v", rep)
	}
	pw := d.POA.Powers
	if pw.Kind != PowersMachine || len(pw.Machine) != 2 || pw.Machine[0].Restrictions[0].ValueCode != "LIM_01_01" || pw.Text == "" {
		t.Errorf("powers: %+v", pw)
	}

	rt, _ := buildInput(t, readExample(t, "retrust.yaml"), d)
	if rt.Retrust == nil || rt.Retrust.Original.OriginalGUID != info.GUID || rt.Retrust.Grantors[0].Person.INN != "770198765434" {
		t.Fatalf("retrust: %+v", rt.Retrust)
	}
	if ps := rt.CheckParent(d); HasErrors(ps) {
		t.Errorf("CheckParent: %v", ps)
	}
}

// People write numbers without quotes; they are read as the digits written.
func TestInputUnquotedNumbers(t *testing.T) {
	y := strings.NewReplacer(`inn: "7708123450"`, `inn: 7708123450`, `kpp: "770801001"`, `kpp: 770801001`,
		`snils: 112-233-445 95`, `snils: 11223344595`).Replace(string(readExample(t, "poa.yaml")))
	d, _ := buildInput(t, []byte(y), nil)
	org := d.POA.Principals[0].Russian
	if org.Organization.INN != "7708123450" || org.Organization.KPP != "770801001" || org.Heads[0].Person.SNILS != "112-233-445 95" {
		t.Errorf("%+v", org)
	}
}

func TestInputJSON(t *testing.T) {
	js := `{"internal_number": "7", "issued": "2026-01-15", "valid_until": "2026-12-31",
	  "guid": "5F7737EB-D23C-498F-826F-1DCAE0EAEE34",
	  "principal": {"kind": "entrepreneur", "ogrnip": "304774600000011", "inn": "770100000142", "snils": "11223344595",
	                "surname": "Сидоров", "given": "Иван"},
	  "representatives": [{"kind": "entity", "name": "АО «Представитель»", "inn": "7714350892", "kpp": "771401001", "ogrn": "1157746734837"}],
	  "powers": {"text": "Представлять интересы во всех организациях", "joint": true}}`
	d, _ := buildInput(t, []byte(js), nil)
	if d.Info().GUID != "5f7737eb-d23c-498f-826f-1dcae0eaee34" || d.FileID != "ON_EMCHD_20260115_5f7737eb-d23c-498f-826f-1dcae0eaee34" {
		t.Errorf("identity: %s %s", d.Info().GUID, d.FileID)
	}
	if d.POA.Powers.Kind != PowersText || d.POA.Powers.Joint != "2" || d.POA.Principals[0].Entrepreneur.SNILS != "112-233-445 95" {
		t.Errorf("%+v %+v", d.POA.Powers, d.POA.Principals[0].Entrepreneur)
	}
}

func TestInputErrors(t *testing.T) {
	base := string(readExample(t, "poa.yaml"))
	edit := func(old, new string) string {
		if !strings.Contains(base, old) {
			t.Fatalf("example lacks %q", old)
		}
		return strings.Replace(base, old, new, 1)
	}
	for _, tc := range []struct{ in, want string }{
		{"", "the input is empty"},
		{"- a\n- b\n", "cannot unmarshal"},
		{"internal_number: [1\n", "line 1"},
		{edit("valid_until:", "valid_untill:"), `unknown field "valid_untill"`},
		{edit("  head:\n", "  head:\n    foo: 1\n"), `unknown field "foo"`},
		{edit("valid_until: 2031-12-31", "valid_until: 31.12.2031"), `valid_until: "31.12.2031" is not a date`},
		{edit("valid_until: 2031-12-31", "valid_until: 2020-01-01"), "valid_until: 2020-01-01 is before the issue date"},
		{edit("valid_until: 2031-12-31\n", ""), "valid_until: missing"},
		{edit(`internal_number: "15/2026"`, ""), "internal_number: missing"},
		{edit("retrust: once", "retrust: twice"), `retrust: "twice": use none, once or further`},
		{edit(`inn: "7708123450"`, `inn: "7708123451"`), "principal.inn: "},
		{edit(`ogrn: "1027708123453"`, `ogrn: "1027708123454"`), "principal.ogrn: "},
		{edit(`kpp: "770801001"`, `kpp: "0008"`), "principal.kpp: "},
		{edit("snils: 112-233-445 95", "snils: 112-233-445 96"), "principal.head.snils: "},
		{edit(`inn: "770812345620"`, `inn: "770812345621"`), "principal.head.inn: "},
		{edit("    position: Генеральный директор\n", ""), "principal.head.position: missing"},
		{edit("  kind: entity", "  kind: company"), `principal.kind: "company": use entity, entrepreneur, person`},
		{edit("snils: 223-344-556 39", "snils: 223-344-556 38"), "representatives[1].snils: "},
		{edit("birth_date: 1985-04-12", "birth_date: 1985-13-12"), "representatives[1].birth_date: "},
		{edit("          value_code: LIM_01_01\n", ""), "powers.machine[1].restrictions[1]: give exactly one of value_code and value_text"},
		{edit("    - code: 2_FNS21\n", "    - code: \"\"\n"), "powers.machine[2]: a power needs its code and name"},
		{edit("region: \"77\"", "region: Москва"), "principal.address.region: "},
		{edit("principal:", "grantor:"), "grantor: a retrust needs the POA it is based on"},
		{base + "---\ninternal_number: x\n", "more than one document"},
	} {
		in, err := ParseInput([]byte(tc.in))
		if err == nil {
			_, err = in.Build(inputToday, nil)
		}
		if err == nil {
			t.Errorf("accepted (want %q):\n%s", tc.want, tc.in)
			continue
		}
		if !errors.Is(err, ErrInput) {
			t.Errorf("%v does not wrap ErrInput", err)
		}
		if msg := err.Error(); !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
			t.Errorf("error %q: want one line containing %q", msg, tc.want)
		}
	}
}

// FuzzInput: ParseInput and Build never panic; an error is one line; what
// builds marshals to XML that Check reads.
func FuzzInput(f *testing.F) {
	for _, name := range []string{"poa.yaml", "retrust.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "examples", "mchd", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"internal_number":"1","valid_until":"2027-01-01","principal":{"kind":"person","surname":"А","given":"Б","snils":"11223344595"},"representatives":[{"surname":"В","given":"Г","inn":"770100000142"}],"powers":{"text":"всё"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := ParseInput(data)
		if err == nil {
			var d *Document
			if d, err = in.Build(inputToday, nil); err == nil {
				out, err := Marshal(d)
				if err != nil {
					t.Fatalf("Marshal of a built document: %v", err)
				}
				if _, _, err := Check(out); err != nil {
					t.Fatalf("Check of a built document: %v", err)
				}
				return
			}
		}
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("error on several lines: %q", err)
		}
	})
}

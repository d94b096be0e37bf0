package mchd

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
)

func TestSamplesRoundTrip(t *testing.T) {
	for name, data := range samples(t) {
		t.Run(name, func(t *testing.T) {
			d, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(d.Raw(), data) {
				t.Fatal("Raw differs from the parsed bytes")
			}
			if got := d.FileName(); got != name {
				t.Errorf("FileName = %q, want %q", got, name)
			}
			info := d.Info()
			if info == nil || d.POA == nil {
				t.Fatal("sample is not an original POA")
			}
			if want := StatusURL(info.GUID); info.StatusURL != want {
				t.Errorf("СведСист = %q, want %q", info.StatusURL, want)
			}
			if !strings.HasSuffix(d.FileID, info.GUID) {
				t.Errorf("ИдФайл %q does not end with НомДовер %q", d.FileID, info.GUID)
			}
			if p := d.POA.Principals; len(p) != 1 || p[0].Russian == nil || p[0].Russian.Organization.INN != "7714350892" {
				t.Errorf("principal not read: %+v", p)
			}
			if r := d.POA.Representatives; len(r) != 1 || r[0].Person == nil || r[0].Person.SNILS != "223-344-556 39" {
				t.Errorf("representative not read: %+v", r)
			}
			if len(d.POA.Powers.Machine) == 0 {
				t.Error("no machine-readable powers read")
			}
			out, err := Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			sameXML(t, data, out)
			// Real files are written exactly as Marshal writes them.
			if !bytes.Equal(out, data) {
				t.Errorf("Marshal output is not byte-identical to the real file:\n%s", out)
			}
			xmllint(t, out)
			// The .NET-style details of real files are reproduced too.
			if !bytes.HasPrefix(out, []byte(header)) {
				t.Error("output does not start with the XML declaration")
			}
			if !bytes.Contains(out, []byte(`" />`)) || !bytes.Contains(out, []byte("&quot;")) {
				t.Error("empty elements not self-closed or &quot; not used")
			}
			// Marshal is deterministic and a fixed point.
			d2, err := Parse(out)
			if err != nil {
				t.Fatal(err)
			}
			out2, err := Marshal(d2)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, out2) {
				t.Error("Marshal(Parse(Marshal(x))) != Marshal(x)")
			}
		})
	}
}

func TestSampleRestrictions(t *testing.T) {
	for name, data := range samples(t) {
		if !strings.Contains(name, "20250523") {
			continue
		}
		d, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		p := d.POA.Powers
		if p.LossOnRetrust != "1" || d.POA.Info.Retrust != RetrustFurther {
			t.Errorf("ПрУтрПолн = %q, ПрПередов = %q", p.LossOnRetrust, d.POA.Info.Retrust)
		}
		m := p.Machine[0]
		if m.Code != "KLASS_2.0_SIGN" || len(m.Restrictions) != 1 || m.Restrictions[0].ValueCode != "LIM_01_04" {
			t.Errorf("first power = %+v", m)
		}
	}
}

func TestParseBOM(t *testing.T) {
	d := build(t, PrincipalRussianEntity)
	out, err := Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	in := append([]byte{0xEF, 0xBB, 0xBF}, out...)
	p, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.Raw(), in) {
		t.Error("Raw does not keep the BOM")
	}
}

func TestParseMalformed(t *testing.T) {
	valid, err := Marshal(build(t, PrincipalRussianEntity))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"not XML", "hello"},
		{"truncated", string(valid[:len(valid)/2])},
		{"wrong root", `<?xml version="1.0"?><Доверенность2 xmlns="urn://x-artefacts/EMCHD_1"/>`},
		{"no namespace", `<Доверенность ВерсФорм="EMCHD_1"><Документ><Довер/></Документ></Доверенность>`},
		{"no body", `<Доверенность xmlns="urn://x-artefacts/EMCHD_1" ВерсФорм="EMCHD_1"><Документ/></Доверенность>`},
		{"both bodies", `<Доверенность xmlns="urn://x-artefacts/EMCHD_1"><Документ><Довер/><Передов/></Документ></Доверенность>`},
		{"windows-1251", `<?xml version="1.0" encoding="windows-1251"?><Доверенность xmlns="urn://x-artefacts/EMCHD_1"/>`},
		{"trailing element", string(valid) + "<x/>"},
		{"trailing text", string(valid) + "junk"},
		{"mismatched tag", `<Доверенность xmlns="urn://x-artefacts/EMCHD_1"><Документ></Доверенность>`},
		{"external entity", `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Доверенность xmlns="urn://x-artefacts/EMCHD_1" ИдФайл="&x;"><Документ><Довер/></Документ></Доверенность>`},
		{"duplicate attribute", `<Доверенность xmlns="urn://x-artefacts/EMCHD_1" ИдФайл="a" ИдФайл="b"><Документ><Довер/></Документ></Доверенность>`},
		{"second root", `<Доверенность xmlns="urn://x-artefacts/EMCHD_1"><Документ><Довер/></Документ></Доверенность><Доверенность xmlns="urn://x-artefacts/EMCHD_1"/>`},
		{"text before root", `x<Доверенность xmlns="urn://x-artefacts/EMCHD_1"><Документ><Довер/></Документ></Доверенность>`},
		{"bad entity", `<Доверенность xmlns="urn://x-artefacts/EMCHD_1" ИдФайл="&nope;"/>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("Parse accepted it: %+v", d)
			}
			if testing.Verbose() {
				t.Log(err)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "mchd: ") {
				t.Errorf("error is not one prefixed line: %q", msg)
			}
		})
	}
}

func TestMarshalRejects(t *testing.T) {
	if _, err := Marshal(nil); err == nil {
		t.Error("Marshal(nil) succeeded")
	}
	if _, err := Marshal(&Document{}); err == nil {
		t.Error("Marshal of a document without a body succeeded")
	}
}

func TestSelfClose(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<a></a>`, `<a />`},
		{`<a x="1"></a>`, `<a x="1" />`},
		{`<ab><a></a></ab>`, `<ab><a /></ab>`},
		{`<a>t</a>`, `<a>t</a>`},
		{`<a x="&#34;"><b></b></a>`, `<a x="&quot;"><b /></a>`},
		{`<ab></a>`, `<ab></a>`},
	}
	for _, tt := range tests {
		if got := string(selfClose([]byte(tt.in))); got != tt.want {
			t.Errorf("selfClose(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEncodingXMLInterfaces(t *testing.T) {
	for name, data := range samples(t) {
		var d Document
		if err := xml.Unmarshal(data, &d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d.POA == nil || d.Raw() != nil {
			t.Fatalf("%s: xml.Unmarshal gave %+v", name, d)
		}
		out, err := xml.Marshal(&d)
		if err != nil {
			t.Fatal(err)
		}
		sameXML(t, data, out)
	}
}

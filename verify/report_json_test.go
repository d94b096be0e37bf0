package verify

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestMCHDAndResultDetailRu: the JSON of a POA report, its steps, its
// parent's and of Result carry detailRu beside detail, as a signature's
// does (LocalizeDetail), and a revocation source's error errorRu; an unknown
// detail adds nothing.
func TestMCHDAndResultDetailRu(t *testing.T) {
	f := newMCHDFixture(t)
	d := f.poa(t, today(), 30)
	unsigned := MCHDFile{Name: d.FileName(), XML: marshal(t, d)}
	rep := f.check(t, unsigned, MCHDOptions{})
	wantMCHD(t, rep, Indeterminate, CodeMCHDUnsigned)
	rep.Parent = f.check(t, unsigned, MCHDOptions{}) // a parent is a report too
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		Step, Detail, DetailRu string
	}
	var back struct {
		Code     string `json:"code"`
		Detail   string `json:"detail"`
		DetailRu string `json:"detailRu"`
		Steps    []step `json:"steps"`
		Parent   *struct {
			DetailRu string `json:"detailRu"`
			Steps    []step `json:"steps"`
		} `json:"parent"`
	}
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	const ru = "подпись не передана"
	if back.Code != string(CodeMCHDUnsigned) || back.Detail != "no signature was given" || back.DetailRu != ru {
		t.Errorf("report JSON: %s", data)
	}
	found := false
	for _, s := range back.Steps {
		if s.Step == "signature" {
			found = s.DetailRu == ru && s.Detail == "no signature was given"
		}
		if s.Detail == "" && s.DetailRu != "" {
			t.Errorf("step %s: detailRu without detail", s.Step)
		}
	}
	if !found || back.Parent == nil || back.Parent.DetailRu != ru || len(back.Parent.Steps) != len(back.Steps) {
		t.Errorf("steps or parent without detailRu: %s", data)
	}
	// A passed step has no detail and so no detailRu.
	if strings.Contains(string(data), `"detailRu":""`) {
		t.Errorf("an empty detailRu: %s", data)
	}

	for _, c := range []struct{ detail, want string }{
		{"signature 1 (Sig1): /Contents cannot be read", `"detailRu":"подпись 1 (Sig1): /Contents не читается"`},
		{"an English sentence nobody translated", ""},
	} {
		data, err := json.Marshal(&Result{Kind: KindPDF, Indication: TotalFailed, Code: CodeFormatFailure, Detail: c.detail})
		if err != nil {
			t.Fatal(err)
		}
		if c.want == "" && strings.Contains(string(data), "detailRu") || c.want != "" && !strings.Contains(string(data), c.want) {
			t.Errorf("Result JSON for %q: %s", c.detail, data)
		}
		if !strings.Contains(string(data), `"kind":"pdf"`) || !strings.Contains(string(data), `"detail":"`+c.detail+`"`) {
			t.Errorf("Result JSON lost a field: %s", data)
		}
	}

	// A revocation source's error carries errorRu.
	ev, err := json.Marshal(RevocationEvidence{Certificate: "ООО", Serial: "01", Source: "ocsp", URL: "http://127.0.0.1:1/ocsp",
		Error: "http://127.0.0.1:1/ocsp: no answer within 5s"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ev), `"errorRu":"http://127.0.0.1:1/ocsp: нет ответа за 5s"`) || !strings.Contains(string(ev), `"source":"ocsp"`) {
		t.Errorf("evidence JSON: %s", ev)
	}
	if ev, _ := json.Marshal(RevocationEvidence{Source: "crl", Status: "good"}); strings.Contains(string(ev), "errorRu") {
		t.Errorf("evidence JSON without an error: %s", ev)
	}
}

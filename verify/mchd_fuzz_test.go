package verify

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/mchd"
)

// specMCHD holds the real samples of FORMAT.md §12, read in place.
const specMCHD = "../../shared/spec/mchd/samples"

// The real samples (unsigned copies: personal data replaced, FORMAT.md §12)
// pass the format step and are reported as unsigned, with what they say.
func TestMCHDRealSamples(t *testing.T) {
	names, _ := filepath.Glob(filepath.Join(specMCHD, "ON_EMCHD_*.xml"))
	if len(names) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatalf("real MCHD samples not found under %s", specMCHD)
		}
		t.Skipf("real MCHD samples not found under %s", specMCHD)
	}
	for _, n := range names {
		raw, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := MCHD(context.Background(), MCHDFile{Name: filepath.Base(n), XML: raw}, MCHDOptions{Options: Options{At: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Steps[0].Step != "format" || rep.Steps[0].Indication != TotalPassed {
			t.Errorf("%s: format step %+v", n, rep.Steps[0])
		}
		if rep.Code != CodeMCHDUnsigned || rep.Indication != Indeterminate {
			t.Errorf("%s: %s %s, want INDETERMINATE MCHD_UNSIGNED", n, rep.Indication, rep.Code)
		}
		m := rep.POA
		if m == nil || !strings.Contains(filepath.Base(n), m.GUID) || len(m.Principals) == 0 || m.Principals[0].INNLE == "" ||
			len(m.Principals[0].Heads) == 0 || len(m.Representatives) == 0 || len(m.Powers) == 0 {
			t.Errorf("%s: MCHD section %+v", n, m)
		}
	}
}

// FuzzMCHD: MCHD never panics and never fails to run on any XML and
// signature bytes; every step it reports has a code.
func FuzzMCHD(f *testing.F) {
	fx := newMCHDFixture(f)
	d := fx.poa(f, time.Date(2026, 11, 20, 0, 0, 0, 0, moscow), 365)
	file := fx.file(f, d, fx.p.Signer)
	f.Add(file.XML, file.Signature)
	f.Add(file.XML, []byte{})
	f.Add([]byte("<Доверенность/>"), file.Signature)
	rt, err := mchd.NewRetrust(d, time.Date(2026, 11, 21, 0, 0, 0, 0, moscow), time.Date(2027, 1, 1, 0, 0, 0, 0, moscow))
	if err != nil {
		f.Fatal(err)
	}
	rtRaw, err := mchd.Marshal(rt)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(rtRaw, file.Signature)
	opts := MCHDOptions{Options: Options{Roots: fx.roots, At: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}, Power: "X", Representative: fx.p.Person.Cert}
	f.Fuzz(func(t *testing.T, xml, sig []byte) {
		rep, err := MCHD(context.Background(), MCHDFile{XML: xml, Signature: sig, Parent: &MCHDFile{XML: file.XML, Signature: file.Signature}}, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Steps) == 0 || rep.Indication == "" {
			t.Fatalf("empty report: %+v", rep)
		}
		for _, s := range rep.Steps {
			if s.Code == "" || s.Indication == "" {
				t.Fatalf("step without a code: %+v", s)
			}
		}
		var b strings.Builder
		if err := rep.WriteText(&b, English); err != nil {
			t.Fatal(err)
		}
	})
}

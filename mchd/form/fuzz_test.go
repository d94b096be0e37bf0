package form

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/pdf"
)

// FuzzParseQRPayload: ParseQRPayload never panics, and whatever it accepts
// is exactly what QRPayload writes for that GUID and hash.
func FuzzParseQRPayload(f *testing.F) {
	f.Add(mchd.StatusURL("5f7737eb-d23c-498f-826f-1dcae0eaee34") + HashMarker + strings.Repeat("0f", 32))
	f.Add(mchd.StatusURL("5F7737EB-d23c-498f-826f-1dcae0eaee34") + HashMarker)
	f.Add("https://m4d.nalog.gov.ru/emchd/check-status?guid=")
	f.Fuzz(func(t *testing.T, s string) {
		guid, hash, err := ParseQRPayload(s)
		if err != nil {
			return
		}
		if back := mchd.StatusURL(guid) + HashMarker + hash; back != s {
			t.Fatalf("accepted %q, which QRPayload would write as %q", s, back)
		}
	})
}

// FuzzRender: any document Parse accepts renders without panicking, to a
// PDF within the size limit, or is refused with an error. Inputs are large
// and a rendering takes milliseconds: fuzz with -fuzzminimizetime=5s.
func FuzzRender(f *testing.F) {
	for _, p := range []string{sampleTax, sampleKlass} {
		if raw, err := os.ReadFile(p); err == nil {
			f.Add(raw)
		}
	}
	for _, k := range []string{mchd.PrincipalForeignEntity, mchd.PrincipalPerson} {
		_, raw := marshal(f, build(f, k))
		f.Add(raw)
	}
	r, _ := retrust(f)
	_, raw := marshal(f, r)
	f.Add(raw)
	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := mchd.Parse(raw)
		if err != nil {
			return
		}
		out, err := RenderBytes(d, raw, nil, Options{Created: testCreated, Lang: "en"})
		if err != nil {
			return
		}
		if !bytes.HasPrefix(out, []byte("%PDF-1.7")) || len(out) > pdf.MaxSize {
			t.Fatalf("%d bytes starting %.10q", len(out), out)
		}
	})
}

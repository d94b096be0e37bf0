package form

import (
	"strings"
	"testing"

	"github.com/podpis/podpis/mchd"
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

package pdfcheck

import (
	"bytes"
	"testing"

	"github.com/podpis/podpis/pdf"
	"github.com/podpis/podpis/pdf/pdfsign"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/sign"
)

// A file signed invisibly and then with a visible stamp passes every rule
// (the widgets are printable, have appearance streams, and the stamp's
// fonts are embedded); a widget without /AP, a hidden one and a stamp font
// without its program are each found.
func TestCheckSigned(t *testing.T) {
	p, err := devpki.New(devpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.NewSigner(p.Signer.Key, []*pki.Certificate{p.Signer.Cert, p.CA.Cert})
	if err != nil {
		t.Fatal(err)
	}
	one, err := pdfsign.SignBytes(t.Context(), samplePDF(t), s, pdfsign.Options{})
	if err != nil {
		t.Fatal(err)
	}
	two, err := pdfsign.SignBytes(t.Context(), one, s, pdfsign.Options{Stamp: &pdfsign.Stamp{Rect: [4]float64{pdf.Mm(110), pdf.Mm(20), pdf.Mm(195), pdf.Mm(50)}}})
	if err != nil {
		t.Fatal(err)
	}
	r := mustCheck(t, two)
	if f := failedRules(r); len(f) != 0 || len(r.QRCodes) != 1 {
		t.Fatalf("failed %v, QR %+v", f, r.QRCodes)
	}
	// The last /AP is the visible stamp's widget and the last /FontFile2 a
	// font of its appearance (both in the last update).
	i := bytes.LastIndex(two, []byte("/AP"))
	j := bytes.LastIndex(two, []byte("/FontFile2"))
	for name, c := range map[string]struct {
		data []byte
		rule string
	}{
		"no /AP":                  {append(append(bytes.Clone(two[:i]), "/XP"...), two[i+3:]...), RuleAppearance},
		"hidden":                  {bytes.Replace(two, []byte("/F 4"), []byte("/F 6"), -1), RuleAnnotFlags},
		"stamp font program gone": {append(append(bytes.Clone(two[:j]), "/FontFileX"...), two[j+10:]...), RuleFonts},
	} {
		t.Run(name, func(t *testing.T) {
			if _, ok := failedRules(mustCheck(t, c.data))[c.rule]; !ok {
				t.Errorf("rule %q not failed", c.rule)
			}
		})
	}
}

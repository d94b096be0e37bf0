package verify

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/cms/tsp"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
)

// signPOAAt signs raw as who claiming signingTime claimed and, unless
// stamped is zero, adds a signature timestamp from p's TSA with genTime
// stamped.
func signPOAAt(t *testing.T, p *devpki.PKI, who devpki.Party, raw []byte, claimed, stamped time.Time) []byte {
	t.Helper()
	sig, err := cms.Sign(bytes.NewReader(raw), cms.SignerConfig{Signer: who.Key, Certificate: who.Cert, SigningTime: claimed},
		cms.SignOptions{Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	if stamped.IsZero() {
		return sig
	}
	srv := httptest.NewServer(&tsp.Authority{Signer: p.TSA.Key, Certificate: p.TSA.Cert, Policy: devpki.TSAPolicy,
		Clock: func() time.Time { return stamped }})
	defer srv.Close()
	out, err := cms.AddTimestamp(context.Background(), sig, &tsp.Client{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMCHDTimeRule: a POA signed while the head's certificate was valid,
// still in its term, checked after the certificate expired. The time rule
// is CMS's (EN 319 102-1 §5.5): a timestamp proves the signature existed
// while the certificate was valid; the claimed signingTime alone does not,
// whatever FORMAT.md §8.3.3's "else signingTime" suggests (see MCHD).
func TestMCHDTimeRule(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	p, err := devpki.New(devpki.Options{Now: now.AddDate(-2, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Signer.Cert.NotAfter.Before(now) {
		t.Fatalf("the signer's certificate has not expired: %s", p.Signer.Cert.NotAfter)
	}
	roots := pki.NewCertPool()
	roots.AddCert(p.CA.Cert)
	f := &mchdFixture{p: p, roots: roots}
	signed := now.AddDate(-1, -6, 0) // while the certificate was valid
	d := f.poa(t, signed.In(moscow), 3*365)
	raw := marshal(t, d)
	certStep := func(rep *MCHDReport) MCHDStep {
		for _, s := range rep.Steps {
			if s.Step == "certificate" {
				return s
			}
		}
		t.Fatalf("no certificate step: %+v", rep.Steps)
		return MCHDStep{}
	}

	// Without a timestamp: the certificate step, and so the POA, is
	// INDETERMINATE OUT_OF_BOUNDS_NO_POE, exactly as CMS says of the same
	// signature.
	sig := signPOAAt(t, p, p.Signer, raw, signed, time.Time{})
	rep := f.check(t, MCHDFile{Name: d.FileName(), XML: raw, Signature: sig}, MCHDOptions{})
	wantMCHD(t, rep, Indeterminate, CodeCertExpired)
	if st := certStep(rep); st.Indication != Indeterminate || st.SubIndication != OutOfBoundsNoPOE || st.Code != CodeCertExpired {
		t.Errorf("certificate step %+v", st)
	}
	s := rep.Signature.Signatures[0]
	if s.ProofOfExistence != nil || !hasWarning(s, CodeSigningTimeFromSigner) || hasWarning(s, CodeMCHDCheckedAtSigning) {
		t.Errorf("signature: poe %v, warnings %v", s.ProofOfExistence, s.Warnings)
	}
	cmsRep, err := CMS(context.Background(), sig, bytes.NewReader(raw), Options{Roots: roots})
	if err != nil {
		t.Fatal(err)
	}
	if c := cmsRep.Signatures[0]; c.Indication != certStep(rep).Indication || c.SubIndication != certStep(rep).SubIndication || c.Code != certStep(rep).Code {
		t.Errorf("CMS says %s/%s %s of the same signature, MCHD %+v", c.Indication, c.SubIndication, c.Code, certStep(rep))
	}

	// With a timestamp at the signing time: passed, the path checked at it.
	sigT := signPOAAt(t, p, p.Signer, raw, signed, signed)
	rep = f.check(t, MCHDFile{Name: d.FileName(), XML: raw, Signature: sigT}, MCHDOptions{})
	wantMCHD(t, rep, TotalPassed, CodeOK)
	s = rep.Signature.Signatures[0]
	if s.ProofOfExistence == nil || !s.ProofOfExistence.Equal(signed) || !hasWarning(s, CodeValidatedAtTimestamp) {
		t.Errorf("timestamped: poe %v, warnings %v", s.ProofOfExistence, s.Warnings)
	}

	// A claim after the last day of the term fails the POA even without a
	// proof: the signer's own claim counts against the signer.
	short := f.poa(t, signed.In(moscow), 30)
	rawShort := marshal(t, short)
	late := signPOAAt(t, p, p.Signer, rawShort, signed.AddDate(0, 2, 0), time.Time{})
	rep = f.check(t, MCHDFile{Name: short.FileName(), XML: rawShort, Signature: late}, MCHDOptions{Options: Options{At: signed.AddDate(0, 0, 10)}})
	wantMCHD(t, rep, TotalFailed, CodeMCHDSignedAfterTerm)
	if !strings.Contains(rep.Detail, "after the last day of validity") {
		t.Errorf("detail %q", rep.Detail)
	}
}

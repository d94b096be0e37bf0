package verify

import (
	"bytes"
	"context"
	"math/big"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/cms/tsp"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
)

// timestamped returns f.sig turned into CAdES-T by the TSA of p.
func timestamped(t *testing.T, sig []byte, p *devpki.PKI) []byte {
	t.Helper()
	srv := httptest.NewServer(&tsp.Authority{Signer: p.TSA.Key, Certificate: p.TSA.Cert, Policy: devpki.TSAPolicy})
	defer srv.Close()
	out, err := cms.AddTimestamp(context.Background(), sig, &tsp.Client{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func hasWarning(s SignatureReport, c Code) bool {
	for _, w := range s.Warnings {
		if w.Code == c {
			return true
		}
	}
	return false
}

func TestTimestamps(t *testing.T) {
	f := newFixture(t)
	sigT := timestamped(t, f.sig, f.p)

	rep := run(t, sigT, content, Options{Roots: f.roots})
	s := rep.Signatures[0]
	if s.Code != CodeOK || s.Timestamp == nil || !s.Timestamp.Valid || time.Since(s.Timestamp.Time) > time.Minute {
		t.Fatalf("CAdES-T: %s %+v %s", s.Code, s.Timestamp, s.Detail)
	}
	if s.Timestamp.TSA != "Служба штампов времени podpis" || hasWarning(s, CodeSigningTimeFromSigner) {
		t.Errorf("TSA %q, warnings %v", s.Timestamp.TSA, s.Warnings)
	}

	// Two years on the signer's certificate has expired; the timestamp proves
	// the signature existed while it was valid.
	later := time.Now().AddDate(2, 0, 0)
	s = run(t, sigT, content, Options{Roots: f.roots, At: later}).Signatures[0]
	if s.Code != CodeOK || !hasWarning(s, CodeValidatedAtTimestamp) {
		t.Fatalf("expired with timestamp: %s %s %v", s.Code, s.Detail, s.Warnings)
	}
	// Without the timestamp it is undecided.
	if s := run(t, f.sig, content, Options{Roots: f.roots, At: later}).Signatures[0]; s.Code != CodeCertExpired {
		t.Fatalf("expired without timestamp: %s", s.Code)
	}

	// A revocation after the timestamp does not touch the signature; before it, it does.
	revokedAt := func(when time.Time) []*pki.RevocationList {
		der, err := pki.CreateRevocationList(&pki.CRLTemplate{Number: big.NewInt(3), ThisUpdate: when, NextUpdate: when.Add(time.Hour),
			Revoked: []pki.RevokedCertificate{{SerialNumber: f.p.Signer.Cert.SerialNumber, RevocationTime: when}}}, f.p.CA.Cert, f.p.CA.Key)
		if err != nil {
			t.Fatal(err)
		}
		l, _ := pki.ParseRevocationList(der)
		return []*pki.RevocationList{l}
	}
	in := time.Now().Add(time.Hour).Truncate(time.Second)
	s = run(t, sigT, content, Options{Roots: f.roots, At: in.Add(time.Minute), CRLs: revokedAt(in)}).Signatures[0]
	if s.Code != CodeOK {
		t.Fatalf("revoked after the timestamp: %s %s", s.Code, s.Detail)
	}
	s = run(t, f.sig, content, Options{Roots: f.roots, At: in.Add(time.Minute), CRLs: revokedAt(in)}).Signatures[0]
	if s.Code != CodeCertRevoked {
		t.Fatalf("revoked, no timestamp: %s %s", s.Code, s.Detail)
	}

	// A TSA from another PKI is not trusted: a warning, and no rescue.
	other, _ := devpki.New(devpki.Options{})
	sigU := timestamped(t, f.sig, other)
	s = run(t, sigU, content, Options{Roots: f.roots}).Signatures[0]
	if s.Code != CodeOK || !hasWarning(s, CodeTimestampUntrusted) || s.Timestamp.Valid {
		t.Fatalf("untrusted TSA: %s %v", s.Code, s.Warnings)
	}
	if s := run(t, sigU, content, Options{Roots: f.roots, At: later}).Signatures[0]; s.Code != CodeCertExpired {
		t.Fatalf("untrusted TSA rescued an expired certificate: %s", s.Code)
	}
	// The timestamp covers the signature value, not the document: a changed
	// document still fails.
	if s := run(t, sigT, bytes.ToUpper(content), Options{Roots: f.roots}).Signatures[0]; s.Code != CodeContentMismatch {
		t.Fatalf("changed document: %s", s.Code)
	}
}

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

// signAt signs content as p.Signer claiming signingTime claimed, and, unless
// stamped is zero, adds a signature timestamp from p's TSA with genTime
// stamped.
func signAt(t *testing.T, p *devpki.PKI, claimed, stamped time.Time) []byte {
	return signAtTSA(t, p, p.TSA, claimed, stamped)
}

func signAtTSA(t *testing.T, p *devpki.PKI, tsa devpki.Party, claimed, stamped time.Time) []byte {
	t.Helper()
	sig, err := cms.Sign(bytes.NewReader(content), cms.SignerConfig{Signer: p.Signer.Key, Certificate: p.Signer.Cert, SigningTime: claimed},
		cms.SignOptions{Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	if stamped.IsZero() {
		return sig
	}
	srv := httptest.NewServer(&tsp.Authority{Signer: tsa.Key, Certificate: tsa.Cert, Policy: devpki.TSAPolicy,
		Clock: func() time.Time { return stamped }})
	defer srv.Close()
	out, err := cms.AddTimestamp(context.Background(), sig, &tsp.Client{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func crlRevoking(t *testing.T, p *devpki.PKI, serial *big.Int, at, issued time.Time) []*pki.RevocationList {
	t.Helper()
	der, err := pki.CreateRevocationList(&pki.CRLTemplate{Number: big.NewInt(7), ThisUpdate: issued, NextUpdate: issued.Add(24 * time.Hour),
		Revoked: []pki.RevokedCertificate{{SerialNumber: serial, RevocationTime: at, ReasonCode: 1}}}, p.CA.Cert, p.CA.Key)
	if err != nil {
		t.Fatal(err)
	}
	l, err := pki.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	return []*pki.RevocationList{l}
}

// TestBestSignatureTime checks the time rules of CMS's doc comment on a PKI
// issued two years ago, whose end-entity certificates (one year) have
// expired: a timestamp is a proof of existence, the signingTime claim is not.
func TestBestSignatureTime(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	p, err := devpki.New(devpki.Options{Now: now.AddDate(-2, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	roots := pki.NewCertPool()
	roots.AddCert(p.CA.Cert)
	if !p.Signer.Cert.NotAfter.Before(now) {
		t.Fatalf("the signer's certificate has not expired: %s", p.Signer.Cert.NotAfter)
	}
	signed := now.AddDate(-1, -6, 0) // while the certificate was valid
	sigT := signAt(t, p, signed, signed)
	sig := signAt(t, p, signed, time.Time{})

	// Expired now, valid at the timestamp's genTime: passed, with the POE.
	rep := run(t, sigT, content, Options{Roots: roots})
	s := rep.Signatures[0]
	if rep.Indication != TotalPassed || s.Code != CodeOK || s.ProofOfExistence == nil || !s.ProofOfExistence.Equal(signed) ||
		!hasWarning(s, CodeValidatedAtTimestamp) || hasWarning(s, CodeSigningTimeFromSigner) {
		t.Fatalf("expired, timestamped: %s %s %s poe %v %v", rep.Indication, s.Code, s.Detail, s.ProofOfExistence, s.Warnings)
	}
	// The same without the timestamp: the claimed time proves nothing.
	rep = run(t, sig, content, Options{Roots: roots})
	s = rep.Signatures[0]
	if rep.Indication != Indeterminate || s.SubIndication != OutOfBoundsNoPOE || s.Code != CodeCertExpired || s.ProofOfExistence != nil ||
		!hasWarning(s, CodeSigningTimeFromSigner) {
		t.Fatalf("expired, claimed time only: %s/%s %s %v", rep.Indication, s.SubIndication, s.Code, s.Warnings)
	}

	// Revoked after the timestamp: passed, with REVOKED_AFTER_SIGNING.
	later := crlRevoking(t, p, p.Signer.Cert.SerialNumber, signed.AddDate(0, 3, 0), now.Add(-time.Minute))
	s = run(t, sigT, content, Options{Roots: roots, CRLs: later}).Signatures[0]
	if s.Indication != TotalPassed || s.Revocation != NotRevoked || !hasWarning(s, CodeRevokedAfterSigning) {
		t.Fatalf("revoked after the timestamp: %s %s %s %v", s.Indication, s.Code, s.Detail, s.Warnings)
	}
	// Revoked before it: failed.
	earlier := crlRevoking(t, p, p.Signer.Cert.SerialNumber, signed.Add(-time.Hour), now.Add(-time.Minute))
	s = run(t, sigT, content, Options{Roots: roots, CRLs: earlier}).Signatures[0]
	if s.Indication != TotalFailed || s.SubIndication != Revoked || s.Code != CodeCertRevoked {
		t.Fatalf("revoked before the timestamp: %s/%s %s", s.Indication, s.SubIndication, s.Code)
	}
	// A claimed signing time before the revocation does not rescue a
	// signature without a timestamp from a revocation before now.
	p2, err := devpki.New(devpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	roots2 := pki.NewCertPool()
	roots2.AddCert(p2.CA.Cert)
	sig2 := signAt(t, p2, now.Add(-30*time.Minute), time.Time{})
	s = run(t, sig2, content, Options{Roots: roots2, CRLs: crlRevoking(t, p2, p2.Signer.Cert.SerialNumber, now.Add(-10*time.Minute), now.Add(-time.Minute))}).Signatures[0]
	if s.Code != CodeCertRevoked {
		t.Fatalf("revoked after the claimed signing time, no timestamp: %s %v", s.Code, s.Warnings)
	}
}

// TestSignedBeforeCertificate: neither a claim nor a proof of existence may
// predate the signer's certificate (EN 319 102-1 §5.5.4); a claim has
// clockSkew of tolerance.
func TestSignedBeforeCertificate(t *testing.T) {
	p, err := devpki.New(devpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	nb := p.Signer.Cert.NotBefore
	// A TSA whose certificate is older than the signer's, so that its
	// tokens before nb are trusted.
	old, err := devpki.New(devpki.Options{Now: nb.AddDate(0, 0, -2)})
	if err != nil {
		t.Fatal(err)
	}
	roots := pki.NewCertPool()
	roots.AddCert(p.CA.Cert)
	roots.AddCert(old.CA.Cert)
	for _, c := range []struct {
		name             string
		claimed, stamped time.Time
		want             Code
	}{
		{"claimed a day before", nb.AddDate(0, 0, -1), time.Time{}, CodeSignedBeforeCert},
		{"claimed 6 minutes before", nb.Add(-6 * time.Minute), time.Time{}, CodeSignedBeforeCert},
		{"claimed 2 minutes before (clock skew)", nb.Add(-2 * time.Minute), time.Time{}, CodeOK},
		{"timestamped a second before", nb.Add(time.Minute), nb.Add(-time.Second), CodeSignedBeforeCert},
		{"claimed before, timestamped after", nb.AddDate(0, 0, -1), nb.Add(time.Minute), CodeSignedBeforeCert},
		{"both after", nb.Add(time.Minute), nb.Add(2 * time.Minute), CodeOK},
		{"claimed an hour after the timestamp", nb.Add(2 * time.Hour), nb.Add(time.Hour), CodeOK},
	} {
		rep := run(t, signAtTSA(t, p, old.TSA, c.claimed, c.stamped), content, Options{Roots: roots})
		s := rep.Signatures[0]
		if !c.stamped.IsZero() && (s.Timestamp == nil || !s.Timestamp.Valid) {
			t.Errorf("%s: the timestamp is not trusted: %v", c.name, s.Warnings)
		}
		if s.Code != c.want {
			t.Errorf("%s: %s %s", c.name, s.Code, s.Detail)
			continue
		}
		if after := c.claimed.After(c.stamped.Add(clockSkew)) && !c.stamped.IsZero(); hasWarning(s, CodeSigningTimeAfterTimestamp) != after {
			t.Errorf("%s: warnings %v", c.name, s.Warnings)
		}
		if c.want == CodeSignedBeforeCert && (rep.Indication != TotalFailed || s.SubIndication != NotYetValid) {
			t.Errorf("%s: %s/%s", c.name, rep.Indication, s.SubIndication)
		}
	}
}

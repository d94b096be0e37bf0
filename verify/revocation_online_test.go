package verify

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/pki/ocsp"
)

// online is a test PKI whose certificates name a devpki responder on
// loopback, and a detached signature by its signer.
type online struct {
	p     *devpki.PKI
	dir   string
	srv   *httptest.Server
	roots *pki.CertPool
	sig   []byte
	// block, when set, answers 503 on the paths it names.
	block atomic.Value // string prefix
	hits  atomic.Int64
}

func newOnline(t testing.TB) *online {
	t.Helper()
	o := &online{dir: t.TempDir()}
	o.block.Store("")
	var h http.Handler
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.hits.Add(1)
		if b := o.block.Load().(string); b != "" && strings.HasPrefix(r.URL.Path, b) {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(o.srv.Close)
	p, err := devpki.New(devpki.Options{BaseURL: o.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WriteDir(o.dir, false); err != nil {
		t.Fatal(err)
	}
	if h, err = devpki.NewHandler(o.dir); err != nil {
		t.Fatal(err)
	}
	o.p = p
	o.roots = pki.NewCertPool()
	o.roots.AddCert(p.CA.Cert)
	if o.sig, err = cms.Sign(bytes.NewReader(content), cms.SignerConfig{Signer: p.Signer.Key, Certificate: p.Signer.Cert}, cms.SignOptions{Detached: true}); err != nil {
		t.Fatal(err)
	}
	return o
}

func (o *online) verify(t *testing.T, opts Options) SignatureReport {
	t.Helper()
	opts.Roots, opts.Online = o.roots, true
	rep := run(t, o.sig, content, opts)
	if len(rep.Signatures) != 1 {
		t.Fatalf("%d signatures", len(rep.Signatures))
	}
	return rep.Signatures[0]
}

func TestOnlineOCSP(t *testing.T) {
	o := newOnline(t)
	s := o.verify(t, Options{})
	if s.Indication != TotalPassed || s.Revocation != NotRevoked || len(s.RevocationEvidence) != 1 {
		t.Fatalf("good: %s %s %s %+v", s.Indication, s.Code, s.Detail, s.RevocationEvidence)
	}
	ev := s.RevocationEvidence[0]
	if ev.Source != "ocsp" || ev.Status != "good" || ev.Signer != "OCSP-служба podpis" || ev.ProducedAt == nil || ev.NextUpdate == nil ||
		ev.URL != devpki.OCSPURL(o.srv.URL) || ev.Error != "" {
		t.Errorf("evidence: %+v", ev)
	}

	at := time.Now().Add(-time.Minute)
	if err := devpki.Revoke(o.dir, o.p.Signer.Cert.SerialNumber, 1, at); err != nil {
		t.Fatal(err)
	}
	s = o.verify(t, Options{})
	if s.Indication != TotalFailed || s.SubIndication != Revoked || s.Code != CodeCertRevoked || s.Revocation != RevocationRevoked {
		t.Fatalf("revoked: %s %s %s", s.Indication, s.Code, s.Detail)
	}
	ev = s.RevocationEvidence[0]
	if ev.Status != "revoked" || ev.RevokedAt == nil || !ev.RevokedAt.Equal(at.Truncate(time.Second)) || ev.Reason != 1 {
		t.Errorf("revoked evidence: %+v", ev)
	}
	if !strings.Contains(s.Detail, at.UTC().Truncate(time.Second).Format(time.RFC3339)) {
		t.Errorf("detail does not say when: %s", s.Detail)
	}
	// Validated at a time before the revocation, the signature stands.
	s = o.verify(t, Options{At: at.Add(-10 * time.Second)})
	if s.Indication != TotalPassed {
		t.Errorf("before the revocation: %s %s", s.Code, s.Detail)
	}
}

// The OCSP responder is down: the CRL distribution point answers.
func TestOnlineCRLFallback(t *testing.T) {
	o := newOnline(t)
	o.block.Store(devpki.OCSPPath)
	s := o.verify(t, Options{})
	if s.Indication != TotalPassed || len(s.RevocationEvidence) != 2 {
		t.Fatalf("%s %s %+v", s.Code, s.Detail, s.RevocationEvidence)
	}
	if e := s.RevocationEvidence[0]; e.Source != "ocsp" || !strings.Contains(e.Error, "503") {
		t.Errorf("OCSP evidence: %+v", e)
	}
	if e := s.RevocationEvidence[1]; e.Source != "crl" || e.Status != "good" || e.CRLNumber != "1" || e.URL != devpki.CRLURL(o.srv.URL) || e.ThisUpdate == nil {
		t.Errorf("CRL evidence: %+v", e)
	}
	if err := devpki.Revoke(o.dir, o.p.Signer.Cert.SerialNumber, 4, time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	s = o.verify(t, Options{})
	if s.Code != CodeCertRevoked || s.RevocationEvidence[1].CRLNumber != "2" || s.RevocationEvidence[1].Reason != 4 {
		t.Fatalf("revoked by CRL: %s %+v", s.Code, s.RevocationEvidence)
	}
}

// Nothing answers: INDETERMINATE, never valid.
func TestOnlineUnavailable(t *testing.T) {
	o := newOnline(t)
	o.block.Store("/")
	s := o.verify(t, Options{})
	if s.Indication != Indeterminate || s.SubIndication != TryLater || s.Code != CodeRevocationUnavailable || s.Revocation != RevocationUnknown {
		t.Fatalf("%s %s %s %s", s.Indication, s.SubIndication, s.Code, s.Detail)
	}
	if len(s.RevocationEvidence) != 2 || s.RevocationEvidence[0].Error == "" || s.RevocationEvidence[1].Error == "" {
		t.Errorf("evidence: %+v", s.RevocationEvidence)
	}
	// The server gone altogether.
	o.srv.Close()
	if s := o.verify(t, Options{}); s.Code != CodeRevocationUnavailable {
		t.Fatalf("server down: %s %s", s.Code, s.Detail)
	}
	// A certificate that names no server, with Online: unavailable too.
	f := newFixture(t)
	rep := run(t, f.sig, content, Options{Roots: f.roots, Online: true})
	if s := rep.Signatures[0]; s.Code != CodeRevocationUnavailable || !strings.Contains(s.RevocationEvidence[0].Error, "names no http") {
		t.Fatalf("no URLs: %s %+v", s.Code, s.RevocationEvidence)
	}
}

// A server that never answers costs the fetcher's timeout per URL, not a hang.
func TestOnlineSlowServer(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer slow.Close()
	p, err := devpki.New(devpki.Options{BaseURL: slow.URL})
	if err != nil {
		t.Fatal(err)
	}
	roots := pki.NewCertPool()
	roots.AddCert(p.CA.Cert)
	sig, _ := cms.Sign(bytes.NewReader(content), cms.SignerConfig{Signer: p.Signer.Key, Certificate: p.Signer.Cert}, cms.SignOptions{Detached: true})
	start := time.Now()
	rep := run(t, sig, content, Options{Roots: roots, Online: true, Fetcher: &HTTPFetcher{Timeout: 300 * time.Millisecond}})
	took := time.Since(start)
	if s := rep.Signatures[0]; s.Indication != Indeterminate || s.Code != CodeRevocationUnavailable ||
		!strings.Contains(s.RevocationEvidence[0].Error, "no answer within 300ms") {
		t.Fatalf("%s %s %+v", s.Indication, s.Code, s.RevocationEvidence)
	}
	if took > 5*time.Second {
		t.Errorf("took %s with a 300 ms timeout per URL", took)
	}
	// A cancelled context stops the check at once too.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := CMS(ctx, sig, bytes.NewReader(content), Options{Roots: roots, Online: true}); err == nil {
		t.Error("a cancelled verification ran")
	}
}

// A shared cache answers the second verification without the network while
// the answers are current.
func TestOnlineCache(t *testing.T) {
	o := newOnline(t)
	cache := NewRevocationCache()
	o.verify(t, Options{Cache: cache})
	n := o.hits.Load()
	s := o.verify(t, Options{Cache: cache})
	if o.hits.Load() != n || !s.RevocationEvidence[0].Cached || s.Indication != TotalPassed {
		t.Fatalf("second call fetched (%d → %d) or was not cached: %+v", n, o.hits.Load(), s.RevocationEvidence)
	}
	// Past nextUpdate (an hour for devpki's OCSP answers) it asks again.
	cache.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	o.verify(t, Options{Cache: cache, At: time.Now()})
	if o.hits.Load() == n {
		t.Error("a stale answer was used")
	}
}

// Revoked after the time a timestamp proves: the signature stands, with the
// evidence and a warning; without the timestamp it is revoked.
func TestRevokedAfterSigning(t *testing.T) {
	f := newFixture(t)
	sigT := timestamped(t, f.sig, f.p)
	now := time.Now()
	crl := f.crl(t, f.p.CA, pki.RevokedCertificate{SerialNumber: f.p.Signer.Cert.SerialNumber, RevocationTime: now.Add(30 * time.Minute), ReasonCode: 1})
	opts := Options{Roots: f.roots, CRLs: []*pki.RevocationList{crl}, At: now.Add(time.Hour)}
	s := run(t, sigT, content, opts).Signatures[0]
	if s.Code != CodeOK || !hasWarning(s, CodeRevokedAfterSigning) || len(s.RevocationEvidence) != 1 || s.RevocationEvidence[0].Status != "revoked" {
		t.Fatalf("with timestamp: %s %s %v %+v", s.Code, s.Detail, s.Warnings, s.RevocationEvidence)
	}
	if s := run(t, f.sig, content, opts).Signatures[0]; s.Code != CodeCertRevoked {
		t.Fatalf("without timestamp: %s", s.Code)
	}
}

// Validating at an earlier time with a CRL fetched now: the CRL answers for
// it (entries stay until the certificate expires).
func TestOnlineCRLEarlierTime(t *testing.T) {
	o := newOnline(t)
	o.block.Store(devpki.OCSPPath)
	revokedAt := time.Now().Add(-time.Minute)
	if err := devpki.Revoke(o.dir, o.p.Signer.Cert.SerialNumber, 1, revokedAt); err != nil {
		t.Fatal(err)
	}
	if s := o.verify(t, Options{At: revokedAt.Add(-10 * time.Second)}); s.Code != CodeOK || s.RevocationEvidence[1].Status != "revoked" {
		t.Fatalf("before the revocation: %s %s %+v", s.Code, s.Detail, s.RevocationEvidence)
	}
	if s := o.verify(t, Options{}); s.Code != CodeCertRevoked {
		t.Fatalf("now: %s", s.Code)
	}
}

// Answers that must not count: signed by someone the CA did not authorise,
// with another nonce, stale, not OCSP at all, too big. Each leaves the
// status unavailable (the CRL point is blocked), never good.
func TestOnlineHostileAnswers(t *testing.T) {
	o := newOnline(t)
	other, _ := devpki.New(devpki.Options{})
	now := time.Now()
	forge := func(signer devpki.Party, tweak func(*ocsp.ResponseTemplate, *ocsp.Request)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			enc, _ := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), devpki.OCSPPath+"/"))
			der, _ := base64.StdEncoding.DecodeString(enc)
			req, err := ocsp.ParseRequest(der)
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			tmpl := &ocsp.ResponseTemplate{Nonce: req.Nonce, Responses: []ocsp.SingleResponse{
				{CertID: req.CertIDs[0], Status: ocsp.Good, ThisUpdate: now, NextUpdate: now.Add(time.Hour)}}}
			if tweak != nil {
				tweak(tmpl, req)
			}
			resp, err := ocsp.CreateResponse(tmpl, signer.Cert, signer.Key, o.p.CA.Cert)
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			w.Write(resp)
		}
	}
	for name, tc := range map[string]struct {
		h    http.HandlerFunc
		want string
	}{
		"control":           {forge(o.p.OCSP, nil), ""},
		"another CA's OCSP": {forge(other.OCSP, nil), "not issued by"},
		"the signer's key":  {forge(o.p.Signer, nil), "OCSPSigning"},
		"another nonce":     {forge(o.p.OCSP, func(t *ocsp.ResponseTemplate, _ *ocsp.Request) { t.Nonce = []byte("replayed") }), "nonce"},
		"stale": {forge(o.p.OCSP, func(t *ocsp.ResponseTemplate, _ *ocsp.Request) {
			t.Responses[0].ThisUpdate, t.Responses[0].NextUpdate = now.Add(-3*time.Hour), now.Add(-2*time.Hour)
		}), "stale"},
		"from the future":     {forge(o.p.OCSP, func(t *ocsp.ResponseTemplate, _ *ocsp.Request) { t.Responses[0].ThisUpdate = now.Add(time.Hour) }), "future"},
		"another certificate": {forge(o.p.OCSP, func(t *ocsp.ResponseTemplate, _ *ocsp.Request) { t.Responses[0].CertID.SerialNumber = big.NewInt(1) }), "does not cover"},
		"expired responder":   {forge(expiredResponder(t, o.p), func(t *ocsp.ResponseTemplate, _ *ocsp.Request) { t.ProducedAt = now.Add(-48 * time.Hour) }), "not valid at"},
		"HTML":                {func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>hello</html>")) }, "not an OCSP response"},
		"tryLater":            {func(w http.ResponseWriter, r *http.Request) { w.Write(ocsp.ErrorResponse(ocsp.TryLater)) }, "tryLater"},
		"huge":                {func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 2<<20)) }, "more than"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasPrefix(r.URL.Path, devpki.OCSPPath+"/") {
					http.Error(w, "no CRL here", http.StatusServiceUnavailable)
					return
				}
				tc.h(w, r)
			}))
			defer srv.Close()
			key, cert := o.p.Signer.Key, issueWithOCSP(t, o.p, srv.URL+devpki.OCSPPath)
			sig, _ := cms.Sign(bytes.NewReader(content), cms.SignerConfig{Signer: key, Certificate: cert}, cms.SignOptions{Detached: true})
			rep := run(t, sig, content, Options{Roots: o.roots, Online: true, Fetcher: &HTTPFetcher{MaxSize: 1 << 20}})
			s := rep.Signatures[0]
			if tc.want == "" {
				if s.Code != CodeOK {
					t.Fatalf("control: %s %s %+v", s.Code, s.Detail, s.RevocationEvidence)
				}
				return
			}
			if s.Code != CodeRevocationUnavailable || !strings.Contains(s.RevocationEvidence[0].Error, tc.want) {
				t.Fatalf("%s %+v, want an error with %q", s.Code, s.RevocationEvidence, tc.want)
			}
		})
	}
}

// issueWithOCSP issues a certificate for p.Signer's key naming ocspURL.
func issueWithOCSP(t *testing.T, p *devpki.PKI, ocspURL string) *pki.Certificate {
	t.Helper()
	serial, _ := pki.RandomSerial(nil)
	der, err := pki.CreateCertificate(&pki.Template{SerialNumber: serial, Subject: p.Signer.Cert.SubjectName,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), OCSPServer: []string{ocspURL}},
		p.CA.Cert, p.Signer.Key.Public(), p.CA.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := pki.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// expiredResponder is a delegated OCSP responder of p's CA whose certificate
// expired yesterday.
func expiredResponder(t *testing.T, p *devpki.PKI) devpki.Party {
	t.Helper()
	serial, _ := pki.RandomSerial(nil)
	der, err := pki.CreateCertificate(&pki.Template{SerialNumber: serial, Subject: pki.Name{CommonName: "expired OCSP"},
		NotBefore: time.Now().Add(-72 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}}, p.CA.Cert, p.OCSP.Key.Public(), p.CA.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := pki.ParseCertificate(der)
	return devpki.Party{Key: p.OCSP.Key, Cert: c}
}

// A delegated responder without id-pkix-ocsp-nocheck is itself checked, in
// the CA's CRL: while good its answers count; once revoked they do not, and
// the signer's own CRL decides.
func TestOnlineResponderRevocation(t *testing.T) {
	o := newOnline(t)
	serial, _ := pki.RandomSerial(nil)
	der, err := pki.CreateCertificate(&pki.Template{SerialNumber: serial, Subject: pki.Name{CommonName: "OCSP без nocheck"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}, CRLDistributionPoints: []string{devpki.CRLURL(o.srv.URL)}},
		o.p.CA.Cert, o.p.OCSP.Key.Public(), o.p.CA.Key)
	if err != nil {
		t.Fatal(err)
	}
	// The handler rereads ocsp.pem: it now answers with this certificate.
	if err := os.WriteFile(filepath.Join(o.dir, "ocsp.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	s := o.verify(t, Options{})
	if s.Code != CodeOK || len(s.RevocationEvidence) != 1 || s.RevocationEvidence[0].Signer != "OCSP без nocheck" {
		t.Fatalf("good responder: %s %s %+v", s.Code, s.Detail, s.RevocationEvidence)
	}
	if err := devpki.Revoke(o.dir, serial, 1, time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	s = o.verify(t, Options{})
	if s.Code != CodeOK || len(s.RevocationEvidence) != 2 || !strings.Contains(s.RevocationEvidence[0].Error, "responder \"OCSP без nocheck\" was revoked") ||
		s.RevocationEvidence[1].Source != "crl" {
		t.Fatalf("revoked responder: %s %s %+v", s.Code, s.Detail, s.RevocationEvidence)
	}
}

// A certificate naming many servers that do not answer costs at most
// maxURLs fetches of each kind.
func TestOnlineManyURLs(t *testing.T) {
	o := newOnline(t)
	var hits atomic.Int64
	dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "no", http.StatusServiceUnavailable)
	}))
	defer dead.Close()
	var urls []string
	for i := range 50 {
		urls = append(urls, fmt.Sprintf("%s/%d", dead.URL, i))
	}
	serial, _ := pki.RandomSerial(nil)
	der, err := pki.CreateCertificate(&pki.Template{SerialNumber: serial, Subject: o.p.Signer.Cert.SubjectName,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), OCSPServer: urls, CRLDistributionPoints: urls},
		o.p.CA.Cert, o.p.Signer.Key.Public(), o.p.CA.Key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := pki.ParseCertificate(der)
	sig, _ := cms.Sign(bytes.NewReader(content), cms.SignerConfig{Signer: o.p.Signer.Key, Certificate: cert}, cms.SignOptions{Detached: true})
	s := run(t, sig, content, Options{Roots: o.roots, Online: true}).Signatures[0]
	if s.Code != CodeRevocationUnavailable || hits.Load() != 2*maxURLs || len(s.RevocationEvidence) != 2*maxURLs {
		t.Fatalf("%s after %d fetches, %d evidence entries", s.Code, hits.Load(), len(s.RevocationEvidence))
	}
}

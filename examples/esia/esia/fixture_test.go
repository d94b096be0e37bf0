package esia_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/podpis/podpis/examples/esia/esia"
	"github.com/podpis/podpis/examples/esia/internal/standin"
	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
)

const (
	clientID = "TESTSYS"
	redirect = "https://portal.example/esia/callback"
	oid      = 1000299654
)

var scopes = []string{"openid", "fullname"}

// clock is a settable clock shared by the client and the stand-in.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fixture is a test PKI (the system's organisation key is its Signer), ESIA's
// key from a CA of its own, the stand-in on an httptest server and a client.
type fixture struct {
	pki, esiaPKI *devpki.PKI
	esiaKey      *gost3410.PrivateKey
	esiaCert     *pki.Certificate
	clock        *clock
	stand        *standin.Server
	srv          *httptest.Server
	client       *esia.Client
	cfg          esia.Config
}

var shared struct {
	once         sync.Once
	pki, esiaPKI *devpki.PKI
	esiaKey      *gost3410.PrivateKey
	esiaCert     *pki.Certificate
	err          error
	start        time.Time
}

// newFixture builds a fixture; mod may change the stand-in's configuration.
func newFixture(t testing.TB, mod func(*standin.Config)) *fixture {
	t.Helper()
	shared.once.Do(func() {
		shared.start = time.Now()
		if shared.pki, shared.err = devpki.New(devpki.Options{}); shared.err != nil {
			return
		}
		if shared.esiaPKI, shared.err = devpki.New(devpki.Options{}); shared.err != nil {
			return
		}
		shared.esiaKey, shared.esiaCert, shared.err = standin.NewESIAKey(shared.esiaPKI.CA, time.Now())
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	f := &fixture{pki: shared.pki, esiaPKI: shared.esiaPKI, esiaKey: shared.esiaKey, esiaCert: shared.esiaCert,
		clock: &clock{t: time.Now()}}
	roots := pki.NewCertPool()
	roots.AddCert(f.pki.CA.Cert)
	crl, err := pki.ParseRevocationList(f.pki.CRL)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewUnstartedServer(nil)
	base := "http://" + f.srv.Listener.Addr().String()
	sc := standin.Config{
		ClientID: clientID, ClientCertificate: f.pki.Signer.Cert, RedirectURIs: []string{redirect},
		Scopes: scopes, Roots: roots, CRLs: []*pki.RevocationList{crl},
		Key: f.esiaKey, Issuer: base + "/", OID: oid, Now: f.clock.Now,
	}
	if mod != nil {
		mod(&sc)
	}
	if f.stand, err = standin.New(sc); err != nil {
		t.Fatal(err)
	}
	f.srv.Config.Handler = f.stand
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	f.cfg = esia.Config{
		ClientID: clientID, RedirectURI: redirect, Scopes: scopes, BaseURL: base,
		Signer: f.pki.Signer.Key, Certificate: f.pki.Signer.Cert,
		ESIACertificates: []*pki.Certificate{f.esiaCert}, Issuer: base + "/",
		Now: f.clock.Now,
	}
	f.client = f.newClient(t, nil)
	return f
}

func (f *fixture) newClient(t testing.TB, mod func(*esia.Config)) *esia.Client {
	t.Helper()
	cfg := f.cfg
	if mod != nil {
		mod(&cfg)
	}
	c, err := esia.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// open plays the browser: it opens authURL and returns the status and the
// query of the redirect (nil when there was none).
func (f *fixture) open(t testing.TB, authURL string) (int, url.Values) {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return resp.StatusCode, nil
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirect {
		t.Fatalf("redirected to %s, want %s", got, redirect)
	}
	return resp.StatusCode, loc.Query()
}

// code runs the authorisation request with c and returns the code.
func (f *fixture) code(t testing.TB, c *esia.Client) string {
	t.Helper()
	state := esia.NewState()
	u, err := c.AuthURL(state)
	if err != nil {
		t.Fatal(err)
	}
	_, q := f.open(t, u)
	code, err := c.Callback(q, state)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func (f *fixture) exchange(t *testing.T, c *esia.Client, code string) (*esia.Token, error) {
	t.Helper()
	return c.Exchange(context.Background(), code)
}

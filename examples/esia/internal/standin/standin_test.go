package standin

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
)

var fixture struct {
	once sync.Once
	s    *Server
	err  error
}

func server(t testing.TB) *Server {
	t.Helper()
	fixture.once.Do(func() {
		p, err := devpki.New(devpki.Options{})
		if err != nil {
			fixture.err = err
			return
		}
		key, _, err := NewESIAKey(p.CA, time.Now())
		if err != nil {
			fixture.err = err
			return
		}
		roots := pki.NewCertPool()
		roots.AddCert(p.CA.Cert)
		fixture.s, fixture.err = New(Config{ClientID: "TESTSYS", ClientCertificate: p.Signer.Cert,
			RedirectURIs: []string{"https://portal.example/cb"}, Scopes: []string{"openid"},
			Roots: roots, Key: key, Issuer: "https://esia.example/", OID: 1})
	})
	if fixture.err != nil {
		t.Fatal(fixture.err)
	}
	return fixture.s
}

func TestNewRefuses(t *testing.T) {
	if _, err := New(Config{ClientID: "X"}); err == nil {
		t.Error("an incomplete registration was accepted")
	}
}

func TestMethodsAndPaths(t *testing.T) {
	s := server(t)
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"POST", AuthPath, 405}, {"GET", TokenPath, 405}, {"GET", "/aas/oauth2/v2/ac", 404},
	} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(c.method, c.path, nil))
		if w.Code != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, w.Code, c.status)
		}
	}
}

// FuzzToken posts arbitrary forms to the token endpoint: never a token (no
// code was issued), always RFC 6749 §5.2 JSON, never a panic.
// Corpus: testdata/fuzz/FuzzToken.
func FuzzToken(f *testing.F) {
	s := server(f)
	f.Add("client_id=TESTSYS&grant_type=authorization_code&token_type=Bearer&scope=openid&state=5f0c4b1e-8a2d-4c3b-9e1f-0a1b2c3d4e5f&timestamp=2026.01.02+03%3A04%3A05+%2B0300&client_secret=AAAA&code=x&redirect_uri=https%3A%2F%2Fportal.example%2Fcb")
	f.Add("client_id=TESTSYS&grant_type=authorization_code&token_type=Bearer&client_secret=%3D%3D%3D")
	f.Add("%zz&&==")
	f.Fuzz(func(t *testing.T, form string) {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", TokenPath, strings.NewReader(form))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		s.ServeHTTP(w, r)
		if w.Code == http.StatusOK || !strings.Contains(w.Body.String(), `"error"`) {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	})
}

// FuzzAuthorize sends arbitrary queries to the authorisation endpoint: no
// redirect ever carries a code, and a redirect goes only to the registered
// URI. Corpus: testdata/fuzz/FuzzAuthorize.
func FuzzAuthorize(f *testing.F) {
	s := server(f)
	f.Add("client_id=TESTSYS&redirect_uri=https%3A%2F%2Fportal.example%2Fcb&response_type=code&access_type=online&scope=openid&state=5f0c4b1e-8a2d-4c3b-9e1f-0a1b2c3d4e5f&timestamp=2026.01.02+03%3A04%3A05+%2B0300&client_secret=MIIB")
	f.Add("client_id=TESTSYS&redirect_uri=https%3A%2F%2Fportal.example%2Fcb&state=x")
	f.Add("client_id=OTHER&redirect_uri=https%3A%2F%2Fevil.example")
	f.Fuzz(func(t *testing.T, query string) {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", AuthPath, nil)
		r.URL.RawQuery = query
		s.ServeHTTP(w, r)
		if w.Code != http.StatusFound {
			return
		}
		loc, err := url.Parse(w.Header().Get("Location"))
		if err != nil || loc.Host != "portal.example" || loc.Query().Get("code") != "" || loc.Query().Get("error") == "" {
			t.Fatalf("redirect %q", w.Header().Get("Location"))
		}
	})
}

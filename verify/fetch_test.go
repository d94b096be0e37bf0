package verify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A hostile or broken server: too big (announced or not), an error status,
// a redirect loop, a scheme that is not fetched.
func TestHTTPFetcherLimits(t *testing.T) {
	big := strings.Repeat("x", 2048)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			w.Write([]byte("crl"))
		case "/big":
			w.Write([]byte(big))
		case "/chunked":
			w.Write([]byte(big[:1000]))
			w.(http.Flusher).Flush()
			w.Write([]byte(big[1000:]))
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/ftp":
			http.Redirect(w, r, "ftp://example.test/x", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	f := &HTTPFetcher{MaxSize: 1024, Timeout: 5 * time.Second}
	ctx := context.Background()
	if b, err := f.Fetch(ctx, srv.URL+"/ok"); err != nil || string(b) != "crl" {
		t.Fatalf("ok: %q %v", b, err)
	}
	for path, want := range map[string]string{
		"/big": "more than", "/chunked": "more than", "/missing": "404", "/loop": "redirects", "/ftp": "ftp",
	} {
		if _, err := f.Fetch(ctx, srv.URL+path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", path, err, want)
		}
	}
	for _, u := range []string{"ldap://ldap.example.test/cn=CA?certificateRevocationList", "file:///etc/passwd", "::"} {
		if _, err := f.Fetch(ctx, u); err == nil {
			t.Errorf("%s fetched", u)
		}
	}
}

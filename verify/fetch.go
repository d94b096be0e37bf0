package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Fetcher gets revocation data by URL: a CRL from a distribution point, or
// an OCSP response by the GET form of RFC 6960 Appendix A.1 (the request is
// in the URL). Implementations must honour ctx and bound what they read.
type Fetcher interface {
	Fetch(ctx context.Context, url string) ([]byte, error)
}

// HTTPFetcher is a Fetcher over HTTP and HTTPS. The zero value uses the
// defaults below. It is safe for concurrent use.
type HTTPFetcher struct {
	// Client sends the requests; nil means a client of its own that follows
	// at most 3 redirects, to http and https URLs only.
	Client *http.Client
	// Timeout bounds one fetch, connection to last byte; zero means
	// DefaultFetchTimeout. A server that does not answer in time fails the
	// fetch, and the revocation check then says REVOCATION_UNAVAILABLE.
	Timeout time.Duration
	// MaxSize bounds the body; zero means DefaultMaxFetchSize. A larger
	// answer fails the fetch without being read to the end.
	MaxSize int64
}

// Defaults of HTTPFetcher.
const (
	DefaultFetchTimeout = 15 * time.Second
	// DefaultMaxFetchSize admits the CRLs of large Russian CAs (tens of
	// megabytes) and bounds the memory a hostile server can take.
	DefaultMaxFetchSize = 64 << 20
)

var defaultClient = &http.Client{
	CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 3 {
			return errors.New("too many redirects")
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("redirect to a %s: URL", req.URL.Scheme)
		}
		return nil
	},
}

// Fetch GETs rawURL and returns the body of a 200 answer.
func (f *HTTPFetcher) Fetch(ctx context.Context, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%s: only http and https URLs are fetched", redact(u))
	}
	timeout, max := f.Timeout, f.MaxSize
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	if max <= 0 {
		max = DefaultMaxFetchSize
	}
	client := f.Client
	if client == nil {
		client = defaultClient
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "podpis-verify")
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("%s: no answer within %s", redact(u), timeout)
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %s", redact(u), resp.Status)
	}
	if resp.ContentLength > max {
		return nil, fmt.Errorf("%s: answer of %d bytes, more than the %d allowed", redact(u), resp.ContentLength, max)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("%s: answer not complete within %s", redact(u), timeout)
		}
		return nil, fmt.Errorf("%s: %w", redact(u), err)
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("%s: answer of more than the %d bytes allowed", redact(u), max)
	}
	return body, nil
}

// redact names a URL in messages without an OCSP request or credentials:
// scheme, host and path, cut at 80 characters.
func redact(u *url.URL) string {
	s := u.Scheme + "://" + u.Host + u.EscapedPath()
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}

package tsp

import (
	"bytes"
	"context"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/podpis/podpis/cms"
)

// MaxResponseSize bounds the body Fetch reads. Tokens that carry the TSA's
// chain and revocation data, as CryptoPro's do, stay under 64 KiB.
const MaxResponseSize = 1 << 20

func algorithm(oid asn1.ObjectIdentifier) pkix.AlgorithmIdentifier {
	return pkix.AlgorithmIdentifier{Algorithm: oid}
}

// Fetch posts req to the TSA at url (RFC 3161 §3.4) with client (nil means
// http.DefaultClient) and returns its parsed response. It checks the HTTP
// exchange and the response syntax, not the token: Client.Timestamp does that.
func Fetch(ctx context.Context, client *http.Client, url string, req *Request) (*Response, error) {
	body, err := req.Marshal()
	if err != nil {
		return nil, fmt.Errorf("tsp: encoding the request: %w", err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("tsp: %w", err)
	}
	hr.Header.Set("Content-Type", "application/timestamp-query")
	hr.Header.Set("Accept", "application/timestamp-reply")
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("tsp: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("tsp: %s answered HTTP %s", url, resp.Status)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/timestamp-reply" {
		return nil, fmt.Errorf("tsp: %s answered with Content-Type %q", url, resp.Header.Get("Content-Type"))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseSize+1))
	if err != nil {
		return nil, fmt.Errorf("tsp: reading the response: %w", err)
	}
	if len(data) > MaxResponseSize {
		return nil, fmt.Errorf("tsp: response larger than %d bytes", MaxResponseSize)
	}
	return ParseResponse(data)
}

// Client gets time-stamp tokens from a TSA over HTTP. It implements
// cms.Timestamper.
type Client struct {
	URL string
	// HTTPClient is used for the requests; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Policy, when not nil, is asked for and must be in the token.
	Policy asn1.ObjectIdentifier
}

var _ cms.Timestamper = (*Client)(nil)

// Timestamp asks the TSA for a token over digest (made with hashAlg), with a
// random nonce and certReq, and checks what comes back: status granted, a
// token whose TSTInfo carries this imprint, this nonce and the asked policy,
// and whose signature verifies (cms.VerifyTimestampToken with the token's own
// certificates). Whether the TSA is trusted is not checked here.
func (c *Client) Timestamp(ctx context.Context, hashAlg asn1.ObjectIdentifier, digest []byte) ([]byte, error) {
	req, err := NewRequest(hashAlg, digest)
	if err != nil {
		return nil, err
	}
	req.Policy = c.Policy
	resp, err := Fetch(ctx, c.HTTPClient, c.URL, req)
	if err != nil {
		return nil, err
	}
	if resp.Status != Granted && resp.Status != GrantedWithMods {
		return nil, &RejectedError{Status: resp.Status, FailInfo: resp.FailInfo, Text: resp.StatusString}
	}
	if resp.Token == nil {
		return nil, errors.New("tsp: granted response without a token")
	}
	if err := CheckToken(resp.Token, req); err != nil {
		return nil, err
	}
	return resp.Token, nil
}

// CheckToken checks that token answers req: its signature verifies with the
// certificates it carries, and its TSTInfo has req's imprint, nonce and (when
// req names one) policy.
func CheckToken(token []byte, req *Request) error {
	sd, err := cms.Parse(token)
	if err != nil {
		return fmt.Errorf("tsp: token: %w", err)
	}
	if !sd.ContentType.Equal(cms.OIDTSTInfo) || sd.Detached {
		return errors.New("tsp: token does not carry a TSTInfo")
	}
	info, err := cms.ParseTSTInfo(sd.Content)
	if err != nil {
		return fmt.Errorf("tsp: token: %w", err)
	}
	switch {
	case !info.HashAlgorithm.Algorithm.Equal(req.HashAlgorithm) || !bytes.Equal(info.HashedMessage, req.HashedMessage):
		return errors.New("tsp: the token time-stamps another message imprint")
	case req.Nonce != nil && (info.Nonce == nil || info.Nonce.Cmp(req.Nonce) != 0):
		return errors.New("tsp: the token's nonce differs from the request's")
	case req.Policy != nil && !info.Policy.Equal(req.Policy):
		return fmt.Errorf("tsp: the token's policy %v is not the one asked for", info.Policy)
	}
	res, err := sd.Verify(cms.VerifyOptions{})
	if err != nil {
		return fmt.Errorf("tsp: token: %w", err)
	}
	if len(res.Signers) != 1 || res.Signers[0].Code != cms.OK {
		if len(res.Signers) == 1 {
			return fmt.Errorf("tsp: token signature: %s: %s", res.Signers[0].Code, res.Signers[0].Detail)
		}
		return fmt.Errorf("tsp: token has %d signers", len(res.Signers))
	}
	return nil
}

// RejectedError is a TSA's refusal.
type RejectedError struct {
	Status   Status
	FailInfo FailureInfo
	Text     []string
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("tsp: the TSA refused (status %d, failInfo %#x): %q", e.Status, uint32(e.FailInfo), e.Text)
}

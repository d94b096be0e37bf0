package tsp

import (
	"bytes"
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/gost/streebog"
	"github.com/podpis/podpis/pki"
)

var (
	testPolicy = asn1.ObjectIdentifier{1, 2, 643, 999, 1}
	genTime    = time.Date(2026, 5, 4, 3, 2, 1, 234500000, time.UTC)
)

// tsaPKI is a CA, a TSA certificate (critical extKeyUsage timeStamping, RFC
// 3161 §2.3) and a signer's key and certificate, all CryptoPro-A.
type tsaPKI struct {
	caKey, tsaKey, signerKey *gost3410.PrivateKey
	ca, tsa, signer          *pki.Certificate
}

var (
	pkiOnce sync.Once
	thePKI  *tsaPKI
)

func testPKI(t testing.TB) *tsaPKI {
	t.Helper()
	pkiOnce.Do(func() {
		p := &tsaPKI{}
		for _, k := range []**gost3410.PrivateKey{&p.caKey, &p.tsaKey, &p.signerKey} {
			var err error
			if *k, err = gost3410.GenerateKey(gost3410.CryptoProA, nil); err != nil {
				t.Fatal(err)
			}
		}
		issue := func(serial int64, name string, pub any, parent *pki.Certificate, edit func(*pki.Template)) *pki.Certificate {
			tmpl := &pki.Template{
				SerialNumber: big.NewInt(serial),
				Subject:      pki.Name{CommonName: name, Country: "RU"},
				NotBefore:    time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
				NotAfter:     time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC),
			}
			edit(tmpl)
			der, err := pki.CreateCertificate(tmpl, parent, pub, p.caKey)
			if err != nil {
				t.Fatal(err)
			}
			c, err := pki.ParseCertificate(der)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		p.ca = issue(1, "podpis TSA test CA", p.caKey.Public(), nil, func(t *pki.Template) {
			t.IsCA, t.MaxPathLen, t.KeyUsage = true, -1, x509.KeyUsageCertSign|x509.KeyUsageCRLSign
		})
		eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
		p.tsa = issue(2, "podpis test TSA", p.tsaKey.Public(), p.ca, func(t *pki.Template) {
			t.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
			t.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}}
		})
		p.signer = issue(3, "Подписант", p.signerKey.Public(), p.ca, func(t *pki.Template) {
			t.KeyUsage = x509.KeyUsageDigitalSignature
		})
		thePKI = p
	})
	if thePKI == nil {
		t.Fatal("test PKI not made")
	}
	return thePKI
}

func (p *tsaPKI) authority() *Authority {
	serial := int64(1000)
	var mu sync.Mutex
	return &Authority{
		Signer: p.tsaKey, Certificate: p.tsa, Chain: []*pki.Certificate{p.ca},
		Policy: testPolicy, Clock: func() time.Time { return genTime }, Accuracy: 1500 * time.Millisecond,
		Serial: func() (*big.Int, error) { mu.Lock(); defer mu.Unlock(); serial++; return big.NewInt(serial), nil },
	}
}

func TestRequestRoundTrip(t *testing.T) {
	d := streebog.Sum256([]byte("data"))
	req, err := NewRequest(pki.OIDStreebog256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	req.Policy = testPolicy
	der, err := req.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	if !got.HashAlgorithm.Equal(pki.OIDStreebog256) || !bytes.Equal(got.HashedMessage, d[:]) || !got.Policy.Equal(testPolicy) ||
		got.Nonce.Cmp(req.Nonce) != 0 || !got.CertReq {
		t.Fatalf("round trip: %+v", got)
	}
	if _, err := NewRequest(pki.OIDStreebog256, d[:5]); err == nil {
		t.Error("short digest accepted")
	}
	if _, err := NewRequest(asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}, make([]byte, 20)); err == nil {
		t.Error("SHA-1 accepted")
	}
	for _, bad := range [][]byte{nil, {0x30, 0x00}, der[:len(der)-1], append(bytes.Clone(der), 0)} {
		if _, err := ParseRequest(bad); !errors.Is(err, ErrFormat) {
			t.Errorf("ParseRequest(%x): %v", bad, err)
		}
	}
}

// The failInfo BIT STRING is DER named bits (X.690 §11.2.2).
func TestResponseEncoding(t *testing.T) {
	for _, c := range []struct {
		fail FailureInfo
		want string
	}{
		{BadAlg, "03020780"},
		{BadDataFormat, "03020204"},
		{UnacceptedPolicy, "0303000001"},
		{SystemFailure, "030506000000" + "40"},
		{BadAlg | BadRequest, "030205a0"},
	} {
		r := &Response{Status: Rejection, FailInfo: c.fail}
		der, err := r.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(hex.EncodeToString(der), c.want) {
			t.Errorf("failInfo %#x: %x lacks %s", uint32(c.fail), der, c.want)
		}
		back, err := ParseResponse(der)
		if err != nil || back.FailInfo != c.fail || back.Status != Rejection {
			t.Errorf("failInfo %#x: parsed back %+v, %v", uint32(c.fail), back, err)
		}
	}
}

func TestAuthority(t *testing.T) {
	p := testPKI(t)
	a := p.authority()
	data := []byte("signature value to time-stamp")
	d := streebog.Sum256(data)
	req, _ := NewRequest(pki.OIDStreebog256, d[:])
	resp, err := a.Respond(req)
	if err != nil || resp.Status != Granted {
		t.Fatalf("%+v, %v", resp, err)
	}
	if err := CheckToken(resp.Token, req); err != nil {
		t.Fatal(err)
	}
	r := cms.VerifyTimestampToken(resp.Token, data, nil)
	if r.Code != cms.OK || !r.GenTime.Equal(genTime) || !r.Certificate.Equal(p.tsa) || r.Info.Accuracy != 1500*time.Millisecond ||
		r.Info.SerialNumber.Int64() != 1001 || !r.Info.Policy.Equal(testPolicy) {
		t.Fatalf("%s %s %+v", r.Code, r.Detail, r.Info)
	}
	if len(r.Token.Certificates) != 2 {
		t.Errorf("%d certificates with certReq", len(r.Token.Certificates))
	}
	// Without certReq the token carries no certificate (RFC 3161 §2.4.2).
	req.CertReq = false
	resp, _ = a.Respond(req)
	if r := cms.VerifyTimestampToken(resp.Token, data, nil); r.Code != cms.SignerCertNotFound {
		t.Errorf("without certReq: %s", r.Code)
	}
	if r := cms.VerifyTimestampToken(resp.Token, data, []*pki.Certificate{p.tsa}); r.Code != cms.OK {
		t.Errorf("with the TSA certificate given: %s %s", r.Code, r.Detail)
	}

	for name, c := range map[string]struct {
		req  Request
		fail FailureInfo
	}{
		"SHA-1":           {Request{HashAlgorithm: asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}, HashedMessage: make([]byte, 20)}, BadAlg},
		"short digest":    {Request{HashAlgorithm: pki.OIDStreebog256, HashedMessage: make([]byte, 31)}, BadDataFormat},
		"other policy":    {Request{HashAlgorithm: pki.OIDStreebog256, HashedMessage: d[:], Policy: asn1.ObjectIdentifier{1, 2, 3}}, UnacceptedPolicy},
		"with extensions": {Request{HashAlgorithm: pki.OIDStreebog256, HashedMessage: d[:], Extensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3}, Value: []byte{5, 0}}}}, UnacceptedExtension},
	} {
		resp, err := a.Respond(&c.req)
		if err != nil || resp.Status != Rejection || resp.FailInfo != c.fail || resp.Token != nil {
			t.Errorf("%s: %+v, %v", name, resp, err)
		}
	}
	broken := *a
	broken.Signer = p.signerKey // not the certificate's key
	if resp, err := broken.Respond(req); err == nil || resp.FailInfo != SystemFailure {
		t.Errorf("wrong TSA key: %+v, %v", resp, err)
	}
}

func TestHTTPAndAddTimestamp(t *testing.T) {
	p := testPKI(t)
	srv := httptest.NewServer(p.authority())
	defer srv.Close()
	ctx := context.Background()
	content := []byte("document")
	bes, err := cms.Sign(bytes.NewReader(content), cms.SignerConfig{Signer: p.signerKey, Certificate: p.signer}, cms.SignOptions{Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	client := &Client{URL: srv.URL, Policy: testPolicy}
	cadesT, err := cms.AddTimestamp(ctx, bes, client)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := cms.Parse(bes)
	after, _ := cms.Parse(cadesT)
	if !bytes.HasPrefix(after.Signers[0].Raw[4:], before.Signers[0].Raw[4:len(before.Signers[0].Raw)]) {
		t.Error("the signed part of the SignerInfo changed")
	}
	res, err := cms.Verify(cadesT, cms.VerifyOptions{Content: bytes.NewReader(content)})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Signers[0]
	if s.Code != cms.OK || len(s.Timestamps) != 1 || s.Timestamps[0].Code != cms.OK || !s.Timestamps[0].GenTime.Equal(genTime) {
		t.Fatalf("%s %+v", s.Code, s.Timestamps)
	}
	// A second timestamp is added beside the first.
	twice, err := cms.AddTimestamp(ctx, cadesT, client)
	if err != nil {
		t.Fatal(err)
	}
	res, _ = cms.Verify(twice, cms.VerifyOptions{Content: bytes.NewReader(content)})
	if n := len(res.Signers[0].Timestamps); n != 2 || res.Signers[0].Code != cms.OK {
		t.Errorf("%d timestamps after the second, code %s", n, res.Signers[0].Code)
	}

	// A timestamp moved to another signature does not match it.
	other, _ := cms.Sign(bytes.NewReader(content), cms.SignerConfig{Signer: p.signerKey, Certificate: p.signer}, cms.SignOptions{Detached: true})
	otherSD, _ := cms.Parse(other)
	token := after.Signers[0].UnsignedAttrs[0].Values[0]
	if r := cms.VerifyTimestampToken(token, otherSD.Signers[0].Signature, nil); r.Code != cms.TimestampMismatch {
		t.Errorf("moved token: %s", r.Code)
	}

	// HTTP errors.
	for _, c := range []struct {
		method, ctype string
		body          []byte
		status        int
	}{
		{http.MethodGet, "", nil, http.StatusMethodNotAllowed},
		{http.MethodPost, "text/plain", []byte("x"), http.StatusUnsupportedMediaType},
		{http.MethodPost, "application/timestamp-query", []byte("garbage"), http.StatusOK},
		{http.MethodPost, "application/timestamp-query", make([]byte, MaxRequestSize+1), http.StatusOK},
	} {
		hr, _ := http.NewRequest(c.method, srv.URL, bytes.NewReader(c.body))
		if c.ctype != "" {
			hr.Header.Set("Content-Type", c.ctype)
		}
		resp, err := http.DefaultClient.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: HTTP %d", c.method, c.ctype, resp.StatusCode)
		}
	}
	bad := &Client{URL: srv.URL, Policy: asn1.ObjectIdentifier{1, 2, 3}}
	var rej *RejectedError
	if _, err := bad.Timestamp(ctx, pki.OIDStreebog256, make([]byte, 32)); !errors.As(err, &rej) || rej.FailInfo != UnacceptedPolicy {
		t.Errorf("rejection: %v", err)
	}
	if _, err := (&Client{URL: srv.URL + "/nowhere\x00"}).Timestamp(ctx, pki.OIDStreebog256, make([]byte, 32)); err == nil {
		t.Error("bad URL accepted")
	}
}

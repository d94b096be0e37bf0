package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/internal/pgtest"
	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/pdf"
	"github.com/podpis/podpis/pdf/pdfsign"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/sign"
	"github.com/podpis/podpis/verify"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	if code == 0 {
		// Every answer the tests saw against the OpenAPI document
		// (openapi_test.go), when every test ran.
		if err := checkObserved(); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: openapi.json:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// document is the signed document of the tests; its text and file name must
// never reach the log.
var document = []byte("Договор поставки № 4711-СЕКРЕТ: содержание документа")

const docName = "dogovor-4711-secret.txt"

// inputs are real signed inputs made once with a devpki test PKI.
type inputs struct {
	p     *devpki.PKI
	roots *pki.CertPool
	// sig is a detached CMS over document by the organisation's head.
	sig []byte
	// pdf is a PDF signed with pdf/pdfsign.
	pdf []byte
	// poa is a power of attorney from the organisation to the person, with
	// its signature by the head; byPerson the person's signature over
	// document (a representative's signature).
	poa                   verify.MCHDFile
	byPerson              []byte
	headName, personName  string
	headSNILS, personINN  string
	orgName, principalINN string
}

var fixture = sync.OnceValues(func() (*inputs, error) {
	p, err := devpki.New(devpki.Options{})
	if err != nil {
		return nil, err
	}
	in := &inputs{p: p, roots: pki.NewCertPool()}
	in.roots.AddCert(p.CA.Cert)
	signBy := func(who devpki.Party, data []byte) ([]byte, error) {
		return cms.Sign(bytes.NewReader(data), cms.SignerConfig{Signer: who.Key, Certificate: who.Cert}, cms.SignOptions{Detached: true})
	}
	if in.sig, err = signBy(p.Signer, document); err != nil {
		return nil, err
	}
	if in.pdf, err = signedPDF(p, 1); err != nil {
		return nil, err
	}
	d := poa(p, time.Now().AddDate(0, 0, -1), 30)
	raw, err := mchd.Marshal(d)
	if err != nil {
		return nil, err
	}
	poaSig, err := signBy(p.Signer, raw)
	if err != nil {
		return nil, err
	}
	in.poa = verify.MCHDFile{Name: d.FileName(), XML: raw, Signature: poaSig}
	if in.byPerson, err = signBy(p.Person, document); err != nil {
		return nil, err
	}
	h, pe := p.Signer.Cert.SubjectName, p.Person.Cert.SubjectName
	in.headName, in.personName, in.headSNILS, in.personINN = h.Surname, pe.Surname, h.SNILS, pe.INN
	in.orgName, in.principalINN = h.Organization, h.INNLE
	return in, nil
})

func getInputs(t testing.TB) *inputs {
	t.Helper()
	in, err := fixture()
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// official is a person of the POA with the numbers of a devpki certificate.
func official(c *pki.Certificate, position string) *mchd.Official {
	n := c.SubjectName
	given, patronymic, _ := strings.Cut(n.GivenName, " ")
	s := n.SNILS
	if len(s) == 11 {
		s = s[0:3] + "-" + s[3:6] + "-" + s[6:9] + " " + s[9:11]
	}
	return &mchd.Official{INN: n.INN, SNILS: s, Position: position,
		Person: mchd.Person{Name: mchd.FullName{Surname: n.Surname, Given: given, Patronymic: patronymic}}}
}

// poa is an original POA from the devpki organisation (its head is the
// Signer) to the devpki Person, granting KLASS_2.0_SIGN.
func poa(p *devpki.PKI, issued time.Time, days int) *mchd.Document {
	head := p.Signer.Cert.SubjectName
	d := mchd.New(issued, issued.AddDate(0, 0, days))
	d.POA.Info.InternalNumber = "1/2026"
	d.POA.Principals = []mchd.Principal{{Kind: mchd.PrincipalRussianEntity, Russian: &mchd.RussianEntityPrincipal{
		Organization:  mchd.Organization{Name: head.Organization, INN: head.INNLE, KPP: "770801001", OGRN: head.OGRN},
		HeadIsCompany: "0", HeadIsPerson: "1", HeadIsEntrepreneur: "0",
		Heads: []mchd.ActingWithoutPOA{{Authority: "1", Person: official(p.Signer.Cert, head.Title)}},
	}}}
	d.POA.Representatives = []mchd.Representative{{Kind: mchd.RepresentativePerson, Person: official(p.Person.Cert, "")}}
	d.POA.Powers = mchd.Powers{Kind: mchd.PowersMachine, Joint: "1", Machine: []mchd.MachinePower{
		{Code: "KLASS_2.0_SIGN", Name: "Подписывать"},
	}}
	return d
}

// env is a running server with an SQLite key store and one key.
type env struct {
	in   *inputs
	srv  *Server
	ts   *httptest.Server
	keys *KeyStore
	key  string
	logs *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// newEnv starts a server over real inputs; edit changes the config first.
func newEnv(t testing.TB, edit func(*Config)) *env {
	t.Helper()
	in := getInputs(t)
	ks, err := OpenKeyStore(context.Background(), filepath.Join(t.TempDir(), "mchd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ks.Close() })
	key, _, err := ks.Add(context.Background(), "test client")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{in: in, keys: ks, key: key, logs: &syncBuffer{}}
	cfg := Config{Auth: &Auth{Keys: ks}, Logger: slog.New(slog.NewJSONHandler(e.logs, nil))}
	cfg.Verify.Roots = in.roots
	if edit != nil {
		edit(&cfg)
	}
	if e.srv, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	e.ts = httptest.NewServer(observe(e.srv))
	t.Cleanup(e.ts.Close)
	return e
}

// file is one part of a multipart body.
type file struct {
	name string
	data []byte
}

// multipartBody encodes files (and power, when set) as multipart/form-data.
func multipartBody(t testing.TB, power string, files ...file) ([]byte, string) {
	t.Helper()
	return multipartBodyBoundary(t, "", power, files...)
}

// multipartBodyBoundary is multipartBody with a given boundary (random when
// empty).
func multipartBodyBoundary(t testing.TB, boundary, power string, files ...file) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if boundary != "" {
		if err := mw.SetBoundary(boundary); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile("file", f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	if power != "" {
		mw.WriteField("power", power)
	}
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// post sends body to /v1/verify with the env's API key.
func (e *env) post(t testing.TB, body []byte, ctype string, hdr ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+"/v1/verify", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("X-API-Key", e.key)
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// verifyFiles posts files and decodes the 200 answer.
func (e *env) verifyFiles(t testing.TB, power string, files ...file) *verify.Result {
	t.Helper()
	body, ctype := multipartBody(t, power, files...)
	resp := e.post(t, body, ctype)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, data)
	}
	var res verify.Result
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	return &res
}

// wantError checks an error answer: status, JSON body with code.
func wantError(t testing.TB, resp *http.Response, status int, code string) ErrorBody {
	t.Helper()
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, data)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	var b ErrorBody
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	if b.Error.Code != code || b.Error.Message == "" {
		t.Fatalf("error %+v, want code %s", b.Error, code)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Fatal("no X-Request-Id")
	}
	return b
}

func signWith(t testing.TB, who devpki.Party, data []byte) []byte {
	t.Helper()
	sig, err := cms.Sign(bytes.NewReader(data), cms.SignerConfig{Signer: who.Key, Certificate: who.Cert}, cms.SignOptions{Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// signedPDF makes a one-page PDF signed n times by p's Signer.
func signedPDF(p *devpki.PKI, n int) ([]byte, error) {
	doc := pdf.New(pdf.Options{Title: "Акт", Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
	doc.Paragraph("Акт приёма-передачи работ.", pdf.Style{})
	s, err := sign.NewSigner(p.Signer.Key, []*pki.Certificate{p.Signer.Cert, p.CA.Cert})
	if err != nil {
		return nil, err
	}
	out := doc.Bytes()
	for range n {
		if out, err = pdfsign.SignBytes(context.Background(), out, s, pdfsign.Options{Reason: "Согласовано"}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// discardLogger drops the records (benchmarks).
func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

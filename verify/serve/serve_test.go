package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/verify"
)

// Every kind of case goes through verify.Any and comes back as the same
// Result verify.Any gives, status 200 whatever the verdict.
func TestVerifyCases(t *testing.T) {
	e := newEnv(t, nil)
	in := e.in
	wrap := func(name string, b []byte) file { return file{name, b} }

	res := e.verifyFiles(t, "", wrap("doc.sig", in.sig), wrap(docName, document))
	if res.Kind != verify.KindCMS || res.Indication != verify.TotalPassed || res.Code != verify.CodeOK || res.CMS == nil {
		t.Fatalf("valid CMS: %s %s %s", res.Kind, res.Indication, res.Code)
	}
	// The same JSON as verify.Any (what `podpis verify FILE... --format
	// json` prints), but for the validation time.
	opts := verify.AnyOptions{}
	opts.Roots = in.roots
	direct, err := verify.Any(context.Background(), []verify.Input{{Name: "doc.sig", Data: in.sig}, {Name: docName, Data: document}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	direct.ValidationTime, direct.CMS.ValidationTime = res.ValidationTime, res.CMS.ValidationTime
	a, _ := json.Marshal(direct)
	b, _ := json.Marshal(res)
	if !bytes.Equal(a, b) {
		t.Fatalf("server's report differs from verify.Any's:\n%s\n%s", a, b)
	}

	tampered := append(bytes.Clone(document), '!')
	res = e.verifyFiles(t, "", wrap("doc.sig", in.sig), wrap(docName, tampered))
	if res.Indication != verify.TotalFailed || res.Code != verify.CodeContentMismatch {
		t.Fatalf("tampered document: %s %s", res.Indication, res.Code)
	}
	badSig := bytes.Clone(in.sig)
	badSig[len(badSig)-10] ^= 1 // inside the signature value, the last field
	res = e.verifyFiles(t, "", wrap("doc.sig", badSig), wrap(docName, document))
	if res.Indication != verify.TotalFailed {
		t.Fatalf("tampered signature: %s %s", res.Indication, res.Code)
	}

	res = e.verifyFiles(t, "", wrap("act.pdf", in.pdf))
	if res.Kind != verify.KindPDF || res.Indication != verify.TotalPassed || len(res.PDF.Signatures) != 1 {
		t.Fatalf("signed PDF: %s %s %s", res.Kind, res.Indication, res.Code)
	}
	pdfBad := bytes.Clone(in.pdf)
	pdfBad[bytes.Index(pdfBad, []byte("Title"))] ^= 1
	if res = e.verifyFiles(t, "", wrap("act.pdf", pdfBad)); res.Indication != verify.TotalFailed {
		t.Fatalf("tampered PDF: %s %s", res.Indication, res.Code)
	}

	poa, poaSig := wrap(in.poa.Name, in.poa.XML), wrap(in.poa.Name+".sig", in.poa.Signature)
	res = e.verifyFiles(t, "", poaSig, poa)
	if res.Kind != verify.KindMCHD || res.Indication != verify.TotalPassed || res.MCHD == nil || res.MCHD.POA == nil {
		t.Fatalf("POA: %s %s %s", res.Kind, res.Indication, res.Code)
	}
	// A document signed by the representative with the POA, and the power
	// asked in the form field.
	res = e.verifyFiles(t, "KLASS_2.0_SIGN", wrap(docName, document), wrap("doc.sig", in.byPerson), poa, poaSig)
	if res.Kind != verify.KindRepresentative || res.Indication != verify.TotalPassed || res.MCHD.Answer == nil || !res.MCHD.Answer.Allowed {
		t.Fatalf("representative: %s %s %s", res.Kind, res.Indication, res.Code)
	}
	res = e.verifyFiles(t, "NOT_GRANTED", wrap(docName, document), wrap("doc.sig", in.byPerson), poa, poaSig)
	if res.Indication != verify.TotalFailed || res.Code != verify.CodeMCHDPowerMissing {
		t.Fatalf("power not granted: %s %s", res.Indication, res.Code)
	}

	// Files that make nothing to check: 422 with verify's reason.
	body, ctype := multipartBody(t, "", wrap("a.txt", []byte("just text")))
	wantError(t, e.post(t, body, ctype), http.StatusUnprocessableEntity, codeUnrecognized)
}

// The log has one record per request with its id, and nothing of the
// documents: no content, no file names, no signer's or principal's names or
// numbers, no key.
func TestLogsNoPersonalData(t *testing.T) {
	e := newEnv(t, nil)
	in := e.in
	e.verifyFiles(t, "", file{"doc.sig", in.sig}, file{docName, document})
	e.verifyFiles(t, "KLASS_2.0_SIGN", file{docName, document}, file{"doc.sig", in.byPerson}, file{in.poa.Name, in.poa.XML}, file{in.poa.Name + ".sig", in.poa.Signature})
	body, ctype := multipartBody(t, "", file{docName, document})
	wantError(t, e.post(t, body, ctype), http.StatusUnprocessableEntity, codeUnrecognized)
	resp := e.post(t, body, ctype, "X-API-Key", e.key[:len(e.key)-1]+"x")
	wantError(t, resp, http.StatusUnauthorized, codeUnauthorized)

	logs := e.logs.String()
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d log records, want 4:\n%s", len(lines), logs)
	}
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		if id, _ := rec["id"].(string); len(id) != 16 || rec["route"] != "/v1/verify" || rec["status"] == nil {
			t.Fatalf("record %s", l)
		}
	}
	if !strings.Contains(lines[0], `"indication":"TOTAL-PASSED"`) || !strings.Contains(lines[0], `"auth":"api-key"`) {
		t.Fatalf("first record %s", lines[0])
	}
	secret := e.key[strings.LastIndexByte(e.key, '_')+1:]
	for _, s := range []string{
		"Договор", "СЕКРЕТ", docName, "dogovor", in.poa.Name, strings.TrimSuffix(in.poa.Name, ".xml"),
		in.headName, in.personName, in.headSNILS, in.personINN, in.orgName, in.principalINN, "KLASS_2.0_SIGN",
		secret, secret[:len(secret)-1] + "x",
	} {
		if strings.Contains(logs, s) {
			t.Errorf("the log holds %q:\n%s", s, logs)
		}
	}
}

// Errors, limits and hostile clients.
func TestLimits(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxRequest = 64 << 10 })
	in := e.in
	body, ctype := multipartBody(t, "", file{"doc.sig", in.sig}, file{docName, document})

	// Wrong content type: 415, before anything is read.
	wantError(t, e.post(t, body, "application/json"), http.StatusUnsupportedMediaType, codeUnsupportedMedia)
	wantError(t, e.post(t, body, "multipart/form-data"), http.StatusUnsupportedMediaType, codeUnsupportedMedia)

	// Huge body: declared, refused before reading; undeclared (chunked),
	// cut at the limit.
	huge, hctype := multipartBody(t, "", file{"big.bin", bytes.Repeat([]byte("A"), 100<<10)})
	wantError(t, e.post(t, huge, hctype), http.StatusRequestEntityTooLarge, codeTooLarge)
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/v1/verify", io.MultiReader(bytes.NewReader(huge), endless{}))
	req.Header.Set("Content-Type", hctype)
	req.Header.Set("X-API-Key", e.key)
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, resp, http.StatusRequestEntityTooLarge, codeTooLarge)

	// Malformed bodies and forms: 400 saying what is wrong.
	for name, b := range map[string][]byte{
		"garbage":   []byte("not multipart at all"),
		"truncated": body[:len(body)/2],
	} {
		t.Run(name, func(t *testing.T) {
			wantError(t, e.post(t, b, ctype), http.StatusBadRequest, codeBadRequest)
		})
	}
	nofiles, nctype := multipartBody(t, "KLASS_2.0_SIGN")
	msg := wantError(t, e.post(t, nofiles, nctype), http.StatusBadRequest, codeBadRequest)
	if !strings.Contains(msg.Error.Message, "no files") {
		t.Fatalf("message %q", msg.Error.Message)
	}
	// Russian on request.
	msg = wantError(t, e.post(t, nofiles, nctype, "Accept-Language", "ru-RU,ru;q=0.9,en;q=0.5"), http.StatusBadRequest, codeBadRequest)
	if !strings.HasPrefix(msg.Error.Message, "запрос составлен неверно") {
		t.Fatalf("message %q", msg.Error.Message)
	}
	many := make([]file, DefaultMaxFiles+1)
	for i := range many {
		many[i] = file{"f", []byte("x")}
	}
	mb, mctype := multipartBody(t, "", many...)
	wantError(t, e.post(t, mb, mctype), http.StatusBadRequest, codeBadRequest)

	// Routing: JSON 404 and 405 (with Allow).
	r404, _ := e.ts.Client().Get(e.ts.URL + "/v1/nothing")
	wantError(t, r404, http.StatusNotFound, codeNotFound)
	r405, _ := e.ts.Client().Get(e.ts.URL + "/v1/verify")
	if r405.Header.Get("Allow") != "POST" {
		t.Fatalf("Allow %q", r405.Header.Get("Allow"))
	}
	wantError(t, r405, http.StatusMethodNotAllowed, codeMethodNotAllowed)
}

// endless is a body that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'B'
	}
	return len(p), nil
}

// slowBody sends head, then waits until stop is closed.
type slowBody struct {
	head []byte
	stop chan struct{}
}

func (s *slowBody) Read(p []byte) (int, error) {
	if len(s.head) > 0 {
		n := copy(p, s.head)
		s.head = s.head[n:]
		return n, nil
	}
	<-s.stop
	return 0, io.EOF
}

// A client that sends its body slowly gets 408 at the timeout, and while it
// holds the only slot another request is refused with 503 at once.
func TestSlowClientAndConcurrency(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Timeout = 700 * time.Millisecond; c.Concurrency = 1 })
	body, ctype := multipartBody(t, "", file{"doc.sig", e.in.sig}, file{docName, document})
	stop := make(chan struct{})
	defer close(stop)
	slow := &slowBody{head: body[:100], stop: stop}
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/v1/verify", slow)
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("X-API-Key", e.key)
	start := time.Now()
	type answer struct {
		resp *http.Response
		err  error
	}
	done := make(chan answer, 1)
	go func() {
		resp, err := e.ts.Client().Do(req)
		done <- answer{resp, err}
	}()
	// Wait until the slow request holds the slot.
	for len(e.srv.slots) == 0 {
		if time.Since(start) > 5*time.Second {
			t.Fatal("the slow request never started")
		}
		time.Sleep(5 * time.Millisecond)
	}
	busy := e.post(t, body, ctype)
	if busy.Header.Get("Retry-After") == "" {
		t.Fatal("503 without Retry-After")
	}
	wantError(t, busy, http.StatusServiceUnavailable, codeBusy)

	a := <-done
	if a.err != nil {
		t.Fatal(a.err)
	}
	wantError(t, a.resp, http.StatusRequestTimeout, codeRequestTimeout)
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the slow client held the server for %v", d)
	}
	// The slot is free again.
	for len(e.srv.slots) != 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if res := e.verifyFiles(t, "", file{"doc.sig", e.in.sig}, file{docName, document}); res.Indication != verify.TotalPassed {
		t.Fatal(res.Indication)
	}
}

// A revocation server that never answers cannot hold a request past its
// timeout: a CMS signature is reported INDETERMINATE
// (REVOCATION_UNAVAILABLE), never valid; a PDF whose second signature is
// still to check when the time is up gets 504.
func TestHostileRevocationServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // read nothing, answer nothing
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	p, err := devpki.New(devpki.Options{BaseURL: "http://" + ln.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	sig := signWith(t, p.Signer, document)
	twice, err := signedPDF(p, 2)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(c *Config) {
		c.Timeout = time.Second
		c.Verify.Roots = pki.NewCertPool()
		c.Verify.Roots.AddCert(p.CA.Cert)
		c.Verify.Online = true
	})
	start := time.Now()
	res := e.verifyFiles(t, "", file{"doc.sig", sig}, file{docName, document})
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
	if res.Indication != verify.Indeterminate || res.CMS.Signatures[0].Code != verify.CodeRevocationUnavailable {
		t.Fatalf("%s %s", res.Indication, res.CMS.Signatures[0].Code)
	}
	body, ctype := multipartBody(t, "", file{"act.pdf", twice})
	start = time.Now()
	wantError(t, e.post(t, body, ctype), http.StatusGatewayTimeout, codeTimeout)
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestHealthAndOpenAPI(t *testing.T) {
	e := newEnv(t, nil)
	resp, err := e.ts.Client().Get(e.ts.URL + "/v1/health")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(data) != "{\"status\":\"ok\"}\n" {
		t.Fatalf("%d %s", resp.StatusCode, data)
	}
	resp, err = e.ts.Client().Get(e.ts.URL + "/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	data, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(data, openapiJSON) || !json.Valid(data) {
		t.Fatalf("%d", resp.StatusCode)
	}
}

func TestNewRefusesNoAuth(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Fatal("a server without authentication was made")
	}
	if _, err := New(Config{Auth: &Auth{}}); err == nil {
		t.Fatal("a server with empty authentication was made")
	}
}

// The recorder path (no real connection: no read deadline) still works.
func TestRecorder(t *testing.T) {
	e := newEnv(t, nil)
	body, ctype := multipartBody(t, "", file{"doc.sig", e.in.sig}, file{docName, document})
	req := httptest.NewRequest(http.MethodPost, "/v1/verify", bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("X-API-Key", e.key)
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, req)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"indication":"TOTAL-PASSED"`) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

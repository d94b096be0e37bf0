package serve

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/podpis/podpis/verify"
)

// fuzzBoundary is the boundary of the committed corpus
// (testdata/fuzz/FuzzVerifyRequest): multipart bodies of every kind of case,
// made from the devpki inputs of fixture_test.go.
const fuzzBoundary = "podpis-fuzz-boundary"

// FuzzVerifyRequest sends arbitrary multipart bodies through the whole
// entry: multipart parsing, sniffing, dispatch by verify.Any and the
// verifiers. Whatever arrives, the answer is a documented status with a
// JSON body: a Result (200) or an error, never a panic or a hang. Run it
// with -fuzzminimizetime 0 or a small value: minimising a signed PDF of the
// corpus takes the default minute per new input.
func FuzzVerifyRequest(f *testing.F) {
	e := newEnv(f, func(c *Config) { c.Timeout = 20 * time.Second; c.MaxRequest = 1 << 20 })
	in := e.in
	for _, files := range [][]file{
		{{"doc.sig", in.sig}, {docName, document}},
		{{"act.pdf", in.pdf}},
		{{in.poa.Name, in.poa.XML}, {in.poa.Name + ".sig", in.poa.Signature}},
		{{"d", document}, {"d.sig", in.byPerson}, {in.poa.Name, in.poa.XML}, {in.poa.Name + ".sig", in.poa.Signature}},
		{{"x", []byte("plain")}},
	} {
		body, _ := multipartBodyBoundary(f, fuzzBoundary, "KLASS_2.0_SIGN", files...)
		f.Add(fuzzBoundary, body)
	}
	f.Add(fuzzBoundary, []byte{})
	f.Fuzz(func(t *testing.T, boundary string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/v1/verify", bytes.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=\""+boundary+"\"")
		req.Header.Set("X-API-Key", e.key)
		w := httptest.NewRecorder()
		t0 := time.Now()
		e.srv.ServeHTTP(w, req)
		// No input may make the server work for long: a verification of
		// these small inputs takes milliseconds (the bound is loose for a
		// busy machine).
		if d := time.Since(t0); d > 10*time.Second {
			t.Fatalf("%v for one request (status %d)", d, w.Code)
		}
		switch w.Code {
		case http.StatusOK:
			var res verify.Result
			if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
				t.Fatalf("200 with %v", err)
			}
			switch res.Indication {
			case verify.TotalPassed, verify.TotalFailed, verify.Indeterminate:
			default:
				t.Fatalf("indication %q", res.Indication)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
			var b ErrorBody
			if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil || b.Error.Code == "" || b.Error.Message == "" {
				t.Fatalf("%d: %s", w.Code, w.Body)
			}
		default:
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
	})
}

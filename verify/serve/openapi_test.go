package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The OpenAPI document is kept equal to the handler in two ways (and its
// schemas to the JSON written, see schema_test.go):
// TestOpenAPI compares it with the routing table (paths, methods,
// authentication, request and response content types, error codes), and
// every answer any test of this package receives through observe is
// recorded and, once all tests have run (TestMain), compared with the
// document: each status an operation answered is documented with its
// content type, and each documented status was answered by some test.

type openapiDoc struct {
	Paths      map[string]map[string]operation `json:"paths"`
	Components struct {
		SecuritySchemes map[string]struct {
			Type, In, Name, Scheme, BearerFormat string
		} `json:"securitySchemes"`
		Responses map[string]response `json:"responses"`
		Schemas   map[string]json.RawMessage
	} `json:"components"`
}

type operation struct {
	Security    []map[string][]string `json:"security"`
	RequestBody *struct {
		Required bool                       `json:"required"`
		Content  map[string]json.RawMessage `json:"content"`
	} `json:"requestBody"`
	Responses map[string]response `json:"responses"`
}

type response struct {
	Ref     string                     `json:"$ref"`
	Content map[string]json.RawMessage `json:"content"`
	Headers map[string]json.RawMessage `json:"headers"`
}

func loadDoc(t testing.TB) *openapiDoc {
	var d openapiDoc
	if err := json.Unmarshal(openapiJSON, &d); err != nil {
		t.Fatal(err)
	}
	return &d
}

// resolve follows a response's $ref.
func (d *openapiDoc) resolve(r response) response {
	if name, ok := strings.CutPrefix(r.Ref, "#/components/responses/"); ok {
		return d.Components.Responses[name]
	}
	return r
}

// contentTypes of a documented response.
func (d *openapiDoc) contentTypes(r response) []string {
	return slices.Sorted(maps.Keys(d.resolve(r).Content))
}

func TestOpenAPI(t *testing.T) {
	d := loadDoc(t)
	if !strings.HasPrefix(string(openapiJSON), "{\n  \"openapi\": \"3.") {
		t.Fatal("not an OpenAPI 3 document")
	}
	srv, err := New(Config{Auth: &Auth{JWT: &JWTVerifier{}}})
	if err != nil {
		t.Fatal(err)
	}
	served := map[string]route{}
	for _, rt := range srv.routes {
		served[strings.ToLower(rt.method)+" "+rt.path] = rt
	}
	documented := map[string]operation{}
	for path, ops := range d.Paths {
		for method, op := range ops {
			documented[method+" "+path] = op
		}
	}
	if a, b := slices.Sorted(maps.Keys(served)), slices.Sorted(maps.Keys(documented)); !slices.Equal(a, b) {
		t.Fatalf("routes served %v, documented %v", a, b)
	}
	for k, rt := range served {
		op := documented[k]
		// Authentication: the routes that check credentials, and the
		// schemes the handler reads.
		if rt.auth != (len(op.Security) > 0) {
			t.Errorf("%s: auth %v, security %v", k, rt.auth, op.Security)
		}
		// Request body: multipart/form-data exactly where the handler
		// reads one.
		if rt.method == http.MethodPost {
			if op.RequestBody == nil || !op.RequestBody.Required || len(op.RequestBody.Content) != 1 || op.RequestBody.Content["multipart/form-data"] == nil {
				t.Errorf("%s: request body %+v", k, op.RequestBody)
			}
		} else if op.RequestBody != nil {
			t.Errorf("%s: a request body documented for %s", k, rt.method)
		}
		for status, r := range op.Responses {
			if ct := d.contentTypes(r); !slices.Equal(ct, []string{"application/json"}) {
				t.Errorf("%s %s: content types %v", k, status, ct)
			}
		}
	}
	s := d.Components.SecuritySchemes
	if s["apiKey"].Type != "apiKey" || s["apiKey"].In != "header" || http.CanonicalHeaderKey(s["apiKey"].Name) != "X-Api-Key" {
		t.Errorf("apiKey scheme %+v", s["apiKey"])
	}
	if s["bearerJWT"].Type != "http" || s["bearerJWT"].Scheme != "bearer" || !strings.Contains(string(openapiJSON), JWTAlg) {
		t.Errorf("bearer scheme %+v", s["bearerJWT"])
	}
	// The error codes the handler uses are the enum of the Error schema.
	var errSchema struct {
		Properties struct {
			Error struct {
				Properties struct {
					Code struct {
						Enum []string `json:"enum"`
					} `json:"code"`
				} `json:"properties"`
			} `json:"error"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(d.Components.Schemas["Error"], &errSchema); err != nil {
		t.Fatal(err)
	}
	if a, b := slices.Sorted(slices.Values(errSchema.Properties.Error.Properties.Code.Enum)), slices.Sorted(maps.Keys(messages)); !slices.Equal(a, b) {
		t.Errorf("error codes documented %v, used %v", a, b)
	}
}

// A 500 cannot be caused by a request (it is the answer to a report that
// cannot be encoded); it is documented, and this checks its shape.
func TestInternalError(t *testing.T) {
	w := httptest.NewRecorder()
	// ServeHTTP sets the request id before any handler runs (every other
	// answer recorded shows it).
	w.Header().Set("X-Request-Id", newRequestID())
	writeJSON(w, http.StatusOK, func() {})
	var b ErrorBody
	if w.Code != http.StatusInternalServerError || json.Unmarshal(w.Body.Bytes(), &b) != nil || b.Error.Code != codeInternal {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	record(http.MethodPost, "/v1/verify", http.StatusInternalServerError, w.Header())
}

var (
	observedMu sync.Mutex
	// observed maps "method path" to status to content types.
	observed = map[string]map[int]map[string]bool{}
	// missingHeaders maps "method path status" to the header names some
	// answer of that status lacked.
	missingHeaders = map[string]map[string]bool{}
)

func record(method, path string, status int, h http.Header) {
	observedMu.Lock()
	defer observedMu.Unlock()
	k := strings.ToLower(method) + " " + path
	if observed[k] == nil {
		observed[k] = map[int]map[string]bool{}
	}
	if observed[k][status] == nil {
		observed[k][status] = map[string]bool{}
	}
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	observed[k][status][mt] = true
	ks := k + " " + strconv.Itoa(status)
	for _, name := range []string{"X-Request-Id", "WWW-Authenticate", "Retry-After", "Allow"} {
		if h.Get(name) == "" {
			if missingHeaders[ks] == nil {
				missingHeaders[ks] = map[string]bool{}
			}
			missingHeaders[ks][name] = true
		}
	}
}

// observe wraps h to record every answer.
func observe(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ow := &observingWriter{ResponseWriter: w, keep: !benchmarking()}
		h.ServeHTTP(ow, r)
		if ow.status == 0 {
			return // the client went away; nothing was answered
		}
		record(r.Method, r.URL.Path, ow.status, ow.Header())
		if ow.keep {
			mt, _, _ := mime.ParseMediaType(ow.Header().Get("Content-Type"))
			checkAnswer(r.Method, r.URL.Path, ow.status, mt, ow.body.Bytes())
		}
	})
}

type observingWriter struct {
	http.ResponseWriter
	status int
	// body is a copy of what was written, for checkAnswer, when keep.
	keep bool
	body bytes.Buffer
}

// benchmarking reports a run with -bench: the answers are then not copied
// and validated inside the handler, whose time and memory a benchmark
// measures (TestReportsMatchSchema still validates its own).
func benchmarking() bool {
	f := flag.Lookup("test.bench")
	return f != nil && f.Value.String() != ""
}

func (w *observingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *observingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.keep {
		w.body.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *observingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// checkObserved compares the recorded answers with the document; it runs
// only when no -run, -skip or -short narrowed the tests (else some statuses
// were not provoked).
func checkObserved() error {
	// Each JSON answer against its schema: whatever ran.
	if len(schemaProblems) > 0 {
		return errors.New("answers that break their schema: " + strings.Join(slices.Sorted(maps.Keys(schemaProblems)), "; "))
	}
	for _, name := range []string{"test.run", "test.skip"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return nil
		}
	}
	if testing.Short() {
		return nil
	}
	var d openapiDoc
	if err := json.Unmarshal(openapiJSON, &d); err != nil {
		return err
	}
	var problems []string
	seen := map[string]bool{}
	for k, statuses := range observed {
		method, path, _ := strings.Cut(k, " ")
		op, ok := d.Paths[path][method]
		if !ok {
			// Unknown paths and methods: 404/405, documented for all.
			for st := range statuses {
				if st != http.StatusNotFound && st != http.StatusMethodNotAllowed {
					problems = append(problems, fmt.Sprintf("%s answered %d", k, st))
				}
			}
			continue
		}
		for st, cts := range statuses {
			r, ok := op.Responses[strconv.Itoa(st)]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s answered %d, which is not documented", k, st))
				continue
			}
			seen[k+" "+strconv.Itoa(st)] = true
			// Every documented header was sent with every answer.
			for name := range d.resolve(r).Headers {
				if missingHeaders[k+" "+strconv.Itoa(st)][name] {
					problems = append(problems, fmt.Sprintf("%s %d: an answer without the documented header %s", k, st, name))
				}
			}
			for ct := range cts {
				if !slices.Contains(d.contentTypes(r), ct) {
					problems = append(problems, fmt.Sprintf("%s %d answered %s", k, st, ct))
				}
			}
		}
	}
	for path, ops := range d.Paths {
		for method, op := range ops {
			for st := range op.Responses {
				if k := method + " " + path + " " + st; !seen[k] {
					problems = append(problems, "documented but never answered in the tests: "+k)
				}
			}
		}
	}
	sort.Strings(problems)
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

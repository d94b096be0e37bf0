package serve

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/podpis/podpis/verify"
)

// Defaults of Config.
const (
	// DefaultMaxRequest is the default request size: 20 MB.
	DefaultMaxRequest = 20 << 20
	DefaultTimeout    = 30 * time.Second
	// DefaultMaxFiles bounds the parts of one request: the largest case,
	// a document, its signature, a POA, its signature and a parent POA with
	// its signature, is six files.
	DefaultMaxFiles = 16
)

// maxFieldSize bounds a non-file form field ("power"): a power code is a
// short mnemonic (FORMAT.md §7).
const maxFieldSize = 256

// Config configures a Server.
type Config struct {
	// Verify are the trust anchors, revocation settings and registry used
	// for every request; Power is taken from the request instead.
	Verify verify.AnyOptions
	// Auth authenticates callers of /v1/verify; required.
	Auth *Auth
	// MaxRequest bounds a request body in bytes; zero means
	// DefaultMaxRequest.
	MaxRequest int64
	// Timeout bounds one request, from its first byte to the answer; zero
	// means DefaultTimeout.
	Timeout time.Duration
	// Concurrency bounds the verifications in flight; zero means one per
	// CPU (runtime.GOMAXPROCS).
	Concurrency int
	// MaxFiles bounds the files of one request; zero means
	// DefaultMaxFiles.
	MaxFiles int
	// Logger receives one record per request; nil means slog.Default().
	Logger *slog.Logger
}

// Server is the verification API. Make one with New; it is an http.Handler
// safe for concurrent use.
type Server struct {
	cfg    Config
	slots  chan struct{}
	log    *slog.Logger
	routes []route
}

// route is one method and path the server answers; the OpenAPI test walks
// this table.
type route struct {
	method, path string
	// auth reports that the route needs credentials.
	auth bool
	h    func(*Server, http.ResponseWriter, *http.Request, *reqInfo)
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Auth == nil || (cfg.Auth.Keys == nil && cfg.Auth.JWT == nil) {
		return nil, errors.New("serve: no authentication configured (API keys or JWT)")
	}
	if cfg.MaxRequest < 0 || cfg.Timeout < 0 || cfg.Concurrency < 0 || cfg.MaxFiles < 0 {
		return nil, errors.New("serve: negative limit")
	}
	if cfg.MaxRequest == 0 {
		cfg.MaxRequest = DefaultMaxRequest
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = runtime.GOMAXPROCS(0)
	}
	if cfg.MaxFiles == 0 {
		cfg.MaxFiles = DefaultMaxFiles
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Verify.Online && cfg.Verify.Cache == nil {
		// One cache for every request: a CRL or OCSP answer is fetched
		// once until its nextUpdate, not once per request.
		cfg.Verify.Cache = verify.NewRevocationCache()
	}
	s := &Server{cfg: cfg, slots: make(chan struct{}, cfg.Concurrency), log: cfg.Logger}
	s.routes = []route{
		{http.MethodPost, "/v1/verify", true, (*Server).verify},
		{http.MethodGet, "/v1/health", false, (*Server).health},
		{http.MethodGet, "/v1/openapi.json", false, (*Server).openapi},
	}
	return s, nil
}

// reqInfo is what the request's log record says.
type reqInfo struct {
	id, auth, keyID string
	kind            verify.Kind
	indication      verify.Indication
	code            verify.Code
	files           int
	errCode         string
}

// statusWriter remembers the status and size of the answer.
type statusWriter struct {
	http.ResponseWriter
	status int
	size   int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.size += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ServeHTTP routes r, answers, and logs one record.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	info := &reqInfo{id: newRequestID()}
	w := &statusWriter{ResponseWriter: rw}
	w.Header().Set("X-Request-Id", info.id)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	route := "unknown"
	defer func() {
		attrs := []slog.Attr{
			slog.String("id", info.id),
			slog.String("method", r.Method),
			slog.String("route", route),
			slog.Int("status", w.status),
			slog.Int64("in", r.ContentLength),
			slog.Int64("out", w.size),
			slog.Duration("duration", time.Since(start)),
		}
		if info.auth != "" {
			attrs = append(attrs, slog.String("auth", info.auth))
		}
		if info.keyID != "" {
			attrs = append(attrs, slog.String("key", info.keyID))
		}
		if info.files > 0 {
			attrs = append(attrs, slog.Int("files", info.files))
		}
		if info.kind != "" {
			attrs = append(attrs, slog.String("kind", string(info.kind)),
				slog.String("indication", string(info.indication)), slog.String("code", string(info.code)))
		}
		if info.errCode != "" {
			attrs = append(attrs, slog.String("error", info.errCode))
		}
		level := slog.LevelInfo
		if w.status >= 500 {
			level = slog.LevelWarn
		}
		s.log.LogAttrs(r.Context(), level, "request", attrs...)
	}()

	var allowed []string
	for _, rt := range s.routes {
		if rt.path != r.URL.Path {
			continue
		}
		if rt.method != r.Method {
			allowed = append(allowed, rt.method)
			continue
		}
		route = rt.path
		if rt.auth {
			p, err := s.cfg.Auth.authenticate(r)
			if err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="podpis"`)
				s.fail(w, r, info, http.StatusUnauthorized, codeUnauthorized, err.Error())
				return
			}
			info.auth, info.keyID = p.Method, p.KeyID
		}
		rt.h(s, w, r, info)
		return
	}
	if len(allowed) > 0 {
		route = r.URL.Path
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		s.fail(w, r, info, http.StatusMethodNotAllowed, codeMethodNotAllowed, "")
		return
	}
	s.fail(w, r, info, http.StatusNotFound, codeNotFound, "")
}

func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Server) health(w http.ResponseWriter, r *http.Request, _ *reqInfo) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

//go:embed openapi.json
var openapiJSON []byte

func (s *Server) openapi(w http.ResponseWriter, r *http.Request, _ *reqInfo) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(openapiJSON)))
	w.WriteHeader(http.StatusOK)
	w.Write(openapiJSON)
}

// verify reads the files of one case and answers verify.Any's Result.
func (s *Server) verify(w http.ResponseWriter, r *http.Request, info *reqInfo) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		s.fail(w, r, info, http.StatusUnsupportedMediaType, codeUnsupportedMedia, "")
		return
	}
	if r.ContentLength > s.cfg.MaxRequest {
		// Refused before a byte of the body is read.
		s.fail(w, r, info, http.StatusRequestEntityTooLarge, codeTooLarge, "")
		return
	}
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	default:
		w.Header().Set("Retry-After", "1")
		s.fail(w, r, info, http.StatusServiceUnavailable, codeBusy, "")
		return
	}
	deadline := time.Now().Add(s.cfg.Timeout)
	ctx, cancel := context.WithDeadline(r.Context(), deadline)
	defer cancel()
	// A slow body must not hold the slot past the timeout: the read
	// deadline ends a read that waits for bytes (only a real connection
	// supports it; httptest recorders do not, and need not).
	_ = http.NewResponseController(w).SetReadDeadline(deadline)

	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxRequest)
	in, power, err := readInputs(body, params["boundary"], s.cfg.MaxFiles)
	info.files = len(in)
	if err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			s.fail(w, r, info, http.StatusRequestEntityTooLarge, codeTooLarge, "")
		case isTimeout(err):
			s.fail(w, r, info, http.StatusRequestTimeout, codeRequestTimeout, "")
		default:
			s.fail(w, r, info, http.StatusBadRequest, codeBadRequest, err.Error())
		}
		return
	}
	opts := s.cfg.Verify
	opts.Power = power
	res, err := verify.Any(ctx, in, opts)
	if err != nil {
		switch {
		case r.Context().Err() != nil:
			// The client went away; nobody reads the answer.
			info.errCode = "CLIENT_GONE"
		case ctx.Err() != nil:
			s.fail(w, r, info, http.StatusGatewayTimeout, codeTimeout, "")
		default:
			// verify.Any's errors other than the context's say why the
			// files make nothing to check (ErrUnrecognized, an encrypted
			// PDF …): the client's input, not the server, is at fault.
			s.fail(w, r, info, http.StatusUnprocessableEntity, codeUnrecognized, err.Error())
		}
		return
	}
	info.kind, info.indication, info.code = res.Kind, res.Indication, res.Code
	writeJSON(w, http.StatusOK, res)
}

// isTimeout reports a read that ended at the read deadline.
func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		data = []byte(`{"error":{"code":"INTERNAL","message":"the answer could not be encoded"}}`)
	}
	data = append(data, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	w.Write(data)
}

// ErrorBody is the JSON of every error answer.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// fail answers status with the error code and its message in the request's
// language; detail, when set, is appended to an English message (it comes
// from the input's parser and says what was wrong with the files; it never
// holds their content).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, info *reqInfo, status int, code, detail string) {
	info.errCode = code
	var b ErrorBody
	b.Error.Code = code
	b.Error.Message = message(code, prefersRussian(r.Header.Get("Accept-Language")), detail)
	writeJSON(w, status, b)
}

// readInputs reads the file parts of a multipart body with boundary: every
// part with a file name is a file; the field "power" is the power code
// asked; other fields are refused, so a misspelt field is not silently
// ignored.
func readInputs(body io.Reader, boundary string, maxFiles int) ([]verify.Input, string, error) {
	mr := multipart.NewReader(body, boundary)
	var (
		in    []verify.Input
		power string
		seen  bool
	)
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, "", fmt.Errorf("malformed multipart body: %w", err)
		}
		name := p.FormName()
		switch {
		case p.FileName() != "" || name == "file" || name == "files":
			if len(in) == maxFiles {
				return nil, "", fmt.Errorf("more than %d files", maxFiles)
			}
			data, err := io.ReadAll(p)
			if err != nil {
				return nil, "", err
			}
			in = append(in, verify.Input{Name: baseName(p.FileName()), Data: data})
		case name == "power":
			if seen {
				return nil, "", errors.New(`the field "power" is given twice`)
			}
			v, err := io.ReadAll(io.LimitReader(p, maxFieldSize+1))
			if err != nil {
				return nil, "", err
			}
			if len(v) > maxFieldSize {
				return nil, "", fmt.Errorf(`the field "power" is longer than %d bytes`, maxFieldSize)
			}
			power, seen = strings.TrimSpace(string(v)), true
		default:
			return nil, "", fmt.Errorf("unknown form field %q: send files, and optionally the field \"power\"", truncate(name, 40))
		}
	}
	if len(in) == 0 {
		return nil, "", errors.New("no files: send the files of one case as multipart/form-data file parts")
	}
	return in, power, nil
}

// baseName keeps the last element of a client's file name (the ИдФайл check
// of a POA compares the base name; a path means nothing here).
func baseName(n string) string {
	if i := strings.LastIndexAny(n, `/\`); i >= 0 {
		n = n[i+1:]
	}
	return n
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

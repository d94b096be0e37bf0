package tokend

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/sign/pkcs11"
	"github.com/podpis/podpis/tokend/authtoken"
)

// operations runs the API's operations: one at a time per token, each with
// a request id that cancel can name.
type operations struct {
	s       *Server
	mu      sync.Mutex
	busy    map[string]string // token key → request id
	running map[string]*running
	raw     map[string]bool // origins that may ask for raw signatures (AllowRawSign)
}

type running struct {
	origin string
	cancel context.CancelFunc
}

func newOperations(s *Server) *operations {
	return &operations{s: s, busy: make(map[string]string), running: make(map[string]*running), raw: make(map[string]bool)}
}

func (o *operations) cancelAll() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, r := range o.running {
		r.cancel()
	}
}

// begin reserves token for request id, or fails with OPERATION_PENDING.
func (o *operations) begin(token, id, origin string, cancel context.CancelFunc) *Error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.running[id]; ok {
		return apiErr(CodeBadRequest, "requestId is already in use", nil)
	}
	if other, ok := o.busy[token]; ok {
		return apiErr(CodeOperationPending, "another operation is in progress on this token; wait for it or cancel it", fmt.Errorf("token busy with request %s", other))
	}
	o.busy[token] = id
	o.running[id] = &running{origin: origin, cancel: cancel}
	return nil
}

func (o *operations) end(token, id string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.busy, token)
	delete(o.running, id)
}

// route dispatches a request that passed the gate.
func (s *Server) route(w http.ResponseWriter, r *http.Request, rec *record, origin string, body []byte) {
	var (
		res any
		err *Error
		a   *auditRecord // the audit record of an operation
	)
	switch r.URL.Path {
	case "/v1/status":
		var req struct {
			RequestID string `json:"requestId"`
		}
		if err = s.begin(rec, body, &req, &req.RequestID); err == nil {
			res, err = s.status(r.Context())
		}
	case "/v1/certificates":
		var req struct {
			RequestID string  `json:"requestId"`
			Filter    *Filter `json:"filter"`
		}
		if err = s.begin(rec, body, &req, &req.RequestID); err == nil {
			res, err = s.certificates(r.Context(), req.Filter)
		}
	case "/v1/authenticate":
		var req struct {
			RequestID   string `json:"requestId"`
			Nonce       string `json:"nonce"`
			Certificate string `json:"certificate"`
		}
		a = &auditRecord{op: "authenticate", origin: origin}
		if err = s.begin(rec, body, &req, &req.RequestID); err == nil {
			a.requestID = req.RequestID
			res, err = s.authenticate(r.Context(), a, origin, req.Nonce, req.Certificate)
		}
	case "/v1/sign":
		var req signRequest
		a = &auditRecord{op: "sign", origin: origin}
		if err = s.begin(rec, body, &req, &req.RequestID); err == nil {
			a.requestID = req.RequestID
			res, err = s.sign(r.Context(), a, origin, req)
		}
	case "/v1/cancel":
		var req struct {
			RequestID string `json:"requestId"`
			Target    string `json:"target"`
		}
		a = &auditRecord{op: "cancel", origin: origin}
		if err = s.begin(rec, body, &req, &req.RequestID); err == nil {
			a.requestID, a.target = req.RequestID, req.Target
			res, err = s.cancel(origin, req.Target)
		}
	default:
		if strings.HasPrefix(r.URL.Path, "/v") && !strings.HasPrefix(r.URL.Path, "/v1/") {
			err = apiErr(CodeVersionMismatch, "this tokend speaks protocol "+Protocol+" (/v1/)", fmt.Errorf("path %q", r.URL.Path))
		} else {
			err = apiErr(CodeNotFound, "no such endpoint", nil)
		}
	}
	if a != nil {
		if a.cert != nil {
			sum := sha256.Sum256(a.cert.Raw)
			rec.extra = append(rec.extra, "certificate", hex.EncodeToString(sum[:8]), "token", a.token)
		}
		result := Code("OK")
		if err != nil {
			result = err.Code
		}
		s.audit(a, result)
	}
	if err != nil {
		s.fail(w, rec, err, origin)
		return
	}
	switch v := res.(type) {
	case StatusResult:
		v.RequestID = rec.requestID
		res = v
	case CertificatesResult:
		v.RequestID = rec.requestID
		res = v
	case AuthenticateResult:
		v.RequestID = rec.requestID
		res = v
	case SignResult:
		v.RequestID = rec.requestID
		res = v
	case map[string]any:
		v["requestId"] = rec.requestID
	}
	rec.code = "OK"
	s.writeJSON(w, rec, http.StatusOK, res)
}

// begin decodes the request and sets its id.
func (s *Server) begin(rec *record, body []byte, dst any, id *string) *Error {
	if err := decode(body, dst); err != nil {
		return err
	}
	got, err := requestID(*id)
	if err != nil {
		return err
	}
	*id, rec.requestID = got, got
	return nil
}

// StatusResult is the answer of /v1/status to an allowed origin.
type StatusResult struct {
	Protocol   string        `json:"protocol"`
	AppVersion string        `json:"appVersion"`
	RequestID  string        `json:"requestId,omitempty"`
	Tokens     []TokenStatus `json:"tokens"`
	Modules    []Module      `json:"modules"`
}

// TokenStatus is one present token.
type TokenStatus struct {
	Label        string `json:"label"`
	Manufacturer string `json:"manufacturer"`
	Model        string `json:"model"`
	Serial       string `json:"serial"`
	PINPad       bool   `json:"pinPad"`
	PINLocked    bool   `json:"pinLocked"`
	// Problem says why the token's objects could not be read.
	Problem string `json:"problem,omitempty"`
}

// Module is a PKCS#11 module and whether it loaded.
type Module struct {
	Path    string `json:"path"`
	Problem string `json:"problem,omitempty"`
}

// token is a present token found on a module.
type token struct {
	module string
	info   pkcs11.TokenInfo
}

func (t token) key() string {
	return t.module + "\x00" + t.info.Serial + "\x00" + t.info.Label
}

func hasFlag(info pkcs11.TokenInfo, prefix string) bool {
	return slices.ContainsFunc(info.Flags, func(f string) bool { return strings.HasPrefix(f, prefix) })
}

// The flag words of pkcs11.TokenInfo.Flags that tokend looks at (list.go's
// tokenFlags: "PIN pad", "PIN: PIN locked — …"). TokenInfo has no boolean
// fields for CKF_PROTECTED_AUTHENTICATION_PATH and CKF_USER_PIN_LOCKED yet;
// TestWrongPIN and TestCertificates notice if the words change.
func pinPad(info pkcs11.TokenInfo) bool    { return hasFlag(info, "PIN pad") }
func pinLocked(info pkcs11.TokenInfo) bool { return hasFlag(info, "PIN: PIN locked") }

// tokens lists the present tokens of the configured modules. A module
// that fails to load is reported, not fatal.
func (s *Server) tokens(ctx context.Context) ([]token, []Module) {
	var toks []token
	mods := make([]Module, 0, len(s.cfg.Modules))
	for _, m := range s.cfg.Modules {
		list, err := pkcs11.ListTokens(ctx, m)
		if err != nil {
			s.log.Warn("PKCS#11 module", "module", m, "err", err)
			mods = append(mods, Module{Path: m, Problem: err.Error()})
			continue
		}
		mods = append(mods, Module{Path: m})
		for _, ti := range list {
			if ti.Present {
				toks = append(toks, token{module: m, info: ti})
			}
		}
	}
	return toks, mods
}

func (s *Server) status(ctx context.Context) (any, *Error) {
	toks, mods := s.tokens(ctx)
	res := StatusResult{Protocol: Protocol, AppVersion: s.cfg.AppVersion, Tokens: []TokenStatus{}, Modules: mods}
	for _, t := range toks {
		res.Tokens = append(res.Tokens, TokenStatus{
			Label: t.info.Label, Manufacturer: t.info.Manufacturer, Model: t.info.Model, Serial: t.info.Serial,
			PINPad: pinPad(t.info), PINLocked: pinLocked(t.info), Problem: t.info.Problem,
		})
	}
	return res, nil
}

// Filter selects certificates (NCALayer's signerParams idea, ANCHORS §6
// item 6). Every field left empty selects everything.
type Filter struct {
	// KeyUsage: the certificate's keyUsage must allow each of these
	// ("digitalSignature", "nonRepudiation", "keyEncipherment",
	// "keyAgreement"); a certificate without keyUsage allows all.
	KeyUsage []string `json:"keyUsage,omitempty"`
	// ExtKeyUsage: dotted OIDs of which the certificate must list at
	// least one (or anyExtendedKeyUsage, or no extKeyUsage at all).
	ExtKeyUsage []string `json:"extKeyUsage,omitempty"`
	// Issuer: a substring of the issuer's name as displayed
	// (case-insensitive).
	Issuer string `json:"issuer,omitempty"`
	// Algorithm: algorithm names (authtoken.GOST256, authtoken.GOST512).
	Algorithm []string `json:"algorithm,omitempty"`
	// ValidOnly leaves out certificates outside their validity period
	// (otherwise they are listed as unusable with the reason).
	ValidOnly bool `json:"validOnly,omitempty"`
}

// CertificateEntry is one certificate of /v1/certificates.
type CertificateEntry struct {
	// ID names the certificate in later requests: hex SHA-256 of its DER.
	ID          string    `json:"id"`
	Certificate string    `json:"certificate"` // base64 DER
	Subject     string    `json:"subject"`
	Issuer      string    `json:"issuer"`
	NotBefore   time.Time `json:"notBefore"`
	NotAfter    time.Time `json:"notAfter"`
	Algorithm   string    `json:"algorithm,omitempty"`
	Token       string    `json:"token"`
	Usable      bool      `json:"usable"`
	// Reason says why an unusable certificate cannot be used:
	// CERT_EXPIRED, CERT_NOT_YET_VALID, NO_PRIVATE_KEY, PIN_LOCKED,
	// ALGORITHM_UNSUPPORTED.
	Reason string `json:"reason,omitempty"`
	// SignReason says why /v1/sign refuses a certificate that may log in
	// (sign.go, signRefusal): KEY_USAGE (keyUsage has neither
	// digitalSignature nor nonRepudiation) or AUTHENTICATION_ONLY
	// (extKeyUsage names client authentication alone).
	SignReason string `json:"signReason,omitempty"`
}

// CertificatesResult is the answer of /v1/certificates.
type CertificatesResult struct {
	RequestID    string             `json:"requestId,omitempty"`
	Certificates []CertificateEntry `json:"certificates"`
}

var keyUsageNames = map[string]int{
	"digitalSignature": 1 << 0, "nonRepudiation": 1 << 1, "contentCommitment": 1 << 1,
	"keyEncipherment": 1 << 2, "dataEncipherment": 1 << 3, "keyAgreement": 1 << 4,
}

// candidate is a certificate with a key on a present token.
type candidate struct {
	tok   token
	key   pkcs11.KeyInfo
	entry CertificateEntry
}

// candidates lists the certificates on present tokens with what stands in
// their way. Only pairs seen on the token count: a certificate alone
// (neither public nor private key visible before login) is NO_PRIVATE_KEY.
func (s *Server) candidates(ctx context.Context) ([]candidate, int) {
	toks, _ := s.tokens(ctx)
	now := s.cfg.Now()
	var out []candidate
	for _, t := range toks {
		for _, k := range t.info.Keys {
			c := k.Certificate
			if c == nil {
				continue
			}
			sum := sha256.Sum256(c.Raw)
			e := CertificateEntry{
				ID: hex.EncodeToString(sum[:]), Certificate: base64.StdEncoding.EncodeToString(c.Raw),
				Subject: c.SubjectName.String(), Issuer: c.IssuerName.String(),
				NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(), Token: t.info.Label, Usable: true,
			}
			e.SignReason, _ = signRefusal(c)
			if pub, ok := c.PublicKey.(*gost3410.PublicKey); ok {
				e.Algorithm, _ = authtoken.Algorithm(pub.ParamSet().Size() * 8)
			}
			switch {
			case e.Algorithm == "":
				e.Usable, e.Reason = false, "ALGORITHM_UNSUPPORTED"
			case now.Before(c.NotBefore):
				e.Usable, e.Reason = false, "CERT_NOT_YET_VALID"
			case now.After(c.NotAfter):
				e.Usable, e.Reason = false, "CERT_EXPIRED"
			case !k.PrivateKey && k.Algorithm == "":
				e.Usable, e.Reason = false, "NO_PRIVATE_KEY"
			case pinLocked(t.info):
				e.Usable, e.Reason = false, "PIN_LOCKED"
			}
			out = append(out, candidate{tok: t, key: k, entry: e})
		}
	}
	return out, len(toks)
}

func (f *Filter) check() *Error {
	if f == nil {
		return nil
	}
	for _, u := range f.KeyUsage {
		if _, ok := keyUsageNames[u]; !ok {
			return apiErr(CodeBadRequest, "unknown keyUsage "+u, nil)
		}
	}
	for _, o := range f.ExtKeyUsage {
		if !isOID(o) {
			return apiErr(CodeBadRequest, "extKeyUsage must be dotted OIDs", nil)
		}
	}
	for _, a := range f.Algorithm {
		if _, err := authtoken.Hash(a); err != nil {
			return apiErr(CodeBadRequest, "unknown algorithm "+a, nil)
		}
	}
	return nil
}

func isOID(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

func (f *Filter) match(c *pki.Certificate, e CertificateEntry) bool {
	if f == nil {
		return true
	}
	if f.ValidOnly && (e.Reason == "CERT_EXPIRED" || e.Reason == "CERT_NOT_YET_VALID") {
		return false
	}
	if c.KeyUsage != 0 {
		for _, u := range f.KeyUsage {
			if int(c.KeyUsage)&keyUsageNames[u] == 0 {
				return false
			}
		}
	}
	if len(f.ExtKeyUsage) > 0 && (len(c.ExtKeyUsage) > 0 || len(c.UnknownExtKeyUsage) > 0) {
		if !slices.ContainsFunc(f.ExtKeyUsage, func(o string) bool { return hasEKU(c, o) }) {
			return false
		}
	}
	if f.Issuer != "" && !strings.Contains(strings.ToLower(e.Issuer), strings.ToLower(f.Issuer)) {
		return false
	}
	if len(f.Algorithm) > 0 && !slices.Contains(f.Algorithm, e.Algorithm) {
		return false
	}
	return true
}

// ekuOIDs are the OIDs of crypto/x509's named extended key usages (RFC 5280
// §4.2.1.12), which it parses into ExtKeyUsage rather than
// UnknownExtKeyUsage.
var ekuOIDs = map[int]string{
	0: "2.5.29.37.0", 1: "1.3.6.1.5.5.7.3.1", 2: "1.3.6.1.5.5.7.3.2", 3: "1.3.6.1.5.5.7.3.3",
	4: "1.3.6.1.5.5.7.3.4", 5: "1.3.6.1.5.5.7.3.5", 6: "1.3.6.1.5.5.7.3.6", 7: "1.3.6.1.5.5.7.3.7",
	8: "1.3.6.1.5.5.7.3.8", 9: "1.3.6.1.5.5.7.3.9",
}

func hasEKU(c *pki.Certificate, oid string) bool {
	for _, u := range c.ExtKeyUsage {
		if o := ekuOIDs[int(u)]; o == oid || o == "2.5.29.37.0" {
			return true
		}
	}
	for _, u := range c.UnknownExtKeyUsage {
		if u.String() == oid {
			return true
		}
	}
	return false
}

func (s *Server) certificates(ctx context.Context, f *Filter) (any, *Error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	res := CertificatesResult{Certificates: []CertificateEntry{}}
	cands, _ := s.candidates(ctx)
	for _, c := range cands {
		if f.match(c.key.Certificate, c.entry) {
			res.Certificates = append(res.Certificates, c.entry)
		}
	}
	return res, nil
}

func (s *Server) cancel(origin, target string) (any, *Error) {
	s.ops.mu.Lock()
	r, ok := s.ops.running[target]
	s.ops.mu.Unlock()
	if !ok || r.origin != origin {
		return nil, apiErr(CodeNotFound, "no operation of this site with that requestId is in progress", nil)
	}
	r.cancel()
	return map[string]any{"cancelled": target}, nil
}

// errorFor maps an operation's failure to the page's code.
func errorFor(err error) *Error {
	var pe *pkcs11.PINError
	switch {
	case errors.As(err, &pe) && !pe.Locked:
		e := apiErr(CodePINIncorrect, "the token rejected the PIN", err)
		if pe.FinalTry {
			one := 1
			e.RetriesLeft = &one
		}
		return e
	case errors.Is(err, pkcs11.ErrPINLocked):
		return apiErr(CodePINLocked, "the token's PIN is locked; it can be unlocked with the SO PIN", err)
	case errors.Is(err, errCancelled):
		return apiErr(CodeUserCancelled, "the person cancelled", err)
	case errors.Is(err, errTimeout), errors.Is(err, context.DeadlineExceeded):
		return apiErr(CodeUserTimeout, "the person did not answer in time", err)
	case errors.Is(err, pkcs11.ErrTokenNotPresent):
		return apiErr(CodeTokenRemoved, "the token was removed", err)
	case errors.Is(err, pkcs11.ErrKeyNotFound):
		return apiErr(CodeNoCertificate, "the certificate's key is no longer on the token", err)
	case errors.Is(err, errPinentry):
		return apiErr(CodePinentryFailed, "the PIN dialog could not be shown (see `tokend doctor`)", err)
	case errors.Is(err, context.Canceled):
		return apiErr(CodeUserCancelled, "the operation was cancelled", err)
	}
	return asAPIError(err)
}

// Package validate is what a site's server imports to let people log in with
// tokend: it issues single-use nonces bound to the login session and checks
// the login token the page brings back (tokend/authtoken), returning the
// person the certificate names.
//
// The checks follow the Web eID reference validator (shared/spec/tokend/
// ANCHORS.md §1.2 "How the server validates", §6 item 3):
//
//  1. The token is 100 to 10 000 bytes of JSON with exactly the five
//     members of authtoken.Token; format is "tokend:1" or "tokend:1.N".
//  2. The nonce is taken from the session's store and removed, whatever
//     happens next: it is used once. It must have been issued for this
//     session (login CSRF: a victim cannot submit a token made for the
//     attacker's nonce) less than Lifetime (5 minutes by default) ago.
//  3. The certificate must build a path to the configured roots
//     (pki.Certificate.Verify: validity, signatures, CA constraints,
//     critical extensions) at the validation time, allow client
//     authentication when it restricts extended key usage, and allow
//     digitalSignature when it has keyUsage.
//  4. The algorithm must be the one of the certificate's key size
//     (GOST3410_2012_256 for a 256-bit key, _512 for 512), and the signature
//     must verify over Streebog(origin) ‖ Streebog(nonce) with the origin
//     this site expects — not one the token or the page names — and the
//     nonce from step 2. A valid signature proves both.
//
// Security contract: nothing in the token is trusted before these checks;
// the origin is configuration; nonces come from crypto/rand (256 bits), are
// never taken from the token (the signature binds the session's own nonce),
// and are removed from the store before anything else is checked. Revocation (CRL/OCSP) is not checked here
// yet: package verify has the machinery, and wiring it in is listed as
// work left in issue 9. Login POSTs still need the site's own CSRF
// protection.
package validate

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/tokend/authtoken"
)

// DefaultLifetime is how long a nonce stays valid: Web eID's default
// (ANCHORS §1.2, "Nonce: … default lifetime 5 minutes").
const DefaultLifetime = 5 * time.Minute

// Code is a stable reason a token was refused.
type Code string

const (
	CodeMalformed            Code = "TOKEN_MALFORMED"
	CodeFormatUnsupported    Code = "FORMAT_UNSUPPORTED"
	CodeAlgorithmMismatch    Code = "ALGORITHM_MISMATCH"
	CodeNonceUnknown         Code = "NONCE_UNKNOWN" // never issued for this session, or used already
	CodeNonceExpired         Code = "NONCE_EXPIRED"
	CodeCertificateInvalid   Code = "CERTIFICATE_INVALID" // does not parse, or wrong purpose
	CodeCertificateUntrusted Code = "CERTIFICATE_UNTRUSTED"
	CodeSignatureInvalid     Code = "SIGNATURE_INVALID"
)

// Error is a refused token. Code is for programs, Err says why.
type Error struct {
	Code Code
	Err  error
}

func (e *Error) Error() string { return "validate: " + string(e.Code) + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Is matches another *Error with the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

func fail(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Err: fmt.Errorf(format, args...)}
}

// Nonces is an in-memory store of nonces, one outstanding per session. It
// is safe for concurrent use. A site with several servers keeps the nonce
// in its shared session store instead and calls Check itself.
type Nonces struct {
	// Lifetime of a nonce; DefaultLifetime when zero.
	Lifetime time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	mu sync.Mutex
	m  map[string]issued
}

type issued struct {
	nonce string
	at    time.Time
}

func (n *Nonces) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}

func (n *Nonces) lifetime() time.Duration {
	if n.Lifetime > 0 {
		return n.Lifetime
	}
	return DefaultLifetime
}

// Issue makes a nonce for session: 32 bytes from crypto/rand in base64
// (44 characters, ANCHORS §1.2). It replaces the session's previous nonce.
// Expired nonces of other sessions are dropped on the way.
func (n *Nonces) Issue(session string) (string, error) {
	if session == "" {
		return "", errors.New("validate: a nonce must be bound to a session")
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	nonce := base64.StdEncoding.EncodeToString(b[:])
	now := n.now()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m == nil {
		n.m = make(map[string]issued)
	}
	for s, is := range n.m {
		if now.Sub(is.at) > n.lifetime() {
			delete(n.m, s)
		}
	}
	n.m[session] = issued{nonce: nonce, at: now}
	return nonce, nil
}

// take removes and returns session's nonce, checking its age.
func (n *Nonces) take(session string) (string, error) {
	n.mu.Lock()
	is, ok := n.m[session]
	delete(n.m, session)
	n.mu.Unlock()
	if !ok {
		return "", fail(CodeNonceUnknown, "no nonce is outstanding for this session (never issued, or used already)")
	}
	if age := n.now().Sub(is.at); age > n.lifetime() || age < -time.Minute {
		return "", fail(CodeNonceExpired, "the nonce was issued %v ago; it is valid for %v", age.Round(time.Second), n.lifetime())
	}
	return is.nonce, nil
}

// Validator checks login tokens for one site.
type Validator struct {
	// Origin is the site's origin exactly as browsers send it
	// ("https://portal.example"), checked by New.
	Origin string
	// Roots are the trusted CAs, Intermediates extra certificates to
	// reach them.
	Roots, Intermediates *pki.CertPool
	// Nonces issues and takes the nonces.
	Nonces *Nonces
	// ExtKeyUsages the certificate must allow (when it restricts them);
	// by default client authentication (ANCHORS §1.2: "purpose is client
	// authentication"). x509.ExtKeyUsageAny turns the check off.
	ExtKeyUsages []x509.ExtKeyUsage
	// Now is the validation time; time.Now when nil.
	Now func() time.Time
}

// New returns a Validator for origin (https only; http://localhost with
// allowHTTPLocalhost, for development) trusting roots.
func New(origin string, allowHTTPLocalhost bool, roots *pki.CertPool, nonces *Nonces) (*Validator, error) {
	if err := authtoken.CheckOrigin(origin, allowHTTPLocalhost && authtoken.IsLocalhost(origin)); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	if roots == nil || roots.Len() == 0 {
		return nil, errors.New("validate: no trusted roots")
	}
	if nonces == nil {
		return nil, errors.New("validate: no nonce store")
	}
	return &Validator{Origin: origin, Roots: roots, Nonces: nonces, ExtKeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, nil
}

// Person is who logged in, from the certificate (FACTS §6.1 attributes).
type Person struct {
	Name         string // фамилия, имя, отчество (or the common name)
	Title        string // должность
	SNILS        string
	INN          string // the person's ИНН (12 digits)
	Organization string
	OrgINN       string // ИНН ЮЛ (10 digits)
	OGRN         string
	Certificate  *pki.Certificate
	// Chain is the path found, the certificate first, the root last.
	Chain []*pki.Certificate
}

// Validate checks the token (the JSON the page received from tokend) made
// for the nonce issued to session. The error is an *Error on a refused
// token.
func (v *Validator) Validate(session string, token []byte) (*Person, error) {
	if len(token) < authtoken.MinTokenLen || len(token) > authtoken.MaxTokenLen {
		return nil, fail(CodeMalformed, "the token is %d bytes; it must be %d to %d", len(token), authtoken.MinTokenLen, authtoken.MaxTokenLen)
	}
	var tok authtoken.Token
	dec := json.NewDecoder(bytes.NewReader(token))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&tok); err != nil {
		return nil, fail(CodeMalformed, "%v", err)
	}
	if dec.More() {
		return nil, fail(CodeMalformed, "data after the token")
	}
	if f := tok.Format; f != authtoken.FormatPrefix && !(strings.HasPrefix(f, authtoken.FormatPrefix+".") && isDigits(f[len(authtoken.FormatPrefix)+1:])) {
		return nil, fail(CodeFormatUnsupported, "format %q (want %s.x)", f, authtoken.FormatPrefix)
	}
	// The nonce is used up from here on, whatever the outcome.
	nonce, err := v.Nonces.take(session)
	if err != nil {
		return nil, err
	}
	der, err := base64.StdEncoding.DecodeString(tok.UnverifiedCertificate)
	if err != nil {
		return nil, fail(CodeMalformed, "unverifiedCertificate is not base64: %v", err)
	}
	sig, err := base64.StdEncoding.DecodeString(tok.Signature)
	if err != nil {
		return nil, fail(CodeMalformed, "signature is not base64: %v", err)
	}
	cert, err := pki.ParseCertificate(der)
	if err != nil {
		return nil, fail(CodeCertificateInvalid, "%v", err)
	}
	pub, ok := cert.PublicKey.(*gost3410.PublicKey)
	if !ok {
		return nil, fail(CodeCertificateInvalid, "the certificate's key is not a GOST R 34.10-2012 key")
	}
	want, err := authtoken.Algorithm(pub.ParamSet().Size() * 8)
	if err != nil {
		return nil, fail(CodeCertificateInvalid, "%v", err)
	}
	if tok.Algorithm != want {
		return nil, fail(CodeAlgorithmMismatch, "algorithm %q, but the certificate's key needs %s", tok.Algorithm, want)
	}
	if cert.KeyUsage != 0 && cert.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return nil, fail(CodeCertificateInvalid, "the certificate's keyUsage does not allow digitalSignature")
	}
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	paths, err := cert.Verify(pki.VerifyOptions{Roots: v.Roots, Intermediates: v.Intermediates, CurrentTime: now, KeyUsages: v.ExtKeyUsages})
	if err != nil {
		var pe *pki.PathError
		if errors.As(err, &pe) && pe.Code == pki.CodeExtKeyUsage {
			return nil, &Error{Code: CodeCertificateInvalid, Err: err}
		}
		return nil, &Error{Code: CodeCertificateUntrusted, Err: err}
	}
	msg, err := authtoken.SignedMessage(tok.Algorithm, v.Origin, nonce)
	if err != nil {
		return nil, fail(CodeMalformed, "%v", err)
	}
	oid, _ := authtoken.SignatureOID(tok.Algorithm)
	if err := pki.CheckSignature(pub, oid, nil, msg, sig); err != nil {
		return nil, &Error{Code: CodeSignatureInvalid, Err: fmt.Errorf("the signature does not verify for origin %s and the session's nonce: %w", v.Origin, err)}
	}
	n := cert.SubjectName
	p := &Person{
		Name: n.PersonName(), Title: n.Title, SNILS: n.SNILS, INN: n.PersonINN(),
		Organization: n.Organization, OrgINN: n.LegalEntityINN(), OGRN: n.OGRN,
		Certificate: cert, Chain: paths[0],
	}
	if p.Name == "" {
		p.Name = n.CommonName
	}
	return p, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

package tokend

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/sign/pkcs11"
	"github.com/podpis/podpis/tokend/authtoken"
	"github.com/podpis/podpis/tokend/pinentry"
)

var (
	errCancelled = pinentry.ErrCancelled
	errTimeout   = pinentry.ErrTimeout
	// errPinentry marks a dialog that could not be shown (no program, a
	// protocol error), as opposed to a person's answer.
	errPinentry = errors.New("tokend: pinentry failed")
)

// AuthenticateResult is the answer of /v1/authenticate.
type AuthenticateResult struct {
	RequestID string          `json:"requestId,omitempty"`
	AuthToken authtoken.Token `json:"authToken"`
}

// authenticate makes an origin-bound login token (ANCHORS §6 item 3): the
// origin is the request's Origin header, never a request field; the person
// consents and types the PIN in the daemon's own dialog (item 5); the key
// is opened for this one operation and closed after it, which logs out of
// the token (C_Logout), so no PIN and no login outlive the operation.
func (s *Server) authenticate(ctx context.Context, a *auditRecord, origin, nonce, certID string) (any, *Error) {
	if err := authtoken.CheckNonce(nonce); err != nil {
		return nil, apiErr(CodeBadNonce, "the nonce must be 44 to 128 base64 characters (256 bits or more)", err)
	}
	c, err := s.choose(ctx, certID, func(c candidate) bool { return c.entry.Usable })
	if err != nil {
		return nil, err
	}
	a.cert, a.token = c.key.Certificate, c.tok.info.Label
	if err := unusable(c); err != nil {
		return nil, err
	}
	alg := c.entry.Algorithm
	digest, derr := authtoken.Digest(alg, origin, nonce)
	if derr != nil {
		return nil, asAPIError(derr)
	}
	a.digest = digest

	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	if err := s.ops.begin(c.tok.key(), a.requestID, origin, cancel); err != nil {
		return nil, err
	}
	defer s.ops.end(c.tok.key(), a.requestID)

	d := s.dialogText(origin, c)
	// A PIN pad or a token without login shows no PIN dialog, so consent
	// is asked for separately first (ANCHORS §6 item 5: "the same channel
	// for consent").
	src := &pinSource{s: s, d: d}
	if pinPad(c.tok.info) || !hasFlag(c.tok.info, "login required") {
		if err := s.confirm(ctx, d); err != nil {
			return nil, errorFor(err)
		}
		src.consented = true
	}
	key, kerr := pkcs11.Open(ctx, c.key.URI, pkcs11.Options{Module: c.tok.module, PIN: src, Sessions: 1})
	if kerr != nil {
		return nil, errorFor(kerr)
	}
	defer key.Close()
	if !src.consented {
		// The token was logged in already (not by tokend, which logs out
		// after each operation): ask for consent all the same.
		if err := s.confirm(ctx, d); err != nil {
			return nil, errorFor(err)
		}
	}
	cert := key.Certificate()
	if cert == nil || string(cert.Raw) != string(c.key.Certificate.Raw) {
		return nil, apiErr(CodeNoCertificate, "the certificate's key is no longer on the token", errors.New("certificate changed"))
	}
	h, _ := authtoken.Hash(alg)
	sig, serr := key.SignContext(ctx, digest, gost3410.SignerOpts{Hash: h})
	if serr != nil {
		return nil, errorFor(serr)
	}
	return AuthenticateResult{AuthToken: authtoken.Token{
		UnverifiedCertificate: base64.StdEncoding.EncodeToString(cert.Raw),
		Algorithm:             alg,
		Signature:             base64.StdEncoding.EncodeToString(sig),
		Format:                authtoken.Format,
		AppVersion:            s.cfg.AppVersion,
	}}, nil
}

// dialog is the text of one operation's dialogs.
type dialog struct {
	title, desc, prompt, ok, cancel, confirmDesc string
	lang                                         string
}

// choose picks an operation's certificate: the one certID names (usable or
// not: the caller says why it cannot be used), or else the only candidate
// for which ok holds, or else the only candidate there is (so that the page
// learns why it cannot be used, PIN_LOCKED say, rather than NO_CERTIFICATE).
func (s *Server) choose(ctx context.Context, certID string, ok func(candidate) bool) (candidate, *Error) {
	var usable []candidate
	cands, ntok := s.candidates(ctx)
	if ntok == 0 {
		return candidate{}, apiErr(CodeNoToken, "no token is plugged in", nil)
	}
	for _, c := range cands {
		if certID != "" && c.entry.ID == certID {
			return c, nil
		}
		if ok(c) {
			usable = append(usable, c)
		}
	}
	switch {
	case certID != "":
		return candidate{}, apiErr(CodeNoCertificate, "no present token holds that certificate", fmt.Errorf("certificate %s", certID))
	case len(usable) == 1:
		return usable[0], nil
	case len(usable) == 0 && len(cands) == 1:
		return cands[0], nil
	case len(usable) == 0:
		return candidate{}, apiErr(CodeNoCertificate, "no usable certificate on a present token (see /v1/certificates)", nil)
	}
	return candidate{}, apiErr(CodeBadRequest, "several certificates are usable: name one by its id (from /v1/certificates)", nil)
}

// unusable says why a chosen certificate cannot be used at all.
func unusable(c candidate) *Error {
	switch {
	case c.entry.Usable:
		return nil
	case c.entry.Reason == "PIN_LOCKED":
		return apiErr(CodePINLocked, "the token's PIN is locked; it can be unlocked with the SO PIN", nil)
	}
	return apiErr(CodeCertificateUnusable, "the certificate cannot be used: "+c.entry.Reason, nil)
}

// certWords names a certificate's holder, issuer and end of validity for
// the dialogs.
func certWords(c candidate) (who, issuer, until string) {
	cert := c.key.Certificate
	who = cert.SubjectName.PersonName()
	if who == "" {
		who = cert.SubjectName.CommonName
	}
	if org := cert.SubjectName.Organization; org != "" && org != who {
		who += ", " + org
	}
	return who, cert.IssuerName.CommonName, cert.NotAfter.UTC().Format("02.01.2006")
}

// dialogText is the text of a login's dialogs. Like signDialogText it fits
// pinentry's line, shortening the issuer and then the holder.
func (s *Server) dialogText(origin string, c candidate) dialog {
	who, issuer, until := certWords(c)
	d := s.loginDialog(origin, c, who, issuer, until)
	for _, step := range []func(){
		func() { issuer = shorten(issuer, 40) },
		func() { who = shorten(who, 60) },
		func() { who, issuer = shorten(who, 30), shorten(issuer, 20) },
	} {
		if assuanLen(d.confirmDesc) <= maxDesc && assuanLen(d.desc) <= maxDesc {
			break
		}
		step()
		d = s.loginDialog(origin, c, who, issuer, until)
	}
	return d
}

func (s *Server) loginDialog(origin string, c candidate, who, issuer, until string) dialog {
	if s.cfg.Lang == "en" {
		base := fmt.Sprintf("The site %s asks you to log in with your certificate:\n%s\nissued by %s, valid until %s (token %q).",
			origin, who, issuer, until, c.tok.info.Label)
		return dialog{lang: "en", title: "tokend: log in to a site",
			desc:        base + "\n\nType the token's PIN to log in.",
			confirmDesc: base + "\n\nAllow? If the token has a PIN pad, type the PIN on it after confirming.",
			prompt:      "PIN:", ok: "Log in", cancel: "Cancel"}
	}
	base := fmt.Sprintf("Сайт %s просит войти с вашим сертификатом:\n%s\nвыдан: %s, действует до %s (токен «%s»).",
		origin, who, issuer, until, c.tok.info.Label)
	return dialog{lang: "ru", title: "tokend: вход на сайт",
		desc:        base + "\n\nВведите PIN токена, чтобы войти.",
		confirmDesc: base + "\n\nРазрешить? Если у токена есть клавиатура, введите PIN на ней после подтверждения.",
		prompt:      "PIN:", ok: "Войти", cancel: "Отмена"}
}

// retries puts the token's PIN counter flags in words (PKCS#11 v2.40
// §5.7.3: it tells "a wrong PIN was entered" and "final try", not a count).
func retries(lang string, info pkcs11.PINInfo) string {
	switch {
	case info.FinalTry && lang == "en":
		return "1 attempt left: the next wrong PIN locks the token."
	case info.FinalTry:
		return "Осталась 1 попытка: следующий неверный PIN заблокирует токен."
	case info.CountLow && lang == "en":
		return "A wrong PIN was entered since the last login."
	case info.CountLow:
		return "После последнего входа уже вводили неверный PIN."
	}
	return ""
}

func (s *Server) confirm(ctx context.Context, d dialog) error {
	err := s.pinentry().Confirm(ctx, pinentry.Dialog{Title: d.title, Description: d.confirmDesc, OK: d.ok, Cancel: d.cancel, Timeout: deadline(ctx)})
	return wrapPinentry(err)
}

func (s *Server) pinentry() *pinentry.Program {
	if s.cfg.Pinentry != nil {
		return s.cfg.Pinentry
	}
	return &pinentry.Program{}
}

func wrapPinentry(err error) error {
	if err == nil || errors.Is(err, pinentry.ErrCancelled) || errors.Is(err, pinentry.ErrTimeout) {
		return err
	}
	return fmt.Errorf("%w: %w", errPinentry, err)
}

func deadline(ctx context.Context) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		return time.Until(d)
	}
	return 0
}

// pinSource asks for the PIN through pinentry; consenting is typing it.
type pinSource struct {
	s         *Server
	d         dialog
	consented bool
}

// PIN shows the PIN dialog naming the origin and the certificate, with the
// token's retry flags (ANCHORS §6 item 5).
func (p *pinSource) PIN(ctx context.Context, info pkcs11.PINInfo) ([]byte, error) {
	desc := p.d.desc
	if r := retries(p.d.lang, info); r != "" {
		desc += "\n" + r
	}
	pin, err := p.s.pinentry().GetPIN(ctx, pinentry.Dialog{
		Title: p.d.title, Description: desc, Prompt: p.d.prompt, OK: p.d.ok, Cancel: p.d.cancel, Timeout: deadline(ctx),
	})
	if err != nil {
		return nil, wrapPinentry(err)
	}
	p.consented = true
	return pin, nil
}

// PINPad is called instead of PIN on a token with a PIN pad; consent was
// asked before the login.
func (p *pinSource) PINPad(pkcs11.PINInfo) {}

package tokend

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/podpis/podpis/tokend/authtoken"
	"github.com/podpis/podpis/tokend/pinentry"
)

// Consent is what an OriginPolicy says about an origin.
type Consent int

// The answers of an OriginPolicy (issue 9, "Consent: an admin policy file
// (system-wide) plus first-use consent per origin stored per user";
// ANCHORS §6 item 7).
const (
	ConsentDenied  Consent = iota // not allowed and the person may not be asked
	ConsentAllowed                // allowed by the admin policy or by the person before
	ConsentAsk                    // unknown: ask the person once (first-use consent)
)

func (c Consent) String() string {
	switch c {
	case ConsentDenied:
		return "denied"
	case ConsentAllowed:
		return "allowed"
	case ConsentAsk:
		return "ask"
	}
	return fmt.Sprintf("Consent(%d)", int(c))
}

// OriginPolicy decides origins that are not in Config.Origins. Package
// tokend/policy implements it over the admin's system-wide policy file and
// the person's own list of allowed origins.
type OriginPolicy interface {
	Consent(origin string) Consent
	// Remember records that the person allowed origin in the first-use dialog.
	Remember(origin string) error
}

// The gate's consent rules (Server.ServeHTTP):
//
//   - Config.Origins is decided first and wins: it is the list the daemon
//     was started with, by the person or the administrator who runs it. A
//     policy's ConsentDenied means "not allowed" as much as "forbidden" (it
//     is also the answer for every unknown origin when the administrator
//     turned first-use consent off), so it cannot override an origin listed
//     explicitly. The daemon runs as the person, who could use the token
//     without it; the system-wide policy guards the person against sites,
//     not the administrator against the person. (cmd/tokend does refuse to
//     start with an origin the administrator's policy file denies, so
//     there the deny wins after all.)
//   - Other origins: the policy's answer. An origin that is not https (or
//     http://localhost with Config.AllowHTTPLocalhost) is denied without
//     asking the policy, and Denied is also the answer without a policy.
//   - ConsentAsk: /v1/status answers as for an origin not allowed (the
//     protocol version only); preflights are answered so that the page can
//     make its request; an operation that uses the token (consentPaths)
//     shows the person a pinentry CONFIRM naming the origin and saying what
//     allowing means. Yes: OriginPolicy.Remember, then the operation goes
//     on (if Remember fails, the error is logged and only this request is
//     allowed). No, Cancel or closing the dialog: USER_CANCELLED, and
//     nothing is remembered, so the site may ask again later (storing a
//     refusal is the policy's business: `tokend revoke-origin`; a person
//     who never wants a site asks the administrator's policy to deny it).
//     The events WebSocket and cancel of an origin in ConsentAsk are
//     refused with ORIGIN_NOT_ALLOWED: nothing without a request that
//     needs the token opens a dialog.
//   - Each answer of the person goes to the audit log (Config.Audit) as a
//     "consent" record (auditConsent).
//   - One consent dialog at a time; requests of an origin whose dialog is
//     showing wait for that dialog's answer instead of opening another.
//     The wait and the dialog are bounded by Config.Timeout (USER_TIMEOUT),
//     by the page closing its request, and by Shutdown.
var consentPaths = map[string]bool{"/v1/certificates": true, "/v1/authenticate": true, "/v1/sign": true}

// consentGate serialises the first-use dialogs.
type consentGate struct {
	slot    chan struct{}
	mu      sync.Mutex
	pending map[string]*consentWait
}

type consentWait struct {
	done chan struct{}
	err  error
}

func newConsentGate() *consentGate {
	return &consentGate{slot: make(chan struct{}, 1), pending: map[string]*consentWait{}}
}

// errOriginDenied: the policy denied the origin while its request waited.
var errOriginDenied = errors.New("tokend: the policy denies the origin")

// consentFor is the gate's decision for origin before any dialog.
func (s *Server) consentFor(origin string) Consent {
	if s.origins[origin] {
		return ConsentAllowed
	}
	if s.cfg.Policy == nil {
		return ConsentDenied
	}
	allowHTTP := s.cfg.AllowHTTPLocalhost && authtoken.IsLocalhost(origin)
	if authtoken.CheckOrigin(origin, allowHTTP) != nil {
		return ConsentDenied
	}
	switch c := s.cfg.Policy.Consent(origin); c {
	case ConsentAllowed, ConsentAsk:
		return c
	}
	return ConsentDenied
}

// askConsent asks the person whether origin may use the token, or joins
// the dialog already showing for it.
func (s *Server) askConsent(r *http.Request, rec *record, origin string) *Error {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
	defer cancel()
	defer context.AfterFunc(s.base, cancel)()
	g := s.consent
	g.mu.Lock()
	if w := g.pending[origin]; w != nil {
		g.mu.Unlock()
		rec.extra = append(rec.extra, "consent", "joined")
		select {
		case <-w.done:
			return s.consentResult(rec, w.err)
		case <-ctx.Done():
			return errorFor(ctx.Err())
		}
	}
	w := &consentWait{done: make(chan struct{})}
	g.pending[origin] = w
	g.mu.Unlock()
	w.err = s.consentDialog(ctx, rec, origin)
	g.mu.Lock()
	delete(g.pending, origin)
	g.mu.Unlock()
	close(w.done)
	return s.consentResult(rec, w.err)
}

func (s *Server) consentResult(rec *record, err error) *Error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errOriginDenied):
		return apiErr(CodeOriginNotAllowed, "this site is not allowed to use tokend", err)
	case errors.Is(err, errCancelled):
		rec.extra = append(rec.extra, "consent", "refused")
		return apiErr(CodeUserCancelled, "the person did not allow this site to use the token", err)
	}
	return errorFor(err)
}

// consentDialog waits for the dialog slot and shows the dialog.
func (s *Server) consentDialog(ctx context.Context, rec *record, origin string) error {
	select {
	case s.consent.slot <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.consent.slot }()
	// The answer may have changed while we waited (tokend allow, the
	// administrator's policy).
	switch s.consentFor(origin) {
	case ConsentAllowed:
		return nil
	case ConsentDenied:
		return fmt.Errorf("%w (changed while the request waited)", errOriginDenied)
	}
	rec.extra = append(rec.extra, "consent", "asked")
	d := consentDialogText(s.cfg.Lang, origin)
	d.Timeout = deadline(ctx)
	if err := wrapPinentry(s.pinentry().Confirm(ctx, d)); err != nil {
		s.auditConsent(origin, s.consentResult(&record{}, err).Code, false)
		return err
	}
	rec.extra = append(rec.extra, "consent", "allowed")
	stored := true
	if err := s.cfg.Policy.Remember(origin); err != nil {
		stored = false
		s.log.Error("first-use consent: the allowed origin could not be stored; it is allowed for this request only", "origin", origin, "err", err)
	}
	s.auditConsent(origin, "ALLOWED", stored)
	return nil
}

// auditConsent writes the person's answer to a first-use dialog to the
// audit log (Config.Audit), as a record with the message "consent":
// origin, result ("ALLOWED" or the code the page got: USER_CANCELLED,
// USER_TIMEOUT, PINENTRY_FAILED) and remembered (whether the policy
// stored the yes).
func (s *Server) auditConsent(origin string, result Code, remembered bool) {
	if s.cfg.Audit == nil {
		return
	}
	s.cfg.Audit.LogAttrs(context.Background(), slog.LevelInfo, "consent",
		slog.String("origin", origin), slog.String("result", string(result)), slog.Bool("remembered", remembered))
}

// consentDialogText is the first-use dialog: who asks, what allowing
// means, how to take it back.
func consentDialogText(lang, origin string) pinentry.Dialog {
	if lang == "en" {
		return pinentry.Dialog{
			Title: "tokend: a site asks for your token",
			Description: fmt.Sprintf("The site %s asks for access to your token.\n\n"+
				"If you allow it, this site may see which tokens and certificates are plugged in and may ask you to log in "+
				"or to sign with them. You confirm every login and every signature separately, and the PIN is typed only "+
				"in tokend's own dialog, never on the site.\n\n"+
				"Your answer is remembered; to take it back: tokend revoke-origin %s\n\n"+
				"Allow only sites you know. Allow %s?", origin, origin, origin),
			OK: "Allow", Cancel: "Do not allow",
		}
	}
	return pinentry.Dialog{
		Title: "tokend: сайт просит доступ к токену",
		Description: fmt.Sprintf("Сайт %s просит доступ к вашему токену.\n\n"+
			"Если разрешить, этот сайт сможет видеть, какие токены и сертификаты подключены, и просить вас войти "+
			"или подписать с их помощью. Каждый вход и каждую подпись вы подтверждаете отдельно, а PIN вводится "+
			"только в окне tokend, никогда на сайте.\n\n"+
			"Ответ запоминается; отозвать разрешение: tokend revoke-origin %s\n\n"+
			"Разрешайте только знакомым сайтам. Разрешить %s?", origin, origin, origin),
		OK: "Разрешить", Cancel: "Не разрешать",
	}
}

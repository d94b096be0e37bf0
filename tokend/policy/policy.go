package policy

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/podpis/podpis/tokend"
)

// Policy is the tokend.OriginPolicy of the admin file and the person's
// list. It is safe for concurrent use.
type Policy struct {
	Admin *Admin
	Store *Store
	// Logger receives the reason when the person's file cannot be read
	// (Consent cannot return it); slog.Default() when nil.
	Logger *slog.Logger
	// Now is the clock for Remember; time.Now when nil.
	Now func() time.Time

	mu      sync.Mutex
	lastErr string // the last store error logged, to log each once
}

var _ tokend.OriginPolicy = (*Policy)(nil)

// Load reads the admin policy file at adminPath (DefaultAdminPath when "")
// and opens the person's file at storePath (DefaultStorePath when ""). A
// malformed admin file is an error naming the file and line; the person's
// file is read when first needed.
func Load(adminPath, storePath string) (*Policy, error) {
	if adminPath == "" {
		adminPath = DefaultAdminPath
	}
	a, err := LoadAdmin(adminPath)
	if err != nil {
		return nil, err
	}
	s, err := OpenStore(storePath)
	if err != nil {
		return nil, err
	}
	return &Policy{Admin: a, Store: s}, nil
}

// Consent decides origin: admin deny, then admin allow, then the person's
// list, then first_use (the package doc lists the rules). While the
// person's file cannot be read, origins it would decide are denied (fail
// closed) and the reason is logged.
func (p *Policy) Consent(origin string) tokend.Consent {
	if CheckOrigin(origin) != nil || p.Admin.Denied(origin) {
		return tokend.ConsentDenied
	}
	if p.Admin.Allowed(origin) {
		return tokend.ConsentAllowed
	}
	ok, err := p.Store.Allowed(origin)
	if err != nil {
		p.logOnce(err)
		return tokend.ConsentDenied
	}
	p.logOnce(nil)
	if ok {
		return tokend.ConsentAllowed
	}
	if p.Admin.firstUse() == FirstUseDeny {
		return tokend.ConsentDenied
	}
	return tokend.ConsentAsk
}

// Remember records that the person allowed origin in the first-use dialog.
// An origin the admin file denies is refused (ErrAdminDenied).
func (p *Policy) Remember(origin string) error {
	return p.Allow(origin, HowDialog)
}

// Allow records that the person allowed origin, how (HowDialog or HowCLI).
// An origin the admin file denies is refused (ErrAdminDenied).
func (p *Policy) Allow(origin, how string) error {
	if err := CheckOrigin(origin); err != nil {
		return err
	}
	if p.Admin.Denied(origin) {
		return fmt.Errorf("%w (%s): %s", ErrAdminDenied, p.Admin.Path, origin)
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	return p.Store.Add(origin, how, now())
}

// logOnce logs err unless it was the last one logged; nil (the file is
// readable again) forgets the last one.
func (p *Policy) logOnce(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err == nil {
		p.lastErr = ""
		return
	}
	if err.Error() == p.lastErr {
		return
	}
	p.lastErr = err.Error()
	log := p.Logger
	if log == nil {
		log = slog.Default()
	}
	log.Error("your allowed origins cannot be read; origins allowed only there are refused until it is fixed", "err", err)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"

	"github.com/spf13/cobra"

	"github.com/podpis/podpis/mchd/registry"
	"github.com/podpis/podpis/verify"
)

// envMCHDDB names the registry when --db is not given.
const envMCHDDB = "PODPIS_MCHD_DB"

// addDBFlag adds --db, the МЧД registry, to cmd. An empty value means
// $PODPIS_MCHD_DB, else the default SQLite file (registry.DefaultPath).
func addDBFlag(cmd *cobra.Command, dsn *string) {
	cmd.Flags().StringVar(dsn, "db", "", "МЧД registry: an SQLite file or a postgres:// URL (default $"+envMCHDDB+", else ~/.local/share/podpis/mchd.db)")
}

// dbName resolves the --db value as openRegistry does.
func dbName(dsn string) (string, error) {
	if dsn == "" {
		dsn = os.Getenv(envMCHDDB)
	}
	if dsn == "" {
		return registry.DefaultPath()
	}
	return dsn, nil
}

// openRegistry opens the registry named by a --db value (see addDBFlag),
// creating it when it does not exist. The caller closes it. Journal an
// operation that changes no record with one call:
// reg.Log(ctx, registry.OpRender, guid, registry.ResultOK, detail).
func openRegistry(ctx context.Context, dsn string) (*registry.Registry, error) {
	name, err := dbName(dsn)
	if err != nil {
		return nil, err
	}
	r, err := registry.Open(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("МЧД registry %s: %w", redactDSN(name), err)
	}
	return r, nil
}

// registryStatus lets package verify ask the registry for a POA's status
// (FORMAT.md §8.3 step 6).
func registryStatus(r *registry.Registry) verify.MCHDRegistry { return statusSource{r} }

type statusSource struct{ r *registry.Registry }

func (s statusSource) MCHDStatus(ctx context.Context, guid string) (verify.MCHDStatus, error) {
	rec, err := s.r.Get(ctx, guid)
	if errors.Is(err, registry.ErrNotFound) {
		return verify.MCHDStatus{}, nil
	}
	if err != nil {
		return verify.MCHDStatus{}, err
	}
	st := verify.MCHDStatus{Known: true}
	if rec.Status == registry.StatusRevoked && rec.Revocation != nil {
		st.Revoked, st.RevokedAt, st.Reason = true, rec.Revocation.Time, rec.Revocation.Reason
	}
	return st, nil
}

// redactDSN hides a password in a postgres:// URL before it is shown.
func redactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			return u.Redacted()
		}
	}
	return dsn
}

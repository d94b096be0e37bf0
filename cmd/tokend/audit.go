package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
)

// openAudit opens the audit log file (--audit-log, audit_log:) for
// tokend.Config.Audit: JSON records appended to the file, which is created
// with mode 0600 (it names sites, certificates and digests; never PINs,
// nonces or documents — package tokend, audit.go). An existing file that
// others may read, or that is not a regular file, is refused rather than
// written to. An empty path means no audit log.
func openAudit(path string) (*slog.Logger, io.Closer, error) {
	if path == "" {
		return nil, io.NopCloser(nil), nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("audit log: %w", err)
	}
	st, err := f.Stat()
	switch {
	case err != nil:
		err = fmt.Errorf("audit log: %w", err)
	case !st.Mode().IsRegular():
		err = fmt.Errorf("audit log %s is not a regular file", path)
	case st.Mode().Perm()&0o077 != 0:
		err = fmt.Errorf("audit log %s may be read by others (mode %04o): chmod 600 %s", path, st.Mode().Perm(), path)
	}
	if err != nil {
		return nil, nil, errors.Join(err, f.Close())
	}
	return slog.New(slog.NewJSONHandler(f, nil)), f, nil
}

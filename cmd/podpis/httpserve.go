package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/podpis/podpis/internal/atomicfile"
)

// serveHTTP runs srv on ln until cmd's context ends or SIGINT/SIGTERM
// arrives, then shuts it down, giving requests in flight 5 s. When addrFile
// is set, base (the URL clients use) is written to it first, so that tests
// and scripts can wait for the server.
func serveHTTP(cmd *cobra.Command, srv *http.Server, ln net.Listener, addrFile, base string) error {
	if addrFile != "" {
		if err := atomicfile.WriteFile(addrFile, []byte(base), 0o644); err != nil {
			ln.Close()
			return err
		}
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

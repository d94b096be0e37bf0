package serve_test

import (
	"context"
	"log"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/podpis/podpis/verify"
	"github.com/podpis/podpis/verify/serve"
)

// The API behind an http.Server: trust anchors from a directory, API keys
// in the МЧД registry's database, one JSON log line per request.
func ExampleNew() {
	ctx := context.Background()
	trust, err := verify.LoadTrustStore("/etc/podpis/trust")
	if err != nil {
		log.Fatal(err)
	}
	keys, err := serve.OpenKeyStore(ctx, "/var/lib/podpis/mchd.db")
	if err != nil {
		log.Fatal(err)
	}
	defer keys.Close()
	var opts verify.AnyOptions
	opts.Trust, opts.Roots = trust, trust.Pool()
	h, err := serve.New(serve.Config{
		Verify: opts,
		Auth:   &serve.Auth{Keys: keys},
		Logger: slog.New(slog.NewJSONHandler(os.Stderr, nil)),
	})
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: "127.0.0.1:8443", Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/podpis/podpis/internal/atomicfile"
	"github.com/podpis/podpis/mchd/registry"
	"github.com/podpis/podpis/verify"
	"github.com/podpis/podpis/verify/serve"
)

type serveFlags struct {
	listen, addrFile, tlsCert, tlsKey, db, maxRequest string
	timeout                                           time.Duration
	concurrency                                       int
	jwtCerts                                          []string
	jwtIssuer, jwtAudience                            string
	noKeys                                            bool
}

func newServeCmd() *cobra.Command {
	var f serveFlags
	var vf verifyFlags
	cmd := &cobra.Command{
		Use:   "serve --listen 127.0.0.1:8443 [--tls-cert CERT --tls-key KEY] --trust CA.pem|DIR|TSL.xml [--db DSN] [--max-request 20MB] [--timeout 30s] [--concurrency N]",
		Short: "Serve the verification API over HTTP(S)",
		Long: `Serve the verification API (package verify/serve): POST /v1/verify takes the
files of one case as multipart/form-data and answers the JSON report of
'podpis verify FILE... --format json'; GET /v1/health; GET /v1/openapi.json.

Callers authenticate with an API key (header X-API-Key), made with
'podpis serve keys add' and kept hashed in the МЧД registry's database (--db),
or with a bearer JWT signed with GOST R 34.10-2012 (alg GOST3410_2012_256) by
the holder of --jwt-cert, with --jwt-issuer and --jwt-audience checked.
The same database answers the status of powers of attorney.

--listen must be a loopback address unless --tls-cert and --tls-key are
given: API keys and documents do not cross a network in the clear.
--max-request bounds a request (20MB; units B, KB, MB, GB of 1024),
--timeout a request from first byte to answer, --concurrency the
verifications at once (default: one per CPU; more are refused with 503).
One JSON log line per request goes to stderr, with a request id and without
documents, names or keys. Stop it with Ctrl-C (requests in flight finish).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runServe(cmd, f, vf) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8443", "address to listen on")
	fl.StringVar(&f.addrFile, "addr-file", "", "file to write the server's base URL to once it listens")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate chain (PEM)")
	fl.StringVar(&f.tlsKey, "tls-key", "", "TLS private key (PEM)")
	addDBFlag(cmd, &f.db)
	fl.StringVar(&f.maxRequest, "max-request", "20MB", "largest request accepted")
	fl.DurationVar(&f.timeout, "timeout", serve.DefaultTimeout, "time allowed for one request")
	fl.IntVar(&f.concurrency, "concurrency", 0, "verifications at once (default: one per CPU)")
	fl.StringArrayVar(&f.jwtCerts, "jwt-cert", nil, "certificate of the JWT issuer's GOST key; repeatable")
	fl.StringVar(&f.jwtIssuer, "jwt-issuer", "", "with --jwt-cert: the required iss")
	fl.StringVar(&f.jwtAudience, "jwt-audience", "", "with --jwt-cert: the aud a token must name")
	fl.BoolVar(&f.noKeys, "no-api-keys", false, "accept only JWTs, not API keys")
	fl.StringArrayVar(&vf.trust, "trust", nil, "trust anchors: certificate file (PEM/DER), directory, or the ministry's TSL.xml; repeatable")
	fl.StringArrayVar(&vf.crls, "crl", nil, "revocation list (PEM or DER); repeatable")
	fl.StringArrayVar(&vf.certs, "certs", nil, "more certificates: intermediates; repeatable")
	addRevocationFlags(cmd, &vf)
	cmd.AddCommand(newServeKeysCmd())
	return cmd
}

// parseSize reads 20MB, 512KB, 1GB or a number of bytes; units are of 1024.
func parseSize(s string) (int64, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, x := range []struct {
		suf string
		m   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(u, x.suf) {
			u, mult = strings.TrimSpace(strings.TrimSuffix(u, x.suf)), x.m
			break
		}
	}
	n, err := strconv.ParseInt(u, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("--max-request %q: give a size such as 20MB, 512KB or 1048576", s)
	}
	return n * mult, nil
}

// checkServeListen refuses an address other hosts can reach without TLS.
func checkServeListen(listen string, tls bool) error {
	if tls {
		return nil
	}
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("--listen %q: %v", listen, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--listen %q is not a loopback address: give --tls-cert and --tls-key to serve other hosts", listen)
}

func runServe(cmd *cobra.Command, f serveFlags, vf verifyFlags) error {
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	useTLS := f.tlsCert != ""
	if err := checkServeListen(f.listen, useTLS); err != nil {
		return err
	}
	maxReq, err := parseSize(f.maxRequest)
	if err != nil {
		return err
	}
	if f.timeout <= 0 || f.concurrency < 0 {
		return errors.New("--timeout must be positive and --concurrency not negative")
	}
	vopts, err := verifyOptions(vf)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	name, err := dbName(f.db)
	if err != nil {
		return err
	}
	reg, err := openRegistry(ctx, f.db)
	if err != nil {
		return err
	}
	defer reg.Close()
	auth := &serve.Auth{}
	if !f.noKeys {
		ks, err := serve.OpenKeyStore(ctx, name)
		if err != nil {
			return fmt.Errorf("API keys in %s: %w", redactDSN(name), err)
		}
		defer ks.Close()
		auth.Keys = ks
	}
	if len(f.jwtCerts) > 0 {
		pool, err := loadPool(f.jwtCerts)
		if err != nil {
			return err
		}
		if auth.JWT, err = serve.NewJWTVerifier(serve.JWTConfig{Certificates: pool.Certificates(), Issuer: f.jwtIssuer, Audience: f.jwtAudience}); err != nil {
			return err
		}
	} else if f.jwtIssuer != "" || f.jwtAudience != "" {
		return errors.New("--jwt-issuer and --jwt-audience go with --jwt-cert")
	}
	if auth.Keys == nil && auth.JWT == nil {
		return errors.New("--no-api-keys needs --jwt-cert: callers must authenticate somehow")
	}
	cfg := serve.Config{
		Verify:      verify.AnyOptions{MCHDOptions: verify.MCHDOptions{Options: vopts, Registry: registryStatus(reg)}},
		Auth:        auth,
		MaxRequest:  maxReq,
		Timeout:     f.timeout,
		Concurrency: f.concurrency,
		Logger:      slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), nil)),
	}
	h, err := serve.New(cfg)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler: h,
		// Headers must arrive promptly; the body's deadline is the
		// handler's (--timeout), the answer's a little later.
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      f.timeout + 10*time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	if useTLS {
		cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
		if err != nil {
			return fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	if useTLS {
		base = "https://" + ln.Addr().String()
	}
	if f.addrFile != "" {
		if err := atomicfile.WriteFile(f.addrFile, []byte(base), 0o644); err != nil {
			ln.Close()
			return err
		}
	}
	fmt.Fprintf(cmd.OutOrStdout(), "verification API at %s/v1/verify\n", base)
	sctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-sctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), f.timeout+5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if useTLS {
		err = srv.ServeTLS(ln, "", "")
	} else {
		err = srv.Serve(ln)
	}
	if !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func newServeKeysCmd() *cobra.Command {
	keys := &cobra.Command{
		Use:   "keys add|list|revoke",
		Short: "Manage the API keys of the verification API",
		Long: `API keys live hashed (SHA-256 of the 32 random bytes) in the table
serve_api_keys of the МЧД registry's database (--db). A key is shown once,
when made: store it where the calling system keeps secrets.`,
	}
	var db, name, format string
	add := &cobra.Command{
		Use:   "add --name NAME [--db DSN]",
		Short: "Make an API key and print it (once)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if name == "" {
				return errors.New("keys add needs --name (who or what will use the key)")
			}
			ks, err := openKeyStore(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer ks.Close()
			key, info, err := ks.Add(cmd.Context(), name)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), key)
			fmt.Fprintf(cmd.ErrOrStderr(), "key %s (%s) made; it is shown only this once\n", info.ID, info.Name)
			return nil
		},
	}
	add.Flags().StringVar(&name, "name", "", "name of the key (who or what uses it)")
	addDBFlag(add, &db)
	list := &cobra.Command{
		Use:   "list [--db DSN] [--format text|json]",
		Short: "List the API keys (ids and names, never the keys)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("unknown --format %q: use text or json", format)
			}
			ks, err := openKeyStore(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer ks.Close()
			all, err := ks.List(cmd.Context())
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if all == nil {
					all = []serve.KeyInfo{}
				}
				return enc.Encode(all)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tCREATED\tSTATUS")
			for _, k := range all {
				st := "active"
				if k.Revoked != nil {
					st = "revoked " + k.Revoked.Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Created.Format(time.RFC3339), st)
			}
			return tw.Flush()
		},
	}
	addDBFlag(list, &db)
	list.Flags().StringVar(&format, "format", "text", "text or json")
	revoke := &cobra.Command{
		Use:   "revoke ID|NAME [--db DSN]",
		Short: "Revoke an API key: it is refused from now on",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ks, err := openKeyStore(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer ks.Close()
			info, err := ks.Revoke(cmd.Context(), args[0])
			if errors.Is(err, serve.ErrKeyNotFound) {
				return fmt.Errorf("no active API key has the id or name %q (see podpis serve keys list)", args[0])
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "revoked key %s (%s)\n", info.ID, info.Name)
			return nil
		},
	}
	addDBFlag(revoke, &db)
	keys.AddCommand(add, list, revoke)
	return keys
}

// openKeyStore opens the API keys in the database named by a --db value
// (see addDBFlag). The registry is opened first so that a new database is
// the registry's, with its schema, and the keys join it.
func openKeyStore(ctx context.Context, dsn string) (*serve.KeyStore, error) {
	name, err := dbName(dsn)
	if err != nil {
		return nil, err
	}
	reg, err := registry.Open(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("МЧД registry %s: %w", redactDSN(name), err)
	}
	reg.Close()
	ks, err := serve.OpenKeyStore(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("API keys in %s: %w", redactDSN(name), err)
	}
	return ks, nil
}

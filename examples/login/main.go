// Command login is an example portal that logs people in with tokend: a
// page with "Войти с помощью токена" that uses tokend/js, a server that
// issues nonces and checks the login token with tokend/validate, and a page
// that shows the person and their organisation (issue 9, examples/login).
//
//	go run ./examples/login --roots ca.pem --cert site.pem --key site-key.pem \
//	    --origin https://portal.example:8443 --listen 127.0.0.1:8443
//
// and start tokend with --origin https://portal.example:8443. Without --cert
// the site serves a throw-away self-signed certificate (development only).
// Sessions live in memory; a real portal keeps them in its session store.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"time"

	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/tokend"
	"github.com/podpis/podpis/tokend/validate"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "login:", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("login", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8443", "address to serve on")
	origin := fs.String("origin", "https://localhost:8443", "this site's origin as browsers see it")
	roots := fs.String("roots", "", "PEM file with the trusted CA certificates (required)")
	certFile := fs.String("cert", "", "TLS certificate (PEM); a self-signed one when empty")
	keyFile := fs.String("key", "", "TLS key (PEM)")
	port := fs.Int("tokend-port", tokend.DefaultPort, "tokend's port")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *roots == "" {
		return errors.New("--roots is required: the CA certificates whose holders may log in")
	}
	data, err := os.ReadFile(*roots)
	if err != nil {
		return err
	}
	pool := pki.NewCertPool()
	if err := pool.AddCerts(data); err != nil {
		return fmt.Errorf("--roots: %w", err)
	}
	v, err := validate.New(*origin, false, pool, &validate.Nonces{})
	if err != nil {
		return err
	}
	s := newSite(*origin, *port, v, slog.Default())
	srv := &http.Server{Addr: *listen, Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second}
	if *certFile != "" {
		return srv.ListenAndServeTLS(*certFile, *keyFile)
	}
	cert, err := selfSigned()
	if err != nil {
		return err
	}
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	slog.Info("serving with a throw-away self-signed certificate", "listen", *listen, "origin", *origin)
	return srv.ListenAndServeTLS("", "")
}

// selfSigned makes a development TLS certificate for localhost.
func selfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// Command esia logs a person in through ESIA's OAuth 2.0 (ЕСИА, Gosuslugi)
// with the client of package examples/esia/esia, against a local stand-in
// of ESIA (examples/esia/internal/standin) started on 127.0.0.1: the real
// ESIA admits only registered systems (shared/spec/tokend/ANCHORS.md §5).
//
//	go run ./examples/esia                      # a fresh test PKI, file key
//	go run ./examples/esia --key org.key --cert org.pem --roots ca.pem
//	go run ./examples/esia --key 'pkcs11:token=g0;object=esia' --roots ca.pem
//
// It signs the authorisation request (client_secret: a detached GOST CMS
// over scope + timestamp + client_id + state), follows ESIA's redirect back
// as a browser would, exchanges the code for tokens, validates them
// (GOST3410_2012_256, with verify/serve's JWT verifier) and prints the
// person's OID. A token's PIN comes from --pin-file, $PODPIS_PIN or a prompt
// on the terminal, never from a flag value.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/podpis/podpis/examples/esia/esia"
	"github.com/podpis/podpis/examples/esia/internal/standin"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/sign"
	"github.com/podpis/podpis/sign/pkcs11"
	"golang.org/x/term"
)

// The demo's registration in the stand-in.
const (
	clientID    = "PODPIS_DEMO"
	redirectURI = "https://portal.example/esia/callback"
	personOID   = 1000299654
)

var scopes = []string{"openid", "fullname"}

type options struct {
	key, cert, roots, pinFile, module, lang string
	pin                                     pkcs11.PINSource // tests
}

func main() {
	var o options
	fs := flag.NewFlagSet("esia", flag.ContinueOnError)
	fs.StringVar(&o.key, "key", "", "the system's key: a PKCS#8 PEM file or a pkcs11: URI (default: a fresh test PKI)")
	fs.StringVar(&o.cert, "cert", "", "the certificate of a key file (PEM)")
	fs.StringVar(&o.roots, "roots", "", "the CA certificates (PEM) the stand-in trusts for the system's certificate")
	fs.StringVar(&o.pinFile, "pin-file", "", "a file holding the token's PIN")
	fs.StringVar(&o.module, "module", "", "the PKCS#11 module (default: $PODPIS_PKCS11_MODULE or the known ones)")
	fs.StringVar(&o.lang, "lang", "ru", "language of the output: ru or en")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "esia:", err)
		os.Exit(1)
	}
}

// texts are what a person reads, in Russian and English.
var texts = map[string][4]string{
	"ru": {"ЕСИА (стенд-заглушка): %s\n", "Код авторизации получен (client_secret: CMS ГОСТ Р 34.10-2012, сертификат %s)\n",
		"Маркеры проверены (%s), действуют до %s\n", "OID пользователя: %s\n"},
	"en": {"ESIA (stand-in): %s\n", "Authorisation code received (client_secret: GOST R 34.10-2012 CMS, certificate %s)\n",
		"Tokens validated (%s), valid until %s\n", "Person's OID: %s\n"},
}

func run(ctx context.Context, w io.Writer, o options) error {
	t, ok := texts[o.lang]
	if !ok {
		return fmt.Errorf("--lang %q: want ru or en", o.lang)
	}
	now := time.Now()
	signer, roots, crls, err := openSigner(ctx, o, now)
	if err != nil {
		return err
	}
	defer signer.Close()

	// ESIA's own key and certificate, from a CA of its own.
	esiaPKI, err := devpki.New(devpki.Options{Now: now})
	if err != nil {
		return err
	}
	esiaKey, esiaCert, err := standin.NewESIAKey(esiaPKI.CA, now)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	stand, err := standin.New(standin.Config{
		ClientID: clientID, ClientCertificate: signer.Certificate(), RedirectURIs: []string{redirectURI},
		Scopes: scopes, Roots: roots, CRLs: crls, Key: esiaKey, Issuer: base + "/", OID: personOID,
	})
	if err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{Handler: stand, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	fmt.Fprintf(w, t[0], base)

	client, err := esia.New(esia.Config{
		ClientID: clientID, RedirectURI: redirectURI, Scopes: scopes, BaseURL: base,
		Signer: signer, Certificate: signer.Certificate(), Chain: signer.Chain(),
		ESIACertificates: []*pki.Certificate{esiaCert}, Issuer: base + "/",
	})
	if err != nil {
		return err
	}
	state := esia.NewState() // kept in the person's session
	authURL, err := client.AuthURL(state)
	if err != nil {
		return err
	}
	code, err := browse(ctx, client, authURL, state)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, t[1], signer.Certificate().Subject.CommonName)
	tok, err := client.Exchange(ctx, code)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, t[2], "GOST3410_2012_256", tok.ExpiresAt.Local().Format("2006-01-02 15:04:05"))
	fmt.Fprintf(w, t[3], tok.OID)
	return nil
}

// browse does what the person's browser does: opens the authorisation URL
// and comes back to the portal's redirect URI, whose query the portal hands
// to Callback.
func browse(ctx context.Context, client *esia.Client, authURL, state string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return "", err
	}
	hc := &http.Client{Timeout: esia.DefaultTimeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL holds the client secret; it is not repeated
		}
		return "", fmt.Errorf("opening the authorisation URL: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, esia.MaxResponse))
	if resp.StatusCode != http.StatusFound {
		return "", esia.ParseError(resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), redirectURI+"?") {
		return "", errors.New("ESIA redirected somewhere other than the registered redirect URI")
	}
	return client.Callback(loc.Query(), state)
}

// openSigner opens the system's key and says which CAs the stand-in trusts
// for it: the given key and --roots, or a fresh test PKI's organisation key
// (and its CA's CRL).
func openSigner(ctx context.Context, o options, now time.Time) (sign.Signer, *pki.CertPool, []*pki.RevocationList, error) {
	roots := pki.NewCertPool()
	if o.key == "" {
		p, err := devpki.New(devpki.Options{Now: now})
		if err != nil {
			return nil, nil, nil, err
		}
		roots.AddCert(p.CA.Cert)
		crl, err := pki.ParseRevocationList(p.CRL)
		if err != nil {
			return nil, nil, nil, err
		}
		s, err := sign.NewSigner(p.Signer.Key, []*pki.Certificate{p.Signer.Cert})
		return s, roots, []*pki.RevocationList{crl}, err
	}
	if o.roots == "" {
		return nil, nil, nil, errors.New("--roots is required with --key: the CA file the stand-in (like ESIA) trusts for the system's certificate")
	}
	data, err := os.ReadFile(o.roots)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := roots.AddCerts(data); err != nil {
		return nil, nil, nil, fmt.Errorf("--roots: %w", err)
	}
	so := sign.Options{CertFile: o.cert, Module: o.module, PIN: o.pin}
	switch {
	case o.pinFile != "":
		so.PIN = pkcs11.PINFile(o.pinFile)
	case so.PIN == nil && os.Getenv(pkcs11.EnvPIN) == "" && term.IsTerminal(int(os.Stdin.Fd())):
		so.PIN = pkcs11.TerminalPIN(os.Stdin, os.Stderr)
	}
	s, err := sign.Open(ctx, o.key, so)
	if err != nil {
		return nil, nil, nil, err
	}
	return s, roots, nil, nil
}

// Package sign is what the rest of podpis signs with: a Signer is a private
// key (a crypto.Signer) together with its certificate and chain, opened from a
// key reference by Open.
//
// A reference is a key file ("key.pem", PKCS#8 PEM or DER, package
// sign/softkey) or an RFC 7512 "pkcs11:" URI naming a key on a token (package
// sign/pkcs11, added by the token issue). Open checks that the certificate
// belongs to the key, so nothing is ever signed under someone else's name.
//
// Security: a Signer never exposes key material; errors name files and URIs,
// never PINs or keys.
package sign

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/sign/pkcs11"
	"github.com/podpis/podpis/sign/softkey"
)

// Signer is a private key with the certificate that names its holder.
type Signer interface {
	crypto.Signer
	// Certificate returns the signer's certificate.
	Certificate() *pki.Certificate
	// Chain returns the other certificates known for the signer, issuer
	// first; it may be empty. The root need not be among them.
	Chain() []*pki.Certificate
	// Close releases the key (a token session); a closed Signer fails to sign.
	Close() error
}

// Options say where to find what a key reference alone does not give.
type Options struct {
	// CertFile is the certificate file (PEM or DER) of a key kept in a file:
	// the signer's certificate, optionally followed by its chain. Tokens keep
	// the certificate beside the key and need no file.
	CertFile string
	// PIN gives a token's PIN when the URI names no pin-source: a prompt
	// (pkcs11.TerminalPIN), pkcs11.PINFile or pkcs11.PINEnv. Without either,
	// $PODPIS_PIN is used when set. A PIN pad needs none.
	PIN pkcs11.PINSource
	// Module is the PKCS#11 module to use when the URI names none; empty
	// means $PODPIS_PKCS11_MODULE or the well-known modules (see package
	// sign/pkcs11).
	Module string
}

// Open opens the key named by ref.
func Open(ctx context.Context, ref string, opts Options) (Signer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if strings.HasPrefix(strings.ToLower(ref), "pkcs11:") {
		return openToken(ctx, ref, opts)
	}
	key, err := softkey.LoadPrivateKey(ref)
	if err != nil {
		return nil, err
	}
	if opts.CertFile == "" {
		return nil, fmt.Errorf("sign: key file %s needs its certificate (--cert)", ref)
	}
	data, err := os.ReadFile(opts.CertFile)
	if err != nil {
		return nil, err
	}
	certs, err := pki.ParseCertificates(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opts.CertFile, err)
	}
	return newFileSigner(key, certs, ref, opts.CertFile)
}

// openToken opens a key on a token. The token's own certificate is used
// unless opts.CertFile names one, which must then belong to the key.
func openToken(ctx context.Context, uri string, opts Options) (Signer, error) {
	key, err := pkcs11.Open(ctx, uri, pkcs11.Options{PIN: opts.PIN, Module: opts.Module})
	if err != nil {
		return nil, err
	}
	if opts.CertFile == "" {
		if key.Certificate() == nil {
			key.Close()
			return nil, fmt.Errorf("sign: the token holds no certificate for %s; import one (podpis token import-cert) or pass --cert", uri)
		}
		return key, nil
	}
	data, err := os.ReadFile(opts.CertFile)
	if err == nil {
		var certs []*pki.Certificate
		if certs, err = pki.ParseCertificates(data); err == nil {
			var s Signer
			if s, err = newFileSigner(key, certs, uri, opts.CertFile); err == nil {
				return &tokenSigner{Signer: s, key: key}, nil
			}
		} else {
			err = fmt.Errorf("%s: %w", opts.CertFile, err)
		}
	}
	key.Close()
	return nil, err
}

// tokenSigner is a token key with a certificate given from a file; closing it
// closes the token key.
type tokenSigner struct {
	Signer
	key *pkcs11.Key
}

func (s *tokenSigner) Close() error {
	s.Signer.Close()
	return s.key.Close()
}

// NewSigner pairs a crypto.Signer with its certificate (certs[0]) and chain
// (the rest), checking that the certificate's public key is the signer's.
func NewSigner(key crypto.Signer, certs []*pki.Certificate) (Signer, error) {
	return newFileSigner(key, certs, "the key", "the certificate")
}

func newFileSigner(key crypto.Signer, certs []*pki.Certificate, keyName, certName string) (Signer, error) {
	if len(certs) == 0 {
		return nil, fmt.Errorf("sign: %s holds no certificate", certName)
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	pub, ok := key.Public().(equaler)
	if !ok || !pub.Equal(certs[0].PublicKey) {
		return nil, fmt.Errorf("sign: the certificate in %s does not belong to %s", certName, keyName)
	}
	return &keySigner{Signer: key, cert: certs[0], chain: certs[1:]}, nil
}

// keySigner is a Signer over an in-memory crypto.Signer.
type keySigner struct {
	crypto.Signer
	cert   *pki.Certificate
	chain  []*pki.Certificate
	closed bool
}

func (s *keySigner) Certificate() *pki.Certificate { return s.cert }
func (s *keySigner) Chain() []*pki.Certificate     { return s.chain }

func (s *keySigner) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if s.closed {
		return nil, errors.New("sign: signer is closed")
	}
	return s.Signer.Sign(rand, digest, opts)
}

func (s *keySigner) Close() error {
	s.closed = true
	return nil
}

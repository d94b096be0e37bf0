//go:build !cgo

package pkcs11

import (
	"context"
	"crypto"
	"crypto/elliptic"
	"errors"
	"io"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
)

// ErrNoCgo is what every token operation returns in a build without cgo:
// PKCS#11 modules are C libraries, reached through cgo (miekg/pkcs11). URIs
// still parse and modules are still found.
var ErrNoCgo = errors.New("pkcs11: this program was built without cgo (CGO_ENABLED=0), so it cannot use PKCS#11 tokens; rebuild it with cgo")

// Key is a private key on a token; in a build without cgo none can be
// opened.
type Key struct{}

// Open returns ErrNoCgo (after checking the URI).
func Open(ctx context.Context, uri string, opts Options) (*Key, error) {
	if _, err := ParseURI(uri); err != nil {
		return nil, err
	}
	return nil, ErrNoCgo
}

// ListTokens returns ErrNoCgo.
func ListTokens(ctx context.Context, modulePath string) ([]TokenInfo, error) { return nil, ErrNoCgo }

// KeepLoaded returns ErrNoCgo.
func KeepLoaded(modulePath string) (release func(), err error) { return nil, ErrNoCgo }

// GenerateKey returns ErrNoCgo.
func GenerateKey(ctx context.Context, uri string, ps *gost3410.ParamSet, opts Options) (*Key, error) {
	return nil, ErrNoCgo
}

// GenerateECDSAKey returns ErrNoCgo.
func GenerateECDSAKey(ctx context.Context, uri string, curve elliptic.Curve, opts Options) (*Key, error) {
	return nil, ErrNoCgo
}

// ImportCertificate returns ErrNoCgo.
func ImportCertificate(ctx context.Context, uri string, cert *pki.Certificate, opts Options) error {
	return ErrNoCgo
}

// Certificates returns ErrNoCgo.
func Certificates(ctx context.Context, uri string, opts Options) ([]CertificateObject, error) {
	return nil, ErrNoCgo
}

func (*Key) Public() crypto.PublicKey                                         { return nil }
func (*Key) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error)        { return nil, ErrNoCgo }
func (*Key) SignMessage(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) { return nil, ErrNoCgo }
func (*Key) SignContext(context.Context, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, ErrNoCgo
}
func (*Key) SignMessageContext(context.Context, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, ErrNoCgo
}
func (*Key) Certificate() *pki.Certificate { return nil }
func (*Key) Chain() []*pki.Certificate     { return nil }
func (*Key) Label() string                 { return "" }
func (*Key) ID() []byte                    { return nil }
func (*Key) URI() string                   { return "" }
func (*Key) Token() string                 { return "" }
func (*Key) Close() error                  { return nil }

//go:build cgo

package pkcs11

import (
	"context"
	"crypto"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/miekg/pkcs11"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
)

// Key is a private key on a token, with its certificate when the token
// holds one. It implements crypto.Signer, crypto.MessageSigner and the
// sign.Signer interface, and is safe for concurrent use. Close it when done:
// the last Key closed on a token logs out of it.
type Key struct {
	tok   *token
	pin   PINSource
	priv  pkcs11.ObjectHandle
	alg   keyAlg
	pub   crypto.PublicKey
	label string
	id    []byte
	uri   string
	cert  *pki.Certificate
	chain []*pki.Certificate
	// alwaysAuth: CKA_ALWAYS_AUTHENTICATE, the PIN is asked for each
	// signature (PKCS#11 v2.40 §4.9).
	alwaysAuth bool

	// verifyEach: check every GOST and ECDSA signature, not only the first
	// (Options.VerifyEach); verified: one has been checked.
	verifyEach bool
	verified   atomic.Bool

	mu     sync.RWMutex // read-held by operations, held by Close
	closed bool
}

// Open opens the private key the URI names (RFC 7512, see ParseURI), logging
// in to its token if the token needs it and no Key in the process has
// already. The URI must name exactly one key: otherwise the error is a
// *MatchError (ErrKeyNotFound or ErrAmbiguous) listing the keys that are
// there, each with a URI naming it alone. The key's certificate is the one
// on the token with the same CKA_ID (or, failing that, the same public key);
// a key without one opens too, with a nil Certificate, for a CSR.
func Open(ctx context.Context, uri string, opts Options) (*Key, error) {
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	return openURI(ctx, u, opts)
}

func openURI(ctx context.Context, u *URI, opts Options) (*Key, error) {
	if u.Type == "secret-key" || u.Type == "data" {
		return nil, fmt.Errorf("pkcs11: %s names a %s object, not a signing key", u, u.Type)
	}
	src, err := pinSourceFor(u, opts)
	if err != nil {
		return nil, err
	}
	ts, err := findTokens(u, opts)
	if err != nil {
		return nil, err
	}
	defer ts.close()
	t, err := pickToken(ctx, ts, u, opts)
	if err != nil {
		return nil, err
	}
	k, err := openOn(ctx, t, u, src)
	if err != nil {
		t.release()
		return nil, err
	}
	k.verifyEach = opts.VerifyEach
	return k, nil
}

// openOn finds the key u names on token t, logging in first.
func openOn(ctx context.Context, t *token, u *URI, src PINSource) (*Key, error) {
	if err := t.login(ctx, src); err != nil {
		return nil, err
	}
	objs, err := t.objects(ctx)
	if err != nil {
		return nil, err
	}
	var matched, orphans []*keyPair
	for _, p := range objs.pairs {
		switch {
		case !p.matches(u):
		case p.priv != nil:
			matched = append(matched, p)
		default:
			orphans = append(orphans, p)
		}
	}
	for _, c := range objs.other {
		if p := certOnly(c); p.matches(u) {
			orphans = append(orphans, p)
		}
	}
	if len(matched) != 1 {
		me := &MatchError{URI: redact(u), Err: ErrAmbiguous}
		list := matched
		if len(matched) == 0 {
			me.Err = ErrKeyNotFound
			if len(orphans) > 0 {
				me.Reason = "the certificate or public key found has no private key on the token for"
			}
			list = nil
			for _, p := range objs.pairs {
				if p.priv != nil {
					list = append(list, p)
				}
			}
		}
		for _, p := range list {
			me.Candidates = append(me.Candidates, t.candidate(p))
		}
		sortCandidates(me.Candidates)
		return nil, me
	}
	p := matched[0]
	if p.alg == algUnknown {
		return nil, fmt.Errorf("pkcs11: key %q on token %q is of a type podpis does not sign with (CKK 0x%X)", p.label(), t.info.Label, p.priv.keyType)
	}
	if p.public == nil {
		return nil, fmt.Errorf("%w (key %q, token %q)", errNoPublicKey, p.label(), t.info.Label)
	}
	k := &Key{
		tok: t, pin: src, priv: p.priv.h, alg: p.alg, pub: p.public,
		label: p.label(), id: p.id(), uri: t.keyURI(p).String(), alwaysAuth: p.priv.alwaysAuth,
	}
	if p.cert != nil {
		k.cert = p.cert.cert
		k.chain = chainOf(k.cert, objs.certificates())
	}
	if k.alg == algGOST {
		if _, ok := k.pub.(*gost3410.PublicKey); !ok {
			return nil, fmt.Errorf("pkcs11: GOST key %q on token %q has a certificate for another key type", k.label, t.info.Label)
		}
	}
	return k, nil
}

// Public returns the public key: *gost3410.PublicKey, *ecdsa.PublicKey or
// *rsa.PublicKey, the certificate's when there is one.
func (k *Key) Public() crypto.PublicKey { return k.pub }

// Certificate returns the key's certificate from the token, nil when the
// token holds none for it.
func (k *Key) Certificate() *pki.Certificate { return k.cert }

// Chain returns the issuers of the certificate found on the token, issuer
// first, without the self-signed root; often empty.
func (k *Key) Chain() []*pki.Certificate { return k.chain }

// Label returns the key's CKA_LABEL.
func (k *Key) Label() string { return k.label }

// ID returns the key's CKA_ID.
func (k *Key) ID() []byte { return append([]byte(nil), k.id...) }

// URI returns a URI naming this key alone (token, label and id; no query).
func (k *Key) URI() string { return k.uri }

// Token returns the label of the key's token.
func (k *Key) Token() string { return k.tok.info.Label }

// Close releases the key. It waits for signatures in progress; the last Key
// closed on a token logs out (C_Logout) and closes its sessions, and the
// last one on a module finalises it (C_Finalize). Closing twice is a no-op.
func (k *Key) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return nil
	}
	k.closed = true
	k.tok.release()
	return nil
}

// use runs fn while the key is open; Close waits for it.
func (k *Key) use(fn func() error) error {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.closed {
		return ErrClosed
	}
	return fn()
}

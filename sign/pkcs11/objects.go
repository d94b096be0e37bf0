//go:build cgo

package pkcs11

import (
	"bytes"
	"crypto"
	"encoding/binary"
	"errors"
	"slices"
	"time"

	"github.com/miekg/pkcs11"

	"github.com/podpis/podpis/pki"
)

// object is what this package reads of a token object.
type object struct {
	h       pkcs11.ObjectHandle
	class   uint
	keyType uint
	label   string
	id      []byte

	value      []byte // CKA_VALUE: a GOST public key, or a certificate's DER
	gostParams []byte // CKA_GOSTR3410_PARAMS
	ecParams   []byte
	ecPoint    []byte
	modulus    []byte
	exponent   []byte
	alwaysAuth bool // CKA_ALWAYS_AUTHENTICATE of a private key

	cert *pki.Certificate // a certificate object, parsed
}

// keyPair is the private key, public key and certificates that belong
// together on a token: same CKA_ID, or the same public key (FACTS §5.3).
type keyPair struct {
	priv, pub *object
	certs     []*object
	public    crypto.PublicKey
	cert      *object // the certificate chosen for the key, nil if none
	alg       keyAlg
}

// id returns the pair's CKA_ID (the private key's when there is one).
func (p *keyPair) id() []byte {
	for _, o := range p.objects() {
		if o.id != nil {
			return o.id
		}
	}
	return nil
}

// label returns the pair's label: the private key's, else the public key's,
// else the certificate's.
func (p *keyPair) label() string {
	for _, o := range p.objects() {
		if o.label != "" {
			return o.label
		}
	}
	return ""
}

func (p *keyPair) objects() []*object {
	var out []*object
	for _, o := range []*object{p.priv, p.pub, p.cert} {
		if o != nil {
			out = append(out, o)
		}
	}
	for _, c := range p.certs {
		if c != p.cert {
			out = append(out, c)
		}
	}
	return out
}

// matches reports whether one of the pair's objects fits the URI's object,
// id and type attributes (RFC 7512 §2.3; absent ones match anything).
func (p *keyPair) matches(u *URI) bool {
	for _, o := range p.objects() {
		switch u.Type {
		case "private":
			if o.class != pkcs11.CKO_PRIVATE_KEY {
				continue
			}
		case "public":
			if o.class != pkcs11.CKO_PUBLIC_KEY {
				continue
			}
		case "cert":
			if o.class != pkcs11.CKO_CERTIFICATE {
				continue
			}
		case "secret-key", "data":
			return false
		}
		if u.Object != "" && o.label != u.Object {
			continue
		}
		if u.ID != nil && !bytes.Equal(o.id, u.ID) {
			continue
		}
		return true
	}
	return false
}

// tokenObjects is what a session sees on a token: key pairs and the
// certificates that belong to no key (CA certificates, mostly).
type tokenObjects struct {
	pairs []*keyPair
	other []*object // certificates of no key pair
}

// certificates returns every certificate read from the token.
func (to *tokenObjects) certificates() []*pki.Certificate {
	var out []*pki.Certificate
	for _, p := range to.pairs {
		for _, c := range p.certs {
			out = append(out, c.cert)
		}
	}
	for _, c := range to.other {
		out = append(out, c.cert)
	}
	return out
}

// readObjects reads the keys and certificates visible in session s and
// pairs them: by CKA_ID first, then by public-key value, as FACTS §5.3
// describes. Private keys are visible only after login on most tokens.
// Certificates that do not parse are skipped.
func readObjects(ctx *pkcs11.Ctx, s pkcs11.SessionHandle) (*tokenObjects, error) {
	privs, err := findAll(ctx, s, pkcs11.CKO_PRIVATE_KEY)
	if err != nil {
		return nil, err
	}
	pubs, err := findAll(ctx, s, pkcs11.CKO_PUBLIC_KEY)
	if err != nil {
		return nil, err
	}
	certs, err := findAll(ctx, s, pkcs11.CKO_CERTIFICATE)
	if err != nil {
		return nil, err
	}
	var pairs []*keyPair
	for _, o := range privs {
		pairs = append(pairs, &keyPair{priv: o, alg: algOf(o.keyType)})
	}
	for _, o := range pubs {
		pub, _ := publicKeyOf(o)
		p := findPair(pairs, func(p *keyPair) bool {
			return p.priv != nil && p.pub == nil && len(o.id) > 0 && bytes.Equal(p.priv.id, o.id) && algOf(p.priv.keyType) == algOf(o.keyType)
		})
		if p == nil {
			p = &keyPair{alg: algOf(o.keyType)}
			pairs = append(pairs, p)
		}
		p.pub, p.public = o, pub
	}
	for _, p := range pairs {
		if p.public == nil && p.priv != nil {
			p.public, _ = publicKeyOf(p.priv)
		}
	}
	to := &tokenObjects{}
	for _, c := range certs {
		if c.cert == nil {
			continue
		}
		key := c.cert.PublicKey
		p := findPair(pairs, func(p *keyPair) bool {
			return len(c.id) > 0 && bytes.Equal(p.id(), c.id) && (p.public == nil || samePublicKey(p.public, key))
		})
		if p == nil && key != nil {
			p = findPair(pairs, func(p *keyPair) bool { return p.public != nil && samePublicKey(p.public, key) })
		}
		if p == nil {
			to.other = append(to.other, c)
			continue
		}
		p.certs = append(p.certs, c)
	}
	for _, p := range pairs {
		p.cert = chooseCert(p.certs, time.Now())
		if p.cert != nil {
			// The certificate's key object is what callers compare with
			// (pki, cms); it is the token's key, checked above.
			p.public = p.cert.cert.PublicKey
		}
	}
	to.pairs = pairs
	return to, nil
}

func findPair(pairs []*keyPair, f func(*keyPair) bool) *keyPair {
	for _, p := range pairs {
		if p.priv != nil || p.pub != nil {
			if f(p) {
				return p
			}
		}
	}
	return nil
}

// chooseCert picks the certificate of a key among several (a renewed
// certificate for the same key): one valid now, the latest-expiring first;
// else the latest-expiring of all.
func chooseCert(certs []*object, now time.Time) *object {
	var best *object
	better := func(c *object) bool {
		if best == nil {
			return true
		}
		cv := !now.Before(c.cert.NotBefore) && !now.After(c.cert.NotAfter)
		bv := !now.Before(best.cert.NotBefore) && !now.After(best.cert.NotAfter)
		if cv != bv {
			return cv
		}
		return c.cert.NotAfter.After(best.cert.NotAfter)
	}
	for _, c := range certs {
		if c.cert.PublicKey != nil && better(c) {
			best = c
		}
	}
	return best
}

// findAll returns the objects of class visible in session s, with the
// attributes this package uses.
func findAll(ctx *pkcs11.Ctx, s pkcs11.SessionHandle, class uint) ([]*object, error) {
	if err := ctx.FindObjectsInit(s, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_CLASS, class)}); err != nil {
		return nil, callErr("C_FindObjectsInit", err)
	}
	var handles []pkcs11.ObjectHandle
	for {
		hs, _, err := ctx.FindObjects(s, 64)
		if err != nil {
			ctx.FindObjectsFinal(s)
			return nil, callErr("C_FindObjects", err)
		}
		if len(hs) == 0 {
			break
		}
		handles = append(handles, hs...)
	}
	if err := ctx.FindObjectsFinal(s); err != nil {
		return nil, callErr("C_FindObjectsFinal", err)
	}
	var out []*object
	for _, h := range handles {
		o, err := readObject(ctx, s, h, class)
		if err != nil {
			return nil, err
		}
		if o != nil {
			out = append(out, o)
		}
	}
	return out, nil
}

// readObject reads the attributes of object h of class.
func readObject(ctx *pkcs11.Ctx, s pkcs11.SessionHandle, h pkcs11.ObjectHandle, class uint) (*object, error) {
	types := []uint{pkcs11.CKA_LABEL, pkcs11.CKA_ID}
	switch class {
	case pkcs11.CKO_CERTIFICATE:
		types = append(types, pkcs11.CKA_CERTIFICATE_TYPE, pkcs11.CKA_VALUE)
	case pkcs11.CKO_PRIVATE_KEY:
		types = append(types, pkcs11.CKA_KEY_TYPE, pkcs11.CKA_GOSTR3410_PARAMS, pkcs11.CKA_EC_PARAMS, pkcs11.CKA_EC_POINT,
			pkcs11.CKA_MODULUS, pkcs11.CKA_PUBLIC_EXPONENT, pkcs11.CKA_ALWAYS_AUTHENTICATE)
	case pkcs11.CKO_PUBLIC_KEY:
		types = append(types, pkcs11.CKA_KEY_TYPE, pkcs11.CKA_VALUE, pkcs11.CKA_GOSTR3410_PARAMS, pkcs11.CKA_EC_PARAMS,
			pkcs11.CKA_EC_POINT, pkcs11.CKA_MODULUS, pkcs11.CKA_PUBLIC_EXPONENT)
	}
	attrs, err := readAttrs(ctx, s, h, types)
	if err != nil {
		return nil, err
	}
	o := &object{
		h: h, class: class, label: trimPad(string(attrs[pkcs11.CKA_LABEL])), id: attrs[pkcs11.CKA_ID],
		keyType: ulong(attrs[pkcs11.CKA_KEY_TYPE]), value: attrs[pkcs11.CKA_VALUE],
		gostParams: attrs[pkcs11.CKA_GOSTR3410_PARAMS], ecParams: attrs[pkcs11.CKA_EC_PARAMS], ecPoint: attrs[pkcs11.CKA_EC_POINT],
		modulus: attrs[pkcs11.CKA_MODULUS], exponent: attrs[pkcs11.CKA_PUBLIC_EXPONENT],
		alwaysAuth: len(attrs[pkcs11.CKA_ALWAYS_AUTHENTICATE]) == 1 && attrs[pkcs11.CKA_ALWAYS_AUTHENTICATE][0] != 0,
	}
	if class == pkcs11.CKO_CERTIFICATE {
		if ct, ok := attrs[pkcs11.CKA_CERTIFICATE_TYPE]; ok && ulong(ct) != pkcs11.CKC_X_509 {
			return nil, nil
		}
		o.cert, _ = pki.ParseCertificate(o.value)
	}
	return o, nil
}

// readAttrs reads attributes of object h; those the object does not have
// or keeps secret are left out of the result. PKCS#11 fails the whole call
// when one attribute is invalid or sensitive, so the attributes are then
// read one by one.
func readAttrs(ctx *pkcs11.Ctx, s pkcs11.SessionHandle, h pkcs11.ObjectHandle, types []uint) (map[uint][]byte, error) {
	tmpl := make([]*pkcs11.Attribute, len(types))
	for i, t := range types {
		tmpl[i] = pkcs11.NewAttribute(t, nil)
	}
	out := map[uint][]byte{}
	got, err := ctx.GetAttributeValue(s, h, tmpl)
	if err == nil {
		for _, a := range got {
			if a.Value != nil {
				out[a.Type] = a.Value
			}
		}
		return out, nil
	}
	if rv := rvOf(err); rv != pkcs11.CKR_ATTRIBUTE_TYPE_INVALID && rv != pkcs11.CKR_ATTRIBUTE_SENSITIVE {
		return nil, callErr("C_GetAttributeValue", err)
	}
	for _, t := range tmpl {
		got, err := ctx.GetAttributeValue(s, h, []*pkcs11.Attribute{t})
		switch rv := rvOf(err); {
		case err == nil && got[0].Value != nil:
			out[t.Type] = got[0].Value
		case err == nil, rv == pkcs11.CKR_ATTRIBUTE_TYPE_INVALID, rv == pkcs11.CKR_ATTRIBUTE_SENSITIVE:
		default:
			return nil, callErr("C_GetAttributeValue", err)
		}
	}
	return out, nil
}

// ulong decodes a CK_ULONG attribute (native byte order, 4 or 8 bytes);
// CK_UNAVAILABLE_INFORMATION when absent or malformed.
func ulong(b []byte) uint {
	switch len(b) {
	case 8:
		return uint(binary.NativeEndian.Uint64(b))
	case 4:
		return uint(binary.NativeEndian.Uint32(b))
	}
	return pkcs11.CK_UNAVAILABLE_INFORMATION
}

// chainOf returns the issuers of cert found among certs, issuer first, up to
// but not including a self-signed root.
func chainOf(cert *pki.Certificate, certs []*pki.Certificate) []*pki.Certificate {
	var chain []*pki.Certificate
	cur := cert
	for range 8 {
		if bytes.Equal(cur.RawIssuer, cur.RawSubject) {
			break
		}
		i := slices.IndexFunc(certs, func(c *pki.Certificate) bool {
			return !c.Equal(cur) && bytes.Equal(c.RawSubject, cur.RawIssuer) && cur.CheckSignatureFrom(c) == nil
		})
		if i < 0 {
			break
		}
		issuer := certs[i]
		if bytes.Equal(issuer.RawIssuer, issuer.RawSubject) {
			break // the root: relying parties have it
		}
		chain = append(chain, issuer)
		cur = issuer
	}
	return chain
}

var errNoPublicKey = errors.New("pkcs11: the key has neither a public key object nor a certificate on the token, so its public key is unknown")

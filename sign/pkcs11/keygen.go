//go:build cgo

package pkcs11

import (
	"bytes"
	"context"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/asn1"
	"encoding/hex"
	"fmt"

	"github.com/miekg/pkcs11"

	"github.com/podpis/podpis/gost/gost3410"
)

// GenerateKey makes a GOST R 34.10-2012 key pair on parameter set ps on the
// token the URI names (token attributes; it must name one token) and
// returns it opened. object= is the new key's label (required); id= its
// CKA_ID, 16 random bytes when absent. A key with the same label or id
// already on the token is an error, so later URIs stay unambiguous.
//
// The mechanism is CKM_GOSTR3410_KEY_PAIR_GEN for 256-bit sets and
// CKM_GOSTR3410_512_KEY_PAIR_GEN for 512-bit ones, with
// CKA_GOSTR3410_PARAMS the DER OID of ps and CKA_GOSTR3411_PARAMS that of
// the Streebog variant of its size (FACTS §5.3). The private key is
// sensitive and not extractable. Tokens differ in the parameter sets they
// accept; a refusal is reported as such.
func GenerateKey(ctx context.Context, uri string, ps *gost3410.ParamSet, opts Options) (*Key, error) {
	if ps == nil {
		return nil, fmt.Errorf("pkcs11: GenerateKey needs a parameter set")
	}
	params, err := asn1.Marshal(ps.OID())
	if err != nil {
		return nil, err
	}
	digest, err := asn1.Marshal(ps.Hash().OID())
	if err != nil {
		return nil, err
	}
	g := keyGen{mech: pkcs11.CKM_GOSTR3410_KEY_PAIR_GEN, mechName: "CKM_GOSTR3410_KEY_PAIR_GEN (0x1200)",
		keyType: pkcs11.CKK_GOSTR3410, what: ps.String()}
	if ps.Size() == 64 {
		g.mech, g.mechName, g.keyType = ckmGOSTR3410_512KeyPairGen, "CKM_GOSTR3410_512_KEY_PAIR_GEN (0xD4321005)", ckkGOSTR3410_512
	}
	g.pub = []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_GOSTR3410_PARAMS, params),
		pkcs11.NewAttribute(pkcs11.CKA_GOSTR3411_PARAMS, digest),
	}
	// Rutoken's samples name the parameter set in both templates; PKCS#11
	// allows it when the values agree.
	g.priv = []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_GOSTR3410_PARAMS, params)}
	return g.run(ctx, uri, opts)
}

// GenerateECDSAKey makes an ECDSA key pair on curve (P-256, P-384, P-521)
// with CKM_EC_KEY_PAIR_GEN, as GenerateKey does for GOST keys.
func GenerateECDSAKey(ctx context.Context, uri string, curve elliptic.Curve, opts Options) (*Key, error) {
	params, err := ecParamsOf(curve)
	if err != nil {
		return nil, err
	}
	g := keyGen{mech: pkcs11.CKM_EC_KEY_PAIR_GEN, mechName: "CKM_EC_KEY_PAIR_GEN", keyType: pkcs11.CKK_EC,
		what: "ECDSA " + curve.Params().Name,
		pub:  []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, params)}}
	return g.run(ctx, uri, opts)
}

// keyGen is one C_GenerateKeyPair call.
type keyGen struct {
	mech      uint
	mechName  string
	keyType   uint
	what      string
	pub, priv []*pkcs11.Attribute // algorithm attributes
}

func (g keyGen) run(ctx context.Context, uri string, opts Options) (*Key, error) {
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	if u.Object == "" {
		return nil, fmt.Errorf("pkcs11: key generation needs the new key's label as object= in the URI")
	}
	src, err := pinSourceFor(u, opts)
	if err != nil {
		return nil, err
	}
	t, err := oneToken(u, opts)
	if err != nil {
		return nil, err
	}
	k, err := g.on(ctx, t, u, src)
	if err != nil {
		t.release()
		return nil, err
	}
	k.verifyEach = opts.VerifyEach
	return k, nil
}

func (g keyGen) on(ctx context.Context, t *token, u *URI, src PINSource) (*Key, error) {
	if !t.has(g.mech) {
		return nil, fmt.Errorf("pkcs11: token %q does not offer %s", t.info.Label, g.mechName)
	}
	if err := t.login(ctx, src); err != nil {
		return nil, err
	}
	objs, err := t.objects(ctx)
	if err != nil {
		return nil, err
	}
	id := u.ID
	for _, p := range objs.pairs {
		for _, o := range p.objects() {
			if o.label == u.Object || (id != nil && bytes.Equal(o.id, id)) {
				return nil, fmt.Errorf("pkcs11: token %q already holds an object labelled %q with id %s; choose another object= or id=",
					t.info.Label, o.label, hex.EncodeToString(o.id))
			}
		}
	}
	if id == nil {
		id = make([]byte, 16)
		rand.Read(id)
	}
	common := func(class uint) []*pkcs11.Attribute {
		return []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_CLASS, class),
			pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, g.keyType),
			pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
			pkcs11.NewAttribute(pkcs11.CKA_LABEL, u.Object),
			pkcs11.NewAttribute(pkcs11.CKA_ID, id),
		}
	}
	pub := append(common(pkcs11.CKO_PUBLIC_KEY), pkcs11.NewAttribute(pkcs11.CKA_VERIFY, true), pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false))
	pub = append(pub, g.pub...)
	priv := append(common(pkcs11.CKO_PRIVATE_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_SIGN, true), pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true), pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, false))
	priv = append(priv, g.priv...)
	err = t.withRWSession(ctx, func(s pkcs11.SessionHandle) error {
		_, _, err := t.mod.ctx.GenerateKeyPair(s, []*pkcs11.Mechanism{pkcs11.NewMechanism(g.mech, nil)}, pub, priv)
		return callErr("C_GenerateKeyPair", err)
	})
	switch rvOf(err) {
	case pkcs11.CKR_OK:
	case pkcs11.CKR_ATTRIBUTE_VALUE_INVALID, pkcs11.CKR_DOMAIN_PARAMS_INVALID, pkcs11.CKR_TEMPLATE_INCONSISTENT, pkcs11.CKR_CURVE_NOT_SUPPORTED:
		return nil, fmt.Errorf("pkcs11: token %q refused to generate a %s key (%w); it may not support this parameter set", t.info.Label, g.what, err)
	default:
		return nil, err
	}
	return openOn(ctx, t, &URI{Object: u.Object, ID: id, Type: "private"}, src)
}

// oneToken returns the single token the URI's token attributes name,
// acquired; object attributes are not looked at.
func oneToken(u *URI, opts Options) (*token, error) {
	ts, err := findTokens(u, opts)
	if err != nil {
		return nil, err
	}
	defer ts.close()
	if len(ts.matched) > 1 {
		me := &MatchError{URI: redact(u), Err: ErrAmbiguous, Reason: "several tokens match"}
		for _, r := range ts.matched {
			me.Candidates = append(me.Candidates, r.candidate())
		}
		sortCandidates(me.Candidates)
		return nil, me
	}
	r := ts.matched[0]
	return r.mod.acquireToken(r.slot, opts.Sessions)
}

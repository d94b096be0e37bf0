//go:build cgo

package pkcs11

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/podpis/podpis/pki"
)

// TestManyObjects: one token holding many key pairs, certificates of some
// of them, a CA certificate and two keys with the same label; each key is
// found by label, by id and by certificate label, and the certificate and
// chain come with it.
func TestManyObjects(t *testing.T) {
	h := newSoftHSM(t)
	h.initToken("t1")
	ctx := context.Background()
	ca := newTestCA(t)
	interKey := mustECDSA(t)
	inter := &testCA{key: interKey, cert: ca.issueTo(t, ca.cert, interKey.Public(), pki.Name{CommonName: "Промежуточный УЦ"}, true)}
	const n = 12
	ids := map[string][]byte{}
	for i := range n {
		label := fmt.Sprintf("key%02d", i)
		k, err := GenerateECDSAKey(ctx, h.uri("token=t1;object="+label), elliptic.P256(), pinOpts())
		if err != nil {
			t.Fatal(err)
		}
		ids[label] = k.ID()
		if i%2 == 0 {
			issuer := ca
			if i == 0 {
				issuer = inter
			}
			if err := ImportCertificate(ctx, h.uri("token=t1;object="+label), issuer.issue(t, k.Public(), "Владелец "+label), pinOpts()); err != nil {
				t.Fatal(err)
			}
		}
		k.Close()
	}
	// The CA certificates, alone (no key), as tokens often carry them.
	h.importCert("t1", "ca", "ca01", ca.cert)
	h.importCert("t1", "inter", "ca02", inter.cert)
	// Two keys labelled alike, made by another tool.
	h.tool("t1", "--keypairgen", "--key-type", "EC:prime256v1", "--label", "dup", "--id", "d1")
	h.tool("t1", "--keypairgen", "--key-type", "EC:prime256v1", "--label", "dup", "--id", "d2")

	for i := range n {
		label := fmt.Sprintf("key%02d", i)
		for _, uri := range []string{
			"token=t1;object=" + label,
			"id=" + pct(ids[label]),
			"object=" + label + ";type=private",
		} {
			k := open(t, h.uri(uri), pinOpts())
			if k.Label() != label {
				t.Fatalf("%s opened %q", uri, k.Label())
			}
			if hasCert := k.Certificate() != nil; hasCert != (i%2 == 0) {
				t.Fatalf("%s: certificate %v", uri, k.Certificate() != nil)
			}
			if k.Certificate() != nil {
				wantChain := 0 // the root is left out
				if i == 0 {
					wantChain = 1
				}
				if len(k.Chain()) != wantChain || wantChain == 1 && !k.Chain()[0].Equal(inter.cert) {
					t.Errorf("%s: chain of %d certificates, want %d", uri, len(k.Chain()), wantChain)
				}
				if k.Certificate().SubjectName.CommonName != "Владелец "+label {
					t.Errorf("%s: certificate of %q", uri, k.Certificate().SubjectName.CommonName)
				}
			}
			d := sha256.Sum256([]byte(uri))
			if _, err := k.Sign(nil, d[:], crypto.SHA256); err != nil {
				t.Fatal(err)
			}
			k.Close()
		}
	}

	// Ambiguous: two keys labelled "dup"; the error names both with ids
	// and URIs that tell them apart.
	_, err := Open(ctx, h.uri("token=t1;object=dup"), pinOpts())
	var me *MatchError
	if !errors.Is(err, ErrAmbiguous) || !errors.As(err, &me) || len(me.Candidates) != 2 {
		t.Fatalf("object=dup: %v", err)
	}
	for _, c := range me.Candidates {
		if c.Token != "t1" || c.Label != "dup" || c.URI == "" {
			t.Errorf("candidate %+v", c)
		}
		k := open(t, c.URI+"?module-path="+h.module, pinOpts())
		if hex.EncodeToString(k.ID()) != hex.EncodeToString(c.ID) {
			t.Errorf("candidate URI %s opened id %x", c.URI, k.ID())
		}
	}
	for _, want := range []string{"more than one key matches", `label "dup" id d1`, `label "dup" id d2`, "object= or id="} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	open(t, h.uri("object=dup;id=%d2"), pinOpts())

	// Not found: the error lists what is there (with certificate subjects).
	_, err = Open(ctx, h.uri("token=t1;object=nosuch"), pinOpts())
	if !errors.Is(err, ErrKeyNotFound) || !errors.As(err, &me) || len(me.Candidates) != n+2 {
		t.Fatalf("object=nosuch: %v", err)
	}
	for _, want := range []string{"no key matches pkcs11:token=t1;object=nosuch", `label "key00"`, `certificate "Иванов Иван Иванович"`, `label "dup" id d1 no certificate`, "… and 6 more"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	// A certificate without a key is not a key.
	if _, err := Open(ctx, h.uri("object=ca"), pinOpts()); !errors.Is(err, ErrKeyNotFound) || !strings.Contains(err.Error(), "has no private key") {
		t.Errorf("object=ca: %v", err)
	}
	if _, err := Open(ctx, h.uri("object=key00;type=data"), pinOpts()); err == nil || !strings.Contains(err.Error(), "not a signing key") {
		t.Errorf("type=data: %v", err)
	}
}

// TestSeveralTokens: keys of the same label on two tokens; a URI without
// the token is ambiguous and lists both tokens; naming the token (by label
// or serial) picks one; each token asks for its PIN once.
func TestSeveralTokens(t *testing.T) {
	h := newSoftHSM(t)
	h.initToken("t1")
	h.initToken("t2")
	ctx := context.Background()
	ecKey(t, h, "t1", "k")
	ecKey(t, h, "t2", "k")
	ecKey(t, h, "t2", "only2")

	_, err := Open(ctx, h.uri("object=k"), pinOpts())
	if !errors.Is(err, ErrAmbiguous) || !strings.Contains(err.Error(), `token "t1"`) || !strings.Contains(err.Error(), `token "t2"`) {
		t.Fatalf("object=k on two tokens: %v", err)
	}
	// A key only one token has is found without naming the token, and
	// only that token is logged in to.
	pin := &countingPIN{pin: testPIN}
	only := open(t, h.uri("object=only2"), Options{PIN: pin})
	if only.Token() != "t2" || pin.calls != 1 || pin.infos[0].Token != "t2" {
		t.Fatalf("object=only2: token %q, PIN asked %d times", only.Token(), pin.calls)
	}
	k2 := open(t, h.uri("token=t2;object=k"), Options{PIN: pin})
	if pin.calls != 1 {
		t.Errorf("a second key on t2 asked for the PIN again")
	}
	k1 := open(t, h.uri("serial="+serialOfToken(t, k2, "t1")+";object=k"), Options{PIN: pin})
	if k1.Token() != "t1" || pin.calls != 2 {
		t.Fatalf("by serial: token %q, PIN asked %d times", k1.Token(), pin.calls)
	}
	if samePublicKey(k1.Public(), k2.Public()) {
		t.Fatal("the two tokens' keys are the same")
	}
	d := sha256.Sum256([]byte("x"))
	for _, k := range []*Key{k1, k2} {
		sig, err := k.Sign(nil, d[:], crypto.SHA256)
		if err != nil || !ecdsa.VerifyASN1(k.Public().(*ecdsa.PublicKey), d[:], sig) {
			t.Fatalf("%s: %v", k.Token(), err)
		}
	}
	// No token of that name: the tokens present are listed.
	_, err = Open(ctx, h.uri("token=t9;object=k"), pinOpts())
	if !errors.Is(err, ErrKeyNotFound) || !strings.Contains(err.Error(), "no token matches") || !strings.Contains(err.Error(), `token "t1" serial`) {
		t.Errorf("token=t9: %v", err)
	}
	// A slot with no token.
	_, err = Open(ctx, h.uri("slot-id=424242;object=k"), pinOpts())
	if !errors.Is(err, ErrTokenNotPresent) || !strings.Contains(err.Error(), "no token in slot 424242") {
		t.Errorf("slot-id=424242: %v", err)
	}
}

// serialOfToken finds the serial number of the token labelled label in the
// module of k.
func serialOfToken(t *testing.T, k *Key, label string) string {
	t.Helper()
	infos, err := ListTokens(context.Background(), k.tok.mod.path)
	if err != nil {
		t.Fatal(err)
	}
	for _, ti := range infos {
		if ti.Label == label {
			return ti.Serial
		}
	}
	t.Fatalf("no token %q", label)
	return ""
}

func pct(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		fmt.Fprintf(&s, "%%%02x", c)
	}
	return s.String()
}

func mustECDSA(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

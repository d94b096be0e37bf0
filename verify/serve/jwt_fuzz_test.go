package serve

import (
	"crypto/rand"
	"slices"
	"testing"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/gost/streebog"
)

// FuzzJWT feeds the verifier arbitrary tokens, and arbitrary headers and
// payloads signed with the configured key (so that the claims parser is
// reached past the signature check). It must never panic, and a token it
// accepts must have the right alg, issuer and audience and an exp in the
// future. Corpus: testdata/fuzz/FuzzJWT.
func FuzzJWT(f *testing.F) {
	in := getInputs(f)
	key := in.p.Signer.Key
	v := newJWT(f, in.p.Signer.Cert)
	exp := time.Now().Add(time.Hour).Unix()
	f.Add("eyJhbGciOiJHT1NUMzQxMF8yMDEyXzI1NiJ9.e30.AAAA", []byte(`{"alg":"GOST3410_2012_256","typ":"JWT"}`),
		[]byte(`{"iss":"`+testIssuer+`","aud":"`+testAudience+`","exp":`+itoa64(exp)+`}`))
	f.Add("a.b.c", []byte(`{"alg":"GOST3410_2012_256","crit":[]}`), []byte(`{"aud":["x","`+testAudience+`"],"exp":1e300}`))
	f.Add("", []byte(`{"alg":"none"}`), []byte(`{"iss":"`+testIssuer+`","aud":"`+testAudience+`","exp":4102444800.5,"nbf":-1}`))
	f.Fuzz(func(t *testing.T, token string, header, payload []byte) {
		check := func(tok string) {
			c, err := v.Verify(tok)
			if err != nil {
				return
			}
			if c.Issuer != testIssuer || !slices.Contains(c.Audience, testAudience) || c.ExpiresAt == nil || !time.Now().Before(c.ExpiresAt.Add(DefaultLeeway)) {
				t.Fatalf("accepted %+v", c)
			}
		}
		check(token)
		input := b64.EncodeToString(header) + "." + b64.EncodeToString(payload)
		d := streebog.Sum256([]byte(input))
		sig, err := key.Sign(rand.Reader, d[:], gost3410.SignerOpts{Hash: gost3410.Streebog256})
		if err != nil {
			t.Fatal(err)
		}
		check(input + "." + b64.EncodeToString(sig))
	})
}

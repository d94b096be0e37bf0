package esia_test

import (
	"context"
	"testing"
	"time"

	"github.com/podpis/podpis/examples/esia/esia"
	"github.com/podpis/podpis/verify/serve"
)

// BenchmarkClientSecret is one client_secret: a detached CMS with a file
// key (tc26-256-A), base64url.
func BenchmarkClientSecret(b *testing.B) {
	f := newFixture(b, nil)
	ts, state := esia.Timestamp(time.Now()), esia.NewState()
	for b.Loop() {
		if _, err := f.client.ClientSecret(ts, state); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidate is the validation of an access and an ID token.
func BenchmarkValidate(b *testing.B) {
	f := newFixture(b, nil)
	exp := time.Now().Add(time.Hour).Unix()
	at, _ := serve.SignJWT(f.esiaKey, map[string]any{"iss": f.cfg.Issuer, "aud": clientID, "exp": exp, "urn:esia:sbj_id": oid})
	it, _ := serve.SignJWT(f.esiaKey, map[string]any{"iss": f.cfg.Issuer, "aud": clientID, "exp": exp, "sub": "1000299654"})
	for b.Loop() {
		if _, err := f.client.Validate(at, it); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLogin is a whole login against the stand-in on loopback: two
// client secrets made and verified (package cms and verify, the CRL), a
// redirect, the token request, two tokens signed and validated.
func BenchmarkLogin(b *testing.B) {
	f := newFixture(b, nil)
	for b.Loop() {
		if _, err := f.client.Exchange(context.Background(), f.code(b, f.client)); err != nil {
			b.Fatal(err)
		}
	}
}

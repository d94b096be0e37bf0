package esia_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/examples/esia/esia"
	"github.com/podpis/podpis/verify/serve"
)

// FuzzValidate feeds Validate arbitrary tokens, and arbitrary claims signed
// with ESIA's key: it never panics, refuses what is not signed, and what it
// accepts has this system's audience and issuer, a live exp and an OID that
// is a positive decimal. Corpus: testdata/fuzz/FuzzValidate (seeds below
// plus inputs kept from a 60 s run).
func FuzzValidate(f *testing.F) {
	fx := newFixture(f, nil)
	exp := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	good := `{"iss":"` + fx.cfg.Issuer + `","aud":"` + clientID + `","exp":` + exp + `,"urn:esia:sbj_id":1000299654}`
	f.Add("a.b.c", "", []byte(good), []byte(`{"sub":"1000299654","iss":"`+fx.cfg.Issuer+`","aud":["x","`+clientID+`"],"exp":`+exp+`}`))
	f.Add("", "x", []byte(`{"urn:esia:sbj_id":"007","client_id":"`+clientID+`"}`), []byte(`{"iat":1e12}`))
	f.Add("eyJhbGciOiJub25lIn0.e30.", "..", []byte(`{"urn:esia:sbj_id":-1}`), []byte(`[]`))
	f.Fuzz(func(t *testing.T, access, id string, accessClaims, idClaims []byte) {
		accept := func(tok *esia.Token, err error) {
			if err != nil {
				if strings.Contains(err.Error(), "\n") {
					t.Fatalf("error spans lines: %q", err)
				}
				return
			}
			c := tok.AccessClaims
			if c.Issuer != fx.cfg.Issuer || !containsAud(c, clientID) || !time.Now().Before(c.ExpiresAt.Add(serve.DefaultLeeway)) {
				t.Fatalf("accepted claims %+v", c)
			}
			if n, err := strconv.ParseUint(tok.OID, 10, 64); err != nil || n == 0 || strconv.FormatUint(n, 10) != tok.OID {
				t.Fatalf("accepted OID %q", tok.OID)
			}
		}
		if _, err := fx.client.Validate(access, id); err == nil {
			t.Fatalf("accepted unsigned tokens %q %q", access, id)
		}
		var a, i map[string]any
		if json.Unmarshal(accessClaims, &a) != nil || json.Unmarshal(idClaims, &i) != nil {
			return
		}
		at, err := serve.SignJWT(fx.esiaKey, a)
		if err != nil {
			return
		}
		accept(fx.client.Validate(at, ""))
		it, err := serve.SignJWT(fx.esiaKey, i)
		if err != nil {
			return
		}
		accept(fx.client.Validate(at, it))
	})
}

func containsAud(c *serve.Claims, aud string) bool {
	for _, a := range c.Audience {
		if a == aud {
			return true
		}
	}
	return false
}

// FuzzParseError reads arbitrary error answers: always an error, one line,
// an *esia.Error only with a code.
func FuzzParseError(f *testing.F) {
	f.Add(400, "application/json", []byte(`{"error":"invalid_grant","error_description":"ESIA-007014: x"}`))
	f.Add(502, "text/html", []byte(`<html>`))
	f.Add(401, "", []byte(`{"error":"a\nb","error_description":"`+strings.Repeat("я", 400)+`"}`))
	f.Add(400, "application/json; charset=utf-8", []byte(`{"error":""} {}`))
	f.Fuzz(func(t *testing.T, status int, ctype string, body []byte) {
		err := esia.ParseError(status, ctype, body)
		if err == nil {
			t.Fatal("no error")
		}
		if s := err.Error(); strings.ContainsAny(s, "\n\r") || len(s) > 2000 {
			t.Fatalf("error not one short line: %q", s)
		}
		var e *esia.Error
		if errors.As(err, &e) && e.Code == "" {
			t.Fatal("an *Error without a code")
		}
	})
}

package serve

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/gost/streebog"
	"github.com/podpis/podpis/pki"
)

// JWTAlg is the JWS "alg" of a GOST R 34.10-2012 signature with a 256-bit
// key over Streebog-256, as ESIA names it (shared spec tokend/ANCHORS.md §5:
// "JWT alg for GOST: GOST3410_2012_256"). No other alg is accepted: not
// "none", not HS256 with the certificate as a MAC key, not RS256.
const JWTAlg = "GOST3410_2012_256"

// DefaultLeeway is the clock skew allowed on exp and nbf.
const DefaultLeeway = time.Minute

// JWTConfig configures a JWTVerifier.
type JWTConfig struct {
	// Certificates hold the issuer's public keys: GOST R 34.10-2012 keys
	// of 256 bits. A token is accepted when one of them, valid now, verifies
	// its signature.
	Certificates []*pki.Certificate
	// Issuer is the required "iss"; Audience a value "aud" must hold.
	// Both are required.
	Issuer, Audience string
	// ClientIDAudience accepts a token with no "aud" whose "client_id"
	// (RFC 8693 §4.3) equals Audience: ESIA's access tokens name the
	// client that way (ANCHORS §5: verifiers check "audience/client_id").
	// A token with an "aud" must still hold Audience there.
	ClientIDAudience bool
	// Leeway is the clock skew allowed; zero means DefaultLeeway.
	Leeway time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// JWTVerifier checks bearer JWTs (RFC 7519) in the JWS compact serialisation
// (RFC 7515 §7.1) signed with JWTAlg:
//
//   - the header and payload are unpadded base64url (RFC 7515 §2), decoded
//     strictly; the header's alg must be JWTAlg and it must carry no "crit"
//     (RFC 7515 §4.1.11: no extension is understood here);
//   - the signature is over the ASCII signing input header "." payload:
//     its Streebog-256 digest (GOST R 34.11-2012), verified as package
//     gost3410 verifies, and the signature value is 64 bytes in the byte
//     order package gost3410 produces: BE(s) ‖ BE(r) (FACTS §4.1). That is
//     the order of `openssl dgst -sign` with the GOST engine and of PKCS#11
//     CKM_GOSTR3410, so a token or OpenSSL can sign tokens this server
//     accepts without reordering. A byte-reversed value (LE(r) ‖ LE(s), as
//     CryptoAPI-style interfaces return it, FACTS §4.1) is refused, not
//     guessed at: accepting both orders would make the format ambiguous;
//   - "exp" is required and "nbf" honoured (RFC 7519 §4.1.4, §4.1.5), with
//     Leeway; "iss" must equal Issuer and "aud" (a string or an array) must
//     hold Audience (§4.1.1, §4.1.3), or, with ClientIDAudience, "client_id"
//     equal it when there is no "aud"; "sub" may be a string or a number
//     (ESIA writes the person's OID as a number) and is read as a string.
type JWTVerifier struct {
	cfg  JWTConfig
	keys []jwtKey
}

type jwtKey struct {
	pub  *gost3410.PublicKey
	cert *pki.Certificate
}

// NewJWTVerifier checks cfg and returns a verifier.
func NewJWTVerifier(cfg JWTConfig) (*JWTVerifier, error) {
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("serve: JWT needs an issuer and an audience")
	}
	if len(cfg.Certificates) == 0 {
		return nil, errors.New("serve: JWT needs the issuer's certificate")
	}
	v := &JWTVerifier{cfg: cfg}
	for _, c := range cfg.Certificates {
		pub, ok := c.PublicKey.(*gost3410.PublicKey)
		if !ok || pub.ParamSet().Size() != 32 {
			return nil, fmt.Errorf("serve: JWT certificate %s: not a 256-bit GOST R 34.10-2012 key (alg %s)", c.Subject, JWTAlg)
		}
		v.keys = append(v.keys, jwtKey{pub, c})
	}
	if v.cfg.Leeway == 0 {
		v.cfg.Leeway = DefaultLeeway
	}
	if v.cfg.Now == nil {
		v.cfg.Now = time.Now
	}
	return v, nil
}

// Claims are the registered claims read from a token.
type Claims struct {
	Issuer    string       `json:"iss"`
	Subject   string       `json:"sub,omitempty"`
	Audience  audience     `json:"aud"`
	ClientID  string       `json:"client_id,omitempty"`
	ExpiresAt *NumericDate `json:"exp"`
	NotBefore *NumericDate `json:"nbf,omitempty"`
	IssuedAt  *NumericDate `json:"iat,omitempty"`
	ID        string       `json:"jti,omitempty"`
}

// UnmarshalJSON reads the claims, taking a numeric "sub" as its decimal
// text.
func (c *Claims) UnmarshalJSON(b []byte) error {
	type plain Claims
	var raw struct {
		plain
		Subject json.RawMessage `json:"sub"`
	}
	if err := strictJSON(b, &raw); err != nil {
		return err
	}
	*c = Claims(raw.plain)
	c.Subject = ""
	if len(raw.Subject) == 0 || string(raw.Subject) == "null" {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(raw.Subject, &c.Subject); err == nil {
		return nil
	}
	if err := json.Unmarshal(raw.Subject, &n); err != nil {
		return errors.New(`"sub" is neither a string nor a number`)
	}
	if _, err := n.Int64(); err != nil {
		return errors.New(`"sub" is a number that is not a whole one`)
	}
	c.Subject = n.String()
	return nil
}

// NumericDate is seconds since the epoch (RFC 7519 §2), possibly
// fractional.
type NumericDate struct{ time.Time }

// UnmarshalJSON reads a NumericDate; a negative or absurdly large one is an
// error.
func (d *NumericDate) UnmarshalJSON(b []byte) error {
	var f json.Number
	if err := json.Unmarshal(b, &f); err != nil {
		return errors.New("a date is not a number")
	}
	x, err := f.Float64()
	if err != nil || x < 0 || x > 1<<40 {
		return errors.New("a date is out of range")
	}
	sec := int64(x)
	d.Time = time.Unix(sec, int64((x-float64(sec))*1e9)).UTC()
	return nil
}

// MarshalJSON writes whole seconds.
func (d NumericDate) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprint(d.Unix())), nil }

// audience is "aud": one string or an array of strings.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New(`"aud" is neither a string nor an array of strings`)
	}
	*a = many
	return nil
}

// maxJWT bounds a token (the Authorization header is bounded too).
const maxJWT = maxCredential

var b64 = base64.RawURLEncoding.Strict()

// Verify checks token and returns its claims. The error says what is wrong
// with the token (in English) and never repeats its content.
func (v *JWTVerifier) Verify(token string) (*Claims, error) {
	if len(token) > maxJWT {
		return nil, errors.New("bearer token too long")
	}
	h, rest, ok1 := strings.Cut(token, ".")
	p, s, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(s, ".") {
		return nil, errors.New("bearer token is not a JWS compact serialisation")
	}
	hdr, err := b64.DecodeString(h)
	if err != nil {
		return nil, errors.New("bearer token header is not base64url")
	}
	var header struct {
		Alg  string           `json:"alg"`
		Crit *json.RawMessage `json:"crit"`
	}
	if err := strictJSON(hdr, &header); err != nil {
		return nil, errors.New("bearer token header is not a JSON object")
	}
	if header.Alg != JWTAlg {
		return nil, fmt.Errorf("bearer token alg must be %s", JWTAlg)
	}
	if header.Crit != nil {
		return nil, errors.New("bearer token has critical header parameters this server does not understand")
	}
	sig, err := b64.DecodeString(s)
	if err != nil || len(sig) != 64 {
		return nil, errors.New("bearer token signature is not 64 bytes of base64url")
	}
	digest := streebog.Sum256([]byte(token[:len(h)+1+len(p)]))
	now := v.cfg.Now()
	verified := false
	for _, k := range v.keys {
		if now.Before(k.cert.NotBefore) || now.After(k.cert.NotAfter) {
			continue
		}
		if gost3410.Verify(k.pub, digest[:], sig) {
			verified = true
			break
		}
	}
	if !verified {
		return nil, errors.New("bearer token signature does not verify with the configured certificate")
	}
	payload, err := b64.DecodeString(p)
	if err != nil {
		return nil, errors.New("bearer token payload is not base64url")
	}
	var c Claims
	if err := strictJSON(payload, &c); err != nil {
		return nil, fmt.Errorf("bearer token claims: %v", err)
	}
	switch {
	case c.ExpiresAt == nil:
		return nil, errors.New("bearer token has no exp")
	case !now.Before(c.ExpiresAt.Add(v.cfg.Leeway)):
		return nil, errors.New("bearer token has expired")
	case c.NotBefore != nil && now.Add(v.cfg.Leeway).Before(c.NotBefore.Time):
		return nil, errors.New("bearer token is not valid yet (nbf)")
	case c.Issuer != v.cfg.Issuer:
		return nil, errors.New("bearer token is from another issuer")
	}
	for _, a := range c.Audience {
		if a == v.cfg.Audience {
			return &c, nil
		}
	}
	if v.cfg.ClientIDAudience && len(c.Audience) == 0 && c.ClientID == v.cfg.Audience {
		return &c, nil
	}
	return nil, errors.New("bearer token is for another audience")
}

// strictJSON decodes one JSON object and nothing after it.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON object")
	}
	return nil
}

// SignJWT makes a token of claims (any value that marshals to a JSON object)
// signed with key as JWTVerifier expects: for clients and tests. key must be
// a 256-bit GOST R 34.10-2012 key.
func SignJWT(key *gost3410.PrivateKey, claims any) (string, error) {
	if key.ParamSet().Size() != 32 {
		return "", fmt.Errorf("serve: %s needs a 256-bit key", JWTAlg)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := b64.EncodeToString([]byte(`{"alg":"`+JWTAlg+`","typ":"JWT"}`)) + "." + b64.EncodeToString(payload)
	digest := streebog.Sum256([]byte(input))
	sig, err := key.Sign(rand.Reader, digest[:], gost3410.SignerOpts{Hash: gost3410.Streebog256})
	if err != nil {
		return "", err
	}
	return input + "." + b64.EncodeToString(sig), nil
}

package serve

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
)

// Auth authenticates callers: by API key (Keys) in the X-API-Key header, or
// by a GOST-signed JWT (JWT) in Authorization: Bearer. Either may be nil;
// a request offering a method that is not configured is refused.
type Auth struct {
	Keys *KeyStore
	JWT  *JWTVerifier
	// KeyTimeout bounds the database lookup of an API key; zero means 5 s.
	KeyTimeout time.Duration
}

// Principal says how a caller authenticated, for the log: Method is
// "api-key" or "jwt"; KeyID is the API key's public id. Nothing personal.
type Principal struct {
	Method, KeyID string
}

// maxCredential bounds the header values read: an API key is 61 bytes, a
// JWT of a few claims well under a kilobyte.
const maxCredential = 8 << 10

var (
	errNoCredentials   = errors.New("no credentials")
	errBadCredentials  = errors.New("invalid credentials")
	errBothCredentials = errors.New("send either an API key or a bearer token, not both")
)

// authenticate checks the request's credentials. The error is safe to send
// to the client: it never repeats what was sent, and does not tell an
// unknown key from a revoked one or a wrong secret.
func (a *Auth) authenticate(r *http.Request) (Principal, error) {
	key := r.Header.Get("X-API-Key")
	authz := r.Header.Get("Authorization")
	if key != "" && authz != "" {
		return Principal{}, errBothCredentials
	}
	if len(key) > maxCredential || len(authz) > maxCredential {
		return Principal{}, errBadCredentials
	}
	switch {
	case key != "":
		if a.Keys == nil {
			return Principal{}, errors.New("API keys are not accepted by this server")
		}
		t := a.KeyTimeout
		if t == 0 {
			t = 5 * time.Second
		}
		ctx, cancel := context.WithTimeout(r.Context(), t)
		defer cancel()
		info, err := a.Keys.Check(ctx, key)
		if err != nil {
			return Principal{}, errBadCredentials
		}
		return Principal{Method: "api-key", KeyID: info.ID}, nil
	case authz != "":
		scheme, token, ok := strings.Cut(authz, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return Principal{}, errors.New("the Authorization scheme must be Bearer")
		}
		if a.JWT == nil {
			return Principal{}, errors.New("bearer tokens are not accepted by this server")
		}
		if _, err := a.JWT.Verify(strings.TrimSpace(token)); err != nil {
			return Principal{}, err
		}
		return Principal{Method: "jwt"}, nil
	}
	return Principal{}, errNoCredentials
}

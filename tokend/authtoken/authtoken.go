// Package authtoken defines the origin-bound login token that tokend issues
// and a site's server validates (tokend/validate): its JSON shape, the bounds
// on the nonce, the form of an origin, and the exact bytes that the token's
// key signs. It has no I/O and is shared by the daemon and the validator so
// that the two cannot disagree.
//
// The design is Web eID's (shared/spec/tokend/ANCHORS.md §1.2, "Authentication
// token format"), with GOST R 34.10-2012 in place of ECDSA/RSA (§6 item 3):
//
//   - the token is a JSON object with unverifiedCertificate (base64 DER of the
//     key's certificate), algorithm ("GOST3410_2012_256" or
//     "GOST3410_2012_512", ESIA's JWT names, §5), signature (base64),
//     format ("tokend:1.0") and appVersion (informative only);
//   - the key signs the message M = H(origin) ‖ H(nonce), where H is
//     Streebog-256 for GOST3410_2012_256 and Streebog-512 for
//     GOST3410_2012_512, origin is the browser's serialisation of the page's
//     origin ("https://host[:port]", the Origin header) and nonce is the
//     nonce's text as the site issued it (its UTF-8 bytes, not decoded);
//     hashing each part first separates the fields (ANCHORS §1.2);
//   - the signature is a GOST R 34.10-2012 signature over M with the same
//     Streebog variant, in the byte order of X.509 and CMS: BE(s) ‖ BE(r)
//     over H(M) read as a little-endian number (spec/gost FACTS §4.4, the
//     form pki.CheckSignature verifies and a PKCS#11 token's CKM_GOSTR3410
//     returns, FACTS §5.3). So the token signs Digest(alg, origin, nonce) =
//     H(M), and a verifier checks the signature over M.
//
// Nothing in a token is trusted by itself: the certificate is "unverified"
// until the validator builds a path to its trust anchors, and the origin and
// nonce are not in the token at all — the validator supplies the ones it
// expects, so a token made for another site or another nonce fails the
// signature check.
package authtoken

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/gost/streebog"
)

// Format is the token's format field: major.minor, where minor versions stay
// backward compatible (as Web eID's "web-eid:1.0", ANCHORS §1.2).
const Format = "tokend:1.0"

// FormatPrefix is what a validator requires of Format: "tokend:1" followed
// by the end or a minor version (".N").
const FormatPrefix = "tokend:1"

// The algorithm names: ESIA's JWT names for GOST R 34.10-2012 (ANCHORS §5).
const (
	GOST256 = "GOST3410_2012_256"
	GOST512 = "GOST3410_2012_512"
)

// Nonce bounds, in characters, as Web eID's app and validator enforce them
// (ANCHORS §1.2 "Nonce rules": 44 to 128 characters; 44 base64 characters
// carry 32 bytes = 256 bits).
const (
	MinNonceLen = 44
	MaxNonceLen = 128
)

// Token size bounds before JSON parsing, from the Java reference validator
// (ANCHORS §1.2 "How the server validates", step 1).
const (
	MinTokenLen = 100
	MaxTokenLen = 10000
)

// Token is the login token, the JSON object returned to the page.
type Token struct {
	UnverifiedCertificate string `json:"unverifiedCertificate"`
	Algorithm             string `json:"algorithm"`
	Signature             string `json:"signature"`
	Format                string `json:"format"`
	AppVersion            string `json:"appVersion"`
}

var (
	// ErrNonce: the nonce is not 44–128 base64 characters.
	ErrNonce = errors.New("authtoken: the nonce must be 44 to 128 base64 characters (at least 256 bits)")
	// ErrAlgorithm: the algorithm is not one of GOST256, GOST512.
	ErrAlgorithm = errors.New("authtoken: unknown algorithm")
	// ErrOrigin: the origin is not in the browser's serialisation.
	ErrOrigin = errors.New("authtoken: bad origin")
)

// CheckNonce checks the nonce's length (MinNonceLen…MaxNonceLen) and that
// it uses only the characters of base64 or base64url (with padding), so
// that at least 256 bits fit in it. Its randomness is the issuer's job.
func CheckNonce(nonce string) error {
	if len(nonce) < MinNonceLen || len(nonce) > MaxNonceLen {
		return ErrNonce
	}
	for i := 0; i < len(nonce); i++ {
		c := nonce[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '+', c == '/', c == '-', c == '_', c == '=':
		default:
			return ErrNonce
		}
	}
	return nil
}

// Hash returns the Streebog variant of an algorithm name.
func Hash(alg string) (gost3410.Hash, error) {
	switch alg {
	case GOST256:
		return gost3410.Streebog256, nil
	case GOST512:
		return gost3410.Streebog512, nil
	}
	return 0, fmt.Errorf("%w %q (want %s or %s)", ErrAlgorithm, alg, GOST256, GOST512)
}

// Algorithm returns the algorithm name for a key of size bits (256 or 512).
func Algorithm(bits int) (string, error) {
	switch bits {
	case 256:
		return GOST256, nil
	case 512:
		return GOST512, nil
	}
	return "", fmt.Errorf("%w: a %d-bit key", ErrAlgorithm, bits)
}

// SignatureOID returns the signature algorithm OID of alg
// (id-tc26-signwithdigest-gost3410-12-256/-512, FACTS §4.3), for
// pki.CheckSignature.
func SignatureOID(alg string) (asn1.ObjectIdentifier, error) {
	switch alg {
	case GOST256:
		return asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 2}, nil
	case GOST512:
		return asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 3}, nil
	}
	return nil, fmt.Errorf("%w %q", ErrAlgorithm, alg)
}

// SignedMessage returns M = H(origin) ‖ H(nonce), the message whose GOST
// signature the token carries.
func SignedMessage(alg, origin, nonce string) ([]byte, error) {
	switch alg {
	case GOST256:
		o, n := streebog.Sum256([]byte(origin)), streebog.Sum256([]byte(nonce))
		return append(o[:], n[:]...), nil
	case GOST512:
		o, n := streebog.Sum512([]byte(origin)), streebog.Sum512([]byte(nonce))
		return append(o[:], n[:]...), nil
	}
	return nil, fmt.Errorf("%w %q", ErrAlgorithm, alg)
}

// Digest returns H(M), the digest a token signs (CKM_GOSTR3410 takes the
// digest, FACTS §5.3).
func Digest(alg, origin, nonce string) ([]byte, error) {
	m, err := SignedMessage(alg, origin, nonce)
	if err != nil {
		return nil, err
	}
	h, _ := Hash(alg)
	d := h.New()
	d.Write(m)
	return d.Sum(nil), nil
}

// CheckOrigin checks that origin is exactly a browser's ASCII serialisation
// of a tuple origin (HTML Living Standard §7.5 "serialization of an
// origin"): scheme "https" (or "http" when allowHTTP is set), "://", a
// lower-case host (a name in punycode, an IPv4 address or a bracketed IPv6
// one), and ":port" only when the port is not the scheme's default; no
// user, path, query or fragment. Browsers send Origin in this form, so an
// allowlist entry in any other form could never match; it is refused
// instead of being silently useless.
func CheckOrigin(origin string, allowHTTP bool) error {
	u, err := url.Parse(origin)
	if err != nil {
		return fmt.Errorf("%w %q: %v", ErrOrigin, origin, err)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowHTTP:
	default:
		return fmt.Errorf("%w %q: the scheme must be https", ErrOrigin, origin)
	}
	if u.Opaque != "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || strings.HasSuffix(origin, "#") {
		return fmt.Errorf("%w %q: an origin is scheme://host[:port] with nothing after it", ErrOrigin, origin)
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		return fmt.Errorf("%w %q: no host", ErrOrigin, origin)
	}
	if host != strings.ToLower(host) {
		return fmt.Errorf("%w %q: browsers send the host in lower case", ErrOrigin, origin)
	}
	if strings.Contains(host, ":") {
		if net.ParseIP(host) == nil {
			return fmt.Errorf("%w %q: bad IPv6 address", ErrOrigin, origin)
		}
	} else {
		for i := 0; i < len(host); i++ {
			c := host[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
				return fmt.Errorf("%w %q: the host must be ASCII (punycode for an internationalised name)", ErrOrigin, origin)
			}
		}
		if strings.HasSuffix(host, ".") || strings.HasPrefix(host, ".") || strings.Contains(host, "..") {
			return fmt.Errorf("%w %q: bad host name", ErrOrigin, origin)
		}
	}
	if strings.HasSuffix(u.Host, ":") {
		return fmt.Errorf("%w %q: empty port", ErrOrigin, origin)
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
			return fmt.Errorf("%w %q: bad port", ErrOrigin, origin)
		}
		if (u.Scheme == "https" && n == 443) || (u.Scheme == "http" && n == 80) {
			return fmt.Errorf("%w %q: browsers leave out the default port", ErrOrigin, origin)
		}
	}
	return nil
}

// IsLocalhost reports whether origin's host is localhost or a loopback
// address (http is allowed for these only, for development, ANCHORS §6
// item 2).
func IsLocalhost(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

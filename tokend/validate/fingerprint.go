package validate

import (
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/podpis/podpis/tokend/authtoken"
)

// FingerprintDigits is how many hexadecimal digits of a document's digest
// tokend's signing dialog shows: 20 digits, 80 bits.
//
// Why 80: the fingerprint lets the person check that the document the
// portal shows is the one the daemon is about to sign, against a script that
// swaps the digest (issue 9, "a digest fingerprint the portal also shows";
// ANCHORS §6 item 4). To pass a swapped digest the script needs a document
// whose digest starts with the same digits: a second preimage of 80 bits
// (2^80 Streebog evaluations) against a document the portal made, or 2^40
// when the attacker wrote both documents (a birthday search) — well beyond a
// page's budget for the first, and expensive for the second. The signature
// itself covers the whole digest; the fingerprint is only what a person can
// compare at a glance, so it stays at five groups of four.
const FingerprintDigits = 20

// Fingerprint returns what tokend's signing dialog shows of a digest, for a
// portal to show beside the document: the first FingerprintDigits
// hexadecimal digits of the digest in wire order (the bytes a hash.Hash's
// Sum returns, `openssl dgst` prints and CMS messageDigest holds; FACTS
// §1), upper case, in groups of four separated by one space:
//
//	Streebog-256("") = 3f539a21 3e97c802 cc229d47 …
//	Fingerprint     = "3F53 9A21 3E97 C802 CC22"
//
// The digest is the one the page passes to sign: the document's digest for a
// CMS signature (its messageDigest), or the digest itself for a raw
// signature. A digest shorter than 10 bytes gets all its digits.
func Fingerprint(digest []byte) string {
	h := strings.ToUpper(hex.EncodeToString(digest))
	if len(h) > FingerprintDigits {
		h = h[:FingerprintDigits]
	}
	var b strings.Builder
	for i := 0; i < len(h); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(h[i:min(i+4, len(h))])
	}
	return b.String()
}

// DocumentDigest hashes a document as tokend's sign expects its digest: with
// Streebog-256 for a certificate whose algorithm (in /v1/certificates) is
// authtoken.GOST256, Streebog-512 for authtoken.GOST512. A portal's server
// computes it, passes it to the page for tokend.sign({digest}) and shows
// Fingerprint(digest) beside the document.
func DocumentDigest(algorithm string, doc io.Reader) ([]byte, error) {
	h, err := authtoken.Hash(algorithm)
	if err != nil {
		return nil, err
	}
	d := h.New()
	if _, err := io.Copy(d, doc); err != nil {
		return nil, fmt.Errorf("validate: reading the document: %w", err)
	}
	return d.Sum(nil), nil
}

package form

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/podpis/podpis/gost/streebog"
	"github.com/podpis/podpis/mchd"
)

// HashMarker separates the registry URL from the hash in the QR payload.
const HashMarker = "#streebog256="

// ErrPayload is returned (wrapped) by ParseQRPayload for a string that is
// not a form's QR payload.
var ErrPayload = errors.New("form: not an МЧД form QR payload")

// maxPayload bounds what ParseQRPayload reads: the URL prefix, a GUID, the
// marker and 64 hex digits are 163 bytes.
const maxPayload = 256

// Hash returns the lower-case hex Streebog-256 (GOST R 34.11-2012) of the
// exact bytes of an XML file.
func Hash(raw []byte) string {
	s := streebog.Sum256(raw)
	return hex.EncodeToString(s[:])
}

// QRPayload returns the payload of the form's QR code for the document
// whose file bytes are raw: one line, fields in a fixed order —
//
//	https://m4d.nalog.gov.ru/emchd/check-status?guid=<GUID>#streebog256=<hex>
//
// the registry check URL of FORMAT.md §10 (mchd.StatusURL, which carries
// the GUID; a phone opens it), then the Streebog-256 of raw in lower-case
// hex. The URL fragment is never sent to the server, so the registry page
// opens as it is. The GUID is written in lower case (FORMAT.md §2.1).
func QRPayload(raw []byte, doc *mchd.Document) string {
	guid := ""
	if info := doc.Info(); info != nil {
		guid = strings.ToLower(info.GUID)
	}
	return mchd.StatusURL(guid) + HashMarker + Hash(raw)
}

// ParseQRPayload reads a payload made by QRPayload back into the POA's GUID
// (lower case) and the hex Streebog-256 of its XML file. It accepts exactly
// that form — the prefix of mchd.StatusURLPrefix, a GUID, the marker, 64
// lower-case hex digits, nothing else — so a checker comparing the two
// values with the XML it holds compares like with like.
func ParseQRPayload(s string) (guid, hash string, err error) {
	if len(s) > maxPayload {
		return "", "", fmt.Errorf("%w: %d bytes, longer than any form's payload", ErrPayload, len(s))
	}
	rest, ok := strings.CutPrefix(s, mchd.StatusURLPrefix)
	if !ok {
		return "", "", fmt.Errorf("%w: does not start with %s", ErrPayload, mchd.StatusURLPrefix)
	}
	guid, hash, ok = strings.Cut(rest, HashMarker)
	if !ok {
		return "", "", fmt.Errorf("%w: no %s after the URL", ErrPayload, HashMarker)
	}
	if !mchd.ValidGUID(guid) || strings.ToLower(guid) != guid {
		return "", "", fmt.Errorf("%w: %q is not a lower-case GUID", ErrPayload, guid)
	}
	if len(hash) != 2*streebog.Size256 || strings.Trim(hash, "0123456789abcdef") != "" {
		return "", "", fmt.Errorf("%w: the hash is not 64 lower-case hex digits", ErrPayload)
	}
	return guid, hash, nil
}

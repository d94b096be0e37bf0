package cms

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"fmt"
)

// pemTypes are the PEM labels a CMS signature arrives under: RFC 7468 §9
// ("CMS", "PKCS7"), OpenSSL's legacy "PKCS #7 SIGNED DATA".
var pemTypes = []string{"CMS", "PKCS7", "PKCS #7 SIGNED DATA"}

// Decode returns the BER or DER bytes of a signature file, whatever its
// wrapping: DER or BER as is (first byte 0x30), PEM with one of the labels
// above, or bare Base64 (standard or URL alphabet, padded or not, with any
// whitespace and line breaks, optionally after a UTF-8 byte order mark), as
// Russian signing tools save it. The form is sniffed from the bytes; file
// names mean nothing. Errors wrap ErrFormat.
func Decode(data []byte) ([]byte, error) {
	if len(data) == 0 {
		return nil, formatErr("empty input")
	}
	if data[0] == 0x30 {
		return data, nil
	}
	text := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	text = bytes.TrimLeft(text, " \t\r\n")
	if bytes.HasPrefix(text, []byte("-----BEGIN ")) {
		return decodePEM(text)
	}
	der, ok := decodeBase64(text)
	if !ok {
		return nil, formatErr("neither DER, BER, PEM nor Base64")
	}
	return der, nil
}

func decodePEM(text []byte) ([]byte, error) {
	for len(text) > 0 {
		block, rest := pem.Decode(text)
		if block == nil {
			return nil, formatErr("bad PEM")
		}
		for _, t := range pemTypes {
			if block.Type == t {
				if len(block.Bytes) == 0 || block.Bytes[0] != 0x30 {
					return nil, formatErr("PEM block does not hold a ContentInfo")
				}
				return block.Bytes, nil
			}
		}
		text = rest
		if len(bytes.TrimSpace(text)) == 0 {
			return nil, fmt.Errorf("%w: PEM block %q is not a CMS signature", ErrFormat, block.Type)
		}
	}
	return nil, formatErr("bad PEM")
}

// decodeBase64 decodes text in any common Base64 form and reports whether the
// result looks like a ContentInfo.
func decodeBase64(text []byte) ([]byte, bool) {
	compact := make([]byte, 0, len(text))
	for _, c := range text {
		switch c {
		case ' ', '\t', '\r', '\n', '\v', '\f':
		default:
			compact = append(compact, c)
		}
	}
	compact = bytes.TrimRight(compact, "=")
	if len(compact) == 0 {
		return nil, false
	}
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		der := make([]byte, enc.DecodedLen(len(compact)))
		n, err := enc.Decode(der, compact)
		if err == nil && n > 0 && der[0] == 0x30 {
			return der[:n], true
		}
	}
	return nil, false
}

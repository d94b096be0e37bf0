package pkcs11

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// URI is a parsed RFC 7512 "pkcs11:" URI. Path attributes select a library,
// slot, token and object; an attribute left empty (a nil ID or SlotID)
// matches anything. Query attributes say how to reach and unlock the token.
//
// Example: pkcs11:token=Rutoken%20ECP;object=signing;id=%01%02?module-name=rtpkcs11ecp&pin-source=file:/run/pin
type URI struct {
	// Token attributes: CK_TOKEN_INFO label, manufacturerID, serialNumber
	// and model, compared after trailing blanks are removed.
	Token, Manufacturer, Serial, Model string
	// SlotID, SlotDescription and SlotManufacturer select the slot.
	SlotID                            *uint
	SlotDescription, SlotManufacturer string
	// LibraryManufacturer, LibraryDescription and LibraryVersion ("1" or
	// "2.40") select the module by its CK_INFO.
	LibraryManufacturer, LibraryDescription, LibraryVersion string
	// Object is the CKA_LABEL, ID the CKA_ID of the object.
	Object string
	ID     []byte
	// Type is the object class: "public", "private", "cert", "secret-key" or
	// "data" ("" for any).
	Type string

	// ModulePath is the module file, or a directory to look for ModuleName
	// (or the well-known modules) in.
	ModulePath string
	// ModuleName is the module's name without platform decoration:
	// "rtpkcs11ecp" finds librtpkcs11ecp.so.
	ModuleName string
	// PINSource is where the PIN is read: "file:/path" or a plain path (the
	// file's first line), or "env:NAME" (an environment variable; a podpis
	// extension). RFC 7512's "|program" form is refused.
	PINSource string
}

// Path attribute names in the order String writes them (RFC 7512 §2.3).
var pathAttrs = []string{
	"library-manufacturer", "library-description", "library-version",
	"slot-manufacturer", "slot-description", "slot-id",
	"manufacturer", "model", "serial", "token",
	"object", "type", "id",
}

// ErrPINInURI is the error for a URI carrying pin-value.
var ErrPINInURI = errors.New(`pkcs11: the URI carries the PIN (pin-value); a PIN must never be written in a URI, ` +
	`where it ends up in shell history, process lists and logs: use pin-source=file:PATH or env:NAME, ` +
	`--pin-file, the PODPIS_PIN environment variable or the PIN prompt`)

// ParseURI parses an RFC 7512 PKCS#11 URI. Values are percent-decoded; "+"
// is a plus sign, not a space. It refuses, with a message saying why:
// a path attribute it does not know (RFC 7512 §3.3: such a URI matches
// nothing, so it is better reported than silently unmatched), an attribute
// given twice, a malformed percent-escape, slot-id or library-version, an
// unknown type, pin-value (ErrPINInURI) and a "|program" pin-source. Unknown
// query attributes are ignored, as RFC 7512 asks.
func ParseURI(s string) (*URI, error) {
	const scheme = "pkcs11:"
	if len(s) < len(scheme) || !strings.EqualFold(s[:len(scheme)], scheme) {
		return nil, fmt.Errorf("pkcs11: %q is not a PKCS#11 URI (it must begin with %q)", s, scheme)
	}
	rest := s[len(scheme):]
	if strings.Contains(rest, "#") {
		return nil, fmt.Errorf("pkcs11: URI %q has a fragment (#), which RFC 7512 does not allow; write # as %%23", s)
	}
	path, query, _ := strings.Cut(rest, "?")
	u := new(URI)
	seen := map[string]bool{}
	if path != "" {
		for attr := range strings.SplitSeq(path, ";") {
			name, value, err := splitAttr(attr, "path")
			if err != nil {
				return nil, err
			}
			if seen[name] {
				return nil, fmt.Errorf("pkcs11: URI attribute %q appears twice (RFC 7512 §2.3 allows it once)", name)
			}
			seen[name] = true
			if err := u.setPath(name, value); err != nil {
				return nil, err
			}
		}
	}
	if query != "" {
		for attr := range strings.SplitSeq(query, "&") {
			name, value, err := splitAttr(attr, "query")
			if err != nil {
				return nil, err
			}
			known := name == "pin-value" || name == "pin-source" || name == "module-name" || name == "module-path"
			if !known {
				continue // RFC 7512: unknown query attributes are ignored
			}
			if seen["?"+name] {
				return nil, fmt.Errorf("pkcs11: URI query attribute %q appears twice", name)
			}
			seen["?"+name] = true
			switch name {
			case "pin-value":
				return nil, ErrPINInURI
			case "pin-source":
				if strings.HasPrefix(value, "|") {
					return nil, errors.New("pkcs11: pin-source=|program is not supported: podpis does not run programs named in a URI; use pin-source=file:PATH or env:NAME")
				}
				if value == "" || value == "env:" || value == "file:" {
					return nil, errors.New("pkcs11: pin-source is empty; give file:PATH or env:NAME")
				}
				u.PINSource = value
			case "module-name":
				u.ModuleName = value
			case "module-path":
				u.ModulePath = value
			}
		}
	}
	return u, nil
}

// splitAttr splits "name=value" and percent-decodes the value.
func splitAttr(attr, part string) (name, value string, err error) {
	name, raw, ok := strings.Cut(attr, "=")
	if !ok || name == "" {
		return "", "", fmt.Errorf("pkcs11: URI %s attribute %q is not name=value", part, attr)
	}
	value, err = percentDecode(raw)
	if err != nil {
		return "", "", fmt.Errorf("pkcs11: URI attribute %q: %w", name, err)
	}
	return name, value, nil
}

func (u *URI) setPath(name, value string) error {
	switch name {
	case "library-version":
		if _, _, err := parseVersion(value); err != nil {
			return err
		}
	case "slot-id":
		n, err := strconv.ParseUint(value, 10, 0)
		if err != nil {
			return fmt.Errorf("pkcs11: URI slot-id %q is not a decimal number", value)
		}
		id := uint(n)
		u.SlotID = &id
		return nil
	case "id":
		u.ID = []byte(value)
		return nil
	case "type":
		switch value {
		case "public", "private", "cert", "secret-key", "data":
		default:
			return fmt.Errorf("pkcs11: URI type %q is not one of public, private, cert, secret-key, data", value)
		}
	}
	field, ok := u.textAttrs()[name]
	if !ok {
		return fmt.Errorf("pkcs11: URI attribute %q is unknown; RFC 7512 says a URI with an attribute the reader does not know matches nothing", name)
	}
	*field = value
	return nil
}

// textAttrs maps the path attributes held as text to their fields.
func (u *URI) textAttrs() map[string]*string {
	return map[string]*string{
		"token": &u.Token, "manufacturer": &u.Manufacturer, "serial": &u.Serial, "model": &u.Model,
		"slot-description": &u.SlotDescription, "slot-manufacturer": &u.SlotManufacturer,
		"library-manufacturer": &u.LibraryManufacturer, "library-description": &u.LibraryDescription,
		"library-version": &u.LibraryVersion, "object": &u.Object, "type": &u.Type,
	}
}

// parseVersion parses a library-version value, "M" or "M.m".
func parseVersion(v string) (major, minor uint8, err error) {
	ma, mi, dot := strings.Cut(v, ".")
	x, err1 := strconv.ParseUint(ma, 10, 8)
	var y uint64
	var err2 error
	if dot {
		y, err2 = strconv.ParseUint(mi, 10, 8)
	}
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("pkcs11: URI library-version %q is not M or M.m", v)
	}
	return uint8(x), uint8(y), nil
}

// percentDecode decodes %XX escapes; every other byte stands for itself.
func percentDecode(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
			end := min(i+3, len(s))
			return "", fmt.Errorf("bad percent-escape %q", s[i:end])
		}
		b = append(b, byte(unhex(s[i+1])<<4|unhex(s[i+2])))
		i += 2
	}
	return string(b), nil
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return int(c - 'A' + 10)
	}
	return -1
}

// String returns the URI in RFC 7512 form: path attributes in a fixed order,
// values percent-encoded where RFC 7512's pk11-pchar (pk11-qchar in the
// query) does not allow the byte, id always fully percent-encoded.
func (u *URI) String() string {
	var b strings.Builder
	b.WriteString("pkcs11:")
	first := true
	add := func(name, value string) {
		if !first {
			b.WriteByte(';')
		}
		first = false
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(value)
	}
	text := u.textAttrs()
	for _, name := range pathAttrs {
		switch name {
		case "slot-id":
			if u.SlotID != nil {
				add(name, strconv.FormatUint(uint64(*u.SlotID), 10))
			}
		case "id":
			if u.ID != nil {
				var e strings.Builder
				for _, c := range u.ID {
					fmt.Fprintf(&e, "%%%02X", c)
				}
				add(name, e.String())
			}
		default:
			if v := *text[name]; v != "" {
				add(name, percentEncode(v, false))
			}
		}
	}
	sep := byte('?')
	for _, q := range [][2]string{{"module-name", u.ModuleName}, {"module-path", u.ModulePath}, {"pin-source", u.PINSource}} {
		if q[1] != "" {
			b.WriteByte(sep)
			sep = '&'
			b.WriteString(q[0] + "=" + percentEncode(q[1], true))
		}
	}
	return b.String()
}

// percentEncode escapes the bytes RFC 7512 does not allow literally in a
// path value (pk11-pchar: unreserved and ":[]@!$'()*+,=") or, with query
// set, in a query value (pk11-qchar adds "/?|"). "&" and ";" are always
// escaped.
func percentEncode(s string, query bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || strings.IndexByte(":[]@!$'()*+,=", c) >= 0 || query && strings.IndexByte("/?|", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"

	"github.com/podpis/podpis/tokend/authtoken"
	"gopkg.in/yaml.v3"
)

// DefaultAdminPath is where the admin policy file is looked for unless
// configured otherwise (tokend run --policy).
const DefaultAdminPath = "/etc/podpis/tokend-policy.yaml"

// maxAdminSize bounds the admin file. A policy lists origins; a megabyte
// holds tens of thousands of them.
const maxAdminSize = 1 << 20

// FirstUse says what happens to an origin that neither the admin file nor
// the person has decided.
type FirstUse string

const (
	// FirstUseAsk: the origin may ask the person once (the default).
	FirstUseAsk FirstUse = "ask"
	// FirstUseDeny: the origin is refused without asking.
	FirstUseDeny FirstUse = "deny"
)

// Admin is the admin policy file. The zero value is the defaults of a
// missing file except FirstUse, which Consent reads as FirstUseAsk when
// empty.
type Admin struct {
	// Path is the file read ("" for defaults made in code).
	Path string
	// Exists is false when the file was missing and the defaults apply.
	Exists   bool
	Allow    []string
	Deny     []string
	FirstUse FirstUse
}

// Allowed and Denied report whether origin is on the allow or deny list.
func (a *Admin) Allowed(origin string) bool { return slices.Contains(a.Allow, origin) }
func (a *Admin) Denied(origin string) bool  { return slices.Contains(a.Deny, origin) }

// firstUse is FirstUse with the default filled in.
func (a *Admin) firstUse() FirstUse {
	if a.FirstUse == "" {
		return FirstUseAsk
	}
	return a.FirstUse
}

// LoadAdmin reads the admin policy file at path. A missing file is not an
// error: it gives the defaults (Exists false). Any other problem is an
// error naming the file (and the line, for a malformed file).
func LoadAdmin(path string) (*Admin, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Admin{Path: path, FirstUse: FirstUseAsk}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("policy: admin policy file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxAdminSize+1))
	if err != nil {
		return nil, fmt.Errorf("policy: admin policy file %s: %w", path, err)
	}
	if len(data) > maxAdminSize {
		return nil, fmt.Errorf("policy: admin policy file %s is larger than %d bytes", path, maxAdminSize)
	}
	a, err := ParseAdmin(data, path)
	if err != nil {
		return nil, err
	}
	a.Exists = true
	return a, nil
}

// ParseAdmin parses an admin policy file's contents; name is used in errors
// ("file:line: …"). An empty document gives the defaults.
func ParseAdmin(data []byte, name string) (*Admin, error) {
	a := &Admin{Path: name, FirstUse: FirstUseAsk}
	errAt := func(line int, format string, args ...any) error {
		return fmt.Errorf("policy: %s:%d: %s", name, line, fmt.Sprintf(format, args...))
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return a, nil
		}
		// yaml.v3 says "yaml: line N: …"; keep its words after the file name.
		return nil, fmt.Errorf("policy: %s: %v", name, err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		line := more.Line
		if err != nil {
			return nil, fmt.Errorf("policy: %s: %v", name, err)
		}
		return nil, errAt(line, "a second YAML document; the policy is one document")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, errAt(doc.Line, "not a YAML document")
	}
	top := doc.Content[0]
	if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
		return a, nil // a file of comments only
	}
	if top.Kind != yaml.MappingNode {
		return nil, errAt(top.Line, "the policy must be a mapping with allow, deny and first_use")
	}
	seen := map[string]bool{}
	lines := map[string]int{} // origin → line, to name the second mention
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, errAt(k.Line, "a key must be a plain name")
		}
		if seen[k.Value] {
			return nil, errAt(k.Line, "%s given twice", k.Value)
		}
		seen[k.Value] = true
		switch k.Value {
		case "allow", "deny":
			list, err := origins(v, k.Value, errAt)
			if err != nil {
				return nil, err
			}
			for j, o := range list {
				line := v.Line
				if v.Kind == yaml.SequenceNode {
					line = v.Content[j].Line
				}
				if prev, dup := lines[o]; dup {
					return nil, errAt(line, "%s is listed twice (first on line %d); an origin is either allowed or denied", o, prev)
				}
				lines[o] = line
			}
			if k.Value == "allow" {
				a.Allow = list
			} else {
				a.Deny = list
			}
		case "first_use":
			if v.Kind != yaml.ScalarNode || v.Tag != "!!str" || (v.Value != string(FirstUseAsk) && v.Value != string(FirstUseDeny)) {
				return nil, errAt(v.Line, "first_use must be ask or deny")
			}
			a.FirstUse = FirstUse(v.Value)
		default:
			return nil, errAt(k.Line, "unknown field %q (the fields are allow, deny and first_use)", k.Value)
		}
	}
	return a, nil
}

// origins reads an allow or deny list: a sequence of origin strings (null
// or an empty sequence for none).
func origins(v *yaml.Node, field string, errAt func(int, string, ...any) error) ([]string, error) {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, errAt(v.Line, "%s must be a list of origins (- https://portal.example)", field)
	}
	out := make([]string, 0, len(v.Content))
	for _, e := range v.Content {
		if e.Kind != yaml.ScalarNode || e.Tag != "!!str" {
			return nil, errAt(e.Line, "%s: each entry must be an origin such as https://portal.example", field)
		}
		if err := CheckOrigin(e.Value); err != nil {
			return nil, errAt(e.Line, "%s: %v", field, err)
		}
		out = append(out, e.Value)
	}
	return out, nil
}

// CheckOrigin checks an origin this package may allow or deny: exactly the
// https origin a browser sends (authtoken.CheckOrigin). http origins, even
// http://localhost, are refused with a pointer to the development switch.
func CheckOrigin(origin string) error {
	if err := authtoken.CheckOrigin(origin, false); err != nil {
		if authtoken.IsLocalhost(origin) && authtoken.CheckOrigin(origin, true) == nil {
			return fmt.Errorf("%q: http origins are for development only and are given to `tokend run --origin` with --dev-localhost, not stored", origin)
		}
		return err
	}
	return nil
}

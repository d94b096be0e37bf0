package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/podpis/podpis/verify"
)

// The schemas of openapi.json are held to the JSON the server writes in
// three ways, so that neither can drift from the other:
//
//   - TestOpenAPISchemas: every object schema states additionalProperties
//     (false, but for the OpenAPI document itself), every $ref resolves, and
//     only the keywords schemaCheck understands are used;
//   - TestOpenAPIGoTypes: walking the Go types of the report (verify.Result
//     and all it holds) beside the schemas, every JSON field is a declared
//     property, the fields without omitempty are exactly the required ones,
//     a slice that may be nil is nullable, a $ref names the Go type, and the
//     enums of Code, SubIndication, Indication, the revocation status and
//     Kind are the constants of package verify;
//   - every JSON answer any test of this package receives (observe) and each
//     report of TestReportsMatchSchema is validated against the schema its
//     status documents: an undeclared field, a missing required field, a
//     wrong type, a value outside an enum or a time not in RFC 3339 fails.

// schemaCheck validates JSON values against the Schema Objects of an
// OpenAPI 3.0 document, for the keywords openapi.json uses.
type schemaCheck struct {
	schemas map[string]map[string]any
	// seen records "Schema.property" for every property met in a value.
	mu   sync.Mutex
	seen map[string]bool
}

// known are the schema keywords schemaCheck understands; any other is a
// problem, so that nothing in the document is silently not checked.
var known = map[string]bool{"$ref": true, "type": true, "nullable": true, "format": true, "enum": true, "properties": true,
	"required": true, "additionalProperties": true, "items": true, "description": true, "maxItems": true, "maxLength": true}

func newSchemaCheck(t testing.TB) *schemaCheck {
	t.Helper()
	c, err := parseSchemas(openapiJSON)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func parseSchemas(doc []byte) (*schemaCheck, error) {
	var d struct {
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	return &schemaCheck{schemas: d.Components.Schemas, seen: map[string]bool{}}, nil
}

// refName is the schema a $ref names, "" when s is no $ref.
func refName(s map[string]any) string {
	r, _ := s["$ref"].(string)
	name, _ := strings.CutPrefix(r, "#/components/schemas/")
	return name
}

// resolve follows s's $ref; name is the schema's name, or owner for an
// inline schema.
func (c *schemaCheck) resolve(s map[string]any, owner string) (map[string]any, string, error) {
	if r, ok := s["$ref"]; ok {
		name := refName(s)
		target, ok := c.schemas[name]
		if !ok || len(s) != 1 {
			return nil, "", fmt.Errorf("$ref %v: not a schema of components, or beside other keywords", r)
		}
		return target, name, nil
	}
	return s, owner, nil
}

// validateJSON decodes data and validates it against s.
func (c *schemaCheck) validateJSON(s map[string]any, data []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	var problems []string
	c.validate(s, "", v, "$", &problems)
	return problems
}

func (c *schemaCheck) validate(s map[string]any, owner string, v any, at string, problems *[]string) {
	bad := func(format string, a ...any) { *problems = append(*problems, at+": "+fmt.Sprintf(format, a...)) }
	s, owner, err := c.resolve(s, owner)
	if err != nil {
		bad("%v", err)
		return
	}
	for k := range s {
		if !known[k] && !strings.HasPrefix(k, "x-") {
			bad("the schema keyword %q is not checked here", k)
		}
	}
	if v == nil {
		if s["nullable"] != true {
			bad("null, not declared nullable")
		}
		return
	}
	if e, ok := s["enum"].([]any); ok && !slices.Contains(e, v) {
		bad("%v is not one of %v", v, e)
	}
	switch typ := s["type"]; typ {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			bad("%T, want an object", v)
			return
		}
		props, _ := s["properties"].(map[string]any)
		open, ok := s["additionalProperties"].(bool)
		if !ok {
			bad("the schema does not state additionalProperties as true or false")
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			p, ok := props[k].(map[string]any)
			if !ok {
				if !open {
					bad("field %q is not declared", k)
				}
				continue
			}
			c.mu.Lock()
			c.seen[owner+"."+k] = true
			c.mu.Unlock()
			c.validate(p, owner+"."+k, m[k], at+"."+k, problems)
		}
		req, _ := s["required"].([]any)
		for _, r := range req {
			if _, ok := m[r.(string)]; !ok {
				bad("required field %q is missing", r)
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			bad("%T, want an array", v)
			return
		}
		if n, ok := s["maxItems"].(float64); ok && len(a) > int(n) {
			bad("%d items, at most %v", len(a), n)
		}
		items, ok := s["items"].(map[string]any)
		if !ok {
			bad("an array schema without items")
			return
		}
		for i, x := range a {
			c.validate(items, owner, x, at+"["+strconv.Itoa(i)+"]", problems)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			bad("%T, want a string", v)
			return
		}
		if n, ok := s["maxLength"].(float64); ok && utf8.RuneCountInString(str) > int(n) {
			bad("longer than %v", n)
		}
		switch f := s["format"]; f {
		case nil, "binary":
		case "date-time":
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				bad("%q is not an RFC 3339 date-time", str)
			}
		default:
			bad("format %v is not checked here", f)
		}
	case "integer":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			bad("%v, want an integer", v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("%T, want a boolean", v)
		}
	default:
		bad("type %v is not checked here", typ)
	}
}

// responseSchema is the schema of a JSON answer of status to method path
// (the Error response for routes the document does not name: 404, 405).
func responseSchema(d *openapiDoc, method, path string, status int) (map[string]any, bool) {
	var r response
	if op, ok := d.Paths[path][strings.ToLower(method)]; ok {
		if r, ok = op.Responses[strconv.Itoa(status)]; !ok {
			return nil, false
		}
	} else {
		r = d.Components.Responses["Error"]
	}
	raw, ok := d.resolve(r).Content["application/json"]
	if !ok {
		return nil, false
	}
	var m struct {
		Schema map[string]any `json:"schema"`
	}
	if json.Unmarshal(raw, &m) != nil || m.Schema == nil {
		return nil, false
	}
	return m.Schema, true
}

var (
	answersOnce  sync.Once
	answersDoc   *openapiDoc
	answersCheck *schemaCheck
	// schemaProblems are the problems of the answers observe saw, once
	// each; TestMain reports them (checkObserved).
	schemaProblems = map[string]bool{}
)

// checkAnswer validates one JSON answer observe saw against the document.
func checkAnswer(method, path string, status int, ctype string, body []byte) {
	answersOnce.Do(func() {
		var d openapiDoc
		if json.Unmarshal(openapiJSON, &d) == nil {
			answersDoc = &d
		}
		answersCheck, _ = parseSchemas(openapiJSON)
	})
	key := method + " " + path + " " + strconv.Itoa(status)
	var problems []string
	switch {
	case answersDoc == nil || answersCheck == nil:
		problems = []string{"openapi.json cannot be read"}
	case ctype != "application/json":
		return // the content type is checked against the document elsewhere
	default:
		s, ok := responseSchema(answersDoc, method, path, status)
		if !ok {
			return // an undocumented status: reported by checkObserved
		}
		problems = answersCheck.validateJSON(s, body)
	}
	observedMu.Lock()
	defer observedMu.Unlock()
	for _, p := range problems {
		schemaProblems[key+": "+p] = true
	}
}

// TestOpenAPISchemas checks the schemas themselves.
func TestOpenAPISchemas(t *testing.T) {
	c := newSchemaCheck(t)
	d := loadDoc(t)
	var walk func(s map[string]any, at string)
	walk = func(s map[string]any, at string) {
		for k := range s {
			if !known[k] {
				t.Errorf("%s: keyword %q is not checked by schemaCheck", at, k)
			}
		}
		if _, ok := s["$ref"]; ok {
			if _, _, err := c.resolve(s, ""); err != nil {
				t.Errorf("%s: %v", at, err)
			}
			return
		}
		switch s["type"] {
		case "object":
			ap, ok := s["additionalProperties"].(bool)
			if !ok || ap && at != "get /v1/openapi.json 200" {
				t.Errorf("%s: additionalProperties %v, want false", at, s["additionalProperties"])
			}
			props, _ := s["properties"].(map[string]any)
			if !ap && len(props) == 0 {
				t.Errorf("%s: an object without properties", at)
			}
			req, _ := s["required"].([]any)
			for _, r := range req {
				if _, ok := props[r.(string)]; !ok {
					t.Errorf("%s: required %v is not a property", at, r)
				}
			}
			for k, p := range props {
				walk(p.(map[string]any), at+"."+k)
			}
		case "array":
			items, ok := s["items"].(map[string]any)
			if !ok {
				t.Errorf("%s: an array without items", at)
				return
			}
			walk(items, at+"[]")
		case "string", "integer", "boolean":
		default:
			t.Errorf("%s: type %v", at, s["type"])
		}
	}
	for name, s := range c.schemas {
		walk(s, name)
	}
	for path, ops := range d.Paths {
		for method, op := range ops {
			for st := range op.Responses {
				s, ok := responseSchema(d, method, path, atoi(st))
				if !ok {
					t.Errorf("%s %s %s: no JSON schema", method, path, st)
					continue
				}
				walk(s, method+" "+path+" "+st)
			}
		}
	}
	// The validator itself: a report with an undeclared field, without a
	// required one, with a wrong enum value or type fails.
	result := c.schemas["Result"]
	good := `{"kind":"cms","indication":"TOTAL-PASSED","code":"OK","validationTime":"2026-11-23T10:00:00Z","files":[{"kind":"cms","role":"signature"}]}`
	if p := c.validateJSON(result, []byte(good)); len(p) != 0 {
		t.Fatalf("a minimal Result fails: %v", p)
	}
	for bad, want := range map[string]string{
		strings.Replace(good, `"code":"OK"`, `"code":"OK","extra":1`, 1):                        `field "extra" is not declared`,
		strings.Replace(good, `"code":"OK",`, ``, 1):                                            `required field "code" is missing`,
		strings.Replace(good, `TOTAL-PASSED`, `PASSED`, 1):                                      `is not one of`,
		strings.Replace(good, `"2026-11-23T10:00:00Z"`, `"yesterday"`, 1):                       `not an RFC 3339 date-time`,
		strings.Replace(good, `"role":"signature"`, `"role":"signature","size":3`, 1):           `$.files[0]: field "size" is not declared`,
		strings.Replace(good, `"files":[`, `"mchd":{"indication":"TOTAL-PASSED"},"files":[`, 1): `$.mchd: required field "code" is missing`,
		strings.Replace(good, `"files":[{"kind":"cms","role":"signature"}]`, `"files":null`, 1): ``,
		strings.Replace(good, `"code":"OK"`, `"code":"OK","warnings":null`, 1):                  `$.warnings: null, not declared nullable`,
	} {
		p := strings.Join(c.validateJSON(result, []byte(bad)), "; ")
		if want == "" && p != "" || want != "" && !strings.Contains(p, want) {
			t.Errorf("%s: %q, want %q", bad, p, want)
		}
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// extraFields are the fields the MarshalJSON methods of package verify add
// to a type's own (the Russian forms, LocalizeDetail).
var extraFields = map[string][]string{
	"SignatureReport": {"detailRu"}, "Warning": {"detailRu"}, "QualifiedStatus": {"problemsRu"},
	"MCHDReport": {"detailRu"}, "MCHDStep": {"detailRu"}, "Result": {"detailRu"},
	"RevocationEvidence": {"errorRu"},
}

// schemaNames maps a Go type to its schema where the names differ.
var schemaNames = map[string]string{"mchd.Problem": "MCHDProblem", "serve.ErrorBody": "Error"}

var marshaler = reflect.TypeFor[json.Marshaler]()

// TestOpenAPIGoTypes walks the Go types of the answers beside their schemas.
func TestOpenAPIGoTypes(t *testing.T) {
	c := newSchemaCheck(t)
	seen := map[reflect.Type]bool{}
	var walk func(typ reflect.Type, s map[string]any, at string)
	walk = func(typ reflect.Type, s map[string]any, at string) {
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		if name := refName(s); name != "" && typ.Name() != "" && name != schemaName(typ) {
			t.Errorf("%s: $ref %s for Go type %s", at, name, typ)
		}
		s, _, err := c.resolve(s, "")
		if err != nil {
			t.Errorf("%s: %v", at, err)
			return
		}
		wantType := map[reflect.Kind]string{reflect.String: "string", reflect.Bool: "boolean", reflect.Int: "integer",
			reflect.Int64: "integer", reflect.Slice: "array", reflect.Struct: "object"}[typ.Kind()]
		if typ == reflect.TypeFor[time.Time]() {
			if s["type"] != "string" || s["format"] != "date-time" {
				t.Errorf("%s: a time as %v %v", at, s["type"], s["format"])
			}
			return
		}
		if wantType == "" || s["type"] != wantType {
			t.Errorf("%s: Go %s, schema type %v", at, typ, s["type"])
			return
		}
		switch typ.Kind() {
		case reflect.Slice:
			walk(typ.Elem(), s["items"].(map[string]any), at+"[]")
		case reflect.Struct:
			if seen[typ] {
				return
			}
			seen[typ] = true
			props, _ := s["properties"].(map[string]any)
			req, _ := s["required"].([]any)
			var goFields, required []string
			for _, f := range jsonFields(typ) {
				goFields = append(goFields, f.name)
				if !f.omit {
					required = append(required, f.name)
					if k := f.typ.Kind(); (k == reflect.Slice || k == reflect.Pointer || k == reflect.Map) && props[f.name] != nil {
						if p, _, _ := c.resolve(props[f.name].(map[string]any), ""); p["nullable"] != true {
							t.Errorf("%s.%s: Go writes null for a nil %s; the schema is not nullable", at, f.name, f.typ)
						}
					}
				}
				if p, ok := props[f.name].(map[string]any); ok {
					walk(f.typ, p, at+"."+f.name)
				}
			}
			extra := extraFields[typ.Name()]
			if hasMarshal := typ.Implements(marshaler) || reflect.PointerTo(typ).Implements(marshaler); hasMarshal != (extra != nil) {
				t.Errorf("%s: %s has MarshalJSON %v, extraFields names %v: say here what it adds", at, typ, hasMarshal, extra)
			}
			if a, b := slices.Sorted(slices.Values(append(goFields, extra...))), slices.Sorted(maps.Keys(props)); !slices.Equal(a, b) {
				t.Errorf("%s: Go %s writes %v, the schema declares %v", at, typ, a, b)
			}
			var r []string
			for _, x := range req {
				r = append(r, x.(string))
			}
			if a, b := slices.Sorted(slices.Values(required)), slices.Sorted(slices.Values(r)); !slices.Equal(a, b) {
				t.Errorf("%s: Go %s always writes %v, the schema requires %v", at, typ, a, b)
			}
		}
	}
	walk(reflect.TypeFor[verify.Result](), map[string]any{"$ref": "#/components/schemas/Result"}, "Result")
	walk(reflect.TypeFor[ErrorBody](), map[string]any{"$ref": "#/components/schemas/Error"}, "Error")

	// The enums are the constants of package verify.
	consts := goConstants(t, "../../verify")
	consts["mchd.Severity"] = goConstants(t, "../../mchd")["Severity"]
	enum := func(s map[string]any) []string {
		var out []string
		for _, v := range s["enum"].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	prop := func(schema, p string) map[string]any {
		return c.schemas[schema]["properties"].(map[string]any)[p].(map[string]any)
	}
	for _, e := range []struct {
		goType string
		values []string
	}{
		{"Code", enum(c.schemas["Code"])},
		{"SubIndication", enum(c.schemas["SubIndication"])},
		{"Indication", enum(c.schemas["Indication"])},
		{"RevocationStatus", enum(prop("SignatureReport", "revocation"))},
		{"Kind", append(enum(prop("Role", "kind")), enum(prop("Result", "kind"))...)},
		{"mchd.Severity", enum(prop("MCHDProblem", "severity"))},
	} {
		a, b := slices.Compact(slices.Sorted(slices.Values(e.values))), slices.Sorted(slices.Values(consts[e.goType]))
		if !slices.Equal(a, b) {
			t.Errorf("enum of %s: documented %v, package verify has %v", e.goType, a, b)
		}
	}
}

// schemaName is the schema a Go type is documented by.
func schemaName(t reflect.Type) string {
	full := t.String()
	if n, ok := schemaNames[full]; ok {
		return n
	}
	return t.Name()
}

type jsonField struct {
	name string
	omit bool
	typ  reflect.Type
}

// jsonFields are the fields encoding/json writes for struct t, embedded
// structs' fields inlined.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		omit := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")
		out = append(out, jsonField{name, omit, f.Type})
	}
	return out
}

// goConstants parses the package in dir: the string constants by type name.
func goConstants(t *testing.T, dir string) map[string][]string {
	t.Helper()
	fset := token.NewFileSet()
	out := map[string][]string{}
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				id, ok := vs.Type.(*ast.Ident)
				if !ok {
					continue
				}
				for _, v := range vs.Values {
					if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						out[id.Name] = append(out[id.Name], s)
					}
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no typed string constants found in %s", dir)
	}
	return out
}

// unseen lists the declared properties no validated value carried.
func (c *schemaCheck) unseen() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for name, s := range c.schemas {
		props, _ := s["properties"].(map[string]any)
		for p := range props {
			if !c.seen[name+"."+p] {
				out = append(out, name+"."+p)
			}
		}
	}
	sort.Strings(out)
	return out
}

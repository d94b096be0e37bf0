package mchd

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// specDir holds the XSD and the two real samples (FORMAT.md §1, §12). They
// are read in place and never copied into the repository.
const specDir = "../../shared/spec/mchd"

var xsdPath = filepath.Join(specDir, "ON_EMCHD_1_928_00_01_01_01.xsd")

// missing fails the test in CI (env CI set) and skips it elsewhere.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// samples returns the real sample files by name.
func samples(t testing.TB) map[string][]byte {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(specDir, "samples", "ON_EMCHD_*.xml"))
	if len(names) == 0 {
		missing(t, "real MCHD samples not found under %s/samples", specDir)
	}
	out := make(map[string][]byte)
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(n)] = b
	}
	return out
}

// xmllint validates data against the official XSD with libxml2's xmllint.
func xmllint(t testing.TB, data []byte) {
	t.Helper()
	if err := xmllintErr(t, data); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
}

// xmllintErr runs xmllint on data and returns its complaint, if any.
func xmllintErr(t testing.TB, data []byte) error {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		missing(t, "xmllint not installed (Debian package libxml2-utils)")
	}
	if _, err := os.Stat(xsdPath); err != nil {
		missing(t, "XSD not found: %v", err)
	}
	f := filepath.Join(t.TempDir(), "doc.xml")
	if err := os.WriteFile(f, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--noout", "--schema", xsdPath, f).CombinedOutput()
	if err != nil {
		return fmt.Errorf("xmllint rejects the document: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("validates")) {
		return fmt.Errorf("xmllint said neither yes nor no: %s", out)
	}
	return nil
}

// canon returns the element tree of an XML document as lines: start tags
// with their attributes sorted (namespace declarations left out, since
// they do not change the infoset of these files), non-blank text, end tags.
func canon(t testing.TB, data []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var out []string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("canon: %v", err)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			var attrs []string
			for _, a := range v.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				attrs = append(attrs, fmt.Sprintf("%s{%s}=%q", a.Name.Local, a.Name.Space, a.Value))
			}
			sort.Strings(attrs)
			out = append(out, fmt.Sprintf("<{%s}%s %s>", v.Name.Space, v.Name.Local, strings.Join(attrs, " ")))
		case xml.EndElement:
			out = append(out, "</"+v.Name.Local+">")
		case xml.CharData:
			if s := strings.TrimSpace(string(v)); s != "" {
				out = append(out, "text "+s)
			}
		}
	}
}

// sameXML fails unless a and b have the same canonical element tree.
func sameXML(t testing.TB, a, b []byte) {
	t.Helper()
	ca, cb := canon(t, a), canon(t, b)
	for i := 0; i < len(ca) || i < len(cb); i++ {
		var x, y string
		if i < len(ca) {
			x = ca[i]
		}
		if i < len(cb) {
			y = cb[i]
		}
		if x != y {
			t.Fatalf("XML differs at event %d:\n  %s\n  %s", i, x, y)
		}
	}
}

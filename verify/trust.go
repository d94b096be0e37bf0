package verify

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/podpis/podpis/pki"
)

// TrustAnchor is a certificate a TrustStore trusts, with where it came from
// and, for a CA from the ministry's list of accredited CAs, what the list
// says of it.
type TrustAnchor struct {
	// Subject names the certificate's holder; SHA1 is its thumbprint (hex,
	// as the list and Windows print it).
	Subject string `json:"subject"`
	SHA1    string `json:"sha1"`
	// Source is the file the anchor was read from.
	Source string `json:"source"`
	// Qualified reports that the anchor belongs to a CA whose accreditation
	// is in force in the list of accredited CAs (status «Действует»): the
	// certificates it issues are qualified (63-FZ art. 16). Always false for
	// anchors from PEM files, which say nothing of accreditation.
	Qualified bool `json:"qualified"`
	// CA, RegistryNumber and Status are the list's name of the CA, its
	// number in the register and its accreditation status, when the anchor
	// came from the list.
	CA             string `json:"ca,omitempty"`
	RegistryNumber string `json:"registryNumber,omitempty"`
	Status         string `json:"status,omitempty"`

	cert *pki.Certificate
}

// Certificate returns the anchor's certificate.
func (a *TrustAnchor) Certificate() *pki.Certificate { return a.cert }

// TrustStore is a set of trust anchors read from PEM or DER files,
// directories of them, and the ministry's XML list of accredited CAs. The
// zero value is not usable; make one with NewTrustStore. Adding is not safe
// concurrently with use; using it from many goroutines is.
type TrustStore struct {
	pool    *pki.CertPool
	anchors map[string]*TrustAnchor // by DER
}

// NewTrustStore returns an empty store.
func NewTrustStore() *TrustStore {
	return &TrustStore{pool: pki.NewCertPool(), anchors: map[string]*TrustAnchor{}}
}

// Len returns the number of anchors.
func (s *TrustStore) Len() int {
	if s == nil {
		return 0
	}
	return s.pool.Len()
}

// Pool returns the anchors as a pool for path building.
func (s *TrustStore) Pool() *pki.CertPool { return s.pool }

// Anchor returns the entry for c, or nil when c is not an anchor.
func (s *TrustStore) Anchor(c *pki.Certificate) *TrustAnchor {
	if s == nil || c == nil {
		return nil
	}
	return s.anchors[string(c.Raw)]
}

// Anchors returns every anchor, in the order added.
func (s *TrustStore) Anchors() []*TrustAnchor {
	var out []*TrustAnchor
	for _, c := range s.pool.Certificates() {
		out = append(out, s.anchors[string(c.Raw)])
	}
	return out
}

// add adds c; an anchor already there keeps what the list said of it unless
// a may replace it (a list entry is worth more than a bare file).
func (s *TrustStore) add(c *pki.Certificate, a TrustAnchor) {
	sum := sha1.Sum(c.Raw)
	a.Subject, a.SHA1, a.cert = shortName(c.SubjectName), strings.ToUpper(hex.EncodeToString(sum[:])), c
	if old := s.anchors[string(c.Raw)]; old != nil && (old.CA != "" || a.CA == "") {
		return
	}
	s.pool.AddCert(c)
	s.anchors[string(c.Raw)] = &a
}

// AddCertificates adds every certificate of data (PEM with any number of
// CERTIFICATE blocks, or one DER certificate), naming source as their origin.
func (s *TrustStore) AddCertificates(data []byte, source string) error {
	cs, err := pki.ParseCertificates(data)
	if err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	if len(cs) == 0 {
		return fmt.Errorf("%s: no certificate found", source)
	}
	for _, c := range cs {
		s.add(c, TrustAnchor{Source: source})
	}
	return nil
}

// trustFileExts are the file names a directory is read for.
var trustFileExts = []string{".pem", ".crt", ".cer", ".der", ".xml"}

// maxTrustFile bounds one trust file: the ministry's list is some 10 MB.
const maxTrustFile = 256 << 20

// Load adds what path holds: a certificate file (PEM or DER), the ministry's
// list of accredited CAs (XML, sniffed by its root element), or a directory,
// whose files with the extensions .pem, .crt, .cer, .der and .xml are read,
// subdirectories included, in lexical order.
func (s *TrustStore) Load(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return s.loadFile(path)
	}
	n := 0
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !hasExt(p, trustFileExts) {
			return nil
		}
		n++
		return s.loadFile(p)
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: no certificate files (%s) in the directory", path, strings.Join(trustFileExts, ", "))
	}
	return nil
}

func hasExt(p string, exts []string) bool {
	e := strings.ToLower(filepath.Ext(p))
	for _, x := range exts {
		if e == x {
			return true
		}
	}
	return false
}

func (s *TrustStore) loadFile(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Size() > maxTrustFile {
		return fmt.Errorf("%s: %d bytes, more than a trust file may have", path, fi.Size())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if looksLikeXML(data) {
		return s.AddTSL(data, path)
	}
	return s.AddCertificates(data, path)
}

func looksLikeXML(data []byte) bool {
	d := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	d = bytes.TrimLeft(d, " \t\r\n")
	return bytes.HasPrefix(d, []byte("<"))
}

// LoadTrustStore makes a store from files and directories (see Load).
func LoadTrustStore(paths ...string) (*TrustStore, error) {
	s := NewTrustStore()
	for _, p := range paths {
		if err := s.Load(p); err != nil {
			return nil, err
		}
	}
	if s.Len() == 0 {
		return nil, errors.New("the trust store is empty")
	}
	return s, nil
}

// QualifiedStatus says whether a signature is a qualified electronic
// signature (КЭП, 63-FZ art. 5 part 4): its path ends at a CA that the
// ministry's list names as accredited (status «Действует»), and the signer's
// certificate carries the content of a qualified certificate (FACTS §6.2):
// subjectSignTool (a UTF8String of 1 to 200 characters), issuerSignTool
// (four UTF8Strings, none empty), and certificate policies naming the class
// of the holder's crypto tool, only the classes КС1…КА1
// (1.2.643.100.113.1–6); and the private key usage period, when the
// certificate has one, covers the signing time (RFC 5280 §4.2.1.4). What the
// certificate says of its tools is in the signature's CertInfo.
type QualifiedStatus struct {
	Qualified bool `json:"qualified"`
	// Problems name what is missing (English), empty when Qualified.
	Problems []string `json:"problems,omitempty"`
}

// qualifiedStatus assesses cert, whose path ended at anchor (nil when the
// anchor is not in the trust store), for a signature made at signed.
func qualifiedStatus(cert *pki.Certificate, anchor *TrustAnchor, signed time.Time) *QualifiedStatus {
	q := &QualifiedStatus{}
	switch {
	case anchor == nil || anchor.CA == "":
		q.Problems = append(q.Problems, "the trust anchor is not from the list of accredited CAs")
	case !anchor.Qualified:
		q.Problems = append(q.Problems, fmt.Sprintf("the CA's accreditation is not in force (%s)", anchor.Status))
	}
	q.Problems = append(q.Problems, signToolProblems(cert)...)
	if p := cert.PrivateKeyUsagePeriod; p != nil && !p.Contains(signed) {
		q.Problems = append(q.Problems, fmt.Sprintf("the signing time %s is outside the private key usage period", signed.UTC().Format(time.RFC3339)))
	}
	q.Qualified = len(q.Problems) == 0
	return q
}

// maxSignTool is the upper bound of subjectSignTool and of the tool names of
// issuerSignTool (UTF8String SIZE(1..200)), and maxToolCert of the
// conformity certificate numbers (SIZE(1..100)) (FACTS §6.2).
const (
	maxSignTool = 200
	maxToolCert = 100
)

// signToolProblems checks the qualified-certificate extensions that name the
// crypto tools and their class (FACTS §6.2).
func signToolProblems(cert *pki.Certificate) []string {
	var out []string
	switch n := utf8.RuneCountInString(strings.TrimSpace(cert.SubjectSignTool)); {
	case n == 0:
		out = append(out, "the certificate lacks subjectSignTool (1.2.643.100.111)")
	case n > maxSignTool:
		out = append(out, fmt.Sprintf("the certificate's subjectSignTool (1.2.643.100.111) has %d characters, more than %d", n, maxSignTool))
	}
	if t := cert.IssuerSignTool; t == nil {
		out = append(out, "the certificate lacks issuerSignTool (1.2.643.100.112)")
	} else {
		for _, f := range []struct {
			name, v string
			max     int
		}{{"signTool", t.SignTool, maxSignTool}, {"cATool", t.CATool, maxSignTool},
			{"signToolCert", t.SignToolCert, maxToolCert}, {"cAToolCert", t.CAToolCert, maxToolCert}} {
			switch n := utf8.RuneCountInString(strings.TrimSpace(f.v)); {
			case n == 0:
				out = append(out, fmt.Sprintf("the certificate's issuerSignTool (1.2.643.100.112) has an empty %s", f.name))
			case n > f.max:
				out = append(out, fmt.Sprintf("the certificate's issuerSignTool (1.2.643.100.112) has a %s of %d characters, more than %d", f.name, n, f.max))
			}
		}
	}
	known := 0
	for _, k := range cert.SignToolClasses {
		if k >= pki.KC1 && k <= pki.KA1 {
			known++
			continue
		}
		out = append(out, fmt.Sprintf("the certificate names an unknown sign-tool class policy %s", k.OID()))
	}
	if known == 0 {
		out = append(out, "the certificate names no sign-tool class (1.2.643.100.113.x)")
	}
	return out
}

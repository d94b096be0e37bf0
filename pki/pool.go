package pki

import (
	"bytes"
	"crypto/x509/pkix"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CertPool is a set of certificates indexed by subject name and by subject
// key identifier, for Verify to find issuers in. The zero value is not
// usable; make one with NewCertPool. A pool is not safe for concurrent
// modification; reading it from several goroutines is fine.
type CertPool struct {
	certs     []*Certificate
	bySubject map[string][]int
	byKeyID   map[string][]int
	byRaw     map[string]int
}

// NewCertPool returns an empty pool.
func NewCertPool() *CertPool {
	return &CertPool{bySubject: map[string][]int{}, byKeyID: map[string][]int{}, byRaw: map[string]int{}}
}

// AddCert adds c to the pool; adding a certificate already there does nothing.
func (p *CertPool) AddCert(c *Certificate) {
	if c == nil || c.Certificate == nil {
		return
	}
	if _, ok := p.byRaw[string(c.Raw)]; ok {
		return
	}
	i := len(p.certs)
	p.certs = append(p.certs, c)
	p.byRaw[string(c.Raw)] = i
	k := nameKey(c.Subject)
	p.bySubject[k] = append(p.bySubject[k], i)
	if len(c.SubjectKeyId) > 0 {
		p.byKeyID[string(c.SubjectKeyId)] = append(p.byKeyID[string(c.SubjectKeyId)], i)
	}
}

// AddCerts parses data as ParseCertificates does and adds every certificate.
func (p *CertPool) AddCerts(data []byte) error {
	cs, err := ParseCertificates(data)
	if err != nil {
		return err
	}
	for _, c := range cs {
		p.AddCert(c)
	}
	return nil
}

// Len returns the number of certificates in the pool.
func (p *CertPool) Len() int {
	if p == nil {
		return 0
	}
	return len(p.certs)
}

// Certificates returns the certificates in the order they were added.
func (p *CertPool) Certificates() []*Certificate {
	if p == nil {
		return nil
	}
	return append([]*Certificate(nil), p.certs...)
}

// Contains reports whether c, byte for byte, is in the pool.
func (p *CertPool) Contains(c *Certificate) bool {
	if p == nil || c == nil || c.Certificate == nil {
		return false
	}
	_, ok := p.byRaw[string(c.Raw)]
	return ok
}

// issuerCandidates returns the certificates whose subject is c's issuer, the
// likeliest first: those whose subject key identifier equals c's authority
// key identifier, then those without one, then those with a different one
// (crypto/x509 orders them the same way; a CA that renewed its key keeps its
// name, and the key identifiers tell the certificates apart). keyIDMismatch
// marks the last group, whose failures are not worth reporting.
func (p *CertPool) issuerCandidates(c *Certificate) (cands []*Certificate, keyIDMismatch []bool) {
	if p == nil {
		return nil, nil
	}
	var match, none, other []*Certificate
	for _, i := range p.bySubject[nameKey(c.Issuer)] {
		cand := p.certs[i]
		switch {
		case len(c.AuthorityKeyId) == 0 || len(cand.SubjectKeyId) == 0:
			none = append(none, cand)
		case bytes.Equal(c.AuthorityKeyId, cand.SubjectKeyId):
			match = append(match, cand)
		default:
			other = append(other, cand)
		}
	}
	cands = append(append(append(cands, match...), none...), other...)
	keyIDMismatch = make([]bool, len(cands))
	for i := len(match) + len(none); i < len(cands); i++ {
		keyIDMismatch[i] = true
	}
	return cands, keyIDMismatch
}

// nameKey is a comparison form of a distinguished name: attribute types and
// values in order, values with case folded and inner white space collapsed,
// in the spirit of RFC 5280 §7.1 (which asks for RFC 4518 preparation).
// Names that differ only in string type (PrintableString against
// UTF8String) or in case therefore chain, as they do in OpenSSL.
func nameKey(n pkix.Name) string {
	var b strings.Builder
	var v []byte
	for _, atv := range n.Names {
		v = v[:0]
		if s, ok := atv.Value.(string); ok {
			v = appendFolded(v, s)
		} else {
			v = fmt.Appendf(v, "%T:%#v", atv.Value, atv.Value) // never equal to a string value
		}
		b.WriteString(atv.Type.String())
		b.WriteByte('=')
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.Write(v)
		b.WriteByte(';')
	}
	return b.String()
}

// appendFolded appends s in lower case with leading and trailing white
// space removed and every inner run of it made one space.
func appendFolded(dst []byte, s string) []byte {
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && len(dst) > 0 {
			dst = append(dst, ' ')
		}
		space = false
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}

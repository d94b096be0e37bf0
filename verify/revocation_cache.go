package verify

import (
	"sync"
	"time"

	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/ocsp"
)

// RevocationCache keeps fetched CRLs and OCSP answers until their
// nextUpdate (an answer without one is not kept), and an index of every CRL
// it has looked a certificate up in, so that a CRL of any size answers in
// constant time per certificate after one pass. It is safe for concurrent
// use; make one with NewRevocationCache and share it across calls (a bulk
// verification, a server).
type RevocationCache struct {
	// Now is the clock that decides what is current; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	crls    map[string]*crlEntry // by URL and issuer key
	answers map[string]*ocspEntry
	indexes map[*pki.RevocationList]map[string]int
}

type crlEntry struct {
	crl *pki.RevocationList
}

type ocspEntry struct {
	single     ocsp.SingleResponse
	producedAt time.Time
	signer     string
}

// NewRevocationCache returns an empty cache.
func NewRevocationCache() *RevocationCache {
	return &RevocationCache{crls: map[string]*crlEntry{}, answers: map[string]*ocspEntry{}, indexes: map[*pki.RevocationList]map[string]int{}}
}

func (c *RevocationCache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// maxIndexes bounds the CRL indexes kept for CRLs given by callers (fetched
// ones are dropped with their entries).
const maxIndexes = 256

func crlKey(u string, issuer *pki.Certificate) string {
	return u + "\x00" + string(issuer.RawSubjectPublicKeyInfo)
}

// crl returns the CRL fetched from u for issuer while it is current.
func (c *RevocationCache) crl(u string, issuer *pki.Certificate, now time.Time) (*pki.RevocationList, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.crls[crlKey(u, issuer)]
	if e == nil {
		return nil, false
	}
	if e.crl.NextUpdate.Before(now) {
		delete(c.crls, crlKey(u, issuer))
		delete(c.indexes, e.crl)
		return nil, false
	}
	return e.crl, true
}

func (c *RevocationCache) putCRL(u string, issuer *pki.Certificate, crl *pki.RevocationList) {
	if crl.NextUpdate.IsZero() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.crls[crlKey(u, issuer)]; old != nil {
		delete(c.indexes, old.crl)
	}
	c.crls[crlKey(u, issuer)] = &crlEntry{crl: crl}
}

func ocspKey(u string, id ocsp.CertID) string {
	return u + "\x00" + string(id.IssuerNameHash) + string(id.IssuerKeyHash) + id.SerialNumber.String()
}

// ocsp returns the answer from u for id while it is current.
func (c *RevocationCache) ocsp(u string, id ocsp.CertID, now time.Time) (*ocspEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.answers[ocspKey(u, id)]
	if e == nil {
		return nil, false
	}
	if e.single.NextUpdate.Before(now) {
		delete(c.answers, ocspKey(u, id))
		return nil, false
	}
	return e, true
}

func (c *RevocationCache) putOCSP(u string, id ocsp.CertID, e *ocspEntry) {
	if e.single.NextUpdate.IsZero() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.answers[ocspKey(u, id)] = e
}

// lookup finds cert in crl through an index by serial number, built on the
// first lookup.
func (c *RevocationCache) lookup(crl *pki.RevocationList, cert *pki.Certificate) answer {
	c.mu.Lock()
	idx := c.indexes[crl]
	c.mu.Unlock()
	if idx == nil {
		idx = make(map[string]int, len(crl.RevokedCertificateEntries))
		for i, rc := range crl.RevokedCertificateEntries {
			if rc.SerialNumber == nil {
				continue
			}
			k := string(rc.SerialNumber.Bytes()) + negMark(rc.SerialNumber.Sign())
			if _, dup := idx[k]; !dup {
				idx[k] = i
			}
		}
		c.mu.Lock()
		if len(c.indexes) >= maxIndexes {
			clear(c.indexes)
		}
		c.indexes[crl] = idx
		c.mu.Unlock()
	}
	i, ok := idx[string(cert.SerialNumber.Bytes())+negMark(cert.SerialNumber.Sign())]
	if !ok {
		return answer{status: ocsp.Good}
	}
	rc := crl.RevokedCertificateEntries[i]
	return answer{status: ocsp.Revoked, revokedAt: rc.RevocationTime, reason: rc.ReasonCode}
}

func negMark(n int) string {
	if n < 0 {
		return "-"
	}
	return ""
}

package verify

import (
	"time"

	"github.com/podpis/podpis/pki"
)

// Options are the inputs of a verification besides the signed object. The
// zero value trusts nothing, so every chain ends INDETERMINATE
// (NO_CERTIFICATE_CHAIN_FOUND), and checks no revocation.
type Options struct {
	// Roots are the trust anchors.
	Roots *pki.CertPool
	// Trust is a trust store (PEM files and directories, the ministry's
	// list of accredited CAs): its anchors are trusted beside Roots, and a
	// path that ends at one of them records the anchor, and whether the CA
	// is accredited, in SignatureReport.TrustAnchor.
	Trust *TrustStore
	// Intermediates may be used to reach a root, beside the certificates the
	// signature carries.
	Intermediates *pki.CertPool
	// CRLs are revocation lists to consult. With none, and Online unset,
	// only the revocation data a signature carries (CAdES-X-L
	// revocationValues, the SignedData's crls; used when issued after the
	// proven signing time) are consulted; a certificate they do not cover
	// is not checked, and the signature carries a REVOCATION_NOT_CHECKED
	// warning.
	CRLs []*pki.RevocationList
	// Online fetches revocation data for every certificate of the path that
	// CRLs do not cover: an OCSP response from the responder its
	// authorityInfoAccess names (RFC 6960), else a CRL from its
	// distribution points (RFC 5280 §4.2.1.13). What cannot be fetched
	// leaves the signature INDETERMINATE (REVOCATION_UNAVAILABLE), never
	// valid.
	Online bool
	// Fetcher fetches CRLs and OCSP responses when Online is set; nil means
	// an HTTPFetcher with its defaults.
	Fetcher Fetcher
	// Cache keeps fetched CRLs and OCSP responses until their nextUpdate,
	// across calls (one cache may serve many goroutines); nil means a cache
	// for this call only.
	Cache *RevocationCache
	// At is the validation time; zero means now.
	At time.Time
	// Certificates are more candidates for signers' certificates, for
	// signatures that carry none.
	Certificates []*pki.Certificate
}

// roots returns Roots and the trust store's anchors together.
func (o *Options) roots() *pki.CertPool {
	if o.Trust == nil || o.Trust.Len() == 0 || o.Roots == o.Trust.Pool() {
		return o.Roots
	}
	if o.Roots.Len() == 0 {
		return o.Trust.Pool()
	}
	p := pki.NewCertPool()
	for _, c := range o.Roots.Certificates() {
		p.AddCert(c)
	}
	for _, c := range o.Trust.Pool().Certificates() {
		p.AddCert(c)
	}
	return p
}

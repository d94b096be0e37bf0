package verify

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/ocsp"
)

// RevocationEvidence is one CRL or OCSP response consulted for a certificate
// of the path: what it said and where it came from, or why it could not be
// used (Error).
type RevocationEvidence struct {
	// Certificate is the holder of the certificate checked; Serial its
	// serial number (hex).
	Certificate string `json:"certificate"`
	Serial      string `json:"serial"`
	// Source is "crl" or "ocsp".
	Source string `json:"source"`
	// URL is where it was fetched; empty for a CRL given by the caller.
	URL string `json:"url,omitempty"`
	// Status is "good", "revoked" or "unknown"; empty when Error is set.
	Status string `json:"status,omitempty"`
	// RevokedAt and Reason (a CRLReason code, RFC 5280 §5.3.1; -1 none)
	// are set for "revoked".
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
	Reason    int        `json:"reason,omitempty"`
	// Signer is who signed the CRL or the OCSP response.
	Signer string `json:"signer,omitempty"`
	// CRLNumber is the CRL's number (decimal).
	CRLNumber string `json:"crlNumber,omitempty"`
	// ThisUpdate, NextUpdate: of the CRL or of the OCSP single response;
	// ProducedAt: when the OCSP response was signed.
	ThisUpdate *time.Time `json:"thisUpdate,omitempty"`
	NextUpdate *time.Time `json:"nextUpdate,omitempty"`
	ProducedAt *time.Time `json:"producedAt,omitempty"`
	// Cached reports that it came from the cache, not the network.
	Cached bool `json:"cached,omitempty"`
	// Embedded reports that the signature carried it (CAdES-X-L
	// revocationValues, or the SignedData's crls field).
	Embedded bool `json:"embedded,omitempty"`
	// Error says why this source gave no answer.
	Error string `json:"error,omitempty"`
}

// clockSkew is the tolerance on thisUpdate in the future and nextUpdate in
// the past of fetched data (RFC 6960 §4.2.2.1 leaves it to local policy).
const clockSkew = 5 * time.Minute

// answer is what one source says of one certificate.
type answer struct {
	status    ocsp.Status // Good or Revoked
	revokedAt time.Time
	reason    int
}

// revChecker checks the revocation of the certificates of paths, for one
// verification call.
type revChecker struct {
	ctx     context.Context
	opts    *Options
	cache   *RevocationCache
	fetcher Fetcher
	// sd is the SignedData whose signers are checked, for its crls field;
	// nil when the caller did not set it.
	sd *cms.SignedData
}

func newRevChecker(ctx context.Context, opts *Options) *revChecker {
	c := &revChecker{ctx: ctx, opts: opts, cache: opts.Cache, fetcher: opts.Fetcher}
	if c.cache == nil {
		c.cache = NewRevocationCache()
	}
	if c.fetcher == nil {
		c.fetcher = &HTTPFetcher{}
	}
	return c
}

// check looks every certificate of chain but the root up (RFC 5280 §6.3,
// simplified to complete CRLs from the certificate's issuer; RFC 6960 for
// OCSP): first in the CRLs given, then, with Online, at the OCSP responder
// and the CRL distribution points the certificate names. A CRL given counts
// when its issuer signed it and it was issued by the validation time at; a
// fetched one when its issuer signed it and it is current; an OCSP answer
// when the CA or its delegated responder signed it and it is current. A certificate revoked at a time not
// after signed — the proven signing time, or at — is revoked (a later list
// cannot un-revoke it, RFC 5280 §3.3; certificateHold counts as revoked).
// Revoked after the proven signing time, the signature stands with a
// REVOKED_AFTER_SIGNING warning.
//
// The revocation data the signature carries (emb) are consulted after the
// CRLs given and before the network, when fresh (see
// embeddedRevocation.status). When the caller gave no CRLs and no Online,
// a certificate they do not cover leaves the signature as it would be
// without any data: a REVOCATION_NOT_CHECKED warning, not INDETERMINATE.
func (c *revChecker) check(s *SignatureReport, chain []*pki.Certificate, at, signed time.Time, emb *embeddedRevocation) {
	onlyEmbedded := len(c.opts.CRLs) == 0 && !c.opts.Online
	if onlyEmbedded && emb.empty() {
		s.Warnings = append(s.Warnings, Warning{CodeRevocationNotChecked,
			"no revocation lists were given; revocation was not checked"})
		return
	}
	var uncovered []string
	for i := 0; i+1 < len(chain); i++ {
		cert, issuer := chain[i], chain[i+1]
		ans, ok := c.status(s, cert, issuer, at, signed, emb)
		if !ok && onlyEmbedded {
			uncovered = append(uncovered, shortName(cert.SubjectName))
			continue
		}
		if !ok {
			s.Indication, s.SubIndication, s.Revocation = Indeterminate, TryLater, RevocationUnknown
			if c.opts.Online {
				s.Code = CodeRevocationUnavailable
				s.Detail = fmt.Sprintf("the revocation status of %q could not be established: no CRL or OCSP answer could be had (see revocationEvidence)",
					shortName(cert.SubjectName))
			} else {
				s.Code = CodeRevocationUnknown
				s.Detail = fmt.Sprintf("no revocation list from %q issued by %s covers %q",
					shortName(issuer.SubjectName), at.UTC().Format(time.RFC3339), shortName(cert.SubjectName))
			}
			return
		}
		if ans.status != ocsp.Revoked {
			continue
		}
		when := ans.revokedAt.UTC().Format(time.RFC3339)
		if ans.revokedAt.After(signed) {
			if signed.Before(at) && !ans.revokedAt.After(at) {
				s.Warnings = append(s.Warnings, Warning{CodeRevokedAfterSigning, fmt.Sprintf(
					"certificate %q was revoked on %s, after the proven signing time %s", shortName(cert.SubjectName), when, signed.UTC().Format(time.RFC3339))})
			}
			continue
		}
		s.Revocation = RevocationRevoked
		if i == 0 {
			s.Indication, s.SubIndication, s.Code = TotalFailed, Revoked, CodeCertRevoked
			s.Detail = fmt.Sprintf("the signer's certificate was revoked on %s", when)
		} else {
			s.Indication, s.SubIndication, s.Code = Indeterminate, RevokedCANoPOE, CodeCARevoked
			s.Detail = fmt.Sprintf("CA certificate %q was revoked on %s", shortName(cert.SubjectName), when)
		}
		return
	}
	if len(uncovered) > 0 {
		s.Warnings = append(s.Warnings, Warning{CodeRevocationNotChecked, fmt.Sprintf(
			"the revocation data the signature carries do not cover %q, and no others were given; its revocation was not checked", strings.Join(uncovered, ", "))})
		return
	}
	s.Revocation = NotRevoked
}

// status finds cert's status from the first source that gives one,
// recording the evidence.
func (c *revChecker) status(s *SignatureReport, cert, issuer *pki.Certificate, at, signed time.Time, emb *embeddedRevocation) (answer, bool) {
	// Every given CRL that covers the certificate counts: an entry in any
	// of them revokes it, the earliest revocation first.
	var found answer
	covered := false
	for _, crl := range c.opts.CRLs {
		if crl.ThisUpdate.After(at) || crl.CheckSignatureFrom(issuer) != nil {
			continue
		}
		covered = true
		ans := c.cache.lookup(crl, cert)
		s.RevocationEvidence = append(s.RevocationEvidence, crlEvidence(cert, crl, "", ans, false))
		if ans.status == ocsp.Revoked && (found.status != ocsp.Revoked || ans.revokedAt.Before(found.revokedAt)) {
			found = ans
		}
	}
	if covered {
		return found, true
	}
	if ans, ok := emb.status(s, c.cache, cert, issuer, at, signed); ok {
		return ans, true
	}
	if !c.opts.Online {
		return answer{}, false
	}
	for _, u := range httpURLs(cert.OCSPServer) {
		ans, ev := c.askOCSP(u, cert, issuer)
		s.RevocationEvidence = append(s.RevocationEvidence, ev)
		if ev.Error == "" {
			return ans, true
		}
	}
	for _, u := range httpURLs(cert.CRLDistributionPoints) {
		ans, ev := c.fetchCRL(u, cert, issuer)
		s.RevocationEvidence = append(s.RevocationEvidence, ev)
		if ev.Error == "" {
			return ans, true
		}
	}
	if len(httpURLs(cert.OCSPServer))+len(httpURLs(cert.CRLDistributionPoints)) == 0 {
		s.RevocationEvidence = append(s.RevocationEvidence, RevocationEvidence{
			Certificate: shortName(cert.SubjectName), Serial: fmt.Sprintf("%x", cert.SerialNumber),
			Error: "the certificate names no http OCSP responder and no http CRL distribution point"})
	}
	return answer{}, false
}

// maxURLs bounds the OCSP responders and the CRL points tried per
// certificate: a hostile certificate naming a thousand slow servers costs at
// most this many fetch timeouts of each kind.
const maxURLs = 3

// httpURLs returns the first maxURLs http and https URLs of list (LDAP and
// other schemes are not fetched).
func httpURLs(list []string) []string {
	var out []string
	for _, u := range list {
		if len(out) == maxURLs {
			break
		}
		if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
			out = append(out, u)
		}
	}
	return out
}

func tp(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func crlEvidence(cert *pki.Certificate, crl *pki.RevocationList, u string, ans answer, cached bool) RevocationEvidence {
	ev := RevocationEvidence{
		Certificate: shortName(cert.SubjectName), Serial: fmt.Sprintf("%x", cert.SerialNumber),
		Source: "crl", URL: u, Status: ans.status.String(), Signer: shortName(crl.IssuerName),
		ThisUpdate: tp(crl.ThisUpdate), NextUpdate: tp(crl.NextUpdate), Cached: cached,
	}
	if crl.Number != nil {
		ev.CRLNumber = crl.Number.String()
	}
	if ans.status == ocsp.Revoked {
		ev.RevokedAt, ev.Reason = tp(ans.revokedAt), ans.reason
	}
	return ev
}

// fetchCRL gets the CRL at u (from the cache while it is current) and looks
// cert up in it.
func (c *revChecker) fetchCRL(u string, cert, issuer *pki.Certificate) (answer, RevocationEvidence) {
	fail := func(format string, a ...any) (answer, RevocationEvidence) {
		return answer{}, RevocationEvidence{Certificate: shortName(cert.SubjectName), Serial: fmt.Sprintf("%x", cert.SerialNumber),
			Source: "crl", URL: u, Error: fmt.Sprintf(format, a...)}
	}
	now := c.cache.now()
	crl, cached := c.cache.crl(u, issuer, now)
	if crl == nil {
		data, err := c.fetcher.Fetch(c.ctx, u)
		if err != nil {
			return fail("%v", err)
		}
		if crl, err = pki.ParseRevocationList(data); err != nil {
			return fail("not a CRL: %v", err)
		}
		if err := crl.CheckSignatureFrom(issuer); err != nil {
			return fail("the CRL was not signed by %q: %v", shortName(issuer.SubjectName), err)
		}
		if crl.ThisUpdate.After(now.Add(clockSkew)) {
			return fail("the CRL's thisUpdate %s is in the future", crl.ThisUpdate.UTC().Format(time.RFC3339))
		}
		if !crl.NextUpdate.IsZero() && crl.NextUpdate.Add(clockSkew).Before(now) {
			return fail("the CRL is stale: nextUpdate %s has passed", crl.NextUpdate.UTC().Format(time.RFC3339))
		}
		c.cache.putCRL(u, issuer, crl)
	}
	// A current CRL answers for an earlier validation time too: an entry
	// stays on the list until the certificate expires (RFC 5280 §3.3), and
	// revocations after at are weighed by check.
	ans := c.cache.lookup(crl, cert)
	return ans, crlEvidence(cert, crl, u, ans, cached)
}

// askOCSP asks the responder at u about cert (GET, RFC 6960 A.1, a
// Streebog-256 CertID and a fresh nonce), or takes a current answer from the
// cache.
func (c *revChecker) askOCSP(u string, cert, issuer *pki.Certificate) (answer, RevocationEvidence) {
	ev := RevocationEvidence{Certificate: shortName(cert.SubjectName), Serial: fmt.Sprintf("%x", cert.SerialNumber), Source: "ocsp", URL: u}
	fail := func(format string, a ...any) (answer, RevocationEvidence) {
		ev.Error = fmt.Sprintf(format, a...)
		return answer{}, ev
	}
	id, err := ocsp.NewCertID(pki.OIDStreebog256, issuer, cert.SerialNumber)
	if err != nil {
		return fail("%v", err)
	}
	now := c.cache.now()
	e, cached := c.cache.ocsp(u, id, now)
	if e == nil {
		nonce, err := ocsp.NewNonce()
		if err != nil {
			return fail("%v", err)
		}
		req, err := ocsp.CreateRequest([]ocsp.CertID{id}, nonce)
		if err != nil {
			return fail("%v", err)
		}
		data, err := c.fetcher.Fetch(c.ctx, strings.TrimSuffix(u, "/")+"/"+url.QueryEscape(base64.StdEncoding.EncodeToString(req)))
		if err != nil {
			return fail("%v", err)
		}
		resp, err := ocsp.ParseResponse(data)
		if err != nil {
			return fail("not an OCSP response: %v", err)
		}
		if resp.Status != ocsp.Successful {
			return fail("the responder answered %s", resp.Status)
		}
		// The responder's certificate must be valid now, whatever
		// producedAt claims: the answer is used as current.
		signer, err := resp.CheckSignatureFrom(issuer, now)
		if err != nil {
			return fail("%v", err)
		}
		if err := c.checkResponder(signer, issuer); err != nil {
			return fail("%v", err)
		}
		if resp.Nonce != nil && string(resp.Nonce) != string(nonce) {
			return fail("the response's nonce is not the request's (a replayed answer?)")
		}
		sr := resp.Find(id)
		if sr == nil {
			return fail("the response does not cover the certificate")
		}
		if sr.ThisUpdate.After(now.Add(clockSkew)) {
			return fail("the response's thisUpdate %s is in the future", sr.ThisUpdate.UTC().Format(time.RFC3339))
		}
		if !sr.NextUpdate.IsZero() && sr.NextUpdate.Add(clockSkew).Before(now) {
			return fail("the response is stale: nextUpdate %s has passed", sr.NextUpdate.UTC().Format(time.RFC3339))
		}
		e = &ocspEntry{single: *sr, producedAt: resp.ProducedAt, signer: shortName(signer.SubjectName)}
		c.cache.putOCSP(u, id, e)
	}
	sr := e.single
	ev.Status, ev.Signer, ev.Cached = sr.Status.String(), e.signer, cached
	ev.ThisUpdate, ev.NextUpdate, ev.ProducedAt = tp(sr.ThisUpdate), tp(sr.NextUpdate), tp(e.producedAt)
	switch sr.Status {
	case ocsp.Good:
		return answer{status: ocsp.Good}, ev
	case ocsp.Revoked:
		ev.RevokedAt, ev.Reason = tp(sr.RevokedAt), sr.Reason
		return answer{status: ocsp.Revoked, revokedAt: sr.RevokedAt, reason: sr.Reason}, ev
	}
	ev.Status = ""
	return fail("the responder does not know the certificate (status unknown)")
}

// checkResponder checks that a delegated responder's certificate is not
// revoked, unless it carries id-pkix-ocsp-nocheck or is the CA itself (RFC
// 6960 §4.2.2.2.1): in the CRLs given, else at its CRL distribution points
// (not by OCSP, which would ask the responder about itself). A responder
// whose status cannot be had is not trusted.
func (c *revChecker) checkResponder(responder, issuer *pki.Certificate) error {
	if responder.Equal(issuer) || ocsp.NoCheck(responder) {
		return nil
	}
	var ans answer
	found := false
	for _, crl := range c.opts.CRLs {
		if crl.CheckSignatureFrom(issuer) == nil {
			ans, found = c.cache.lookup(crl, responder), true
			break
		}
	}
	var errs []string
	for _, u := range httpURLs(responder.CRLDistributionPoints) {
		if found {
			break
		}
		a, ev := c.fetchCRL(u, responder, issuer)
		if ev.Error != "" {
			errs = append(errs, ev.Error)
			continue
		}
		ans, found = a, true
	}
	switch {
	case !found && len(errs) > 0:
		return fmt.Errorf("the revocation of responder %q could not be checked: %s", shortName(responder.SubjectName), errs[0])
	case !found:
		return fmt.Errorf("responder %q has no id-pkix-ocsp-nocheck and no CRL to check it in", shortName(responder.SubjectName))
	case ans.status == ocsp.Revoked:
		return fmt.Errorf("responder %q was revoked on %s", shortName(responder.SubjectName), ans.revokedAt.UTC().Format(time.RFC3339))
	}
	return nil
}

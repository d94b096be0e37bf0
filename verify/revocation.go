package verify

import (
	"fmt"
	"time"

	"github.com/podpis/podpis/pki"
)

// checkRevocation looks every certificate of chain but the root up in the
// CRLs issued by its issuer (RFC 5280 §6.3, simplified to complete CRLs from
// the certificate's issuer). A CRL counts for a certificate when its signature
// verifies with the issuer's key and it was issued by the validation time.
func checkRevocation(s *SignatureReport, chain []*pki.Certificate, at time.Time, crls []*pki.RevocationList) {
	if len(crls) == 0 {
		s.Warnings = append(s.Warnings, Warning{CodeRevocationNotChecked,
			"no revocation lists were given; revocation was not checked"})
		return
	}
	for i := 0; i+1 < len(chain); i++ {
		cert, issuer := chain[i], chain[i+1]
		crl := crlFor(issuer, at, crls)
		if crl == nil {
			s.Indication, s.SubIndication, s.Code = Indeterminate, TryLater, CodeRevocationUnknown
			s.Revocation = RevocationUnknown
			s.Detail = fmt.Sprintf("no revocation list from %q valid at %s covers %q",
				shortName(issuer.SubjectName), at.UTC().Format(time.RFC3339), shortName(cert.SubjectName))
			return
		}
		for _, rc := range crl.RevokedCertificateEntries {
			if rc.SerialNumber.Cmp(cert.SerialNumber) != 0 || rc.RevocationTime.After(at) {
				continue
			}
			when := rc.RevocationTime.UTC().Format(time.RFC3339)
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
	}
	s.Revocation = NotRevoked
}

// crlFor returns the newest CRL signed by issuer and issued by at.
func crlFor(issuer *pki.Certificate, at time.Time, crls []*pki.RevocationList) *pki.RevocationList {
	var best *pki.RevocationList
	for _, l := range crls {
		if l.ThisUpdate.After(at) || l.CheckSignatureFrom(issuer) != nil {
			continue
		}
		if best == nil || l.ThisUpdate.After(best.ThisUpdate) {
			best = l
		}
	}
	return best
}

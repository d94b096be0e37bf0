package verify

import (
	"fmt"
	"time"

	"github.com/podpis/podpis/pki"
)

// checkRevocation looks every certificate of chain but the root up in the
// CRLs issued by its issuer (RFC 5280 §6.3, simplified to complete CRLs from
// the certificate's issuer). A CRL counts for a certificate when its signature
// verifies with the issuer's key and it was issued by the validation time at;
// a certificate listed in any such CRL with a revocation time not after signed
// — the proven signing time, or at — is revoked (a later list cannot
// un-revoke it, RFC 5280 §3.3, except from hold, which podpis treats as
// revoked too).
func checkRevocation(s *SignatureReport, chain []*pki.Certificate, at, signed time.Time, crls []*pki.RevocationList) {
	if len(crls) == 0 {
		s.Warnings = append(s.Warnings, Warning{CodeRevocationNotChecked,
			"no revocation lists were given; revocation was not checked"})
		return
	}
	for i := 0; i+1 < len(chain); i++ {
		cert, issuer := chain[i], chain[i+1]
		covered := false
		for _, crl := range crls {
			if crl.ThisUpdate.After(at) || crl.CheckSignatureFrom(issuer) != nil {
				continue
			}
			covered = true
			for _, rc := range crl.RevokedCertificateEntries {
				if rc.SerialNumber.Cmp(cert.SerialNumber) != 0 || rc.RevocationTime.After(signed) {
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
		if !covered {
			s.Indication, s.SubIndication, s.Code = Indeterminate, TryLater, CodeRevocationUnknown
			s.Revocation = RevocationUnknown
			s.Detail = fmt.Sprintf("no revocation list from %q issued by %s covers %q",
				shortName(issuer.SubjectName), at.UTC().Format(time.RFC3339), shortName(cert.SubjectName))
			return
		}
	}
	s.Revocation = NotRevoked
}

package verify

import (
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/ocsp"
)

// oidRevocationValues is id-aa-ets-revocationValues (RFC 5126 §6.3.4, ETSI
// EN 319 122-1 §5.5.2): the CRLs and OCSP responses a CAdES-X-L (and -A)
// signature carries for its path.
var oidRevocationValues = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 24}

// embeddedRevocation is the revocation data a signature carries: its
// revocationValues attribute and the SignedData's crls field (RFC 5652
// §10.2.1), with the certificates (certValues and the certificates field)
// that may have signed them.
type embeddedRevocation struct {
	crls  []*pki.RevocationList
	ocsp  []*ocsp.Response
	certs []*pki.Certificate
}

func (e *embeddedRevocation) empty() bool { return e == nil || len(e.crls)+len(e.ocsp) == 0 }

// embeddedFor collects what sd and si carry. Values that do not parse are
// skipped: they are untrusted input, and every one used is checked first.
func embeddedFor(sd *cms.SignedData, si *cms.SignerInfo) *embeddedRevocation {
	e := &embeddedRevocation{}
	if sd != nil {
		for _, der := range sd.CRLs {
			if l, err := pki.ParseRevocationList(der); err == nil {
				e.crls = append(e.crls, l)
			}
		}
		e.certs = append(e.certs, sd.Certificates...)
	}
	if si == nil {
		return e
	}
	e.certs = append(e.certs, si.CertificateValues()...)
	for _, a := range si.UnsignedAttrs {
		if !a.Type.Equal(oidRevocationValues) {
			continue
		}
		for _, v := range a.Values {
			e.parseValues(v)
		}
	}
	return e
}

// parseValues reads RevocationValues ::= SEQUENCE { crlVals [0] SEQUENCE OF
// CertificateList OPTIONAL, ocspVals [1] SEQUENCE OF BasicOCSPResponse
// OPTIONAL, otherRevVals [2] OtherRevVals OPTIONAL } (RFC 5126 §6.3.4;
// explicit tags, the module's default).
func (e *embeddedRevocation) parseValues(v []byte) {
	s := cryptobyte.String(v)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return
	}
	for _, tag := range []int{0, 1} {
		var ex, list cryptobyte.String
		var present bool
		if !seq.ReadOptionalASN1(&ex, &present, cbasn1.Tag(tag).ContextSpecific().Constructed()) || !present {
			continue
		}
		if !ex.ReadASN1(&list, cbasn1.SEQUENCE) {
			continue
		}
		for !list.Empty() {
			var el cryptobyte.String
			if !list.ReadASN1Element(&el, cbasn1.SEQUENCE) {
				break
			}
			if tag == 0 {
				if l, err := pki.ParseRevocationList(el); err == nil {
					e.crls = append(e.crls, l)
				}
			} else if r, err := ocsp.ParseBasicResponse(el); err == nil {
				e.ocsp = append(e.ocsp, r)
			}
		}
	}
}

// status looks cert up in the embedded data. Data count only when they are
// authentic — a CRL signed by issuer; an OCSP response signed by issuer or a
// responder it certified, valid when the response was produced, and either
// the CA itself or carrying id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1; a
// delegated responder without it is not checked further here) — and fresh:
// issued at or after signed, the proven signing time, and not after the
// validation time at (EN 319 102-1 §5.2.5: revocation information issued
// after the signature existed speaks for the certificate's status then).
// Stale or foreign data are recorded as evidence with the reason.
func (e *embeddedRevocation) status(s *SignatureReport, cache *RevocationCache, cert, issuer *pki.Certificate, at, signed time.Time) (answer, bool) {
	if e.empty() {
		return answer{}, false
	}
	base := func() RevocationEvidence {
		return RevocationEvidence{Certificate: shortName(cert.SubjectName), Serial: fmt.Sprintf("%x", cert.SerialNumber), Embedded: true}
	}
	fresh := func(issued time.Time) string {
		switch {
		case issued.Before(signed.Add(-clockSkew)):
			return fmt.Sprintf("issued %s, before the proven signing time %s", issued.UTC().Format(time.RFC3339), signed.UTC().Format(time.RFC3339))
		case issued.After(at.Add(clockSkew)):
			return fmt.Sprintf("issued %s, after the validation time %s", issued.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))
		}
		return ""
	}
	for _, r := range e.ocsp {
		sr := findSingle(r, issuer, cert.SerialNumber)
		if sr == nil {
			continue
		}
		ev := base()
		ev.Source, ev.ThisUpdate, ev.NextUpdate, ev.ProducedAt = "ocsp", tp(sr.ThisUpdate), tp(sr.NextUpdate), tp(r.ProducedAt)
		signer, err := r.CheckSignatureFrom(issuer, r.ProducedAt, e.certs...)
		switch {
		case err != nil:
			ev.Error = err.Error()
		case !signer.Equal(issuer) && !ocsp.NoCheck(signer):
			ev.Error = fmt.Sprintf("responder %q has no id-pkix-ocsp-nocheck and no CRL to check it in", shortName(signer.SubjectName))
		case sr.Status != ocsp.Good && sr.Status != ocsp.Revoked:
			ev.Error = "the responder does not know the certificate (status unknown)"
		default:
			ev.Signer = shortName(signer.SubjectName)
			ev.Error = fresh(r.ProducedAt)
		}
		if ev.Error != "" {
			s.RevocationEvidence = append(s.RevocationEvidence, ev)
			continue
		}
		ev.Status = sr.Status.String()
		ans := answer{status: sr.Status}
		if sr.Status == ocsp.Revoked {
			ans.revokedAt, ans.reason = sr.RevokedAt, sr.Reason
			ev.RevokedAt, ev.Reason = tp(sr.RevokedAt), sr.Reason
		}
		s.RevocationEvidence = append(s.RevocationEvidence, ev)
		return ans, true
	}
	for _, crl := range e.crls {
		if crl.CheckSignatureFrom(issuer) != nil {
			continue
		}
		if why := fresh(crl.ThisUpdate); why != "" {
			ev := crlEvidence(cert, crl, "", answer{}, false)
			ev.Status, ev.Error, ev.Embedded = "", why, true
			s.RevocationEvidence = append(s.RevocationEvidence, ev)
			continue
		}
		ans := cache.lookup(crl, cert)
		ev := crlEvidence(cert, crl, "", ans, false)
		ev.Embedded = true
		s.RevocationEvidence = append(s.RevocationEvidence, ev)
		return ans, true
	}
	return answer{}, false
}

// findSingle is r's response for the certificate serial of issuer, whatever
// hash its CertID uses.
func findSingle(r *ocsp.Response, issuer *pki.Certificate, serial *big.Int) *ocsp.SingleResponse {
	for i := range r.Responses {
		id := r.Responses[i].CertID
		if id.SerialNumber != nil && id.SerialNumber.Cmp(serial) == 0 && id.IssuedBy(issuer) {
			return &r.Responses[i]
		}
	}
	return nil
}

package verify

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
)

// CMS verifies a CMS SignedData (CAdES-BES/-T): each signature, its signer's
// certification path to opts.Roots (and opts.Trust) at opts.At, and the revocation status of
// the path in opts.CRLs and, with opts.Online, from OCSP and CRL servers. content is the detached content (nil for an attached
// signature); it is streamed, never held whole.
//
// A Go error means the input is not a SignedData or could not be read; every
// verdict on a signature is in the Report.
//
// Time (ETSI EN 319 102-1 §5.5, §5.6): the path and its revocation are
// evaluated at opts.At (now when zero). Only a trusted signature timestamp
// (CAdES-T) is a proof of existence (POE) of the signature, at its genTime:
// a certificate that expired since is then checked at the POE (past signature
// validation, §5.6.2.4, simplified to the signature timestamp), and a
// revocation after the POE leaves the signature valid with a
// REVOKED_AFTER_SIGNING warning. The signingTime attribute is the signer's
// claim, not a POE: it never moves the validation time back — an expired
// certificate without a timestamp is INDETERMINATE/OUT_OF_BOUNDS_NO_POE, and a
// revocation before the validation time counts whatever the claim — and it is
// only checked for consistency: a claim, or a POE, before the signer's
// certificate was valid fails with NOT_YET_VALID (§5.5.4: the signature
// cannot predate its certificate; a claim gets clockSkew of tolerance for the
// signer's clock).
//
// Revocation data the signature carries (CAdES-X-L revocationValues, RFC
// 5126 §6.3.4; the SignedData's crls) are evidence like the CRLs given, when
// authentic and issued between the POE (else the validation time) and the
// validation time; they are consulted after opts.CRLs and before fetching.
func CMS(ctx context.Context, sig []byte, content io.Reader, opts Options) (*Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	at := opts.At
	if at.IsZero() {
		at = time.Now()
	}
	res, err := cms.Verify(sig, cms.VerifyOptions{Content: content, Certificates: opts.Certificates})
	if err != nil {
		return nil, err
	}
	rep := &Report{ValidationTime: at.UTC()}
	inter := pki.NewCertPool()
	if opts.Intermediates != nil {
		for _, c := range opts.Intermediates.Certificates() {
			inter.AddCert(c)
		}
	}
	for _, c := range res.SignedData.Certificates {
		inter.AddCert(c)
	}
	rc := newRevChecker(ctx, &opts)
	rc.sd = res.SignedData
	for i := range res.Signers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rep.Signatures = append(rep.Signatures, rc.checkSigner(&res.Signers[i], inter, at))
	}
	rep.Indication = overall(rep.Signatures)
	return rep, nil
}

// overall is TOTAL-PASSED when every signature passed (and there is one),
// TOTAL-FAILED when any failed, INDETERMINATE otherwise.
func overall(sigs []SignatureReport) Indication {
	if len(sigs) == 0 {
		return TotalFailed
	}
	ind := TotalPassed
	for _, s := range sigs {
		switch s.Indication {
		case TotalFailed:
			return TotalFailed
		case Indeterminate:
			ind = Indeterminate
		}
	}
	return ind
}

// checkSigner checks one signer: signature, path at at (or at the proven
// time of a timestamp), revocation through rc.
func (rc *revChecker) checkSigner(r *cms.SignerResult, inter *pki.CertPool, at time.Time) SignatureReport {
	opts := *rc.opts
	s := SignatureReport{Index: r.Index, Code: CodeOK, Indication: TotalPassed, Revocation: RevocationNotChecked}
	if r.Certificate != nil {
		s.Signer = partyOf(r.Certificate.SubjectName)
		info := certInfo(r.Certificate)
		s.Certificate = &info
	}
	if t := r.Attributes.SigningTime; !t.IsZero() {
		t = t.UTC()
		s.SigningTime = &t
	}
	if r.Code != cms.OK {
		s.Indication, s.SubIndication, s.Code = cmsVerdict(r.Code)
		s.Detail = r.Detail
		return s
	}
	if r.Signer != nil {
		inter = withCerts(inter, r.Signer.CertificateValues())
	}
	poe, ok := checkTimestamps(&s, r, inter, opts)
	if !ok {
		return s
	}
	if poe.IsZero() && s.SigningTime != nil {
		s.Warnings = append(s.Warnings, Warning{CodeSigningTimeFromSigner,
			"the signing time is the signer's own claim; no timestamp proves it"})
	}
	if !poe.IsZero() {
		p := poe.UTC()
		s.ProofOfExistence = &p
	}
	if signedBeforeCert(&s, r.Certificate, poe) {
		return s
	}
	if !poe.IsZero() && s.SigningTime != nil && s.SigningTime.After(poe.Add(clockSkew)) {
		// The claim contradicts the proof; the proof stands (EN 319 102-1
		// §5.5.4 uses the POE, not the claim).
		s.Warnings = append(s.Warnings, Warning{CodeSigningTimeAfterTimestamp, fmt.Sprintf(
			"the signer claims to have signed at %s, after the timestamp proves the signature existed (%s)",
			s.SigningTime.Format(time.RFC3339), poe.UTC().Format(time.RFC3339))})
	}
	roots := opts.roots()
	vopts := pki.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at}
	chains, err := r.Certificate.Verify(vopts)
	var pe *pki.PathError
	if errors.As(err, &pe) && pe.Code == pki.CodeCertExpired && !poe.IsZero() {
		// A trusted timestamp proves the signature existed at poe: check the
		// path then (EN 319 102-1 §5.6.2.4, past signature validation,
		// simplified to the signature timestamp as proof of existence).
		vopts.CurrentTime = poe
		if chains, err = r.Certificate.Verify(vopts); err == nil {
			s.Warnings = append(s.Warnings, Warning{CodeValidatedAtTimestamp, fmt.Sprintf(
				"a certificate has expired since; the path was valid at the timestamp time %s", poe.UTC().Format(time.RFC3339))})
		}
	}
	if err != nil {
		s.Indication, s.SubIndication, s.Code, s.Detail = pathVerdict(err)
		return s
	}
	chain := chains[0]
	for _, c := range chain {
		s.Chain = append(s.Chain, certInfo(c))
	}
	signed := at
	if !poe.IsZero() && poe.Before(at) {
		signed = poe // revocation after the proven signing time does not count
	}
	s.TrustAnchor = opts.Trust.Anchor(chain[len(chain)-1])
	if opts.Trust != nil {
		s.Qualified = qualifiedStatus(chain[0], s.TrustAnchor, signed)
	}
	rc.check(&s, chain, at, signed, embeddedFor(rc.sd, r.Signer))
	return s
}

// signedBeforeCert fails s when the proof of existence poe, or the signer's
// claimed signing time (give or take clockSkew), is before cert's notBefore:
// a signature cannot have been made with a certificate not yet issued (EN 319
// 102-1 §5.5.4, TOTAL-FAILED/NOT_YET_VALID).
func signedBeforeCert(s *SignatureReport, cert *pki.Certificate, poe time.Time) bool {
	if cert == nil {
		return false
	}
	nb := cert.NotBefore.UTC().Format(time.RFC3339)
	switch {
	case !poe.IsZero() && poe.Before(cert.NotBefore):
		s.Detail = fmt.Sprintf("the timestamp proves the signature existed at %s, before the signer's certificate was valid (from %s)",
			poe.UTC().Format(time.RFC3339), nb)
	case s.SigningTime != nil && s.SigningTime.Add(clockSkew).Before(cert.NotBefore):
		s.Detail = fmt.Sprintf("the signer claims to have signed at %s, before the signer's certificate was valid (from %s)",
			s.SigningTime.Format(time.RFC3339), nb)
	default:
		return false
	}
	s.Indication, s.SubIndication, s.Code = TotalFailed, NotYetValid, CodeSignedBeforeCert
	return true
}

// checkTimestamps reports the first signature timestamp (CAdES-T) and returns
// its time when the token is valid and its TSA chains to a trusted root with
// the timeStamping purpose at that time (RFC 3161 §2.3): that time is then a
// proof of existence of the signature. ok is false when a timestamp failed,
// which fails the signature.
func checkTimestamps(s *SignatureReport, r *cms.SignerResult, inter *pki.CertPool, opts Options) (poe time.Time, ok bool) {
	if len(r.Timestamps) == 0 {
		return time.Time{}, true
	}
	for i, ts := range r.Timestamps {
		if ts.Code != cms.OK {
			s.Indication, s.SubIndication, s.Code = TotalFailed, HashFailure, CodeTimestampInvalid
			if ts.Code != cms.TimestampMismatch {
				s.Indication, s.SubIndication = Indeterminate, SigConstraintsFailure
			}
			s.Detail = fmt.Sprintf("signature timestamp %d: %s: %s", i+1, ts.Code, ts.Detail)
			return time.Time{}, false
		}
	}
	ts := r.Timestamps[0]
	info := &TimestampInfo{Time: ts.GenTime.UTC()}
	s.Timestamp = info
	if ts.Certificate == nil {
		return time.Time{}, true
	}
	info.TSA = shortName(ts.Certificate.SubjectName)
	// The TSA's chain may travel in the token: its certificates field, or
	// its certValues (CryptoPro's TSP server writes only the latter).
	var tokenCerts []*pki.Certificate
	if ts.Token != nil {
		tokenCerts = append(tokenCerts, ts.Token.Certificates...)
	}
	if ts.Signer != nil && ts.Signer.Signer != nil {
		tokenCerts = append(tokenCerts, ts.Signer.Signer.CertificateValues()...)
	}
	_, err := ts.Certificate.Verify(pki.VerifyOptions{Roots: opts.roots(), Intermediates: withCerts(inter, tokenCerts), CurrentTime: ts.GenTime,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}})
	if err != nil {
		s.Warnings = append(s.Warnings, Warning{CodeTimestampUntrusted, "the timestamp authority is not trusted: " + err.Error()})
		return time.Time{}, true
	}
	info.Valid = true
	return ts.GenTime, true
}

// withCerts returns pool with certs added: pool itself when there are none,
// else a copy (pool is shared by the signers of a SignedData).
func withCerts(pool *pki.CertPool, certs []*pki.Certificate) *pki.CertPool {
	if len(certs) == 0 {
		return pool
	}
	p := pki.NewCertPool()
	for _, c := range pool.Certificates() {
		p.AddCert(c)
	}
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

// cmsVerdict maps package cms's codes to ETSI EN 319 102-1 (the mapping its
// Code constants document).
func cmsVerdict(c cms.Code) (Indication, SubIndication, Code) {
	switch c {
	case cms.FormatFailure:
		return TotalFailed, FormatFailure, CodeFormatFailure
	case cms.AlgorithmUnsupported:
		return Indeterminate, CryptoConstraintsFailureNoPOE, CodeAlgorithmUnsupported
	case cms.SignerCertNotFound:
		return Indeterminate, NoSigningCertificateFound, CodeSignerCertNotFound
	case cms.SignatureInvalid:
		return TotalFailed, SigCryptoFailure, CodeSignatureInvalid
	case cms.SigningCertMismatch:
		// EN 319 102-1 §5.2.3: the signing certificate cannot be identified.
		return Indeterminate, NoSigningCertificateFound, CodeSigningCertMismatch
	case cms.ContentMismatch:
		return TotalFailed, HashFailure, CodeContentMismatch
	case cms.ContentMissing:
		return Indeterminate, SignedDataNotFound, CodeContentMissing
	case cms.TimestampMismatch:
		return TotalFailed, HashFailure, CodeTimestampInvalid
	}
	return Indeterminate, FormatFailure, Code(c)
}

// pathVerdict maps pki's path errors (EN 319 102-1 §5.2.6, X.509 certificate
// validation).
func pathVerdict(err error) (Indication, SubIndication, Code, string) {
	var pe *pki.PathError
	if !errors.As(err, &pe) {
		return Indeterminate, CertificateChainGeneralFailure, CodeChainUntrusted, err.Error()
	}
	detail := pe.Error()
	switch pe.Code {
	case pki.CodeCertExpired:
		return Indeterminate, OutOfBoundsNoPOE, CodeCertExpired, detail
	case pki.CodeCertNotYetValid:
		return Indeterminate, NotYetValid, CodeCertNotYetValid, detail
	case pki.CodeChainUntrusted:
		return Indeterminate, NoCertificateChainFound, CodeChainUntrusted, detail
	case pki.CodeCertSignatureInvalid:
		return Indeterminate, CertificateChainGeneralFailure, CodeCertSignatureInvalid, detail
	case pki.CodeAlgorithmUnsupported:
		return Indeterminate, CryptoConstraintsFailureNoPOE, CodeAlgorithmUnsupported, detail
	case pki.CodeTooManySignatureChecks:
		return Indeterminate, CertificateChainGeneralFailure, CodeChainUntrusted, detail
	}
	return Indeterminate, ChainConstraintsFailure, CodeChainConstraints, detail
}

func partyOf(n pki.Name) *Party {
	return &Party{
		CommonName: n.CommonName, Surname: n.Surname, GivenName: n.GivenName, Title: n.Title,
		Organization: n.Organization, Unit: n.OrganizationalUnit,
		INN: n.INN, INNLE: n.INNLE, OGRN: n.OGRN, OGRNIP: n.OGRNIP, SNILS: n.SNILS, Email: n.Email,
		Locality: n.Locality, Province: n.Province, Street: n.StreetAddress,
	}
}

func certInfo(c *pki.Certificate) CertInfo {
	ci := CertInfo{
		Subject:         shortName(c.SubjectName),
		Issuer:          shortName(c.IssuerName),
		Serial:          fmt.Sprintf("%x", c.SerialNumber),
		NotBefore:       c.NotBefore.UTC(),
		NotAfter:        c.NotAfter.UTC(),
		Key:             keyName(c.PublicKey),
		SubjectSignTool: c.SubjectSignTool,
	}
	if t := c.IssuerSignTool; t != nil {
		ci.IssuerSignTool = &IssuerSignTool{SignTool: t.SignTool, CATool: t.CATool, SignToolCert: t.SignToolCert, CAToolCert: t.CAToolCert}
	}
	for _, k := range c.SignToolClasses {
		ci.SignToolClasses = append(ci.SignToolClasses, k.String())
	}
	if k := c.IdentificationKind; k != nil {
		ci.IdentificationKind = k.Code()
	}
	if p := c.PrivateKeyUsagePeriod; p != nil {
		ci.PrivateKeyUsage = &Period{NotBefore: tp(p.NotBefore), NotAfter: tp(p.NotAfter)}
	}
	return ci
}

// shortName is how a person names a certificate holder: the common name, or
// else the organisation, or else the surname and given names.
func shortName(n pki.Name) string {
	switch {
	case n.CommonName != "":
		return n.CommonName
	case n.Organization != "":
		return n.Organization
	}
	return n.Surname + " " + n.GivenName
}

func keyName(pub any) string {
	switch k := pub.(type) {
	case *gost3410.PublicKey:
		return fmt.Sprintf("GOST R 34.10-2012 %d-bit, %s", 8*k.ParamSet().Size(), k.ParamSet())
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d-bit", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return "unknown"
}

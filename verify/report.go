package verify

import (
	"encoding/json"
	"time"
)

// Indication is the overall outcome of validating a signature, in the
// vocabulary of ETSI EN 319 102-1 §5.1.3.
type Indication string

// Indications (ETSI EN 319 102-1 Table 5).
const (
	TotalPassed   Indication = "TOTAL-PASSED"
	TotalFailed   Indication = "TOTAL-FAILED"
	Indeterminate Indication = "INDETERMINATE"
)

// SubIndication says why a signature failed or could not be decided (ETSI EN
// 319 102-1 Table 6); empty with TOTAL-PASSED.
type SubIndication string

// Sub-indications podpis reports (ETSI EN 319 102-1 §5.1.3, Table 6).
const (
	FormatFailure                  SubIndication = "FORMAT_FAILURE"
	HashFailure                    SubIndication = "HASH_FAILURE"
	SigCryptoFailure               SubIndication = "SIG_CRYPTO_FAILURE"
	SigConstraintsFailure          SubIndication = "SIG_CONSTRAINTS_FAILURE"
	Revoked                        SubIndication = "REVOKED"
	NotYetValid                    SubIndication = "NOT_YET_VALID"
	ChainConstraintsFailure        SubIndication = "CHAIN_CONSTRAINTS_FAILURE"
	CertificateChainGeneralFailure SubIndication = "CERTIFICATE_CHAIN_GENERAL_FAILURE"
	CryptoConstraintsFailureNoPOE  SubIndication = "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"
	NoSigningCertificateFound      SubIndication = "NO_SIGNING_CERTIFICATE_FOUND"
	NoCertificateChainFound        SubIndication = "NO_CERTIFICATE_CHAIN_FOUND"
	RevokedCANoPOE                 SubIndication = "REVOKED_CA_NO_POE"
	OutOfBoundsNoPOE               SubIndication = "OUT_OF_BOUNDS_NO_POE"
	TryLater                       SubIndication = "TRY_LATER"
	SignedDataNotFound             SubIndication = "SIGNED_DATA_NOT_FOUND"
)

// Code is podpis' stable code for what was found, finer than the
// sub-indication. Programs switch on it; the JSON report carries it.
type Code string

// Codes. New codes may be added; existing ones keep their meaning.
const (
	CodeOK                        Code = "OK"
	CodeFormatFailure             Code = "FORMAT_FAILURE"               // the signature file or a SignerInfo is malformed
	CodeSignatureInvalid          Code = "SIGNATURE_INVALID"            // the signature value does not verify
	CodeContentMismatch           Code = "CONTENT_MISMATCH"             // the content is not what was signed
	CodeContentMissing            Code = "CONTENT_MISSING"              // detached signature, no content given
	CodeSignerCertNotFound        Code = "SIGNER_CERT_NOT_FOUND"        // the signer's certificate is not available
	CodeSigningCertMismatch       Code = "SIGNING_CERT_MISMATCH"        // signingCertificateV2 names another certificate
	CodeAlgorithmUnsupported      Code = "ALGORITHM_UNSUPPORTED"        // GOST 2001, SHA-1 …
	CodeTimestampInvalid          Code = "TIMESTAMP_INVALID"            // the signature timestamp does not verify or cover the signature
	CodeCertExpired               Code = "CERT_EXPIRED"                 // a certificate of the path had expired at the validation time
	CodeCertNotYetValid           Code = "CERT_NOT_YET_VALID"           // a certificate of the path was not yet valid
	CodeChainUntrusted            Code = "CHAIN_UNTRUSTED"              // no path to a trusted root
	CodeCertSignatureInvalid      Code = "CERT_SIGNATURE_INVALID"       // a certificate's signature does not verify
	CodeChainConstraints          Code = "CHAIN_CONSTRAINTS"            // basicConstraints, path length, key usage, critical extension
	CodeCertRevoked               Code = "CERT_REVOKED"                 // the signer's certificate was revoked before signing
	CodeCARevoked                 Code = "CA_REVOKED"                   // a CA certificate of the path was revoked
	CodeRevocationUnknown         Code = "REVOCATION_UNKNOWN"           // CRLs were given but none covers a certificate of the path
	CodeRevocationNotChecked      Code = "REVOCATION_NOT_CHECKED"       // warning: no revocation data was given
	CodeRevocationUnavailable     Code = "REVOCATION_UNAVAILABLE"       // online checking was asked for and no CRL or OCSP answer could be had
	CodeRevokedAfterSigning       Code = "REVOKED_AFTER_SIGNING"        // warning: revoked, but after the proven signing time
	CodeSigningTimeFromSigner     Code = "SIGNING_TIME_CLAIMED"         // warning: the signing time is the signer's claim, no timestamp
	CodeTimestampUntrusted        Code = "TIMESTAMP_UNTRUSTED"          // warning: the timestamp's TSA does not chain to a trusted root
	CodeValidatedAtTimestamp      Code = "VALIDATED_AT_TIMESTAMP"       // warning: a certificate expired since; checked at the timestamp time
	CodeSignedBeforeCert          Code = "SIGNED_BEFORE_CERT"           // the signing time (claimed or proven) is before the signer's certificate was valid
	CodeSigningTimeAfterTimestamp Code = "SIGNING_TIME_AFTER_TIMESTAMP" // warning: the claimed signing time is after the timestamp's (clock skew allowed)
)

// Report is the outcome of verifying one signed object: one entry per
// signature, and an overall indication (TOTAL-PASSED only when every signature
// passed).
type Report struct {
	Indication Indication `json:"indication"`
	// ValidationTime is the time certificates were checked at.
	ValidationTime time.Time `json:"validationTime"`
	// File names the signature file, when there is one.
	File       string            `json:"file,omitempty"`
	Signatures []SignatureReport `json:"signatures"`
}

// SignatureReport is the outcome for one signature.
type SignatureReport struct {
	Index         int           `json:"index"`
	Indication    Indication    `json:"indication"`
	SubIndication SubIndication `json:"subIndication,omitempty"`
	Code          Code          `json:"code"`
	// Detail explains Code in a sentence (English); JSON adds its Russian
	// form as detailRu when one is known (LocalizeDetail).
	Detail string `json:"detail,omitempty"`

	Signer      *Party    `json:"signer,omitempty"`
	Certificate *CertInfo `json:"certificate,omitempty"`
	// SigningTime is the signingTime attribute: the signer's own claim.
	SigningTime *time.Time `json:"signingTime,omitempty"`
	// Timestamp is the first signature timestamp (CAdES-T), when present.
	Timestamp *TimestampInfo `json:"timestamp,omitempty"`
	// ProofOfExistence is the time a trusted signature timestamp proves
	// the signature existed at (EN 319 102-1 §5.6, best-signature-time);
	// a certificate expired since is checked at it, and a revocation after
	// it does not count. Absent without a trusted timestamp: the signing
	// time claimed by the signer proves nothing.
	ProofOfExistence *time.Time `json:"proofOfExistence,omitempty"`
	// Chain is the certification path found, signer's certificate first,
	// trusted root last; empty when none was found.
	Chain []CertInfo `json:"chain,omitempty"`
	// Revocation is the revocation status of the path: RevocationNotChecked,
	// NotRevoked, RevocationRevoked or RevocationUnknown.
	Revocation RevocationStatus `json:"revocation"`
	// RevocationEvidence lists the CRLs and OCSP responses consulted for
	// the path, used or not (a failed fetch says why).
	RevocationEvidence []RevocationEvidence `json:"revocationEvidence,omitempty"`
	// TrustAnchor is the trust-store entry the path ends at, when
	// Options.Trust holds it.
	TrustAnchor *TrustAnchor `json:"trustAnchor,omitempty"`
	// Qualified says whether the signature is a qualified electronic
	// signature, when Options.Trust was given and a path found.
	Qualified *QualifiedStatus `json:"qualified,omitempty"`
	// Warnings are things a person should know that did not fail the
	// signature (codes REVOCATION_NOT_CHECKED, SIGNING_TIME_CLAIMED).
	Warnings []Warning `json:"warnings,omitempty"`
}

// RevocationStatus is what the revocation check of a path found.
type RevocationStatus string

const (
	RevocationNotChecked RevocationStatus = "not-checked" // no revocation data, or the signature failed before
	NotRevoked           RevocationStatus = "not-revoked" // every certificate of the path is covered and not revoked
	RevocationRevoked    RevocationStatus = "revoked"
	RevocationUnknown    RevocationStatus = "unknown" // revocation data were given but do not cover the path
)

// Warning is a remark on a signature that passed or failed for another reason.
type Warning struct {
	Code   Code   `json:"code"`
	Detail string `json:"detail"`
}

// Party is a certificate holder as a person reads it: the Russian attributes
// of a qualified certificate (FACTS §6.1, §6.3).
type Party struct {
	CommonName   string `json:"commonName,omitempty"`
	Surname      string `json:"surname,omitempty"`
	GivenName    string `json:"givenName,omitempty"`
	Title        string `json:"title,omitempty"`
	Organization string `json:"organization,omitempty"`
	Unit         string `json:"unit,omitempty"`
	INN          string `json:"inn,omitempty"`
	INNLE        string `json:"innle,omitempty"`
	OGRN         string `json:"ogrn,omitempty"`
	OGRNIP       string `json:"ogrnip,omitempty"`
	SNILS        string `json:"snils,omitempty"`
	Email        string `json:"email,omitempty"`
	Locality     string `json:"locality,omitempty"`
	Province     string `json:"province,omitempty"`
	Street       string `json:"street,omitempty"`
}

// CertInfo identifies a certificate.
type CertInfo struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	Serial    string    `json:"serial"` // hex
	NotBefore time.Time `json:"notBefore"`
	NotAfter  time.Time `json:"notAfter"`
	// Key names the key algorithm and parameter set.
	Key string `json:"key,omitempty"`

	// The content of a Russian qualified certificate (FACTS §6.2), when
	// the certificate carries it: the holder's crypto tool
	// (subjectSignTool, 1.2.643.100.111), the CA's tools with their
	// conformity certificates (issuerSignTool, 1.2.643.100.112), the
	// classes of the holder's tool from the certificate policies
	// 1.2.643.100.113.1–6 (КС1, КС2, КС3, КВ1, КВ2, КА1), and how the holder
	// was identified (identificationKind, 1.2.643.100.114: "personal",
	// "remote-cert", "remote-passport", "remote-system"; RFC 9215 §8.3).
	SubjectSignTool    string          `json:"subjectSignTool,omitempty"`
	IssuerSignTool     *IssuerSignTool `json:"issuerSignTool,omitempty"`
	SignToolClasses    []string        `json:"signToolClasses,omitempty"`
	IdentificationKind string          `json:"identificationKind,omitempty"`
	// PrivateKeyUsage is the privateKeyUsagePeriod extension (RFC 5280
	// §4.2.1.4), when present; either end may be absent.
	PrivateKeyUsage *Period `json:"privateKeyUsage,omitempty"`
}

// IssuerSignTool is the issuerSignTool extension (1.2.643.100.112, FACTS
// §6.2): the CA's crypto tool and CA software, and their conformity
// certificates.
type IssuerSignTool struct {
	SignTool     string `json:"signTool"`
	CATool       string `json:"caTool"`
	SignToolCert string `json:"signToolCert"`
	CAToolCert   string `json:"caToolCert"`
}

// Period is a time span; a nil end is open.
type Period struct {
	NotBefore *time.Time `json:"notBefore,omitempty"`
	NotAfter  *time.Time `json:"notAfter,omitempty"`
}

// TimestampInfo is a signature timestamp token (RFC 3161) as checked.
type TimestampInfo struct {
	Time  time.Time `json:"time"`
	TSA   string    `json:"tsa,omitempty"`
	Valid bool      `json:"valid"`
}

// Passed reports whether every signature passed.
func (r *Report) Passed() bool { return r.Indication == TotalPassed }

// The JSON forms below add the Russian form of each English detail, when
// one is known (see LocalizeDetail): detailRu beside detail, problemsRu
// beside problems, errorRu beside a revocation source's error. The English fields stay as they were; a program switches
// on code, never on either text.

// MarshalJSON writes s with detailRu.
func (s SignatureReport) MarshalJSON() ([]byte, error) {
	type plain SignatureReport
	return json.Marshal(struct {
		plain
		DetailRu string `json:"detailRu,omitempty"`
	}{plain(s), russianOnly(s.Detail)})
}

// MarshalJSON writes w with detailRu.
func (w Warning) MarshalJSON() ([]byte, error) {
	type plain Warning
	return json.Marshal(struct {
		plain
		DetailRu string `json:"detailRu,omitempty"`
	}{plain(w), russianOnly(w.Detail)})
}

// MarshalJSON writes q with problemsRu.
func (q QualifiedStatus) MarshalJSON() ([]byte, error) {
	type plain QualifiedStatus
	return json.Marshal(struct {
		plain
		ProblemsRu []string `json:"problemsRu,omitempty"`
	}{plain(q), russianDetails(q.Problems)})
}

// MarshalJSON writes r with detailRu; its steps, warnings and parent carry
// theirs.
func (r MCHDReport) MarshalJSON() ([]byte, error) {
	type plain MCHDReport
	return json.Marshal(struct {
		plain
		DetailRu string `json:"detailRu,omitempty"`
	}{plain(r), russianOnly(r.Detail)})
}

// MarshalJSON writes s with detailRu.
func (s MCHDStep) MarshalJSON() ([]byte, error) {
	type plain MCHDStep
	return json.Marshal(struct {
		plain
		DetailRu string `json:"detailRu,omitempty"`
	}{plain(s), russianOnly(s.Detail)})
}

// MarshalJSON writes r with detailRu.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	return json.Marshal(struct {
		plain
		DetailRu string `json:"detailRu,omitempty"`
	}{plain(r), russianOnly(r.Detail)})
}

// MarshalJSON writes e with errorRu.
func (e RevocationEvidence) MarshalJSON() ([]byte, error) {
	type plain RevocationEvidence
	return json.Marshal(struct {
		plain
		ErrorRu string `json:"errorRu,omitempty"`
	}{plain(e), russianOnly(e.Error)})
}

// russianOnly is d's Russian form, or "" when none is known.
func russianOnly(d string) string {
	if ru, ok := russianDetail(d, 0); ok {
		return ru
	}
	return ""
}

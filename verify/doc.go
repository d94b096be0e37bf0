// Package verify checks signed objects for operators and says what it found
// in the vocabulary of ETSI EN 319 102-1: each signature is TOTAL-PASSED,
// TOTAL-FAILED or INDETERMINATE, with a sub-indication and a stable podpis
// Code (SIGNATURE_INVALID, CONTENT_MISMATCH, CERT_EXPIRED, CERT_REVOKED,
// CHAIN_UNTRUSTED …) that programs switch on. A verdict is data — a Report —
// and a Go error only means the check could not run (input that is not a
// signature, an unreadable file).
//
// For a CMS signature (CAdES-BES/-T) it checks, per signer: the signature and
// the content digest (package cms), the certification path from the signer's
// certificate to a trusted root at the validation time (package pki), and the
// revocation status of every certificate of the path in the CRLs given (RFC
// 5280 §6.3, complete CRLs from the certificate's issuer) and, with
// Options.Online, from the OCSP responder each certificate names (RFC 6960,
// GOST-signed responses, a Streebog-256 CertID and a nonce, package
// pki/ocsp) or else its CRL distribution points; CRLs and OCSP answers the
// signature carries itself (CAdES-X-L revocationValues) count when they were
// issued between the proven signing time and the validation time. Where none
// of these answers for a certificate, the report warns that its revocation
// was not checked.
//
// # Time
//
// The path and revocation are evaluated at the validation time (Options.At,
// default now). Only a trusted signature timestamp is a proof of existence
// (EN 319 102-1 §5.5): it lets a certificate that has expired since still
// pass, and a revocation after it leave the signature valid. The signer's
// signingTime attribute is a claim: it never moves the time, but a claim or a
// proof of existence before the certificate's notBefore fails the signature
// (SIGNED_BEFORE_CERT).
//
// # Trust and revocation: the security contract
//
// Trust anchors come from Options.Roots and Options.Trust: PEM or DER files,
// directories of them, and the Ministry of Digital Development's list of
// accredited CAs (TSL.xml; a CA whose accreditation is «Действует» is
// reported as accredited). The list's own signature is not checked: obtain
// it over HTTPS from the ministry. Everything fetched is untrusted until
// checked: a CRL counts only when the issuer of the certificate signed it
// and it is current; an OCSP answer only when the CA or a responder it
// certified for OCSP signing (id-kp-OCSPSigning) signed it, it names the
// certificate, echoes the nonce when it carries one and is current (five
// minutes of clock skew allowed); a delegated responder must be valid now
// and, unless its certificate carries id-pkix-ocsp-nocheck (RFC 6960
// §4.2.2.2.1), not revoked in its CA's CRL. Revocation that cannot be established — every
// source down, slow, too big, malformed or unsigned — makes the signature
// INDETERMINATE with the code REVOCATION_UNAVAILABLE (sub-indication
// TRY_LATER, EN 319 102-1 Table 6), never valid; each source tried is in
// SignatureReport.RevocationEvidence. Fetching goes through a Fetcher
// (HTTPFetcher: http and https only, a timeout and a size bound per fetch)
// and the caller's context, so a hostile server can cost a timeout, not a
// hang or the memory. A certificate revoked after the proven signing time (a
// signature timestamp) leaves the signature valid with a
// REVOKED_AFTER_SIGNING warning.
//
// Reports are written as JSON (the fields of Report; stable: fields may be
// added, none renamed) or as text for people, in Russian by default and in
// English on request.
package verify

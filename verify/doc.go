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
// 5280 §6.3, complete CRLs from the certificate's issuer). Without CRLs the
// report warns that revocation was not checked.
//
// Reports are written as JSON (the fields of Report; stable: fields may be
// added, none renamed) or as text for people, in Russian by default and in
// English on request.
package verify

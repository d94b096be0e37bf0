// Package pki reads, checks and makes X.509 certificates, PKCS#10
// certification requests and CRLs with GOST R 34.10-2012 keys, builds
// certification paths through them, and types the attributes and extensions
// of Russian qualified certificates.
//
// Go's crypto/x509 parses GOST certificates, requests and CRLs but cannot
// check their signatures, build chains through them or create them (the
// public key is left nil; CreateCertificate refuses GOST signers). This
// package wraps its parsers — ParseCertificate, ParseCertificateRequest and
// ParseRevocationList return types embedding Go's — and does the rest
// itself. RSA (PKCS#1 v1.5 and PSS), ECDSA and Ed25519 work everywhere too,
// through the standard library.
//
// # Specifications
//
//   - RFC 5280: certificate and CRL profile; Verify implements the parts of
//     its path validation (§6.1) listed on Verify.
//   - RFC 4491 and RFC 9215: GOST keys and signatures in X.509, and the
//     Russian attributes and extensions (RFC 9215 §7–8).
//   - RFC 2986 (PKCS#10) and RFC 2985 §5.4.2 (extensionRequest).
//   - The project's spec sheet, shared/spec/gost/FACTS.md: §4.1 the
//     SubjectPublicKeyInfo; §4.3 signature algorithm identifiers
//     (1.2.643.7.1.1.3.2/.3.3, parameters absent when writing, absent or NULL
//     when reading); §4.4 the signature, BE(s) ‖ BE(r) over Streebog of the
//     DER to-be-signed bytes read little-endian, and the subject key
//     identifier, SHA-1 over the public key's BIT STRING content as OpenSSL
//     and CryptoPro compute it; §4.5 key OIDs where signature OIDs belong;
//     §6.1 subject attributes (ИНН, ИНН ЮЛ, ОГРН, ОГРНИП, СНИЛС); §6.2
//     qualified-certificate extensions (subjectSignTool, issuerSignTool,
//     sign tool classes КС1…КА1, identificationKind); §6.3 what to display.
//
// # Writing
//
// CreateCertificate, CreateCertificateRequest and CreateRevocationList build
// DER with cryptobyte, deterministically: the same input gives the same bytes
// except the signature. Numbers in names are NumericString (RFC 9215), other
// text UTF8String, so Russian text round-trips. Any crypto.Signer works; the
// signature is verified before the DER is returned.
//
// # Security
//
// Everything parsed here is untrusted input: certificates, requests and CRLs
// arrive from documents and networks. Parsers return errors and never
// panic; lengths are bounded by the input. Parsing is lenient where real
// producers differ (any string type in names, GOST signature parameters
// absent or NULL, the obsolete authorityKeyIdentifier 2.5.29.1) and
// operations are strict: a key podpis cannot decode (GOST R 34.10-2001, an
// unknown parameter set) leaves PublicKey nil, and checking a signature with
// it fails with ErrUnsupportedAlgorithm. A Russian extension that does not
// decode is left unset and, when critical, stays in
// UnhandledCriticalExtensions, so that Verify refuses the certificate.
//
// Verify checks validity periods, signatures, issuer names, basicConstraints
// and pathLenConstraint, issuers' keyCertSign, unknown critical extensions
// and, when asked, extended key usage; it bounds its work to 100 signature
// checks. It does not check revocation — package verify does that with CRLs
// and OCSP — nor name constraints, certificate policies, or the leaf's
// keyUsage, which depends on what the key is used for. Signature
// verification is variable time: its inputs are public.
package pki

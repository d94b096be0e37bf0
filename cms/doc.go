// Package cms makes and checks CMS SignedData (RFC 5652) with GOST R
// 34.10-2012 keys — the CAdES-BES and CAdES-T signatures (ETSI TS 101 733,
// ETSI EN 319 122-1) that Russian qualified electronic signatures are — and
// with RSA, ECDSA and Ed25519 keys, which real document flows mix in.
//
// # Writing
//
// Sign makes a detached or attached SignedData, AddSigner co-signs one
// without changing the SignerInfos already there, AddTimestamp (with a
// Timestamper such as cms/tsp's Client) turns CAdES-BES into CAdES-T. What
// podpis writes is DER, every SET OF sorted (X.690 §11.6): a version 1
// SignerInfo with issuerAndSerialNumber; signed attributes contentType,
// signingTime, messageDigest and signingCertificateV2 (RFC 5035, with the
// Streebog-256 hash written explicitly and issuerSerial, FACTS §4.5); the
// GOST key OID as signatureAlgorithm and digest AlgorithmIdentifiers without
// parameters (see algorithms.go for why). OpenSSL's `cms -verify` with the GOST
// engine accepts all of it, for every parameter set (interop_test.go).
//
// # Reading
//
// Parse takes what real tools write (FACTS §4.5, shared
// realworld/PROVENANCE.md): DER or BER (indefinite lengths and constructed
// OCTET STRINGs, as `openssl cms -stream`, КриптоАРМ and PDF signers write,
// normalised by internal/ber), PEM or bare Base64 (sniffed, never guessed from
// a file name), the signer identified by issuerAndSerialNumber or
// subjectKeyIdentifier, signatureAlgorithm as the key OID (OpenSSL, CryptoPro)
// or the signwithdigest OID (FNS), parameters NULL or absent, SignerInfos with
// or without signed attributes, unknown attributes of either kind.
//
// Verify reports each SignerInfo on its own, as data: a stable Code (OK,
// SIGNATURE_INVALID, CONTENT_MISMATCH, SIGNER_CERT_NOT_FOUND, …), the
// certificate whose key verified it, the decoded signed attributes
// (signingTime, signingCertificateV2 checked against that certificate) and
// every signature timestamp with its genTime and TSA certificate. A Go error
// means the input is no SignedData (ErrFormat) or the content could not be
// read.
//
// # Security contract
//
// The bytes verified are the bytes received. The signature over signed
// attributes is checked over the [0] IMPLICIT element exactly as it arrived,
// with its first octet changed to the SET OF tag 0x31 (RFC 5652 §5.4) —
// nothing is decoded and encoded again. When the file is BER, internal/ber
// rewrites only what is not DER; DER parts inside, signed attributes and
// certificates among them, are copied unchanged, and signed attributes that
// were themselves BER are checked in their DER form, which is what RFC 5652
// §5.4 says is signed (and what OpenSSL does). The content digest is compared
// with messageDigest over exactly the content given or embedded.
//
// Verify checks, per signer: the structure and the mandatory attributes
// (contentType equal to the eContentType, one messageDigest), the digest and
// signature algorithms, the signer's certificate by its identifier (among the
// embedded certificates, the signer's certValues attribute and
// VerifyOptions.Certificates), the signature, signingCertificate(V2) when
// present, and the content digest; and each timestamp token's signature and
// imprint. Without signed attributes the signature covers the content digest
// itself, so changed content then shows as SIGNATURE_INVALID.
//
// Verify does not check: whether any certificate is trusted, valid at some
// time, allowed to sign (key usage, qualified-certificate policies) or
// revoked; whether the TSA is trusted; whether signingTime is plausible.
// Those are package verify's, which builds paths with pki.Verify from
// SignedData.Certificates, SignerInfo.CertificateValues, SignedData.CRLs and
// its own trust store. A SignerResult with Code OK therefore says "this key
// signed these bytes", not "this person signed".
//
// Verification takes variable time: every input is public. Parsing never
// panics and allocates in proportion to the input (nesting is bounded by
// internal/ber.MaxDepth); detached content is streamed through the digests,
// never held in memory.
package cms

// Package pki reads, checks and makes X.509 certificates, certification
// requests and CRLs with GOST R 34.10-2012 keys, and builds certification
// paths through them.
//
// Go's crypto/x509 parses GOST certificates but cannot check their
// signatures, build chains through them or create them; this package wraps
// its parsers and does the rest itself. RSA, ECDSA and Ed25519 work too,
// through the standard library.
package pki

// Package gost3410 implements GOST R 34.10-2012 digital signatures (RFC 7091)
// on every parameter set of RFC 4357, RFC 7836 and TC 26 R 1323565.1.024-2019,
// with the byte forms that OpenSSL's GOST engine, CryptoPro, BouncyCastle and
// PKCS#11 tokens use.
//
// # Byte forms
//
// GOST mixes byte orders; this package follows the forms every interoperating
// implementation uses (shared spec: FACTS §2.1, §4):
//
//   - a digest is in wire order, as a hash.Hash returns it; the standard's
//     integer α is its little-endian reading;
//   - a signature is BE(s) ‖ BE(r), 64 or 128 bytes;
//   - a private key's raw form is LE(d); a public key's is LE(x) ‖ LE(y);
//   - PKCS#8 and SubjectPublicKeyInfo DER are written byte for byte as OpenSSL's
//     GOST engine writes them, and every form that engine reads is read.
//
// # Security
//
// Operations on private keys — key generation, computing the public key and
// signing — are constant time with respect to the private scalar d and the
// nonce k: the field, scalar and point arithmetic in internal/ec has no
// branches or table indexes that depend on them. Lengths (32 or 64 bytes) and
// the parameter set are public. The number of rejected nonce candidates
// depends only on discarded random values.
//
// Signatures are hedged, as crypto/ecdsa's are: the nonce is derived with
// SHAKE256 from the key, the digest and fresh randomness, so a failing random
// source cannot reveal the key through repeated nonces. The message digest is
// public; note that Streebog itself is table-driven and not constant time in
// its input (see package streebog), which is why the nonce derivation does not
// use it.
//
// Verify and everything done with public keys may take variable time: their
// inputs are public. Public keys are checked on the way in (NewPublicKey,
// ParsePKIXPublicKey): coordinates below p, the point on the curve and, on the
// cofactor-4 curves (tc26-256-A, tc26-512-C), in the prime-order subgroup.
// Signatures with r or s outside 1…q−1 are rejected.
package gost3410

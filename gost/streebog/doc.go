// Package streebog implements the Streebog hash functions of
// GOST R 34.11-2012, as described in RFC 6986, with 256-bit and 512-bit
// output.
//
// Digests are returned in wire order: the bytes that OpenSSL with the GOST
// engine (openssl dgst -md_gost12_256 / -md_gost12_512), PKCS#11 C_Digest and
// the messageDigest attribute of a CMS signature carry. RFC 6986 prints its
// messages and digests as numbers with the last byte first; reverse its
// examples byte by byte to compare them with this package.
//
// The digest returned by New256 and New512 implements
// encoding.BinaryMarshaler, encoding.BinaryAppender and
// encoding.BinaryUnmarshaler, so that a hashing state can be saved and
// resumed, like the hashes of the standard library.
//
// # Security
//
// This is a table-driven implementation: every round indexes 16 KiB of
// lookup tables with bytes of the message and of the internal state, as
// Go's generic (non-assembly) AES does. The time it takes may therefore leak
// information about the data being hashed to an attacker who shares the
// machine's caches. That is fine for what podpis hashes: documents and
// signed attributes, which are public or are about to be published with the
// signature.
//
// On amd64 CPUs with AVX-512 VBMI and GFNI the compression runs in assembly
// whose memory accesses do not depend on the data. That does not change the
// advice below: the same program uses the tables on other CPUs and under
// -tags purego.
//
// It is not fine for secrets. In particular HMAC-Streebog built with
// crypto/hmac (hmac.New(streebog.New256, key)) is NOT constant-time with
// respect to the key, and the same holds for any KDF or PRF built on this
// package. Do not use it where the key or other secret input can be observed
// through cache timing.
package streebog

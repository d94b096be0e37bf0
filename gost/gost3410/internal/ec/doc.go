// Package ec is the elliptic-curve core of GOST R 34.10-2012 (RFC 7091):
// field, point and scalar arithmetic for every distinct curve of the
// parameter sets in RFC 4357, RFC 7091 and RFC 7836 (FACTS §3.1–3.2), plus
// signing and verification on byte strings. The public package gost3410
// maps parameter-set OIDs to these curves and handles encodings, digests
// and nonces.
//
// # Curves
//
// Nine curves, seven primes (FACTS §3.2, §7.3):
//
//	Test256     p = 2^255 + 1073     a = 7     RFC 7091 §A.1 example
//	CryptoProA  p = 2^256 − 617      a = −3    CryptoPro-A, XchA, tc26-256-B
//	CryptoProB  p = 2^255 + 3225     a = −3    CryptoPro-B, tc26-256-C
//	CryptoProC  p = 0x9B9F…759B      a = −3    CryptoPro-C, XchB, tc26-256-D
//	TC26256A    p = 2^256 − 617      Edwards   cofactor 4 (RFC 7836)
//	Test512     p = 0x4531…6373      a = 7     RFC 7091 §A.2 example
//	TC26512A    p = 2^512 − 569      a = −3
//	TC26512B    p = 2^511 + 111      a = −3
//	TC26512C    p = 2^512 − 569      Edwards   cofactor 4 (RFC 7836)
//
// # Implementation
//
// Field elements are fixed-size limb arrays ([4]uint64 or [8]uint64) with
// fully unrolled code produced by gen.go: for p = 2^(64n) − c the product is
// folded with c (Solinas), otherwise it is reduced with word-by-word
// Montgomery reduction whose modulus limbs are compile-time constants.
// Inversion is Fermat's a^(p−2) by a fixed chain. Scalars modulo q use a
// small loop-based Montgomery multiplier with the modulus in memory
// (scalar.go).
//
// Weierstrass curves use homogeneous projective coordinates and the
// complete addition formulas of Renes, Costello and Batina (2015,
// https://eprint.iacr.org/2015/1060), for a = −3 or general a. The two
// cofactor-4 curves are computed on their twisted Edwards models
// e·u² + v² = 1 + d·u²·v² with e = 1 and d a non-square (RFC 7836; FACTS
// §3.3), in extended coordinates (Hisil, Wong, Carter and Dawson 2008),
// whose addition law is complete for such curves; points cross between the
// models only through the birational map of FACTS §3.3, and every external
// value (keys, r) is a Weierstrass coordinate.
//
// k·P for the base point uses a table of (j+1)·32^i·P, j < 16, built once
// per curve on first use, and the signed radix-32 digits of k: one mixed
// addition per digit and no doublings. Verification computes u2·Q with a
// width-5 NAF (Jacobian coordinates on the Weierstrass curves) and adds
// u1·P from the same table.
//
// # Security contract
//
// PublicKey, Sign, ScalarIsValid, ReduceScalar and MulScalar are constant
// time with respect to the values of their inputs and results: the private
// key d, the nonce k, the digest value alpha, r and s. They have no branch,
// loop bound or memory index that depends on those values: table lookups
// read every entry of a window and select with masks, signed digits are
// computed arithmetically, the Weierstrass and Edwards formulas used there
// are complete (no exceptional cases to branch on), and conversions to
// affine coordinates use Fermat inversion by a chain fixed by p. What they
// do reveal: the lengths of their inputs, which curve is used, whether d
// and k are in range (an error is returned), and, in Sign, whether r or s
// came out zero (ErrRetry), which happens with probability about 2/q.
//
// CheckPublicKey and Verify are variable time. Their inputs (public key,
// digest, signature) are public; their scalar multiplications branch on the
// NAF digits and on exceptional cases of the incomplete Jacobian formulas.
// They must never be called with secret scalars, and the variable-time
// helpers (the *VarMult* functions, the *Jac types, wnaf) must never be
// used on secrets. Verify rejects points that are not on the curve; it
// does not check the prime-order subgroup on the cofactor-4 curves (callers
// validate keys with CheckPublicKey once, when they parse them).
//
// The fixed-base tables live on the heap (about 50–320 KiB per curve); a
// table is built at most once per process, under sync.OnceValue.
//
// Constant-time claims are about the Go code as written: they assume that
// the compiler emits no secret-dependent branches for the arithmetic in
// math/bits (true for the gc compiler on amd64 and arm64) and that the
// processor's multiplier is constant time.
package ec

//go:generate go run gen.go gen_point.go

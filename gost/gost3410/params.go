package gost3410

import (
	"encoding/asn1"
	"strings"

	"github.com/podpis/podpis/gost/gost3410/internal/ec"
)

// A ParamSet is a GOST R 34.10 parameter set: a curve and the object identifier
// that names it. Several identifiers name the same curve (FACTS §3.1): for
// example CryptoProA, CryptoProXchA and TC26256B are one curve; keys on them
// compute the same, but a key records the identifier it was made with, and its
// encodings carry that identifier, as OpenSSL's GOST engine does.
//
// ParamSet values are the package-level variables below; compare them with ==.
type ParamSet struct {
	name   string // podpis' short name, as the CLI takes it
	ident  string // the registered name of the OID
	oid    asn1.ObjectIdentifier
	curve  func() *ec.Curve
	size   int // bytes of p, q, a coordinate, a scalar, a digest
	digest bool
}

// Parameter sets of GOST R 34.10-2012 (FACTS §3.1). The digest flag records
// whether OpenSSL's GOST engine writes the digestParamSet field in keys on this
// set (FACTS §4.1: present for the CryptoPro sets and 512-A/B/Test, absent for
// tc26-256-A…D and 512-C, as RFC 9215 §4.2 asks).
var (
	// CryptoProTest is id-GostR3410-2001-TestParamSet (RFC 4357 §11.4, RFC 7091 example 1).
	CryptoProTest = &ParamSet{"256-test", "id-GostR3410-2001-TestParamSet", oid(1, 2, 643, 2, 2, 35, 0), ec.Test256, 32, true}
	// CryptoProA is id-GostR3410-2001-CryptoPro-A-ParamSet (RFC 4357 §11.4).
	CryptoProA = &ParamSet{"cryptopro-a", "id-GostR3410-2001-CryptoPro-A-ParamSet", oid(1, 2, 643, 2, 2, 35, 1), ec.CryptoProA, 32, true}
	// CryptoProB is id-GostR3410-2001-CryptoPro-B-ParamSet (RFC 4357 §11.4).
	CryptoProB = &ParamSet{"cryptopro-b", "id-GostR3410-2001-CryptoPro-B-ParamSet", oid(1, 2, 643, 2, 2, 35, 2), ec.CryptoProB, 32, true}
	// CryptoProC is id-GostR3410-2001-CryptoPro-C-ParamSet (RFC 4357 §11.4).
	CryptoProC = &ParamSet{"cryptopro-c", "id-GostR3410-2001-CryptoPro-C-ParamSet", oid(1, 2, 643, 2, 2, 35, 3), ec.CryptoProC, 32, true}
	// CryptoProXchA is id-GostR3410-2001-CryptoPro-XchA-ParamSet, the CryptoPro-A curve.
	CryptoProXchA = &ParamSet{"cryptopro-xcha", "id-GostR3410-2001-CryptoPro-XchA-ParamSet", oid(1, 2, 643, 2, 2, 36, 0), ec.CryptoProA, 32, true}
	// CryptoProXchB is id-GostR3410-2001-CryptoPro-XchB-ParamSet, the CryptoPro-C curve.
	CryptoProXchB = &ParamSet{"cryptopro-xchb", "id-GostR3410-2001-CryptoPro-XchB-ParamSet", oid(1, 2, 643, 2, 2, 36, 1), ec.CryptoProC, 32, true}

	// TC26256A is id-tc26-gost-3410-12-256-paramSetA (RFC 7836), a twisted Edwards curve.
	TC26256A = &ParamSet{"256-a", "id-tc26-gost-3410-12-256-paramSetA", oid(1, 2, 643, 7, 1, 2, 1, 1, 1), ec.TC26256A, 32, false}
	// TC26256B is id-tc26-gost-3410-12-256-paramSetB, the CryptoPro-A curve.
	TC26256B = &ParamSet{"256-b", "id-tc26-gost-3410-12-256-paramSetB", oid(1, 2, 643, 7, 1, 2, 1, 1, 2), ec.CryptoProA, 32, false}
	// TC26256C is id-tc26-gost-3410-12-256-paramSetC, the CryptoPro-B curve.
	TC26256C = &ParamSet{"256-c", "id-tc26-gost-3410-12-256-paramSetC", oid(1, 2, 643, 7, 1, 2, 1, 1, 3), ec.CryptoProB, 32, false}
	// TC26256D is id-tc26-gost-3410-12-256-paramSetD, the CryptoPro-C curve.
	TC26256D = &ParamSet{"256-d", "id-tc26-gost-3410-12-256-paramSetD", oid(1, 2, 643, 7, 1, 2, 1, 1, 4), ec.CryptoProC, 32, false}

	// TC26512Test is id-tc26-gost-3410-12-512-paramSetTest (RFC 7091 example 2).
	TC26512Test = &ParamSet{"512-test", "id-tc26-gost-3410-12-512-paramSetTest", oid(1, 2, 643, 7, 1, 2, 1, 2, 0), ec.Test512, 64, true}
	// TC26512A is id-tc26-gost-3410-12-512-paramSetA (RFC 7836).
	TC26512A = &ParamSet{"512-a", "id-tc26-gost-3410-12-512-paramSetA", oid(1, 2, 643, 7, 1, 2, 1, 2, 1), ec.TC26512A, 64, true}
	// TC26512B is id-tc26-gost-3410-12-512-paramSetB (RFC 7836).
	TC26512B = &ParamSet{"512-b", "id-tc26-gost-3410-12-512-paramSetB", oid(1, 2, 643, 7, 1, 2, 1, 2, 2), ec.TC26512B, 64, true}
	// TC26512C is id-tc26-gost-3410-12-512-paramSetC (RFC 7836), a twisted Edwards curve.
	TC26512C = &ParamSet{"512-c", "id-tc26-gost-3410-12-512-paramSetC", oid(1, 2, 643, 7, 1, 2, 1, 2, 3), ec.TC26512C, 64, false}
)

var paramSets = []*ParamSet{
	TC26256A, TC26256B, TC26256C, TC26256D,
	TC26512A, TC26512B, TC26512C,
	CryptoProA, CryptoProB, CryptoProC, CryptoProXchA, CryptoProXchB,
	CryptoProTest, TC26512Test,
}

func oid(arcs ...int) asn1.ObjectIdentifier { return arcs }

// ParamSets returns every parameter set this package knows, TC 26 sets first.
func ParamSets() []*ParamSet { return append([]*ParamSet(nil), paramSets...) }

// ParamSetByOID returns the parameter set with this identifier, or nil.
func ParamSetByOID(id asn1.ObjectIdentifier) *ParamSet {
	for _, ps := range paramSets {
		if ps.oid.Equal(id) {
			return ps
		}
	}
	return nil
}

// ParamSetByName returns the parameter set with this short name (as Name
// returns it, case-insensitive) or dotted OID, or nil.
func ParamSetByName(name string) *ParamSet {
	for _, ps := range paramSets {
		if strings.EqualFold(ps.name, name) || ps.oid.String() == name {
			return ps
		}
	}
	return nil
}

// Name returns podpis' short name of the set: "256-a", "cryptopro-xcha", "512-c" …
func (ps *ParamSet) Name() string { return ps.name }

// String returns the registered name of the set's OID, such as
// "id-tc26-gost-3410-12-256-paramSetA".
func (ps *ParamSet) String() string { return ps.ident }

// OID returns the set's object identifier.
func (ps *ParamSet) OID() asn1.ObjectIdentifier { return append(asn1.ObjectIdentifier(nil), ps.oid...) }

// Size returns the length in bytes of a scalar, a coordinate and a digest:
// 32 for 256-bit sets, 64 for 512-bit sets. Signatures are 2·Size bytes.
func (ps *ParamSet) Size() int { return ps.size }

// Hash returns the Streebog variant that GOST R 34.10-2012 pairs with keys of
// this size: Streebog256 for 256-bit sets, Streebog512 for 512-bit sets.
func (ps *ParamSet) Hash() Hash {
	if ps.size == 64 {
		return Streebog512
	}
	return Streebog256
}

// SameCurve reports whether two parameter sets name the same curve.
func (ps *ParamSet) SameCurve(other *ParamSet) bool { return ps.curve() == other.curve() }

//go:build cgo

package pkcs11

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"github.com/miekg/pkcs11"

	"github.com/podpis/podpis/gost/gost3410"
)

// Named curves of CKA_EC_PARAMS (RFC 5480 §2.1.1.1).
var (
	oidP256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidP384 = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	oidP521 = asn1.ObjectIdentifier{1, 3, 132, 0, 35}
)

// keyAlg is the kind of key a pair holds, which decides the mechanisms.
type keyAlg int

const (
	algUnknown keyAlg = iota
	algGOST           // CKK_GOSTR3410 (256) or CKK_GOSTR3410_512
	algECDSA          // CKK_EC
	algRSA            // CKK_RSA
)

func algOf(keyType uint) keyAlg {
	switch keyType {
	case pkcs11.CKK_GOSTR3410, ckkGOSTR3410_512:
		return algGOST
	case pkcs11.CKK_EC:
		return algECDSA
	case pkcs11.CKK_RSA:
		return algRSA
	}
	return algUnknown
}

// publicKeyOf decodes the public key of a key object from its attributes:
// a public key object, or a private key that carries its public half (RSA
// modulus and exponent always; CKA_EC_POINT on some tokens). It returns nil
// and no error when the attributes do not hold a public key.
func publicKeyOf(o *object) (crypto.PublicKey, error) {
	switch algOf(o.keyType) {
	case algGOST:
		if o.class != pkcs11.CKO_PUBLIC_KEY || o.value == nil {
			return nil, nil
		}
		return gostPublicKey(o.gostParams, o.value)
	case algECDSA:
		if o.ecPoint == nil {
			return nil, nil
		}
		return ecPublicKey(o.ecParams, o.ecPoint)
	case algRSA:
		if o.modulus == nil || o.exponent == nil {
			return nil, nil
		}
		e := new(big.Int).SetBytes(o.exponent)
		if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 {
			return nil, errors.New("pkcs11: RSA public exponent out of range")
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(o.modulus), E: int(e.Int64())}, nil
	}
	return nil, nil
}

// gostPublicKey decodes a GOST public key: params is CKA_GOSTR3410_PARAMS,
// the DER OID of the parameter set; value is CKA_VALUE, LE(x) ‖ LE(y) raw
// (vendor modules) or wrapped in a DER OCTET STRING (OpenSC), FACTS §5.3.
func gostPublicKey(params, value []byte) (*gost3410.PublicKey, error) {
	var oid asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(params, &oid); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("pkcs11: CKA_GOSTR3410_PARAMS is not a DER object identifier (% X)", params)
	}
	ps := gost3410.ParamSetByOID(oid)
	if ps == nil {
		return nil, fmt.Errorf("pkcs11: GOST parameter set %v is not one podpis knows", oid)
	}
	raw := unwrapGOSTValue(value, ps.Size())
	return gost3410.NewPublicKey(ps, raw)
}

// unwrapGOSTValue returns the raw point of a GOST CKA_VALUE: 2·size bytes
// as they are, or the content of a DER OCTET STRING of that length
// (04 40 … for 256-bit keys, 04 81 80 … for 512-bit ones). Anything else is
// returned unchanged for NewPublicKey to refuse with its length.
func unwrapGOSTValue(v []byte, size int) []byte {
	n := 2 * size
	switch {
	case len(v) == n:
		return v
	case n < 0x80 && len(v) == n+2 && v[0] == 0x04 && int(v[1]) == n:
		return v[2:]
	case n >= 0x80 && n < 0x100 && len(v) == n+3 && v[0] == 0x04 && v[1] == 0x81 && int(v[2]) == n:
		return v[3:]
	}
	return v
}

// ecPublicKey decodes CKA_EC_PARAMS (a named curve) and CKA_EC_POINT: a DER
// OCTET STRING holding the uncompressed point (PKCS#11 v2.40 §2.3.3), or the
// bare point, which some modules return.
func ecPublicKey(params, point []byte) (*ecdsa.PublicKey, error) {
	var oid asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(params, &oid); err != nil || len(rest) != 0 {
		return nil, errors.New("pkcs11: CKA_EC_PARAMS is not a named curve")
	}
	var curve elliptic.Curve
	switch {
	case oid.Equal(oidP256):
		curve = elliptic.P256()
	case oid.Equal(oidP384):
		curve = elliptic.P384()
	case oid.Equal(oidP521):
		curve = elliptic.P521()
	default:
		return nil, fmt.Errorf("pkcs11: elliptic curve %v is not supported", oid)
	}
	n := 1 + 2*((curve.Params().BitSize+7)/8)
	if len(point) != n {
		var inner []byte
		if rest, err := asn1.Unmarshal(point, &inner); err == nil && len(rest) == 0 {
			point = inner
		}
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: CKA_EC_POINT: %w", err)
	}
	return pub, nil
}

// ecParamsOf returns the DER CKA_EC_PARAMS of a curve.
func ecParamsOf(c elliptic.Curve) ([]byte, error) {
	switch c {
	case elliptic.P256():
		return asn1.Marshal(oidP256)
	case elliptic.P384():
		return asn1.Marshal(oidP384)
	case elliptic.P521():
		return asn1.Marshal(oidP521)
	}
	return nil, fmt.Errorf("pkcs11: elliptic curve %s is not supported", c.Params().Name)
}

// samePublicKey reports whether a and b are the same key. GOST keys compare
// by curve and point, since a token may name a curve by another parameter
// set's OID than the certificate (CryptoPro-A and tc26-256-B are one curve).
func samePublicKey(a, b crypto.PublicKey) bool {
	if ga, ok := a.(*gost3410.PublicKey); ok {
		gb, ok := b.(*gost3410.PublicKey)
		return ok && ga.ParamSet().SameCurve(gb.ParamSet()) && bytes.Equal(ga.Bytes(), gb.Bytes())
	}
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && b != nil && k.Equal(b)
}

// describeKey names a public key for listings: "GOST R 34.10-2012 256-bit
// (id-tc26-gost-3410-12-256-paramSetA)", "ECDSA P-256", "RSA 2048".
func describeKey(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *gost3410.PublicKey:
		return fmt.Sprintf("GOST R 34.10-2012 %d-bit (%s)", 8*k.ParamSet().Size(), k.ParamSet())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	}
	return "unknown key type"
}

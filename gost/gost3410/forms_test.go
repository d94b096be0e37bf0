package gost3410

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/podpis/podpis/gost/gost3410/internal/ec"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// alternateForms returns k in the other PKCS#8 privateKey forms that OpenSSL's
// GOST engine reads (FACTS §4.2): BouncyCastle's wrapped OCTET STRING, the old
// INTEGER, and masked keys (raw and with the public key).
func alternateForms(t *testing.T, k *PrivateKey) map[string][]byte {
	t.Helper()
	ps := k.ParamSet()
	c := ps.curve()
	// A masked key: pick masks m1, m2 and store d' = d·(m1·m2)⁻¹, so that
	// d'·m1·m2 = d. The inverse comes from Fermat: x^(q−2).
	m1, _ := randomScalar(c, nil)
	m2, _ := randomScalar(c, nil)
	inv := scalarInverse(c, c.MulScalar(m1, m2))
	dm := c.MulScalar(k.d, inv)
	masked := append(append(reversed(dm), reversed(m1)...), reversed(m2)...)

	var seq cryptobyte.Builder
	seq.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1OctetString(masked)
		b.AddASN1OctetString(k.PublicKey().Bytes())
	})
	var integer cryptobyte.Builder
	integer.AddASN1BigInt(bigFromBE(k.d))
	forms := map[string][]byte{
		"wrapped":      octetString(k.Bytes()),
		"integer":      integer.BytesOrPanic(),
		"masked":       masked,
		"masked-tuple": seq.BytesOrPanic(),
	}
	out := map[string][]byte{}
	for name, v := range forms {
		out[name] = pkcs8With(t, ps, v)
	}
	return out
}

func pkcs8With(t *testing.T, ps *ParamSet, value []byte) []byte {
	t.Helper()
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		addAlgorithm(b, ps)
		b.AddASN1OctetString(value)
	})
	der, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestAlternatePrivateKeyForms(t *testing.T) {
	for _, ps := range []*ParamSet{TC26256A, CryptoProB, TC26512B} {
		k, _ := GenerateKey(ps, nil)
		for form, der := range alternateForms(t, k) {
			got, err := ParsePKCS8PrivateKey(der)
			if err != nil {
				t.Fatalf("%s %s: %v", ps.Name(), form, err)
			}
			if !got.Equal(k) {
				t.Fatalf("%s %s: another key", ps.Name(), form)
			}
		}
		// A masked key whose public key does not match is refused.
		other, _ := GenerateKey(ps, nil)
		var seq cryptobyte.Builder
		seq.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1OctetString(append(k.Bytes(), reversed(oneScalar(ps.Size()))...))
			b.AddASN1OctetString(other.PublicKey().Bytes())
		})
		if _, err := ParsePKCS8PrivateKey(pkcs8With(t, ps, seq.BytesOrPanic())); err == nil {
			t.Fatalf("%s: masked key with a foreign public key accepted", ps.Name())
		}
	}
}

func oneScalar(n int) []byte {
	b := make([]byte, n)
	b[n-1] = 1
	return b
}

func TestMalformedKeys(t *testing.T) {
	k, _ := GenerateKey(CryptoProA, nil)
	good, _ := MarshalPKCS8PrivateKey(k)
	goodPub, _ := MarshalPKIXPublicKey(k.PublicKey())
	swapSet := func(der []byte, from, to []byte) []byte { return bytes.Replace(bytes.Clone(der), from, to, 1) }
	cpA := []byte{0x06, 0x07, 0x2a, 0x85, 0x03, 0x02, 0x02, 0x23, 0x01}
	unknown := []byte{0x06, 0x07, 0x2a, 0x85, 0x03, 0x02, 0x02, 0x23, 0x09}
	key512 := []byte{0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x01, 0x02}
	key256 := []byte{0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x01, 0x01}
	privCases := map[string][]byte{
		"empty":             nil,
		"truncated":         good[:len(good)-1],
		"trailing":          append(bytes.Clone(good), 0),
		"unknown set":       swapSet(good, cpA, unknown),
		"512 key algorithm": swapSet(good, key256, key512),
		"public key":        goodPub,
		"zero key":          pkcs8With(t, CryptoProA, make([]byte, 32)),
		"33 bytes":          pkcs8With(t, CryptoProA, make([]byte, 33)),
		"q":                 pkcs8With(t, CryptoProA, reversed(CryptoProA.curve().Order())),
	}
	for name, der := range privCases {
		if _, err := ParsePKCS8PrivateKey(der); err == nil {
			t.Errorf("private %s: accepted", name)
		}
	}
	pubCases := map[string][]byte{
		"empty":       nil,
		"truncated":   goodPub[:len(goodPub)-1],
		"unknown set": swapSet(goodPub, cpA, unknown),
		"private key": good,
		"not on curve": func() []byte {
			b := bytes.Clone(goodPub)
			b[len(b)-1] ^= 1
			return b
		}(),
	}
	for name, der := range pubCases {
		if _, err := ParsePKIXPublicKey(der); err == nil {
			t.Errorf("public %s: accepted", name)
		}
	}
}

func bigFromBE(b []byte) *big.Int { return new(big.Int).SetBytes(b) }

func scalarInverse(c *ec.Curve, a []byte) []byte {
	inv := new(big.Int).ModInverse(bigFromBE(a), bigFromBE(c.Order()))
	return inv.FillBytes(make([]byte, c.Size()))
}

// Raw masked keys are random bytes: whatever their first byte looks like as a
// DER tag, they must be read as masked (a CI run once drew one starting 0x30).
func TestMaskedKeyLooksLikeDER(t *testing.T) {
	ps := CryptoProB
	c := ps.curve()
	k, _ := GenerateKey(ps, nil)
	for _, first := range []byte{0x30, 0x02, 0x04, 0x00, 0xff} {
		for try := 0; ; try++ {
			m1, _ := randomScalar(c, nil)
			dm := c.MulScalar(k.d, scalarInverse(c, m1))
			masked := append(reversed(dm), reversed(m1)...)
			if masked[0] != first {
				if try > 100000 {
					t.Fatalf("no mask gives first byte %#x", first)
				}
				continue
			}
			got, err := ParsePKCS8PrivateKey(pkcs8With(t, ps, masked))
			if err != nil || !got.Equal(k) {
				t.Fatalf("masked key starting %#x: %v", first, err)
			}
			break
		}
	}
}

package gost3410

import (
	"bytes"
	"testing"
)

// The corpora live in testdata/fuzz/FuzzXxx: OpenSSL's keys of every
// parameter set in each encoding, and the forms of FACTS §4.2.

func FuzzParsePKCS8PrivateKey(f *testing.F) {
	f.Fuzz(func(t *testing.T, der []byte) {
		k, err := ParsePKCS8PrivateKey(der)
		if err != nil {
			return
		}
		out, err := MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		k2, err := ParsePKCS8PrivateKey(out)
		if err != nil || !k2.Equal(k) {
			t.Fatalf("re-encoded key does not parse back: %v", err)
		}
	})
}

func FuzzParsePKIXPublicKey(f *testing.F) {
	f.Fuzz(func(t *testing.T, der []byte) {
		pub, err := ParsePKIXPublicKey(der)
		if err != nil {
			return
		}
		out, err := MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		pub2, err := ParsePKIXPublicKey(out)
		if err != nil || !pub2.Equal(pub) {
			t.Fatalf("re-encoded key does not parse back: %v", err)
		}
	})
}

// FuzzNewPublicKey decodes raw LE(x) ‖ LE(y) points on the cofactor-4 curve
// tc26-256-A and the 512-bit tc26-512-A; an accepted point must verify nothing
// it did not sign and re-encode to the same bytes.
func FuzzNewPublicKey(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, ps := range []*ParamSet{TC26256A, TC26512A} {
			pub, err := NewPublicKey(ps, raw)
			if err != nil {
				continue
			}
			if !bytes.Equal(pub.Bytes(), raw) {
				t.Fatalf("%s: Bytes() differs from the input", ps.Name())
			}
		}
	})
}

// FuzzVerify decodes signatures and digests: no panic, and nothing but the one
// real signature verifies.
func FuzzVerify(f *testing.F) {
	k, err := NewPrivateKey(TC26256A, unhex(f, knownAnswers[2].priv))
	if err != nil {
		f.Fatal(err)
	}
	pub := k.PublicKey()
	digest, good := unhex(f, knownAnswers[2].digest), unhex(f, knownAnswers[2].sig)
	f.Fuzz(func(t *testing.T, d, sig []byte) {
		if Verify(pub, d, sig) && !(bytes.Equal(d, digest) && bytes.Equal(sig, good)) {
			t.Fatalf("forged signature accepted: digest %x sig %x", d, sig)
		}
	})
}

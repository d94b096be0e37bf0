package gost3410

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// knownAnswers are the byte forms of shared spec FACTS §2.2 (RFC 7091 examples
// 1 and 2, with the byte orders every interoperating implementation uses) and
// §2.3 (keys and signatures made by OpenSSL's GOST engine over "hello GOST").
var knownAnswers = []struct {
	name                   string
	ps                     *ParamSet
	priv, pub, digest, sig string
}{
	{"RFC 7091 example 1", CryptoProTest,
		"283bec9198ce191dee7e39491f96601bc1729ad39d35ed10beb99b78de9a927a",
		"0bd86fe5d8db89668f789b4e1dba8585c5508b45ec5b59d8906ddb70e2492b7fda77ff871a10fbdf2766d293c5d164afbb3c7b973a41c885d11d70d689b4f126",
		"e53e042b67e6ec678e2e02b12a0352ce1fc6eee0529cc088119ad872b3c1fb2d",
		"01456c64ba4642a1653c235a98a60249bcd6d3f746b631df928014f6c5bf9c4041aa28d2f1ab148280cd9ed56feda41974053554a42767b83ad043fd39dc0493"},
	{"RFC 7091 example 2", TC26512Test,
		"d48da11f826729c6dfaa18fd7b6b63a214277e82d2da223356a000223b12e87220108b508e50e70e70694651e8a09130c9d75677d43609a41b24aead8a04a60b",
		"e1ef30d52c6133ddd99d1d5c41455cf7df4d8b4c925bbc69af1433d15658515add2146850c325c5b81c133be655aa8c4d440e7b98a8d59487b0c7696bcc55d11ecbe7736a9ec357ff2fd39931f4e114cb8cda359270ac7f0e7ff43d9419419ea61fd2ab77f5d9f63523d3b50a04f63e2a0cf51b7c13adc21560f0bd40cc9c737",
		"8c5b0772297d77c64f0c561ddbde7a405a5d7c646c97394341f4936553ee847191c5b03570141da733c570c1f9b6091b53ab8d4d7c4a4f5c61e0c9accff35437",
		"1081b394696ffe8e6585e7a9362d26b6325f56778aadbc081c0bfbe933d52ff5823ce288e8c4f362526080df7f70ce406a6eeb1f56919cb92a9853bde73e5b4a2f86fa60a081091a23dd795e1e3c689ee512a3c82ee0dcc2643c78eea8fcacd35492558486b20f1c9ec197c90699850260c93bcbcd9c5c3317e19344e173ae36"},
	{"OpenSSL tc26-256-A", TC26256A,
		"9371409bb16730abf5bb6c10d6367b247cc09e5041b56731e492c94a297f6b32",
		"539181472e31b1577c7fcb583b2aa780010cae587d5832e51a0bafd54988377e021a1d344f52eea9e4e5e78834222b063e94a19f88b1bbb5ce2f5f98292992d0",
		"631318e7583f18cee14f4991c92a217583220982d227c2f8bbcdca02cccf2427",
		"3f1dea61e3ecbe6df60a7ae04c0be8deafdb2c37628a89a71672efdefe5a862c290957cddbf1274fa63087cbc1789319336b6667bb44204d51800ef593261688"},
	{"OpenSSL tc26-512-A", TC26512A,
		"fea387835e13019c9f8f3e7a4aea2a73296c60b9c3cf6186452adf977b998744df436d72c30839bfaebef15ab14a79c025056e0a34d88c2f9ba2b419b00cb19f",
		"0148340b92de0f9c050cd0b783deb0860eb3488132070adcf24b5c5d55a16f34adb84ecc16d7a1c70966ea28a1d5e6f52775f380feb5c875c138148ff3ca3089c320d7eb5e7d172fedf0f8c261358314149f200bd91ab915f38d7b98a1a3db326077a39562bdaa78716a8a512517ba8b77e88778e7c696c736b1e38d615b9ab2",
		"bc3ceb853faa8917f3167ae73870018e402ce60e129b9235eddc1543740a63d08dacb22bace513252ce7bb609107754b1c8b841418de9e7ff3e38ac83417d6d4",
		"c7ddf38e5c52e85f64ad9bdbd9c9c75ca41e40ef33d0a436953909d4998adb0026f918d4e7d71398ce3e6b82002c669bb20bcdb416249628a2b4016b350b37861adc0d531292ef65a20de50aafc7de0c84d2eeff48a0d1cf1f487e9c4fba11a72aef5c7ea719f381a94c2c3bc5dbbda34c7f591a97bb483b332bba1830bbd49e"},
}

func TestKnownAnswers(t *testing.T) {
	for _, tc := range knownAnswers {
		t.Run(tc.name, func(t *testing.T) {
			k, err := NewPrivateKey(tc.ps, unhex(t, tc.priv))
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(k.PublicKey().Bytes()); got != tc.pub {
				t.Fatalf("public key\n got %s\nwant %s", got, tc.pub)
			}
			if got := hex.EncodeToString(k.Bytes()); got != tc.priv {
				t.Fatalf("Bytes() = %s, want %s", got, tc.priv)
			}
			pub, err := NewPublicKey(tc.ps, unhex(t, tc.pub))
			if err != nil {
				t.Fatal(err)
			}
			digest, sig := unhex(t, tc.digest), unhex(t, tc.sig)
			if !Verify(pub, digest, sig) {
				t.Fatal("known signature rejected")
			}
			// FACTS §2.2: the same signature over the byte-reversed digest must fail.
			if Verify(pub, reversed(digest), sig) {
				t.Fatal("signature accepted over the big-endian reading of the digest")
			}
			mine, err := k.Sign(nil, digest, SignerOpts{Hash: tc.ps.Hash()})
			if err != nil {
				t.Fatal(err)
			}
			if !Verify(pub, digest, mine) {
				t.Fatal("our signature rejected")
			}
		})
	}
}

func TestHelloGOSTDigest(t *testing.T) {
	// FACTS §2.3 signs the 10 bytes "hello GOST"; the digests there are Streebog's.
	for _, tc := range knownAnswers[2:] {
		if got := hex.EncodeToString(digestOf(tc.ps.Hash(), []byte("hello GOST"))); got != tc.digest {
			t.Errorf("%s: digest %s, want %s", tc.name, got, tc.digest)
		}
		pub, _ := NewPublicKey(tc.ps, unhex(t, tc.pub))
		if !VerifyMessage(pub, []byte("hello GOST"), unhex(t, tc.sig)) {
			t.Errorf("%s: VerifyMessage rejected OpenSSL's signature", tc.name)
		}
	}
}

func TestSignVerifyEveryParamSet(t *testing.T) {
	for _, ps := range ParamSets() {
		t.Run(ps.Name(), func(t *testing.T) {
			t.Parallel()
			k, err := GenerateKey(ps, nil)
			if err != nil {
				t.Fatal(err)
			}
			msg := []byte("podpis " + ps.String())
			sig, err := k.SignMessage(nil, msg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(sig) != 2*ps.Size() {
				t.Fatalf("signature is %d bytes", len(sig))
			}
			pub := k.PublicKey()
			if !VerifyMessage(pub, msg, sig) {
				t.Fatal("valid signature rejected")
			}
			for i := range len(sig) * 8 {
				bad := bytes.Clone(sig)
				bad[i/8] ^= 1 << (i % 8)
				if VerifyMessage(pub, msg, bad) {
					t.Fatalf("signature with bit %d flipped accepted", i)
				}
			}
			if VerifyMessage(pub, append(msg, 0), sig) {
				t.Fatal("signature accepted for another message")
			}
			other, _ := GenerateKey(ps, nil)
			if VerifyMessage(other.PublicKey(), msg, sig) {
				t.Fatal("signature accepted under another key")
			}
			// Round trip of the raw forms.
			k2, err := NewPrivateKey(ps, k.Bytes())
			if err != nil || !k2.Equal(k) || !k2.PublicKey().Equal(pub) {
				t.Fatalf("raw private key round trip: %v", err)
			}
			pub2, err := NewPublicKey(ps, pub.Bytes())
			if err != nil || !pub2.Equal(pub) {
				t.Fatalf("raw public key round trip: %v", err)
			}
		})
	}
}

func TestVerifyRejectsOutOfRange(t *testing.T) {
	for _, ps := range []*ParamSet{TC26256A, CryptoProA, TC26512C} {
		k, _ := GenerateKey(ps, nil)
		pub := k.PublicKey()
		n := ps.Size()
		digest := make([]byte, n)
		q := ps.curve().Order()
		one := make([]byte, n)
		one[n-1] = 1
		ones := bytes.Repeat([]byte{0xff}, n)
		zero := make([]byte, n)
		sig := func(s, r []byte) []byte { return append(bytes.Clone(s), r...) }
		for name, s := range map[string][]byte{
			"r=0":      sig(one, zero),
			"s=0":      sig(zero, one),
			"r=q":      sig(one, q),
			"s=q":      sig(q, one),
			"all ones": sig(ones, ones),
			"short":    make([]byte, 2*n-1),
			"long":     make([]byte, 2*n+1),
			"zero":     make([]byte, 2*n),
			"empty":    nil,
			"digest 1": nil,
		} {
			d := digest
			if name == "digest 1" {
				d, s = digest[:1], make([]byte, 2*n)
			}
			if Verify(pub, d, s) {
				t.Errorf("%s: %s accepted", ps.Name(), name)
			}
		}
	}
}

func TestSignerOpts(t *testing.T) {
	k256, _ := GenerateKey(TC26256A, nil)
	k512, _ := GenerateKey(TC26512A, nil)
	d32, d64 := make([]byte, 32), make([]byte, 64)
	ok := []struct {
		k    *PrivateKey
		d    []byte
		opts crypto.SignerOpts
	}{
		{k256, d32, nil},
		{k256, d32, SignerOpts{}},
		{k256, d32, &SignerOpts{Hash: Streebog256}},
		{k256, d32, crypto.Hash(0)},
		{k512, d64, SignerOpts{Hash: Streebog512}},
	}
	for i, tc := range ok {
		if _, err := tc.k.Sign(nil, tc.d, tc.opts); err != nil {
			t.Errorf("case %d: %v", i, err)
		}
	}
	bad := []struct {
		k    *PrivateKey
		d    []byte
		opts crypto.SignerOpts
	}{
		{k256, d32, crypto.SHA256},
		{k256, d32, SignerOpts{Hash: Streebog512}},
		{k256, d64, nil},
		{k512, d32, SignerOpts{Hash: Streebog512}},
		{k256, d32, SignerOpts{Hash: 9}},
	}
	for i, tc := range bad {
		if _, err := tc.k.Sign(nil, tc.d, tc.opts); err == nil {
			t.Errorf("bad case %d: no error", i)
		}
	}
	var _ crypto.Signer = k256
	var _ crypto.MessageSigner = k256
	h := sha256.Sum256(nil)
	if _, err := k256.Sign(nil, h[:], crypto.SHA256); err == nil || !strings.Contains(err.Error(), "SignerOpts") {
		t.Errorf("SHA-256 opts: %v", err)
	}
}

// zeroReader is a broken random source.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestHedgedNonces(t *testing.T) {
	k, _ := GenerateKey(CryptoProA, nil)
	d1, d2 := make([]byte, 32), make([]byte, 32)
	d2[0] = 1
	s1, _ := k.Sign(zeroReader{}, d1, nil)
	s2, _ := k.Sign(zeroReader{}, d2, nil)
	// With no entropy, different digests must still get different nonces,
	// hence different r (crypto/ecdsa's TestZeroHashSignature idea).
	if bytes.Equal(s1[32:], s2[32:]) {
		t.Fatal("same r for two digests under a zero random source: nonce reuse")
	}
	k2, _ := GenerateKey(CryptoProA, nil)
	s3, _ := k2.Sign(zeroReader{}, d1, nil)
	if bytes.Equal(s1[32:], s3[32:]) {
		t.Fatal("same r for two keys under a zero random source")
	}
	// With entropy, the same digest gets different signatures.
	a, _ := k.Sign(nil, d1, nil)
	b, _ := k.Sign(nil, d1, nil)
	if bytes.Equal(a, b) {
		t.Fatal("two signatures with fresh randomness are equal")
	}
}

func TestBadKeys(t *testing.T) {
	q := TC26256A.curve().Order()
	for name, raw := range map[string][]byte{
		"zero":  make([]byte, 32),
		"q":     reversed(q),
		"ones":  bytes.Repeat([]byte{0xff}, 32),
		"short": make([]byte, 31),
	} {
		if _, err := NewPrivateKey(TC26256A, raw); err == nil {
			t.Errorf("private key %s accepted", name)
		}
	}
	for name, raw := range map[string][]byte{
		"zero":      make([]byte, 64),
		"ones":      bytes.Repeat([]byte{0xff}, 64),
		"short":     make([]byte, 63),
		"off curve": append(unhex(t, knownAnswers[2].pub)[:63], 0x00),
	} {
		if _, err := NewPublicKey(TC26256A, raw); err == nil {
			t.Errorf("public key %s accepted", name)
		}
	}
	if _, err := GenerateKey(nil, nil); err == nil {
		t.Error("GenerateKey(nil) succeeded")
	}
}

func TestParamSets(t *testing.T) {
	seen := map[string]bool{}
	for _, ps := range ParamSets() {
		if seen[ps.Name()] || seen[ps.OID().String()] {
			t.Errorf("duplicate %s", ps.Name())
		}
		seen[ps.Name()], seen[ps.OID().String()] = true, true
		if ParamSetByOID(ps.OID()) != ps || ParamSetByName(ps.Name()) != ps || ParamSetByName(ps.OID().String()) != ps {
			t.Errorf("%s: lookups do not round-trip", ps.Name())
		}
		if ps.curve().Size() != ps.Size() {
			t.Errorf("%s: curve size %d, set size %d", ps.Name(), ps.curve().Size(), ps.Size())
		}
	}
	if !CryptoProA.SameCurve(TC26256B) || !CryptoProA.SameCurve(CryptoProXchA) || CryptoProA.SameCurve(TC26256A) {
		t.Error("SameCurve wrong")
	}
	if ParamSetByName("cryptopro-z") != nil {
		t.Error("unknown name found")
	}
}

package gost3410

import "testing"

// benchSets are the distinct curves, by the names `make bench` compares with
// OpenSSL's GOST engine (256-b, -c, -d are the CryptoPro curves again).
var benchSets = []*ParamSet{TC26256A, CryptoProA, CryptoProB, CryptoProC, TC26512A, TC26512B, TC26512C}

func BenchmarkSign(b *testing.B) {
	for _, ps := range benchSets {
		b.Run(ps.Name(), func(b *testing.B) {
			k, _ := GenerateKey(ps, nil)
			digest := make([]byte, ps.Size())
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.Sign(nil, digest, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, ps := range benchSets {
		b.Run(ps.Name(), func(b *testing.B) {
			k, _ := GenerateKey(ps, nil)
			digest := make([]byte, ps.Size())
			sig, _ := k.Sign(nil, digest, nil)
			pub := k.PublicKey()
			b.ReportAllocs()
			for b.Loop() {
				if !Verify(pub, digest, sig) {
					b.Fatal("invalid")
				}
			}
		})
	}
}

func BenchmarkGenerateKey(b *testing.B) {
	for _, ps := range []*ParamSet{TC26256A, TC26512A} {
		b.Run(ps.Name(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := GenerateKey(ps, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

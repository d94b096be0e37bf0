package ec

import (
	"bytes"
	"encoding/hex"
	"math/big"
	"slices"
	"testing"
)

func hexBE(t testing.TB, size int, s string) []byte {
	t.Helper()
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		t.Fatalf("bad hex %q", s)
	}
	return v.FillBytes(make([]byte, size))
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// reversed returns a copy of b in the opposite byte order (LE ↔ BE).
func reversed(b []byte) []byte {
	r := slices.Clone(b)
	slices.Reverse(r)
	return r
}

// TestRFC7091 checks the two worked examples of RFC 7091 §A.1 and §A.2, as
// restated in FACTS §2.2: Q = d·P and the exact (r, s) for the given d, k, e.
func TestRFC7091(t *testing.T) {
	tests := []struct {
		name                  string
		curve                 *Curve
		d, qx, qy, e, k, r, s string
	}{
		{
			name: "example1-256", curve: Test256(),
			d:  "7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28",
			qx: "7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B",
			qy: "26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA",
			e:  "2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5",
			k:  "77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3",
			r:  "41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493",
			s:  "01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40",
		},
		{
			name: "example2-512", curve: Test512(),
			d:  "0BA6048AADAE241BA40936D47756D7C93091A0E8514669700EE7508E508B102072E8123B2200A0563322DAD2827E2714A2636B7BFD18AADFC62967821FA18DD4",
			qx: "115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1",
			qy: "37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC",
			e:  "3754F3CFACC9E0615C4F4A7C4D8DAB531B09B6F9C170C533A71D147035B0C5917184EE536593F4414339976C647C5D5A407ADEDB1D560C4FC6777D2972075B8C",
			k:  "0359E7F4B1410FEACC570456C6801496946312120B39D019D455986E364F365886748ED7A44B3E794434006011842286212273A6D14CF70EA3AF71BB1AE679F1",
			r:  "2F86FA60A081091A23DD795E1E3C689EE512A3C82EE0DCC2643C78EEA8FCACD35492558486B20F1C9EC197C90699850260C93BCBCD9C5C3317E19344E173AE36",
			s:  "1081B394696FFE8E6585E7A9362D26B6325F56778AADBC081C0BFBE933D52FF5823CE288E8C4F362526080DF7F70CE406A6EEB1F56919CB92A9853BDE73E5B4A",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.curve
			n := c.Size()
			d, k, e := hexBE(t, n, tt.d), hexBE(t, n, tt.k), hexBE(t, n, tt.e)
			x, y, err := c.PublicKey(d)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(x, hexBE(t, n, tt.qx)) || !bytes.Equal(y, hexBE(t, n, tt.qy)) {
				t.Errorf("PublicKey = %x, %x", x, y)
			}
			if err := c.CheckPublicKey(x, y); err != nil {
				t.Errorf("CheckPublicKey: %v", err)
			}
			r, s, err := c.Sign(d, e, k)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(r, hexBE(t, n, tt.r)) || !bytes.Equal(s, hexBE(t, n, tt.s)) {
				t.Errorf("Sign = %x, %x", r, s)
			}
			if !c.Verify(x, y, e, r, s) {
				t.Error("Verify rejected the RFC example")
			}
		})
	}
}

// TestOpenSSLVectors verifies the signatures made by OpenSSL with the GOST
// engine listed in FACTS §2.3. Keys are LE(d), LE(x)‖LE(y); the signature is
// BE(s)‖BE(r); alpha is the digest read little-endian (FACTS §2.1).
func TestOpenSSLVectors(t *testing.T) {
	tests := []struct {
		name                string
		curve               *Curve
		d, pub, digest, sig string
	}{
		{
			name: "tc26-256-A", curve: TC26256A(),
			d:      "9371409bb16730abf5bb6c10d6367b247cc09e5041b56731e492c94a297f6b32",
			pub:    "539181472e31b1577c7fcb583b2aa780010cae587d5832e51a0bafd54988377e021a1d344f52eea9e4e5e78834222b063e94a19f88b1bbb5ce2f5f98292992d0",
			digest: "631318e7583f18cee14f4991c92a217583220982d227c2f8bbcdca02cccf2427",
			sig:    "3f1dea61e3ecbe6df60a7ae04c0be8deafdb2c37628a89a71672efdefe5a862c290957cddbf1274fa63087cbc1789319336b6667bb44204d51800ef593261688",
		},
		{
			name: "tc26-512-A", curve: TC26512A(),
			d:      "fea387835e13019c9f8f3e7a4aea2a73296c60b9c3cf6186452adf977b998744df436d72c30839bfaebef15ab14a79c025056e0a34d88c2f9ba2b419b00cb19f",
			pub:    "0148340b92de0f9c050cd0b783deb0860eb3488132070adcf24b5c5d55a16f34adb84ecc16d7a1c70966ea28a1d5e6f52775f380feb5c875c138148ff3ca3089c320d7eb5e7d172fedf0f8c261358314149f200bd91ab915f38d7b98a1a3db326077a39562bdaa78716a8a512517ba8b77e88778e7c696c736b1e38d615b9ab2",
			digest: "bc3ceb853faa8917f3167ae73870018e402ce60e129b9235eddc1543740a63d08dacb22bace513252ce7bb609107754b1c8b841418de9e7ff3e38ac83417d6d4",
			sig:    "c7ddf38e5c52e85f64ad9bdbd9c9c75ca41e40ef33d0a436953909d4998adb0026f918d4e7d71398ce3e6b82002c669bb20bcdb416249628a2b4016b350b37861adc0d531292ef65a20de50aafc7de0c84d2eeff48a0d1cf1f487e9c4fba11a72aef5c7ea719f381a94c2c3bc5dbbda34c7f591a97bb483b332bba1830bbd49e",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.curve
			n := c.Size()
			d := reversed(unhex(t, tt.d))
			pub := unhex(t, tt.pub)
			x, y := reversed(pub[:n]), reversed(pub[n:])
			alpha := reversed(unhex(t, tt.digest))
			sig := unhex(t, tt.sig)
			s, r := sig[:n], sig[n:]
			gx, gy, err := c.PublicKey(d)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(gx, x) || !bytes.Equal(gy, y) {
				t.Errorf("PublicKey(d) does not match the OpenSSL key")
			}
			if err := c.CheckPublicKey(x, y); err != nil {
				t.Fatal(err)
			}
			if !c.Verify(x, y, alpha, r, s) {
				t.Error("Verify rejected the OpenSSL signature")
			}
			if c.Verify(x, y, reversed(alpha), r, s) {
				t.Error("Verify accepted the digest in the wrong byte order")
			}
		})
	}
}

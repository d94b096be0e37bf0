package gost3410

// Cross-checks with OpenSSL's GOST engine, both ways, on every parameter set.
// The live tests run OpenSSL (required in CI, skipped elsewhere when it is
// missing); the golden tests replay keys and signatures OpenSSL made, recorded
// in testdata/openssl by `go test -run TestOpenSSLGolden -update`.

import (
	"bytes"
	"encoding/pem"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/podpis/podpis/internal/osslgost"
)

var update = flag.Bool("update", false, "re-record testdata/openssl from OpenSSL")

var goldenMessage = []byte("Подпись по ГОСТ Р 34.10-2012\n")

func mdFlag(ps *ParamSet) string {
	if ps.Size() == 64 {
		return "-md_gost12_512"
	}
	return "-md_gost12_256"
}

func algName(ps *ParamSet) string {
	if ps.Size() == 64 {
		return "gost2012_512"
	}
	return "gost2012_256"
}

// engineParamSet is the engine's -pkeyopt paramset: name of ps (FACTS §3.1);
// the engine takes OIDs only for some sets.
func engineParamSet(ps *ParamSet) string {
	names := map[*ParamSet]string{
		CryptoProTest: "0", CryptoProA: "A", CryptoProB: "B", CryptoProC: "C", CryptoProXchA: "XA", CryptoProXchB: "XB",
		TC26256A: "TCA", TC26256B: "TCB", TC26256C: "TCC", TC26256D: "TCD",
		TC26512A: "A", TC26512B: "B", TC26512C: "C", TC26512Test: ps.OID().String(),
	}
	return "paramset:" + names[ps]
}

func pemBlock(t *testing.T, typ string, der []byte) []byte {
	t.Helper()
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func derOf(t *testing.T, pemBytes []byte, typ string) []byte {
	t.Helper()
	b, _ := pem.Decode(pemBytes)
	if b == nil || b.Type != typ {
		t.Fatalf("no %s PEM in %q", typ, pemBytes)
	}
	return b.Bytes
}

func writeTemp(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestOpenSSLKeysAndSignatures: OpenSSL's keys are read by us and written back
// byte for byte, and OpenSSL's signatures verify with us.
func TestOpenSSLKeysAndSignatures(t *testing.T) {
	osslgost.Require(t)
	for _, ps := range ParamSets() {
		t.Run(ps.Name(), func(t *testing.T) {
			dir := t.TempDir()
			keyPEM := osslgost.Run(t, nil, "genpkey", "-algorithm", algName(ps), "-pkeyopt", engineParamSet(ps))
			keyFile := writeTemp(t, dir, "key.pem", keyPEM)
			pubPEM := osslgost.Run(t, nil, "pkey", "-in", keyFile, "-pubout")
			msgFile := writeTemp(t, dir, "msg", goldenMessage)
			sig := osslgost.Run(t, nil, "dgst", mdFlag(ps), "-sign", keyFile, msgFile)
			checkOpenSSLArtifacts(t, ps, keyPEM, pubPEM, sig)
		})
	}
}

func checkOpenSSLArtifacts(t *testing.T, ps *ParamSet, keyPEM, pubPEM, sig []byte) {
	t.Helper()
	keyDER, pubDER := derOf(t, keyPEM, "PRIVATE KEY"), derOf(t, pubPEM, "PUBLIC KEY")
	k, err := ParsePKCS8PrivateKey(keyDER)
	if err != nil {
		t.Fatal(err)
	}
	if k.ParamSet() != ps {
		t.Fatalf("parameter set %s, want %s", k.ParamSet().Name(), ps.Name())
	}
	pub, err := ParsePKIXPublicKey(pubDER)
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(k.PublicKey()) {
		t.Fatal("OpenSSL's public key differs from the one we compute from its private key")
	}
	if der, _ := MarshalPKCS8PrivateKey(k); !bytes.Equal(der, keyDER) {
		t.Fatalf("our PKCS#8 differs from OpenSSL's:\n ours %x\n its  %x", der, keyDER)
	}
	if der, _ := MarshalPKIXPublicKey(pub); !bytes.Equal(der, pubDER) {
		t.Fatalf("our SPKI differs from OpenSSL's:\n ours %x\n its  %x", der, pubDER)
	}
	if !VerifyMessage(pub, goldenMessage, sig) {
		t.Fatal("OpenSSL's signature rejected")
	}
	if VerifyMessage(pub, append(bytes.Clone(goldenMessage), '!'), sig) {
		t.Fatal("OpenSSL's signature accepted over another message")
	}
}

// TestOurKeysAndSignaturesInOpenSSL: OpenSSL reads our keys (and the other
// private-key forms of FACTS §4.2 that we read) and verifies our signatures.
func TestOurKeysAndSignaturesInOpenSSL(t *testing.T) {
	osslgost.Require(t)
	for _, ps := range ParamSets() {
		t.Run(ps.Name(), func(t *testing.T) {
			dir := t.TempDir()
			k, err := GenerateKey(ps, nil)
			if err != nil {
				t.Fatal(err)
			}
			keyDER, _ := MarshalPKCS8PrivateKey(k)
			pubDER, _ := MarshalPKIXPublicKey(k.PublicKey())
			keyFile := writeTemp(t, dir, "key.pem", pemBlock(t, "PRIVATE KEY", keyDER))
			if got := osslgost.Run(t, nil, "pkey", "-in", keyFile, "-pubout", "-outform", "DER"); !bytes.Equal(got, pubDER) {
				t.Fatalf("OpenSSL derives another public key from our private key:\n its  %x\n ours %x", got, pubDER)
			}
			pubFile := writeTemp(t, dir, "pub.pem", pemBlock(t, "PUBLIC KEY", pubDER))
			msgFile := writeTemp(t, dir, "msg", goldenMessage)
			sig, err := k.SignMessage(nil, goldenMessage, nil)
			if err != nil {
				t.Fatal(err)
			}
			sigFile := writeTemp(t, dir, "sig", sig)
			out := osslgost.Run(t, nil, "dgst", mdFlag(ps), "-verify", pubFile, "-signature", sigFile, msgFile)
			if !bytes.Contains(out, []byte("Verified OK")) {
				t.Fatalf("OpenSSL: %s", out)
			}
			sig[len(sig)-1] ^= 1
			writeTemp(t, dir, "sig", sig)
			if out, err := osslgost.Try(t, nil, "dgst", mdFlag(ps), "-verify", pubFile, "-signature", sigFile, msgFile); err == nil {
				t.Fatalf("OpenSSL accepted a corrupted signature: %s", out)
			}
			// Other private-key forms: both OpenSSL and we must get the same key.
			for form, der := range alternateForms(t, k) {
				got, err := ParsePKCS8PrivateKey(der)
				if err != nil || !got.Equal(k) {
					t.Fatalf("%s form: we read %v", form, err)
				}
				f := writeTemp(t, dir, form+".der", der)
				if pub := osslgost.Run(t, nil, "pkey", "-inform", "DER", "-in", f, "-pubout", "-outform", "DER"); !bytes.Equal(pub, pubDER) {
					t.Fatalf("%s form: OpenSSL derives another public key", form)
				}
			}
		})
	}
}

var goldenSets = []*ParamSet{TC26256A, TC26256B, TC26256C, TC26256D, TC26512A, TC26512B, TC26512C,
	CryptoProA, CryptoProB, CryptoProC, CryptoProXchA, CryptoProXchB, CryptoProTest, TC26512Test}

// TestOpenSSLGolden replays keys and signatures recorded from OpenSSL, with no
// OpenSSL needed; -update records them anew.
func TestOpenSSLGolden(t *testing.T) {
	for _, ps := range goldenSets {
		t.Run(ps.Name(), func(t *testing.T) {
			dir := filepath.Join("testdata", "openssl", ps.Name())
			if *update {
				osslgost.Require(t)
				tmp := t.TempDir()
				keyPEM := osslgost.Run(t, nil, "genpkey", "-algorithm", algName(ps), "-pkeyopt", engineParamSet(ps))
				keyFile := writeTemp(t, tmp, "key.pem", keyPEM)
				msgFile := writeTemp(t, tmp, "msg", goldenMessage)
				files := map[string][]byte{
					"key.pem": keyPEM,
					"pub.pem": osslgost.Run(t, nil, "pkey", "-in", keyFile, "-pubout"),
					"msg.sig": osslgost.Run(t, nil, "dgst", mdFlag(ps), "-sign", keyFile, msgFile),
				}
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				for name, data := range files {
					writeTemp(t, dir, name, data)
				}
			}
			read := func(name string) []byte {
				b, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatalf("%v (record with -update)", err)
				}
				return b
			}
			checkOpenSSLArtifacts(t, ps, read("key.pem"), read("pub.pem"), read("msg.sig"))
		})
	}
}

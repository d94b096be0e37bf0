package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/internal/osslgost"
	"github.com/podpis/podpis/pki"
)

var update = flag.Bool("update", false, "rewrite the OpenSSL-made golden files in testdata/openssl from live OpenSSL")

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func certPEM(c *pki.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// ourSets are the parameter sets of the podpis → OpenSSL matrix: every set
// the GOST engine generates keys on.
var ourSets = []*gost3410.ParamSet{
	gost3410.CryptoProA, gost3410.CryptoProB, gost3410.CryptoProC, gost3410.CryptoProXchA,
	gost3410.TC26256A, gost3410.TC26256B, gost3410.TC26256C, gost3410.TC26256D,
	gost3410.TC26512A, gost3410.TC26512B, gost3410.TC26512C,
}

// TestOpenSSLVerifiesPodpis: `openssl cms -verify` with the GOST engine
// accepts what Sign and AddSigner write, detached and attached, with the
// chain to our CA, on every parameter set.
func TestOpenSSLVerifiesPodpis(t *testing.T) {
	osslgost.Require(t)
	sets := ourSets
	if testing.Short() {
		sets = []*gost3410.ParamSet{gost3410.CryptoProA, gost3410.TC26512A}
	}
	dir := t.TempDir()
	data := writeFile(t, dir, "content.bin", content)
	for _, ps := range sets {
		p := gostPKI(t, ps)
		ca := writeFile(t, dir, ps.Name()+"-ca.pem", certPEM(p.ca))
		for _, detached := range []bool{true, false} {
			sig, err := Sign(bytes.NewReader(content), p.config(), SignOptions{Detached: detached})
			if err != nil {
				t.Fatal(err)
			}
			name := ps.Name() + map[bool]string{true: "-detached.p7s", false: "-attached.p7s"}[detached]
			in := writeFile(t, dir, name, sig)
			args := []string{"cms", "-verify", "-binary", "-inform", "DER", "-in", in, "-CAfile", ca, "-purpose", "any", "-out", filepath.Join(dir, "out")}
			if detached {
				args = append(args, "-content", data)
			}
			if _, err := osslgost.Try(t, nil, args...); err != nil {
				t.Errorf("%s: OpenSSL refused: %v", name, err)
				continue
			}
			if !detached {
				if got := readFile(t, filepath.Join(dir, "out")); !bytes.Equal(got, content) {
					t.Errorf("%s: OpenSSL extracted %q", name, got)
				}
			}
		}
	}

	t.Run("cmsout -print", func(t *testing.T) {
		p := gostPKI(t, gost3410.CryptoProA)
		sig, _ := Sign(bytes.NewReader(content), p.config(), SignOptions{Detached: true})
		out := string(osslgost.Run(t, sig, "cms", "-cmsout", "-print", "-inform", "DER", "-noout"))
		for _, want := range []string{"contentType", "signingTime", "messageDigest", "id-smime-aa-signingCertificateV2",
			"GOST R 34.11-2012 with 256 bit hash", "GOST R 34.10-2012 with 256 bit modulus (1.2.643.7.1.1.1.1)",
			"version: 1", "issuerAndSerialNumber"} {
			if !strings.Contains(out, want) {
				t.Errorf("openssl cms -print output lacks %q", want)
			}
		}
		if t.Failed() {
			t.Log(out)
		}
	})

	t.Run("co-signed", func(t *testing.T) {
		a, b := gostPKI(t, gost3410.CryptoProA), gostPKI(t, gost3410.TC26512A)
		first, _ := Sign(bytes.NewReader(content), a.config(), SignOptions{Detached: true})
		both, err := AddSigner(first, bytes.NewReader(content), b.config())
		if err != nil {
			t.Fatal(err)
		}
		in := writeFile(t, dir, "cosigned.p7s", both)
		cas := writeFile(t, dir, "cas.pem", append(certPEM(a.ca), certPEM(b.ca)...))
		osslgost.Run(t, nil, "cms", "-verify", "-binary", "-inform", "DER", "-in", in, "-content", data,
			"-CAfile", cas, "-purpose", "any", "-out", filepath.Join(dir, "out"))
	})

	t.Run("ecdsa", func(t *testing.T) {
		p := cachedPKI(t, "p-256", func() crypto.Signer { k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader); return k })
		sig, _ := Sign(bytes.NewReader(content), p.config(), SignOptions{Detached: true})
		in := writeFile(t, dir, "ecdsa.p7s", sig)
		ca := writeFile(t, dir, "ecdsa-ca.pem", certPEM(p.ca))
		osslgost.Run(t, nil, "cms", "-verify", "-binary", "-inform", "DER", "-in", in, "-content", data,
			"-CAfile", ca, "-purpose", "any", "-out", filepath.Join(dir, "out"))
	})
}

// opensslSigners are the key types of the OpenSSL → podpis golden files.
var opensslSigners = []struct{ dir, alg, paramset, md string }{
	{"256-cryptopro-a", "gost2012_256", "A", "md_gost12_256"},
	{"512-a", "gost2012_512", "A", "md_gost12_512"},
}

// opensslVariants are the `openssl cms -sign` flag sets of the golden files.
// -stream with DER output writes BER with indefinite lengths and a
// constructed eContent; OpenSSL 3.0 then always attaches the content.
var opensslVariants = []struct {
	name     string
	flags    []string
	attached bool
	noAttrs  bool
	ski      bool
	ber      bool
	cades    bool
}{
	{name: "detached"},
	{name: "cades", flags: []string{"-cades"}, cades: true},
	{name: "nodetach", flags: []string{"-nodetach"}, attached: true},
	{name: "stream", flags: []string{"-stream"}, attached: true, ber: true},
	{name: "stream-cades", flags: []string{"-stream", "-cades"}, attached: true, ber: true, cades: true},
	{name: "noattr", flags: []string{"-noattr"}, noAttrs: true},
	{name: "nodetach-noattr", flags: []string{"-nodetach", "-noattr"}, attached: true, noAttrs: true},
	{name: "keyid-cades", flags: []string{"-keyid", "-cades"}, ski: true, cades: true},
}

const opensslCertConfig = `[req]
distinguished_name = dn
string_mask = utf8only
utf8 = yes
[dn]
[ca_ext]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf_ext]
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`

// makeOpenSSLSignatures has OpenSSL make, in dir, a CA and a leaf (req -x509,
// req -new | x509 -req) and one signature of content.bin per variant.
func makeOpenSSLSignatures(t *testing.T, dir, alg, paramset, md string) {
	t.Helper()
	work := t.TempDir()
	cnf := writeFile(t, work, "openssl.cnf", []byte(opensslCertConfig))
	in := func(name string) string { return filepath.Join(work, name) }
	out := func(name string) string { return filepath.Join(dir, name) }
	run := func(args ...string) { t.Helper(); osslgost.Run(t, nil, args...) }
	writeFile(t, dir, "content.bin", content)
	run("genpkey", "-algorithm", alg, "-pkeyopt", "paramset:"+paramset, "-out", in("ca.key"))
	run("genpkey", "-algorithm", alg, "-pkeyopt", "paramset:"+paramset, "-out", in("leaf.key"))
	run("req", "-x509", "-new", "-config", cnf, "-extensions", "ca_ext", "-key", in("ca.key"), "-"+md,
		"-subj", "/CN=OpenSSL test CA/O=podpis/C=RU", "-days", "3650", "-set_serial", "1", "-out", out("ca.pem"))
	run("req", "-new", "-config", cnf, "-key", in("leaf.key"), "-"+md, "-subj", "/CN=Подписант OpenSSL/C=RU", "-out", in("leaf.csr"))
	run("x509", "-req", "-in", in("leaf.csr"), "-CA", out("ca.pem"), "-CAkey", in("ca.key"), "-"+md,
		"-extfile", cnf, "-extensions", "leaf_ext", "-set_serial", "4242", "-days", "3650", "-out", out("leaf.pem"))
	for _, v := range opensslVariants {
		args := []string{"cms", "-sign", "-binary", "-in", out("content.bin"), "-signer", out("leaf.pem"), "-inkey", in("leaf.key"),
			"-md", md, "-outform", "DER", "-out", out(v.name + ".p7s")}
		run(append(args, v.flags...)...)
	}
}

// TestPodpisVerifiesOpenSSL replays the golden signatures OpenSSL made
// (testdata/openssl; -update rewrites them), and, where OpenSSL is
// installed, fresh ones made now.
func TestPodpisVerifiesOpenSSL(t *testing.T) {
	for _, s := range opensslSigners {
		golden := filepath.Join("testdata", "openssl", s.dir)
		if *update {
			os.MkdirAll(golden, 0o755)
			makeOpenSSLSignatures(t, golden, s.alg, s.paramset, s.md)
		}
		t.Run("golden/"+s.dir, func(t *testing.T) { checkOpenSSLSignatures(t, golden) })
		t.Run("live/"+s.dir, func(t *testing.T) {
			osslgost.Require(t)
			if testing.Short() {
				t.Skip("-short")
			}
			dir := t.TempDir()
			makeOpenSSLSignatures(t, dir, s.alg, s.paramset, s.md)
			checkOpenSSLSignatures(t, dir)
		})
	}
}

func checkOpenSSLSignatures(t *testing.T, dir string) {
	ca, err := pki.ParseCertificates(readFile(t, filepath.Join(dir, "ca.pem")))
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := pki.ParseCertificates(readFile(t, filepath.Join(dir, "leaf.pem")))
	if err != nil {
		t.Fatal(err)
	}
	data := readFile(t, filepath.Join(dir, "content.bin"))
	for _, v := range opensslVariants {
		t.Run(v.name, func(t *testing.T) {
			sig := readFile(t, filepath.Join(dir, v.name+".p7s"))
			sd, err := Parse(sig)
			if err != nil {
				t.Fatal(err)
			}
			if isBER := !bytes.Equal(sd.Raw, sig); isBER != v.ber {
				t.Errorf("BER=%v", isBER)
			}
			if sd.Detached == v.attached {
				t.Fatalf("detached=%v", sd.Detached)
			}
			var opts VerifyOptions
			if !v.attached {
				opts.Content = bytes.NewReader(data)
			}
			res, err := sd.Verify(opts)
			if err != nil {
				t.Fatal(err)
			}
			wantCodes(t, res, OK)
			r := res.Signers[0]
			if !r.Certificate.Equal(leaf[0]) {
				t.Error("signer certificate is not the leaf")
			}
			if r.Attributes.Present == v.noAttrs {
				t.Errorf("signed attributes present=%v", r.Attributes.Present)
			}
			if (r.Signer.SID.SubjectKeyID != nil) != v.ski {
				t.Errorf("sid %v", r.Signer.SID)
			}
			if id := r.Attributes.SigningCertificate; (id != nil) != v.cades || (id != nil && (!id.Matches || !id.V2)) {
				t.Errorf("signingCertificateV2 %+v", id)
			}
			// Co-signing OpenSSL's signature keeps its SignerInfo.
			p := gostPKI(t, gost3410.CryptoProA)
			var c io.Reader
			if !v.attached {
				c = bytes.NewReader(data)
			}
			both, err := AddSigner(sig, c, p.config())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(both, sd.Signers[0].Raw) {
				t.Error("co-signing changed OpenSSL's SignerInfo")
			}
			opts = VerifyOptions{}
			if !v.attached {
				opts.Content = bytes.NewReader(data)
			}
			wantCodes(t, mustVerify(t, both, opts), OK, OK)
		})
	}
	// OpenSSL's certificates chain in podpis.
	roots := pki.NewCertPool()
	roots.AddCert(ca[0])
	if _, err := leaf[0].Verify(pki.VerifyOptions{Roots: roots}); err != nil {
		t.Errorf("OpenSSL's leaf does not chain: %v", err)
	}
}

package pki

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/internal/osslgost"
)

var update = flag.Bool("update", false, "rewrite the OpenSSL-made golden files in testdata/openssl from live OpenSSL")

// opensslSets are the GOST engine key types and parameter sets of the
// OpenSSL-made golden files (FACTS §3.1 for the engine's paramset names).
var opensslSets = []struct {
	dir, alg, paramset string
	ps                 *gost3410.ParamSet
}{
	{"256-cryptopro-a", "gost2012_256", "A", gost3410.CryptoProA},
	{"256-tc26-a", "gost2012_256", "TCA", gost3410.TC26256A},
	{"512-a", "gost2012_512", "A", gost3410.TC26512A},
	{"512-c", "gost2012_512", "C", gost3410.TC26512C},
}

// opensslConfig names INNLE, which OpenSSL 3.0's object table lacks, and
// asks for UTF-8 names; the file also configures `openssl ca`.
const opensslConfig = `oid_section = new_oids
[new_oids]
INNLE = 1.2.643.100.4
[req]
distinguished_name = dn
string_mask = utf8only
utf8 = yes
[dn]
[ca]
default_ca = CA_default
[CA_default]
database = index.txt
crlnumber = crlnumber
certificate = ca.pem
private_key = ca.key
default_md = default
default_crl_days = 30
crl_extensions = crl_ext
[crl_ext]
authorityKeyIdentifier = keyid
[leaf_ext]
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = clientAuth,emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
certificatePolicies = 1.2.643.100.113.1,1.2.643.100.113.2
`

// makeOpenSSLArtefacts has OpenSSL make, in dir, a self-signed CA (req -x509),
// a leaf request (req -new), the leaf certificate (x509 -req) and a CRL
// revoking the leaf (ca -revoke, ca -gencrl). Keys stay in a temporary
// directory; only ca.pem, leaf.csr, leaf.pem and ca.crl are written to dir.
func makeOpenSSLArtefacts(t *testing.T, dir, alg, paramset string) {
	work := t.TempDir()
	in := func(name string) string { return filepath.Join(work, name) }
	if err := os.WriteFile(in("openssl.cnf"), []byte(opensslConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(in("index.txt"), nil, 0o600)
	os.WriteFile(in("crlnumber"), []byte("01\n"), 0o600)
	run := func(args ...string) {
		t.Helper()
		// openssl ca resolves the file names of its configuration
		// relative to the working directory; pass absolute paths instead.
		osslgost.Run(t, nil, args...)
	}
	for _, k := range []string{"ca.key", "leaf.key"} {
		run("genpkey", "-algorithm", alg, "-pkeyopt", "paramset:"+paramset, "-out", in(k))
	}
	run("req", "-x509", "-new", "-config", in("openssl.cnf"), "-key", in("ca.key"), "-days", "7300", "-set_serial", "1",
		"-subj", "/C=RU/ST=77 г. Москва/L=г. Москва/O=ООО «Тест»/INNLE=7707083893/OGRN=1027700132195/CN=Тестовый УЦ OpenSSL",
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
		"-addext", "subjectKeyIdentifier=hash", "-out", in("ca.pem"))
	run("req", "-new", "-config", in("openssl.cnf"), "-key", in("leaf.key"),
		"-subj", "/C=RU/SN=Иванов/GN=Иван Иванович/SNILS=11223344595/INN=500100732259/CN=Иванов Иван Иванович",
		"-addext", "keyUsage=critical,digitalSignature,nonRepudiation", "-out", in("leaf.csr"))
	run("x509", "-req", "-in", in("leaf.csr"), "-CA", in("ca.pem"), "-CAkey", in("ca.key"), "-set_serial", "2", "-days", "3650",
		"-extfile", in("openssl.cnf"), "-extensions", "leaf_ext", "-out", in("leaf.pem"))
	conf := strings.NewReplacer("= index.txt", "= "+in("index.txt"), "= crlnumber", "= "+in("crlnumber"),
		"= ca.pem", "= "+in("ca.pem"), "= ca.key", "= "+in("ca.key")).Replace(opensslConfig)
	if err := os.WriteFile(in("ca.cnf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	run("ca", "-config", in("ca.cnf"), "-revoke", in("leaf.pem"), "-crl_reason", "keyCompromise")
	run("ca", "-config", in("ca.cnf"), "-gencrl", "-out", in("ca.crl"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"ca.pem", "leaf.csr", "leaf.pem", "ca.crl"} {
		b, err := os.ReadFile(in(f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkOpenSSLArtefacts parses and verifies what makeOpenSSLArtefacts made.
func checkOpenSSLArtefacts(t *testing.T, dir string, ps *gost3410.ParamSet) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cas, err := ParseCertificates(read("ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	leaves, err := ParseCertificates(read("leaf.pem"))
	if err != nil {
		t.Fatal(err)
	}
	ca, leaf := cas[0], leaves[0]
	if k, ok := leaf.PublicKey.(*gost3410.PublicKey); !ok || k.ParamSet() != ps {
		t.Errorf("leaf key %v, want %s", leaf.PublicKey, ps.Name())
	}
	if err := ca.CheckSignatureFrom(ca); err != nil {
		t.Errorf("CA self-signature: %v", err)
	}
	// OpenSSL writes NULL signature parameters (FACTS §4.3).
	if !bytes.Equal(leaf.SignatureAlgorithmID.Parameters.FullBytes, []byte{5, 0}) {
		t.Errorf("signature parameters % x, want NULL", leaf.SignatureAlgorithmID.Parameters.FullBytes)
	}
	chains, err := leaf.Verify(VerifyOptions{Roots: pool(ca), CurrentTime: leaf.NotBefore.Add(time.Hour),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}})
	if err != nil || len(chains) != 1 || len(chains[0]) != 2 {
		t.Fatalf("Verify = %v, %v", chains, err)
	}
	n := leaf.SubjectName
	if n.SNILS != "11223344595" || n.INN != "500100732259" || n.Surname != "Иванов" || n.GivenName != "Иван Иванович" ||
		n.CommonName != "Иванов Иван Иванович" || ca.SubjectName.INNLE != "7707083893" || ca.SubjectName.OGRN != "1027700132195" {
		t.Errorf("names: %+v / %+v", n, ca.SubjectName)
	}
	if want := []SignToolClass{KC1, KC2}; fmt.Sprint(leaf.SignToolClasses) != fmt.Sprint(want) {
		t.Errorf("SignToolClasses = %v", leaf.SignToolClasses)
	}

	csr, err := ParseCertificateRequest(read("leaf.csr"))
	if err != nil {
		t.Fatal(err)
	}
	if err := csr.CheckSignature(); err != nil {
		t.Errorf("CSR signature: %v", err)
	}
	if csr.SubjectName.SNILS != "11223344595" || !leaf.PublicKey.(*gost3410.PublicKey).Equal(csr.PublicKey) {
		t.Errorf("CSR subject %+v", csr.SubjectName)
	}

	crl, err := ParseRevocationList(read("ca.crl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := crl.CheckSignatureFrom(ca); err != nil {
		t.Errorf("CRL signature: %v", err)
	}
	if len(crl.RevokedCertificateEntries) != 1 || crl.RevokedCertificateEntries[0].SerialNumber.Cmp(leaf.SerialNumber) != 0 ||
		crl.RevokedCertificateEntries[0].ReasonCode != 1 {
		t.Errorf("CRL entries %+v", crl.RevokedCertificateEntries)
	}
	if err := crl.CheckSignatureFrom(leaf); !errors.Is(err, ErrNotIssuer) {
		t.Errorf("CRL by the leaf: %v", err)
	}
}

// TestOpenSSLGolden replays the OpenSSL-made certificates, requests and
// CRLs recorded in testdata/openssl (rewritten only with -update).
func TestOpenSSLGolden(t *testing.T) {
	for _, s := range opensslSets {
		t.Run(s.dir, func(t *testing.T) {
			dir := filepath.Join("testdata", "openssl", s.dir)
			if *update {
				osslgost.Require(t)
				makeOpenSSLArtefacts(t, dir, s.alg, s.paramset)
			}
			checkOpenSSLArtefacts(t, dir, s.ps)
		})
	}
}

// TestOpenSSLMadeLive has OpenSSL make fresh artefacts and checks them.
func TestOpenSSLMadeLive(t *testing.T) {
	osslgost.Require(t)
	for _, s := range opensslSets {
		if testing.Short() && s.dir != "256-cryptopro-a" {
			continue
		}
		t.Run(s.dir, func(t *testing.T) {
			dir := t.TempDir()
			makeOpenSSLArtefacts(t, dir, s.alg, s.paramset)
			checkOpenSSLArtefacts(t, dir, s.ps)
		})
	}
}

func writePEM(t *testing.T, path, typ string, der []byte) string {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestOpenSSLAcceptsOurs has OpenSSL check a root → intermediate → leaf
// chain, a request and a CRL made by podpis on every parameter set:
// openssl verify, req -verify and crl -CAfile (PROVENANCE.md §7 commands).
func TestOpenSSLAcceptsOurs(t *testing.T) {
	osslgost.Require(t)
	for _, ps := range gost3410.ParamSets() {
		t.Run(ps.Name(), func(t *testing.T) {
			dir := t.TempDir()
			// The CA keys use a parameter set of the other size, so
			// that 256-bit keys sign 512-bit ones and back.
			caPS := gost3410.TC26512A
			if ps.Size() == 64 {
				caPS = gost3410.CryptoProA
			}
			root := issue(t, caTemplate("Корневой УЦ", 1), nil, gostKey(t, ps))
			inter := issue(t, caTemplate("Подчинённый УЦ", 2), root, gostKey(t, caPS))
			key := gostKey(t, ps)
			tmpl := fullTemplate()
			tmpl.NotAfter = t0.AddDate(1, 0, 0)
			leaf := issue(t, tmpl, inter, key)
			rootPEM := writePEM(t, filepath.Join(dir, "root.pem"), "CERTIFICATE", root.cert.Raw)
			interPEM := writePEM(t, filepath.Join(dir, "inter.pem"), "CERTIFICATE", inter.cert.Raw)
			leafPEM := writePEM(t, filepath.Join(dir, "leaf.pem"), "CERTIFICATE", leaf.cert.Raw)
			at := fmt.Sprint(t0.Unix())
			out := osslgost.Run(t, nil, "verify", "-attime", at, "-CAfile", rootPEM, "-untrusted", interPEM, leafPEM)
			if !bytes.Contains(out, []byte(": OK")) {
				t.Errorf("openssl verify: %s", out)
			}
			subj := osslgost.Run(t, nil, "x509", "-in", leafPEM, "-noout", "-subject", "-nameopt", "RFC2253,-esc_msb")
			for _, want := range []string{"SNILS=11223344595", "INN=500100732259", "CN=ООО «Ромашка»", "street=ул. Сущёвский вал\\, д. 18"} {
				if !bytes.Contains(subj, []byte(want)) {
					t.Errorf("openssl reads subject %s, lacks %s", subj, want)
				}
			}

			csrDER, err := CreateCertificateRequest(&RequestTemplate{Subject: tmpl.Subject, KeyUsage: tmpl.KeyUsage,
				ExtKeyUsage: tmpl.ExtKeyUsage, SignToolClasses: []SignToolClass{KC1}, SubjectSignTool: tmpl.SubjectSignTool}, key)
			if err != nil {
				t.Fatal(err)
			}
			csrPEM := writePEM(t, filepath.Join(dir, "leaf.csr"), "CERTIFICATE REQUEST", csrDER)
			if _, err := osslgost.Try(t, nil, "req", "-verify", "-noout", "-in", csrPEM); err != nil {
				t.Errorf("openssl req -verify: %v", err)
			}

			crlDER, err := CreateRevocationList(&CRLTemplate{Number: big.NewInt(7), ThisUpdate: t0, NextUpdate: t0.AddDate(0, 0, 7),
				Revoked: []RevokedCertificate{{SerialNumber: leaf.cert.SerialNumber, RevocationTime: t0.Add(-time.Hour), ReasonCode: 1}}}, root.cert, root.key)
			if err != nil {
				t.Fatal(err)
			}
			crlPEM := writePEM(t, filepath.Join(dir, "root.crl"), "X509 CRL", crlDER)
			if _, err := osslgost.Try(t, nil, "crl", "-noout", "-in", crlPEM, "-CAfile", rootPEM); err != nil {
				t.Errorf("openssl crl -CAfile: %v", err)
			}
		})
	}
}

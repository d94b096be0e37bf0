package cms

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/internal/ber"
	"github.com/podpis/podpis/pki"
)

// realCMS are the expectations for every file in realworld/cms, from
// PROVENANCE.md §3. The PDF signatures' content (the PDFs' ByteRange) is not
// there, so they verify up to CONTENT_MISSING with a valid signature.
var realCMS = map[string]struct {
	code     Code
	content  []byte // attached content, or detached content given
	certs    []string
	attached bool
	ber      bool
	noAttrs  bool
	other    string // an unrecognised signed attribute that must be kept
}{
	"cryptopro-cades-bes-attached-qwerty.p7s":     {code: OK, content: []byte("qwerty"), attached: true},
	"cryptopro-cadescom-bes-attached-utf16le.p7s": {code: OK, content: utf16le("Test data to be signed"), attached: true},
	"pdf-cryptoarm-bes-ber-indefinite.p7s":        {code: ContentMissing, ber: true},
	"pdf-cryptoarm-cades-t.p7s":                   {code: ContentMissing},
	"pdf-cryptoarm-cades-xlt1.p7s":                {code: ContentMissing},
	"pdf-cryptoarm-cades-a.p7s":                   {code: ContentMissing},
	"pdf-fns-egrul-nosignedattrs.p7s":             {code: ContentMissing, noAttrs: true},
	"rutoken-bc-detached-256B.p7s":                {code: OK, content: []byte{1, 2, 3}, other: "1.2.840.113549.1.9.52"},
	"tc26-2019-signed-a111-512-attrs.pem":         {code: OK, attached: true, other: "1.2.840.113549.1.9.98"},
	"tc26-2019-signed-a121-256-noattrs.pem":       {code: OK, attached: true, noAttrs: true},
	"tk26cms-2013-signed-256.der":                 {code: OK, content: []byte("Test message"), attached: true, noAttrs: true, certs: []string{"tk26iok-2013-256-xcha.der"}},
	"tk26cms-2013-signed-512.der":                 {code: OK, content: []byte("Test message"), attached: true, noAttrs: true, certs: []string{"tk26iok-2013-512-b.der"}},
}

func utf16le(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

func TestRealWorldCMS(t *testing.T) {
	dir := realworld(t, "cms")
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no files in %s: %v", dir, err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		if filepath.Ext(name) == ".content" {
			continue
		}
		want, ok := realCMS[name]
		if !ok {
			t.Errorf("%s: new file without an expectation; add it to realCMS", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			data := readFile(t, f)
			sd, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if (sd.Detached == want.attached) || (want.attached && want.content != nil && !bytes.Equal(sd.Content, want.content)) {
				t.Fatalf("detached=%v content %q", sd.Detached, sd.Content)
			}
			if isBER := data[0] == 0x30 && !bytes.Equal(sd.Raw, data[:len(sd.Raw)]); isBER != want.ber {
				t.Errorf("BER=%v", isBER)
			}
			var opts VerifyOptions
			if !want.attached && want.content != nil {
				opts.Content = bytes.NewReader(want.content)
			}
			for _, c := range want.certs {
				opts.Certificates = append(opts.Certificates, realCert(t, c))
			}
			res, err := sd.Verify(opts)
			if err != nil {
				t.Fatal(err)
			}
			wantCodes(t, res, want.code)
			s := res.Signers[0]
			// Without signed attributes and content nothing can be checked.
			if canCheck := !(want.noAttrs && want.code == ContentMissing); s.SignatureValid != canCheck {
				t.Errorf("SignatureValid=%v: %s", s.SignatureValid, s.Detail)
			}
			if s.Attributes.Present == want.noAttrs {
				t.Errorf("signed attributes present=%v", s.Attributes.Present)
			}
			if !want.noAttrs && s.Attributes.SigningTime.IsZero() {
				t.Error("no signing time")
			}
			if id := s.Attributes.SigningCertificate; id != nil && !id.Matches {
				t.Error("signingCertificateV2 does not match")
			}
			if want.other != "" {
				found := false
				for _, a := range s.Attributes.Other {
					found = found || a.Type.String() == want.other
				}
				if !found {
					t.Errorf("attribute %s not reported", want.other)
				}
			}
			if len(want.certs) > 0 {
				// Without the extra certificate the signer is not found.
				res, _ := sd.Verify(VerifyOptions{})
				wantCodes(t, res, SignerCertNotFound)
			}
		})
	}
}

func realCert(t *testing.T, name string) *pki.Certificate {
	t.Helper()
	cs, err := pki.ParseCertificates(readFile(t, realworld(t, "certs", name)))
	if err != nil || len(cs) != 1 {
		t.Fatalf("%s: %v", name, err)
	}
	return cs[0]
}

// The FNS signature has no signed attributes: its signature covers the
// digest of the PDF, recorded in vectors/raw-signature-vectors.txt.
func TestRealWorldFNSDigest(t *testing.T) {
	data := readFile(t, realworld(t, "cms", "pdf-fns-egrul-nosignedattrs.p7s"))
	vectors := readFile(t, realworld(t, "vectors", "raw-signature-vectors.txt"))
	m := regexp.MustCompile(`fns\.content\.digest\s*=\s*([0-9a-f]{64})`).FindSubmatch(vectors)
	if m == nil {
		t.Fatal("fns.content.digest not in the vectors file")
	}
	digest, _ := hex.DecodeString(string(m[1]))
	res := mustVerify(t, data, VerifyOptions{ContentDigests: map[string][]byte{pki.OIDStreebog256.String(): digest}})
	wantCodes(t, res, OK)
	if got := res.Signers[0].Signer.SignatureAlgorithm.Algorithm; !got.Equal(pki.OIDGOSTSig256) {
		t.Errorf("signatureAlgorithm %v, want the signwithdigest OID", got)
	}
	digest[0] ^= 1
	wantCodes(t, mustVerify(t, data, VerifyOptions{ContentDigests: map[string][]byte{pki.OIDStreebog256.String(): digest}}), SignatureInvalid)
}

// The two real PDFs carry their content: the CMS in /Contents signs the
// ByteRange, which is streamed to Verify.
func TestRealWorldPDFSignatures(t *testing.T) {
	for _, name := range []string{"okular-gost-bes.pdf", "acrobat-cryptopro-cades-xlt1.pdf"} {
		t.Run(name, func(t *testing.T) {
			pdf := readFile(t, realworld(t, "pdf", name))
			m := regexp.MustCompile(`/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]`).FindSubmatch(pdf)
			if m == nil {
				t.Fatal("no /ByteRange")
			}
			var br [4]int
			for i := range br {
				br[i], _ = strconv.Atoi(string(m[i+1]))
			}
			hexSig := bytes.Trim(pdf[br[0]+br[1]:br[2]], "<>")
			sig, err := hex.DecodeString(string(hexSig))
			if err != nil {
				t.Fatal(err)
			}
			signed := io.MultiReader(bytes.NewReader(pdf[br[0]:br[0]+br[1]]), bytes.NewReader(pdf[br[2]:br[2]+br[3]]))
			res := mustVerify(t, sig, VerifyOptions{Content: signed})
			wantCodes(t, res, OK)
			tampered := bytes.Clone(pdf[br[2] : br[2]+br[3]])
			tampered[len(tampered)/2] ^= 1
			signed = io.MultiReader(bytes.NewReader(pdf[br[0]:br[0]+br[1]]), bytes.NewReader(tampered))
			wantCodes(t, mustVerify(t, sig, VerifyOptions{Content: signed}), ContentMismatch)
		})
	}
}

// The BER file normalises to DER whose inner DER parts are the received bytes.
func TestRealWorldBERKeepsSignedBytes(t *testing.T) {
	data := readFile(t, realworld(t, "cms", "pdf-cryptoarm-bes-ber-indefinite.p7s"))
	sd, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	si := sd.Signers[0]
	if !bytes.Contains(data, si.RawSignedAttrs) || !bytes.Contains(data, sd.Certificates[0].Raw) {
		t.Fatal("normalisation changed bytes that were DER")
	}
	if _, err := ber.Normalize(sd.Raw); err != nil {
		t.Fatal(err)
	}
}

// The CryptoARM CAdES-T, -X Long Type 1 and -A signatures carry signature
// timestamps from CryptoPro's test TSP server; their imprints cover the
// signature values, so they verify without the PDF.
func TestRealWorldTimestamps(t *testing.T) {
	for name, policy := range map[string]string{
		"pdf-cryptoarm-cades-t.p7s":    "1.2.3.4.4",
		"pdf-cryptoarm-cades-xlt1.p7s": "1.2.3.4.4",
		"pdf-cryptoarm-cades-a.p7s":    "1.1.1.1.1.1.1.1.1",
	} {
		t.Run(name, func(t *testing.T) {
			res := mustVerify(t, readFile(t, realworld(t, "cms", name)), VerifyOptions{})
			s := res.Signers[0]
			if len(s.Timestamps) != 1 {
				t.Fatalf("%d timestamps", len(s.Timestamps))
			}
			ts := s.Timestamps[0]
			if ts.Code != OK || ts.Info.Policy.String() != policy || ts.Certificate == nil {
				t.Fatalf("%s %s policy %v", ts.Code, ts.Detail, ts.Info.Policy)
			}
			if d := ts.GenTime.Sub(s.Attributes.SigningTime); d < -2*time.Second || d > time.Hour {
				t.Errorf("genTime %v, signingTime %v", ts.GenTime, s.Attributes.SigningTime)
			}
		})
	}
}

// The КриптоПро TSP server's token: no certificates field, the TSA chain in
// its own certValues attribute, signingCertificate v1 and v2 both present.
func TestRealWorldTimestampToken(t *testing.T) {
	token := readFile(t, realworld(t, "tsp-ocsp-crl", "tsp-cryptopro-test-token-2024.der"))
	data := readFile(t, realworld(t, "tsp-ocsp-crl", "tsp-cryptopro-test-token-2024.imprinted-data.bin"))
	r := VerifyTimestampToken(token, data, nil)
	if r.Code != OK {
		t.Fatalf("%s: %s", r.Code, r.Detail)
	}
	if len(r.Token.Certificates) != 0 {
		t.Error("the token was expected without a certificates field")
	}
	tsa := realCert(t, "cryptopro-test-tsa-2023.der")
	if !r.Certificate.Equal(tsa) {
		t.Errorf("TSA certificate %v", r.Certificate.Subject)
	}
	if want := time.Date(2024, 7, 16, 14, 51, 51, 0, time.UTC); r.GenTime.Truncate(time.Second) != want {
		t.Errorf("genTime %v", r.GenTime)
	}
	if r.Info.HashAlgorithm.Algorithm.String() != pki.OIDStreebog256.String() {
		t.Errorf("imprint algorithm %v", r.Info.HashAlgorithm.Algorithm)
	}
	if r.Signer.Attributes.SigningCertificate == nil || !r.Signer.Attributes.SigningCertificate.Matches {
		t.Error("ESS signing certificate not matched")
	}
	bad := bytes.Clone(data)
	bad[0] ^= 1
	if r := VerifyTimestampToken(token, bad, nil); r.Code != TimestampMismatch {
		t.Errorf("other data: %s", r.Code)
	}
	if r := VerifyTimestampToken(token[:len(token)-10], data, nil); r.Code != FormatFailure {
		t.Errorf("truncated token: %s", r.Code)
	}
	// Without the certValues attribute the TSA certificate must be supplied.
	info := parseOrFail(t, token)
	if info.Signers[0].SID.SerialNumber.Cmp(tsa.SerialNumber) != 0 {
		t.Error("sid is not the TSA certificate's")
	}
	// Re-parsing the token's TSTInfo and writing it back gives the same DER.
	tst, err := ParseTSTInfo(info.Content)
	if err != nil {
		t.Fatal(err)
	}
	again, err := tst.Marshal()
	if err != nil || !bytes.Equal(again, info.Content) {
		t.Errorf("TSTInfo does not round-trip: %v\n got %x\nwant %x", err, again, info.Content)
	}
}

func parseOrFail(t *testing.T, b []byte) *SignedData {
	t.Helper()
	sd, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return sd
}

// A signer whose certificate has a GOST R 34.10-2001 key (the CryptoPro Test
// Center 2 root, the only 2001 certificate of the real-world set) is reported
// as ALGORITHM_UNSUPPORTED, not as an invalid signature and not as a crash.
func TestRealWorldGOST2001Signer(t *testing.T) {
	old := realCert(t, "cryptopro-testcenter2-root-2014-gost2001.der")
	p := gostPKI(t, gost3410.CryptoProA)
	sig := editSigner(t, signDetached(t, p), func(f [][]byte) [][]byte {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddBytes(old.RawIssuer)
			b.AddASN1BigInt(old.SerialNumber)
		})
		f[1] = b.BytesOrPanic()
		f[4] = marshalAlgorithm(asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19})
		return f
	})
	res := mustVerify(t, sig, VerifyOptions{Content: bytes.NewReader(content), Certificates: []*pki.Certificate{old}})
	wantCodes(t, res, AlgorithmUnsupported)
	if !res.Signers[0].Certificate.Equal(old) {
		t.Error("the 2001 certificate is not reported")
	}
}

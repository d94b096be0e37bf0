package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"io"
	"runtime"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/gost/streebog"
	"github.com/podpis/podpis/internal/ber"
	"github.com/podpis/podpis/pki"
)

var content = []byte("Доверенность № 1: exact bytes are signed.\r\n")

func TestSignVerifyGOST(t *testing.T) {
	sets := []*gost3410.ParamSet{gost3410.CryptoProA, gost3410.TC26256A, gost3410.TC26512A, gost3410.TC26512C}
	if testing.Short() {
		sets = sets[:1]
	}
	for _, ps := range sets {
		p := gostPKI(t, ps)
		for _, detached := range []bool{false, true} {
			name := ps.Name() + "/attached"
			if detached {
				name = ps.Name() + "/detached"
			}
			t.Run(name, func(t *testing.T) {
				sig, err := Sign(bytes.NewReader(content), p.config(), SignOptions{Detached: detached})
				if err != nil {
					t.Fatal(err)
				}
				opts := VerifyOptions{}
				if detached {
					opts.Content = bytes.NewReader(content)
				}
				res := mustVerify(t, sig, opts)
				wantCodes(t, res, OK)
				s := res.Signers[0]
				if !s.SignatureValid || !s.ContentChecked || !s.Certificate.Equal(p.leaf) {
					t.Fatalf("result %+v", s)
				}
				a := s.Attributes
				if !a.SigningTime.Equal(testTime) || !a.ContentType.Equal(OIDData) {
					t.Errorf("attributes %+v", a)
				}
				if id := a.SigningCertificate; id == nil || !id.V2 || !id.Matches || !id.HashAlgorithm.Equal(pki.OIDStreebog256) || id.IssuerSerial == nil {
					t.Errorf("signingCertificateV2 %+v", id)
				}
				want := streebog.Sum256(content)
				if ps.Size() == 64 {
					w := streebog.Sum512(content)
					if !bytes.Equal(a.MessageDigest, w[:]) {
						t.Error("messageDigest is not Streebog-512 of the content")
					}
				} else if !bytes.Equal(a.MessageDigest, want[:]) {
					t.Error("messageDigest is not Streebog-256 of the content")
				}
				sd := res.SignedData
				if sd.Detached != detached || (!detached && !bytes.Equal(sd.Content, content)) {
					t.Error("content not as signed")
				}
				checkDER(t, sig)
				si := sd.Signers[0]
				if si.Version != 1 || sd.Version != 1 || si.SID.SerialNumber.Cmp(p.leaf.SerialNumber) != 0 {
					t.Errorf("versions %d/%d, sid %v", sd.Version, si.Version, si.SID)
				}
				if !si.SignatureAlgorithm.Algorithm.Equal(ps.KeyAlgorithmOID()) || len(si.SignatureAlgorithm.Parameters.FullBytes) != 0 {
					t.Errorf("signatureAlgorithm %v %x", si.SignatureAlgorithm.Algorithm, si.SignatureAlgorithm.Parameters.FullBytes)
				}
				if len(si.DigestAlgorithm.Parameters.FullBytes) != 0 {
					t.Error("digestAlgorithm has parameters")
				}
			})
		}
	}
}

// checkDER checks that sig is DER (the normaliser leaves it alone) and that
// the SET OFs podpis writes are sorted.
func checkDER(t *testing.T, sig []byte) {
	t.Helper()
	out, err := ber.Normalize(sig)
	if err != nil || &out[0] != &sig[0] {
		t.Fatalf("not DER: %v", err)
	}
	sd, err := Parse(sig)
	if err != nil {
		t.Fatal(err)
	}
	sorted := func(what string, elems [][]byte) {
		for i := 1; i < len(elems); i++ {
			if bytes.Compare(elems[i-1], elems[i]) > 0 {
				t.Errorf("%s not sorted at %d", what, i)
			}
		}
	}
	sorted("certificates", sd.RawCertificates)
	sorted("digestAlgorithms", sd.rawDigestAlgs)
	var raws [][]byte
	for _, si := range sd.Signers {
		raws = append(raws, si.Raw)
		var attrs [][]byte
		for _, a := range si.SignedAttrs {
			attrs = append(attrs, a.Raw)
		}
		sorted("signed attributes", attrs)
	}
	sorted("signerInfos", raws)
}

func TestSignWithChain(t *testing.T) {
	p := gostPKI(t, gost3410.CryptoProA)
	cfg := p.config()
	cfg.Chain = []*pki.Certificate{p.ca, p.leaf} // the leaf again is not repeated
	sig, err := Sign(bytes.NewReader(content), cfg, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sd, err := Parse(sig)
	if err != nil {
		t.Fatal(err)
	}
	if len(sd.Certificates) != 2 {
		t.Fatalf("%d certificates, want 2", len(sd.Certificates))
	}
	checkDER(t, sig)
	wantCodes(t, mustVerify(t, sig, VerifyOptions{}), OK)
}

func TestSignOtherKeys(t *testing.T) {
	keys := map[string]func() crypto.Signer{
		"rsa-2048": func() crypto.Signer { k, _ := rsa.GenerateKey(rand.Reader, 2048); return k },
		"p-256":    func() crypto.Signer { k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader); return k },
		"p-384":    func() crypto.Signer { k, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader); return k },
	}
	for name, newKey := range keys {
		t.Run(name, func(t *testing.T) {
			p := cachedPKI(t, name, newKey)
			sig, err := Sign(bytes.NewReader(content), p.config(), SignOptions{Detached: true})
			if err != nil {
				t.Fatal(err)
			}
			res := mustVerify(t, sig, VerifyOptions{Content: bytes.NewReader(content)})
			wantCodes(t, res, OK)
			if id := res.Signers[0].Attributes.SigningCertificate; id == nil || !id.HashAlgorithm.Equal(pki.OIDSHA256) || !id.Matches {
				t.Errorf("signingCertificateV2 %+v", id)
			}
			res = mustVerify(t, sig, VerifyOptions{Content: bytes.NewReader(append(content, '!'))})
			wantCodes(t, res, ContentMismatch)
		})
	}
}

// The four signed attributes of FACTS §4.5 and nothing else, sorted.
func TestSignedAttributeSet(t *testing.T) {
	p := gostPKI(t, gost3410.CryptoProA)
	sig, err := Sign(bytes.NewReader(content), p.config(), SignOptions{Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	sd, _ := Parse(sig)
	si := sd.Signers[0]
	var types []string
	for _, a := range si.SignedAttrs {
		types = append(types, a.Type.String())
	}
	if len(types) != 4 {
		t.Fatalf("signed attributes %v", types)
	}
	// The ESSCertIDv2 carries hashAlgorithm Streebog-256 explicitly and
	// issuerSerial with the issuer's DER name.
	v := mustAttr(t, si.SignedAttrs, OIDAttrSigningCertificateV2)
	s := cryptobyte.String(v)
	var scv2, certs, id, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&scv2, cbasn1.SEQUENCE) || !scv2.ReadASN1(&certs, cbasn1.SEQUENCE) || !certs.ReadASN1(&id, cbasn1.SEQUENCE) ||
		!id.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) || !alg.Empty() || !oid.Equal(pki.OIDStreebog256) {
		t.Fatalf("ESSCertIDv2 hashAlgorithm not Streebog-256 without parameters: %x", v)
	}
	sum := streebog.Sum256(p.leaf.Raw)
	var h cryptobyte.String
	if !id.ReadASN1(&h, cbasn1.OCTET_STRING) || !bytes.Equal(h, sum[:]) {
		t.Fatal("certHash is not Streebog-256 of the certificate")
	}
	if !bytes.Contains(id, p.leaf.RawIssuer) {
		t.Fatal("issuerSerial does not carry the issuer name")
	}
}

func mustAttr(t *testing.T, attrs []Attribute, oid asn1.ObjectIdentifier) []byte {
	t.Helper()
	a, ok := Get(attrs, oid)
	if !ok || len(a.Values) != 1 {
		t.Fatalf("attribute %v missing", oid)
	}
	return a.Values[0]
}

func TestSignConfigErrors(t *testing.T) {
	p := gostPKI(t, gost3410.CryptoProA)
	q := gostPKI(t, gost3410.TC26512A)
	for name, cfg := range map[string]SignerConfig{
		"no signer":      {Certificate: p.leaf},
		"no certificate": {Signer: p.key},
		"wrong key":      {Signer: q.key, Certificate: p.leaf},
	} {
		if _, err := Sign(bytes.NewReader(content), cfg, SignOptions{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := Sign(nil, p.config(), SignOptions{}); err == nil {
		t.Error("nil content: no error")
	}
	if _, err := Sign(iotestErrReader{}, p.config(), SignOptions{Detached: true}); err == nil {
		t.Error("read error not returned")
	}
}

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// zeroReader yields n zero bytes without holding them.
type zeroReader struct{ n int64 }

func (z *zeroReader) Read(p []byte) (int, error) {
	if z.n == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.n {
		p = p[:z.n]
	}
	clear(p)
	z.n -= int64(len(p))
	return len(p), nil
}

// A detached signature over a large stream is made and checked without
// holding the content: memory stays far below the content's size.
func TestDetachedStreams(t *testing.T) {
	const size = 32 << 20
	if testing.Short() {
		t.Skip("hashes 64 MiB")
	}
	p := gostPKI(t, gost3410.CryptoProA)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sig, err := Sign(&zeroReader{size}, p.config(), SignOptions{Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	res := mustVerify(t, sig, VerifyOptions{Content: &zeroReader{size}})
	runtime.ReadMemStats(&after)
	wantCodes(t, res, OK)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Fatalf("allocated %d bytes for %d bytes of content", alloc, size)
	}
}

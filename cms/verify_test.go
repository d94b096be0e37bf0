package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/gost/streebog"
	"github.com/podpis/podpis/pki"
)

// rebuild re-assembles sig after edit changed its parts: how tests make
// SignedData that podpis would not write.
func rebuild(t *testing.T, sig []byte, edit func(p *parts, sd *SignedData)) []byte {
	t.Helper()
	sd, err := Parse(sig)
	if err != nil {
		t.Fatal(err)
	}
	p := &parts{contentType: sd.ContentType, digestAlgs: sd.rawDigestAlgs, encap: sd.rawEncap, certs: sd.RawCertificates, crls: sd.rawCRLs}
	for _, si := range sd.Signers {
		p.signers = append(p.signers, si.Raw)
	}
	edit(p, sd)
	out, err := p.marshal()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// siFields splits a DER SignerInfo into its elements: version, sid,
// digestAlgorithm, [signedAttrs], signatureAlgorithm, signature,
// [unsignedAttrs].
func siFields(t *testing.T, raw []byte) [][]byte {
	t.Helper()
	s := cryptobyte.String(raw)
	var body cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) {
		t.Fatal("not a SignerInfo")
	}
	var out [][]byte
	for !body.Empty() {
		var el cryptobyte.String
		if !body.ReadAnyASN1Element(&el, nil) {
			t.Fatal("bad SignerInfo")
		}
		out = append(out, el)
	}
	return out
}

func joinSI(t *testing.T, fields [][]byte) []byte {
	t.Helper()
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, f := range fields {
			b.AddBytes(f)
		}
	})
	return b.BytesOrPanic()
}

// editSigner rewrites the only SignerInfo of sig.
func editSigner(t *testing.T, sig []byte, edit func(f [][]byte) [][]byte) []byte {
	return rebuild(t, sig, func(p *parts, sd *SignedData) {
		p.signers = [][]byte{joinSI(t, edit(siFields(t, p.signers[0])))}
	})
}

func der(t *testing.T, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func signDetached(t *testing.T, p *testPKI) []byte {
	t.Helper()
	sig, err := Sign(bytes.NewReader(content), p.config(), SignOptions{Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func TestVerifyFailures(t *testing.T) {
	p := gostPKI(t, gost3410.CryptoProA)
	det := signDetached(t, p)
	att, err := Sign(bytes.NewReader(content), p.config(), SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fresh := func() VerifyOptions { return VerifyOptions{Content: bytes.NewReader(content)} }

	t.Run("tampered attached content", func(t *testing.T) {
		bad := bytes.Clone(att)
		i := bytes.Index(bad, content)
		bad[i+len(content)-1] ^= 1
		wantCodes(t, mustVerify(t, bad, VerifyOptions{}), ContentMismatch)
	})
	t.Run("tampered detached content", func(t *testing.T) {
		res := mustVerify(t, det, VerifyOptions{Content: strings.NewReader(string(content) + " ")})
		wantCodes(t, res, ContentMismatch)
		if !res.Signers[0].SignatureValid {
			t.Error("the signature itself should still verify")
		}
	})
	t.Run("tampered signed attribute", func(t *testing.T) {
		bad := bytes.Clone(det)
		when := []byte(testTime.Format("060102150405Z"))
		i := bytes.Index(bad, when)
		if i < 0 {
			t.Fatal("signingTime not found")
		}
		bad[i+1]++ // one year later
		wantCodes(t, mustVerify(t, bad, fresh()), SignatureInvalid)
	})
	t.Run("tampered signature value", func(t *testing.T) {
		bad := editSigner(t, det, func(f [][]byte) [][]byte {
			f[5] = bytes.Clone(f[5])
			f[5][len(f[5])-1] ^= 0x80
			return f
		})
		wantCodes(t, mustVerify(t, bad, fresh()), SignatureInvalid)
	})
	t.Run("wrong certificate, same issuer and serial", func(t *testing.T) {
		other, _ := gost3410.GenerateKey(gost3410.CryptoProA, nil)
		wrong := p.issueSerial(t, p.ca, other.Public(), pki.Name{CommonName: "Impostor"}, false, p.leaf.SerialNumber)
		bad := rebuild(t, det, func(pp *parts, _ *SignedData) { pp.certs = [][]byte{wrong.Raw} })
		res := mustVerify(t, bad, fresh())
		wantCodes(t, res, SignatureInvalid)
		if !res.Signers[0].Certificate.Equal(wrong) {
			t.Error("the candidate certificate is not reported")
		}
		// With the right one among the extra certificates, it verifies.
		opts := fresh()
		opts.Certificates = []*pki.Certificate{p.leaf}
		wantCodes(t, mustVerify(t, bad, opts), OK)
	})
	t.Run("signingCertificateV2 names another certificate", func(t *testing.T) {
		// Same key, issuer and serial, other bytes: the key verifies, the
		// ESS hash does not match.
		twin := p.issueSerial(t, p.ca, p.key.Public(), pki.Name{CommonName: "Twin"}, false, p.leaf.SerialNumber)
		bad := rebuild(t, det, func(pp *parts, _ *SignedData) { pp.certs = [][]byte{twin.Raw} })
		res := mustVerify(t, bad, fresh())
		wantCodes(t, res, SigningCertMismatch)
		if res.Signers[0].Attributes.SigningCertificate.Matches {
			t.Error("Matches set")
		}
	})
	t.Run("no certificate", func(t *testing.T) {
		bare := rebuild(t, det, func(pp *parts, _ *SignedData) { pp.certs = nil })
		wantCodes(t, mustVerify(t, bare, fresh()), SignerCertNotFound)
		opts := fresh()
		opts.Certificates = []*pki.Certificate{p.ca, p.leaf}
		wantCodes(t, mustVerify(t, bare, opts), OK)
	})
	t.Run("detached without content", func(t *testing.T) {
		res := mustVerify(t, det, VerifyOptions{})
		wantCodes(t, res, ContentMissing)
		if !res.Signers[0].SignatureValid || res.Signers[0].ContentChecked {
			t.Errorf("%+v", res.Signers[0])
		}
	})
	t.Run("detached with the digest", func(t *testing.T) {
		sum := streebog.Sum256(content)
		opts := VerifyOptions{ContentDigests: map[string][]byte{pki.OIDStreebog256.String(): sum[:]}}
		wantCodes(t, mustVerify(t, det, opts), OK)
		sum[0] ^= 1
		wantCodes(t, mustVerify(t, det, opts), ContentMismatch)
	})
	t.Run("content for an attached signature", func(t *testing.T) {
		if _, err := Verify(att, fresh()); err == nil {
			t.Error("no error")
		}
	})
	t.Run("unsupported digest algorithm", func(t *testing.T) {
		bad := editSigner(t, det, func(f [][]byte) [][]byte {
			f[2] = marshalAlgorithm(oidSHA1)
			return f
		})
		wantCodes(t, mustVerify(t, bad, fresh()), AlgorithmUnsupported)
	})
	t.Run("GOST 2001 signature algorithm", func(t *testing.T) {
		bad := editSigner(t, det, func(f [][]byte) [][]byte {
			f[4] = marshalAlgorithm(asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19})
			return f
		})
		wantCodes(t, mustVerify(t, bad, fresh()), AlgorithmUnsupported)
	})
	t.Run("digest of the wrong size for the key", func(t *testing.T) {
		bad := editSigner(t, det, func(f [][]byte) [][]byte {
			f[2] = marshalAlgorithm(pki.OIDStreebog512)
			return f
		})
		// The messageDigest attribute is 32 bytes; the 512-bit digest of the
		// signed attributes does not fit a 256-bit key.
		res := mustVerify(t, bad, fresh())
		if c := res.Signers[0].Code; c != AlgorithmUnsupported && c != SignatureInvalid {
			t.Errorf("code %s", c)
		}
	})
	t.Run("unknown unsigned attribute ignored", func(t *testing.T) {
		attr, _ := marshalAttribute(asn1.ObjectIdentifier{1, 2, 3, 4}, der(t, "whatever"))
		var b cryptobyte.Builder
		addSet(&b, cbasn1.Tag(1).Constructed().ContextSpecific(), [][]byte{attr})
		ok := editSigner(t, det, func(f [][]byte) [][]byte { return append(f, b.BytesOrPanic()) })
		res := mustVerify(t, ok, fresh())
		wantCodes(t, res, OK)
		if len(res.Signers[0].Signer.UnsignedAttrs) != 1 {
			t.Error("unsigned attribute not parsed")
		}
	})
}

// Variants that real producers write, made from our own signature by
// changing what the signature does not cover.
func TestVerifyProducerVariants(t *testing.T) {
	p := gostPKI(t, gost3410.CryptoProA)
	det := signDetached(t, p)
	fresh := func() VerifyOptions { return VerifyOptions{Content: bytes.NewReader(content)} }
	null := func(oid asn1.ObjectIdentifier) []byte {
		var b cryptobyte.Builder
		addAlgorithm(&b, oid, true)
		return b.BytesOrPanic()
	}
	for name, edit := range map[string]func(f [][]byte) [][]byte{
		"signwithdigest OID (FNS)":   func(f [][]byte) [][]byte { f[4] = marshalAlgorithm(pki.OIDGOSTSig256); return f },
		"signwithdigest OID + NULL":  func(f [][]byte) [][]byte { f[4] = null(pki.OIDGOSTSig256); return f },
		"key OID + NULL (OpenSSL)":   func(f [][]byte) [][]byte { f[4] = null(pki.OIDGOSTKey256); return f },
		"digest + NULL (CryptoPro)":  func(f [][]byte) [][]byte { f[2] = null(pki.OIDStreebog256); return f },
		"subjectKeyIdentifier sid":   func(f [][]byte) [][]byte { return skiSID(t, f, p.leaf.SubjectKeyId) },
		"issuer re-encoded in sid":   func(f [][]byte) [][]byte { return reencodedIssuer(t, f, p.leaf) },
		"computed subject key ident": func(f [][]byte) [][]byte { return skiSID(t, f, keyID(p.leaf.RawSubjectPublicKeyInfo)) },
	} {
		t.Run(name, func(t *testing.T) {
			wantCodes(t, mustVerify(t, editSigner(t, det, edit), fresh()), OK)
		})
	}
	t.Run("wrong subjectKeyIdentifier", func(t *testing.T) {
		bad := editSigner(t, det, func(f [][]byte) [][]byte { return skiSID(t, f, []byte{1, 2, 3}) })
		wantCodes(t, mustVerify(t, bad, fresh()), SignerCertNotFound)
	})
}

// skiSID replaces the sid with [0] subjectKeyIdentifier and the version with 3.
func skiSID(t *testing.T, f [][]byte, ski []byte) [][]byte {
	var v, sid cryptobyte.Builder
	v.AddASN1Int64(3)
	sid.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(ski) })
	f[0], f[1] = v.BytesOrPanic(), sid.BytesOrPanic()
	return f
}

// reencodedIssuer writes the issuer in the sid with UTF8String changed to
// PrintableString where possible, as some producers re-encode names.
func reencodedIssuer(t *testing.T, f [][]byte, cert *pki.Certificate) [][]byte {
	var rdn pkix.RDNSequence
	if _, err := asn1.Unmarshal(cert.RawIssuer, &rdn); err != nil {
		t.Fatal(err)
	}
	issuer := der(t, rdn) // encoding/asn1 writes PrintableString for plain ASCII
	if bytes.Equal(issuer, cert.RawIssuer) {
		t.Fatal("re-encoding did not change the name")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(issuer)
		b.AddASN1BigInt(cert.SerialNumber)
	})
	f[1] = b.BytesOrPanic()
	return f
}

func TestSecondSignerBroken(t *testing.T) {
	a := gostPKI(t, gost3410.CryptoProA)
	b := gostPKI(t, gost3410.TC26256A)
	both, err := AddSigner(signDetached(t, a), bytes.NewReader(content), b.config())
	if err != nil {
		t.Fatal(err)
	}
	broken := rebuild(t, both, func(p *parts, sd *SignedData) {
		for i, si := range sd.Signers {
			if si.SID.SerialNumber.Cmp(b.leaf.SerialNumber) == 0 && bytes.Equal(si.SID.RawIssuer, b.leaf.RawIssuer) {
				f := siFields(t, si.Raw)
				f[5] = bytes.Clone(f[5])
				f[5][10] ^= 1
				p.signers[i] = joinSI(t, f)
			}
		}
	})
	res := mustVerify(t, broken, VerifyOptions{Content: bytes.NewReader(content)})
	if res.Valid() {
		t.Fatal("Valid with a broken signer")
	}
	for _, s := range res.Signers {
		want := OK
		if s.Certificate.Equal(b.leaf) {
			want = SignatureInvalid
		}
		if s.Code != want {
			t.Errorf("signer %d (%s): %s, want %s", s.Index, s.Certificate.Subject.CommonName, s.Code, want)
		}
	}
	// A structurally broken SignerInfo is reported alone.
	garbled := rebuild(t, both, func(p *parts, _ *SignedData) {
		p.signers = append(p.signers, []byte{0x30, 0x03, 0x02, 0x01, 0x01})
	})
	res = mustVerify(t, garbled, VerifyOptions{Content: bytes.NewReader(content)})
	codes := map[Code]int{}
	for _, s := range res.Signers {
		codes[s.Code]++
	}
	if codes[OK] != 2 || codes[FormatFailure] != 1 {
		t.Fatalf("codes %v", codes)
	}
}

func TestAttributeRules(t *testing.T) {
	p := gostPKI(t, gost3410.CryptoProA)
	sum := streebog.Sum256(content)
	ct, _ := marshalAttribute(OIDAttrContentType, der(t, OIDData))
	ctOther, _ := marshalAttribute(OIDAttrContentType, der(t, OIDTSTInfo))
	md, _ := marshalAttribute(OIDAttrMessageDigest, der(t, sum[:]))
	md2, _ := marshalAttribute(OIDAttrMessageDigest, der(t, sum[:]), der(t, sum[:]))
	badTime, _ := marshalAttribute(OIDAttrSigningTime, der(t, 5))
	for _, c := range []struct {
		name  string
		attrs [][]byte
		want  Code
	}{
		{"minimal", [][]byte{ct, md}, OK},
		{"no contentType", [][]byte{md}, FormatFailure},
		{"no messageDigest", [][]byte{ct}, FormatFailure},
		{"contentType twice", [][]byte{ct, ct, md}, FormatFailure},
		{"two messageDigest values", [][]byte{ct, md2}, FormatFailure},
		{"contentType disagrees", [][]byte{ctOther, md}, FormatFailure},
		{"signingTime not a time", [][]byte{ct, md, badTime}, FormatFailure},
	} {
		t.Run(c.name, func(t *testing.T) {
			si, err := signerInfoWithAttrs(p.config(), pki.OIDStreebog256, c.attrs)
			if err != nil {
				t.Fatal(err)
			}
			sig := rebuild(t, signDetached(t, p), func(pp *parts, _ *SignedData) { pp.signers = [][]byte{si} })
			wantCodes(t, mustVerify(t, sig, VerifyOptions{Content: bytes.NewReader(content)}), c.want)
		})
	}
}

func TestParseRejects(t *testing.T) {
	p := gostPKI(t, gost3410.CryptoProA)
	sig := signDetached(t, p)
	for n := 0; n < len(sig); n += 1 + n/16 {
		if _, err := Parse(sig[:n]); !errors.Is(err, ErrFormat) {
			t.Fatalf("truncated to %d bytes: %v", n, err)
		}
	}
	notSignedData := der(t, struct {
		T asn1.ObjectIdentifier
		C asn1.RawValue `asn1:"explicit,tag:0"`
	}{OIDData, asn1.RawValue{FullBytes: der(t, []byte("x"))}})
	for name, in := range map[string][]byte{
		"empty":           nil,
		"spaces":          []byte("  \n"),
		"garbage":         []byte("this is not a signature at all"),
		"random":          bytes.Repeat([]byte{0x5a, 0x01, 0xff}, 50),
		"trailing data":   append(bytes.Clone(sig), 1, 2, 3),
		"an integer":      der(t, 42),
		"id-data":         notSignedData,
		"wrong PEM label": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: sig}),
		"PEM of garbage":  pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: []byte("nope")}),
		"base64 garbage":  []byte(base64.StdEncoding.EncodeToString([]byte("nope"))),
	} {
		if _, err := Parse(in); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := Verify(in, VerifyOptions{}); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: Verify: %v", name, err)
		}
	}
}

func TestDecodeForms(t *testing.T) {
	p := gostPKI(t, gost3410.CryptoProA)
	sig := signDetached(t, p)
	b64 := base64.StdEncoding.EncodeToString(sig)
	wrap := func(s string, n int, sep string) string {
		var out []string
		for len(s) > n {
			out = append(out, s[:n])
			s = s[n:]
		}
		return strings.Join(append(out, s), sep)
	}
	forms := map[string][]byte{
		"DER":                sig,
		"DER with PDF zeros": append(bytes.Clone(sig), make([]byte, 100)...),
		"PEM CMS":            pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: sig}),
		"PEM PKCS7":          pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: sig}),
		"PEM legacy":         pem.EncodeToMemory(&pem.Block{Type: "PKCS #7 SIGNED DATA", Bytes: sig}),
		"PEM after text":     append([]byte("\r\n\r\n"), pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: sig})...),
		"Base64 one line":    []byte(b64),
		"Base64 64 columns":  []byte(wrap(b64, 64, "\n") + "\n"),
		"Base64 76 CRLF":     []byte(wrap(b64, 76, "\r\n")),
		"Base64 with BOM":    append([]byte("\xef\xbb\xbf"), b64...),
		"Base64 unpadded":    []byte(strings.TrimRight(b64, "=")),
		"Base64 URL":         []byte(base64.RawURLEncoding.EncodeToString(sig)),
	}
	for name, in := range forms {
		res, err := Verify(in, VerifyOptions{Content: bytes.NewReader(content)})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		wantCodes(t, res, OK)
	}
}

// Without signed attributes the signature covers the content digest
// (RFC 5652 §5.4), as the FNS, TC 26 and `openssl cms -noattr` files have it;
// GOST, RSA and ECDSA, the key or the signature OID, attached or detached.
func TestNoSignedAttributes(t *testing.T) {
	gost := gostPKI(t, gost3410.CryptoProA)
	rsaP := cachedPKI(t, "rsa-2048", func() crypto.Signer { k, _ := rsa.GenerateKey(rand.Reader, 2048); return k })
	ecP := cachedPKI(t, "p-256", func() crypto.Signer { k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader); return k })
	for _, c := range []struct {
		name   string
		p      *testPKI
		digest asn1.ObjectIdentifier
		opts   crypto.SignerOpts
		sigAlg []asn1.ObjectIdentifier
	}{
		{"gost", gost, pki.OIDStreebog256, gost3410.SignerOpts{Hash: gost3410.Streebog256}, []asn1.ObjectIdentifier{pki.OIDGOSTKey256, pki.OIDGOSTSig256}},
		{"rsa", rsaP, pki.OIDSHA256, crypto.SHA256, []asn1.ObjectIdentifier{pki.OIDRSAEncryption, pki.OIDSHA256WithRSA}},
		{"ecdsa", ecP, pki.OIDSHA256, crypto.SHA256, []asn1.ObjectIdentifier{pki.OIDECPublicKey, pki.OIDECDSAWithSHA256}},
	} {
		h, _ := pki.HashByOID(c.digest)
		d := h()
		d.Write(content)
		sig, err := c.p.key.Sign(rand.Reader, d.Sum(nil), c.opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, alg := range c.sigAlg {
			for _, detached := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/%v/detached=%v", c.name, alg, detached), func(t *testing.T) {
					base, err := Sign(bytes.NewReader(content), c.p.config(), SignOptions{Detached: detached})
					if err != nil {
						t.Fatal(err)
					}
					noAttrs := editSigner(t, base, func(f [][]byte) [][]byte {
						var s cryptobyte.Builder
						s.AddASN1OctetString(sig)
						return [][]byte{f[0], f[1], f[2], marshalAlgorithm(alg), s.BytesOrPanic()}
					})
					res := mustVerify(t, noAttrs, VerifyOptions{Content: contentFor(detached)})
					wantCodes(t, res, OK)
					if res.Signers[0].Attributes.Present {
						t.Error("attributes reported")
					}
					other := VerifyOptions{Content: strings.NewReader("other")}
					if !detached {
						return
					}
					wantCodes(t, mustVerify(t, noAttrs, other), SignatureInvalid)
					wantCodes(t, mustVerify(t, noAttrs, VerifyOptions{}), ContentMissing)
				})
			}
		}
	}
	// A signature OID that names another digest than digestAlgorithm.
	base, _ := Sign(bytes.NewReader(content), rsaP.config(), SignOptions{Detached: true})
	bad := editSigner(t, base, func(f [][]byte) [][]byte {
		return [][]byte{f[0], f[1], f[2], marshalAlgorithm(pki.OIDSHA384WithRSA), f[5]}
	})
	wantCodes(t, mustVerify(t, bad, VerifyOptions{Content: bytes.NewReader(content)}), AlgorithmUnsupported)
}

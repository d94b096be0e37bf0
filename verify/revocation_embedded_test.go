package verify

import (
	"encoding/asn1"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/ocsp"
)

// revocationValues encodes RevocationValues (RFC 5126 §6.3.4) with the
// given CRLs ([0]) and BasicOCSPResponses ([1]).
func revocationValues(t *testing.T, crls, basics [][]byte) []byte {
	t.Helper()
	var raws []asn1.RawValue
	for i, list := range [][][]byte{crls, basics} {
		if len(list) == 0 {
			continue
		}
		var inner []byte
		for _, d := range list {
			inner = append(inner, d...)
		}
		seq, err := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: inner})
		if err != nil {
			t.Fatal(err)
		}
		raws = append(raws, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: i, IsCompound: true, Bytes: seq})
	}
	out, err := asn1.Marshal(raws)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEmbeddedRevocation: the revocationValues a CAdES-X-L signature
// carries count when authentic and issued between the proven signing time
// and the validation time.
func TestEmbeddedRevocation(t *testing.T) {
	f := newFixture(t)
	p := f.p
	signed := time.Now().Add(-30 * time.Minute).Truncate(time.Second)
	at := time.Now()
	ocspAt := func(produced time.Time, st ocsp.Status, revokedAt time.Time) []byte {
		id, err := ocsp.NewCertID(pki.OIDStreebog256, p.CA.Cert, p.Signer.Cert.SerialNumber)
		if err != nil {
			t.Fatal(err)
		}
		der, err := ocsp.CreateResponse(&ocsp.ResponseTemplate{ProducedAt: produced,
			Responses: []ocsp.SingleResponse{{CertID: id, Status: st, RevokedAt: revokedAt, Reason: 1, ThisUpdate: produced}}},
			p.OCSP.Cert, p.OCSP.Key, p.CA.Cert)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ocsp.ParseResponse(der)
		if err != nil {
			t.Fatal(err)
		}
		return r.RawBasic
	}
	crlAt := func(issued time.Time, issuer *pki.Certificate) []byte {
		key := p.CA.Key
		der, err := pki.CreateRevocationList(&pki.CRLTemplate{Number: big.NewInt(9), ThisUpdate: issued, NextUpdate: issued.Add(24 * time.Hour)}, issuer, key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	for _, c := range []struct {
		name         string
		crls, basics [][]byte
		covered      bool
		status       ocsp.Status
		evidenceErr  string
	}{
		{"fresh OCSP, good", nil, [][]byte{ocspAt(signed.Add(time.Minute), ocsp.Good, time.Time{})}, true, ocsp.Good, ""},
		{"fresh OCSP, revoked", nil, [][]byte{ocspAt(signed.Add(time.Minute), ocsp.Revoked, signed.Add(30*time.Second))}, true, ocsp.Revoked, ""},
		{"OCSP from before the signature", nil, [][]byte{ocspAt(signed.Add(-20*time.Minute), ocsp.Good, time.Time{})}, false, 0, "before the proven signing time"},
		{"fresh CRL", [][]byte{crlAt(signed.Add(time.Minute), p.CA.Cert)}, nil, true, ocsp.Good, ""},
		{"CRL from the future", [][]byte{crlAt(at.Add(time.Hour), p.CA.Cert)}, nil, false, 0, "after the validation time"},
	} {
		si := &cms.SignerInfo{UnsignedAttrs: []cms.Attribute{{Type: oidRevocationValues, Values: [][]byte{revocationValues(t, c.crls, c.basics)}}}}
		emb := embeddedFor(nil, si)
		if len(emb.crls) != len(c.crls) || len(emb.ocsp) != len(c.basics) {
			t.Fatalf("%s: parsed %d CRLs, %d OCSP", c.name, len(emb.crls), len(emb.ocsp))
		}
		var s SignatureReport
		ans, ok := emb.status(&s, NewRevocationCache(), p.Signer.Cert, p.CA.Cert, at, signed)
		if ok != c.covered || ok && ans.status != c.status || len(s.RevocationEvidence) != 1 || !s.RevocationEvidence[0].Embedded ||
			!strings.Contains(s.RevocationEvidence[0].Error, c.evidenceErr) || (c.evidenceErr == "") != (s.RevocationEvidence[0].Error == "") {
			t.Errorf("%s: %v %v %+v", c.name, ok, ans, s.RevocationEvidence)
		}
	}
	// A CRL some other CA signed is not evidence; garbage is skipped.
	other := newFixture(t)
	si := &cms.SignerInfo{UnsignedAttrs: []cms.Attribute{{Type: oidRevocationValues, Values: [][]byte{
		revocationValues(t, [][]byte{other.p.CRL}, nil), {0x30, 0x03, 0xa0, 0x01}, []byte("junk")}}}}
	var s SignatureReport
	if _, ok := embeddedFor(nil, si).status(&s, NewRevocationCache(), p.Signer.Cert, p.CA.Cert, at, signed); ok || len(s.RevocationEvidence) != 0 {
		t.Errorf("foreign CRL: %v %+v", ok, s.RevocationEvidence)
	}
}

// TestEmbeddedRevocationRealWorld: the Acrobat + КриптоПро PDF (CAdES-X Long
// Type 1) verifies at the timestamp with the revocation the signature
// carries: an OCSP answer produced after the timestamp; the CAdES-X-L and
// CAdES-A signatures of CryptoARM carry theirs too.
func TestEmbeddedRevocationRealWorld(t *testing.T) {
	data := realworldPDF(t, "acrobat-cryptopro-cades-xlt1.pdf")
	store, err := LoadTrustStore(filepath.Join(realworldDir, "certs", "cryptopro-testca-root-2024.der"),
		filepath.Join(realworldDir, "certs", "cryptopro-test-head-ca-2023.der"))
	if err != nil {
		t.Fatal(err)
	}
	rep := verifyPDFT(t, data, Options{Trust: store})
	s := rep.Signatures[0].Report.Signatures[0]
	if s.Indication != TotalPassed || s.Revocation != NotRevoked || s.Timestamp == nil || !s.Timestamp.Valid || s.ProofOfExistence == nil {
		t.Fatalf("%s %s %s revocation %s %+v", s.Indication, s.Code, s.Detail, s.Revocation, s.Timestamp)
	}
	if len(s.RevocationEvidence) != 1 || !s.RevocationEvidence[0].Embedded || s.RevocationEvidence[0].Source != "ocsp" ||
		s.RevocationEvidence[0].Status != "good" || hasWarning(s, CodeRevocationNotChecked) {
		t.Fatalf("evidence %+v, warnings %v", s.RevocationEvidence, s.Warnings)
	}

	for _, name := range []string{"pdf-cryptoarm-cades-xlt1.p7s", "pdf-cryptoarm-cades-a.p7s"} {
		sig, err := os.ReadFile(filepath.Join(realworldDir, "cms", name))
		if err != nil {
			t.Fatal(err)
		}
		res, err := cms.Verify(sig, cms.VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		emb := embeddedFor(res.SignedData, res.Signers[0].Signer)
		if len(emb.ocsp) == 0 {
			t.Errorf("%s: no OCSP values found", name)
		}
	}
}

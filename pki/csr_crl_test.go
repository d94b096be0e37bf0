package pki

import (
	"bytes"
	"crypto/x509"
	"errors"
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
)

func TestCreateCertificateRequest(t *testing.T) {
	for _, ps := range []*gost3410.ParamSet{gost3410.CryptoProXchA, gost3410.TC26512C} {
		t.Run(ps.Name(), func(t *testing.T) {
			key := gostKey(t, ps)
			tmpl := &RequestTemplate{
				Subject:         fullTemplate().Subject,
				KeyUsage:        x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
				ExtKeyUsage:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
				SignToolClasses: []SignToolClass{KC1},
				SubjectSignTool: "«КриптоПро CSP» (версия 5.0)",
			}
			der, err := CreateCertificateRequest(tmpl, key)
			if err != nil {
				t.Fatal(err)
			}
			r, err := ParseCertificateRequest(der)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.CheckSignature(); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r.SubjectName, tmpl.Subject) {
				t.Errorf("SubjectName = %+v", r.SubjectName)
			}
			if !key.PublicKey().Equal(r.PublicKey) {
				t.Error("public key differs")
			}
			var ids []string
			for _, e := range r.Extensions {
				ids = append(ids, e.Id.String())
			}
			if want := []string{"2.5.29.15", "2.5.29.37", "2.5.29.32", "1.2.643.100.111"}; !reflect.DeepEqual(ids, want) {
				t.Errorf("requested extensions %v, want %v", ids, want)
			}
			// Deterministic but for the signature; tampering is caught.
			der2, _ := CreateCertificateRequest(tmpl, key)
			r2, _ := ParseCertificateRequest(der2)
			if !bytes.Equal(r.RawTBSCertificateRequest, r2.RawTBSCertificateRequest) {
				t.Error("request info differs between runs")
			}
			bad := append([]byte(nil), der...)
			bad[len(bad)-1] ^= 1
			if rb, err := ParseCertificateRequest(bad); err != nil || !errors.Is(rb.CheckSignature(), ErrSignatureInvalid) {
				t.Errorf("tampered request: %v", err)
			}
		})
	}
	// Without extensions the attributes are present and empty (a0 00).
	der, err := CreateCertificateRequest(&RequestTemplate{Subject: Name{CommonName: "x"}}, gostKey(t, gost3410.TC26256A))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := ParseCertificateRequest(der)
	if !bytes.HasSuffix(r.RawTBSCertificateRequest, []byte{0xa0, 0x00}) {
		t.Errorf("attributes: % x", r.RawTBSCertificateRequest[len(r.RawTBSCertificateRequest)-4:])
	}
}

func TestCreateRevocationList(t *testing.T) {
	ca := issue(t, caTemplate("УЦ", 1), nil, gostKey(t, gost3410.TC26512A))
	tmpl := &CRLTemplate{
		Number: big.NewInt(42), ThisUpdate: t0, NextUpdate: t0.AddDate(0, 0, 7),
		Revoked: []RevokedCertificate{
			{SerialNumber: big.NewInt(5), RevocationTime: t0.Add(-time.Hour), ReasonCode: 1},
			{SerialNumber: new(big.Int).Lsh(big.NewInt(1), 150), RevocationTime: t0.Add(-2 * time.Hour)},
		},
	}
	der, err := CreateRevocationList(tmpl, ca.cert, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.CheckSignatureFrom(ca.cert); err != nil {
		t.Fatal(err)
	}
	if l.Number.Int64() != 42 || !l.ThisUpdate.Equal(t0) || !l.NextUpdate.Equal(tmpl.NextUpdate) ||
		!bytes.Equal(l.AuthorityKeyId, ca.cert.SubjectKeyId) || !reflect.DeepEqual(l.IssuerName, ca.cert.SubjectName) {
		t.Errorf("CRL fields: %v %v %v %x", l.Number, l.ThisUpdate, l.NextUpdate, l.AuthorityKeyId)
	}
	if len(l.RevokedCertificateEntries) != 2 || l.RevokedCertificateEntries[0].ReasonCode != 1 ||
		l.RevokedCertificateEntries[1].ReasonCode != 0 || l.RevokedCertificateEntries[1].SerialNumber.Cmp(tmpl.Revoked[1].SerialNumber) != 0 {
		t.Errorf("entries %+v", l.RevokedCertificateEntries)
	}

	// Refusals: another key, an issuer without cRLSign, a bad template.
	other := issue(t, caTemplate("УЦ", 2), nil, gostKey(t, gost3410.TC26512A))
	if _, err := CreateRevocationList(tmpl, ca.cert, other.key); err == nil {
		t.Error("signed with a key not the issuer's")
	}
	noCRL := caTemplate("УЦ без CRL", 3)
	noCRL.KeyUsage = x509.KeyUsageCertSign
	nc := issue(t, noCRL, nil, gostKey(t, gost3410.CryptoProA))
	if _, err := CreateRevocationList(tmpl, nc.cert, nc.key); !errors.Is(err, ErrNotIssuer) {
		t.Errorf("issuer without cRLSign: %v", err)
	}
	for _, bad := range []*CRLTemplate{
		{ThisUpdate: t0},
		{Number: big.NewInt(1)},
		{Number: big.NewInt(1), ThisUpdate: t0, NextUpdate: t0.Add(-time.Hour)},
		{Number: big.NewInt(1), ThisUpdate: t0, Revoked: []RevokedCertificate{{SerialNumber: big.NewInt(1), RevocationTime: t0, ReasonCode: 7}}},
	} {
		if _, err := CreateRevocationList(bad, ca.cert, ca.key); err == nil {
			t.Errorf("template %+v accepted", bad)
		}
	}
	// A CRL signed by a same-named CA with another key does not verify.
	if err := l.CheckSignatureFrom(other.cert); !errors.Is(err, ErrSignatureInvalid) {
		t.Errorf("by another key: %v", err)
	}
}

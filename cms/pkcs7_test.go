package cms

import (
	"bytes"
	"encoding/asn1"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"

	"github.com/podpis/podpis/gost/gost3410"
)

// An independent ASN.1 reader, github.com/smallstep/pkcs7 (encoding/asn1
// underneath), parses what podpis writes: signers, certificates, content and
// the signed attributes. It cannot verify GOST signatures, so only the
// structure is compared.
func TestIndependentReader(t *testing.T) {
	a := gostPKI(t, gost3410.CryptoProA)
	b := gostPKI(t, gost3410.TC26512A)
	att, err := Sign(bytes.NewReader(content), a.config(), SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	both, err := AddSigner(att, nil, b.config())
	if err != nil {
		t.Fatal(err)
	}
	det, _ := Sign(bytes.NewReader(content), a.config(), SignOptions{Detached: true})

	p7, err := pkcs7.Parse(both)
	if err != nil {
		t.Fatalf("pkcs7.Parse: %v", err)
	}
	if !bytes.Equal(p7.Content, content) {
		t.Errorf("content %q", p7.Content)
	}
	if len(p7.Signers) != 2 || len(p7.Certificates) != 2 {
		t.Fatalf("%d signers, %d certificates", len(p7.Signers), len(p7.Certificates))
	}
	for _, c := range p7.Certificates {
		if !bytes.Equal(c.Raw, a.leaf.Raw) && !bytes.Equal(c.Raw, b.leaf.Raw) {
			t.Error("unexpected certificate")
		}
	}
	var when time.Time
	if err := p7.UnmarshalSignedAttribute(asn1.ObjectIdentifier(OIDAttrSigningTime), &when); err != nil || !when.Equal(testTime) {
		t.Errorf("signingTime %v, %v", when, err)
	}

	p7, err = pkcs7.Parse(det)
	if err != nil {
		t.Fatalf("pkcs7.Parse (detached): %v", err)
	}
	if len(p7.Content) != 0 || len(p7.Signers) != 1 || p7.GetOnlySigner() == nil || !bytes.Equal(p7.GetOnlySigner().Raw, a.leaf.Raw) {
		t.Errorf("detached: content %d bytes, %d signers", len(p7.Content), len(p7.Signers))
	}
}

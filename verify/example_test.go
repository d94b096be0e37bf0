package verify_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/sign"
	"github.com/podpis/podpis/verify"
)

// Sign a document with a key and its certificate, then verify it against the
// trusted root as an operator would.
func Example() {
	ctx := context.Background()
	p, err := devpki.New(devpki.Options{}) // a test CA and a qualified signer
	if err != nil {
		panic(err)
	}
	document := []byte("Доверенность № 1")

	signer, err := sign.NewSigner(p.Signer.Key, []*pki.Certificate{p.Signer.Cert})
	if err != nil {
		panic(err)
	}
	defer signer.Close()
	sig, err := cms.Sign(bytes.NewReader(document), cms.SignerConfig{
		Signer: signer, Certificate: signer.Certificate(), Chain: signer.Chain(),
	}, cms.SignOptions{Detached: true})
	if err != nil {
		panic(err)
	}

	roots := pki.NewCertPool()
	roots.AddCert(p.CA.Cert)
	report, err := verify.CMS(ctx, sig, bytes.NewReader(document), verify.Options{Roots: roots})
	if err != nil {
		panic(err)
	}
	s := report.Signatures[0]
	fmt.Println(report.Indication, s.Signer.Surname, s.Signer.INNLE)
	// Output: TOTAL-PASSED Иванов 7708123450
}

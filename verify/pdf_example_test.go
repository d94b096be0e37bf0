package verify_test

import (
	"bytes"
	"context"
	"fmt"
	"log"

	"github.com/podpis/podpis/pdf"
	"github.com/podpis/podpis/pdf/pdfsign"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/sign"
	"github.com/podpis/podpis/verify"
)

// A PDF written by package pdf, signed by package pdfsign and verified
// against the CA that issued the signer's certificate.
func ExamplePDF() {
	ca, err := devpki.New(devpki.Options{})
	if err != nil {
		log.Fatal(err)
	}
	signer, err := sign.NewSigner(ca.Signer.Key, []*pki.Certificate{ca.Signer.Cert})
	if err != nil {
		log.Fatal(err)
	}
	doc := pdf.New(pdf.Options{Title: "Акт"})
	doc.Paragraph("Акт приёма-передачи.", pdf.Style{})
	signed, err := pdfsign.SignBytes(context.Background(), doc.Bytes(), signer, pdfsign.Options{})
	if err != nil {
		log.Fatal(err)
	}

	roots := pki.NewCertPool()
	roots.AddCert(ca.CA.Cert)
	rep, err := verify.PDF(context.Background(), bytes.NewReader(signed), int64(len(signed)), verify.Options{Roots: roots})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rep.Indication)
	for _, s := range rep.Signatures {
		fmt.Println(s.Field, s.Valid(), s.Summary())
	}
	// Output:
	// TOTAL-PASSED
	// Signature1 true the signature covers the whole file
}

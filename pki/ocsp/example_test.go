package ocsp_test

import (
	"fmt"
	"time"

	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/pki/ocsp"
)

// A client asks about a certificate; the CA's delegated responder answers;
// the client checks who signed the answer and reads the status.
func Example() {
	p, _ := devpki.New(devpki.Options{})

	// Client: a Streebog-256 CertID and a nonce.
	id, _ := ocsp.NewCertID(pki.OIDStreebog256, p.CA.Cert, p.Signer.Cert.SerialNumber)
	nonce, _ := ocsp.NewNonce()
	reqDER, _ := ocsp.CreateRequest([]ocsp.CertID{id}, nonce)

	// Responder: parse, answer, sign with the delegated responder's key.
	req, _ := ocsp.ParseRequest(reqDER)
	now := time.Now()
	respDER, _ := ocsp.CreateResponse(&ocsp.ResponseTemplate{
		Nonce: req.Nonce,
		Responses: []ocsp.SingleResponse{{
			CertID: req.CertIDs[0], Status: ocsp.Revoked, RevokedAt: now.Add(-time.Hour), Reason: 1,
			ThisUpdate: now, NextUpdate: now.Add(time.Hour),
		}},
	}, p.OCSP.Cert, p.OCSP.Key, p.CA.Cert)

	// Client: who signed it, for which certificate, with our nonce?
	resp, _ := ocsp.ParseResponse(respDER)
	signer, err := resp.CheckSignatureFrom(p.CA.Cert, resp.ProducedAt)
	if err != nil {
		fmt.Println(err)
		return
	}
	sr := resp.Find(id)
	fmt.Println(signer.SubjectName.CommonName, string(resp.Nonce) == string(nonce), sr.Status, sr.Reason)
	// Output: OCSP-служба podpis true revoked 1
}

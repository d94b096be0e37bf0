package verify_test

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/verify"
)

// A counterparty checks a power of attorney signed by the head of the
// principal and asks whether the representative may sign UPDs today.
func ExampleMCHD() {
	p, _ := devpki.New(devpki.Options{}) // the test PKI: head Иванов, person Петрова
	input := []byte(`
internal_number: "1"
valid_until: 2099-12-31
principal:
  name: ООО «Ромашка»
  inn: "7708123450"
  kpp: "770801001"
  ogrn: "1027708123453"
  head: {surname: Иванов, given: Иван, position: Генеральный директор, snils: "11223344595"}
representatives:
  - {surname: Петрова, given: Мария, snils: "22334455639"}
powers:
  machine: [{code: KLASS_2.0_SIGN, name: Подписывать}]
`)
	in, err := mchd.ParseInput(input)
	if err != nil {
		panic(err)
	}
	doc, _ := in.Build(time.Now(), nil)
	raw, _ := mchd.Marshal(doc)
	sig, _ := cms.Sign(bytes.NewReader(raw), cms.SignerConfig{Signer: p.Signer.Key, Certificate: p.Signer.Cert}, cms.SignOptions{Detached: true})

	roots := pki.NewCertPool()
	roots.AddCert(p.CA.Cert)
	rep, err := verify.MCHD(context.Background(), verify.MCHDFile{Name: doc.FileName(), XML: raw, Signature: sig},
		verify.MCHDOptions{Options: verify.Options{Roots: roots}, Power: "KLASS_2.0_SIGN", Representative: p.Person.Cert})
	if err != nil {
		panic(err)
	}
	fmt.Println(rep.Indication, rep.Code, rep.Answer.Allowed)
	for _, s := range rep.Steps {
		fmt.Println(s.Step, s.Indication)
	}
	// Output:
	// TOTAL-PASSED OK true
	// format TOTAL-PASSED
	// signature TOTAL-PASSED
	// certificate TOTAL-PASSED
	// signer TOTAL-PASSED
	// term TOTAL-PASSED
	// power TOTAL-PASSED
}

package cms_test

import (
	"bytes"
	"fmt"
	"math/big"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
)

// A detached CAdES-BES signature over a file's bytes, and its verification.
func Example() {
	key, _ := gost3410.GenerateKey(gost3410.CryptoProA, nil)
	der, _ := pki.CreateCertificate(&pki.Template{
		SerialNumber: big.NewInt(1),
		Subject:      pki.Name{CommonName: "Иванов Иван Иванович", Country: "RU"},
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
	}, nil, key.Public(), key)
	cert, _ := pki.ParseCertificate(der)

	document := []byte("<Доверенность/>")
	sig, err := cms.Sign(bytes.NewReader(document), cms.SignerConfig{Signer: key, Certificate: cert}, cms.SignOptions{Detached: true})
	if err != nil {
		panic(err)
	}

	res, err := cms.Verify(sig, cms.VerifyOptions{Content: bytes.NewReader(document)})
	if err != nil {
		panic(err) // not a SignedData, or the content could not be read
	}
	for _, s := range res.Signers {
		fmt.Println(s.Code, s.Certificate.Subject.CommonName)
	}
	res, _ = cms.Verify(sig, cms.VerifyOptions{Content: bytes.NewReader([]byte("<Доверенность />"))})
	fmt.Println(res.Signers[0].Code)
	// Output:
	// OK Иванов Иван Иванович
	// CONTENT_MISMATCH
}

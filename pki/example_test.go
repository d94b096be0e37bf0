package pki_test

import (
	"crypto/x509"
	"fmt"
	"math/big"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
)

// A CA issues a qualified certificate to the head of an organisation; the
// chain is then built and the holder displayed as a Russian reader expects.
func Example() {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	caKey, _ := gost3410.GenerateKey(gost3410.TC26256A, nil)
	caDER, err := pki.CreateCertificate(&pki.Template{
		SerialNumber: big.NewInt(1),
		Subject:      pki.Name{CommonName: "Тестовый УЦ", Country: "RU", INNLE: "7707083893", OGRN: "1027700132195"},
		NotBefore:    now, NotAfter: now.AddDate(10, 0, 0),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		IsCA:     true, MaxPathLen: 0,
	}, nil, caKey.Public(), caKey)
	if err != nil {
		panic(err)
	}
	ca, _ := pki.ParseCertificate(caDER)

	key, _ := gost3410.GenerateKey(gost3410.CryptoProXchA, nil)
	kind := pki.IdentifiedInPerson
	der, err := pki.CreateCertificate(&pki.Template{
		SerialNumber: big.NewInt(2),
		Subject: pki.Name{
			CommonName: "ООО «Ромашка»", Surname: "Иванов", GivenName: "Иван Иванович", Title: "Генеральный директор",
			Organization: "ООО «Ромашка»", INNLE: "7707083893", OGRN: "1027700132195", SNILS: "11223344595",
		},
		NotBefore: now, NotAfter: now.AddDate(1, 0, 0),
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		SignToolClasses:    []pki.SignToolClass{pki.KC1},
		SubjectSignTool:    "«КриптоПро CSP» (версия 5.0)",
		IdentificationKind: &kind,
	}, ca, key.Public(), caKey)
	if err != nil {
		panic(err)
	}
	cert, _ := pki.ParseCertificate(der)

	roots := pki.NewCertPool()
	roots.AddCert(ca)
	chains, err := cert.Verify(pki.VerifyOptions{Roots: roots, CurrentTime: now.AddDate(0, 1, 0)})
	fmt.Println(len(chains[0]), err)
	fmt.Println(cert.SubjectName)
	fmt.Println(cert.SignToolClasses, cert.IdentificationKind)
	// Output:
	// 2 <nil>
	// Иванов Иван Иванович, Генеральный директор, ООО «Ромашка» (ИНН ЮЛ 7707083893, ОГРН 1027700132195), СНИЛС 112-233-445 95
	// [КС1] при личном присутствии
}

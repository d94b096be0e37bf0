package devpki

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/podpis/podpis/pki"
)

// TSLEntry is one CA of a test list of accredited CAs.
type TSLEntry struct {
	// Name is the CA's name (Название); RegistryNumber its number in the
	// register (РеестровыйНомер); Status its accreditation status
	// (СтатусАккредитации/Статус), «Действует» while in force.
	Name, RegistryNumber, Status string
	// Certificates are the CA's certificates (ДанныеСертификата).
	Certificates []*pki.Certificate
	// CRLs are the CA's CRL addresses (АдресаСписковОтзыва).
	CRLs []string
}

// TSL writes a list of accredited CAs in the structure of the one the
// Ministry of Digital Development publishes (TSL.xml; the elements are
// documented in package verify, trust_tsl.go), for tests and demos: a
// verifier given it trusts the CAs and marks those with status «Действует»
// as accredited. version is the list's Версия.
func TSL(version int, date time.Time, cas ...TSLEntry) ([]byte, error) {
	type cert struct {
		Thumbprint string `xml:"Отпечаток"`
		Issuer     string `xml:"КемВыдан"`
		Subject    string `xml:"КомуВыдан"`
		Serial     string `xml:"СерийныйНомер"`
		From       string `xml:"ПериодДействияС"`
		To         string `xml:"ПериодДействияДо"`
		Data       string `xml:"Данные"`
	}
	type key struct {
		KeyID string   `xml:"ИдентификаторКлюча"`
		CRLs  []string `xml:"АдресаСписковОтзыва>Адрес"`
		Certs []cert   `xml:"Сертификаты>ДанныеСертификата"`
	}
	type pak struct {
		Alias string `xml:"Псевдоним"`
		Class string `xml:"КлассСредствЭП"`
		Tool  string `xml:"СредстваУЦ"`
		Keys  []key  `xml:"КлючиУполномоченныхЛиц>Ключ"`
	}
	type status struct {
		Status string `xml:"Статус"`
		Since  string `xml:"ДействуетС"`
	}
	type ca struct {
		Name      string `xml:"Название"`
		ShortName string `xml:"КраткоеНазвание"`
		PAKs      []pak  `xml:"ПрограммноАппаратныеКомплексы>ПрограммноАппаратныйКомплекс"`
		INN       string `xml:"ИНН"`
		OGRN      string `xml:"ОГРН"`
		RegNumber string `xml:"РеестровыйНомер"`
		Status    status `xml:"СтатусАккредитации"`
	}
	type root struct {
		XMLName xml.Name `xml:"АккредитованныеУдостоверяющиеЦентры"`
		Version int      `xml:"Версия"`
		Date    string   `xml:"Дата"`
		CAs     []ca     `xml:"УдостоверяющийЦентр"`
	}
	const layout = "2006-01-02T15:04:05Z07:00"
	r := root{Version: version, Date: date.Format(layout)}
	for _, e := range cas {
		if len(e.Certificates) == 0 {
			return nil, fmt.Errorf("devpki: TSL entry %q has no certificate", e.Name)
		}
		k := key{CRLs: e.CRLs}
		var inn, ogrn string
		for _, c := range e.Certificates {
			sum := sha1.Sum(c.Raw)
			k.KeyID = strings.ToUpper(hex.EncodeToString(c.SubjectKeyId))
			inn, ogrn = c.SubjectName.INNLE, c.SubjectName.OGRN
			k.Certs = append(k.Certs, cert{
				Thumbprint: strings.ToUpper(hex.EncodeToString(sum[:])),
				Issuer:     c.IssuerName.String(), Subject: c.SubjectName.String(),
				Serial: fmt.Sprintf("%X", c.SerialNumber),
				From:   c.NotBefore.UTC().Format(layout), To: c.NotAfter.UTC().Format(layout),
				Data: base64.StdEncoding.EncodeToString(c.Raw),
			})
		}
		r.CAs = append(r.CAs, ca{
			Name: e.Name, ShortName: e.Name, INN: inn, OGRN: ogrn, RegNumber: e.RegistryNumber,
			Status: status{Status: e.Status, Since: e.Certificates[0].NotBefore.UTC().Format(layout)},
			PAKs:   []pak{{Alias: "podpis-devpki", Class: "КС1, КС2", Tool: caTool, Keys: []key{k}}},
		})
	}
	out, err := xml.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

package verify

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/podpis/podpis/pki"
)

// The ministry's list of accredited CAs ("TSL.xml", published by the
// Ministry of Digital Development on e-trust.gosuslugi.ru). No schema is
// published beside it; the elements below are those the list has carried
// for years, as the tools that read it document them (CryptoPro-oriented
// importers, CRL fetchers): the root АккредитованныеУдостоверяющиеЦентры
// with Версия and Дата, one УдостоверяющийЦентр per CA with Название,
// КраткоеНазвание, ИНН, ОГРН, РеестровыйНомер, СтатусАккредитации/Статус
// («Действует» while the accreditation is in force), and under
// ПрограммноАппаратныеКомплексы/ПрограммноАппаратныйКомплекс/
// КлючиУполномоченныхЛиц/Ключ the key's ИдентификаторКлюча,
// АдресаСписковОтзыва/Адрес and Сертификаты/ДанныеСертификата with
// Отпечаток (SHA-1 thumbprint, hex), КемВыдан, КомуВыдан, СерийныйНомер,
// ПериодДействияС/До and Данные (the DER certificate, Base64).
type tslRoot struct {
	XMLName xml.Name `xml:"АккредитованныеУдостоверяющиеЦентры"`
	Version string   `xml:"Версия"`
	Date    string   `xml:"Дата"`
	CAs     []tslCA  `xml:"УдостоверяющийЦентр"`
}

type tslCA struct {
	Name      string `xml:"Название"`
	ShortName string `xml:"КраткоеНазвание"`
	INN       string `xml:"ИНН"`
	OGRN      string `xml:"ОГРН"`
	RegNumber string `xml:"РеестровыйНомер"`
	Status    struct {
		Status string `xml:"Статус"`
		Since  string `xml:"ДействуетС"`
	} `xml:"СтатусАккредитации"`
	PAKs []struct {
		Alias string `xml:"Псевдоним"`
		Keys  []struct {
			KeyID string    `xml:"ИдентификаторКлюча"`
			CRLs  []string  `xml:"АдресаСписковОтзыва>Адрес"`
			Certs []tslCert `xml:"Сертификаты>ДанныеСертификата"`
		} `xml:"КлючиУполномоченныхЛиц>Ключ"`
	} `xml:"ПрограммноАппаратныеКомплексы>ПрограммноАппаратныйКомплекс"`
}

type tslCert struct {
	Thumbprint string `xml:"Отпечаток"`
	Issuer     string `xml:"КемВыдан"`
	Subject    string `xml:"КомуВыдан"`
	Serial     string `xml:"СерийныйНомер"`
	Data       string `xml:"Данные"`
}

// TSLStatusActive is the accreditation status of a CA whose accreditation is
// in force.
const TSLStatusActive = "Действует"

// TSLInfo is what AddTSL read.
type TSLInfo struct {
	Version, Date string
	// CAs counts the CAs listed; Certificates the certificates added;
	// Skipped those that could not be used (with the first reason).
	CAs, Certificates, Skipped int
	FirstProblem               string
}

// AddTSL adds every certificate of the ministry's list of accredited CAs
// (see tslRoot for the structure read), recording for each its CA, register
// number, accreditation status and, when the status is «Действует»,
// Qualified. A certificate whose Отпечаток is not the SHA-1 of its Данные, or
// that does not parse, is skipped; a list that gives no certificate at all is
// an error. The list's own signature, if any, is not checked: fetch it from
// the ministry over HTTPS.
func (s *TrustStore) AddTSL(data []byte, source string) error {
	_, err := s.addTSL(data, source)
	return err
}

func (s *TrustStore) addTSL(data []byte, source string) (TSLInfo, error) {
	var root tslRoot
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	if err := dec.Decode(&root); err != nil {
		return TSLInfo{}, fmt.Errorf("%s: not a list of accredited CAs (АккредитованныеУдостоверяющиеЦентры): %w", source, err)
	}
	info := TSLInfo{Version: strings.TrimSpace(root.Version), Date: strings.TrimSpace(root.Date), CAs: len(root.CAs)}
	skip := func(format string, a ...any) {
		info.Skipped++
		if info.FirstProblem == "" {
			info.FirstProblem = fmt.Sprintf(format, a...)
		}
	}
	for _, ca := range root.CAs {
		status := strings.TrimSpace(ca.Status.Status)
		anchor := TrustAnchor{
			Source: source, CA: strings.TrimSpace(ca.Name), RegistryNumber: strings.TrimSpace(ca.RegNumber),
			Status: status, Qualified: status == TSLStatusActive,
		}
		if anchor.CA == "" {
			anchor.CA = strings.TrimSpace(ca.ShortName)
		}
		for _, pak := range ca.PAKs {
			for _, key := range pak.Keys {
				for _, tc := range key.Certs {
					der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(tc.Data), ""))
					if err != nil || len(der) == 0 {
						skip("%s: certificate %s: Данные is not Base64", anchor.CA, tc.Thumbprint)
						continue
					}
					sum := sha1.Sum(der)
					if tp := strings.TrimSpace(tc.Thumbprint); tp != "" && !strings.EqualFold(tp, hex.EncodeToString(sum[:])) {
						skip("%s: certificate %s: Отпечаток is not the SHA-1 of Данные", anchor.CA, tp)
						continue
					}
					c, err := pki.ParseCertificate(der)
					if err != nil {
						skip("%s: certificate %s: %v", anchor.CA, tc.Thumbprint, err)
						continue
					}
					s.add(c, anchor)
					info.Certificates++
				}
			}
		}
	}
	if info.Certificates == 0 {
		msg := "no usable certificate in the list"
		if info.FirstProblem != "" {
			msg += " (" + info.FirstProblem + ")"
		}
		return info, fmt.Errorf("%s: %s", source, msg)
	}
	return info, nil
}

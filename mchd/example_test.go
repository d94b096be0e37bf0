package mchd_test

import (
	"fmt"
	"time"

	"github.com/podpis/podpis/mchd"
)

// A power of attorney from a Russian company to an employee who may sign
// UPDs (KLASS 2.0 classifier). New fills the identity with a fresh GUID;
// here Identity pins one so that the output is stable.
func ExampleNew() {
	issued := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	d := mchd.New(issued, issued.AddDate(1, 0, -1))
	if err := d.Identity("0b0e8f3c-2d5a-4c1e-9f7a-6b3d2c1e0f9a", issued); err != nil {
		panic(err)
	}
	d.POA.Info.InternalNumber = "42"
	d.POA.Principals = []mchd.Principal{{
		Kind: mchd.PrincipalRussianEntity,
		Russian: &mchd.RussianEntityPrincipal{
			Organization:  mchd.Organization{Name: `ООО "ПРИМЕР"`, INN: "7714350892", KPP: "771401001", OGRN: "1157746734837"},
			HeadIsCompany: "0", HeadIsPerson: "1", HeadIsEntrepreneur: "0",
			Heads: []mchd.ActingWithoutPOA{{Authority: "1", Person: &mchd.Official{
				INN: "770100000142", SNILS: "112-233-445 95", Position: "ГЕНЕРАЛЬНЫЙ ДИРЕКТОР",
				Person: mchd.Person{Name: mchd.FullName{Surname: "ИВАНОВ", Given: "ИВАН"}},
			}}},
		},
	}}
	d.POA.Representatives = []mchd.Representative{{
		Kind: mchd.RepresentativePerson,
		Person: &mchd.Official{INN: "770200000202", SNILS: "223-344-556 39",
			Person: mchd.Person{Name: mchd.FullName{Surname: "ПЕТРОВ", Given: "ПЕТР"}}},
	}}
	d.POA.Powers = mchd.Powers{Kind: mchd.PowersMachine, Joint: "1", Machine: []mchd.MachinePower{{
		Code: "KLASS_2.0_SIGN", Name: "Подписывать",
		Restrictions: []mchd.Restriction{{ID: "1", Code: "LIM_01", Name: "Тип документа", ValueCode: "LIM_01_01"}},
	}}}
	out, err := mchd.Marshal(d)
	if err != nil {
		panic(err)
	}
	fmt.Println(d.FileName())
	fmt.Println(d.POA.Info.StatusURL)
	fmt.Println(len(out) > 0)
	// Output:
	// ON_EMCHD_20260115_0b0e8f3c-2d5a-4c1e-9f7a-6b3d2c1e0f9a.xml
	// https://m4d.nalog.gov.ru/emchd/check-status?guid=0b0e8f3c-2d5a-4c1e-9f7a-6b3d2c1e0f9a
	// true
}

// A signed file is kept as its bytes: Raw, never Marshal, is what goes to
// the registry with its detached signature.
func ExampleParse() {
	data := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<Доверенность ВерсФорм="EMCHD_1" ПрЭлФорм="00000000" ИдФайл="x" xmlns="urn://x-artefacts/EMCHD_1"><Документ><Довер><СвДов ВидДовер="1" ПрПередов="1" ВнНомДовер="1" НомДовер="0b0e8f3c-2d5a-4c1e-9f7a-6b3d2c1e0f9a" ДатаВыдДовер="2026-01-15" СрокДейст="2027-01-14"><СведСист>https://m4d.nalog.gov.ru/emchd/check-status?guid=0b0e8f3c-2d5a-4c1e-9f7a-6b3d2c1e0f9a</СведСист></СвДов></Довер></Документ></Доверенность>`)
	d, err := mchd.Parse(data)
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Info().GUID, d.Info().ValidUntil, len(d.Raw()) == len(data))
	// Output: 0b0e8f3c-2d5a-4c1e-9f7a-6b3d2c1e0f9a 2027-01-14 true
}

package mchd

import (
	"strings"
	"testing"
)

// The full* values fill every optional element and attribute, so that
// xmllint checks the name, the place in the XSD sequence and the element or
// attribute kind of every field of the model.

const fullGUID = "6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e"

func fullAddress() *Address {
	return &Address{Region: "77", FIAS: "г. Москва, ул. Тестовая, д. 1", FIASID: fullGUID}
}

func fullConfirming() *ConfirmingDocument {
	return &ConfirmingDocument{Name: "Устав", IssueDate: "2015-07-01", Issuer: "МИФНС № 46", Details: "ГРН 2157746000000"}
}

func fullPerson(surname string) Person {
	return Person{
		Name:    FullName{Surname: surname, Given: "ИВАН", Patronymic: "ИВАНОВИЧ"},
		Address: fullAddress(),
		IDDocument: &IDDocument{
			ExpiryDate: "2030-01-01", Kind: "21", Number: "00 00 000000", IssueDate: "2010-01-01",
			Issuer: "ОТДЕЛ", IssuerCode: "000-000",
		},
		Sex: "1", Citizenship: "1", ERN: "123456789012", BirthDate: "1980-01-01", BirthPlace: "Г. МОСКВА",
		Country: "643", Phone: "+7 495 000-00-00", Email: "a@b.ru",
	}
}

func fullOfficial(surname string) Official {
	return Official{
		ConfirmingDocument: fullConfirming(), Person: fullPerson(surname),
		Status: "101", INN: testINNPerson, SNILS: testSNILS, Position: "ДИРЕКТОР",
	}
}

func fullOrg() Organization {
	return Organization{
		ConfirmingDocument: fullConfirming(), Address: fullAddress(),
		Status: "101", Name: `ООО "ПОЛНОЕ"`, INN: testINNLegal, KPP: "7714AB001", OGRN: testOGRN,
		RegNumber: "R-1", FoundingDocument: "Устав", Phone: "+7 495 000-00-00", Email: "org@b.ru",
	}
}

func fullForeign() ForeignOrganization {
	return ForeignOrganization{
		Address: fullAddress(), Status: "399", Name: "ACME GMBH", INN: "9909000000", KPP: "997751001",
		AccreditationNumber: "20150000001", Country: "276", RegAuthority: "Amtsgericht", RegNumber: "HRB 1",
		TaxpayerCode: "DE123", Phone: "+49 30 000", Email: "acme@example.de", ForeignAddress: "Berlin",
	}
}

func fullEntrepreneur() *Entrepreneur {
	return &Entrepreneur{
		ConfirmingDocument: fullConfirming(), Person: fullPerson("СИДОРОВ"),
		Status: "102", Name: "ИП СИДОРОВ", OGRNIP: testOGRNIP, INN: testINNPerson, SNILS: "112-233-445-95",
	}
}

func fullActing() []ActingWithoutPOA {
	p := fullOfficial("ИВАНОВ")
	return []ActingWithoutPOA{
		{Authority: "2", Company: &ManagementCompany{Organization: fullOrg(), Persons: []Official{fullOfficial("УК")}}},
		{Authority: "2", Person: &p},
		{Authority: "2", Entrepreneur: fullEntrepreneur()},
	}
}

func fullPowers() Powers {
	p := testMachinePowers()
	p.Text = "Также представлять интересы в суде."
	return p
}

func fullNotary() *NotaryCertification {
	return &NotaryCertification{
		Inscription: "Удостоверено",
		Notary:      Notary{Name: FullName{Surname: "НОТАРИУСОВ", Given: "Н", Patronymic: "Н"}, Position: "НОТАРИУС", RegNumber: "77/1-2026"},
		Signatures: []HandSignature{{
			PDFHash: "aa", Image: "bb", Hash: "cc", Time: "1768435200",
			Signer: FullName{Surname: "КУЗНЕЦОВ", Given: "ИВАН"},
		}},
		Acting: &ActingNotary{Name: FullName{Surname: "ВРИО", Given: "В"}, Position: "ВРИО НОТАРИУСА", RegNumber: "77/2"},
		Place:  "Г. МОСКВА", SendPOAToEPGU: "1", SendRepToEPGU: "0", SendApplicantToFNP: "1", SendRepToFNP: "0",
		Fee: "1500.00", Discount: "100.50", OtherSystem: "ЕИС", OtherMeans: "лично", Extra: "доп.",
	}
}

func fullInfo() POAInfo {
	return POAInfo{
		TaxOffices: []string{"7714", "7715"}, StatusURL: StatusURL(fullGUID),
		Irrevocable: &Irrevocability{Conditions: "по соглашению", Retrust: "2", RevocationCondition: "1"},
		Kind:        KindIrrevocable, Retrust: RetrustFurther, InternalNumber: "N-1", GUID: fullGUID,
		NotaryRegNumber: "77/1-н/77-2026-1-1", ExtraID: "X1", InternalRegDate: "2026-01-14",
		IssueDate: "2026-01-15", ValidUntil: "2027-01-14", TaxOffice: "7714",
	}
}

func fullDocument(body func(*Document)) *Document {
	d := &Document{
		OtherInfo: "Прочие сведения", KND: "1110415", Version: FormatVersion, Profile: "00010000",
		FileID: FileID(testIssued, fullGUID), TaxFileID: "ON_DOVEL_7714_7714_7714350892771401001_20260115_" + fullGUID,
		OID: "1000000001",
	}
	body(d)
	return d
}

func TestFullPOA(t *testing.T) {
	d := fullDocument(func(d *Document) {
		rep := fullOfficial("ПЕТРОВ")
		org, branch, foreign := fullOrg(), fullOrg(), fullForeign()
		d.POA = &POA{
			Info: fullInfo(),
			Principals: []Principal{
				{Kind: PrincipalRussianEntity, Russian: &RussianEntityPrincipal{
					Organization: fullOrg(), Heads: fullActing(), HeadIsCompany: "1", HeadIsPerson: "1", HeadIsEntrepreneur: "1",
				}},
				{Kind: PrincipalForeignEntity, Foreign: &ForeignEntityPrincipal{Organization: fullForeign(), Heads: []Official{fullOfficial("ШМИДТ")}}},
				{Kind: PrincipalEntrepreneur, Entrepreneur: fullEntrepreneur()},
				{Kind: PrincipalPerson, Person: &PersonPrincipal{
					Person: fullPerson("КУЗНЕЦОВ"), Representative: &fullActing()[1],
					Status: "301", Capable: "0", HasSignatory: "1", IncapacityDocument: "Решение суда", INN: testINNPerson, SNILS: testSNILS,
				}},
			},
			Representatives: []Representative{
				{Kind: RepresentativeEntity, Entity: &org},
				{Kind: RepresentativeEntrepreneur, Entrepreneur: fullEntrepreneur()},
				{Kind: RepresentativePerson, Person: &rep},
				{Kind: RepresentativeBranch, Branch: &branch},
				{Kind: RepresentativeForeignBranch, ForeignBranch: &foreign},
			},
			Powers: fullPowers(),
			Notary: fullNotary(),
		}
	})
	out := roundTrip(t, d)
	for _, s := range []string{"СВЮЛ", "СвИП", "ДокПдтв", "ФИАСАдрРФ", "expDate", "ВриоНот", "ИнСвУдНадпис", "ИнСвед", "OID=", "КодНОДейст", "ОписУслОт"} {
		if !strings.Contains(string(out), s) {
			t.Errorf("output lacks %s", s)
		}
	}
}

func TestFullRetrust(t *testing.T) {
	d := fullDocument(func(d *Document) {
		parent := ParentPOA{
			Principals: []ParentPrincipal{
				{Kind: PrincipalRussianEntity, Russian: func() *Organization { o := fullOrg(); return &o }()},
				{Kind: PrincipalForeignEntity, Foreign: func() *ForeignOrganization { o := fullForeign(); return &o }()},
				{Kind: PrincipalEntrepreneur, Entrepreneur: fullEntrepreneur()},
				{Kind: PrincipalPerson, Person: &PersonPrincipal{Person: fullPerson("К"), SNILS: testSNILS}},
			},
			Notary: &fullNotary().Notary, Acting: fullNotary().Acting,
			Kind: ParentRetrust, Form: FormPaper, IssueDate: "2025-01-01", ValidUntil: "2028-01-01",
			OriginalInternalNumber: "A", ParentInternalNumber: "B", OriginalGUID: NewGUID(), ParentGUID: NewGUID(),
			OriginalNotaryRegNumber: "77/1-н/77-2025-1-1", ParentNotaryRegNumber: "77/1-н/77-2025-1-2",
		}
		base := parent
		off := fullOfficial("РУКОП")
		d.Retrust = &Retrust{
			Original: parent, Base: &base, Info: fullInfo(), HasBase: "1",
			Grantors: []Grantor{
				{Kind: RepresentativeEntity, Entity: &RussianEntityPrincipal{Organization: fullOrg(), Heads: fullActing(), HeadIsCompany: "0", HeadIsPerson: "1", HeadIsEntrepreneur: "0"}},
				{Kind: RepresentativeEntrepreneur, Entrepreneur: fullEntrepreneur()},
				{Kind: RepresentativePerson, Person: &GrantorPerson{Signatory: &off, Person: fullPerson("П"), Status: "101", HasSignatory: "1", INN: testINNRep, SNILS: testSNILSRep}},
				{Kind: RepresentativeBranch, Branch: &GrantorBranch{Branch: fullOrg(), Head: fullOfficial("ФИЛ")}},
				{Kind: RepresentativeForeignBranch, Foreign: &ForeignEntityPrincipal{Organization: fullForeign(), Heads: []Official{fullOfficial("Ш")}}},
			},
			Recipients: []Representative{testRepresentative(RepresentativePerson)},
			Powers:     fullPowers(),
			Notary:     fullNotary(),
		}
	})
	roundTrip(t, d)
}

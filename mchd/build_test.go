package mchd

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/pki/ruid"
)

// Synthetic identifiers with correct check digits (FORMAT.md §11).
const (
	testINNLegal  = "7714350892"
	testOGRN      = "1157746734837"
	testKPP       = "771401001"
	testINNPerson = "770100000142"
	testINNRep    = "770200000202"
	testSNILS     = "112-233-445 95"
	testSNILSRep  = "223-344-556 39"
	testOGRNIP    = "304774600000011"
)

var (
	testIssued = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	testUntil  = time.Date(2027, 1, 14, 0, 0, 0, 0, time.UTC)
)

func TestTestIdentifiers(t *testing.T) {
	for _, err := range []error{
		ruid.CheckINNLegal(testINNLegal), ruid.CheckOGRN(testOGRN),
		ruid.CheckINNPerson(testINNPerson), ruid.CheckINNPerson(testINNRep),
		ruid.CheckSNILS(testSNILS), ruid.CheckSNILS(testSNILSRep), ruid.CheckOGRNIP(testOGRNIP),
	} {
		if err != nil {
			t.Error(err)
		}
	}
}

func testPerson(surname string) Person {
	return Person{
		Name:        FullName{Surname: surname, Given: "ИВАН", Patronymic: "ИВАНОВИЧ"},
		Address:     &Address{Region: "77", Text: "Г. МОСКВА, УЛ. ТЕСТОВАЯ, Д. 1"},
		IDDocument:  &IDDocument{Kind: "21", Number: "00 00 000000", IssueDate: "2010-01-01", IssuerCode: "000-000"},
		Citizenship: "1",
		BirthDate:   "1980-01-01",
	}
}

func testOrg(name string) Organization {
	return Organization{
		Name: name, INN: testINNLegal, KPP: testKPP, OGRN: testOGRN,
		Address: &Address{Region: "77", Text: "127015, Г.МОСКВА, УЛ. БУТЫРСКАЯ, Д. 75"},
	}
}

func testForeignOrg() ForeignOrganization {
	return ForeignOrganization{Name: "ACME GMBH", Country: "276", AccreditationNumber: "20150000001", KPP: "997751001"}
}

func testEntrepreneur() *Entrepreneur {
	return &Entrepreneur{OGRNIP: testOGRNIP, INN: testINNPerson, SNILS: testSNILS, Person: testPerson("СИДОРОВ")}
}

func testHead() ActingWithoutPOA {
	return ActingWithoutPOA{Authority: "1", Person: &Official{
		INN: testINNPerson, SNILS: testSNILS, Position: "ГЕНЕРАЛЬНЫЙ ДИРЕКТОР", Person: testPerson("ИВАНОВ"),
	}}
}

func testPrincipal(kind string) Principal {
	p := Principal{Kind: kind}
	switch kind {
	case PrincipalRussianEntity:
		p.Russian = &RussianEntityPrincipal{
			Organization: testOrg(`ООО "ТЕСТ"`), Heads: []ActingWithoutPOA{testHead()},
			HeadIsCompany: "0", HeadIsPerson: "1", HeadIsEntrepreneur: "0",
		}
	case PrincipalForeignEntity:
		p.Foreign = &ForeignEntityPrincipal{
			Organization: testForeignOrg(),
			Heads:        []Official{{SNILS: testSNILS, Position: "РУКОВОДИТЕЛЬ", Person: testPerson("ШМИДТ")}},
		}
	case PrincipalEntrepreneur:
		p.Entrepreneur = testEntrepreneur()
	case PrincipalPerson:
		h := testHead()
		p.Person = &PersonPrincipal{SNILS: testSNILS, INN: testINNPerson, Capable: "1", Person: testPerson("КУЗНЕЦОВ"), Representative: &h}
	}
	return p
}

func testRepresentative(kind string) Representative {
	r := Representative{Kind: kind}
	switch kind {
	case RepresentativeEntity:
		o := testOrg(`АО "ПРЕДСТАВИТЕЛЬ"`)
		r.Entity = &o
	case RepresentativeEntrepreneur:
		r.Entrepreneur = testEntrepreneur()
	case RepresentativePerson:
		r.Person = &Official{INN: testINNRep, SNILS: testSNILSRep, Person: testPerson("ПЕТРОВ")}
	case RepresentativeBranch:
		o := testOrg(`ФИЛИАЛ ООО "ТЕСТ"`)
		o.KPP = "771402001"
		r.Branch = &o
	case RepresentativeForeignBranch:
		o := testForeignOrg()
		r.ForeignBranch = &o
	}
	return r
}

func testMachinePowers() Powers {
	return Powers{Kind: PowersMachine, Joint: "1", LossOnRetrust: "1", Machine: []MachinePower{
		{Code: "KLASS_2.0_SIGN", Name: "Подписывать", Restrictions: []Restriction{
			{ID: "1", Code: "LIM_01", Name: "Тип документа", ValueName: "Универсальный передаточный документ", ValueCode: "LIM_01_01"},
			{ID: "2", Code: "LIM_02", Name: "Вид обязательства", ValueText: "поставка"},
		}},
		{Code: "2_FNS21", Name: "Подписывать документы (информацию)", Mnemonic: "FNS_SIGN"},
	}}
}

// build makes an original POA with the builder for one principal kind,
// representatives of every kind and both kinds of powers across the kinds.
func build(t testing.TB, kind string) *Document {
	t.Helper()
	d := New(testIssued, testUntil)
	d.POA.Info.InternalNumber = "42/" + kind
	d.POA.Info.Retrust = RetrustFurther
	d.POA.Principals = []Principal{testPrincipal(kind)}
	for _, k := range []string{RepresentativeEntity, RepresentativeEntrepreneur, RepresentativePerson, RepresentativeBranch, RepresentativeForeignBranch} {
		d.POA.Representatives = append(d.POA.Representatives, testRepresentative(k))
	}
	d.POA.Powers = testMachinePowers()
	switch kind {
	case PrincipalEntrepreneur, PrincipalPerson:
		// Individuals go through a notary, with text powers.
		d.POA.Powers = Powers{Kind: PowersText, Joint: "2", Text: "Представлять мои интересы во всех организациях."}
		d.POA.Info.NotaryRegNumber = "77/1-н/77-2026-1-1"
		d.POA.Notary = &NotaryCertification{
			Place: "Г. МОСКВА", Fee: "1500.00",
			Notary: Notary{Name: FullName{Surname: "НОТАРИУСОВ", Given: "НИКОЛАЙ"}, Position: "НОТАРИУС", RegNumber: "77/1-2026"},
			Signatures: []HandSignature{{
				PDFHash: "aa", Image: "bb", Hash: "cc", Time: "1768435200",
				Signer: FullName{Surname: "КУЗНЕЦОВ", Given: "ИВАН"},
			}},
		}
	case PrincipalForeignEntity:
		d.POA.Info.Kind = KindIrrevocable
		d.POA.Info.Irrevocable = &Irrevocability{Retrust: "1", RevocationCondition: "2", Conditions: "по соглашению сторон"}
		d.POA.Info.TaxOffices = []string{"7714", "7715"}
	}
	return d
}

// roundTrip marshals d, validates it with xmllint and checks that it
// parses back to the same XML.
func roundTrip(t *testing.T, d *Document) []byte {
	t.Helper()
	out, err := Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	xmllint(t, out)
	p, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, again) {
		t.Fatalf("Marshal(Parse(out)) differs:\n%s\n%s", out, again)
	}
	return out
}

func TestBuildPrincipalKinds(t *testing.T) {
	for _, kind := range []string{PrincipalRussianEntity, PrincipalForeignEntity, PrincipalEntrepreneur, PrincipalPerson} {
		t.Run("ТипДоверит="+kind, func(t *testing.T) {
			d := build(t, kind)
			out := roundTrip(t, d)
			if !bytes.HasPrefix(out, []byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n<Доверенность ")) {
				t.Errorf("unexpected start: %.80s", out)
			}
			checkIdentity(t, d)
		})
	}
}

func checkIdentity(t *testing.T, d *Document) {
	t.Helper()
	info := d.Info()
	if !ValidGUID(info.GUID) || strings.ToLower(info.GUID) != info.GUID || info.GUID[14] != '4' {
		t.Errorf("GUID %q is not a lower-case v4 GUID", info.GUID)
	}
	if want := "ON_EMCHD_20260115_" + info.GUID; d.FileID != want {
		t.Errorf("ИдФайл = %q, want %q", d.FileID, want)
	}
	if d.FileName() != d.FileID+".xml" {
		t.Errorf("FileName = %q", d.FileName())
	}
	if info.StatusURL != "https://m4d.nalog.gov.ru/emchd/check-status?guid="+info.GUID {
		t.Errorf("СведСист = %q", info.StatusURL)
	}
	if info.IssueDate != "2026-01-15" || info.ValidUntil != "2027-01-14" {
		t.Errorf("dates %q..%q", info.IssueDate, info.ValidUntil)
	}
}

func TestBuildRetrust(t *testing.T) {
	parent := build(t, PrincipalRussianEntity)
	grantor := Grantor{Kind: RepresentativePerson, Person: &GrantorPerson{
		INN: testINNRep, SNILS: testSNILSRep, Person: testPerson("ПЕТРОВ"),
	}}

	first, err := NewRetrust(parent, testIssued, testUntil)
	if err != nil {
		t.Fatal(err)
	}
	first.Retrust.Info.InternalNumber = "42-1"
	first.Retrust.Info.Retrust = RetrustFurther
	first.Retrust.Grantors = []Grantor{grantor}
	first.Retrust.Recipients = []Representative{testRepresentative(RepresentativePerson)}
	first.Retrust.Powers = testMachinePowers()
	roundTrip(t, first)
	checkIdentity(t, first)
	o := first.Retrust.Original
	if o.OriginalGUID != parent.POA.Info.GUID || o.ParentGUID != parent.POA.Info.GUID || first.Retrust.Base != nil || first.Retrust.HasBase != "0" {
		t.Errorf("first-level parent reference wrong: %+v", o)
	}
	if len(o.Principals) != 1 || o.Principals[0].Russian == nil || o.Principals[0].Russian.INN != testINNLegal {
		t.Errorf("original principals not carried: %+v", o.Principals)
	}

	// Second level: C ← B ← A (FORMAT.md §15.2), other grantor kinds.
	second, err := NewRetrust(first, testIssued, testUntil)
	if err != nil {
		t.Fatal(err)
	}
	second.Retrust.Info.InternalNumber = "42-1-1"
	entity := testPrincipal(PrincipalRussianEntity).Russian
	foreign := testPrincipal(PrincipalForeignEntity).Foreign
	second.Retrust.Grantors = []Grantor{
		{Kind: RepresentativeEntity, Entity: entity},
		{Kind: RepresentativeEntrepreneur, Entrepreneur: testEntrepreneur()},
		{Kind: RepresentativeBranch, Branch: &GrantorBranch{Branch: testOrg("ФИЛИАЛ"), Head: Official{Position: "ДИРЕКТОР ФИЛИАЛА", Person: testPerson("ФИЛИН")}}},
		{Kind: RepresentativeForeignBranch, Foreign: foreign},
	}
	second.Retrust.Recipients = []Representative{testRepresentative(RepresentativeEntity)}
	second.Retrust.Powers = Powers{Kind: PowersText, Joint: "1", Text: "Подписывать счета-фактуры."}
	roundTrip(t, second)
	r := second.Retrust
	if r.HasBase != "1" || r.Base == nil || r.Base.ParentGUID != first.Info().GUID || r.Base.OriginalGUID != parent.Info().GUID {
		t.Errorf("second-level base reference wrong: %+v", r.Base)
	}
	if r.Original.OriginalGUID != parent.Info().GUID || r.Original.ParentGUID != first.Info().GUID {
		t.Errorf("second-level original reference wrong: %+v", r.Original)
	}
}

func TestNewRetrustRefuses(t *testing.T) {
	parent := build(t, PrincipalRussianEntity)
	parent.POA.Info.Retrust = RetrustForbidden
	if _, err := NewRetrust(parent, testIssued, testUntil); err == nil {
		t.Error("retrust of a POA with ПрПередов=1 accepted")
	}
	parent.POA.Info.Retrust = RetrustOnce
	if _, err := NewRetrust(parent, testIssued, testUntil.AddDate(0, 0, 1)); err == nil {
		t.Error("retrust outlasting its parent accepted")
	}
	r, err := NewRetrust(parent, testIssued, testUntil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewRetrust(r, testIssued, testUntil); err == nil {
		t.Error("retrust of a one-time retrust accepted")
	}
	if _, err := NewRetrust(&Document{}, testIssued, testUntil); err == nil {
		t.Error("retrust of an empty document accepted")
	}
}

func TestIdentity(t *testing.T) {
	d := New(testIssued, testUntil)
	if err := d.Identity("not-a-guid", testIssued); err == nil {
		t.Error("Identity accepted an invalid GUID")
	}
	if err := (&Document{}).Identity(NewGUID(), testIssued); err == nil {
		t.Error("Identity accepted a document without a body")
	}
	seen := map[string]bool{}
	for range 100 {
		g := NewGUID()
		if !ValidGUID(g) || seen[g] {
			t.Fatalf("bad or repeated GUID %q", g)
		}
		seen[g] = true
	}
}

// TestXmllintOracle makes sure the xmllint oracle is live: documents the
// XSD forbids are rejected.
func TestXmllintOracle(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Document)
	}{
		{"empty ВнНомДовер", func(d *Document) { d.POA.Info.InternalNumber = "" }},
		{"bad ПрЭлФорм", func(d *Document) { d.Profile = "2" }},
		{"no principal", func(d *Document) { d.POA.Principals = nil }},
		{"bad date", func(d *Document) { d.POA.Info.ValidUntil = "14.01.2027" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := build(t, PrincipalRussianEntity)
			tt.mod(d)
			out, err := Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			if xmllintErr(t, out) == nil {
				t.Fatal("xmllint accepted a document the XSD forbids")
			}
		})
	}
}

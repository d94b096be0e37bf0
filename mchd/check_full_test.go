package mchd

import (
	"bytes"
	"testing"
)

// checkFullPOA and checkFullRetrust are the documents of TestFullPOA and
// TestFullRetrust (every optional element filled), with fixed GUIDs.
func checkFullPOA() *Document {
	return fullDocument(func(d *Document) {
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
}

func checkFullRetrust() *Document {
	return fullDocument(func(d *Document) {
		parent := ParentPOA{
			Principals: []ParentPrincipal{
				{Kind: PrincipalRussianEntity, Russian: func() *Organization { o := fullOrg(); return &o }()},
				{Kind: PrincipalForeignEntity, Foreign: func() *ForeignOrganization { o := fullForeign(); return &o }()},
				{Kind: PrincipalEntrepreneur, Entrepreneur: fullEntrepreneur()},
				{Kind: PrincipalPerson, Person: &PersonPrincipal{Person: fullPerson("К"), SNILS: testSNILS}},
			},
			Notary: &fullNotary().Notary, Acting: fullNotary().Acting,
			Kind: ParentRetrust, Form: FormPaper, IssueDate: "2025-01-01", ValidUntil: "2028-01-01",
			OriginalInternalNumber: "A", ParentInternalNumber: "B", OriginalGUID: "6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d01", ParentGUID: "6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d02",
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
}

// checkFullBytes marshals d with the foreign INN of fullForeign (9909000000,
// a wrong check digit) replaced by 9909000004.
func checkFullBytes(t testing.TB, d *Document) []byte {
	t.Helper()
	out, err := Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(out, []byte(`ИННЮЛ="9909000000"`), []byte(`ИННЮЛ="9909000004"`))
}

func TestCheckFull(t *testing.T) {
	for name, d := range map[string]*Document{"POA": checkFullPOA(), "retrust": checkFullRetrust()} {
		ps := d.Check()
		if !has(ps, "INN_CHECK_DIGIT", "СвИнОрг/@ИННЮЛ") {
			t.Errorf("%s: INN 9909000000 passes", name)
		}
		_, ps, err := Check(checkFullBytes(t, d))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			t.Errorf("%s: %v", name, p)
		}
	}
}

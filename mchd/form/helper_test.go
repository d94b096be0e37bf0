package form

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/pki/devpki"
)

// specDir holds FORMAT.md and the real samples (FORMAT.md §12); tests read
// them there, never from a copy.
const specDir = "../../../shared/spec/mchd"

var (
	sampleTax   = filepath.Join(specDir, "samples", "ON_EMCHD_20250522_5f7737eb-d23c-498f-826f-1dcae0eaee34.xml")
	sampleKlass = filepath.Join(specDir, "samples", "ON_EMCHD_20250523_cea38d31-3ea4-481a-b725-1ff4f7eb45be.xml")
)

// testCreated pins the PDF's creation time so that output is reproducible.
var testCreated = time.Date(2026, 11, 23, 12, 30, 0, 0, time.FixedZone("MSK", 3*3600))

// missing skips outside CI and fails in CI, where every oracle is installed.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format+" (skipping outside CI)", args...)
}

func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, "%s not installed", name)
	}
	return p
}

func readSample(t testing.TB, path string) (*mchd.Document, []byte) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		missing(t, "sample not found: %v", err)
	}
	d, err := mchd.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return d, raw
}

// Synthetic identifiers with correct check digits (FORMAT.md §11), as in
// the samples.
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

func testPerson(surname string) mchd.Person {
	return mchd.Person{
		Name:        mchd.FullName{Surname: surname, Given: "ИВАН", Patronymic: "ИВАНОВИЧ"},
		Address:     &mchd.Address{Region: "77", Text: "Г. МОСКВА, УЛ. ТЕСТОВАЯ, Д. 1"},
		IDDocument:  &mchd.IDDocument{Kind: "21", Number: "00 00 000000", IssueDate: "2010-01-01", IssuerCode: "000-000"},
		Citizenship: "1",
		BirthDate:   "1980-01-01",
	}
}

func testOrg(name string) mchd.Organization {
	return mchd.Organization{
		Name: name, INN: testINNLegal, KPP: testKPP, OGRN: testOGRN,
		Address: &mchd.Address{Region: "77", Text: "127015, Г.МОСКВА, УЛ. БУТЫРСКАЯ, Д. 75"},
	}
}

func testForeignOrg() mchd.ForeignOrganization {
	return mchd.ForeignOrganization{Name: "ACME GMBH", Country: "276", AccreditationNumber: "20150000001", KPP: "997751001"}
}

func testEntrepreneur() *mchd.Entrepreneur {
	return &mchd.Entrepreneur{OGRNIP: testOGRNIP, INN: testINNPerson, SNILS: testSNILS, Person: testPerson("СИДОРОВ")}
}

func testHead() mchd.ActingWithoutPOA {
	return mchd.ActingWithoutPOA{Authority: "1", Person: &mchd.Official{
		INN: testINNPerson, SNILS: testSNILS, Position: "ГЕНЕРАЛЬНЫЙ ДИРЕКТОР", Person: testPerson("ИВАНОВ"),
	}}
}

func testPrincipal(kind string) mchd.Principal {
	p := mchd.Principal{Kind: kind}
	switch kind {
	case mchd.PrincipalRussianEntity:
		p.Russian = &mchd.RussianEntityPrincipal{
			Organization: testOrg(`ООО "ТЕСТ"`), Heads: []mchd.ActingWithoutPOA{testHead()},
			HeadIsCompany: "0", HeadIsPerson: "1", HeadIsEntrepreneur: "0",
		}
	case mchd.PrincipalForeignEntity:
		p.Foreign = &mchd.ForeignEntityPrincipal{
			Organization: testForeignOrg(),
			Heads:        []mchd.Official{{SNILS: testSNILS, Position: "РУКОВОДИТЕЛЬ", Person: testPerson("ШМИДТ")}},
		}
	case mchd.PrincipalEntrepreneur:
		p.Entrepreneur = testEntrepreneur()
	case mchd.PrincipalPerson:
		h := testHead()
		p.Person = &mchd.PersonPrincipal{SNILS: testSNILS, INN: testINNPerson, Capable: "1", Person: testPerson("КУЗНЕЦОВ"), Representative: &h}
	}
	return p
}

func testRepresentative(kind string) mchd.Representative {
	r := mchd.Representative{Kind: kind}
	switch kind {
	case mchd.RepresentativeEntity:
		o := testOrg(`АО "ПРЕДСТАВИТЕЛЬ"`)
		r.Entity = &o
	case mchd.RepresentativeEntrepreneur:
		r.Entrepreneur = testEntrepreneur()
	case mchd.RepresentativePerson:
		r.Person = &mchd.Official{INN: testINNRep, SNILS: testSNILSRep, Person: testPerson("ПЕТРОВ")}
	case mchd.RepresentativeBranch:
		o := testOrg(`ФИЛИАЛ ООО "ТЕСТ"`)
		o.KPP = "771402001"
		r.Branch = &o
	case mchd.RepresentativeForeignBranch:
		o := testForeignOrg()
		r.ForeignBranch = &o
	}
	return r
}

var allRepresentatives = []string{mchd.RepresentativeEntity, mchd.RepresentativeEntrepreneur, mchd.RepresentativePerson, mchd.RepresentativeBranch, mchd.RepresentativeForeignBranch}

// build makes an original POA for one principal kind with representatives
// of every kind; individuals get text powers and a notary, as in the mchd
// package's own builder tests.
func build(t testing.TB, kind string) *mchd.Document {
	t.Helper()
	d := mchd.New(testIssued, testUntil)
	d.POA.Info.InternalNumber = "42/" + kind
	d.POA.Info.Retrust = mchd.RetrustFurther
	d.POA.Principals = []mchd.Principal{testPrincipal(kind)}
	for _, k := range allRepresentatives {
		d.POA.Representatives = append(d.POA.Representatives, testRepresentative(k))
	}
	d.POA.Powers = mchd.Powers{Kind: mchd.PowersMachine, Joint: "1", LossOnRetrust: "1", Machine: []mchd.MachinePower{
		{Code: "KLASS_2.0_SIGN", Name: "Подписывать", Restrictions: []mchd.Restriction{
			{ID: "1", Code: "LIM_01", Name: "Тип документа", ValueName: "Универсальный передаточный документ", ValueCode: "LIM_01_01"},
			{ID: "2", Code: "LIM_02", Name: "Вид обязательства", ValueText: "поставка"},
		}},
		{Code: "2_FNS21", Name: "Подписывать документы (информацию)", Mnemonic: "FNS_SIGN"},
	}}
	switch kind {
	case mchd.PrincipalEntrepreneur, mchd.PrincipalPerson:
		d.POA.Powers = mchd.Powers{Kind: mchd.PowersText, Joint: "2", Text: "Представлять мои интересы во всех организациях."}
		d.POA.Info.NotaryRegNumber = "77/1-н/77-2026-1-1"
		d.POA.Notary = &mchd.NotaryCertification{
			Place: "Г. МОСКВА", Fee: "1500.00",
			Notary: mchd.Notary{Name: mchd.FullName{Surname: "НОТАРИУСОВ", Given: "НИКОЛАЙ"}, Position: "НОТАРИУС", RegNumber: "77/1-2026"},
			Signatures: []mchd.HandSignature{{
				PDFHash: "aa", Image: "bb", Hash: "cc", Time: "1768435200",
				Signer: mchd.FullName{Surname: "КУЗНЕЦОВ", Given: "ИВАН"},
			}},
		}
	case mchd.PrincipalForeignEntity:
		d.POA.Info.Kind = mchd.KindIrrevocable
		d.POA.Info.Irrevocable = &mchd.Irrevocability{Retrust: "1", RevocationCondition: "2", Conditions: "по соглашению сторон"}
		d.POA.Info.TaxOffices = []string{"7714", "7715"}
	}
	return d
}

// manyPowers is a POA with n machine-readable powers, a third of them with
// a restriction, and one code no table knows, with its name left out.
func manyPowers(t testing.TB, n int) *mchd.Document {
	t.Helper()
	d := build(t, mchd.PrincipalRussianEntity)
	d.POA.Representatives = d.POA.Representatives[2:3]
	var ms []mchd.MachinePower
	for i := range n {
		m := mchd.MachinePower{Code: fmt.Sprintf("TEST_POWER_%03d", i+1), Name: fmt.Sprintf("Полномочие номер %d: подписывать документы вида %d", i+1, i+1)}
		if i%3 == 0 {
			m.Restrictions = []mchd.Restriction{{ID: "1", Code: "LIM_01", Name: "Тип документа", ValueName: "Договор", ValueCode: "LIM_01_15"}}
		}
		ms = append(ms, m)
	}
	// A code no table knows and a known one, both with blank names (the
	// XSD's minLength 1 lets a space through).
	ms[41].Code, ms[41].Name = "ZZ_UNKNOWN_POWER", " "
	ms[42].Code, ms[42].Name = "2_FNS21", " "
	d.POA.Powers.Machine = ms
	return d
}

// retrust makes a retrust of a POA allowing it, granted by the principal
// entity to a natural person.
func retrust(t testing.TB) (*mchd.Document, *mchd.Document) {
	t.Helper()
	parent := build(t, mchd.PrincipalRussianEntity)
	r, err := mchd.NewRetrust(parent, testIssued.AddDate(0, 1, 0), testUntil.AddDate(0, -1, 0))
	if err != nil {
		t.Fatal(err)
	}
	r.Retrust.Info.InternalNumber = "42-П"
	r.Retrust.Grantors = []mchd.Grantor{{Kind: mchd.RepresentativeEntity, Entity: parent.POA.Principals[0].Russian}}
	r.Retrust.Recipients = []mchd.Representative{testRepresentative(mchd.RepresentativePerson)}
	r.Retrust.Powers = mchd.Powers{Kind: mchd.PowersMachine, Joint: "1", Machine: parent.POA.Powers.Machine[:1]}
	return r, parent
}

// marshal returns the document's file bytes, parsed back so that Raw is set.
func marshal(t testing.TB, d *mchd.Document) (*mchd.Document, []byte) {
	t.Helper()
	raw, err := mchd.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	p, err := mchd.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return p, raw
}

var (
	pkiOnce sync.Once
	testPKI *devpki.PKI
	pkiErr  error
)

func devPKI(t testing.TB) *devpki.PKI {
	t.Helper()
	pkiOnce.Do(func() {
		testPKI, pkiErr = devpki.New(devpki.Options{Now: time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)})
	})
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return testPKI
}

// sign makes a detached CAdES-BES over raw by the head's certificate and,
// with both, a second by the natural person, then reads it with Signatures.
func sign(t testing.TB, raw []byte, both bool) ([]byte, []Signature) {
	t.Helper()
	p := devPKI(t)
	at := time.Date(2026, 1, 15, 9, 41, 0, 0, time.UTC)
	sig, err := cms.Sign(bytes.NewReader(raw), cms.SignerConfig{Signer: p.Signer.Key, Certificate: p.Signer.Cert, SigningTime: at}, cms.SignOptions{Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	if both {
		sig, err = cms.AddSigner(sig, bytes.NewReader(raw), cms.SignerConfig{Signer: p.Person.Key, Certificate: p.Person.Cert, SigningTime: at.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
	}
	sigs, err := Signatures(sig, raw, "poa.xml.sig")
	if err != nil {
		t.Fatal(err)
	}
	return sig, sigs
}

func render(t testing.TB, d *mchd.Document, raw []byte, sigs []Signature, opts Options) []byte {
	t.Helper()
	if opts.Created.IsZero() {
		opts.Created = testCreated
	}
	out, err := RenderBytes(d, raw, sigs, opts)
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("FORM_OUT"); dir != "" {
		// For looking at the forms: FORM_OUT=/tmp/forms go test -run X
		name := filepath.Join(dir, filepath.Base(t.Name())+".pdf")
		if err := os.WriteFile(name, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

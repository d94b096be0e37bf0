package registry

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/internal/pgtest"
	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/pki/devpki"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		childMain()
		return
	}
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// backend opens a fresh registry of one kind.
type backend struct {
	name string
	// dsn returns the DSN of a new, empty registry.
	dsn func(t testing.TB) string
}

var backends = []backend{
	{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "mchd.db") }},
	{"postgres", func(t testing.TB) string { return pgtest.Require(t).NewDatabase(t) }},
}

// forEachBackend runs f as a subtest per backend, with a new registry.
func forEachBackend(t *testing.T, f func(t *testing.T, dsn string, r *Registry)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			dsn := b.dsn(t)
			r := open(t, dsn)
			f(t, dsn, r)
		})
	}
}

func open(t testing.TB, dsn string) *Registry {
	t.Helper()
	r, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

var (
	pkiOnce sync.Once
	testPKI *devpki.PKI
	pkiErr  error
)

// thePKI is a test PKI: Signer is the head of an organisation (ИНН ЮЛ),
// Person a natural person (ИНН).
func thePKI(t testing.TB) *devpki.PKI {
	t.Helper()
	pkiOnce.Do(func() { testPKI, pkiErr = devpki.New(devpki.Options{}) })
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return testPKI
}

var (
	issued = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	until  = time.Date(2027, 1, 14, 0, 0, 0, 0, time.UTC)
)

func person(surname string) mchd.Person {
	return mchd.Person{
		Name:        mchd.FullName{Surname: surname, Given: "ИВАН", Patronymic: "ИВАНОВИЧ"},
		Citizenship: "1",
		BirthDate:   "1980-01-01",
	}
}

// newPOA builds an original POA from the test PKI's organisation (its
// head's certificate signs it) to the test PKI's person, allowing further
// retrust, and returns the document and its bytes.
func newPOA(t testing.TB, p *devpki.PKI) (*mchd.Document, []byte) {
	t.Helper()
	sn, pn := p.Signer.Cert.SubjectName, p.Person.Cert.SubjectName
	d := mchd.New(issued, until)
	d.POA.Info.InternalNumber = "1"
	d.POA.Info.Retrust = mchd.RetrustFurther
	d.POA.Principals = []mchd.Principal{{Kind: mchd.PrincipalRussianEntity, Russian: &mchd.RussianEntityPrincipal{
		Organization: mchd.Organization{Name: `ООО "РОМАШКА"`, INN: sn.LegalEntityINN(), KPP: sn.LegalEntityINN()[:4] + "01001", OGRN: sn.OGRN},
		Heads: []mchd.ActingWithoutPOA{{Authority: "1", Person: &mchd.Official{
			INN: sn.PersonINN(), SNILS: snils(sn.SNILS), Position: "ГЕНЕРАЛЬНЫЙ ДИРЕКТОР", Person: person("ИВАНОВ"),
		}}},
		HeadIsCompany: "0", HeadIsPerson: "1", HeadIsEntrepreneur: "0",
	}}}
	d.POA.Representatives = []mchd.Representative{{Kind: mchd.RepresentativePerson, Person: &mchd.Official{
		INN: pn.PersonINN(), SNILS: snils(pn.SNILS), Person: person("ПЕТРОВ"),
	}}}
	d.POA.Powers = mchd.Powers{Kind: mchd.PowersText, Joint: "1", Text: "Подписывать счета-фактуры."}
	return d, marshal(t, d)
}

// newRetrust builds a retrust of parent from the test PKI's person to
// another person; further allows a further retrust.
func newRetrust(t testing.TB, p *devpki.PKI, parent *mchd.Document, further bool) (*mchd.Document, []byte) {
	t.Helper()
	pn := p.Person.Cert.SubjectName
	r, err := mchd.NewRetrust(parent, issued, until)
	if err != nil {
		t.Fatal(err)
	}
	r.Retrust.Info.InternalNumber = "1-1"
	if further {
		r.Retrust.Info.Retrust = mchd.RetrustFurther
	}
	r.Retrust.Grantors = []mchd.Grantor{{Kind: mchd.RepresentativePerson, Person: &mchd.GrantorPerson{
		INN: pn.PersonINN(), SNILS: snils(pn.SNILS), Person: person("ПЕТРОВ"),
	}}}
	r.Retrust.Recipients = []mchd.Representative{{Kind: mchd.RepresentativePerson, Person: &mchd.Official{
		INN: "770200000202", SNILS: "223-344-556 39", Person: person("СИДОРОВ"),
	}}}
	r.Retrust.Powers = mchd.Powers{Kind: mchd.PowersText, Joint: "1", Text: "Подписывать счета-фактуры."}
	return r, marshal(t, r)
}

// snils writes 11 digits as NNN-NNN-NNN NN, the form the XSD asks for.
func snils(s string) string {
	if len(s) != 11 {
		return s
	}
	return s[:3] + "-" + s[3:6] + "-" + s[6:9] + " " + s[9:]
}

func marshal(t testing.TB, d *mchd.Document) []byte {
	t.Helper()
	b, err := mchd.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	_, ps, err := mchd.Check(b)
	if err != nil || mchd.HasErrors(ps) {
		t.Fatalf("test document does not pass mchd.Check: %v %v", err, ps)
	}
	return b
}

// signBy makes a detached CAdES-BES signature over content.
func signBy(t testing.TB, party devpki.Party, content []byte) []byte {
	t.Helper()
	sig, err := cms.Sign(bytes.NewReader(content), cms.SignerConfig{Signer: party.Key, Certificate: party.Cert}, cms.SignOptions{Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func guidOf(d *mchd.Document) string { return d.Info().GUID }

// statement makes and signs a revocation statement for guid by party with
// ИНН inn.
func statement(t testing.TB, party devpki.Party, guid, inn, reason string) (stmt, sig []byte) {
	t.Helper()
	stmt, err := RevocationStatement(guid, inn, time.Now(), reason)
	if err != nil {
		t.Fatal(err)
	}
	return stmt, signBy(t, party, stmt)
}

package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/mchd/form"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
)

// mchdPKI is one test PKI for all MCHD tests (key generation is slow).
var mchdPKI = sync.OnceValues(func() (*devpki.PKI, error) { return devpki.New(devpki.Options{}) })

type mchdFixture struct {
	p     *devpki.PKI
	roots *pki.CertPool
}

func newMCHDFixture(t testing.TB) *mchdFixture {
	t.Helper()
	p, err := mchdPKI()
	if err != nil {
		t.Fatal(err)
	}
	roots := pki.NewCertPool()
	roots.AddCert(p.CA.Cert)
	return &mchdFixture{p: p, roots: roots}
}

// official is a person of the POA with the numbers of a devpki certificate.
func official(c *pki.Certificate, position string) *mchd.Official {
	n := c.SubjectName
	given, patronymic, _ := strings.Cut(n.GivenName, " ")
	s, _ := snilsFormat(n.SNILS)
	return &mchd.Official{INN: n.INN, SNILS: s, Position: position,
		Person: mchd.Person{Name: mchd.FullName{Surname: n.Surname, Given: given, Patronymic: patronymic}}}
}

func snilsFormat(d string) (string, error) {
	if len(d) != 11 {
		return "", errors.New("not 11 digits")
	}
	return d[0:3] + "-" + d[3:6] + "-" + d[6:9] + " " + d[9:11], nil
}

// poa builds an original POA from the devpki organisation (its head is the
// Signer) to the devpki Person, issued on issued for days days.
func (f *mchdFixture) poa(t testing.TB, issued time.Time, days int) *mchd.Document {
	t.Helper()
	head := f.p.Signer.Cert.SubjectName
	d := mchd.New(issued, issued.AddDate(0, 0, days))
	d.POA.Info.InternalNumber = "1/2026"
	d.POA.Info.Retrust = mchd.RetrustOnce
	d.POA.Principals = []mchd.Principal{{Kind: mchd.PrincipalRussianEntity, Russian: &mchd.RussianEntityPrincipal{
		Organization:  mchd.Organization{Name: head.Organization, INN: head.INNLE, KPP: "770801001", OGRN: head.OGRN},
		HeadIsCompany: "0", HeadIsPerson: "1", HeadIsEntrepreneur: "0",
		Heads: []mchd.ActingWithoutPOA{{Authority: "1", Person: official(f.p.Signer.Cert, head.Title)}},
	}}}
	d.POA.Representatives = []mchd.Representative{{Kind: mchd.RepresentativePerson, Person: official(f.p.Person.Cert, "")}}
	d.POA.Powers = mchd.Powers{Kind: mchd.PowersMachine, Joint: "1", Machine: []mchd.MachinePower{
		{Code: "KLASS_2.0_SIGN", Name: "Подписывать"},
	}}
	return d
}

func marshal(t testing.TB, d *mchd.Document) []byte {
	t.Helper()
	raw, err := mchd.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func signBytes(t testing.TB, who devpki.Party, raw []byte) []byte {
	t.Helper()
	sig, err := cms.Sign(bytes.NewReader(raw), cms.SignerConfig{Signer: who.Key, Certificate: who.Cert}, cms.SignOptions{Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// file returns the POA signed by who, named as FORMAT.md §2.1 wants.
func (f *mchdFixture) file(t testing.TB, d *mchd.Document, who devpki.Party) MCHDFile {
	raw := marshal(t, d)
	return MCHDFile{Name: d.FileName(), XML: raw, Signature: signBytes(t, who, raw)}
}

func (f *mchdFixture) check(t testing.TB, file MCHDFile, opts MCHDOptions) *MCHDReport {
	t.Helper()
	opts.Roots = f.roots
	rep, err := MCHD(context.Background(), file, opts)
	if err != nil {
		t.Fatal(err)
	}
	// The report is data: it must survive JSON and render as text.
	if _, err := json.Marshal(rep); err != nil {
		t.Fatal(err)
	}
	for _, l := range []Lang{Russian, English} {
		var b strings.Builder
		if err := rep.WriteText(&b, l); err != nil {
			t.Fatal(err)
		}
	}
	return rep
}

func today() time.Time { return time.Now().In(moscow) }

// want checks the verdict and the code.
func wantMCHD(t *testing.T, rep *MCHDReport, ind Indication, code Code) {
	t.Helper()
	if rep.Indication != ind || rep.Code != code {
		var b strings.Builder
		rep.WriteText(&b, English)
		t.Fatalf("got %s %s, want %s %s\n%s", rep.Indication, rep.Code, ind, code, b.String())
	}
}

func mchdWarned(rep *MCHDReport, c Code) bool {
	for _, w := range rep.Warnings {
		if w.Code == c {
			return true
		}
	}
	return false
}

func TestMCHDValid(t *testing.T) {
	f := newMCHDFixture(t)
	d := f.poa(t, today(), 365)
	rep := f.check(t, f.file(t, d, f.p.Signer), MCHDOptions{})
	wantMCHD(t, rep, TotalPassed, CodeOK)
	var steps []string
	for _, s := range rep.Steps {
		steps = append(steps, s.Step)
	}
	if got := strings.Join(steps, ","); got != "format,signature,certificate,signer,term" {
		t.Errorf("steps %s, want the order of FORMAT.md §8.3", got)
	}
	if rep.POA.GUID != d.Info().GUID || rep.POA.Principals[0].INNLE != "7708123450" || rep.POA.Representatives[0].SNILS == "" {
		t.Errorf("MCHD section: %+v", rep.POA)
	}
	if !mchdWarned(rep, CodeMCHDRegistryNotChecked) {
		t.Error("no warning that the registry was not checked")
	}
}

func TestMCHDSignerNotPrincipal(t *testing.T) {
	f := newMCHDFixture(t)
	rep := f.check(t, f.file(t, f.poa(t, today(), 365), f.p.Person), MCHDOptions{})
	wantMCHD(t, rep, TotalFailed, CodeMCHDSignerNotPrincipal)
	if err := MCHDSigner(f.poa(t, today(), 365), f.p.Person.Cert); err == nil {
		t.Error("MCHDSigner accepts the representative as the principal's head")
	}
	if err := MCHDSigner(f.poa(t, today(), 365), f.p.Signer.Cert); err != nil {
		t.Errorf("MCHDSigner refuses the head: %v", err)
	}
}

// Heads acting jointly (ПолнЮЛ=2) each sign: one signature of two is not
// enough; both are.
func TestMCHDJointHeads(t *testing.T) {
	f := newMCHDFixture(t)
	d := f.poa(t, today(), 30)
	r := d.POA.Principals[0].Russian
	second := official(f.p.Person.Cert, "Финансовый директор")
	r.Heads = []mchd.ActingWithoutPOA{{Authority: "2", Person: r.Heads[0].Person}, {Authority: "2", Person: second}}
	// The second head's certificate is a person's; as a head of the
	// organisation she would carry its ИНН ЮЛ, which devpki's Person does
	// not, so only the first signature is of a head.
	file := f.file(t, d, f.p.Signer)
	rep := f.check(t, file, MCHDOptions{})
	wantMCHD(t, rep, Indeterminate, CodeMCHDPrincipalUnsigned)
	if !strings.Contains(rep.Detail, "act jointly") {
		t.Errorf("detail %q", rep.Detail)
	}
	r.Heads = r.Heads[:1]
	r.Heads[0].Authority = "2"
	wantMCHD(t, f.check(t, f.file(t, d, f.p.Signer), MCHDOptions{}), TotalPassed, CodeOK)
}

// A certificate without the qualified-certificate extensions (the test CA's
// own) does not sign a POA (FORMAT.md §8.2, FACTS §6.2).
func TestMCHDNotQualified(t *testing.T) {
	f := newMCHDFixture(t)
	if qualified(f.p.CA.Cert) || !qualified(f.p.Signer.Cert) {
		t.Fatal("devpki's CA should lack, and its Signer carry, the qualified-certificate extensions")
	}
	rep := f.check(t, f.file(t, f.poa(t, today(), 30), f.p.CA), MCHDOptions{})
	wantMCHD(t, rep, TotalFailed, CodeMCHDNotQualified)
}

func TestMCHDTampered(t *testing.T) {
	f := newMCHDFixture(t)
	file := f.file(t, f.poa(t, today(), 365), f.p.Signer)
	// One byte of the representative's name changes: still a valid POA, no
	// longer the signed one.
	i := bytes.Index(file.XML, []byte("Петрова"))
	file.XML = bytes.Clone(file.XML)
	file.XML[i+1]++
	rep := f.check(t, file, MCHDOptions{})
	wantMCHD(t, rep, TotalFailed, CodeContentMismatch)
	if rep.Steps[0].Indication != TotalPassed || rep.Steps[1].Code != CodeContentMismatch {
		t.Errorf("steps: %+v", rep.Steps)
	}
}

func TestMCHDTerm(t *testing.T) {
	f := newMCHDFixture(t)
	d := f.poa(t, today(), 10)
	file := f.file(t, d, f.p.Signer)
	// Day 10 is the last valid day (inclusive); day 11 is past it.
	wantMCHD(t, f.check(t, file, MCHDOptions{Options: Options{At: time.Now().AddDate(0, 0, 10)}}), TotalPassed, CodeOK)
	wantMCHD(t, f.check(t, file, MCHDOptions{Options: Options{At: time.Now().AddDate(0, 0, 11)}}), TotalFailed, CodeMCHDExpired)

	later := f.poa(t, today().AddDate(0, 0, 2), 10)
	wantMCHD(t, f.check(t, f.file(t, later, f.p.Signer), MCHDOptions{}), Indeterminate, CodeMCHDNotYetValid)
}

func TestMCHDUnsigned(t *testing.T) {
	f := newMCHDFixture(t)
	file := f.file(t, f.poa(t, today(), 10), f.p.Signer)
	file.Signature = nil
	wantMCHD(t, f.check(t, file, MCHDOptions{}), Indeterminate, CodeMCHDUnsigned)
}

func TestMCHDFormat(t *testing.T) {
	f := newMCHDFixture(t)
	d := f.poa(t, today(), 10)
	d.POA.Principals[0].Russian.Organization.INN = "7708123451" // check digit
	rep := f.check(t, f.file(t, d, f.p.Signer), MCHDOptions{})
	wantMCHD(t, rep, TotalFailed, CodeMCHDFormat)
	if !strings.Contains(rep.Detail, "INN_CHECK_DIGIT") {
		t.Errorf("detail %q does not name the rule", rep.Detail)
	}
	rep = f.check(t, MCHDFile{XML: []byte("<a/>")}, MCHDOptions{})
	wantMCHD(t, rep, TotalFailed, CodeMCHDFormat)
}

// memRegistry is an in-memory MCHDRegistry.
type memRegistry map[string]MCHDStatus

func (m memRegistry) MCHDStatus(_ context.Context, guid string) (MCHDStatus, error) {
	if guid == "broken" {
		return MCHDStatus{}, errors.New("unreachable")
	}
	return m[guid], nil
}

func TestMCHDRegistry(t *testing.T) {
	f := newMCHDFixture(t)
	d := f.poa(t, today(), 30)
	file := f.file(t, d, f.p.Signer)
	guid := d.Info().GUID

	rep := f.check(t, file, MCHDOptions{Registry: memRegistry{guid: {Known: true}}})
	wantMCHD(t, rep, TotalPassed, CodeOK)

	rep = f.check(t, file, MCHDOptions{Registry: memRegistry{guid: {Known: true, Revoked: true, RevokedAt: time.Now().Add(-time.Hour), Reason: "уволен"}}})
	wantMCHD(t, rep, TotalFailed, CodeMCHDRevoked)
	if !strings.Contains(rep.Detail, "уволен") {
		t.Errorf("detail %q lacks the reason", rep.Detail)
	}
	// Checked at a time before the revocation: valid then.
	rep = f.check(t, file, MCHDOptions{Registry: memRegistry{guid: {Known: true, Revoked: true, RevokedAt: time.Now().Add(time.Hour)}}})
	wantMCHD(t, rep, TotalPassed, CodeOK)
	if !mchdWarned(rep, CodeMCHDRevokedLater) {
		t.Error("no warning of the later revocation")
	}
	rep = f.check(t, file, MCHDOptions{Registry: memRegistry{}})
	wantMCHD(t, rep, TotalPassed, CodeOK)
	if !mchdWarned(rep, CodeMCHDNotRegistered) {
		t.Error("no warning that the registry does not know the POA")
	}
}

// retrust builds a retrust of parent from the Person (its representative) to
// the Signer's head as a person, signed by the Person.
func (f *mchdFixture) retrust(t *testing.T, parent *mchd.Document, days int) *mchd.Document {
	t.Helper()
	r, err := mchd.NewRetrust(parent, today(), today().AddDate(0, 0, days))
	if err != nil {
		t.Fatal(err)
	}
	r.Retrust.Info.InternalNumber = "1/2026-П"
	g := official(f.p.Person.Cert, "")
	r.Retrust.Grantors = []mchd.Grantor{{Kind: mchd.RepresentativePerson, Person: &mchd.GrantorPerson{INN: g.INN, SNILS: g.SNILS, Person: g.Person}}}
	r.Retrust.Recipients = []mchd.Representative{{Kind: mchd.RepresentativePerson, Person: official(f.p.Signer.Cert, "")}}
	r.Retrust.Powers = mchd.Powers{Kind: mchd.PowersMachine, Joint: "1", Machine: []mchd.MachinePower{{Code: "KLASS_2.0_SIGN", Name: "Подписывать"}}}
	return r
}

func TestMCHDRetrust(t *testing.T) {
	f := newMCHDFixture(t)
	parent := f.poa(t, today(), 60)
	pfile := f.file(t, parent, f.p.Signer)
	rt := f.retrust(t, parent, 30)
	file := f.file(t, rt, f.p.Person)

	// Without the parent: passes, and says the parent was not checked.
	rep := f.check(t, file, MCHDOptions{})
	wantMCHD(t, rep, TotalPassed, CodeOK)
	if !mchdWarned(rep, CodeMCHDParentNotChecked) {
		t.Error("no warning that the parent was not checked")
	}
	file.Parent = &pfile
	rep = f.check(t, file, MCHDOptions{})
	wantMCHD(t, rep, TotalPassed, CodeOK)
	if rep.Parent == nil || !rep.Parent.Passed() || !rep.POA.Retrust || rep.POA.ParentGUID != parent.Info().GUID {
		t.Fatalf("parent report: %+v", rep.Parent)
	}

	// A parent whose signature is not the head's fails the retrust.
	bad := f.file(t, parent, f.p.Person)
	file.Parent = &bad
	rep = f.check(t, file, MCHDOptions{})
	wantMCHD(t, rep, TotalFailed, CodeMCHDParentInvalid)

	// A revoked parent ends the retrust (FORMAT.md §9).
	file.Parent = &pfile
	rep = f.check(t, file, MCHDOptions{Registry: memRegistry{parent.Info().GUID: {Known: true, Revoked: true}}})
	wantMCHD(t, rep, TotalFailed, CodeMCHDParentInvalid)

	// Another POA as the parent does not fit (PARENT_MISMATCH).
	other := f.poa(t, today(), 60)
	ofile := f.file(t, other, f.p.Signer)
	file.Parent = &ofile
	rep = f.check(t, file, MCHDOptions{})
	wantMCHD(t, rep, TotalFailed, CodeMCHDParentMismatch)
}

func TestMCHDPowerQuestion(t *testing.T) {
	f := newMCHDFixture(t)
	d := f.poa(t, today(), 30)
	file := f.file(t, d, f.p.Signer)

	rep := f.check(t, file, MCHDOptions{Power: "KLASS_2.0_SIGN", Representative: f.p.Person.Cert})
	wantMCHD(t, rep, TotalPassed, CodeOK)
	if rep.Answer == nil || !rep.Answer.Allowed || len(rep.Answer.Codes) != 0 {
		t.Fatalf("answer %+v, want yes", rep.Answer)
	}
	rep = f.check(t, file, MCHDOptions{Power: "2_FNS21", Representative: f.p.Person.Cert})
	wantMCHD(t, rep, TotalFailed, CodeMCHDPowerMissing)
	if rep.Answer.Allowed || rep.Answer.Codes[0] != CodeMCHDPowerMissing {
		t.Fatalf("answer %+v, want no", rep.Answer)
	}
	rep = f.check(t, file, MCHDOptions{Power: "KLASS_2.0_SIGN", Representative: f.p.Signer.Cert})
	wantMCHD(t, rep, TotalFailed, CodeMCHDNotRepresentative)
	// An expired POA: the answer is no for that reason.
	rep = f.check(t, file, MCHDOptions{Options: Options{At: time.Now().AddDate(0, 0, 40)}, Power: "KLASS_2.0_SIGN", Representative: f.p.Person.Cert})
	if rep.Answer.Allowed || rep.Answer.Codes[0] != CodeMCHDExpired {
		t.Fatalf("answer %+v, want no (expired)", rep.Answer)
	}
	// Text powers: a person must judge.
	d.POA.Powers = mchd.Powers{Kind: mchd.PowersText, Joint: "1", Text: "Подписывать счета-фактуры"}
	rep = f.check(t, f.file(t, d, f.p.Signer), MCHDOptions{Power: "KLASS_2.0_SIGN", Representative: f.p.Person.Cert})
	wantMCHD(t, rep, Indeterminate, CodeMCHDTextPowers)
}

func TestMCHDPrintedForm(t *testing.T) {
	f := newMCHDFixture(t)
	d := f.poa(t, today(), 30)
	file := f.file(t, d, f.p.Signer)
	good := form.QRPayload(file.XML, d)
	wantMCHD(t, f.check(t, file, MCHDOptions{PrintedForm: &PrintedForm{Name: "form.pdf", Payloads: []string{"other", good}}}), TotalPassed, CodeOK)
	// The hash of other bytes.
	bad := form.QRPayload(append([]byte(" "), file.XML...), d)
	wantMCHD(t, f.check(t, file, MCHDOptions{PrintedForm: &PrintedForm{Name: "form.pdf", Payloads: []string{bad}}}), TotalFailed, CodeMCHDQRMismatch)
	// Another POA's form.
	other := f.poa(t, today(), 30)
	wrong := form.QRPayload(file.XML, other)
	wantMCHD(t, f.check(t, file, MCHDOptions{PrintedForm: &PrintedForm{Name: "form.pdf", Payloads: []string{wrong}}}), TotalFailed, CodeMCHDQRMismatch)
	// A mangled payload of this kind.
	wantMCHD(t, f.check(t, file, MCHDOptions{PrintedForm: &PrintedForm{Name: "form.pdf", Payloads: []string{good + "0"}}}), TotalFailed, CodeMCHDQRMismatch)
	wantMCHD(t, f.check(t, file, MCHDOptions{PrintedForm: &PrintedForm{Name: "form.pdf"}}), TotalFailed, CodeMCHDQRMissing)
}

// BenchmarkCheckMCHD is one full check of a signed POA: XSD and rules, the
// CMS signature over the bytes, the chain to the root, signer ↔ principal and
// the term (no registry, no network).
func BenchmarkCheckMCHD(b *testing.B) {
	f := newMCHDFixture(b)
	d := f.poa(b, today(), 365)
	// A typical B2B POA, like the real sample of FORMAT.md §12 with
	// restrictions: addresses, the representative's passport, five powers.
	org := &d.POA.Principals[0].Russian.Organization
	org.Address = &mchd.Address{Region: "77", Text: "101000, г. Москва, ул. Ленина, д. 10, офис 5"}
	rp := &d.POA.Representatives[0].Person.Person
	rp.BirthDate, rp.Citizenship = "1985-04-12", "1"
	rp.Address = &mchd.Address{Region: "50", Text: "141400, Московская обл., г. Химки, ул. Мира, д. 1, кв. 1"}
	rp.IDDocument = &mchd.IDDocument{Kind: "21", Number: "45 00 000000", IssueDate: "2010-01-01", Issuer: "ОВД", IssuerCode: "770-000"}
	d.POA.Powers.Machine = nil
	for i, c := range []string{"SIGN", "DESIGN", "HAND_OVER", "SIGN_DIG_DOC", "APPROVE"} {
		d.POA.Powers.Machine = append(d.POA.Powers.Machine, mchd.MachinePower{Code: "KLASS_2.0_" + c, Name: "Полномочие " + c,
			Restrictions: []mchd.Restriction{{ID: "1", Code: "LIM_01", Name: "Тип документа", ValueCode: fmt.Sprintf("LIM_01_0%d", i+1)}}})
	}
	file := f.file(b, d, f.p.Signer)
	opts := MCHDOptions{Options: Options{Roots: f.roots}}
	b.SetBytes(int64(len(file.XML)))
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		rep, err := MCHD(context.Background(), file, opts)
		if err != nil || !rep.Passed() {
			b.Fatalf("%v %v", err, rep.Code)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checks/s")
	// On a shared machine wall time includes waiting for a core; the
	// process's CPU time per check (with -cpu 1, GC included) does not.
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "checks/cpu-s")
	}
}

// processCPU returns the user and system CPU time of this process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

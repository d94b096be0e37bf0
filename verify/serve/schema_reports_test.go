package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/cms/tsp"
	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/mchd/registry"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/verify"
)

// TestReportsMatchSchema posts every kind of case, valid, invalid and
// undecided, with a trust store, a CRL and a timestamp so that the reports
// carry what they can, and validates each answer against the Result schema;
// it also asserts that the fields newest in the report are there, so the
// validation is known to have met them.
func TestReportsMatchSchema(t *testing.T) {
	in := getInputs(t)
	p := in.p
	store := verify.NewTrustStore()
	if err := store.AddCertificates(p.CA.Cert.Raw, "ca.der"); err != nil {
		t.Fatal(err)
	}
	crl, err := pki.ParseRevocationList(p.CRL)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(c *Config) {
		c.Verify.Trust = store
		c.Verify.CRLs = []*pki.RevocationList{crl}
	})
	c := newSchemaCheck(t)
	srv := httptest.NewServer(&tsp.Authority{Signer: p.TSA.Key, Certificate: p.TSA.Cert, Policy: devpki.TSAPolicy})
	defer srv.Close()
	stamped, err := cms.AddTimestamp(context.Background(), in.sig, &tsp.Client{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	other, err := devpki.New(devpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	poa, poaSig := file{in.poa.Name, in.poa.XML}, file{in.poa.Name + ".sig", in.poa.Signature}

	check := func(name string, e *env, power string, want []string, files ...file) {
		t.Helper()
		body, ctype := multipartBody(t, power, files...)
		resp := e.post(t, body, ctype)
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d: %s", name, resp.StatusCode, data)
		}
		for _, p := range c.validateJSON(map[string]any{"$ref": "#/components/schemas/Result"}, data) {
			t.Errorf("%s: %s", name, p)
		}
		for _, w := range want {
			if !bytes.Contains(data, []byte(w)) {
				t.Errorf("%s: the report lacks %s:\n%s", name, w, data)
			}
		}
	}
	check("CMS, timestamped, trust store, CRL", e, "", []string{`"indication":"TOTAL-PASSED"`, `"proofOfExistence":`, `"timestamp":{`,
		`"subjectSignTool":`, `"issuerSignTool":{`, `"signToolClasses":[`, `"trustAnchor":{`, `"qualified":{"qualified":false`, `"problemsRu":[`,
		`"revocation":"not-revoked"`, `"revocationEvidence":[{`, `"crlNumber":`, `"chain":[`, `"signer":{`},
		file{"doc.sig", stamped}, file{docName, document})
	check("CMS, invalid", e, "", []string{`"indication":"TOTAL-FAILED"`, `"code":"CONTENT_MISMATCH"`, `"detail":`},
		file{"doc.sig", in.sig}, file{docName, append(bytes.Clone(document), '!')})
	check("CMS, undecided", e, "", []string{`"indication":"INDETERMINATE"`, `"code":"CHAIN_UNTRUSTED"`, `"detailRu":`},
		file{"doc.sig", signWith(t, other.Signer, document)}, file{docName, document})
	check("PDF", e, "", []string{`"kind":"pdf"`, `"byteRange":[`, `"byteRangeOK":true`, `"report":{`}, file{"act.pdf", in.pdf})
	twice, err := signedPDF(p, 2)
	if err != nil {
		t.Fatal(err)
	}
	check("PDF signed twice", e, "", []string{`"modified":true`, `"changedObjects":[`, `"laterSignatures":`}, file{"act.pdf", twice})
	check("МЧД", e, "", []string{`"kind":"mchd"`, `"steps":[`, `"mchd":{"guid":`, `"principals":[`, `"powers":[`, `"warnings":[`},
		poaSig, poa)
	check("МЧД, misnamed", e, "", []string{`"problems":[{"path":`, `"message_en":`}, file{"poa.xml", in.poa.XML}, file{"poa.xml.sig", in.poa.Signature})
	check("МЧД, unsigned", e, "", []string{`"indication":"INDETERMINATE"`, `"code":"MCHD_UNSIGNED"`, `"detailRu":"подпись не передана"`}, poa)
	check("representative", e, "KLASS_2.0_SIGN", []string{`"kind":"representative"`, `"answer":{"allowed":true`, `"cms":{`, `"mchd":{`},
		file{docName, document}, file{"doc.sig", in.byPerson}, poa, poaSig)
	check("representative, power not granted", e, "NOT_GRANTED", []string{`"answer":{"allowed":false`, `"codes":["MCHD_POWER_MISSING"]`},
		file{docName, document}, file{"doc.sig", in.byPerson}, poa, poaSig)

	// A real-world CAdES-X Long Type 1 PDF (Acrobat + КриптоПро): the OCSP
	// answer it carries is embedded revocation evidence.
	const realworld = "../../../shared/realworld"
	pdfData, err := os.ReadFile(filepath.Join(realworld, "pdf", "acrobat-cryptopro-cades-xlt1.pdf"))
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("real-world artefacts required in CI: %v", err)
		}
		t.Logf("skipping the real-world PDF: %v", err)
	} else {
		rw, err := verify.LoadTrustStore(filepath.Join(realworld, "certs", "cryptopro-testca-root-2024.der"),
			filepath.Join(realworld, "certs", "cryptopro-test-head-ca-2023.der"))
		if err != nil {
			t.Fatal(err)
		}
		e2 := newEnv(t, func(c *Config) { c.Verify.Trust = rw })
		check("real-world CAdES-X-L PDF", e2, "", []string{`"embedded":true`, `"source":"ocsp"`, `"producedAt":`, `"proofOfExistence":`}, file{"acrobat.pdf", pdfData})
	}
	t.Logf("declared properties no report here carried: %v", c.unseen())
}

// registryStatus asks a real registry (package mchd/registry) for a POA's
// status, as podpis mchd check --db does.
type registryStatus struct{ r *registry.Registry }

func (s registryStatus) MCHDStatus(ctx context.Context, guid string) (verify.MCHDStatus, error) {
	rec, err := s.r.Get(ctx, guid)
	if errors.Is(err, registry.ErrNotFound) {
		return verify.MCHDStatus{}, nil
	}
	if err != nil {
		return verify.MCHDStatus{}, err
	}
	st := verify.MCHDStatus{Known: true}
	if rec.Status == registry.StatusRevoked && rec.Revocation != nil {
		st.Revoked, st.RevokedAt, st.Reason = true, rec.Revocation.Time, rec.Revocation.Reason
	}
	return st, nil
}

// TestCLIReportsMatchSchema: what podpis verify --in, pdf verify and mchd
// check print with --format json (verify.Report, PDFReport, MCHDReport; the
// same functions) against the schemas of those names, with a retrust
// checked with its parent and a registry, which the API does not take.
func TestCLIReportsMatchSchema(t *testing.T) {
	in := getInputs(t)
	p := in.p
	c := newSchemaCheck(t)
	ctx := context.Background()
	opts := verify.Options{Roots: in.roots}
	valid := func(schema string, v any, want ...string) {
		t.Helper()
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range c.validateJSON(map[string]any{"$ref": "#/components/schemas/" + schema}, data) {
			t.Errorf("%s: %s", schema, p)
		}
		for _, w := range want {
			if !bytes.Contains(data, []byte(w)) {
				t.Errorf("%s lacks %s:\n%s", schema, w, data)
			}
		}
	}
	rep, err := verify.CMS(ctx, in.sig, bytes.NewReader(document), opts)
	if err != nil {
		t.Fatal(err)
	}
	valid("Report", rep, `"signatures":[{"index":0`)
	pdfRep, err := verify.PDF(ctx, bytes.NewReader(in.pdf), int64(len(in.pdf)), opts)
	if err != nil {
		t.Fatal(err)
	}
	valid("PDFReport", pdfRep, `"signatures":[{"field":`)

	parent := poa(p, time.Now().AddDate(0, 0, -1), 60)
	parent.POA.Info.Retrust = mchd.RetrustOnce
	rt, err := mchd.NewRetrust(parent, time.Now().AddDate(0, 0, -1), time.Now().AddDate(0, 0, 30))
	if err != nil {
		t.Fatal(err)
	}
	rt.Retrust.Info.InternalNumber = "1/2026-П"
	g := official(p.Person.Cert, "")
	rt.Retrust.Grantors = []mchd.Grantor{{Kind: mchd.RepresentativePerson, Person: &mchd.GrantorPerson{INN: g.INN, SNILS: g.SNILS, Person: g.Person}}}
	rt.Retrust.Recipients = []mchd.Representative{{Kind: mchd.RepresentativePerson, Person: official(p.Signer.Cert, "")}}
	rt.Retrust.Powers = mchd.Powers{Kind: mchd.PowersMachine, Joint: "1", Machine: []mchd.MachinePower{{Code: "KLASS_2.0_SIGN", Name: "Подписывать"}}}
	pxml, err := mchd.Marshal(parent)
	if err != nil {
		t.Fatal(err)
	}
	rxml, err := mchd.Marshal(rt)
	if err != nil {
		t.Fatal(err)
	}
	pfile := &verify.MCHDFile{Name: parent.FileName(), XML: pxml, Signature: signWith(t, p.Signer, pxml)}
	rfile := verify.MCHDFile{Name: rt.FileName(), XML: rxml, Signature: signWith(t, p.Person, rxml), Parent: pfile}
	reg, err := registry.Open(ctx, filepath.Join(t.TempDir(), "mchd.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	for _, f := range []*verify.MCHDFile{pfile, &rfile} {
		if _, err := reg.Import(ctx, f.XML, f.Signature); err != nil {
			t.Fatal(err)
		}
	}
	mrep, err := verify.MCHD(ctx, rfile, verify.MCHDOptions{Options: opts, Registry: registryStatus{reg}})
	if err != nil {
		t.Fatal(err)
	}
	if !mrep.Passed() {
		t.Fatalf("retrust: %s %s %s", mrep.Indication, mrep.Code, mrep.Detail)
	}
	valid("MCHDReport", mrep, `"parent":{`, `"registry":{"known":true,"revoked":false}`, `"retrust":true`, `"parentGuid":`, `"originalGuid":`)
}

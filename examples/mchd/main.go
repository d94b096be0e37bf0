// Command mchd issues, signs and checks a power of attorney (МЧД, EMCHD_1)
// with the podpis library, the way `podpis mchd new | sign | check` do:
//
//	go run ./examples/mchd -from examples/mchd/poa.yaml -pki pki -out out
//
// where pki is a test PKI written by `podpis devpki --out pki`. It writes
// out/ON_EMCHD_…xml and its detached signature, then checks both with
// verify.MCHD (shared/spec/mchd/FORMAT.md §8.3) and asks whether the
// representative may sign documents needing power KLASS_2.0_SIGN today.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/sign/softkey"
	"github.com/podpis/podpis/verify"
)

func main() {
	from := flag.String("from", "examples/mchd/poa.yaml", "description of the POA (YAML or JSON)")
	dir := flag.String("pki", "pki", "test PKI written by podpis devpki")
	out := flag.String("out", ".", "directory for the XML and its signature")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *from, *dir, *out, time.Now()); err != nil {
		fmt.Fprintln(os.Stderr, "mchd:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, from, dir, out string, now time.Time) error {
	// 1. The description becomes the XML (mchd.Input), checked as written.
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	in, err := mchd.ParseInput(data)
	if err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	moscow := time.FixedZone("MSK", 3*60*60) // FORMAT.md §4: dates are Moscow days
	doc, err := in.Build(now.In(moscow), nil)
	if err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	raw, err := mchd.Marshal(doc)
	if err != nil {
		return err
	}
	if _, problems, err := mchd.CheckFile(doc.FileName(), raw); err != nil || mchd.HasErrors(problems) {
		return fmt.Errorf("the POA breaks the format: %v %v", err, problems)
	}

	// 2. The head signs the exact bytes: a detached CAdES-BES.
	key, err := softkey.LoadPrivateKey(filepath.Join(dir, "signer.key"))
	if err != nil {
		return err
	}
	head, err := readCert(filepath.Join(dir, "signer.pem"))
	if err != nil {
		return err
	}
	if err := verify.MCHDSigner(doc, head); err != nil {
		return fmt.Errorf("%s may not sign this POA: %w", head.Subject, err)
	}
	sig, err := cms.Sign(bytes.NewReader(raw), cms.SignerConfig{Signer: key, Certificate: head}, cms.SignOptions{Detached: true})
	if err != nil {
		return err
	}
	xmlName := filepath.Join(out, doc.FileName())
	if err := os.WriteFile(xmlName, raw, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(strings.TrimSuffix(xmlName, ".xml")+".sig", sig, 0o644); err != nil {
		return err
	}

	// 3. A counterparty checks it and asks the power question.
	ca, err := readCert(filepath.Join(dir, "ca.pem"))
	if err != nil {
		return err
	}
	rep, err := readCert(filepath.Join(dir, "person.pem"))
	if err != nil {
		return err
	}
	roots := pki.NewCertPool()
	roots.AddCert(ca)
	report, err := verify.MCHD(ctx, verify.MCHDFile{Name: doc.FileName(), XML: raw, Signature: sig},
		verify.MCHDOptions{Options: verify.Options{Roots: roots, At: now}, Power: "KLASS_2.0_SIGN", Representative: rep})
	if err != nil {
		return err
	}
	if err := report.WriteText(w, verify.English); err != nil {
		return err
	}
	if !report.Answer.Allowed {
		return fmt.Errorf("%s: %s %s", xmlName, report.Indication, report.Code)
	}
	return nil
}

func readCert(name string) (*pki.Certificate, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	certs, err := pki.ParseCertificates(data)
	if err != nil || len(certs) == 0 {
		return nil, fmt.Errorf("%s: not a certificate: %v", name, err)
	}
	return certs[0], nil
}

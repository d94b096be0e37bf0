package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/mchd/registry"
	"github.com/podpis/podpis/pdf/pdfcheck"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/verify"
)

type mchdCheckFlags struct {
	verifyFlags
	xml, sig, pdf             string
	parentXML, parentSig      string
	power, representative, db string
}

func newMCHDCheckCmd() *cobra.Command {
	var f mchdCheckFlags
	cmd := &cobra.Command{
		Use:   "check --xml POA.xml [--sig POA.sig] [--trust CA.pem] [--at TIME] [--pdf FORM.pdf] [--parent-xml P.xml --parent-sig P.sig] [--power CODE --representative CERT.pem]",
		Short: "Check a power of attorney: format, signature, signer, term, status, retrust",
		Long: `Check a power of attorney (EMCHD_1) in the order of FORMAT.md §8.3:
  1. the XSD and the format's rules;
  2. the detached signature (--sig) over the exact bytes of the file;
  3. the signer's certificate: qualified, chained to --trust, valid at the
     signing time (with --crl or --online, not revoked);
  4. the signer is the principal's head (ИНН ЮЛ / ОГРН, СНИЛС / ИНН);
  5. the term at the validation time (--at, default now; days in Moscow time);
  6. the registry status (--db, $PODPIS_MCHD_DB or the default registry; --db none
     leaves it out; the check is journalled
     there, a POA checked without --sig uses the signature stored there, and
     a retrust without --parent-xml the parents stored there);
  7. for a retrust, the POA it is based on (--parent-xml, --parent-sig),
     checked the same way, and that it allows this retrust.
--pdf compares the QR code of a printed form with the XML (GUID and the
Streebog-256 of the file). --power CODE --representative CERT.pem asks the
counterparty's question: may the certificate's holder sign documents needing
that power for the principal now? The answer is yes only when everything
above passes too.

The report gives an ETSI EN 319 102-1 indication and stable codes
(MCHD_EXPIRED, MCHD_SIGNER_NOT_PRINCIPAL, MCHD_REVOKED …); --format json
prints it for programs, text is Russian or English (--lang en).

Exit status 0: valid (and the answer is yes); 1: checked and invalid or
undecided; 2: could not check.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return mchdCheck(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.xml, "xml", "", "the power of attorney (EMCHD_1 XML)")
	fl.StringVar(&f.sig, "sig", "", "its detached signature (DER, PEM or Base64)")
	fl.StringVar(&f.pdf, "pdf", "", "a printed form whose QR code to compare with the XML")
	fl.StringVar(&f.parentXML, "parent-xml", "", "for a retrust: the POA it is based on")
	fl.StringVar(&f.parentSig, "parent-sig", "", "for a retrust: the signature of --parent-xml")
	fl.StringVar(&f.power, "power", "", "power code to ask about (with --representative)")
	fl.StringVar(&f.representative, "representative", "", "certificate of the person who would sign by the POA (with --power)")
	addOptionalDBFlag(cmd, &f.db, "МЧД registry to ask for the status (MCHD_REVOKED) and to journal the check in")
	fl.StringArrayVar(&f.trust, "trust", nil, "trust anchors: certificate file (PEM/DER), directory, or the ministry's TSL.xml; repeatable")
	fl.StringArrayVar(&f.crls, "crl", nil, "revocation list (PEM or DER); repeatable")
	fl.StringArrayVar(&f.certs, "certs", nil, "more certificates: intermediates or the signer's; repeatable")
	fl.StringVar(&f.at, "at", "", "validation time (RFC 3339 or YYYY-MM-DD); default now")
	fl.StringVar(&f.format, "format", "text", "report format: text or json")
	fl.StringVar(&f.lang, "lang", "ru", "language of the text report: ru or en")
	addRevocationFlags(cmd, &f.verifyFlags)
	return cmd
}

func mchdCheck(cmd *cobra.Command, f mchdCheckFlags) error {
	if f.xml == "" {
		return errors.New("mchd check needs --xml (the power of attorney)")
	}
	if (f.power == "") != (f.representative == "") {
		return errors.New("mchd check: --power and --representative go together")
	}
	if f.parentSig != "" && f.parentXML == "" {
		return errors.New("mchd check: --parent-sig needs --parent-xml")
	}
	if err := f.checkOutput(); err != nil {
		return err
	}
	if len(f.trust) == 0 && (f.sig != "" || f.parentSig != "" || f.representative != "") {
		return errors.New("mchd check needs --trust (the trusted root certificates) to check signatures and certificates")
	}
	var opts verify.MCHDOptions
	if len(f.trust) > 0 {
		var err error
		if opts.Options, err = verifyOptions(f.verifyFlags); err != nil {
			return err
		}
	} else if f.at != "" {
		var err error
		if opts.At, err = parseTime(f.at); err != nil {
			return err
		}
	}
	file, err := readMCHDFile(f.xml, f.sig)
	if err != nil {
		return err
	}
	if f.parentXML != "" {
		if file.Parent, err = readMCHDFile(f.parentXML, f.parentSig); err != nil {
			return err
		}
	}
	if f.representative != "" {
		data, err := os.ReadFile(f.representative)
		if err != nil {
			return err
		}
		certs, err := pki.ParseCertificates(data)
		if err != nil || len(certs) == 0 {
			return fmt.Errorf("%s: not a certificate (PEM or DER): %v", f.representative, err)
		}
		opts.Representative, opts.Power = certs[0], f.power
	}
	if f.pdf != "" {
		data, err := os.ReadFile(f.pdf)
		if err != nil {
			return err
		}
		pr, err := pdfcheck.Check(data)
		if err != nil {
			return fmt.Errorf("%s: %w", f.pdf, err)
		}
		pf := &verify.PrintedForm{Name: f.pdf}
		for _, q := range pr.QRCodes {
			pf.Payloads = append(pf.Payloads, q.Payload)
		}
		opts.PrintedForm = pf
	}
	reg, err := optionalRegistry(cmd.Context(), f.db)
	if err != nil {
		return err
	}
	var guid string
	if reg != nil {
		defer reg.Close()
		opts.Registry = registryStatus(reg)
		if doc, err := mchd.Parse(file.XML); err == nil && doc.Info() != nil {
			guid = strings.ToLower(doc.Info().GUID)
		}
		if rec, err := reg.Get(cmd.Context(), guid); err == nil && file.Signature == nil && bytes.Equal(rec.XML, file.XML) {
			file.Signature = rec.Signature
		}
		if file.Parent == nil {
			file.Parent = parentsFromRegistry(cmd.Context(), reg, file.XML)
		}
	}
	rep, err := verify.MCHD(cmd.Context(), *file, opts)
	if err != nil {
		return err
	}
	rep.File = f.xml
	if reg != nil {
		result, detail := registry.ResultOK, ""
		if !rep.Passed() {
			result, detail = "invalid: "+string(rep.Code), rep.Detail
		}
		if _, err := reg.Log(cmd.Context(), registry.OpCheck, guid, result, detail); err != nil {
			return fmt.Errorf("МЧД registry journal: %w", err)
		}
	}
	if err := f.writeReport(cmd.OutOrStdout(), rep, rep.WriteText); err != nil {
		return err
	}
	if !rep.Passed() {
		return errInvalid{fmt.Sprintf("%s: %s %s", f.xml, rep.Indication, rep.Code)}
	}
	return nil
}

// parentsFromRegistry returns the chain of POAs a retrust is based on as
// the registry holds them (XML and signature), nearest first, or nil when
// raw is no retrust or the registry lacks its parent.
func parentsFromRegistry(ctx context.Context, reg *registry.Registry, raw []byte) *verify.MCHDFile {
	var first, last *verify.MCHDFile
	for range 8 {
		doc, err := mchd.Parse(raw)
		if err != nil || doc.Retrust == nil {
			break
		}
		parent := doc.Retrust.Original.ParentGUID
		if doc.Retrust.Base != nil && doc.Retrust.Base.ParentGUID != "" {
			parent = doc.Retrust.Base.ParentGUID
		}
		if parent == "" {
			parent = doc.Retrust.Original.OriginalGUID
		}
		rec, err := reg.Get(ctx, parent)
		if err != nil {
			break
		}
		f := &verify.MCHDFile{XML: rec.XML, Signature: rec.Signature}
		if first == nil {
			first = f
		} else {
			last.Parent = f
		}
		last, raw = f, rec.XML
	}
	return first
}

// readMCHDFile reads a POA's XML and, when named, its signature.
func readMCHDFile(xmlName, sigName string) (*verify.MCHDFile, error) {
	raw, err := os.ReadFile(xmlName)
	if err != nil {
		return nil, err
	}
	if _, err := mchd.Parse(raw); err != nil {
		// Not a POA at all: nothing to check (exit 2).
		return nil, fmt.Errorf("%s: %w", xmlName, err)
	}
	f := &verify.MCHDFile{Name: filepath.Base(xmlName), XML: raw}
	if sigName != "" {
		if f.Signature, err = os.ReadFile(sigName); err != nil {
			return nil, err
		}
		if len(f.Signature) == 0 {
			return nil, fmt.Errorf("%s: empty file", sigName)
		}
	}
	return f, nil
}

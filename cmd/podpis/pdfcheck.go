package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/podpis/podpis/pdf/pdfcheck"
	"github.com/podpis/podpis/verify"
)

// pdfCheckReport is what `podpis pdf check` found: package pdfcheck's
// report and the signatures verify.PDF found.
type pdfCheckReport struct {
	File string `json:"file"`
	*pdfcheck.Report
	Signatures []verify.PDFSignature `json:"signatures"`
}

func newPDFCheckCmd() *cobra.Command {
	var f verifyFlags
	cmd := &cobra.Command{
		Use:   "check FILE [--format text|json] [--trust CA.pem]",
		Short: "Check a received PDF: PDF/A-2b claim and rules, size, signatures",
		Long: `Check a PDF: its PDF/A claim (pdfaid part and conformance in the XMP
metadata), the PDF/A-2b rules that can be checked without a full validator
(header and binary comment, trailer /ID, no encryption, XMP metadata
unfiltered and matching the Info dictionary, an output intent with a matching
ICC profile, every font embedded, annotations printable and with appearance
streams, no JavaScript or other forbidden actions, EOL before endstream,
nothing after %%EOF), the size against the portal's 5 MB limit, every QR code
on the pages and every signature with its verification result. Without
--trust no certificate is trusted, so signatures that are otherwise sound are
INDETERMINATE; give --trust for a full verification.

QR codes drawn as filled vector rectangles (as podpis and most generators draw
them) are rasterised and decoded, and QR codes drawn as images (8- or 1-bit
grey or RGB, or JPEG, up to 16 megapixels) decoded, with their page and
position: the code's top-left corner in millimetres from the page's top-left
corner (at most 50 pages and images are decoded).

The rules are checks, not a validator: use veraPDF or PDFBox Preflight for a
verdict.

Exit status 0: every rule holds and no signature is broken (with --trust:
every signature valid); 1: something failed; 2: could not check.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.format != "text" && f.format != "json" {
				return fmt.Errorf("unknown --format %q: use text or json", f.format)
			}
			if f.lang != "ru" && f.lang != "en" {
				return fmt.Errorf("unknown --lang %q: use ru or en", f.lang)
			}
			var opts verify.Options
			if len(f.trust) > 0 {
				var err error
				if opts, err = verifyOptions(f); err != nil {
					return err
				}
			}
			data, err := readPDF(args[0])
			if err != nil {
				return err
			}
			cr, err := pdfcheck.Check(data)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			rep := &pdfCheckReport{File: args[0], Report: cr, Signatures: []verify.PDFSignature{}}
			if !cr.Encrypted {
				res, err := verify.PDF(cmd.Context(), bytes.NewReader(data), int64(len(data)), opts)
				if err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				rep.Signatures = res.Signatures
			}
			if err := f.writeReport(cmd.OutOrStdout(), rep, rep.writeText); err != nil {
				return err
			}
			if msg := rep.failure(len(f.trust) > 0); msg != "" {
				return errInvalid{fmt.Sprintf("%s: %s", args[0], msg)}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "text", "report format: text or json")
	fl.StringVar(&f.lang, "lang", "ru", "language of the text report: ru or en")
	fl.StringArrayVar(&f.trust, "trust", nil, "trusted root certificates for the signatures; repeatable")
	fl.StringArrayVar(&f.crls, "crl", nil, "revocation list (PEM or DER); repeatable")
	fl.StringArrayVar(&f.certs, "certs", nil, "more certificates: intermediates or the signer's; repeatable")
	fl.StringVar(&f.at, "at", "", "validation time (RFC 3339 or YYYY-MM-DD); default now")
	return cmd
}

// failure says in a few words what failed, or "" when nothing did.
func (r *pdfCheckReport) failure(trusted bool) string {
	bad := r.Failed()
	broken := 0
	for i := range r.Signatures {
		s := &r.Signatures[i]
		if s.Broken() || (trusted && !s.Valid()) {
			broken++
		}
	}
	if broken > 0 {
		bad = append(bad, fmt.Sprintf("%d signature(s) not valid", broken))
	}
	return strings.Join(bad, ", ")
}

func (r *pdfCheckReport) writeText(w io.Writer, lang verify.Lang) error {
	if _, err := fmt.Fprintf(w, "%s\n", r.File); err != nil {
		return err
	}
	if err := r.Report.WriteText(w, lang == verify.English); err != nil {
		return err
	}
	if len(r.Signatures) == 0 {
		msg := "подписей нет\n"
		if lang == verify.English {
			msg = "signatures: none\n"
		}
		_, err := io.WriteString(w, msg)
		return err
	}
	return (&verify.PDFReport{Signatures: r.Signatures}).WriteText(w, lang)
}

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/podpis/podpis/internal/atomicfile"
	"github.com/podpis/podpis/mchd/form"
	"github.com/podpis/podpis/mchd/registry"
)

type mchdRenderFlags struct {
	xml, out, lang, db string
	sigs               []string
	attach             bool
}

func newMCHDRenderCmd() *cobra.Command {
	var f mchdRenderFlags
	cmd := &cobra.Command{
		Use:   "render --xml POA.xml [--sig POA.sig …] --out form.pdf [--attach] [--lang ru|en] [--db DB]",
		Short: "Print a power of attorney as a PDF/A form with a QR code and signature stamps",
		Long: `Write the printed form of a power of attorney (EMCHD_1): a PDF/A-2b document
laid out like a power of attorney on paper — number and dates, principal,
representatives, powers with their codes, retrust, registry number — with a
QR code and one electronic-signature stamp (GOST R 7.0.97-2016) per signer of
each --sig file.

The QR code holds one line: the registry check URL with the GUID, then
#streebog256= and the Streebog-256 of the exact bytes of --xml, so that
'podpis mchd check --pdf' can tell whether a printout belongs to a file.

The XML must pass the XSD and the format's rules, and every --sig must be a
detached CMS signature over exactly its bytes; trust in the signers is not
checked here (use 'podpis mchd check'). --attach embeds the XML and the
signature files in the PDF, which is then PDF/A-3b. --lang en prints the
form's own words in English. A form over 5 MB is refused.

A "render" entry goes to the МЧД registry's journal (--db, $PODPIS_MCHD_DB,
else the default one; --db none: none) once the form is written.

The creation date is now, or $SOURCE_DATE_EPOCH when set (reproducible
output). Exit status 0: written; 2: could not (bad input, nothing written).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return mchdRender(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.xml, "xml", "", "the power of attorney (EMCHD_1 XML, as signed)")
	fl.StringArrayVar(&f.sigs, "sig", nil, "detached signature of the XML (CMS, DER/PEM/Base64); repeatable")
	fl.StringVar(&f.out, "out", "", "PDF file to write")
	fl.BoolVar(&f.attach, "attach", false, "embed the XML and signatures as associated files (PDF/A-3b)")
	fl.StringVar(&f.lang, "lang", "ru", "language of the form's labels: ru or en")
	addOptionalDBFlag(cmd, &f.db, "МЧД registry whose journal records the rendering")
	return cmd
}

func mchdRender(cmd *cobra.Command, f mchdRenderFlags) error {
	if f.xml == "" || f.out == "" {
		return errors.New("mchd render needs --xml and --out")
	}
	if f.lang != "ru" && f.lang != "en" {
		return fmt.Errorf("unknown --lang %q: use ru or en", f.lang)
	}
	for _, in := range append([]string{f.xml}, f.sigs...) {
		if sameFile(in, f.out) {
			return fmt.Errorf("mchd render: --out must not be the input %s", in)
		}
	}
	raw, err := os.ReadFile(f.xml)
	if err != nil {
		return err
	}
	doc, err := checkedPOA(f.xml, raw)
	if err != nil {
		return err
	}
	var sigs []form.Signature
	for _, name := range f.sigs {
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		s, err := form.Signatures(data, raw, name)
		if err != nil {
			return err
		}
		sigs = append(sigs, s...)
	}
	created, err := sourceDate()
	if err != nil {
		return err
	}
	out, err := form.RenderBytes(doc, raw, sigs, form.Options{Lang: f.lang, Created: created, Attach: f.attach})
	if errors.Is(err, form.ErrTooLarge) {
		return fmt.Errorf("%s: %w; nothing written", f.out, err)
	}
	if err != nil {
		return err
	}
	// The registry opens before anything is written, so that a wrong --db
	// leaves no form behind.
	reg, err := optionalRegistry(cmd.Context(), f.db)
	if err != nil {
		return err
	}
	if reg != nil {
		defer reg.Close()
	}
	if err := atomicfile.WriteFile(f.out, out, 0o644); err != nil {
		return err
	}
	level := "PDF/A-2b"
	if f.attach {
		level = "PDF/A-3b, XML and signatures attached"
	}
	summary := fmt.Sprintf("%d bytes, %d signature stamp(s), %s", len(out), len(sigs), level)
	if reg != nil {
		detail := fmt.Sprintf("%s: %s; streebog256=%s", filepath.Base(f.out), summary, form.Hash(raw))
		if _, err := reg.Log(cmd.Context(), registry.OpRender, doc.Info().GUID, registry.ResultOK, detail); err != nil {
			return fmt.Errorf("%s written, but the МЧД registry journal: %w", f.out, err)
		}
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", f.out, summary)
	return nil
}

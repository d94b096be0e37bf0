package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/verify"
)

type verifyFlags struct {
	raw                   bool
	pub, sig, in, content string
	trust, crls, certs    []string
	at, format, lang      string
	// online and fetchTimeout: revocation over the network (--online,
	// --fetch-timeout); commands that take them call addRevocationFlags.
	online       bool
	fetchTimeout time.Duration
}

// addRevocationFlags registers --online and --fetch-timeout.
func addRevocationFlags(cmd *cobra.Command, f *verifyFlags) {
	fl := cmd.Flags()
	fl.BoolVar(&f.online, "online", false, "check revocation over the network: OCSP (AIA) and CRL distribution points of each certificate")
	fl.DurationVar(&f.fetchTimeout, "fetch-timeout", verify.DefaultFetchTimeout, "with --online: time allowed for each CRL or OCSP fetch")
}

func newVerifyCmd() *cobra.Command {
	var f verifyFlags
	cmd := &cobra.Command{
		Use:   "verify --in FILE.sig [--content FILE] --trust CA.pem|DIR|TSL.xml [--crl CRL.pem] [--online] [--at TIME] [--format text|json]",
		Short: "Verify a signature and say who signed and whether it holds",
		Long: `Verify a CMS/CAdES signature: every signer's signature, the document, the
certificate chain to a trusted root at the validation time (--at, default
now; RFC 3339 or YYYY-MM-DD) and revocation: in the CRLs given with --crl,
and with --online from each certificate's OCSP responder and CRL distribution
points (a status that cannot be had leaves the signature INDETERMINATE,
REVOCATION_UNAVAILABLE; never valid). --trust takes certificate files (PEM
or DER), directories of them, and the ministry's XML list of accredited CAs
(TSL.xml), whose CAs the report marks as accredited. The report
names each signer with the Russian certificate attributes and gives, per
signature, an ETSI EN 319 102-1 indication (TOTAL-PASSED, TOTAL-FAILED,
INDETERMINATE), a sub-indication and a stable code. --format json prints the
report for programs (see package verify); text is in Russian, or English with
--lang en.

With --raw, FILE.sig is a bare GOST R 34.10-2012 value BE(s) || BE(r) as
'openssl dgst -sign' writes it: podpis verify --raw --pub pub.pem --sig SIG --in FILE.

Exit status 0: every signature valid; 1: checked and something is invalid or
undecided; 2: could not check.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.raw {
				return verifyRaw(cmd, f)
			}
			return verifyCMS(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.raw, "raw", false, "verify a bare signature value (--pub, --sig, --in)")
	fl.StringVar(&f.pub, "pub", "", "with --raw: public key file (PEM or DER; a private key file also works)")
	fl.StringVar(&f.sig, "sig", "", "with --raw: signature file")
	fl.StringVar(&f.in, "in", "", "the signature file (with --raw: the signed file)")
	fl.StringVar(&f.content, "content", "", "the signed document, for a detached signature")
	fl.StringArrayVar(&f.trust, "trust", nil, "trust anchors: certificate file (PEM/DER), directory, or the ministry's TSL.xml; repeatable")
	fl.StringArrayVar(&f.crls, "crl", nil, "revocation list (PEM or DER); repeatable")
	addRevocationFlags(cmd, &f)
	fl.StringArrayVar(&f.certs, "certs", nil, "more certificates: intermediates or the signer's; repeatable")
	fl.StringVar(&f.at, "at", "", "validation time (RFC 3339 or YYYY-MM-DD); default now")
	fl.StringVar(&f.format, "format", "text", "report format: text or json")
	fl.StringVar(&f.lang, "lang", "ru", "language of the text report: ru or en")
	addBulkFlags(cmd, &f) // file arguments, --html, --bulk/--manifest: verify_bulk.go
	return cmd
}

func verifyRaw(cmd *cobra.Command, f verifyFlags) error {
	if f.pub == "" || f.sig == "" || f.in == "" {
		return errors.New("verify --raw needs --pub, --sig and --in")
	}
	pub, err := loadVerifyKey(f.pub)
	if err != nil {
		return err
	}
	sig, err := os.ReadFile(f.sig)
	if err != nil {
		return err
	}
	n := pub.ParamSet().Size()
	if len(sig) != 2*n {
		return fmt.Errorf("%s: signature is %d bytes, a %d-bit key makes %d-byte signatures", f.sig, len(sig), 8*n, 2*n)
	}
	digest, err := hashFile(cmd.InOrStdin(), f.in, pub.ParamSet().Hash())
	if err != nil {
		return err
	}
	if !gost3410.Verify(pub, digest, sig) {
		return errInvalid{"signature INVALID: it was not made by this key over this file"}
	}
	fmt.Fprintln(cmd.OutOrStdout(), "signature valid")
	return nil
}

func verifyCMS(cmd *cobra.Command, f verifyFlags) error {
	if f.in == "" {
		return errors.New("verify needs --in (the signature file)")
	}
	if err := f.checkOutput(); err != nil {
		return err
	}
	opts, err := verifyOptions(f)
	if err != nil {
		return err
	}
	sig, err := os.ReadFile(f.in)
	if err != nil {
		return err
	}
	var content io.Reader
	if f.content != "" {
		r, closeIn, err := openInput(cmd.InOrStdin(), f.content)
		if err != nil {
			return err
		}
		defer closeIn()
		content = r
	}
	rep, err := verify.CMS(cmd.Context(), sig, content, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", f.in, err)
	}
	rep.File = f.in
	if err := f.writeReport(cmd.OutOrStdout(), rep, rep.WriteText); err != nil {
		return err
	}
	if !rep.Passed() {
		return errInvalid{fmt.Sprintf("%s: %s", f.in, rep.Indication)}
	}
	return nil
}

// checkOutput checks --format and --lang.
func (f verifyFlags) checkOutput() error {
	if f.format != "text" && f.format != "json" {
		return fmt.Errorf("unknown --format %q: use text or json", f.format)
	}
	if f.lang != "ru" && f.lang != "en" {
		return fmt.Errorf("unknown --lang %q: use ru or en", f.lang)
	}
	return nil
}

// writeReport writes rep as indented JSON with --format json, else as text
// in --lang.
func (f verifyFlags) writeReport(w io.Writer, rep any, text func(io.Writer, verify.Lang) error) error {
	if f.format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return text(w, verify.Lang(f.lang))
}

func verifyOptions(f verifyFlags) (verify.Options, error) {
	var opts verify.Options
	if len(f.trust) == 0 {
		return opts, errors.New("verify needs --trust (the trusted root certificates)")
	}
	trust, err := verify.LoadTrustStore(f.trust...)
	if err != nil {
		return opts, err
	}
	opts.Trust, opts.Roots = trust, trust.Pool()
	if f.online {
		opts.Online = true
		opts.Fetcher = &verify.HTTPFetcher{Timeout: f.fetchTimeout}
		// One cache for the command: a batch or a server asks each OCSP
		// responder and CRL point once per nextUpdate, not once per file.
		opts.Cache = verify.NewRevocationCache()
	}
	if opts.Intermediates, err = loadPool(f.certs); err != nil {
		return opts, err
	}
	opts.Certificates = opts.Intermediates.Certificates()
	for _, name := range f.crls {
		data, err := os.ReadFile(name)
		if err != nil {
			return opts, err
		}
		l, err := pki.ParseRevocationList(data)
		if err != nil {
			return opts, fmt.Errorf("%s: %w", name, err)
		}
		opts.CRLs = append(opts.CRLs, l)
	}
	if f.at != "" {
		if opts.At, err = parseTime(f.at); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

func loadPool(files []string) (*pki.CertPool, error) {
	pool := pki.NewCertPool()
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if err := pool.AddCerts(data); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return pool, nil
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--at %q is not a time: use RFC 3339 (2026-11-23T12:00:00Z) or YYYY-MM-DD", strings.TrimSpace(s))
}

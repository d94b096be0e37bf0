package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/cms/tsp"
	"github.com/podpis/podpis/internal/atomicfile"
	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/mchd/registry"
	"github.com/podpis/podpis/sign"
	"github.com/podpis/podpis/verify"
)

// moscow is the zone POA dates are read in (FORMAT.md §4): UTC+3, no DST.
var moscow = time.FixedZone("MSK", 3*60*60)

type mchdNewFlags struct {
	from, out, parent, db string
}

func newMCHDNewCmd() *cobra.Command {
	var f mchdNewFlags
	cmd := &cobra.Command{
		Use:   "new --from POA.yaml [--out DIR|FILE] [--parent PARENT.xml]",
		Short: "Write a power of attorney (EMCHD_1 XML) from a YAML or JSON description",
		Long: `Write a power of attorney as EMCHD_1 XML from a description in YAML or JSON
(schema: go doc github.com/podpis/podpis/mchd.Input; example:
examples/mchd/poa.yaml). Defaults: a new GUID, issued today (Moscow time),
revocable, no retrust, the basic profile. The file is named
ON_EMCHD_YYYYMMDD_GUID.xml (FORMAT.md §2.1) and written into --out (a
directory, default the current one) or to --out FILE. It passes the XSD and
the format's rules, or nothing is written.

A retrust (передоверие) names a grantor instead of a principal and is built
from the POA it is based on, given with --parent.

The POA is also recorded in the МЧД registry (--db, $PODPIS_MCHD_DB, else the
default ~/.local/share/podpis/mchd.db; --db none: not recorded) as a
draft, with a journal entry; a GUID already there is refused.

The file's path is printed. Sign it with 'podpis mchd sign'.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return mchdNew(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.from, "from", "", "description of the POA, YAML or JSON (- for standard input)")
	fl.StringVar(&f.out, "out", ".", "directory to write ON_EMCHD_….xml into, or a file name")
	fl.StringVar(&f.parent, "parent", "", "for a retrust: the XML of the POA it is based on")
	addOptionalDBFlag(cmd, &f.db, "record the POA as a draft in this МЧД registry")
	return cmd
}

func mchdNew(cmd *cobra.Command, f mchdNewFlags) error {
	if f.from == "" {
		return errors.New("mchd new needs --from (a YAML or JSON description, see examples/mchd/poa.yaml)")
	}
	var data []byte
	var err error
	if f.from == "-" {
		data, err = readAllLimited(cmd.InOrStdin())
	} else {
		data, err = os.ReadFile(f.from)
	}
	if err != nil {
		return err
	}
	in, err := mchd.ParseInput(data)
	if err != nil {
		return fmt.Errorf("%s: %s", f.from, strings.TrimPrefix(err.Error(), mchd.ErrInput.Error()+": "))
	}
	var parent *mchd.Document
	if f.parent != "" {
		raw, err := os.ReadFile(f.parent)
		if err != nil {
			return err
		}
		if parent, err = mchd.Parse(raw); err != nil {
			return fmt.Errorf("%s: %w", f.parent, err)
		}
	}
	doc, err := in.Build(time.Now().In(moscow), parent)
	if err != nil {
		return fmt.Errorf("%s: %s", f.from, strings.TrimPrefix(err.Error(), mchd.ErrInput.Error()+": "))
	}
	out, err := mchd.Marshal(doc)
	if err != nil {
		return fmt.Errorf("%s: %w", f.from, err)
	}
	if _, problems, err := mchd.CheckFile(doc.FileName(), out); err != nil || mchd.HasErrors(problems) {
		for _, p := range problems {
			if p.Severity == mchd.SeverityError {
				return fmt.Errorf("%s: the POA would break the format: %s %s: %s", f.from, p.Code, p.Path, p.MessageEN)
			}
		}
		return fmt.Errorf("%s: the POA would not be valid XML: %v", f.from, err)
	}
	path := f.out
	if st, err := os.Stat(path); (err == nil && st.IsDir()) || strings.HasSuffix(path, string(filepath.Separator)) {
		if err := os.MkdirAll(path, 0o755); err != nil {
			return err
		}
		path = filepath.Join(path, doc.FileName())
	}
	reg, err := optionalRegistry(cmd.Context(), f.db)
	if err != nil {
		return err
	}
	if reg != nil {
		defer reg.Close()
		if _, err := reg.Create(cmd.Context(), out); err != nil {
			return fmt.Errorf("%s: %w", f.from, err)
		}
	}
	if err := atomicfile.WriteFile(path, out, 0o644); err != nil {
		return err
	}
	if filepath.Base(path) != doc.FileName() {
		fmt.Fprintf(cmd.ErrOrStderr(), "podpis: warning: %s is not named %s as FORMAT.md §2.1 wants\n", path, doc.FileName())
	}
	fmt.Fprintln(cmd.OutOrStdout(), path)
	return nil
}

type mchdSignFlags struct {
	xml, key, cert, tsa, out string
	allowOther               bool
	db                       string
	token                    tokenFlags
}

func newMCHDSignCmd() *cobra.Command {
	var f mchdSignFlags
	cmd := &cobra.Command{
		Use:   "sign --xml POA.xml --key KEY [--cert CERT] [--tsa URL] [--out POA.sig]",
		Short: "Sign a power of attorney: a detached CAdES-BES (or -T) over the file's exact bytes",
		Long: `Sign a power of attorney: a detached CMS SignedData with the CAdES-BES
attributes over the exact bytes of the XML file (FORMAT.md §8.1), written to
--out (default: the XML's name with .sig instead of .xml). --tsa adds a
signature timestamp (CAdES-T).

The XML must pass the XSD and the format's rules, and the signer's
certificate must be the principal's head's (ИНН ЮЛ / ОГРН and СНИЛС or ИНН,
FORMAT.md §8.2–§8.3) or, for a retrust, the grantor's. A key is a PKCS#8
file with --cert, or a pkcs11: URI.

The МЧД registry (--db, $PODPIS_MCHD_DB, else the default one; --db none:
none) records the signature: a draft made by 'mchd new' is marked signed, a POA it does not hold is imported
with its signature; one already signed or revoked there is refused and no
signature file is written.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return mchdSign(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.xml, "xml", "", "the power of attorney (EMCHD_1 XML)")
	fl.StringVar(&f.key, "key", "", "private key: a PKCS#8 file or a pkcs11: URI")
	fl.StringVar(&f.cert, "cert", "", "signer's certificate file (PEM or DER), optionally followed by its chain; a token key uses its certificate on the token by default")
	fl.StringVar(&f.tsa, "tsa", "", "RFC 3161 timestamp authority URL: make CAdES-T")
	fl.StringVar(&f.out, "out", "", "signature file (default: POA.sig beside the XML)")
	fl.BoolVar(&f.allowOther, "allow-other-signer", false, "DANGEROUS: sign even though the certificate is not the principal's head; such a POA fails every check")
	addOptionalDBFlag(cmd, &f.db, "record the signature in this МЧД registry (the draft is marked signed, or the signed POA imported)")
	f.token.add(cmd)
	return cmd
}

func mchdSign(cmd *cobra.Command, f mchdSignFlags) error {
	if f.xml == "" || f.key == "" {
		return errors.New("mchd sign needs --xml and --key")
	}
	if f.cert == "" && !isTokenURI(f.key) {
		return errors.New("mchd sign needs --cert with a key file")
	}
	raw, err := os.ReadFile(f.xml)
	if err != nil {
		return err
	}
	doc, err := checkedPOA(f.xml, raw)
	if err != nil {
		return err
	}
	out := f.out
	if out == "" {
		out = strings.TrimSuffix(f.xml, ".xml") + ".sig"
	}
	topts := f.token.options(cmd)
	s, err := sign.Open(cmd.Context(), f.key, sign.Options{CertFile: f.cert, PIN: topts.PIN, Module: topts.Module})
	if err != nil {
		return err
	}
	defer s.Close()
	if err := verify.MCHDSigner(doc, s.Certificate()); err != nil {
		if !f.allowOther {
			return fmt.Errorf("%s: refusing to sign: %v (--allow-other-signer overrides, dangerously)", f.xml, err)
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "podpis: warning: signing although %v\n", err)
	}
	sig, err := cms.Sign(bytes.NewReader(raw), cms.SignerConfig{Signer: s, Certificate: s.Certificate(), Chain: s.Chain()}, cms.SignOptions{Detached: true})
	if err != nil {
		return err
	}
	if f.tsa != "" {
		if sig, err = cms.AddTimestamp(cmd.Context(), sig, &tsp.Client{URL: f.tsa}); err != nil {
			return err
		}
	}
	if err := recordSignature(cmd.Context(), f.db, doc, raw, sig); err != nil {
		return fmt.Errorf("%s: %w", f.xml, err)
	}
	if err := atomicfile.WriteFile(out, sig, 0o644); err != nil {
		return err
	}
	fmt.Fprintln(cmd.OutOrStdout(), out)
	return nil
}

// addOptionalDBFlag adds --db for a command that records what it does in
// the МЧД registry: the one --db names, else $PODPIS_MCHD_DB, else the
// default SQLite file (registry.DefaultPath), as every mchd command; "none"
// leaves the registry out.
func addOptionalDBFlag(cmd *cobra.Command, dsn *string, what string) {
	cmd.Flags().StringVar(dsn, "db", "", what+": an SQLite file or a postgres:// URL (default $"+envMCHDDB+", else ~/.local/share/podpis/mchd.db; none: no registry)")
}

// optionalRegistry opens the registry a --db value names (see
// addOptionalDBFlag), or returns nil for "none" (in --db or $PODPIS_MCHD_DB).
func optionalRegistry(ctx context.Context, dsn string) (*registry.Registry, error) {
	if dsn == "" {
		dsn = os.Getenv(envMCHDDB)
	}
	if dsn == dbNone {
		return nil, nil
	}
	return openRegistry(ctx, dsn)
}

// dbNone is the --db value that leaves the registry out.
const dbNone = "none"

// recordSignature records sig, the signature of raw, in the registry when
// one is named: a draft is marked signed, an unknown POA imported.
func recordSignature(ctx context.Context, dsn string, doc *mchd.Document, raw, sig []byte) error {
	reg, err := optionalRegistry(ctx, dsn)
	if err != nil || reg == nil {
		return err
	}
	defer reg.Close()
	guid := strings.ToLower(doc.Info().GUID)
	rec, err := reg.Get(ctx, guid)
	switch {
	case errors.Is(err, registry.ErrNotFound):
		_, err = reg.Import(ctx, raw, sig)
		return err
	case err != nil:
		return err
	case !bytes.Equal(rec.XML, raw):
		return fmt.Errorf("the registry holds other bytes for POA %s: sign the file it holds", guid)
	}
	_, err = reg.AttachSignature(ctx, guid, sig)
	return err
}

// checkedPOA parses raw, the exact bytes of the file name, and refuses a POA
// with a BOM or that breaks the XSD or a rule, naming the first error.
func checkedPOA(name string, raw []byte) (*mchd.Document, error) {
	if bytes.HasPrefix(raw, []byte{0xef, 0xbb, 0xbf}) {
		return nil, fmt.Errorf("%s: starts with a byte-order mark; EMCHD files have none (FORMAT.md §2): remove it before signing", name)
	}
	doc, problems, err := mchd.CheckFile(filepath.Base(name), raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for _, p := range problems {
		if p.Severity == mchd.SeverityError {
			return nil, fmt.Errorf("%s: not a valid power of attorney: %s %s: %s", name, p.Code, p.Path, p.MessageEN)
		}
	}
	return doc, nil
}

// readAllLimited reads r up to 16 MiB (a POA description is a few
// kilobytes).
func readAllLimited(r io.Reader) ([]byte, error) {
	const limit = 16 << 20
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err == nil && len(b) > limit {
		err = errors.New("standard input is larger than 16 MiB")
	}
	return b, err
}

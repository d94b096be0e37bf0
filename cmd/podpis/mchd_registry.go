package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/internal/atomicfile"
	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/mchd/registry"
	"github.com/podpis/podpis/sign"
)

// mchdRegistryCmds are the registry subcommands of `podpis mchd`: list,
// revoke, journal, import, export (FORMAT.md §10).
func mchdRegistryCmds() []*cobra.Command {
	return []*cobra.Command{newMCHDListCmd(), newMCHDRevokeCmd(), newMCHDJournalCmd(), newMCHDImportCmd(), newMCHDExportCmd()}
}

// outputFlags are --format and --lang, checked as `podpis verify` does.
type outputFlags struct{ format, lang string }

func (o *outputFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&o.lang, "lang", "ru", "language of the text output: ru or en")
}

func (o outputFlags) check() error {
	return verifyFlags{format: o.format, lang: o.lang}.checkOutput()
}

// tr picks the Russian or the English text.
func (o outputFlags) tr(ru, en string) string {
	if o.lang == "en" {
		return en
	}
	return ru
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// registryError turns a registry refusal into the line a person reads:
// exit 1 (errInvalid) when a signature was checked and does not hold,
// exit 2 otherwise.
func registryError(err error) error {
	if errors.Is(err, registry.ErrBadSignature) || errors.Is(err, registry.ErrWrongSigner) {
		return errInvalid{err.Error()}
	}
	return err
}

// listItem is one POA in `mchd list --format json`.
type listItem struct {
	GUID              string     `json:"guid"`
	Status            string     `json:"status"`
	PrincipalINN      string     `json:"principalInn"`
	PrincipalName     string     `json:"principalName"`
	Representative    string     `json:"representative"`
	RepresentativeINN string     `json:"representativeInn,omitempty"`
	IssueDate         string     `json:"issueDate"`
	ValidUntil        string     `json:"validUntil"`
	ParentGUID        string     `json:"parentGuid,omitempty"`
	Signer            string     `json:"signer,omitempty"`
	Created           time.Time  `json:"created"`
	RevokedAt         *time.Time `json:"revokedAt,omitempty"`
	RevocationReason  string     `json:"revocationReason,omitempty"`
	RevokedWith       string     `json:"revokedWith,omitempty"`
}

func newMCHDListCmd() *cobra.Command {
	var (
		db, principal, status string
		out                   outputFlags
	)
	cmd := &cobra.Command{
		Use:   "list [--db DSN] [--principal ИНН] [--status draft|signed|revoked] [--format text|json]",
		Short: "List the powers of attorney in the registry",
		Long: `List the powers of attorney in the МЧД registry, oldest first: GUID, status,
principal, representative, term, the parent of a retrust and, for a revoked
one, when and why. --principal keeps those with this ИНН among their
principals (the grantors, for a retrust); --status keeps one status.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := out.check(); err != nil {
				return err
			}
			st := registry.Status(status)
			if status != "" && !st.Valid() {
				return fmt.Errorf("unknown --status %q: use draft, signed or revoked", status)
			}
			r, err := openRegistry(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer r.Close()
			recs, err := r.List(cmd.Context(), registry.Filter{PrincipalINN: principal, Status: st})
			if err != nil {
				return err
			}
			if out.format == "json" {
				items := make([]listItem, 0, len(recs))
				for _, rec := range recs {
					items = append(items, toListItem(rec))
				}
				return writeJSON(cmd.OutOrStdout(), items)
			}
			return writeList(cmd.OutOrStdout(), recs, out)
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&principal, "principal", "", "only POAs of the principal with this ИНН")
	cmd.Flags().StringVar(&status, "status", "", "only POAs in this status: draft, signed or revoked")
	out.add(cmd)
	return cmd
}

func toListItem(rec *registry.Record) listItem {
	it := listItem{
		GUID: rec.GUID, Status: string(rec.Status), PrincipalINN: rec.PrincipalINN, PrincipalName: rec.PrincipalName,
		Representative: rec.Representative, RepresentativeINN: rec.RepresentativeINN,
		IssueDate: rec.IssueDate, ValidUntil: rec.ValidUntil, ParentGUID: rec.ParentGUID,
		Signer: rec.Signer, Created: rec.Created,
	}
	if rv := rec.Revocation; rv != nil {
		t := rv.Time
		it.RevokedAt, it.RevocationReason, it.RevokedWith = &t, rv.Reason, rv.Via
	}
	return it
}

var statusRU = map[registry.Status]string{
	registry.StatusDraft: "черновик", registry.StatusSigned: "подписана", registry.StatusRevoked: "отозвана",
}

func writeList(w io.Writer, recs []*registry.Record, o outputFlags) error {
	if len(recs) == 0 {
		_, err := fmt.Fprintln(w, o.tr("Доверенностей нет.", "No powers of attorney."))
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, o.tr("GUID\tСТАТУС\tДОВЕРИТЕЛЬ\tПРЕДСТАВИТЕЛЬ\tСРОК\tПРИМЕЧАНИЕ", "GUID\tSTATUS\tPRINCIPAL\tREPRESENTATIVE\tTERM\tNOTE"))
	for _, rec := range recs {
		st := string(rec.Status)
		if o.lang != "en" {
			st = statusRU[rec.Status]
		}
		var notes []string
		if rec.ParentGUID != "" {
			notes = append(notes, o.tr("передоверие по ", "retrust of ")+rec.ParentGUID)
		}
		if rv := rec.Revocation; rv != nil {
			when := rv.Time.UTC().Format(time.RFC3339)
			if rv.Via != "" {
				notes = append(notes, o.tr("отозвана ", "revoked ")+when+o.tr(" вместе с ", " with ")+rv.Via)
			} else {
				notes = append(notes, o.tr("отозвана ", "revoked ")+when+": "+rv.Reason)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s %s\t%s\t%s – %s\t%s\n", rec.GUID, st, rec.PrincipalINN, rec.PrincipalName,
			rec.Representative, rec.IssueDate, rec.ValidUntil, strings.Join(notes, "; "))
	}
	return tw.Flush()
}

type mchdRevokeFlags struct {
	db, guid, reason, key, cert string
	token                       tokenFlags
	out                         outputFlags
}

func newMCHDRevokeCmd() *cobra.Command {
	var f mchdRevokeFlags
	cmd := &cobra.Command{
		Use:   "revoke --guid GUID --reason TEXT --key KEY|pkcs11:… [--cert CERT] [--db DSN]",
		Short: "Revoke a power of attorney with the principal's signature",
		Long: `Revoke a power of attorney in the МЧД registry. podpis writes the revocation
statement (GUID, the principal's ИНН, the time in UTC, the reason — the
format is in package mchd/registry), signs it with --key, a detached
CAdES-BES, and the registry keeps both with the POA. The key must be the
principal's: its certificate carries the principal's ИНН ЮЛ (an
organisation) or ИНН (a person or ИП). Every retrust based on the POA is
revoked with it.

This records the revocation in the local registry only; the FNS registry
is not told (FORMAT.md §10 found no public format for that).

Exit status 0: revoked; 1: the signature or signer was refused; 2: could not
run (unknown GUID, already revoked, bad key).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return mchdRevoke(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.guid, "guid", "", "GUID (НомДовер) of the POA to revoke")
	fl.StringVar(&f.reason, "reason", "", "why it is revoked (one line)")
	fl.StringVar(&f.key, "key", "", "the principal's private key: a PKCS#8 file or a pkcs11: URI")
	fl.StringVar(&f.cert, "cert", "", "the key's certificate (PEM or DER); a token key uses its certificate on the token by default")
	addDBFlag(cmd, &f.db)
	f.token.add(cmd)
	f.out.add(cmd)
	return cmd
}

func mchdRevoke(cmd *cobra.Command, f mchdRevokeFlags) error {
	if f.guid == "" || f.reason == "" || f.key == "" {
		return errors.New("mchd revoke needs --guid, --reason and --key")
	}
	if f.cert == "" && !isTokenURI(f.key) {
		return errors.New("mchd revoke needs --cert with a key file")
	}
	if err := f.out.check(); err != nil {
		return err
	}
	ctx := cmd.Context()
	r, err := openRegistry(ctx, f.db)
	if err != nil {
		return err
	}
	defer r.Close()
	// Refuse what the registry would refuse before asking for a PIN.
	rec, err := r.Get(ctx, f.guid)
	if err != nil {
		return err
	}
	if rec.Status == registry.StatusRevoked {
		return fmt.Errorf("%w: %s on %s", registry.ErrAlreadyRevoked, rec.GUID, rec.Revocation.Time.UTC().Format(time.RFC3339))
	}
	topts := f.token.options(cmd)
	s, err := sign.Open(ctx, f.key, sign.Options{CertFile: f.cert, PIN: topts.PIN, Module: topts.Module})
	if err != nil {
		return err
	}
	defer s.Close()
	cert := s.Certificate()
	inn := ""
	for _, c := range []string{cert.SubjectName.LegalEntityINN(), cert.SubjectName.PersonINN()} {
		if c != "" && slices.Contains(rec.PrincipalINNs, c) {
			inn = c
			break
		}
	}
	if inn == "" {
		return errInvalid{fmt.Sprintf("the certificate of %q carries no ИНН of the principal of %s (%s): only the principal can revoke",
			cert.SubjectName.CommonName, rec.GUID, strings.Join(rec.PrincipalINNs, ", "))}
	}
	stmt, err := registry.RevocationStatement(rec.GUID, inn, time.Now(), f.reason)
	if err != nil {
		return err
	}
	sig, err := cms.Sign(bytes.NewReader(stmt), cms.SignerConfig{Signer: s, Certificate: cert, Chain: s.Chain()}, cms.SignOptions{Detached: true})
	if err != nil {
		return err
	}
	rev, err := r.Revoke(ctx, rec.GUID, f.reason, stmt, sig)
	if err != nil {
		return registryError(err)
	}
	with, err := r.List(ctx, registry.Filter{Status: registry.StatusRevoked})
	if err != nil {
		return err
	}
	var retrusts []string
	for _, w := range with {
		if w.Revocation != nil && w.Revocation.Via == rev.GUID {
			retrusts = append(retrusts, w.GUID)
		}
	}
	if f.out.format == "json" {
		return writeJSON(cmd.OutOrStdout(), map[string]any{
			"guid": rev.GUID, "revokedAt": rev.Revocation.Time, "reason": rev.Revocation.Reason,
			"signer": rev.Revocation.Signer, "retrustsRevoked": retrusts,
		})
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, f.out.tr("Доверенность %s отозвана %s.\n", "Power of attorney %s revoked on %s.\n"), rev.GUID, rev.Revocation.Time.UTC().Format(time.RFC3339))
	for _, g := range retrusts {
		fmt.Fprintf(w, f.out.tr("Вместе с ней отозвано передоверие %s.\n", "Retrust %s revoked with it.\n"), g)
	}
	return nil
}

func newMCHDJournalCmd() *cobra.Command {
	var (
		db, guid string
		check    bool
		out      outputFlags
	)
	cmd := &cobra.Command{
		Use:   "journal [--db DSN] [--guid GUID] [--verify] [--format text|json]",
		Short: "Show or verify the registry's audit journal",
		Long: `Show the audit journal of the МЧД registry: every create, sign, render,
check, revoke and import with its time, actor, GUID and result. Each entry
holds the Streebog-256 hash of the one before, so a changed or deleted entry
breaks the chain; --verify recomputes it and names the first broken entry,
and checks every stored document against its hash and every stored
signature over its bytes.
Write down the head hash it prints and compare it later: someone with write
access to the database could rewrite the whole chain, and only a copy kept
elsewhere shows that.

Exit status with --verify: 0 all intact; 1 the chain or a record is broken.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := out.check(); err != nil {
				return err
			}
			if check && guid != "" {
				return errors.New("mchd journal: --verify checks the whole journal; leave out --guid")
			}
			r, err := openRegistry(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer r.Close()
			if check {
				return verifyJournalCmd(cmd.Context(), cmd.OutOrStdout(), r, out)
			}
			entries, err := r.Journal(cmd.Context(), guid, 0, 0)
			if err != nil {
				return err
			}
			if out.format == "json" {
				if entries == nil {
					entries = []registry.Entry{}
				}
				return writeJSON(cmd.OutOrStdout(), entries)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, out.tr("№\tВРЕМЯ (UTC)\tДЕЙСТВИЕ\tGUID\tРЕЗУЛЬТАТ\tКТО", "#\tTIME (UTC)\tOPERATION\tGUID\tRESULT\tACTOR"))
			for _, e := range entries {
				result := e.Result
				if e.Detail != "" {
					result += " (" + e.Detail + ")"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.Time.UTC().Format(time.RFC3339), e.Op, e.GUID, result, e.Actor)
			}
			return tw.Flush()
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&guid, "guid", "", "only the entries of this POA")
	cmd.Flags().BoolVar(&check, "verify", false, "verify the hash chain instead of listing")
	out.add(cmd)
	return cmd
}

func verifyJournalCmd(ctx context.Context, w io.Writer, r *registry.Registry, out outputFlags) error {
	rep, err := r.VerifyJournal(ctx)
	if err != nil {
		return err
	}
	bad, err := r.VerifyRecords(ctx)
	if err != nil {
		return err
	}
	if out.format == "json" {
		if bad == nil {
			bad = []registry.RecordProblem{}
		}
		if err := writeJSON(w, map[string]any{"journal": rep, "records": bad}); err != nil {
			return err
		}
	} else {
		if rep.OK {
			fmt.Fprintf(w, out.tr("Журнал цел: %d записей, последний хеш %s\n", "Journal intact: %d entries, head hash %s\n"), rep.Entries, rep.Head)
		} else {
			fmt.Fprintf(w, out.tr("Журнал НАРУШЕН с записи %d: %s\n", "Journal BROKEN at entry %d: %s\n"), rep.BrokenSeq, rep.Problem)
		}
		if len(bad) == 0 {
			fmt.Fprintln(w, out.tr("Доверенности и подписи в реестре целы.", "Powers of attorney and signatures in the registry intact."))
		}
		for _, b := range bad {
			fmt.Fprintf(w, out.tr("Доверенность %s ПОВРЕЖДЕНА: %s\n", "Power of attorney %s DAMAGED: %s\n"), b.GUID, b.Problem)
		}
	}
	switch {
	case !rep.OK:
		return errInvalid{fmt.Sprintf("journal broken at entry %d: %s", rep.BrokenSeq, rep.Problem)}
	case len(bad) > 0:
		return errInvalid{fmt.Sprintf("%d damaged record(s), first %s: %s", len(bad), bad[0].GUID, bad[0].Problem)}
	}
	return nil
}

func newMCHDImportCmd() *cobra.Command {
	var db, xmlFile, sigFile string
	cmd := &cobra.Command{
		Use:   "import --xml POA.xml --sig POA.sig [--db DSN]",
		Short: "Add a signed power of attorney received from someone else to the registry",
		Long: `Add a signed power of attorney — the XML file and its detached CMS signature,
as the FNS registry and operators exchange them — to the МЧД registry. The
bytes are kept exactly as read. The document must pass the format checks
(mchd check's step 1) and the signature must be valid over exactly these
bytes; whose signature it is, and whether it is trusted, is for
'podpis mchd check'.

Exit status 0: imported; 1: the signature does not cover the file; 2: could
not import (bad XML, a GUID already in the registry).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if xmlFile == "" || sigFile == "" {
				return errors.New("mchd import needs --xml and --sig")
			}
			x, err := os.ReadFile(xmlFile)
			if err != nil {
				return err
			}
			s, err := os.ReadFile(sigFile)
			if err != nil {
				return err
			}
			r, err := openRegistry(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer r.Close()
			rec, err := r.Import(cmd.Context(), x, s)
			if err != nil {
				return registryError(fmt.Errorf("%s: %w", xmlFile, err))
			}
			fmt.Fprintln(cmd.OutOrStdout(), rec.GUID)
			return nil
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&xmlFile, "xml", "", "the power of attorney (EMCHD_1 XML)")
	cmd.Flags().StringVar(&sigFile, "sig", "", "its detached signature")
	return cmd
}

func newMCHDExportCmd() *cobra.Command {
	var db, guid, dir string
	cmd := &cobra.Command{
		Use:   "export --guid GUID --out DIR [--db DSN]",
		Short: "Write a power of attorney from the registry to files, byte for byte",
		Long: `Write a power of attorney from the МЧД registry into DIR exactly as it is
stored — the bytes that were signed, never re-serialised: ИдФайл.xml, and
when signed ИдФайл.sig (the detached CMS); for a POA revoked by its
principal also ИдФайл.revocation.txt and ИдФайл.revocation.sig (the
revocation statement and the principal's signature over it). Existing files
of those names are replaced. The file names are printed, one per line.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if guid == "" || dir == "" {
				return errors.New("mchd export needs --guid and --out")
			}
			r, err := openRegistry(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer r.Close()
			rec, err := r.Get(cmd.Context(), guid)
			if err != nil {
				return err
			}
			doc, err := mchd.Parse(rec.XML)
			if err != nil {
				return fmt.Errorf("stored POA %s: %w", rec.GUID, err)
			}
			base := doc.FileID
			if base == "" || strings.ContainsAny(base, `/\`) || base == "." || base == ".." {
				base = rec.GUID
			}
			type file struct {
				ext  string
				data []byte
			}
			files := []file{{".xml", rec.XML}, {".sig", rec.Signature}}
			if rv := rec.Revocation; rv != nil && rv.Statement != nil {
				files = append(files, file{".revocation.txt", rv.Statement}, file{".revocation.sig", rv.Signature})
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			for _, f := range files {
				if f.data == nil {
					continue
				}
				name := filepath.Join(dir, base+f.ext)
				if err := atomicfile.WriteFile(name, f.data, 0o644); err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), name)
			}
			return nil
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&guid, "guid", "", "GUID (НомДовер) of the POA")
	cmd.Flags().StringVar(&dir, "out", "", "directory to write the files into")
	return cmd
}

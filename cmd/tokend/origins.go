package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/podpis/podpis/tokend/policy"
	"github.com/spf13/cobra"
)

// The commands that manage which sites may use tokend (issue 9, "tokend
// allow ORIGIN, tokend origins, tokend revoke-origin ORIGIN"; ANCHORS §6
// item 7): the person's own list (package tokend/policy, stored per user,
// reread by a running daemon) beside the administrator's policy file, which
// they only read.

// langFlags are --lang (ru, the default, or en) for the texts a person reads.
type langFlags struct{ lang string }

func (l *langFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&l.lang, "lang", "ru", "language of the output: ru or en")
}

func (l *langFlags) check() error {
	if l.lang != "ru" && l.lang != "en" {
		return fmt.Errorf("--lang %q: want ru or en", l.lang)
	}
	return nil
}

// tr picks the Russian or the English text.
func (l *langFlags) tr(ru, en string) string {
	if l.lang == "en" {
		return en
	}
	return ru
}

// policyFlags locate the admin policy file and the person's list.
type policyFlags struct {
	langFlags
	admin string
}

func (p *policyFlags) add(cmd *cobra.Command) {
	p.langFlags.add(cmd)
	addPolicyFlag(cmd.Flags().StringVar, &p.admin)
}

// addPolicyFlag defines --policy (for run, doctor and the origin commands).
func addPolicyFlag(def func(*string, string, string, string), dst *string) {
	def(dst, "policy", policy.DefaultAdminPath, "the administrator's policy file (YAML: allow, deny, first_use); missing means the defaults")
}

func (p *policyFlags) load() (*policy.Policy, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	return policy.Load(p.admin, "")
}

func newAllow(stdout io.Writer) *cobra.Command {
	var f policyFlags
	cmd := &cobra.Command{
		Use:   "allow ORIGIN",
		Short: "allow a site (https://portal.example) to use your token without the first-use question",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pol, err := f.load()
			if err != nil {
				return err
			}
			origin := args[0]
			if err := policy.CheckOrigin(origin); err != nil {
				return err
			}
			switch {
			case pol.Admin.Denied(origin):
				return errors.New(f.tr(
					fmt.Sprintf("%s запрещён политикой администратора (%s); разрешить его может только администратор", origin, pol.Admin.Path),
					fmt.Sprintf("%s is denied by the administrator's policy file (%s); only the administrator can allow it", origin, pol.Admin.Path)))
			case pol.Admin.Allowed(origin):
				fmt.Fprintln(stdout, f.tr(
					fmt.Sprintf("%s уже разрешён политикой администратора (%s)", origin, pol.Admin.Path),
					fmt.Sprintf("%s is already allowed by the administrator's policy file (%s)", origin, pol.Admin.Path)))
				return nil
			}
			if err := pol.Allow(origin, policy.HowCLI); err != nil {
				return err
			}
			fmt.Fprintln(stdout, f.tr(
				fmt.Sprintf("Разрешено: %s (список: %s; отозвать: tokend revoke-origin %s)", origin, pol.Store.Path(), origin),
				fmt.Sprintf("Allowed: %s (list: %s; to take it back: tokend revoke-origin %s)", origin, pol.Store.Path(), origin)))
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

func newRevokeOrigin(stdout io.Writer) *cobra.Command {
	var f policyFlags
	cmd := &cobra.Command{
		Use:   "revoke-origin ORIGIN",
		Short: "take back your permission for a site; it will have to ask again",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pol, err := f.load()
			if err != nil {
				return err
			}
			origin := args[0]
			if err := policy.CheckOrigin(origin); err != nil {
				return err
			}
			err = pol.Store.Remove(origin)
			switch {
			case errors.Is(err, policy.ErrNotAllowed) && pol.Admin.Allowed(origin):
				return errors.New(f.tr(
					fmt.Sprintf("%s разрешён политикой администратора (%s), а не вами; отозвать его может только администратор", origin, pol.Admin.Path),
					fmt.Sprintf("%s is allowed by the administrator's policy file (%s), not by you; only the administrator can take it back", origin, pol.Admin.Path)))
			case errors.Is(err, policy.ErrNotAllowed):
				return errors.New(f.tr(
					fmt.Sprintf("%s не был разрешён (разрешённые сайты показывает tokend origins)", origin),
					fmt.Sprintf("%s was not allowed (tokend origins lists the allowed sites)", origin)))
			case err != nil:
				return err
			}
			fmt.Fprintln(stdout, f.tr("Разрешение отозвано: "+origin, "Permission taken back: "+origin))
			if pol.Admin.Allowed(origin) {
				fmt.Fprintln(stdout, f.tr(
					fmt.Sprintf("Внимание: политика администратора (%s) по-прежнему разрешает %s", pol.Admin.Path, origin),
					fmt.Sprintf("Note: the administrator's policy file (%s) still allows %s", pol.Admin.Path, origin)))
			}
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

// originsReport is `tokend origins --format json`.
type originsReport struct {
	Admin struct {
		Path     string   `json:"path"`
		Exists   bool     `json:"exists"`
		Allow    []string `json:"allow"`
		Deny     []string `json:"deny"`
		FirstUse string   `json:"firstUse"`
	} `json:"admin"`
	User struct {
		Path    string         `json:"path"`
		Origins []policy.Entry `json:"origins"`
	} `json:"user"`
}

func newOrigins(stdout io.Writer) *cobra.Command {
	var (
		f      policyFlags
		format string
	)
	cmd := &cobra.Command{
		Use:   "origins",
		Short: "list the sites allowed to use your token: by the administrator and by you",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: want text or json", format)
			}
			pol, err := f.load()
			if err != nil {
				return err
			}
			entries, err := pol.Store.List()
			if err != nil {
				return err
			}
			var rep originsReport
			rep.Admin.Path, rep.Admin.Exists, rep.Admin.FirstUse = pol.Admin.Path, pol.Admin.Exists, string(pol.Admin.FirstUse)
			rep.Admin.Allow, rep.Admin.Deny = nonNil(pol.Admin.Allow), nonNil(pol.Admin.Deny)
			rep.User.Path, rep.User.Origins = pol.Store.Path(), entries
			if rep.User.Origins == nil {
				rep.User.Origins = []policy.Entry{}
			}
			if format == "json" {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			return writeOrigins(stdout, &f.langFlags, pol, entries)
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func writeOrigins(w io.Writer, l *langFlags, pol *policy.Policy, entries []policy.Entry) error {
	a := pol.Admin
	if a.Exists {
		fmt.Fprintf(w, l.tr("Политика администратора (%s):\n", "Administrator's policy (%s):\n"), a.Path)
	} else {
		fmt.Fprintf(w, l.tr("Политика администратора: файла %s нет, действуют умолчания\n", "Administrator's policy: no file %s, the defaults apply\n"), a.Path)
	}
	list := func(label string, items []string) {
		if len(items) == 0 {
			fmt.Fprintf(w, "  %s %s\n", label, l.tr("—", "none"))
			return
		}
		fmt.Fprintf(w, "  %s %s\n", label, strings.Join(items, ", "))
	}
	list(l.tr("разрешены:", "allowed:"), a.Allow)
	list(l.tr("запрещены:", "denied: "), a.Deny)
	if a.FirstUse == policy.FirstUseDeny {
		fmt.Fprintln(w, l.tr("  новые сайты: не допускаются (first_use: deny)", "  new sites: refused (first_use: deny)"))
	} else {
		fmt.Fprintln(w, l.tr("  новые сайты: спрашивают вашего разрешения (first_use: ask)", "  new sites: ask for your permission (first_use: ask)"))
	}
	fmt.Fprintf(w, l.tr("Разрешены вами (%s):\n", "Allowed by you (%s):\n"), pol.Store.Path())
	if len(entries) == 0 {
		fmt.Fprintln(w, l.tr("  —", "  none"))
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, e := range entries {
		how := l.tr("в окне tokend", "in tokend's dialog")
		if e.How == policy.HowCLI {
			how = l.tr("командой tokend allow", "with tokend allow")
		}
		note := ""
		if a.Denied(e.Origin) {
			note = l.tr("\t(запрещён администратором: не действует)", "\t(denied by the administrator: no effect)")
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s%s\n", e.Origin, e.AllowedAt.Local().Format("2006-01-02 15:04 MST"), how, note)
	}
	return tw.Flush()
}

// runPolicy loads the policy for tokend run. A malformed admin file stops
// the daemon (fail closed), and so does an origin given to the daemon that
// the admin file denies: the administrator's deny wins over everything.
func runPolicy(adminPath string, origins []string, log *slog.Logger) (*policy.Policy, error) {
	pol, err := policy.Load(adminPath, "")
	if err != nil {
		return nil, err
	}
	for _, o := range origins {
		if pol.Admin.Denied(o) {
			return nil, fmt.Errorf("origin %s is denied by the administrator's policy file %s: remove it from --origin (or origins in the configuration file)", o, pol.Admin.Path)
		}
	}
	pol.Logger = log
	return pol, nil
}

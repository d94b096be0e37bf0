// Command tokend is the local daemon that lets a web page use the person's
// GOST token for login (package tokend; shared/spec/tokend/ANCHORS.md §6).
//
//	tokend run [--config FILE] [--port N] [--origin URL]... [--module PATH]... [--policy FILE]
//	tokend allow ORIGIN | revoke-origin ORIGIN | origins [--format json]   (--lang en, --policy FILE)
//	tokend doctor [--config FILE] [--port N] [--module PATH]... [--pinentry PROG] [--lang en]
//
// Sites other than --origin are decided by package tokend/policy: the
// administrator's policy file (--policy, /etc/podpis/tokend-policy.yaml)
// and the person's own list, which allow and revoke-origin change.
//
// Exit status: 0 stopped cleanly (or done), 1 doctor found something to
// fix, 2 could not run (bad configuration or policy file, port in use).
// Errors are one line on stderr; the log is slog on stderr.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/podpis/podpis/sign/pkcs11"
	"github.com/podpis/podpis/tokend"
	"github.com/podpis/podpis/tokend/pinentry"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

const (
	exitOK       = 0
	exitProblems = 1 // doctor found something to fix
	exitError    = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := &cobra.Command{
		Use:   "tokend",
		Short: "the local daemon that lets a login page use your GOST token",
		Long: `tokend lets allowed web sites ask for a login with the certificate on your
USB token. It listens on 127.0.0.1 and [::1] only; the site never sees the
PIN, which you type in tokend's own dialog (pinentry).`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newRun(stderr))
	root.AddCommand(newAllow(stdout), newOrigins(stdout), newRevokeOrigin(stdout), newDoctor(stdout))
	if err := root.ExecuteContext(ctx); err != nil {
		// One line a person can act on (yaml's errors span several).
		var parts []string
		for _, l := range strings.Split(strings.TrimPrefix(err.Error(), "tokend: "), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				parts = append(parts, l)
			}
		}
		fmt.Fprintln(stderr, "tokend:", strings.Join(parts, " "))
		if errors.As(err, new(errNeedsFixing)) {
			return exitProblems
		}
		return exitError
	}
	return exitOK
}

// fileConfig is the configuration file (YAML). Flags given on the command
// line win over it.
type fileConfig struct {
	Port         int      `yaml:"port"`
	Origins      []string `yaml:"origins"`
	DevLocalhost bool     `yaml:"dev_localhost"`
	Modules      []string `yaml:"modules"`
	Pinentry     string   `yaml:"pinentry"`
	Timeout      string   `yaml:"timeout"`
	Lang         string   `yaml:"lang"`
	LogFormat    string   `yaml:"log_format"`
	AuditLog     string   `yaml:"audit_log"`
}

func loadConfig(path string) (fileConfig, error) {
	var fc fileConfig
	f, err := os.Open(path)
	if err != nil {
		return fc, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(&fc); err != nil && !errors.Is(err, io.EOF) {
		return fc, fmt.Errorf("config %s: %w", path, err)
	}
	return fc, nil
}

func newRun(stderr io.Writer) *cobra.Command {
	var (
		configPath string
		policyPath string
		fc         fileConfig
		timeout    time.Duration
	)
	cmd := &cobra.Command{
		Use:   "run",
		Short: "serve the login API on the loopback interface until stopped",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if configPath != "" {
				file, err := loadConfig(configPath)
				if err != nil {
					return err
				}
				merge(cmd, &fc, file)
			}
			if fc.Timeout != "" && !cmd.Flags().Changed("timeout") {
				d, err := time.ParseDuration(fc.Timeout)
				if err != nil {
					return fmt.Errorf("config: timeout %q: %v", fc.Timeout, err)
				}
				timeout = d
			}
			var h slog.Handler
			switch fc.LogFormat {
			case "json", "":
				h = slog.NewJSONHandler(stderr, nil)
			case "text":
				h = slog.NewTextHandler(stderr, nil)
			default:
				return fmt.Errorf("--log-format %q: want json or text", fc.LogFormat)
			}
			pol, err := runPolicy(policyPath, fc.Origins, slog.New(h))
			if err != nil {
				return err
			}
			modules := fc.Modules
			if len(modules) == 0 {
				modules = pkcs11.FindModules()
			}
			audit, auditFile, err := openAudit(fc.AuditLog)
			if err != nil {
				return err
			}
			defer auditFile.Close()
			cfg := tokend.Config{
				Port: fc.Port, Origins: fc.Origins, AllowHTTPLocalhost: fc.DevLocalhost, Modules: modules,
				Timeout: timeout, Lang: fc.Lang, Logger: slog.New(h), Policy: pol, Audit: audit,
			}
			if fc.Pinentry != "" {
				cfg.Pinentry = &pinentry.Program{Path: fc.Pinentry}
			}
			s, err := tokend.New(cfg)
			if err != nil {
				return err
			}
			if err := s.Start(); err != nil {
				return err
			}
			<-cmd.Context().Done()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return s.Shutdown(ctx)
		},
	}
	f := cmd.Flags()
	f.StringVar(&configPath, "config", "", "YAML configuration file (port, origins, dev_localhost, modules, pinentry, timeout, lang, log_format, audit_log)")
	f.IntVar(&fc.Port, "port", tokend.DefaultPort, "TCP port on 127.0.0.1 and [::1]")
	f.StringArrayVar(&fc.Origins, "origin", nil, "allowed page origin, exactly as browsers send it (https://portal.example[:port]); repeatable")
	f.BoolVar(&fc.DevLocalhost, "dev-localhost", false, "allow http://localhost origins (development only)")
	f.StringArrayVar(&fc.Modules, "module", nil, "PKCS#11 module path; repeatable (default: the well-known modules installed here)")
	f.StringVar(&fc.Pinentry, "pinentry", "pinentry", "pinentry program for the PIN and consent dialogs")
	f.DurationVar(&timeout, "timeout", tokend.DefaultTimeout, "how long an operation waits for the person")
	f.StringVar(&fc.Lang, "lang", "ru", "language of the dialogs: ru or en")
	f.StringVar(&fc.LogFormat, "log-format", "json", "log format: json or text")
	f.StringVar(&fc.AuditLog, "audit-log", "", "append a JSON audit record of each login, signature and cancel to this file (created 0600; no PINs, nonces or documents)")
	addPolicyFlag(f.StringVar, &policyPath)
	return cmd
}

// merge fills the fields of fc whose flags were not given from file.
func merge(cmd *cobra.Command, fc *fileConfig, file fileConfig) {
	ch := cmd.Flags().Changed
	if !ch("port") && file.Port != 0 {
		fc.Port = file.Port
	}
	if !ch("origin") {
		fc.Origins = file.Origins
	}
	if !ch("dev-localhost") {
		fc.DevLocalhost = file.DevLocalhost
	}
	if !ch("module") {
		fc.Modules = file.Modules
	}
	if !ch("pinentry") && file.Pinentry != "" {
		fc.Pinentry = file.Pinentry
	}
	if !ch("lang") && file.Lang != "" {
		fc.Lang = file.Lang
	}
	if !ch("log-format") && file.LogFormat != "" {
		fc.LogFormat = file.LogFormat
	}
	if !ch("audit-log") && file.AuditLog != "" {
		fc.AuditLog = file.AuditLog
	}
	fc.Timeout = file.Timeout
}

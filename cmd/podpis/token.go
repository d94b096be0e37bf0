package main

import (
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/internal/atomicfile"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/sign/pkcs11"
)

// tokenFlags are the flags every command that touches a token takes.
type tokenFlags struct {
	module, pinFile string
}

func (f *tokenFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.module, "module", "", "PKCS#11 module (default: $PODPIS_PKCS11_MODULE or the well-known modules)")
	cmd.Flags().StringVar(&f.pinFile, "pin-file", "", "file holding the PIN (default: $PODPIS_PIN, else a prompt on the terminal)")
}

// options returns the token options: the PIN from --pin-file, else from
// $PODPIS_PIN (read by package pkcs11), else a prompt without echo when there
// is a terminal. A PIN never comes from a flag value.
func (f *tokenFlags) options(cmd *cobra.Command) pkcs11.Options {
	opts := pkcs11.Options{Module: f.module}
	switch {
	case f.pinFile != "":
		opts.PIN = pkcs11.PINFile(f.pinFile)
	case os.Getenv(pkcs11.EnvPIN) != "":
	case term.IsTerminal(int(os.Stdin.Fd())):
		opts.PIN = pkcs11.TerminalPIN(os.Stdin, cmd.ErrOrStderr())
	}
	return opts
}

func newTokenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Work with keys on smart cards and USB tokens (PKCS#11)",
		Long: `Work with keys on smart cards and USB tokens through their PKCS#11 module.
A key is named by an RFC 7512 URI, e.g. 'pkcs11:token=Rutoken;object=director'.
The PIN comes from the token's PIN pad, --pin-file, $PODPIS_PIN or a prompt
without echo — never from the command line. podpis never retries a wrong PIN.`,
	}
	cmd.AddCommand(newTokenListCmd(), newTokenKeygenCmd(), newTokenCSRCmd(), newTokenImportCertCmd(), newTokenCertsCmd())
	return cmd
}

func newTokenListCmd() *cobra.Command {
	var f tokenFlags
	cmd := &cobra.Command{
		Use:   "list [--module PATH]",
		Short: "List modules, slots, tokens and their key pairs (no login)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			tokens, err := pkcs11.ListTokens(cmd.Context(), f.module)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			module := ""
			for _, t := range tokens {
				if t.Module != module {
					module = t.Module
					fmt.Fprintf(w, "module %s\n", module)
				}
				if !t.Present {
					fmt.Fprintf(w, "  slot %d (%s): no token\n", t.SlotID, t.SlotDescription)
					continue
				}
				fmt.Fprintf(w, "  slot %d: token %q, serial %s, model %s, %s\n", t.SlotID, t.Label, t.Serial, t.Model, t.Manufacturer)
				if len(t.Flags) > 0 {
					fmt.Fprintf(w, "    %s\n", strings.Join(t.Flags, "; "))
				}
				if len(t.GOST) > 0 {
					fmt.Fprintf(w, "    GOST R 34.10-2012: %s\n", strings.Join(t.GOST, ", "))
				}
				fmt.Fprintf(w, "    %s\n", t.URI)
				if t.Problem != "" {
					fmt.Fprintf(w, "    keys not listed: %s\n", t.Problem)
				}
				for _, k := range t.Keys {
					fmt.Fprintf(w, "    key %q id %s: %s\n", k.Label, hex.EncodeToString(k.ID), k.Algorithm)
					if k.Certificate != nil {
						fmt.Fprintf(w, "      certificate: %s, valid %s to %s\n", k.Subject,
							k.NotBefore.UTC().Format(time.DateOnly), k.NotAfter.UTC().Format(time.DateOnly))
					}
					fmt.Fprintf(w, "      %s\n", k.URI)
				}
			}
			if len(tokens) == 0 {
				fmt.Fprintln(w, "no slots")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&f.module, "module", "", "PKCS#11 module (default: every module found)")
	return cmd
}

func newTokenKeygenCmd() *cobra.Command {
	var f tokenFlags
	var uri, curve string
	cmd := &cobra.Command{
		Use:   "keygen --key 'pkcs11:token=…;object=LABEL' --curve NAME",
		Short: "Generate a GOST key pair on the token",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if uri == "" {
				return errors.New("token keygen needs --key (a pkcs11: URI naming the token and the new key's object label)")
			}
			ps := gost3410.ParamSetByName(curve)
			if ps == nil {
				return unknownCurve(curve)
			}
			k, err := pkcs11.GenerateKey(cmd.Context(), uri, ps, f.options(cmd))
			if err != nil {
				return err
			}
			defer k.Close()
			fmt.Fprintf(cmd.OutOrStdout(), "generated %s key %s\n", ps.Name(), k.URI())
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&uri, "key", "", "pkcs11: URI of the token, with object= the new key's label")
	cmd.Flags().StringVar(&curve, "curve", "256-a", "parameter set")
	return cmd
}

func newTokenCSRCmd() *cobra.Command {
	var f tokenFlags
	var uri, subject, out string
	cmd := &cobra.Command{
		Use:   "csr --key URI --subject 'CN=…,SNILS=…' --out req.pem",
		Short: "Make a PKCS#10 request signed by the token key",
		Long: `Make a PKCS#10 certificate request for a token key, signed on the token.
--subject lists attributes as NAME=value separated by commas (a comma inside a
value is written \,): CN, SN, GN, T (title), O, OU, L, ST, STREET, C, E (e-mail),
and the Russian INN, INNLE, OGRN, OGRNIP, SNILS (checked for valid check digits).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if uri == "" || subject == "" || out == "" {
				return errors.New("token csr needs --key, --subject and --out")
			}
			name, err := parseSubject(subject)
			if err != nil {
				return err
			}
			k, err := pkcs11.Open(cmd.Context(), uri, f.options(cmd))
			if err != nil {
				return err
			}
			defer k.Close()
			der, err := pki.CreateCertificateRequest(&pki.RequestTemplate{Subject: name}, k)
			if err != nil {
				return err
			}
			return atomicfile.WriteFile(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 0o644)
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&uri, "key", "", "pkcs11: URI of the key")
	cmd.Flags().StringVar(&subject, "subject", "", "subject attributes, e.g. 'CN=Иванов Иван Иванович,SNILS=11223344595'")
	cmd.Flags().StringVar(&out, "out", "", "file to write the request to (PEM)")
	return cmd
}

func newTokenImportCertCmd() *cobra.Command {
	var f tokenFlags
	var uri, certFile string
	cmd := &cobra.Command{
		Use:   "import-cert --key URI --cert cert.pem",
		Short: "Store a certificate on the token next to its key",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if uri == "" || certFile == "" {
				return errors.New("token import-cert needs --key and --cert")
			}
			data, err := os.ReadFile(certFile)
			if err != nil {
				return err
			}
			certs, err := pki.ParseCertificates(data)
			if err != nil {
				return fmt.Errorf("%s: %w", certFile, err)
			}
			return pkcs11.ImportCertificate(cmd.Context(), uri, certs[0], f.options(cmd))
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&uri, "key", "", "pkcs11: URI of the key")
	cmd.Flags().StringVar(&certFile, "cert", "", "certificate file (PEM or DER); the first certificate is imported")
	return cmd
}

func newTokenCertsCmd() *cobra.Command {
	var f tokenFlags
	var uri string
	cmd := &cobra.Command{
		Use:   "certs --key URI",
		Short: "Print the certificates on the token (PEM), with their holders",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if uri == "" {
				return errors.New("token certs needs --key (a pkcs11: URI of a token or key)")
			}
			certs, err := pkcs11.Certificates(cmd.Context(), uri, f.options(cmd))
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			for _, c := range certs {
				fmt.Fprintf(w, "# token %q, label %q, id %s: %s\n", c.Token, c.Label, hex.EncodeToString(c.ID), c.Certificate.SubjectName)
				pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate.Raw})
			}
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&uri, "key", "", "pkcs11: URI of the token or key")
	return cmd
}

// subjectKeys maps --subject attribute names to pki.Name fields.
var subjectKeys = map[string]func(*pki.Name) *string{
	"CN": func(n *pki.Name) *string { return &n.CommonName }, "SN": func(n *pki.Name) *string { return &n.Surname },
	"GN": func(n *pki.Name) *string { return &n.GivenName }, "T": func(n *pki.Name) *string { return &n.Title },
	"O": func(n *pki.Name) *string { return &n.Organization }, "OU": func(n *pki.Name) *string { return &n.OrganizationalUnit },
	"L": func(n *pki.Name) *string { return &n.Locality }, "ST": func(n *pki.Name) *string { return &n.Province },
	"STREET": func(n *pki.Name) *string { return &n.StreetAddress }, "C": func(n *pki.Name) *string { return &n.Country },
	"E": func(n *pki.Name) *string { return &n.Email }, "INN": func(n *pki.Name) *string { return &n.INN },
	"INNLE": func(n *pki.Name) *string { return &n.INNLE }, "OGRN": func(n *pki.Name) *string { return &n.OGRN },
	"OGRNIP": func(n *pki.Name) *string { return &n.OGRNIP }, "SNILS": func(n *pki.Name) *string { return &n.SNILS },
}

// parseSubject reads NAME=value pairs separated by commas; "\," is a comma
// inside a value.
func parseSubject(s string) (pki.Name, error) {
	var n pki.Name
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == ',':
			cur.WriteByte(',')
			i++
		case s[i] == ',':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	parts = append(parts, cur.String())
	for _, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		k = strings.ToUpper(strings.TrimSpace(k))
		field := subjectKeys[k]
		if !ok || field == nil {
			return n, fmt.Errorf("--subject: %q is not NAME=value with NAME one of CN SN GN T O OU L ST STREET C E INN INNLE OGRN OGRNIP SNILS", strings.TrimSpace(p))
		}
		*field(&n) = strings.TrimSpace(v)
	}
	return n, nil
}

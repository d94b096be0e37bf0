package main

import (
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/internal/atomicfile"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
)

func newDevpkiCmd() *cobra.Command {
	var out, curve, baseURL string
	var force bool
	cmd := &cobra.Command{
		Use:   "devpki --out DIR [--curve NAME]",
		Short: "Write a test PKI that looks like a Russian accredited CA's",
		Long: `Write a test PKI into DIR: ca.pem/ca.key (root), signer.pem/signer.key (head of a
legal entity with ИНН ЮЛ, ОГРН, СНИЛС, ИНН, title and the qualified-certificate
extensions), person.pem/person.key (a natural person with СНИЛС and ИНН),
tsa.pem/tsa.key (a timestamp authority), ocsp.pem/ocsp.key (the CA's OCSP
responder), crl.pem and state.json (revocations; see 'devpki revoke'). With
--base-url the certificates name 'podpis devpki serve' at that URL as their
CRL distribution point and OCSP responder. The people and the
organisation are fictitious; every number has valid check digits. Keys are
written with mode 0600. An existing PKI is kept unless --force is given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return errors.New("devpki needs --out")
			}
			ps := gost3410.ParamSetByName(curve)
			if ps == nil {
				return unknownCurve(curve)
			}
			p, err := devpki.New(devpki.Options{ParamSet: ps, BaseURL: baseURL})
			if err != nil {
				return err
			}
			if err := p.WriteDir(out, force); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "test PKI on %s written to %s\n", ps.Name(), out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write the PKI into")
	cmd.Flags().StringVar(&curve, "curve", "256-a", "parameter set of every key")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing PKI in --out")
	cmd.Flags().StringVar(&baseURL, "base-url", "", "URL of 'podpis devpki serve': certificates name its CRL and OCSP responder")
	cmd.AddCommand(newDevpkiTSACmd(), newDevpkiIssueCmd(), newDevpkiServeCmd(), newDevpkiRevokeCmd(), newDevpkiTSLCmd())
	return cmd
}

func newDevpkiIssueCmd() *cobra.Command {
	var dir, csr, out string
	cmd := &cobra.Command{
		Use:   "issue --dir DIR --csr req.pem --out cert.pem",
		Short: "Issue a qualified test certificate from a PKCS#10 request",
		Long: `Issue a certificate like the test PKI's signer and person certificates (one
year, КС1/КС2, the qualified-certificate extensions) for the subject and key
of a PKCS#10 request — for example one made on a token with 'podpis token csr'
— signed by DIR/ca.key.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" || csr == "" || out == "" {
				return errors.New("devpki issue needs --dir, --csr and --out")
			}
			ca, err := devpki.LoadCA(dir)
			if err != nil {
				return err
			}
			data, err := os.ReadFile(csr)
			if err != nil {
				return err
			}
			req, err := pki.ParseCertificateRequest(data)
			if err != nil {
				return fmt.Errorf("%s: %w", csr, err)
			}
			cert, err := devpki.IssueFromRequest(ca, req, time.Now())
			if err != nil {
				return err
			}
			return atomicfile.WriteFile(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory of the test PKI (podpis devpki --out)")
	cmd.Flags().StringVar(&csr, "csr", "", "PKCS#10 request (PEM or DER)")
	cmd.Flags().StringVar(&out, "out", "", "file to write the certificate to (PEM)")
	return cmd
}

package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki/devpki"
)

func newDevpkiCmd() *cobra.Command {
	var out, curve string
	var force bool
	cmd := &cobra.Command{
		Use:   "devpki --out DIR [--curve NAME]",
		Short: "Write a test PKI that looks like a Russian accredited CA's",
		Long: `Write a test PKI into DIR: ca.pem/ca.key (root), signer.pem/signer.key (head of a
legal entity with ИНН ЮЛ, ОГРН, СНИЛС, ИНН, title and the qualified-certificate
extensions), person.pem/person.key (a natural person with СНИЛС and ИНН),
tsa.pem/tsa.key (a timestamp authority) and crl.pem. The people and the
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
			p, err := devpki.New(devpki.Options{ParamSet: ps})
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
	cmd.AddCommand(newDevpkiTSACmd())
	return cmd
}

package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/internal/atomicfile"
	"github.com/podpis/podpis/sign/softkey"
)

func newSignCmd() *cobra.Command {
	var raw bool
	var keyPath, in, out string
	cmd := &cobra.Command{
		Use:   "sign --raw --key key.pem --in FILE --out SIG",
		Short: "Sign a file",
		Long: `Sign a file. With --raw the signature is the bare GOST R 34.10-2012 value
BE(s) || BE(r) over the file's Streebog hash (Streebog-512 for 512-bit keys),
exactly what 'openssl dgst -md_gost12_256 -sign key.pem' writes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !raw {
				return errors.New("sign: only --raw signatures are available in this version")
			}
			if keyPath == "" || in == "" || out == "" {
				return errors.New("sign needs --key, --in and --out")
			}
			k, err := softkey.LoadPrivateKey(keyPath)
			if err != nil {
				return err
			}
			digest, err := hashFile(cmd.InOrStdin(), in, k.ParamSet().Hash())
			if err != nil {
				return err
			}
			sig, err := k.Sign(nil, digest, gost3410.SignerOpts{Hash: k.ParamSet().Hash()})
			if err != nil {
				return err
			}
			return atomicfile.WriteFile(out, sig, 0o644)
		},
	}
	cmd.Flags().BoolVar(&raw, "raw", false, "write a bare signature value, not CMS")
	cmd.Flags().StringVar(&keyPath, "key", "", "private key file (PKCS#8 PEM or DER)")
	cmd.Flags().StringVar(&in, "in", "", "file to sign (- for standard input)")
	cmd.Flags().StringVar(&out, "out", "", "file to write the signature to")
	return cmd
}

func newVerifyCmd() *cobra.Command {
	var raw bool
	var pubPath, sigPath, in string
	cmd := &cobra.Command{
		Use:   "verify --raw --pub pub.pem --sig SIG --in FILE",
		Short: "Verify a signature",
		Long: `Verify a signature. With --raw, SIG is a bare GOST R 34.10-2012 value
BE(s) || BE(r) as 'openssl dgst -sign' writes it. Exit status 0: valid,
1: invalid, 2: could not check.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !raw {
				return errors.New("verify: only --raw signatures are available in this version")
			}
			if pubPath == "" || sigPath == "" || in == "" {
				return errors.New("verify needs --pub, --sig and --in")
			}
			pub, err := loadVerifyKey(pubPath)
			if err != nil {
				return err
			}
			sig, err := os.ReadFile(sigPath)
			if err != nil {
				return err
			}
			n := pub.ParamSet().Size()
			if len(sig) != 2*n {
				return fmt.Errorf("%s: signature is %d bytes, a %d-bit key makes %d-byte signatures", sigPath, len(sig), 8*n, 2*n)
			}
			digest, err := hashFile(cmd.InOrStdin(), in, pub.ParamSet().Hash())
			if err != nil {
				return err
			}
			if !gost3410.Verify(pub, digest, sig) {
				return errInvalid{"signature INVALID: it was not made by this key over this file"}
			}
			fmt.Fprintln(cmd.OutOrStdout(), "signature valid")
			return nil
		},
	}
	cmd.Flags().BoolVar(&raw, "raw", false, "SIG is a bare signature value, not CMS")
	cmd.Flags().StringVar(&pubPath, "pub", "", "public key file (PEM or DER; a private key file also works)")
	cmd.Flags().StringVar(&sigPath, "sig", "", "signature file")
	cmd.Flags().StringVar(&in, "in", "", "signed file (- for standard input)")
	return cmd
}

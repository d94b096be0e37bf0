package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/sign/softkey"
)

// curveNames are the --curve names the CLI lists (issue 3); any dotted OID of
// a known parameter set is accepted too.
var curveNames = []string{"256-a", "256-b", "256-c", "256-d", "512-a", "512-b", "512-c",
	"cryptopro-a", "cryptopro-b", "cryptopro-c", "cryptopro-xcha", "cryptopro-xchb"}

func unknownCurve(name string) error {
	return fmt.Errorf("unknown curve %q: use one of %s, or a dotted OID", name, strings.Join(curveNames, ", "))
}

func newKeygenCmd() *cobra.Command {
	var curve, out string
	var force bool
	cmd := &cobra.Command{
		Use:   "keygen --curve NAME --out key.pem",
		Short: "Make a GOST R 34.10-2012 private key (PKCS#8 PEM)",
		Long: "Make a private key on a parameter set and write it as PKCS#8 PEM (mode 0600),\n" +
			"as OpenSSL's GOST engine writes it. NAME is one of\n  " + strings.Join(curveNames, " ") +
			"\nor a dotted OID of a GOST parameter set.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if curve == "" || out == "" {
				return errors.New("keygen needs --curve and --out")
			}
			ps := gost3410.ParamSetByName(curve)
			if ps == nil {
				return unknownCurve(curve)
			}
			if !force {
				if _, err := os.Stat(out); err == nil {
					return fmt.Errorf("%s exists; remove it or pass --force", out)
				} else if !errors.Is(err, fs.ErrNotExist) {
					return err
				}
			}
			k, err := gost3410.GenerateKey(ps, nil)
			if err != nil {
				return err
			}
			return softkey.SavePrivateKey(out, k)
		},
	}
	cmd.Flags().StringVar(&curve, "curve", "", "parameter set: "+strings.Join(curveNames, ", ")+", or an OID")
	cmd.Flags().StringVar(&out, "out", "", "file to write the private key to")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite --out if it exists")
	return cmd
}

func newPubkeyCmd() *cobra.Command {
	var keyPath string
	cmd := &cobra.Command{
		Use:   "pubkey --key key.pem",
		Short: "Print the public key (PEM) of a private key",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if keyPath == "" {
				return errors.New("pubkey needs --key")
			}
			k, err := softkey.LoadPrivateKey(keyPath)
			if err != nil {
				return err
			}
			pemBytes, err := softkey.MarshalPublicKeyPEM(k.PublicKey())
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(pemBytes)
			return err
		},
	}
	cmd.Flags().StringVar(&keyPath, "key", "", "private key file (PKCS#8 PEM or DER)")
	return cmd
}

// loadVerifyKey reads a public key file; a private key file is accepted too,
// and its public half used.
func loadVerifyKey(path string) (*gost3410.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pub, perr := softkey.ParsePublicKey(data)
	if perr == nil {
		return pub, nil
	}
	if k, err := softkey.ParsePrivateKey(data); err == nil {
		return k.PublicKey(), nil
	}
	return nil, fmt.Errorf("%s: %w", path, perr)
}

package main

import (
	"encoding/hex"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/podpis/podpis/gost/gost3410"
)

func newHashCmd() *cobra.Command {
	var alg string
	cmd := &cobra.Command{
		Use:   "hash [--alg streebog256|streebog512] FILE...",
		Short: "Print the Streebog hash of files (- is standard input)",
		Long: `Print one line per file: the hash in hex, as 'openssl dgst -md_gost12_256'
prints it, two spaces and the file name. '-' reads standard input.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := parseHashAlg(alg)
			if err != nil {
				return err
			}
			for _, name := range args {
				sum, err := hashFile(cmd.InOrStdin(), name, h)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s  %s\n", hex.EncodeToString(sum), name)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&alg, "alg", "streebog256", "hash algorithm: streebog256 or streebog512")
	return cmd
}

func parseHashAlg(s string) (gost3410.Hash, error) {
	switch s {
	case "streebog256":
		return gost3410.Streebog256, nil
	case "streebog512":
		return gost3410.Streebog512, nil
	}
	return 0, fmt.Errorf("unknown hash algorithm %q: use streebog256 or streebog512", s)
}

// hashFile streams the file (or stdin for "-") through h.
func hashFile(stdin io.Reader, name string, h gost3410.Hash) ([]byte, error) {
	r, closeIn, err := openInput(stdin, name)
	if err != nil {
		return nil, err
	}
	defer closeIn()
	d := h.New()
	if _, err := io.Copy(d, r); err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return d.Sum(nil), nil
}

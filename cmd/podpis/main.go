// Command podpis signs and verifies with GOST R 34.10-2012, hashes with
// Streebog and manages keys. See `podpis help`.
//
// Exit status: 0 success (or a valid signature), 1 checked and invalid,
// 2 could not run (bad input, missing file). Errors are one line on stderr.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// Exit statuses (shared DESIGN.md, "The command line").
const (
	exitOK      = 0
	exitInvalid = 1
	exitError   = 2
)

// errInvalid is returned by a check that ran and found its object invalid.
type errInvalid struct{ msg string }

func (e errInvalid) Error() string { return e.msg }

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	var inv errInvalid
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &inv):
		fmt.Fprintln(stderr, "podpis:", inv.msg)
		return exitInvalid
	default:
		fmt.Fprintln(stderr, "podpis:", err)
		return exitError
	}
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "podpis",
		Short: "Russian qualified electronic signatures: GOST R 34.10-2012, PDF, МЧД",
		Long: `podpis signs and verifies with GOST R 34.10-2012 (CMS/CAdES and bare
signatures), hashes with GOST R 34.11-2012 (Streebog), signs and checks PDF/A
documents, issues and checks machine-readable powers of attorney (МЧД), and
serves verification over HTTP. Keys are PKCS#8 PEM files, compatible with
OpenSSL's GOST engine, or keys on PKCS#11 tokens named by pkcs11: URIs.

Exit status: 0 success or valid, 1 checked and invalid, 2 could not run.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(newHashCmd(), newKeygenCmd(), newPubkeyCmd(), newDevpkiCmd(), newSignCmd(), newVerifyCmd(), newTokenCmd(), newPDFCmd(), newMCHDCmd(), newServeCmd())
	return root
}

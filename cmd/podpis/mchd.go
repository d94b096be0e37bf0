package main

import "github.com/spf13/cobra"

// newMCHDCmd is `podpis mchd`: machine-readable powers of attorney
// (EMCHD_1, shared/spec/mchd/FORMAT.md). Each subcommand lives in its own
// file (mchd_*.go) and is listed here.
func newMCHDCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mchd",
		Short: "Issue, sign, render, check and revoke machine-readable powers of attorney (EMCHD_1)",
	}
	cmd.AddCommand(newMCHDNewCmd(), newMCHDSignCmd(), newMCHDCheckCmd(), newMCHDRenderCmd())
	cmd.AddCommand(mchdRegistryCmds()...)
	return cmd
}

package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/podpis/podpis/cms/tsp"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/sign"
)

func newDevpkiTSACmd() *cobra.Command {
	var dir, listen, addrFile string
	cmd := &cobra.Command{
		Use:   "tsa --dir DIR [--listen 127.0.0.1:8318] [--addr-file FILE]",
		Short: "Serve RFC 3161 timestamps with the test PKI's TSA key",
		Long: `Serve RFC 3161 timestamps over HTTP (POST application/timestamp-query) with
DIR/tsa.key and DIR/tsa.pem, for tests and demos: 'podpis sign --tsa URL'
makes CAdES-T with it. --addr-file writes the URL once the server listens
(useful with --listen 127.0.0.1:0). Stop it with Ctrl-C.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				return errors.New("devpki tsa needs --dir (a directory written by podpis devpki)")
			}
			s, err := sign.Open(cmd.Context(), filepath.Join(dir, "tsa.key"), sign.Options{CertFile: filepath.Join(dir, "tsa.pem")})
			if err != nil {
				return err
			}
			defer s.Close()
			ca, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
			if err != nil {
				return err
			}
			chain, err := pki.ParseCertificates(ca)
			if err != nil {
				return fmt.Errorf("%s: %w", filepath.Join(dir, "ca.pem"), err)
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			url := "http://" + ln.Addr().String() + "/"
			srv := &http.Server{
				Handler:           &tsp.Authority{Signer: s, Certificate: s.Certificate(), Chain: chain, Policy: devpki.TSAPolicy},
				ReadHeaderTimeout: 10 * time.Second,
			}
			fmt.Fprintf(cmd.OutOrStdout(), "TSA listening on %s\n", url)
			return serveHTTP(cmd, srv, ln, addrFile, url)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory of the test PKI (podpis devpki --out)")
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8318", "address to listen on")
	cmd.Flags().StringVar(&addrFile, "addr-file", "", "file to write the server's URL to")
	return cmd
}

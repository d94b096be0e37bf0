package main

import (
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/podpis/podpis/internal/atomicfile"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
)

func newDevpkiServeCmd() *cobra.Command {
	var dir, listen, addrFile string
	var allowRemote bool
	cmd := &cobra.Command{
		Use:   "serve --dir DIR [--listen 127.0.0.1:8319] [--addr-file FILE]",
		Short: "Serve the test CA's CRL and an OCSP responder over HTTP",
		Long: `Serve revocation data of the test PKI in DIR over HTTP, for tests and demos:
the CA's current CRL (DER) at /crl/ca.crl and an OCSP responder (RFC 6960,
POST and GET) at /ocsp, answered by DIR/ocsp.key for the CA. Revocations made
with 'podpis devpki revoke' take effect at once.

Certificates name this server when the PKI was made with
'podpis devpki --base-url URL'; 'podpis verify --online' then checks them
here. --addr-file writes the base URL once the server listens (useful with
--listen 127.0.0.1:0). Only loopback addresses are accepted unless
--allow-remote is given. Stop it with Ctrl-C.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				return errors.New("devpki serve needs --dir (a directory written by podpis devpki)")
			}
			if err := checkLoopback(listen, allowRemote); err != nil {
				return err
			}
			h, err := devpki.NewHandler(dir)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			base := "http://" + ln.Addr().String()
			srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
			fmt.Fprintf(cmd.OutOrStdout(), "CRL at %s, OCSP at %s\n", devpki.CRLURL(base), devpki.OCSPURL(base))
			return serveHTTP(cmd, srv, ln, addrFile, base)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory of the test PKI (podpis devpki --out)")
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8319", "address to listen on (loopback)")
	cmd.Flags().StringVar(&addrFile, "addr-file", "", "file to write the server's base URL to")
	cmd.Flags().BoolVar(&allowRemote, "allow-remote", false, "allow a non-loopback --listen address")
	return cmd
}

// checkLoopback refuses an address other hosts can reach, unless allowed:
// the test CA is trusted by nobody, but its server should not be found.
func checkLoopback(listen string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("--listen %q: %v", listen, err)
	}
	if allowRemote || host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--listen %q is not a loopback address; pass --allow-remote to serve the test PKI to other hosts", listen)
}

// crlReasons are the CRLReason names (RFC 5280 §5.3.1) as OpenSSL spells
// them.
var crlReasons = []string{"unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
	"cessationOfOperation", "certificateHold", "", "removeFromCRL", "privilegeWithdrawn", "aACompromise"}

func parseReason(s string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n < len(crlReasons) && crlReasons[n] != "" {
		return n, nil
	}
	for i, name := range crlReasons {
		if name != "" && strings.EqualFold(name, s) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("--reason %q: use a CRLReason code 0–10 (not 7) or a name such as keyCompromise, superseded", s)
}

func newDevpkiRevokeCmd() *cobra.Command {
	var dir, certFile, serial, reason, at string
	cmd := &cobra.Command{
		Use:   "revoke --dir DIR (--cert CERT.pem | --serial HEX) [--reason keyCompromise] [--at TIME]",
		Short: "Revoke a certificate of the test CA",
		Long: `Record a certificate of the test PKI in DIR as revoked and write a new
DIR/crl.pem listing every revoked certificate (numbered one more, valid for
a day). 'podpis devpki serve' answers from the new state at once, by CRL and
by OCSP. --at is the revocation time (default now; RFC 3339 or YYYY-MM-DD),
--reason a CRLReason (RFC 5280 §5.3.1) by code or name.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" || (certFile == "") == (serial == "") {
				return errors.New("devpki revoke needs --dir and one of --cert or --serial")
			}
			code, err := parseReason(reason)
			if err != nil {
				return err
			}
			when := time.Now()
			if at != "" {
				if when, err = parseTime(at); err != nil {
					return err
				}
			}
			var n *big.Int
			if certFile != "" {
				data, err := os.ReadFile(certFile)
				if err != nil {
					return err
				}
				c, err := pki.ParseCertificates(data)
				if err != nil || len(c) != 1 {
					return fmt.Errorf("%s: want one certificate: %v", certFile, err)
				}
				n = c[0].SerialNumber
			} else {
				var ok bool
				if n, ok = new(big.Int).SetString(strings.TrimPrefix(strings.ReplaceAll(serial, ":", ""), "0x"), 16); !ok {
					return fmt.Errorf("--serial %q is not a hexadecimal number", serial)
				}
			}
			if err := devpki.Revoke(dir, n, code, when); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "revoked serial %x (%s) at %s\n", n, crlReasons[code], when.UTC().Format(time.RFC3339))
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory of the test PKI (podpis devpki --out)")
	cmd.Flags().StringVar(&certFile, "cert", "", "certificate to revoke (PEM or DER)")
	cmd.Flags().StringVar(&serial, "serial", "", "serial number to revoke (hex)")
	cmd.Flags().StringVar(&reason, "reason", "unspecified", "CRLReason: code or name")
	cmd.Flags().StringVar(&at, "at", "", "revocation time (RFC 3339 or YYYY-MM-DD); default now")
	return cmd
}

func newDevpkiTSLCmd() *cobra.Command {
	var dir, out, status, reg string
	cmd := &cobra.Command{
		Use:   "tsl --dir DIR --out TSL.xml [--status Действует] [--registry-number N]",
		Short: "Write a list of accredited CAs, in the ministry's format, naming the test CA",
		Long: `Write a list of accredited CAs in the structure of the TSL.xml the Ministry of
Digital Development publishes, with the test CA of DIR as its only CA. Given
to 'podpis verify --trust TSL.xml', the test CA is trusted and, while its
--status is «Действует», reported as accredited. For tests and demos only:
the real list names real CAs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" || out == "" {
				return errors.New("devpki tsl needs --dir and --out")
			}
			ca, err := devpki.LoadCA(dir)
			if err != nil {
				return err
			}
			entry := devpki.TSLEntry{Name: ca.Cert.SubjectName.Organization, RegistryNumber: reg, Status: status, Certificates: []*pki.Certificate{ca.Cert}}
			if ca.BaseURL != "" {
				entry.CRLs = []string{devpki.CRLURL(ca.BaseURL)}
			}
			data, err := devpki.TSL(1, time.Now(), entry)
			if err != nil {
				return err
			}
			return atomicfile.WriteFile(out, data, 0o644)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory of the test PKI (podpis devpki --out)")
	cmd.Flags().StringVar(&out, "out", "", "file to write the list to")
	cmd.Flags().StringVar(&status, "status", "Действует", "accreditation status of the test CA")
	cmd.Flags().StringVar(&reg, "registry-number", "999", "the test CA's number in the register")
	return cmd
}

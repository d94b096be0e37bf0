package main

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/cms/tsp"
	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/internal/atomicfile"
	"github.com/podpis/podpis/sign"
	"github.com/podpis/podpis/sign/pkcs11"
	"github.com/podpis/podpis/sign/softkey"
)

type signFlags struct {
	raw, attached      bool
	key, cert, in, out string
	addTo, tsa         string
	token              tokenFlags
}

func newSignCmd() *cobra.Command {
	var f signFlags
	cmd := &cobra.Command{
		Use:   "sign --key KEY --cert CERT --in FILE --out FILE.sig [--attached] [--tsa URL] [--add-to EXISTING.sig]",
		Short: "Sign a file (CAdES-BES, or a bare value with --raw)",
		Long: `Sign a file. The signature is a DER CMS SignedData with the CAdES-BES signed
attributes (contentType, messageDigest, signingTime, signingCertificateV2),
detached unless --attached. --add-to co-signs an existing signature: the
signatures already in it are kept byte for byte. --tsa adds an RFC 3161
signature timestamp from that authority to every signer (CAdES-T).

With --raw (no --cert) the signature is the bare GOST R 34.10-2012 value
BE(s) || BE(r) over the file's Streebog hash (Streebog-512 for 512-bit keys),
exactly what 'openssl dgst -md_gost12_256 -sign key.pem' writes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.key == "" || f.in == "" || f.out == "" {
				return errors.New("sign needs --key, --in and --out")
			}
			if f.raw {
				if f.cert != "" || f.attached || f.addTo != "" || f.tsa != "" {
					return errors.New("sign --raw makes a bare signature value: --cert, --attached, --add-to and --tsa do not apply")
				}
				return signRaw(cmd, f)
			}
			return signCMS(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.raw, "raw", false, "write a bare signature value, not CMS")
	fl.StringVar(&f.key, "key", "", "private key: a PKCS#8 file or a pkcs11: URI")
	fl.StringVar(&f.cert, "cert", "", "signer's certificate file (PEM or DER), optionally followed by its chain; a token key uses its certificate on the token by default")
	fl.StringVar(&f.in, "in", "", "file to sign (- for standard input)")
	fl.StringVar(&f.out, "out", "", "file to write the signature to")
	fl.BoolVar(&f.attached, "attached", false, "put the file inside the signature")
	fl.StringVar(&f.addTo, "add-to", "", "existing signature to add this signer to (co-signing)")
	fl.StringVar(&f.tsa, "tsa", "", "RFC 3161 timestamp authority URL: make CAdES-T")
	f.token.add(cmd)
	return cmd
}

func signRaw(cmd *cobra.Command, f signFlags) error {
	var key crypto.Signer
	if isTokenURI(f.key) {
		k, err := pkcs11.Open(cmd.Context(), f.key, f.token.options(cmd))
		if err != nil {
			return err
		}
		defer k.Close()
		key = k
	} else {
		k, err := softkey.LoadPrivateKey(f.key)
		if err != nil {
			return err
		}
		key = k
	}
	pub, ok := key.Public().(*gost3410.PublicKey)
	if !ok {
		return fmt.Errorf("sign --raw: %s is not a GOST R 34.10-2012 key", f.key)
	}
	h := pub.ParamSet().Hash()
	digest, err := hashFile(cmd.InOrStdin(), f.in, h)
	if err != nil {
		return err
	}
	sig, err := key.Sign(nil, digest, gost3410.SignerOpts{Hash: h})
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(f.out, sig, 0o644)
}

func isTokenURI(ref string) bool { return strings.HasPrefix(strings.ToLower(ref), "pkcs11:") }

func signCMS(cmd *cobra.Command, f signFlags) error {
	if f.cert == "" && !isTokenURI(f.key) {
		return errors.New("sign needs --cert (or --raw for a bare signature)")
	}
	topts := f.token.options(cmd)
	s, err := sign.Open(cmd.Context(), f.key, sign.Options{CertFile: f.cert, PIN: topts.PIN, Module: topts.Module})
	if err != nil {
		return err
	}
	defer s.Close()
	cfg := cms.SignerConfig{Signer: s, Certificate: s.Certificate(), Chain: s.Chain()}
	content, closeIn, err := openInput(cmd.InOrStdin(), f.in)
	if err != nil {
		return err
	}
	defer closeIn()
	var out []byte
	if f.addTo != "" {
		existing, err := os.ReadFile(f.addTo)
		if err != nil {
			return err
		}
		sd, err := cms.Parse(existing)
		if err != nil {
			return fmt.Errorf("%s: %w", f.addTo, err)
		}
		if !sd.Detached {
			// The content is inside: check it is the file given, then co-sign.
			given, err := io.ReadAll(content)
			if err != nil {
				return err
			}
			if !bytes.Equal(given, sd.Content) {
				return fmt.Errorf("%s holds other content than %s", f.addTo, f.in)
			}
			content = nil
		}
		out, err = cms.AddSigner(existing, content, cfg)
		if err != nil {
			return err
		}
	} else {
		out, err = cms.Sign(content, cfg, cms.SignOptions{Detached: !f.attached})
		if err != nil {
			return err
		}
	}
	if f.tsa != "" {
		if out, err = cms.AddTimestamp(cmd.Context(), out, &tsp.Client{URL: f.tsa}); err != nil {
			return err
		}
	}
	return atomicfile.WriteFile(f.out, out, 0o644)
}

// openInput opens a file, or stdin for "-".
func openInput(stdin io.Reader, name string) (io.Reader, func(), error) {
	if name == "-" {
		return stdin, func() {}, nil
	}
	fh, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return fh, func() { fh.Close() }, nil
}

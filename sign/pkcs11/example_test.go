package pkcs11_test

import (
	"bytes"
	"context"
	"crypto"
	"fmt"
	"os"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/sign"
	"github.com/podpis/podpis/sign/pkcs11"
)

// A token key is what the rest of podpis signs with.
var (
	_ sign.Signer          = (*pkcs11.Key)(nil)
	_ crypto.MessageSigner = (*pkcs11.Key)(nil)
)

// Open a key on a Rutoken by label, with the PIN from a file, and make a
// detached CMS signature with the certificate stored beside it.
func Example() {
	ctx := context.Background()
	key, err := pkcs11.Open(ctx, "pkcs11:token=Rutoken%20ECP;object=signing?module-name=rtpkcs11ecp",
		pkcs11.Options{PIN: pkcs11.PINFile("/run/secrets/token-pin")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err) // e.g. `pkcs11: PIN incorrect for token "Rutoken ECP": 1 attempt left — …`
		return
	}
	defer key.Close()
	sig, err := cms.Sign(bytes.NewReader([]byte("document")),
		cms.SignerConfig{Signer: key, Certificate: key.Certificate(), Chain: key.Chain()},
		cms.SignOptions{Detached: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	os.WriteFile("document.sig", sig, 0o644)
}

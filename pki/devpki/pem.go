package devpki

import (
	"encoding/pem"
	"fmt"
	"os"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/internal/atomicfile"
)

func pemCert(der []byte) []byte { return pemBlock("CERTIFICATE", der) }

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// pemBytes returns the first PEM block's bytes, or data itself when it is not PEM.
func pemBytes(data []byte) []byte {
	if b, _ := pem.Decode(data); b != nil {
		return b.Bytes
	}
	return data
}

// privateKeyType is the PEM type of an unencrypted PKCS#8 key (RFC 7468
// §10), as OpenSSL's GOST engine writes it (FACTS §4.2).
const privateKeyType = "PRIVATE KEY"

// saveKey writes k to path as PKCS#8 "PRIVATE KEY" PEM, mode 0600,
// atomically. devpki does this itself, not through sign/softkey: pki is
// below sign (DESIGN.md), and the format is one PEM block.
func saveKey(path string, k *gost3410.PrivateKey) error {
	der, err := gost3410.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, pemBlock(privateKeyType, der), 0o600)
}

// loadKey reads a key saveKey wrote (or OpenSSL: PKCS#8 PEM or DER).
func loadKey(path string) (*gost3410.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	der := data
	if b, _ := pem.Decode(data); b != nil {
		if b.Type != privateKeyType {
			return nil, fmt.Errorf("%s: found PEM %q, want %q", path, b.Type, privateKeyType)
		}
		der = b.Bytes
	}
	k, err := gost3410.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

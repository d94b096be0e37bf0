// Package softkey reads and writes GOST R 34.10-2012 keys kept in files:
// PKCS#8 "PRIVATE KEY" and SubjectPublicKeyInfo "PUBLIC KEY" PEM (RFC 7468),
// byte for byte as OpenSSL's GOST engine writes them (shared spec: FACTS
// §4.1–4.2). Such keys are for servers, tests and the demo; people keep their
// qualified keys on tokens (package sign/pkcs11).
//
// Security: a private key file is written with mode 0600, atomically (a
// temporary file renamed into place), and error messages never include key
// material.
package softkey

import (
	"bytes"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/internal/atomicfile"
)

// PEM block types (RFC 7468 §10, §13).
const (
	privateKeyType = "PRIVATE KEY"
	publicKeyType  = "PUBLIC KEY"
)

// ParsePrivateKey reads a private key from PEM ("PRIVATE KEY", the first such
// block) or from DER PKCS#8.
func ParsePrivateKey(data []byte) (*gost3410.PrivateKey, error) {
	der, err := pemOrDER(data, privateKeyType)
	if err != nil {
		return nil, err
	}
	return gost3410.ParsePKCS8PrivateKey(der)
}

// ParsePublicKey reads a public key from PEM ("PUBLIC KEY") or DER
// SubjectPublicKeyInfo.
func ParsePublicKey(data []byte) (*gost3410.PublicKey, error) {
	der, err := pemOrDER(data, publicKeyType)
	if err != nil {
		return nil, err
	}
	return gost3410.ParsePKIXPublicKey(der)
}

func pemOrDER(data []byte, want string) ([]byte, error) {
	rest := data
	found := []string{}
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type == want {
			return block.Bytes, nil
		}
		found = append(found, block.Type)
	}
	switch {
	case len(found) > 0 && found[0] == "ENCRYPTED PRIVATE KEY":
		return nil, errors.New("softkey: encrypted private keys are not supported; decrypt it first (openssl pkey -engine gost)")
	case len(found) > 0:
		return nil, fmt.Errorf("softkey: found PEM %q, want %q", found[0], want)
	case len(data) > 0 && data[0] == 0x30:
		return data, nil // DER
	case bytes.Contains(data, []byte("-----BEGIN")):
		return nil, fmt.Errorf("softkey: malformed PEM, want %q", want)
	}
	return nil, fmt.Errorf("softkey: not a PEM or DER key, want %q", want)
}

// MarshalPrivateKeyPEM returns k as a PKCS#8 "PRIVATE KEY" PEM block.
func MarshalPrivateKeyPEM(k *gost3410.PrivateKey) ([]byte, error) {
	der, err := gost3410.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: privateKeyType, Bytes: der}), nil
}

// MarshalPublicKeyPEM returns pub as a "PUBLIC KEY" PEM block.
func MarshalPublicKeyPEM(pub *gost3410.PublicKey) ([]byte, error) {
	der, err := gost3410.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: publicKeyType, Bytes: der}), nil
}

// LoadPrivateKey reads a private key file (PEM or DER).
func LoadPrivateKey(path string) (*gost3410.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// LoadPublicKey reads a public key file (PEM or DER).
func LoadPublicKey(path string) (*gost3410.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParsePublicKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// SavePrivateKey writes k to path as PKCS#8 PEM with mode 0600, atomically.
func SavePrivateKey(path string, k *gost3410.PrivateKey) error {
	data, err := MarshalPrivateKeyPEM(k)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data, 0o600)
}

package form

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/pki"
)

// Signature is one electronic signature over the XML file, shown on the form
// as a stamp (FORMAT.md §14). The stamp's data come from the signer's
// certificate.
type Signature struct {
	// Certificate is the signer's certificate (required): its serial
	// number, owner and validity period go on the stamp.
	Certificate *pki.Certificate
	// SigningTime is when the file was signed: the signature timestamp's
	// genTime (CAdES-T) or the signingTime attribute; zero leaves it off.
	SigningTime time.Time
	// Timestamped reports that SigningTime comes from a verified signature
	// timestamp rather than the signer's own clock.
	Timestamped bool
	// File and FileName are the detached signature file the signature came
	// from, embedded with Options.Attach. Co-signers of one file share it;
	// it is embedded once.
	File     []byte
	FileName string
}

// ErrSignature is returned (wrapped) by Signatures for a signature file
// that does not sign the XML given.
var ErrSignature = errors.New("the signature does not sign this XML")

// Signatures reads a detached CMS signature file (FORMAT.md §8.1: DER, PEM or
// Base64, CAdES-BES or -T) and checks with package cms that every signer
// signed exactly raw, so that no stamp on a form claims a signature over
// other bytes. It returns one Signature per signer; name is the file's name
// for messages, and its base name names the attachment (Options.Attach). It does not check trust, the chain, revocation or
// whether the signer may sign for the principal: that is `podpis mchd
// check` (FORMAT.md §8.3), and the form says nothing about it.
func Signatures(sig, raw []byte, name string) ([]Signature, error) {
	res, err := cms.Verify(sig, cms.VerifyOptions{Content: bytes.NewReader(raw)})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(res.Signers) == 0 {
		return nil, fmt.Errorf("%s: %w: it has no signers", name, ErrSignature)
	}
	if !res.SignedData.Detached {
		return nil, fmt.Errorf("%s: %w: it is not a detached signature (FORMAT.md §8.1)", name, ErrSignature)
	}
	var out []Signature
	for _, s := range res.Signers {
		if s.Code != cms.OK {
			return nil, fmt.Errorf("%s: %w: signer %d: %s (%s)", name, ErrSignature, s.Index+1, s.Code, s.Detail)
		}
		o := Signature{Certificate: s.Certificate, SigningTime: s.Attributes.SigningTime, File: sig, FileName: filepath.Base(name)}
		for _, ts := range s.Timestamps {
			if ts.Code == cms.OK {
				o.SigningTime, o.Timestamped = ts.GenTime, true
				break
			}
		}
		out = append(out, o)
	}
	return out, nil
}

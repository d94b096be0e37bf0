package cms

import (
	"errors"
	"fmt"

	"github.com/podpis/podpis/pki"
)

// SignDigest makes a detached CAdES-BES SignedData, exactly as Sign with
// SignOptions.Detached does, over content that the caller has already
// hashed: digest is the content's digest in wire order (what a hash.Hash's
// Sum returns, FACTS §1) with the algorithm Sign would use for the key —
// Streebog-256 for a 256-bit GOST key, Streebog-512 for a 512-bit one,
// SHA-256/384/512 for the others (digestForKey). It goes into messageDigest
// (RFC 5652 §11.2) unchanged, so the result verifies against the content
// whose digest it is.
//
// It is for a signer that never sees the content: tokend signs a digest that
// a portal's server computed over a document too large to pass through the
// browser (issue 9, "sign … over a server-computed digest"). opts.Detached
// must be set: an attached signature needs the content itself.
//
// Security: the signer vouches for a document it cannot see. Whoever calls
// SignDigest must show the person what the digest stands for (tokend shows a
// fingerprint of it that the portal shows too).
func SignDigest(digest []byte, cfg SignerConfig, opts SignOptions) ([]byte, error) {
	if !opts.Detached {
		return nil, errors.New("cms: SignDigest makes detached signatures only (set SignOptions.Detached)")
	}
	digestAlg, err := checkConfig(cfg)
	if err != nil {
		return nil, err
	}
	h, _ := pki.HashByOID(digestAlg)
	if size := h().Size(); len(digest) != size {
		return nil, fmt.Errorf("cms: the digest is %d bytes; the key's digest algorithm %v makes %d", len(digest), digestAlg, size)
	}
	ct := opts.ContentType
	if ct == nil {
		ct = OIDData
	}
	si, err := signerInfo(cfg, ct, digestAlg, append([]byte(nil), digest...))
	if err != nil {
		return nil, err
	}
	encap, err := marshalEncap(ct, nil, true)
	if err != nil {
		return nil, err
	}
	p := &parts{
		contentType: ct,
		digestAlgs:  [][]byte{marshalAlgorithm(digestAlg)},
		encap:       encap,
		signers:     [][]byte{si},
	}
	if !opts.NoCertificates {
		p.addCertificates(cfg)
	}
	return p.marshal()
}

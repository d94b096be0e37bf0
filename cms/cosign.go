package cms

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
)

// AddSigner adds a signer to an existing SignedData (co-signing, a "parallel"
// signature in CryptoPro's terms) and returns the new DER ContentInfo.
//
// Every existing SignerInfo is copied byte for byte, so the signatures
// already there stay valid; the new SignerInfo is made as Sign makes one.
// digestAlgorithms and certificates are extended with what the new signer
// needs and re-sorted; CRLs and the encapsulated content are copied. The
// signerInfos SET OF is sorted too, as DER requires: position in the file
// says nothing about who signed first (signingTime does).
//
// content is the detached content (nil for an attached signature), read
// once. Before signing, AddSigner checks it against the messageDigest of
// every existing signer whose digest it can compute, and refuses to co-sign
// content that another signer did not sign. A BER input comes out as DER;
// its SignerInfos, whose signatures cover DER signed attributes, keep their
// meaning (package internal/ber copies DER parts unchanged).
func AddSigner(existing []byte, content io.Reader, cfg SignerConfig) ([]byte, error) {
	sd, err := Parse(existing)
	if err != nil {
		return nil, err
	}
	if sd.Detached == (content == nil) {
		if sd.Detached {
			return nil, errors.New("cms: the signature is detached: AddSigner needs its content")
		}
		return nil, errors.New("cms: the signature carries its content: AddSigner takes none")
	}
	digestAlg, err := checkConfig(cfg)
	if err != nil {
		return nil, err
	}
	signers := sd.Signers
	sd.Signers = append(signers[:len(signers):len(signers)], &SignerInfo{DigestAlgorithm: algorithmID(digestAlg)})
	digests, err := sd.contentDigests(VerifyOptions{Content: content})
	sd.Signers = signers
	if err != nil {
		return nil, err
	}
	for i, si := range signers {
		if si.Err != nil || si.SignedAttrs == nil {
			continue
		}
		d, ok := digests[si.DigestAlgorithm.Algorithm.String()]
		attrs, err := decodeSignedAttributes(si.SignedAttrs)
		if !ok || err != nil {
			continue
		}
		if subtle.ConstantTimeCompare(d, attrs.MessageDigest) != 1 {
			return nil, fmt.Errorf("cms: the content differs from what signer %d signed", i)
		}
	}
	si, err := signerInfo(cfg, sd.ContentType, digestAlg, digests[digestAlg.String()])
	if err != nil {
		return nil, err
	}
	p := &parts{
		contentType: sd.ContentType,
		encap:       sd.rawEncap,
		certs:       sd.RawCertificates,
		crls:        sd.rawCRLs,
	}
	p.digestAlgs = sd.rawDigestAlgs
	known := false
	for _, a := range sd.DigestAlgorithms {
		known = known || a.Algorithm.Equal(digestAlg)
	}
	if !known {
		p.digestAlgs = append(p.digestAlgs[:len(p.digestAlgs):len(p.digestAlgs)], marshalAlgorithm(digestAlg))
	}
	p.certs = p.certs[:len(p.certs):len(p.certs)]
	p.addCertificates(cfg)
	for _, s := range signers {
		p.signers = append(p.signers, s.Raw)
	}
	p.signers = append(p.signers, si)
	out, err := p.marshal()
	if err != nil {
		return nil, err
	}
	// The promise of this function, checked: every old SignerInfo is in the
	// output unchanged.
	for i, s := range signers {
		if !bytes.Contains(out, s.Raw) {
			return nil, fmt.Errorf("cms: internal error: signer %d changed", i)
		}
	}
	return out, nil
}

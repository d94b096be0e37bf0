package cms

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
)

// SignerConfig is one signer: a key, its certificate and what else to embed.
type SignerConfig struct {
	// Signer is the private key: a gost3410.PrivateKey, a token key, or an
	// RSA/ECDSA/Ed25519 key. Its public key must be Certificate's.
	Signer crypto.Signer
	// Certificate is the signer's certificate; it is always embedded and
	// named in signingCertificateV2.
	Certificate *pki.Certificate
	// Chain are more certificates to embed (intermediates, the root); they
	// are not checked here.
	Chain []*pki.Certificate
	// SigningTime goes into the signingTime attribute; the zero value means
	// the current time.
	SigningTime time.Time
	// Rand is the randomness for the signature; nil means crypto/rand.
	Rand io.Reader
}

// SignOptions shape the SignedData. The zero value makes an attached
// signature over id-data content.
type SignOptions struct {
	// Detached leaves the content out of the SignedData (eContent absent).
	Detached bool
	// ContentType is the eContentType; nil means id-data. Package tsp signs
	// TSTInfo with id-ct-TSTInfo.
	ContentType asn1.ObjectIdentifier
	// NoCertificates leaves the certificates field out, even the signer's
	// (an RFC 3161 TSA answering a request without certReq, §2.4.2).
	NoCertificates bool
}

// Sign makes a CAdES-BES SignedData (RFC 5652 §5, ETSI EN 319 122-1 §5)
// over content, read once to its end, and returns the DER ContentInfo.
//
// The SignerInfo is version 1 with issuerAndSerialNumber. Its signed
// attributes are contentType, signingTime, messageDigest and
// signingCertificateV2 (RFC 5035: the hash of the DER certificate, with
// issuerSerial; Streebog-256 for GOST keys, written explicitly, FACTS §4.5;
// the DEFAULT SHA-256 otherwise), DER-sorted as a SET OF. The digest follows
// the key (see digestForKey); signatureAlgorithm and parameters are as
// documented in algorithms.go. digestAlgorithms and certificates are DER
// SET OF, sorted.
//
// A detached signature streams content through the hash: a file of any size
// costs a few kilobytes of memory. An attached one holds it, since it is
// written into the result.
func Sign(content io.Reader, cfg SignerConfig, opts SignOptions) ([]byte, error) {
	if content == nil {
		return nil, errors.New("cms: Sign needs content")
	}
	ct := opts.ContentType
	if ct == nil {
		ct = OIDData
	}
	digestAlg, err := checkConfig(cfg)
	if err != nil {
		return nil, err
	}
	h, _ := pki.HashByOID(digestAlg)
	d := h()
	var body []byte
	if opts.Detached {
		if _, err := io.Copy(d, content); err != nil {
			return nil, fmt.Errorf("cms: reading the content: %w", err)
		}
	} else {
		var buf bytes.Buffer
		if _, err := io.Copy(io.MultiWriter(d, &buf), content); err != nil {
			return nil, fmt.Errorf("cms: reading the content: %w", err)
		}
		body = buf.Bytes()
	}
	si, err := signerInfo(cfg, ct, digestAlg, d.Sum(nil))
	if err != nil {
		return nil, err
	}
	encap, err := marshalEncap(ct, body, opts.Detached)
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

// checkConfig checks a SignerConfig and returns the digest its key uses.
func checkConfig(cfg SignerConfig) (asn1.ObjectIdentifier, error) {
	if cfg.Signer == nil || cfg.Certificate == nil {
		return nil, errors.New("cms: SignerConfig needs a Signer and its Certificate")
	}
	pub := cfg.Signer.Public()
	eq, ok := pub.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || cfg.Certificate.PublicKey == nil || !eq.Equal(cfg.Certificate.PublicKey) {
		return nil, fmt.Errorf("cms: the signer's key is not the key of certificate %q", cfg.Certificate.Subject.CommonName)
	}
	return digestForKey(pub)
}

// signerInfo builds and signs the DER SignerInfo for content of type ct
// whose digestAlg digest is digest.
func signerInfo(cfg SignerConfig, ct, digestAlg asn1.ObjectIdentifier, digest []byte) ([]byte, error) {
	attrs, err := signedAttributes(cfg, ct, digest)
	if err != nil {
		return nil, err
	}
	return signerInfoWithAttrs(cfg, digestAlg, attrs)
}

// signerInfoWithAttrs signs the DER attributes attrs (sorted here) and
// returns the DER SignerInfo.
func signerInfoWithAttrs(cfg SignerConfig, digestAlg asn1.ObjectIdentifier, attrs [][]byte) ([]byte, error) {
	var set cryptobyte.Builder
	addSet(&set, cbasn1.SET, attrs)
	signed, err := set.Bytes()
	if err != nil {
		return nil, fmt.Errorf("cms: encoding signed attributes: %w", err)
	}
	sig, pkiAlg, gotDigest, err := pki.Sign(cfg.Rand, cfg.Signer, signed)
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	if !gotDigest.Equal(digestAlg) {
		return nil, fmt.Errorf("cms: internal error: pki.Sign used %v, the content was hashed with %v", gotDigest, digestAlg)
	}
	sigAlg := signatureAlgorithmFor(cfg.Signer.Public(), pkiAlg)
	cert := cfg.Certificate
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // issuerAndSerialNumber
			b.AddBytes(cert.RawIssuer)
			b.AddASN1BigInt(cert.SerialNumber)
		})
		b.AddBytes(marshalAlgorithm(digestAlg))
		// The signed attributes again, under [0] IMPLICIT: the same bytes
		// with the first octet changed (RFC 5652 §5.4).
		b.AddBytes(append([]byte{0xa0}, signed[1:]...))
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(sigAlg.Algorithm)
			if len(sigAlg.Parameters.FullBytes) > 0 {
				b.AddBytes(sigAlg.Parameters.FullBytes)
			}
		})
		b.AddASN1OctetString(sig)
	})
	return b.Bytes()
}

// signedAttributes returns the DER Attributes of a CAdES-BES signer, unsorted.
func signedAttributes(cfg SignerConfig, ct asn1.ObjectIdentifier, digest []byte) ([][]byte, error) {
	when := cfg.SigningTime
	if when.IsZero() {
		when = time.Now()
	}
	essHash := pki.OIDSHA256
	if _, gost := cfg.Signer.Public().(*gost3410.PublicKey); gost {
		essHash = pki.OIDStreebog256
	}
	ess, err := marshalSigningCertificateV2(cfg.Certificate, essHash)
	if err != nil {
		return nil, err
	}
	var vals [3]cryptobyte.Builder
	vals[0].AddASN1ObjectIdentifier(ct)
	addTime(&vals[1], when)
	vals[2].AddASN1OctetString(digest)
	var out [][]byte
	for i, oid := range []asn1.ObjectIdentifier{OIDAttrContentType, OIDAttrSigningTime, OIDAttrMessageDigest} {
		v, err := vals[i].Bytes()
		if err != nil {
			return nil, fmt.Errorf("cms: encoding attribute %v: %w", oid, err)
		}
		a, err := marshalAttribute(oid, v)
		if err != nil {
			return nil, fmt.Errorf("cms: encoding attribute %v: %w", oid, err)
		}
		out = append(out, a)
	}
	a, err := marshalAttribute(OIDAttrSigningCertificateV2, ess)
	if err != nil {
		return nil, fmt.Errorf("cms: encoding signingCertificateV2: %w", err)
	}
	return append(out, a), nil
}

// marshalAlgorithm returns AlgorithmIdentifier { oid } with parameters absent.
func marshalAlgorithm(oid asn1.ObjectIdentifier) []byte {
	var b cryptobyte.Builder
	addAlgorithm(&b, oid, false)
	out, err := b.Bytes()
	if err != nil {
		panic("cms: internal error: " + err.Error()) // only podpis' own OIDs come here
	}
	return out
}

// marshalEncap returns EncapsulatedContentInfo { ct, [0] EXPLICIT OCTET STRING }.
func marshalEncap(ct asn1.ObjectIdentifier, content []byte, detached bool) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(ct)
		if !detached {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1OctetString(content)
			})
		}
	})
	return b.Bytes()
}

// parts are the elements of a SignedData being written; each is DER.
type parts struct {
	contentType asn1.ObjectIdentifier
	digestAlgs  [][]byte
	encap       []byte
	certs       [][]byte
	crls        [][]byte
	signers     [][]byte
}

// addCertificates adds the signer's certificate and chain, skipping any
// already present.
func (p *parts) addCertificates(cfg SignerConfig) {
	for _, c := range append([]*pki.Certificate{cfg.Certificate}, cfg.Chain...) {
		if c == nil {
			continue
		}
		present := false
		for _, have := range p.certs {
			present = present || bytes.Equal(have, c.Raw)
		}
		if !present {
			p.certs = append(p.certs, c.Raw)
		}
	}
}

// version returns the SignedData version RFC 5652 §5.1 prescribes.
func (p *parts) version() int64 {
	v := int64(1)
	raise := func(n int64) { v = max(v, n) }
	for _, c := range p.certs {
		switch c[0] {
		case 0xa3: // other
			raise(5)
		case 0xa2: // v2AttrCert
			raise(4)
		case 0xa1: // v1AttrCert
			raise(3)
		}
	}
	for _, c := range p.crls {
		if c[0] == 0xa1 { // other revocation info
			raise(5)
		}
	}
	for _, s := range p.signers {
		if si := parseSignerInfo(s); si.Err == nil && si.Version == 3 {
			raise(3)
		}
	}
	if !p.contentType.Equal(OIDData) {
		raise(3)
	}
	return v
}

// marshal writes the ContentInfo, every SET OF sorted (X.690 §11.6).
func (p *parts) marshal() ([]byte, error) {
	version := p.version()
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(OIDSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(version)
				addSet(b, cbasn1.SET, p.digestAlgs)
				b.AddBytes(p.encap)
				if len(p.certs) > 0 {
					addSet(b, cbasn1.Tag(0).Constructed().ContextSpecific(), p.certs)
				}
				if len(p.crls) > 0 {
					addSet(b, cbasn1.Tag(1).Constructed().ContextSpecific(), p.crls)
				}
				addSet(b, cbasn1.SET, p.signers)
			})
		})
	})
	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("cms: encoding SignedData: %w", err)
	}
	return out, nil
}

// hashAll returns new hashes for the given digest OIDs, by dotted OID,
// skipping those podpis does not compute.
func hashAll(oids []asn1.ObjectIdentifier) map[string]hash.Hash {
	out := map[string]hash.Hash{}
	for _, o := range oids {
		if h, ok := pki.HashByOID(o); ok {
			out[o.String()] = h()
		}
	}
	return out
}

package gost3410

import (
	"encoding/asn1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Object identifiers of the key and digest algorithms (FACTS §4.1, §1.3).
var (
	oidKey256       = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1} // id-tc26-gost3410-12-256
	oidKey512       = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2} // id-tc26-gost3410-12-512
	oidStreebog256  = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2} // id-tc26-gost3411-12-256
	oidStreebog512  = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3} // id-tc26-gost3411-12-512
	oidKeyGOST2001  = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19}      // id-GostR3410-2001
	oidAgreement256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 6, 1} // id-tc26-agreement-gost-3410-12-256
	oidAgreement512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 6, 2} // id-tc26-agreement-gost-3410-12-512
)

// KeyAlgorithmOID returns the key algorithm identifier of keys on ps:
// id-tc26-gost3410-12-256 or id-tc26-gost3410-12-512.
func (ps *ParamSet) KeyAlgorithmOID() asn1.ObjectIdentifier {
	if ps.size == 64 {
		return append(asn1.ObjectIdentifier(nil), oidKey512...)
	}
	return append(asn1.ObjectIdentifier(nil), oidKey256...)
}

// DigestOID returns the identifier of h.
func (h Hash) OID() asn1.ObjectIdentifier {
	if h == Streebog512 {
		return append(asn1.ObjectIdentifier(nil), oidStreebog512...)
	}
	return append(asn1.ObjectIdentifier(nil), oidStreebog256...)
}

// addAlgorithm writes the AlgorithmIdentifier of keys on ps as OpenSSL's GOST
// engine does (FACTS §4.1): parameters are SEQUENCE { publicKeyParamSet,
// digestParamSet } where the engine writes the digest, else the set alone.
func addAlgorithm(b *cryptobyte.Builder, ps *ParamSet) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(ps.KeyAlgorithmOID())
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(ps.oid)
			if ps.digest {
				b.AddASN1ObjectIdentifier(ps.Hash().OID())
			}
		})
	})
}

// readAlgorithm reads a GOST key AlgorithmIdentifier and returns its
// parameter set. It accepts the digestParamSet present or absent (FACTS §4.1:
// producers differ) and an encryptionParamSet after it, and checks that the
// key algorithm, the set and the digest agree on the key size.
func readAlgorithm(s *cryptobyte.String) (*ParamSet, error) {
	var alg, params cryptobyte.String
	var keyOID, setOID asn1.ObjectIdentifier
	if !s.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&keyOID) {
		return nil, errors.New("malformed algorithm identifier")
	}
	size := 0
	switch {
	case keyOID.Equal(oidKey256), keyOID.Equal(oidAgreement256):
		size = 32
	case keyOID.Equal(oidKey512), keyOID.Equal(oidAgreement512):
		size = 64
	case keyOID.Equal(oidKeyGOST2001):
		return nil, errors.New("GOST R 34.10-2001 keys (OID 1.2.643.2.2.19) are not supported, only GOST R 34.10-2012")
	default:
		return nil, fmt.Errorf("key algorithm %v is not GOST R 34.10-2012", keyOID)
	}
	if !alg.ReadASN1(&params, cbasn1.SEQUENCE) || !alg.Empty() || !params.ReadASN1ObjectIdentifier(&setOID) {
		return nil, errors.New("malformed GOST key parameters")
	}
	ps := ParamSetByOID(setOID)
	if ps == nil {
		return nil, fmt.Errorf("unknown GOST parameter set %v", setOID)
	}
	if ps.size != size {
		return nil, fmt.Errorf("parameter set %s does not fit key algorithm %v", ps.name, keyOID)
	}
	if params.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) {
		var digestOID asn1.ObjectIdentifier
		if !params.ReadASN1ObjectIdentifier(&digestOID) {
			return nil, errors.New("malformed digest parameter set")
		}
		if !digestOID.Equal(ps.Hash().OID()) {
			return nil, fmt.Errorf("digest parameter set %v does not fit a %d-bit key", digestOID, 8*size)
		}
	}
	// An optional encryptionParamSet (GOST 28147-89 parameters) may follow; it
	// does not concern signatures.
	if !params.Empty() && (!params.SkipASN1(cbasn1.OBJECT_IDENTIFIER) || !params.Empty()) {
		return nil, errors.New("malformed GOST key parameters")
	}
	return ps, nil
}

// MarshalPKIXPublicKey returns the DER SubjectPublicKeyInfo of pub, byte for
// byte as OpenSSL's GOST engine writes it (FACTS §4.1): the BIT STRING holds a
// DER OCTET STRING with LE(x) ‖ LE(y).
func MarshalPKIXPublicKey(pub *PublicKey) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addAlgorithm(b, pub.ps)
		b.AddASN1BitString(octetString(pub.Bytes()))
	})
	return b.Bytes()
}

// ParsePKIXPublicKey parses a DER SubjectPublicKeyInfo holding a GOST R
// 34.10-2012 key and checks that the point is on the curve.
func ParsePKIXPublicKey(der []byte) (*PublicKey, error) {
	in := cryptobyte.String(der)
	var spki cryptobyte.String
	var bits asn1.BitString
	if !in.ReadASN1(&spki, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errors.New("gost3410: public key is not a DER SubjectPublicKeyInfo")
	}
	ps, err := readAlgorithm(&spki)
	if err != nil {
		return nil, fmt.Errorf("gost3410: public key: %w", err)
	}
	if !spki.ReadASN1BitString(&bits) || !spki.Empty() || bits.BitLength%8 != 0 {
		return nil, errors.New("gost3410: public key: malformed subjectPublicKey")
	}
	inner := cryptobyte.String(bits.Bytes)
	var raw cryptobyte.String
	if !inner.ReadASN1(&raw, cbasn1.OCTET_STRING) || !inner.Empty() {
		return nil, errors.New("gost3410: public key: subjectPublicKey is not an OCTET STRING")
	}
	return NewPublicKey(ps, raw)
}

// MarshalPKCS8PrivateKey returns the DER PKCS#8 PrivateKeyInfo of k, byte for
// byte as OpenSSL's GOST engine writes it (FACTS §4.2): version 0, the same
// algorithm identifier as the public key, and LE(d) as the OCTET STRING's
// content.
func MarshalPKCS8PrivateKey(k *PrivateKey) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		addAlgorithm(b, k.pub.ps)
		b.AddASN1OctetString(k.Bytes())
	})
	return b.Bytes()
}

// ParsePKCS8PrivateKey parses a DER PKCS#8 PrivateKeyInfo (or RFC 5958
// OneAsymmetricKey) holding a GOST R 34.10-2012 key. It reads every form of
// the key that OpenSSL's GOST engine reads (FACTS §4.2):
//
//   - raw LE(d), as OpenSSL writes it;
//   - a DER OCTET STRING around LE(d), as BouncyCastle writes it;
//   - a DER INTEGER d (big-endian), the engine's old form;
//   - masked keys, LE(d′) ‖ LE(m₁) ‖ … ‖ LE(mₖ), alone or as the first member of
//     SEQUENCE { masked OCTET STRING, public OCTET STRING }, where
//     d = d′·m₁·…·mₖ mod q; when the public key is present it must match.
func ParsePKCS8PrivateKey(der []byte) (*PrivateKey, error) {
	in := cryptobyte.String(der)
	var info, key cryptobyte.String
	var version int64
	if !in.ReadASN1(&info, cbasn1.SEQUENCE) || !in.Empty() || !info.ReadASN1Integer(&version) {
		return nil, errors.New("gost3410: private key is not a DER PKCS#8 PrivateKeyInfo")
	}
	if version != 0 && version != 1 {
		return nil, fmt.Errorf("gost3410: private key: unsupported PKCS#8 version %d", version)
	}
	ps, err := readAlgorithm(&info)
	if err != nil {
		return nil, fmt.Errorf("gost3410: private key: %w", err)
	}
	if !info.ReadASN1(&key, cbasn1.OCTET_STRING) {
		return nil, errors.New("gost3410: private key: malformed privateKey field")
	}
	// Attributes [0] and, in OneAsymmetricKey, publicKey [1] may follow; they
	// are not needed to use the key.
	k, err := parsePrivateKeyValue(ps, key)
	if err != nil {
		return nil, fmt.Errorf("gost3410: private key: %w", err)
	}
	return k, nil
}

func parsePrivateKeyValue(ps *ParamSet, v cryptobyte.String) (*PrivateKey, error) {
	n := ps.size
	if len(v) == n {
		return NewPrivateKey(ps, v)
	}
	// The DER forms are taken only when they parse completely: raw masked
	// bytes are random and may begin with any tag.
	if d, ok := integerForm(v, n); ok {
		return newPrivateKey(ps, d)
	}
	var wrapped, seq, masked, pub cryptobyte.String
	if w := v; w.ReadASN1(&wrapped, cbasn1.OCTET_STRING) && w.Empty() && len(wrapped) == n {
		return NewPrivateKey(ps, wrapped)
	}
	if w := v; w.ReadASN1(&seq, cbasn1.SEQUENCE) && w.Empty() &&
		seq.ReadASN1(&masked, cbasn1.OCTET_STRING) && seq.ReadASN1(&pub, cbasn1.OCTET_STRING) && seq.Empty() {
		k, err := unmask(ps, masked)
		if err != nil {
			return nil, err
		}
		if string(pub) != string(k.pub.Bytes()) {
			return nil, errors.New("masked private key does not match its public key")
		}
		return k, nil
	}
	if len(v) > n && len(v)%n == 0 {
		return unmask(ps, v)
	}
	return nil, fmt.Errorf("private key value of %d bytes is none of the known forms for %s", len(v), ps.name)
}

// integerForm reads the old form, a DER INTEGER d (big-endian), and returns d
// as n bytes.
func integerForm(v cryptobyte.String, n int) ([]byte, bool) {
	var raw cryptobyte.String
	if !v.ReadASN1(&raw, cbasn1.INTEGER) || !v.Empty() || len(raw) == 0 || raw[0]&0x80 != 0 {
		return nil, false
	}
	for len(raw) > n && raw[0] == 0 {
		raw = raw[1:]
	}
	if len(raw) > n {
		return nil, false
	}
	d := make([]byte, n)
	copy(d[n-len(raw):], raw)
	return d, true
}

// unmask computes d = d′·m₁·…·mₖ mod q from LE(d′) ‖ LE(m₁) ‖ … (FACTS §4.2).
// The product is taken in constant time.
func unmask(ps *ParamSet, v []byte) (*PrivateKey, error) {
	n := ps.size
	if len(v) < 2*n || len(v)%n != 0 {
		return nil, errors.New("masked private key has a bad length")
	}
	c := ps.curve()
	d := c.ReduceScalar(reversed(v[:n]))
	for i := n; i < len(v); i += n {
		d = c.MulScalar(d, c.ReduceScalar(reversed(v[i:i+n])))
	}
	return newPrivateKey(ps, d)
}

func octetString(content []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1OctetString(content)
	return b.BytesOrPanic()
}

package pki

import (
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Standard extension identifiers (RFC 5280 §4.2, §5.2).
var (
	oidExtSubjectKeyID   = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidExtKeyUsage       = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtBasicCons      = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidExtCRLNumber      = asn1.ObjectIdentifier{2, 5, 29, 20}
	oidExtReasonCode     = asn1.ObjectIdentifier{2, 5, 29, 21}
	oidExtCRLDP          = asn1.ObjectIdentifier{2, 5, 29, 31}
	oidExtPolicies       = asn1.ObjectIdentifier{2, 5, 29, 32}
	oidExtAuthorityKeyID = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidExtExtKeyUsage    = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidExtAIA            = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}
	oidAIAOCSP           = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1}
	oidAIACAIssuers      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 2}
	oidExtensionRequest  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 14} // PKCS#9, RFC 2985 §5.4.2
)

// extKeyUsageOIDs are the RFC 5280 §4.2.1.12 purposes crypto/x509 names.
var extKeyUsageOIDs = map[x509.ExtKeyUsage]asn1.ObjectIdentifier{
	x509.ExtKeyUsageAny:             {2, 5, 29, 37, 0},
	x509.ExtKeyUsageServerAuth:      {1, 3, 6, 1, 5, 5, 7, 3, 1},
	x509.ExtKeyUsageClientAuth:      {1, 3, 6, 1, 5, 5, 7, 3, 2},
	x509.ExtKeyUsageCodeSigning:     {1, 3, 6, 1, 5, 5, 7, 3, 3},
	x509.ExtKeyUsageEmailProtection: {1, 3, 6, 1, 5, 5, 7, 3, 4},
	x509.ExtKeyUsageTimeStamping:    {1, 3, 6, 1, 5, 5, 7, 3, 8},
	x509.ExtKeyUsageOCSPSigning:     {1, 3, 6, 1, 5, 5, 7, 3, 9},
}

// extensions collects extensions in the order they are added.
type extensions []pkix.Extension

func (e *extensions) add(id asn1.ObjectIdentifier, critical bool, build func(b *cryptobyte.Builder)) error {
	var b cryptobyte.Builder
	build(&b)
	v, err := b.Bytes()
	if err != nil {
		return fmt.Errorf("pki: extension %v: %w", id, err)
	}
	*e = append(*e, pkix.Extension{Id: id, Critical: critical, Value: v})
	return nil
}

// addKeyUsage writes keyUsage, critical (RFC 5280 §4.2.1.3), as a DER BIT
// STRING without trailing zero bits.
func (e *extensions) addKeyUsage(ku x509.KeyUsage) error {
	if ku == 0 {
		return nil
	}
	if ku >= 1<<9 {
		return fmt.Errorf("pki: unknown key usage bits %#x", int(ku))
	}
	// Bit i of ku is named bit i of the BIT STRING, counted from the
	// most significant bit of the first byte.
	var v [2]byte
	n := 0
	for i := 0; i < 9; i++ {
		if ku&(1<<i) != 0 {
			v[i/8] |= 0x80 >> (i % 8)
			n = i + 1
		}
	}
	nbytes := (n + 7) / 8
	unused := 8*nbytes - n
	return e.add(oidExtKeyUsage, true, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
			b.AddUint8(uint8(unused))
			b.AddBytes(v[:nbytes])
		})
	})
}

func (e *extensions) addExtKeyUsage(usages []x509.ExtKeyUsage, unknown []asn1.ObjectIdentifier) error {
	if len(usages) == 0 && len(unknown) == 0 {
		return nil
	}
	oids := make([]asn1.ObjectIdentifier, 0, len(usages)+len(unknown))
	for _, u := range usages {
		oid, ok := extKeyUsageOIDs[u]
		if !ok {
			return fmt.Errorf("pki: extended key usage %d is not supported; give its OID in UnknownExtKeyUsage", u)
		}
		oids = append(oids, oid)
	}
	oids = append(oids, unknown...)
	return e.add(oidExtExtKeyUsage, false, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, oid := range oids {
				b.AddASN1ObjectIdentifier(oid)
			}
		})
	})
}

// addBasicConstraints writes basicConstraints, critical, for a CA; a
// negative maxPathLen writes no pathLenConstraint.
func (e *extensions) addBasicConstraints(maxPathLen int) error {
	return e.add(oidExtBasicCons, true, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Boolean(true)
			if maxPathLen >= 0 {
				b.AddASN1Int64(int64(maxPathLen))
			}
		})
	})
}

func (e *extensions) addOctetString(id asn1.ObjectIdentifier, v []byte) error {
	if len(v) == 0 {
		return nil
	}
	return e.add(id, false, func(b *cryptobyte.Builder) { b.AddASN1OctetString(v) })
}

// addAuthorityKeyID writes authorityKeyIdentifier with keyIdentifier only
// (RFC 5280 §4.2.1.1).
func (e *extensions) addAuthorityKeyID(id []byte) error {
	if len(id) == 0 {
		return nil
	}
	return e.add(oidExtAuthorityKeyID, false, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(id) })
		})
	})
}

// addPolicies writes certificatePolicies with bare policy identifiers
// (RFC 5280 §4.2.1.4): the sign tool classes first, then the others.
func (e *extensions) addPolicies(classes []SignToolClass, others []asn1.ObjectIdentifier) error {
	oids := make([]asn1.ObjectIdentifier, 0, len(classes)+len(others))
	for _, k := range classes {
		if k < KC1 || k > KA1 {
			return fmt.Errorf("pki: unknown sign tool class %d", int(k))
		}
		oids = append(oids, k.OID())
	}
	oids = append(oids, others...)
	if len(oids) == 0 {
		return nil
	}
	return e.add(oidExtPolicies, false, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, oid := range oids {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid) })
			}
		})
	})
}

// addCRLDistributionPoints writes one DistributionPoint per URL with a
// fullName URI (RFC 5280 §4.2.1.13), as Russian CAs list mirrors.
func (e *extensions) addCRLDistributionPoints(urls []string) error {
	if len(urls) == 0 {
		return nil
	}
	return e.add(oidExtCRLDP, false, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, u := range urls {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // DistributionPoint
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { // distributionPoint
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { // fullName
							addURI(b, u)
						})
					})
				})
			}
		})
	})
}

// addAIA writes authorityInfoAccess (RFC 5280 §4.2.2.1).
func (e *extensions) addAIA(ocsp, caIssuers []string) error {
	if len(ocsp) == 0 && len(caIssuers) == 0 {
		return nil
	}
	return e.add(oidExtAIA, false, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, list := range []struct {
				method asn1.ObjectIdentifier
				urls   []string
			}{{oidAIAOCSP, ocsp}, {oidAIACAIssuers, caIssuers}} {
				for _, u := range list.urls {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(list.method)
						addURI(b, u)
					})
				}
			}
		})
	})
}

func addURI(b *cryptobyte.Builder, u string) {
	b.AddASN1(cbasn1.Tag(6).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte(u)) })
}

// addSubjectSignTool writes subjectSignTool as a UTF8String (FACTS §6.2).
func (e *extensions) addSubjectSignTool(s string) error {
	if s == "" {
		return nil
	}
	return e.add(oidSubjectSignTool, false, func(b *cryptobyte.Builder) { addString(b, kindUTF8, s) })
}

// addIssuerSignTool writes issuerSignTool as SEQUENCE of four UTF8Strings.
func (e *extensions) addIssuerSignTool(t *IssuerSignTool) error {
	if t == nil {
		return nil
	}
	return e.add(oidIssuerSignTool, false, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, s := range []string{t.SignTool, t.CATool, t.SignToolCert, t.CAToolCert} {
				addString(b, kindUTF8, s)
			}
		})
	})
}

// addIdentificationKind writes identificationKind as a bare INTEGER
// (RFC 9215 §8.3, FACTS §6.2).
func (e *extensions) addIdentificationKind(k *IdentificationKind) error {
	if k == nil {
		return nil
	}
	if *k < IdentifiedInPerson || *k > IdentifiedByBiometrySyst {
		return fmt.Errorf("pki: unknown identification kind %d", int(*k))
	}
	return e.add(oidIdentificationKind, false, func(b *cryptobyte.Builder) { b.AddASN1Int64(int64(*k)) })
}

// addPrivateKeyUsagePeriod writes privateKeyUsagePeriod with IMPLICIT
// GeneralizedTimes.
func (e *extensions) addPrivateKeyUsagePeriod(p *Period) error {
	if p == nil {
		return nil
	}
	if p.NotBefore.IsZero() && p.NotAfter.IsZero() {
		return errors.New("pki: privateKeyUsagePeriod with neither end")
	}
	return e.add(oidPrivateKeyUsagePeriod, false, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for i, t := range []time.Time{p.NotBefore, p.NotAfter} {
				if t.IsZero() {
					continue
				}
				b.AddASN1(cbasn1.Tag(i).ContextSpecific(), func(b *cryptobyte.Builder) {
					b.AddBytes([]byte(t.UTC().Format("20060102150405Z")))
				})
			}
		})
	})
}

// marshalExtensions writes SEQUENCE OF Extension, refusing duplicates
// (RFC 5280 §4.2: a certificate must not include an extension twice) by
// setting b's error.
func marshalExtensions(b *cryptobyte.Builder, exts []pkix.Extension) {
	seen := map[string]bool{}
	for _, e := range exts {
		if seen[e.Id.String()] {
			b.SetError(fmt.Errorf("pki: extension %v given twice", e.Id))
			return
		}
		seen[e.Id.String()] = true
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, e := range exts {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(e.Id)
				if e.Critical {
					b.AddASN1Boolean(true)
				}
				b.AddASN1OctetString(e.Value)
			})
		}
	})
}

// keyIDOf computes the subject key identifier as OpenSSL and CryptoPro do:
// SHA-1 over the content of the SubjectPublicKeyInfo's BIT STRING (FACTS
// §4.4; RFC 5280 §4.2.1.2 method 1).
func keyIDOf(spki []byte) ([]byte, error) {
	s := cryptobyte.String(spki)
	var seq cryptobyte.String
	var bitString asn1.BitString
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.SkipASN1(cbasn1.SEQUENCE) || !seq.ReadASN1BitString(&bitString) {
		return nil, errors.New("pki: malformed SubjectPublicKeyInfo")
	}
	sum := sha1.Sum(bitString.Bytes)
	return sum[:], nil
}

// addAlgorithmIdentifier writes an AlgorithmIdentifier, with its parameters
// only when it has them (GOST: absent, FACTS §4.3).
func addAlgorithmIdentifier(b *cryptobyte.Builder, alg pkix.AlgorithmIdentifier) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(alg.Algorithm)
		if len(alg.Parameters.FullBytes) > 0 {
			b.AddBytes(alg.Parameters.FullBytes)
		}
	})
}

// addTime writes a certificate or CRL time: UTCTime through 2049,
// GeneralizedTime from 2050 (RFC 5280 §4.1.2.5, §5.1.2.4), in whole seconds.
func addTime(b *cryptobyte.Builder, t time.Time) {
	t = t.UTC().Truncate(time.Second)
	if t.Year() >= 1950 && t.Year() < 2050 {
		b.AddASN1UTCTime(t)
		return
	}
	b.AddASN1GeneralizedTime(t)
}

package cms

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/internal/ber"
)

// TSTInfo is the content of an RFC 3161 time-stamp token (§2.4.2):
//
//	TSTInfo ::= SEQUENCE {
//	    version        INTEGER { v1(1) },
//	    policy         TSAPolicyId,
//	    messageImprint MessageImprint,
//	    serialNumber   INTEGER,
//	    genTime        GeneralizedTime,
//	    accuracy       Accuracy OPTIONAL,
//	    ordering       BOOLEAN DEFAULT FALSE,
//	    nonce          INTEGER OPTIONAL,
//	    tsa            [0] GeneralName OPTIONAL,
//	    extensions     [1] IMPLICIT Extensions OPTIONAL }
type TSTInfo struct {
	Raw     []byte // the DER as parsed; ignored by Marshal
	Version int
	Policy  asn1.ObjectIdentifier
	// HashAlgorithm and HashedMessage are the messageImprint: the digest of
	// the time-stamped data (for CAdES-T, the SignerInfo's signature value).
	HashAlgorithm pkix.AlgorithmIdentifier
	HashedMessage []byte
	SerialNumber  *big.Int
	// GenTime is when the token was made, with the fraction of a second the
	// TSA wrote; Accuracy is its stated uncertainty (0 when absent).
	GenTime  time.Time
	Accuracy time.Duration
	Ordering bool
	Nonce    *big.Int // nil when absent
	// TSA is the DER GeneralName of the [0] tsa field, nil when absent.
	TSA        []byte
	Extensions []pkix.Extension
}

// ParseTSTInfo parses a TSTInfo, DER or BER.
func ParseTSTInfo(data []byte) (*TSTInfo, error) {
	der, err := ber.Normalize(data)
	if err != nil {
		return nil, fmt.Errorf("%w: TSTInfo: %w", ErrFormat, err)
	}
	bad := func(what string) error { return fmt.Errorf("%w: TSTInfo: %s", ErrFormat, what) }
	s := cryptobyte.String(der)
	var body, imprint, alg, hashed cryptobyte.String
	t := &TSTInfo{Raw: der, SerialNumber: new(big.Int)}
	var version int64
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, bad("not a SEQUENCE")
	}
	if !body.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) || version != 1 {
		return nil, bad("version is not 1")
	}
	t.Version = 1
	if !body.ReadASN1ObjectIdentifier(&t.Policy) {
		return nil, bad("bad policy")
	}
	if !body.ReadASN1(&imprint, cbasn1.SEQUENCE) || !imprint.ReadASN1Element(&alg, cbasn1.SEQUENCE) ||
		!imprint.ReadASN1(&hashed, cbasn1.OCTET_STRING) || !imprint.Empty() {
		return nil, bad("bad messageImprint")
	}
	var ok bool
	if t.HashAlgorithm, ok = parseAlgorithmIdentifier(alg); !ok {
		return nil, bad("bad messageImprint")
	}
	t.HashedMessage = hashed
	if !body.ReadASN1Integer(t.SerialNumber) {
		return nil, bad("bad serialNumber")
	}
	var gen cryptobyte.String
	if !body.ReadASN1(&gen, cbasn1.GeneralizedTime) {
		return nil, bad("bad genTime")
	}
	if t.GenTime, err = parseGeneralizedTime(gen); err != nil {
		return nil, bad("genTime: " + err.Error())
	}
	if body.PeekASN1Tag(cbasn1.SEQUENCE) {
		var acc cryptobyte.String
		if !body.ReadASN1(&acc, cbasn1.SEQUENCE) {
			return nil, bad("bad accuracy")
		}
		if t.Accuracy, err = parseAccuracy(acc); err != nil {
			return nil, bad(err.Error())
		}
	}
	if body.PeekASN1Tag(cbasn1.BOOLEAN) && !body.ReadASN1Boolean(&t.Ordering) {
		return nil, bad("bad ordering")
	}
	if body.PeekASN1Tag(cbasn1.INTEGER) {
		t.Nonce = new(big.Int)
		if !body.ReadASN1Integer(t.Nonce) {
			return nil, bad("bad nonce")
		}
	}
	if tag := cbasn1.Tag(0).Constructed().ContextSpecific(); body.PeekASN1Tag(tag) {
		var gn cryptobyte.String
		if !body.ReadASN1(&gn, tag) {
			return nil, bad("bad tsa")
		}
		t.TSA = gn
	}
	if tag := cbasn1.Tag(1).Constructed().ContextSpecific(); body.PeekASN1Tag(tag) {
		var exts cryptobyte.String
		if !body.ReadASN1Element(&exts, tag) {
			return nil, bad("bad extensions")
		}
		// [1] IMPLICIT SEQUENCE OF Extension: read as a SEQUENCE, on a copy.
		if rest, err := asn1.Unmarshal(append([]byte{0x30}, exts[1:]...), &t.Extensions); err != nil || len(rest) != 0 {
			return nil, bad("bad extensions")
		}
	}
	if !body.Empty() {
		return nil, bad("trailing data")
	}
	return t, nil
}

// parseAccuracy reads Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL,
// millis [0] INTEGER (1..999) OPTIONAL, micros [1] INTEGER (1..999) OPTIONAL }.
func parseAccuracy(s cryptobyte.String) (time.Duration, error) {
	var secs, millis, micros int64
	if s.PeekASN1Tag(cbasn1.INTEGER) && (!s.ReadASN1Int64WithTag(&secs, cbasn1.INTEGER) || secs < 0 || secs > 1<<32) {
		return 0, errors.New("bad accuracy seconds")
	}
	if tag := cbasn1.Tag(0).ContextSpecific(); s.PeekASN1Tag(tag) && (!s.ReadASN1Int64WithTag(&millis, tag) || millis < 1 || millis > 999) {
		return 0, errors.New("bad accuracy millis")
	}
	if tag := cbasn1.Tag(1).ContextSpecific(); s.PeekASN1Tag(tag) && (!s.ReadASN1Int64WithTag(&micros, tag) || micros < 1 || micros > 999) {
		return 0, errors.New("bad accuracy micros")
	}
	if !s.Empty() {
		return 0, errors.New("bad accuracy")
	}
	return time.Duration(secs)*time.Second + time.Duration(millis)*time.Millisecond + time.Duration(micros)*time.Microsecond, nil
}

// parseGeneralizedTime reads YYYYMMDDHHMMSS[.fff…]Z, the form RFC 3161
// §2.4.2 and RFC 5280 §4.1.2.5.2 allow: UTC, seconds present, a fraction
// without trailing zeros. (cryptobyte's reader refuses fractions.)
func parseGeneralizedTime(b []byte) (time.Time, error) {
	s := string(b)
	if len(s) < 15 || s[len(s)-1] != 'Z' {
		return time.Time{}, errors.New("not YYYYMMDDHHMMSS[.f]Z")
	}
	t, err := time.Parse("20060102150405", s[:14])
	if err != nil {
		return time.Time{}, err
	}
	frac := s[14 : len(s)-1]
	if frac == "" {
		return t, nil
	}
	if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 || frac[len(frac)-1] == '0' {
		return time.Time{}, errors.New("bad fraction of a second")
	}
	digits := frac[1:]
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return time.Time{}, errors.New("bad fraction of a second")
	}
	for i := len(digits); i < 9; i++ {
		n *= 10
	}
	return t.Add(time.Duration(n)), nil
}

// appendGeneralizedTime writes t in UTC as parseGeneralizedTime reads it.
func appendGeneralizedTime(t time.Time) []byte {
	t = t.UTC()
	out := []byte(t.Format("20060102150405"))
	if ns := t.Nanosecond(); ns != 0 {
		frac := []byte(fmt.Sprintf(".%09d", ns))
		for frac[len(frac)-1] == '0' {
			frac = frac[:len(frac)-1]
		}
		out = append(out, frac...)
	}
	return append(out, 'Z')
}

// Marshal returns the DER TSTInfo. Version is always 1; Raw is ignored.
func (t *TSTInfo) Marshal() ([]byte, error) {
	if t.SerialNumber == nil || t.Policy == nil || t.HashAlgorithm.Algorithm == nil {
		return nil, errors.New("cms: TSTInfo needs a policy, a message imprint and a serial number")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1ObjectIdentifier(t.Policy)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(t.HashAlgorithm.Algorithm)
				if len(t.HashAlgorithm.Parameters.FullBytes) > 0 {
					b.AddBytes(t.HashAlgorithm.Parameters.FullBytes)
				}
			})
			b.AddASN1OctetString(t.HashedMessage)
		})
		b.AddASN1BigInt(t.SerialNumber)
		b.AddASN1(cbasn1.GeneralizedTime, func(b *cryptobyte.Builder) { b.AddBytes(appendGeneralizedTime(t.GenTime)) })
		if a := t.Accuracy; a > 0 {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				if s := int64(a / time.Second); s > 0 {
					b.AddASN1Int64(s)
				}
				if ms := int64(a % time.Second / time.Millisecond); ms > 0 {
					b.AddASN1Int64WithTag(ms, cbasn1.Tag(0).ContextSpecific())
				}
				if us := int64(a % time.Millisecond / time.Microsecond); us > 0 {
					b.AddASN1Int64WithTag(us, cbasn1.Tag(1).ContextSpecific())
				}
			})
		}
		if t.Ordering {
			b.AddASN1Boolean(true)
		}
		if t.Nonce != nil {
			b.AddASN1BigInt(t.Nonce)
		}
		if t.TSA != nil {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(t.TSA) })
		}
		if len(t.Extensions) > 0 {
			exts, err := asn1.Marshal(t.Extensions)
			if err != nil {
				b.SetError(err)
				return
			}
			b.AddBytes(append([]byte{0xa1}, exts[1:]...))
		}
	})
	return b.Bytes()
}

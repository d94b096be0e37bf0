package ocsp

import (
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

func TestReadTime(t *testing.T) {
	for in, want := range map[string]time.Time{
		"20240716145151Z":     time.Date(2024, 7, 16, 14, 51, 51, 0, time.UTC),
		"20240716145151.25Z":  time.Date(2024, 7, 16, 14, 51, 51, 250_000_000, time.UTC),
		"20240716145151+0300": {},
		"20240716145151":      {},
		"2024071614Z":         {},
	} {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.GeneralizedTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte(in)) })
		s := cryptobyte.String(b.BytesOrPanic())
		var got time.Time
		ok := readTime(&s, &got)
		if ok != !want.IsZero() || !got.Equal(want) {
			t.Errorf("%s: %v %v, want %v", in, ok, got, want)
		}
	}
}

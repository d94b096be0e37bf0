package validate

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/podpis/podpis/tokend/authtoken"
)

func TestFingerprint(t *testing.T) {
	// M1 of RFC 6986, wire order (shared spec/gost FACTS §1.3).
	m1 := []byte("012345678901234567890123456789012345678901234567890123456789012")
	for _, tc := range []struct {
		alg, want string
	}{
		{authtoken.GOST256, "9D15 1EEF D859 0B89 DAA6"},
		{authtoken.GOST512, "1B54 D01A 4AF5 B9D5 CC3D"},
	} {
		d, err := DocumentDigest(tc.alg, bytes.NewReader(m1))
		if err != nil {
			t.Fatal(err)
		}
		if got := Fingerprint(d); got != tc.want {
			t.Errorf("%s: Fingerprint = %q, want %q", tc.alg, got, tc.want)
		}
	}
	empty, _ := hex.DecodeString("3f539a213e97c802cc229d474c6aa32a825a360b2a933a949fd925208d9ce1bb")
	if got, want := Fingerprint(empty), "3F53 9A21 3E97 C802 CC22"; got != want {
		t.Errorf("Fingerprint(Streebog-256(\"\")) = %q, want %q", got, want)
	}
	if d, _ := DocumentDigest(authtoken.GOST256, strings.NewReader("")); !bytes.Equal(d, empty) {
		t.Errorf("Streebog-256(\"\") = %x", d)
	}
	for _, tc := range []struct {
		in   []byte
		want string
	}{
		{nil, ""}, {[]byte{0xab}, "AB"}, {[]byte{1, 2, 3}, "0102 03"}, {bytes.Repeat([]byte{0xcd}, 10), "CDCD CDCD CDCD CDCD CDCD"},
	} {
		if got := Fingerprint(tc.in); got != tc.want {
			t.Errorf("Fingerprint(%x) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if _, err := DocumentDigest("ES256", strings.NewReader("x")); err == nil {
		t.Error("DocumentDigest with an unknown algorithm")
	}
}

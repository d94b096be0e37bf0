package authtoken

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/podpis/podpis/gost/streebog"
	"github.com/podpis/podpis/internal/osslgost"
)

func TestCheckNonce(t *testing.T) {
	ok := []string{strings.Repeat("A", 44), strings.Repeat("a", 128), "q80ZSGdvXfJnNkZS8LxzzT3IrmRYYHgJFuVjTPKDgdk=", strings.Repeat("-_", 30)}
	bad := []string{strings.Repeat("A", 43), strings.Repeat("A", 129), strings.Repeat("A", 43) + " ", strings.Repeat("A", 43) + "é", strings.Repeat("A", 43) + "\n", ""}
	for _, n := range ok {
		if err := CheckNonce(n); err != nil {
			t.Errorf("%q: %v", n, err)
		}
	}
	for _, n := range bad {
		if err := CheckNonce(n); err == nil {
			t.Errorf("%q accepted", n)
		}
	}
}

// TestSignedMessage pins the construction: H(origin) ‖ H(nonce) with the
// algorithm's Streebog, over the strings' bytes.
func TestSignedMessage(t *testing.T) {
	origin, nonce := "https://portal.example", strings.Repeat("n", 44)
	m, err := SignedMessage(GOST256, origin, nonce)
	if err != nil {
		t.Fatal(err)
	}
	o, n := streebog.Sum256([]byte(origin)), streebog.Sum256([]byte(nonce))
	if !bytes.Equal(m, append(o[:], n[:]...)) || len(m) != 64 {
		t.Errorf("256: %x", m)
	}
	m5, _ := SignedMessage(GOST512, origin, nonce)
	o5, n5 := streebog.Sum512([]byte(origin)), streebog.Sum512([]byte(nonce))
	if !bytes.Equal(m5, append(o5[:], n5[:]...)) || len(m5) != 128 {
		t.Errorf("512: %x", m5)
	}
	d, _ := Digest(GOST256, origin, nonce)
	if want := streebog.Sum256(m); !bytes.Equal(d, want[:]) {
		t.Errorf("digest %x", d)
	}
	// Field separation: moving a character between origin and nonce
	// changes the message.
	m2, _ := SignedMessage(GOST256, origin+"n", nonce[1:])
	if bytes.Equal(m, m2) {
		t.Error("no field separation")
	}
	if _, err := SignedMessage("ES256", origin, nonce); err == nil {
		t.Error("ES256 accepted")
	}
}

// TestDigestOpenSSL computes the digest with OpenSSL's GOST engine, an
// implementation of Streebog other than ours.
func TestDigestOpenSSL(t *testing.T) {
	osslgost.Require(t)
	origin, nonce := "https://портал.example:8443", "q80ZSGdvXfJnNkZS8LxzzT3IrmRYYHgJFuVjTPKDgdk="
	for alg, md := range map[string]string{GOST256: "-md_gost12_256", GOST512: "-md_gost12_512"} {
		o := osslgost.Run(t, []byte(origin), "dgst", md, "-binary")
		n := osslgost.Run(t, []byte(nonce), "dgst", md, "-binary")
		want := osslgost.Run(t, append(o, n...), "dgst", md, "-binary")
		got, err := Digest(alg, origin, nonce)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: digest %s, OpenSSL %s", alg, hex.EncodeToString(got), hex.EncodeToString(want))
		}
	}
}

func TestAlgorithm(t *testing.T) {
	for bits, want := range map[int]string{256: GOST256, 512: GOST512} {
		if a, err := Algorithm(bits); err != nil || a != want {
			t.Errorf("%d: %q %v", bits, a, err)
		}
	}
	if _, err := Algorithm(384); err == nil {
		t.Error("384 accepted")
	}
	if _, err := SignatureOID("none"); err == nil {
		t.Error("none accepted")
	}
}

func TestIsLocalhost(t *testing.T) {
	for o, want := range map[string]bool{"http://localhost:3000": true, "http://127.0.0.1": true, "http://[::1]:8080": true, "http://localhost.evil.example": false, "https://portal.example": false} {
		if IsLocalhost(o) != want {
			t.Errorf("%s: %v", o, !want)
		}
	}
}

// FuzzCheckOrigin: whatever CheckOrigin accepts is the canonical form of
// itself: parsing and re-serialising changes nothing.
func FuzzCheckOrigin(f *testing.F) {
	for _, s := range []string{"https://portal.example", "https://portal.example:8443", "http://localhost:3000", "https://[::1]:8443", "https://a/", "https://A", "https://a:443"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, allowHTTP bool) {
		if CheckOrigin(s, allowHTTP) != nil {
			return
		}
		if !strings.HasPrefix(s, "https://") && !(allowHTTP && strings.HasPrefix(s, "http://")) {
			t.Fatalf("accepted %q", s)
		}
		if strings.ContainsAny(s[8:], "/?#@ \\") || strings.ToLower(s) != s {
			t.Fatalf("accepted non-canonical %q", s)
		}
	})
}

func FuzzCheckNonce(f *testing.F) {
	f.Add(strings.Repeat("A", 44))
	f.Add("short")
	f.Fuzz(func(t *testing.T, s string) {
		if CheckNonce(s) == nil && (len(s) < 44 || len(s) > 128 || strings.ContainsAny(s, " \n\t\"<>%")) {
			t.Fatalf("accepted %q", s)
		}
	})
}

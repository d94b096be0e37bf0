package cms

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/gost/streebog"
	"github.com/podpis/podpis/internal/osslgost"
)

// TestSignDigest: a signature made over the content's digest verifies
// against the content, here and with OpenSSL, and signs exactly the
// attributes Sign signs over the content (the signatures themselves differ:
// GOST's k is random).
func TestSignDigest(t *testing.T) {
	for _, ps := range []*gost3410.ParamSet{gost3410.TC26256A, gost3410.TC26512A} {
		t.Run(ps.Name(), func(t *testing.T) {
			p := gostPKI(t, ps)
			var digest []byte
			if ps.Hash() == gost3410.Streebog512 {
				d := streebog.Sum512(content)
				digest = d[:]
			} else {
				d := streebog.Sum256(content)
				digest = d[:]
			}
			sig, err := SignDigest(digest, p.config(), SignOptions{Detached: true})
			if err != nil {
				t.Fatal(err)
			}
			res := mustVerify(t, sig, VerifyOptions{Content: bytes.NewReader(content)})
			wantCodes(t, res, OK)
			if !res.Signers[0].Attributes.SigningTime.Equal(testTime) || res.Signers[0].Attributes.SigningCertificate == nil {
				t.Errorf("attributes %+v", res.Signers[0].Attributes)
			}
			ref, err := Sign(bytes.NewReader(content), p.config(), SignOptions{Detached: true})
			if err != nil {
				t.Fatal(err)
			}
			a, _ := Parse(sig)
			b, _ := Parse(ref)
			if !bytes.Equal(a.Signers[0].RawSignedAttrs, b.Signers[0].RawSignedAttrs) {
				t.Error("SignDigest's signed attributes differ from Sign's over the same content")
			}
			other := append([]byte(nil), content...)
			other[0] ^= 1
			wantCodes(t, mustVerify(t, sig, VerifyOptions{Content: bytes.NewReader(other)}), ContentMismatch)

			osslgost.Require(t)
			dir := t.TempDir()
			in, data, ca := writeFile(t, dir, "sig.der", sig), writeFile(t, dir, "data", content), writeFile(t, dir, "ca.pem", certPEM(p.ca))
			osslgost.Run(t, nil, "cms", "-verify", "-binary", "-inform", "DER", "-in", in, "-content", data,
				"-CAfile", ca, "-purpose", "any", "-out", filepath.Join(dir, "out"))
		})
	}
	p := gostPKI(t, gost3410.TC26256A)
	for _, tc := range []struct {
		digest []byte
		opts   SignOptions
		want   string
	}{
		{make([]byte, 32), SignOptions{}, "detached"},
		{make([]byte, 64), SignOptions{Detached: true}, "64 bytes"},
		{nil, SignOptions{Detached: true}, "0 bytes"},
	} {
		if _, err := SignDigest(tc.digest, p.config(), tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SignDigest(%d bytes, %+v): %v, want %q", len(tc.digest), tc.opts, err, tc.want)
		}
	}
	if _, err := SignDigest(make([]byte, 32), SignerConfig{}, SignOptions{Detached: true}); err == nil {
		t.Error("SignDigest without a signer")
	}
}

package pdfsign

import (
	"encoding/pem"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/internal/osslgost"
)

// OpenSSL with the GOST engine verifies the CMS cut out of /Contents
// against the bytes the ByteRange covers, for each signature of a file
// signed twice.
func TestOpenSSLVerifiesByteRange(t *testing.T) {
	osslgost.Require(t)
	for _, ps := range []*gost3410.ParamSet{gost3410.TC26256A, gost3410.TC26512A} {
		t.Run(ps.Name(), func(t *testing.T) {
			p := gostPKI(t, ps)
			signed := mustSign(t, mustSign(t, minimalPDF(1, 0), p, Options{}), p, Options{})
			ca := writeFile(t, "ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.CA.Cert.Raw}))
			for _, s := range mustVerify(t, signed).Signatures {
				br := s.ByteRange
				sig := s.Contents
				covered := append(append([]byte{}, signed[:br[1]]...), signed[br[2]:br[2]+br[3]]...)
				in := writeFile(t, "sig.p7s", trimDER(t, sig))
				content := writeFile(t, "content.bin", covered)
				osslgost.Run(t, nil, "cms", "-verify", "-binary", "-inform", "DER", "-in", in, "-content", content,
					"-CAfile", ca, "-purpose", "any", "-out", "/dev/null")
			}
		})
	}
}

// trimDER drops the zero padding after the DER SEQUENCE (OpenSSL reads
// exactly one object and rejects trailing data).
func trimDER(t *testing.T, b []byte) []byte {
	t.Helper()
	if len(b) < 2 || b[0] != 0x30 {
		t.Fatal("no SEQUENCE")
	}
	n, hdr := int(b[1]), 2
	if n&0x80 != 0 {
		k := n & 0x7f
		n = 0
		for i := range k {
			n = n<<8 | int(b[2+i])
		}
		hdr += k
	}
	return b[:hdr+n]
}

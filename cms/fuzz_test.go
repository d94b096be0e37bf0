package cms

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/podpis/podpis/pki"
)

// FuzzParse feeds Parse and Verify hostile input: they must not panic, and
// whatever parses must verify (to any result) without a Go error other than
// a reading one. The committed corpus in testdata/fuzz/FuzzParse holds
// podpis' own signatures (attached, detached, co-signed, without
// certificates) and OpenSSL's golden BER and SKI variants from
// testdata/openssl, which are added here too.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "openssl", "*", "*.p7s"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sd, err := Parse(data)
		if err != nil {
			return
		}
		opts := VerifyOptions{}
		if sd.Detached {
			opts.Content = bytes.NewReader(content)
		}
		res, err := sd.Verify(opts)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if len(res.Signers) != len(sd.Signers) {
			t.Fatal("a signer was not reported")
		}
		for _, s := range res.Signers {
			if s.Code == "" {
				t.Fatal("signer without a code")
			}
		}
	})
}

// FuzzParseTSTInfo: ParseTSTInfo never panics, and what it accepts Marshal
// writes back into something it accepts again, with the same meaning.
func FuzzParseTSTInfo(f *testing.F) {
	f.Add(seedTSTInfo(f, 0))
	f.Add(seedTSTInfo(f, 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := ParseTSTInfo(data)
		if err != nil {
			return
		}
		der, err := info.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed TSTInfo: %v", err)
		}
		again, err := ParseTSTInfo(der)
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		if !again.GenTime.Equal(info.GenTime) || again.SerialNumber.Cmp(info.SerialNumber) != 0 ||
			!bytes.Equal(again.HashedMessage, info.HashedMessage) || again.Accuracy != info.Accuracy {
			t.Fatalf("round trip changed the TSTInfo: %+v → %+v", info, again)
		}
	})
}

// seedTSTInfo is a TSTInfo podpis writes: minimal (0) or with every field (1).
func seedTSTInfo(t testing.TB, full int) []byte {
	info := &TSTInfo{
		Policy:        asn1.ObjectIdentifier{1, 2, 643, 999, 1},
		HashAlgorithm: algorithmID(pki.OIDStreebog256),
		HashedMessage: make([]byte, 32),
		SerialNumber:  big.NewInt(7),
		GenTime:       time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC),
	}
	if full == 1 {
		info.GenTime = info.GenTime.Add(123456 * time.Microsecond)
		info.Accuracy, info.Ordering, info.Nonce = 1500*time.Millisecond+7*time.Microsecond, true, big.NewInt(-5)
		info.TSA = []byte{0xa4, 0x02, 0x30, 0x00}
		info.Extensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3}, Value: []byte{5, 0}}}
	}
	der, err := info.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

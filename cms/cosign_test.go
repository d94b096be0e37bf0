package cms

import (
	"bytes"
	"io"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
)

func TestAddSigner(t *testing.T) {
	a := gostPKI(t, gost3410.CryptoProA)
	b := gostPKI(t, gost3410.TC26512A)
	for _, detached := range []bool{false, true} {
		first, err := Sign(bytes.NewReader(content), a.config(), SignOptions{Detached: detached})
		if err != nil {
			t.Fatal(err)
		}
		cfg := b.config()
		cfg.Chain = []*pki.Certificate{b.ca}
		both, err := AddSigner(first, contentFor(detached), cfg)
		if err != nil {
			t.Fatal(err)
		}
		old, _ := Parse(first)
		if !bytes.Contains(both, old.Signers[0].Raw) {
			t.Fatal("the first SignerInfo changed")
		}
		checkDER(t, both)
		sd, err := Parse(both)
		if err != nil {
			t.Fatal(err)
		}
		if len(sd.DigestAlgorithms) != 2 || len(sd.Certificates) != 3 {
			t.Fatalf("%d digest algorithms, %d certificates", len(sd.DigestAlgorithms), len(sd.Certificates))
		}
		res := mustVerify(t, both, VerifyOptions{Content: contentFor(detached)})
		wantCodes(t, res, OK, OK)

		// Co-signing a third time with a key of the same size adds no digest algorithm.
		three, err := AddSigner(both, contentFor(detached), a.config())
		if err != nil {
			t.Fatal(err)
		}
		sd3, _ := Parse(three)
		if len(sd3.DigestAlgorithms) != 2 || len(sd3.Signers) != 3 || len(sd3.Certificates) != 3 {
			t.Fatalf("third signer: %d algorithms, %d signers, %d certificates", len(sd3.DigestAlgorithms), len(sd3.Signers), len(sd3.Certificates))
		}
	}
}

// contentFor is the detached content reader, or nil for attached signatures.
func contentFor(detached bool) io.Reader {
	if detached {
		return bytes.NewReader(content)
	}
	return nil
}

func TestAddSignerRefuses(t *testing.T) {
	a := gostPKI(t, gost3410.CryptoProA)
	det, _ := Sign(bytes.NewReader(content), a.config(), SignOptions{Detached: true})
	att, _ := Sign(bytes.NewReader(content), a.config(), SignOptions{})
	if _, err := AddSigner(det, bytes.NewReader([]byte("other content")), a.config()); err == nil {
		t.Error("co-signed different content")
	}
	if _, err := AddSigner(det, nil, a.config()); err == nil {
		t.Error("detached without content accepted")
	}
	if _, err := AddSigner(att, bytes.NewReader(content), a.config()); err == nil {
		t.Error("attached with content accepted")
	}
	if _, err := AddSigner([]byte("garbage"), nil, a.config()); err == nil {
		t.Error("garbage accepted")
	}
}

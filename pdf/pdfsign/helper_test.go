package pdfsign

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/sign"
)

// minimalPDF writes a PDF 1.7 with a classic cross-reference table and
// pages pages, each with a short content stream; pad adds that many bytes
// of comment-free stream data to the first page, for size.
func minimalPDF(pages, pad int) []byte { return minimalPDFICC(pages, pad, nil) }

// minimalPDFICC is minimalPDF with an sRGB output intent (ISO 19005-2
// §6.2.3) made of the ICC profile icc when it is not nil.
func minimalPDFICC(pages, pad int, icc []byte) []byte { return minimalPDFPage(pages, pad, icc, "") }

// minimalPDFPage is minimalPDFICC with extra entries in every page
// dictionary (e.g. "/Rotate 90").
func minimalPDFPage(pages, pad int, icc []byte, extra string) []byte {
	var b bytes.Buffer
	var offs []int
	obj := func(body string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), body)
	}
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	intent := ""
	if icc != nil {
		intent = fmt.Sprintf(" /OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB) /DestOutputProfile %d 0 R >>]", 3+2*pages)
	}
	obj("<< /Type /Catalog /Pages 2 0 R" + intent + " >>")
	kids := ""
	for i := range pages {
		kids += fmt.Sprintf("%d 0 R ", 3+2*i)
	}
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, pages))
	for i := range pages {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Contents %d 0 R /Resources << >>%s >>", 4+2*i, extra))
		content := "0.5 g 100 700 200 50 re f\n"
		if i == 0 && pad > 0 {
			content += "%" + string(bytes.Repeat([]byte("x"), pad)) + "\n"
		}
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	}
	if icc != nil {
		n := 3
		if len(icc) >= 20 && string(icc[16:20]) == "GRAY" {
			n = 1
		}
		obj(fmt.Sprintf("<< /N %d /Length %d >>\nstream\n%s\nendstream", n, len(icc), icc))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>] >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}

type testPKI struct {
	*devpki.PKI
	signer sign.Signer
}

var (
	pkiMu    sync.Mutex
	pkiCache = map[*gost3410.ParamSet]*testPKI{}
)

func gostPKI(t testing.TB, ps *gost3410.ParamSet) *testPKI {
	t.Helper()
	pkiMu.Lock()
	defer pkiMu.Unlock()
	if p, ok := pkiCache[ps]; ok {
		return p
	}
	p, err := devpki.New(devpki.Options{ParamSet: ps})
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.NewSigner(p.Signer.Key, []*pki.Certificate{p.Signer.Cert, p.CA.Cert})
	if err != nil {
		t.Fatal(err)
	}
	tp := &testPKI{p, s}
	pkiCache[ps] = tp
	return tp
}

func mustSign(t testing.TB, data []byte, p *testPKI, opts Options) []byte {
	t.Helper()
	orig := bytes.Clone(data)
	var out bytes.Buffer
	if err := Sign(context.Background(), bytes.NewReader(data), int64(len(data)), &out, p.signer, opts); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, orig) {
		t.Fatal("the input was modified")
	}
	if !bytes.HasPrefix(out.Bytes(), data) {
		t.Fatal("the original bytes were not kept")
	}
	return out.Bytes()
}

// checked is a signature Find found with its CMS verified by package cms
// over the ByteRange (signature value and content digest; the certificate
// path is package verify's and tested there).
type checked struct {
	Signature
	code   cms.Code
	detail string
}

func (c checked) Valid() bool { return c.ByteRangeOK && c.code == cms.OK }

type result struct{ Signatures []checked }

// verifyCMS finds the signatures of data and checks each CMS.
func verifyCMS(data []byte) (*result, error) {
	sigs, err := Find(data)
	if err != nil {
		return nil, err
	}
	res := &result{}
	for _, s := range sigs {
		c := checked{Signature: s, code: cms.FormatFailure}
		if r := s.SignedContent(); r != nil && s.Contents != nil {
			v, err := cms.Verify(s.Contents, cms.VerifyOptions{Content: r})
			switch {
			case err != nil:
				c.detail = err.Error()
			case len(v.Signers) != 1:
				c.detail = fmt.Sprintf("%d signers", len(v.Signers))
			default:
				c.code, c.detail = v.Signers[0].Code, v.Signers[0].Detail
			}
		}
		res.Signatures = append(res.Signatures, c)
	}
	return res, nil
}

func mustVerify(t testing.TB, data []byte) *result {
	t.Helper()
	res, err := verifyCMS(data)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// tool returns the path of an external oracle, skipping (or failing in CI)
// when it is not installed.
func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s required in CI", name)
		}
		t.Skipf("skipping: %s not installed", name)
	}
	return p
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func readFileT(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

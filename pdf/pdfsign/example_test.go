package pdfsign_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/podpis/podpis/pdf/pdfsign"
	"github.com/podpis/podpis/pki/devpki"
	"github.com/podpis/podpis/sign"
)

// A key file opened with sign.Open signs a PDF; Find then lists the
// signature and checks its ByteRange (verify.PDF checks the CMS and the
// certificates). A token key ("pkcs11:token=…;object=…") is opened the same
// way.
func Example() {
	dir, _ := os.MkdirTemp("", "pdfsign")
	defer os.RemoveAll(dir)
	p, err := devpki.New(devpki.Options{})
	if err != nil {
		log.Fatal(err)
	}
	if err := p.WriteDir(dir, false); err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	signer, err := sign.Open(ctx, filepath.Join(dir, "signer.key"), sign.Options{CertFile: filepath.Join(dir, "signer.pem")})
	if err != nil {
		log.Fatal(err)
	}
	defer signer.Close()

	doc := []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" +
		"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n" +
		"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n" +
		"xref\n0 4\n0000000000 65535 f\r\n0000000009 00000 n\r\n0000000058 00000 n\r\n0000000115 00000 n\r\n" +
		"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n186\n%%EOF\n")
	var signed bytes.Buffer
	if err := pdfsign.Sign(ctx, bytes.NewReader(doc), int64(len(doc)), &signed, signer, pdfsign.Options{}); err != nil {
		log.Fatal(err)
	}

	sigs, err := pdfsign.Find(signed.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range sigs {
		fmt.Println(s.Field, s.SubFilter, s.ByteRangeOK, s.Summary())
	}
	// Output:
	// Signature1 ETSI.CAdES.detached true the signature covers the whole file
}

package pdfsign

import (
	"fmt"
	"strings"

	"github.com/podpis/podpis/pdf/internal/pdfread"
)

// The object model and reader are package pdfread's, shared with pdfcheck.
type (
	name    = pdfread.Name
	str     = pdfread.Str
	real    = pdfread.Real
	array   = pdfread.Array
	dict    = pdfread.Dict
	ref     = pdfread.Ref
	keyword = pdfread.Keyword
)

// document adds the signature-specific walks to a parsed PDF.
type document struct{ *pdfread.Document }

// ErrEncrypted is returned for encrypted PDFs, which podpis neither signs
// nor verifies.
var ErrEncrypted = pdfread.ErrEncrypted

// maxDepth bounds the nesting of the form field tree.
const maxDepth = 64

func parse(data []byte) (*document, error) {
	d, err := pdfread.Parse(data)
	if err != nil {
		return nil, wrap(err)
	}
	return &document{d}, nil
}

func formatErr(format string, args ...any) error {
	return wrap(pdfread.Errorf(format, args...))
}

// wrap prefixes the package name to an error from the reader, once.
func wrap(err error) error {
	if err == nil || strings.HasPrefix(err.Error(), "pdfsign: ") {
		return err
	}
	return fmt.Errorf("pdfsign: %w", err)
}

func textString(b []byte) string { return pdfread.TextString(b) }

func startxrefOf(data []byte) int { return pdfread.StartXref(data) }

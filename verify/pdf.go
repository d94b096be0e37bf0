package verify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/podpis/podpis/pdf/pdfsign"
)

// maxPDF bounds the PDF PDF reads into memory (pdfsign writes cross-reference
// offsets in 31 bits; the portal's own limit is 5 MB).
const maxPDF = 1 << 31

// PDFReport is the outcome of verifying every signature of a PDF (ISO
// 32000-1 §12.8, ETSI EN 319 142-1 PAdES).
type PDFReport struct {
	// Indication is TOTAL-PASSED when the PDF has signatures and every one
	// is valid, TOTAL-FAILED when one is broken (an unsound ByteRange or a
	// failed CMS), INDETERMINATE otherwise (no signature, or one undecided).
	Indication Indication `json:"indication"`
	// File names the PDF, when the caller sets it.
	File       string         `json:"file,omitempty"`
	Signatures []PDFSignature `json:"signatures"`
}

// PDFSignature is one signature field: what its bytes show (package
// pdfsign: ByteRange, changes after it) and the CMS verification over the
// ByteRange.
type PDFSignature struct {
	pdfsign.Signature
	// Report is the CMS verification (signature, content, path,
	// revocation, timestamp); nil when /Contents or /ByteRange could not be
	// read.
	Report *Report `json:"report,omitempty"`
}

// Valid says the ByteRange is sound and the CMS passed.
func (s *PDFSignature) Valid() bool {
	return s.ByteRangeOK && s.Report != nil && s.Report.Passed()
}

// Broken says the signature is proven bad (not merely undecided): the
// ByteRange is unsound or the CMS verification failed.
func (s *PDFSignature) Broken() bool {
	return !s.ByteRangeOK || s.Report == nil || s.Report.Indication == TotalFailed
}

// Passed says the PDF has a signature and every one is valid.
func (r *PDFReport) Passed() bool {
	for i := range r.Signatures {
		if !r.Signatures[i].Valid() {
			return false
		}
	}
	return len(r.Signatures) > 0
}

// PDF verifies every signature of the PDF in r[0:size]: package pdfsign finds
// the signature fields and checks each /ByteRange (it must cover the whole
// revision but the /Contents string), and CMS checks /Contents over the
// ByteRange bytes with opts. Changes appended after a signature are
// reported with it. A Go error means the file could not be read as a PDF
// (pdfsign.ErrEncrypted for an encrypted one); every verdict is in the
// report.
func PDF(ctx context.Context, r io.ReaderAt, size int64, opts Options) (*PDFReport, error) {
	if size < 0 || size > maxPDF {
		return nil, fmt.Errorf("verify: PDF too large (%d bytes)", size)
	}
	data := make([]byte, size)
	if _, err := r.ReadAt(data, 0); err != nil && err != io.EOF {
		return nil, fmt.Errorf("verify: reading the PDF: %w", err)
	}
	return verifyPDF(ctx, data, opts)
}

func verifyPDF(ctx context.Context, data []byte, opts Options) (*PDFReport, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sigs, err := pdfsign.Find(data)
	if err != nil {
		return nil, err
	}
	rep := &PDFReport{Signatures: []PDFSignature{}}
	for _, s := range sigs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ps := PDFSignature{Signature: s}
		if content := s.SignedContent(); content != nil && s.Contents != nil {
			cr, err := CMS(ctx, s.Contents, content, opts)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				cr = &Report{Indication: TotalFailed, Signatures: []SignatureReport{{
					Indication: TotalFailed, SubIndication: FormatFailure, Code: CodeFormatFailure,
					Detail: "the CMS in /Contents could not be read: " + err.Error(), Revocation: RevocationNotChecked,
				}}}
				if opts.At.IsZero() {
					cr.ValidationTime = time.Now().UTC()
				} else {
					cr.ValidationTime = opts.At.UTC()
				}
			}
			ps.Report = cr
		}
		rep.Signatures = append(rep.Signatures, ps)
	}
	rep.Indication = Indeterminate
	if rep.Passed() {
		rep.Indication = TotalPassed
	}
	for i := range rep.Signatures {
		if rep.Signatures[i].Broken() {
			rep.Indication = TotalFailed
		}
	}
	return rep, nil
}

// pdfPhrases are the PDF-specific texts of a report, Russian first.
var pdfPhrases = map[string][2]string{
	"signatures":  {"подписей", "signatures"},
	"signature":   {"Подпись", "Signature"},
	"valid":       {"ДЕЙСТВИТЕЛЬНА", "VALID"},
	"not_valid":   {"НЕ ПОДТВЕРЖДЕНА", "NOT VALID"},
	"m":           {"Время подписания (/M)", "Signing time (/M)"},
	"br_ok":       {"охватывает весь файл, кроме подписи", "covers the whole file but the signature"},
	"br_bad":      {"ОШИБКА", "BAD"},
	"changed":     {"Изменения после подписи", "Changes after signing"},
	"unchanged":   {"Изменений после подписи нет", "No changes after signing"},
	"changed_fmt": {"изменено объектов: %d (страницы %v), последующих подписей: %d", "%d objects changed (pages %v), %d later signatures"},
}

// WriteText writes the report for a person, in lang (Russian when empty):
// per signature the field, the verdict, /M, the ByteRange, what changed
// after it and the CMS report.
func (r *PDFReport) WriteText(w io.Writer, lang Lang) error {
	l := 0
	if lang == English {
		l = 1
	}
	p := func(key string) string { return pdfPhrases[key][l] }
	var b strings.Builder
	if r.File != "" {
		b.WriteString(r.File + ": ")
	}
	fmt.Fprintf(&b, "%s: %d\n", p("signatures"), len(r.Signatures))
	for i := range r.Signatures {
		s := &r.Signatures[i]
		verdict := p("valid")
		if !s.Valid() {
			verdict = p("not_valid")
		}
		fmt.Fprintf(&b, "\n%s %d: %s — %s\n", p("signature"), i+1, s.Field, verdict)
		if s.SigningTime != "" {
			fmt.Fprintf(&b, "  %s: %s\n", p("m"), s.SigningTime)
		}
		fmt.Fprintf(&b, "  SubFilter: %s\n", s.SubFilter)
		if s.ByteRangeOK {
			fmt.Fprintf(&b, "  ByteRange %v: %s\n", s.ByteRange, p("br_ok"))
		} else {
			fmt.Fprintf(&b, "  ByteRange %v: %s: %s\n", s.ByteRange, p("br_bad"), s.ByteRangeProblem)
		}
		if s.Modified {
			fmt.Fprintf(&b, "  %s: %s\n", p("changed"), fmt.Sprintf(p("changed_fmt"), len(s.ChangedObjects), s.ChangedPages, s.LaterSignatures))
		} else {
			fmt.Fprintf(&b, "  %s\n", p("unchanged"))
		}
		if s.Report != nil {
			var rb bytes.Buffer
			if err := s.Report.WriteText(&rb, lang); err != nil {
				return err
			}
			for _, line := range strings.Split(strings.TrimRight(rb.String(), "\n"), "\n") {
				if line = strings.TrimRight(line, " "); line != "" {
					line = "  " + line
				}
				b.WriteString(line + "\n")
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

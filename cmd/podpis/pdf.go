package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/podpis/podpis/cms/tsp"
	"github.com/podpis/podpis/internal/atomicfile"
	"github.com/podpis/podpis/pdf"
	"github.com/podpis/podpis/pdf/pdfsign"
	"github.com/podpis/podpis/sign"
	"github.com/podpis/podpis/verify"
)

func newPDFCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pdf",
		Short: "Write, sign, verify and check PDF/A-2b documents",
		Long: `Write PDF/A-2b documents from text or simple Markdown (pdf new), sign PDFs with
GOST keys by incremental update (pdf sign), verify every signature of a PDF
(pdf verify) and check a received PDF (pdf check). The portal's limit for a
PDF is 5 MB; the input file is never modified.`,
	}
	cmd.AddCommand(newPDFNewCmd(), newPDFSignCmd(), newPDFVerifyCmd(), newPDFCheckCmd())
	return cmd
}

// readPDF reads a PDF input, refusing what is not a PDF with one line.
func readPDF(name string) ([]byte, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return nil, fmt.Errorf("%s: not a PDF file (no %%PDF- header)", name)
	}
	return data, nil
}

// sameFile says whether out names the file in (or the same path).
func sameFile(in, out string) bool {
	if filepath.Clean(in) == filepath.Clean(out) {
		return true
	}
	a, err1 := os.Stat(in)
	b, err2 := os.Stat(out)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

func checkSize(name string, n int) error {
	if n > pdf.MaxSize {
		return fmt.Errorf("%s would be %d bytes, over the 5 MB limit (%d bytes); nothing written", name, n, pdf.MaxSize)
	}
	return nil
}

// --- pdf new ---

func newPDFNewCmd() *cobra.Command {
	var in, out, title, qr string
	cmd := &cobra.Command{
		Use:   "new --in TEXT.md|TEXT.txt --out doc.pdf [--title TITLE] [--qr PAYLOAD]",
		Short: "Write a PDF/A-2b document from plain text or simple Markdown",
		Long: `Write a PDF/A-2b document. A .md input understands simple Markdown: # headings
(three levels), paragraphs, - or * list items, 1. numbered items, **bold**, and | tables | (a
|---| line under the first row makes it a header). Anything else is plain
text: paragraphs separated by blank lines. --qr adds a QR code with PAYLOAD at
the end. Prints the size of the file written; refuses a file over 5 MB.

The creation date is now, or $SOURCE_DATE_EPOCH (seconds since 1970, UTC) when
set: the same input and date give a byte-identical file.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if in == "" || out == "" {
				return errors.New("pdf new needs --in and --out")
			}
			if sameFile(in, out) {
				return errors.New("pdf new: --out must not be the --in file")
			}
			text, err := os.ReadFile(in)
			if err != nil {
				return err
			}
			if title == "" {
				title = strings.TrimSuffix(filepath.Base(in), filepath.Ext(in))
			}
			created, err := sourceDate()
			if err != nil {
				return err
			}
			doc := pdf.New(pdf.Options{Title: title, Creator: "podpis pdf new", PageNumbers: true, Created: created})
			md := strings.EqualFold(filepath.Ext(in), ".md") || strings.EqualFold(filepath.Ext(in), ".markdown")
			layoutText(doc, string(text), md)
			if qr != "" {
				size, err := pdf.MinQRSize(qr, pdf.QRMedium)
				if err != nil {
					return err
				}
				size = max(size, pdf.Mm(35))
				if size > doc.ContentWidth() {
					return errors.New("pdf new: the --qr payload is too long for a QR code on a page")
				}
				doc.Space(pdf.Mm(5))
				if err := doc.QR(qr, size, pdf.Left, pdf.QRMedium); err != nil {
					return err
				}
			}
			data := doc.Bytes()
			if err := checkSize(out, len(data)); err != nil {
				return err
			}
			if err := atomicfile.WriteFile(out, data, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d bytes, %d page(s), PDF/A-2b\n", out, len(data), doc.Pages())
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&in, "in", "", "text (.txt) or Markdown (.md) file")
	fl.StringVar(&out, "out", "", "PDF file to write")
	fl.StringVar(&title, "title", "", "document title (default: the input's name)")
	fl.StringVar(&qr, "qr", "", "add a QR code with this payload")
	return cmd
}

// sourceDate is $SOURCE_DATE_EPOCH as a time, or the zero time (now).
func sourceDate() (time.Time, error) {
	v := os.Getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q is not a number of seconds", v)
	}
	return time.Unix(n, 0).UTC(), nil
}

var reNumbered = regexp.MustCompile(`^(\d{1,3}[.)])\s+`)

// layoutText lays out text, as simple Markdown when md is set.
func layoutText(doc *pdf.Document, text string, md bool) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(text, "\n")
	var para []string
	flush := func() {
		if len(para) == 0 {
			return
		}
		s := strings.Join(para, " ")
		para = nil
		if md {
			doc.Runs(inlineRuns(s), pdf.Style{})
		} else {
			doc.Paragraph(s, pdf.Style{})
		}
		doc.Space(4)
	}
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], " \t")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			flush()
			continue
		}
		if !md {
			para = append(para, trimmed)
			continue
		}
		switch {
		case strings.HasPrefix(trimmed, "#"):
			flush()
			level := len(trimmed) - len(strings.TrimLeft(trimmed, "#"))
			h := strings.TrimSpace(trimmed[level:])
			size := map[int]float64{1: 18, 2: 15}[level]
			if size == 0 {
				size = 13
			}
			doc.Space(4)
			doc.Paragraph(stripInline(h), pdf.Style{Size: size, Bold: true})
			doc.Space(4)
		case strings.HasPrefix(trimmed, "- ") || strings.HasPrefix(trimmed, "* "):
			flush()
			doc.Runs(append([]pdf.Run{pdf.R("• ")}, inlineRuns(strings.TrimSpace(trimmed[2:]))...), pdf.Style{})
			doc.Space(2)
		case reNumbered.MatchString(trimmed):
			flush()
			m := reNumbered.FindStringSubmatch(trimmed)
			doc.Runs(append([]pdf.Run{pdf.R(m[1] + " ")}, inlineRuns(trimmed[len(m[0]):])...), pdf.Style{})
			doc.Space(2)
		case strings.HasPrefix(trimmed, "|"):
			flush()
			var t pdf.Table
			for ; i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "|"); i++ {
				cells := tableCells(strings.TrimSpace(lines[i]))
				if isSeparatorRow(cells) {
					if len(t.Rows) == 1 {
						t.Header = true
					}
					continue
				}
				t.Rows = append(t.Rows, cells)
			}
			i--
			width := 0
			for _, r := range t.Rows {
				width = max(width, len(r))
			}
			for j := range t.Rows {
				for len(t.Rows[j]) < width {
					t.Rows[j] = append(t.Rows[j], "")
				}
			}
			if width > 0 {
				t.Widths = columnWidths(t.Rows, t.Header, doc.ContentWidth())
				doc.Table(t)
				doc.Space(6)
			}
		default:
			para = append(para, trimmed)
		}
	}
	flush()
}

// columnWidths shares the content width cw among a table's columns by what
// they hold: each column first gets its widest cell or an equal share,
// whichever is less, and the rest of the width goes to the columns whose
// text is wider than that, in proportion to the excess. Short columns are
// not wrapped because a long one is.
func columnWidths(rows [][]string, header bool, cw float64) []float64 {
	const pad = 2 * 3 // pdf.Table's default padding, both sides
	ncol := len(rows[0])
	natural := make([]float64, ncol)
	for r, row := range rows {
		st := pdf.Style{Bold: header && r == 0}
		for i, c := range row {
			natural[i] = max(natural[i], st.Width(c)+pad+6)
		}
	}
	widths := make([]float64, ncol)
	left, excess := cw, 0.0
	for i, n := range natural {
		widths[i] = min(n, cw/float64(ncol))
		left -= widths[i]
		excess += n - widths[i]
	}
	for i, n := range natural {
		switch {
		case excess > 0:
			widths[i] += left * (n - widths[i]) / excess
		default:
			widths[i] += left / float64(ncol)
		}
	}
	return widths
}

func tableCells(line string) []string {
	line = strings.TrimPrefix(line, "|")
	line = strings.TrimSuffix(line, "|")
	cells := strings.Split(line, "|")
	for i, c := range cells {
		cells[i] = stripInline(strings.TrimSpace(c))
	}
	return cells
}

func isSeparatorRow(cells []string) bool {
	for _, c := range cells {
		if strings.Trim(c, "-: ") != "" || !strings.Contains(c, "-") {
			return false
		}
	}
	return len(cells) > 0
}

func stripInline(s string) string { return strings.ReplaceAll(s, "**", "") }

// inlineRuns splits s at ** into regular and bold runs.
func inlineRuns(s string) []pdf.Run {
	var runs []pdf.Run
	for i, part := range strings.Split(s, "**") {
		if part == "" {
			continue
		}
		runs = append(runs, pdf.Run{Text: part, Bold: i%2 == 1})
	}
	if len(runs) == 0 {
		runs = []pdf.Run{pdf.R("")}
	}
	return runs
}

// --- pdf sign ---

type pdfSignFlags struct {
	key, cert, in, out, at, tsa string
	stamp                       bool
	page                        int
	token                       tokenFlags
}

func newPDFSignCmd() *cobra.Command {
	var f pdfSignFlags
	cmd := &cobra.Command{
		Use:   "sign --in doc.pdf --out signed.pdf --key KEY|pkcs11:… [--cert CERT] [--stamp] [--page N] [--at X,Y] [--tsa URL]",
		Short: "Sign a PDF (CAdES, incremental update), visibly with --stamp",
		Long: `Sign a PDF by an incremental update: the original bytes are kept, a signature
field is added whose /Contents is a detached CAdES-BES signature over the
/ByteRange (SubFilter ETSI.CAdES.detached). Signing a signed file adds a
further signature; earlier ones stay valid. --tsa adds an RFC 3161 signature
timestamp from that authority (CAdES-T, PAdES B-T).

--stamp makes the signature visible: the mark of GOST R 7.0.97-2016 (serial
number, owner, validity) in an 85 × 30 mm frame (taller when the owner's
name wraps) on page --page (default 1) with
its lower-left corner at --at X,Y millimetres from the lower-left corner of the
page as it is shown (default 20,20; a page turned by /Rotate gets the stamp
upright). The stamp's text is DejaVu Sans, embedded, so the signed file stays
PDF/A-2b. A stamp that does not fit on the page is refused. The output is
written atomically and must not be the input.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return pdfSign(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.key, "key", "", "private key: a PKCS#8 file or a pkcs11: URI")
	fl.StringVar(&f.cert, "cert", "", "signer's certificate file (PEM or DER), optionally followed by its chain; a token key uses its certificate on the token by default")
	fl.StringVar(&f.in, "in", "", "PDF to sign")
	fl.StringVar(&f.out, "out", "", "signed PDF to write")
	fl.BoolVar(&f.stamp, "stamp", false, "draw a visible signature stamp")
	fl.IntVar(&f.page, "page", 0, "page for the signature field, 1-based (default 1)")
	fl.StringVar(&f.at, "at", "", "with --stamp: X,Y of the stamp's lower-left corner in mm (default 20,20)")
	fl.StringVar(&f.tsa, "tsa", "", "RFC 3161 timestamp authority URL: make CAdES-T")
	f.token.add(cmd)
	return cmd
}

func pdfSign(cmd *cobra.Command, f pdfSignFlags) error {
	if f.key == "" || f.in == "" || f.out == "" {
		return errors.New("pdf sign needs --key, --in and --out")
	}
	if f.cert == "" && !isTokenURI(f.key) {
		return errors.New("pdf sign needs --cert with a key file")
	}
	if sameFile(f.in, f.out) {
		return errors.New("pdf sign: --out must not be the --in file (the input is never modified)")
	}
	if f.page < 0 {
		return fmt.Errorf("--page %d: pages count from 1", f.page)
	}
	if !f.stamp && f.at != "" {
		return errors.New("pdf sign: --at places the stamp: add --stamp")
	}
	opts := pdfsign.Options{Page: f.page}
	if f.tsa != "" {
		opts.Timestamper = &tsp.Client{URL: f.tsa}
	}
	if f.stamp {
		x, y := pdf.Mm(20), pdf.Mm(20)
		if f.at != "" {
			xs, ys, ok := strings.Cut(f.at, ",")
			xv, err1 := strconv.ParseFloat(strings.TrimSpace(xs), 64)
			yv, err2 := strconv.ParseFloat(strings.TrimSpace(ys), 64)
			if !ok || err1 != nil || err2 != nil || xv < 0 || yv < 0 {
				return fmt.Errorf("--at %q: want X,Y in millimetres, e.g. 20,20", f.at)
			}
			x, y = pdf.Mm(xv), pdf.Mm(yv)
		}
		w, h := pdf.Mm(85), pdf.Mm(30)
		opts.Stamp = &pdfsign.Stamp{Rect: [4]float64{x, y, x + w, y + h}}
	}
	data, err := readPDF(f.in)
	if err != nil {
		return err
	}
	topts := f.token.options(cmd)
	s, err := sign.Open(cmd.Context(), f.key, sign.Options{CertFile: f.cert, PIN: topts.PIN, Module: topts.Module})
	if err != nil {
		return err
	}
	defer s.Close()
	if st := opts.Stamp; st != nil {
		// A long owner's name wraps: the frame grows to hold the text.
		r := &st.Rect
		r[3] = r[1] + max(r[3]-r[1], pdfsign.StampContent(s.Certificate()).Height(r[2]-r[0]))
	}
	out, err := pdfsign.SignBytes(cmd.Context(), data, s, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", f.in, err)
	}
	if err := checkSize(f.out, len(out)); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(f.out, out, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s: %d bytes, signed\n", f.out, len(out))
	return nil
}

// --- pdf verify ---

func newPDFVerifyCmd() *cobra.Command {
	var f verifyFlags
	cmd := &cobra.Command{
		Use:   "verify --in signed.pdf --trust CA.pem [--crl CRL.pem] [--at TIME] [--format text|json] [--lang ru|en]",
		Short: "Verify every signature of a PDF",
		Long: `Verify every signature of a PDF: that /ByteRange covers the whole revision
but the signature's /Contents, the CAdES signature over it with the
certificate chain to a trusted root (--trust) at --at (default now) and, with
--crl, revocation; and what was appended after each signature.

Exit status 0: every signature valid; 1: checked and something is invalid or
undecided (or there is no signature); 2: could not check.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return pdfVerify(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.in, "in", "", "signed PDF")
	fl.StringArrayVar(&f.trust, "trust", nil, "trusted root certificates (PEM or DER); repeatable")
	fl.StringArrayVar(&f.crls, "crl", nil, "revocation list (PEM or DER); repeatable")
	fl.StringArrayVar(&f.certs, "certs", nil, "more certificates: intermediates or the signer's; repeatable")
	fl.StringVar(&f.at, "at", "", "validation time (RFC 3339 or YYYY-MM-DD); default now")
	fl.StringVar(&f.format, "format", "text", "report format: text or json")
	fl.StringVar(&f.lang, "lang", "ru", "language of the text report: ru or en")
	return cmd
}

func pdfVerify(cmd *cobra.Command, f verifyFlags) error {
	if f.in == "" {
		return errors.New("pdf verify needs --in (the signed PDF)")
	}
	if err := f.checkOutput(); err != nil {
		return err
	}
	opts, err := verifyOptions(f)
	if err != nil {
		return err
	}
	data, err := readPDF(f.in)
	if err != nil {
		return err
	}
	res, err := verify.PDF(cmd.Context(), bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		return fmt.Errorf("%s: %w", f.in, err)
	}
	res.File = f.in
	if err := f.writeReport(cmd.OutOrStdout(), res, res.WriteText); err != nil {
		return err
	}
	if len(res.Signatures) == 0 {
		return errInvalid{fmt.Sprintf("%s: no signatures", f.in)}
	}
	bad := 0
	for i := range res.Signatures {
		if !res.Signatures[i].Valid() {
			bad++
		}
	}
	if bad > 0 {
		return errInvalid{fmt.Sprintf("%s: %d of %d signatures not valid", f.in, bad, len(res.Signatures))}
	}
	return nil
}

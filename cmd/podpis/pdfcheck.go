package main

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/podpis/podpis/pdf"
	"github.com/podpis/podpis/pdf/pdfsign"
	"github.com/podpis/podpis/verify"
)

// pdfCheckRule is one PDF/A-2b self-check (shared spec PDFA2B.md §5).
type pdfCheckRule struct {
	Rule   string `json:"rule"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

// pdfCheckReport is what `podpis pdf check` found.
type pdfCheckReport struct {
	File    string `json:"file"`
	Size    int    `json:"size"`
	MaxSize int    `json:"maxSize"`
	SizeOK  bool   `json:"sizeOK"`
	// PDFAPart and PDFAConformance are the XMP pdfaid claim, empty if none.
	PDFAPart        string                `json:"pdfaPart,omitempty"`
	PDFAConformance string                `json:"pdfaConformance,omitempty"`
	Rules           []pdfCheckRule        `json:"rules"`
	Signatures      []verify.PDFSignature `json:"signatures"`
	// SignatureError says why the signatures could not be read.
	SignatureError string `json:"signatureError,omitempty"`
	// QRCodes are the QR codes drawn as vector rectangles, decoded.
	QRCodes []pdfQR `json:"qrCodes"`
}

func newPDFCheckCmd() *cobra.Command {
	var f verifyFlags
	cmd := &cobra.Command{
		Use:   "check FILE [--format text|json] [--trust CA.pem]",
		Short: "Check a received PDF: PDF/A-2b claim and rules, size, signatures",
		Long: `Check a PDF: its PDF/A claim (pdfaid part and conformance in the XMP
metadata), the PDF/A-2b rules that can be checked without a full validator
(header and binary comment, trailer /ID, no encryption, no JavaScript or other
forbidden actions, XMP metadata unfiltered, sRGB output intent, fonts
embedded, annotations printable, EOL before endstream), the size against the
portal's 5 MB limit, and every signature with its verification result. Without
--trust no certificate is trusted, so signatures that are otherwise sound are
INDETERMINATE; give --trust for a full verification.

QR codes drawn as filled vector rectangles (as podpis and most generators draw
them) are rasterised and decoded, in the first 50 content streams that fill
rectangles, with their page and position (millimetres from the page's top-left
corner); QR codes drawn as images (8-bit grey or RGB, or JPEG, up to 16
megapixels) are decoded too, without their position.

The rules are a byte-level scan, not a validator: use veraPDF or PDFBox
Preflight for a verdict.

Exit status 0: every rule holds and no signature is broken (with --trust:
every signature valid); 1: something failed; 2: could not check.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.format != "text" && f.format != "json" {
				return fmt.Errorf("unknown --format %q: use text or json", f.format)
			}
			if f.lang != "ru" && f.lang != "en" {
				return fmt.Errorf("unknown --lang %q: use ru or en", f.lang)
			}
			var opts verify.Options
			if len(f.trust) > 0 {
				var err error
				if opts, err = verifyOptions(f); err != nil {
					return err
				}
			}
			data, err := readPDF(args[0])
			if err != nil {
				return err
			}
			rep := checkPDF(data)
			rep.File = args[0]
			rep.QRCodes = findQRCodes(data)
			if rep.QRCodes == nil {
				rep.QRCodes = []pdfQR{}
			}
			res, err := verify.PDF(cmd.Context(), bytes.NewReader(data), int64(len(data)), opts)
			if err != nil {
				if errors.Is(err, pdfsign.ErrEncrypted) {
					rep.SignatureError = err.Error()
				} else {
					return fmt.Errorf("%s: %w", args[0], err)
				}
			} else {
				rep.Signatures = res.Signatures
			}
			if rep.Signatures == nil {
				rep.Signatures = []verify.PDFSignature{}
			}
			if err := f.writeReport(cmd.OutOrStdout(), rep, rep.writeText); err != nil {
				return err
			}
			if msg := rep.failure(len(f.trust) > 0); msg != "" {
				return errInvalid{fmt.Sprintf("%s: %s", args[0], msg)}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "text", "report format: text or json")
	fl.StringVar(&f.lang, "lang", "ru", "language of the signature reports: ru or en")
	fl.StringArrayVar(&f.trust, "trust", nil, "trusted root certificates for the signatures; repeatable")
	fl.StringArrayVar(&f.crls, "crl", nil, "revocation list (PEM or DER); repeatable")
	fl.StringArrayVar(&f.certs, "certs", nil, "more certificates: intermediates or the signer's; repeatable")
	fl.StringVar(&f.at, "at", "", "validation time (RFC 3339 or YYYY-MM-DD); default now")
	return cmd
}

// failure says in a few words what failed, or "" when nothing did.
func (r *pdfCheckReport) failure(trusted bool) string {
	var bad []string
	if !r.SizeOK {
		bad = append(bad, "over 5 MB")
	}
	if r.PDFAPart == "" {
		bad = append(bad, "no PDF/A claim")
	}
	n := 0
	for _, rule := range r.Rules {
		if !rule.OK {
			n++
		}
	}
	if n > 0 {
		bad = append(bad, fmt.Sprintf("%d PDF/A rule(s) failed", n))
	}
	broken := 0
	for i := range r.Signatures {
		s := &r.Signatures[i]
		switch {
		case trusted && !s.Valid():
			broken++
		case !s.ByteRangeOK || s.Report == nil || s.Report.Indication == verify.TotalFailed:
			broken++
		}
	}
	if broken > 0 {
		bad = append(bad, fmt.Sprintf("%d signature(s) not valid", broken))
	}
	if r.SignatureError != "" {
		bad = append(bad, "signatures unreadable")
	}
	return strings.Join(bad, ", ")
}

func (r *pdfCheckReport) writeText(w io.Writer, lang verify.Lang) error {
	var b strings.Builder
	mark := func(ok bool) string {
		if ok {
			return "ok  "
		}
		return "FAIL"
	}
	fmt.Fprintf(&b, "%s\n", r.File)
	fmt.Fprintf(&b, "%s size: %d bytes (limit %d)\n", mark(r.SizeOK), r.Size, r.MaxSize)
	if r.PDFAPart != "" {
		fmt.Fprintf(&b, "ok   PDF/A claim: PDF/A-%s%s\n", r.PDFAPart, strings.ToLower(r.PDFAConformance))
	} else {
		fmt.Fprintf(&b, "FAIL PDF/A claim: none (no pdfaid:part in XMP metadata)\n")
	}
	for _, rule := range r.Rules {
		fmt.Fprintf(&b, "%s %s", mark(rule.OK), rule.Rule)
		if rule.Detail != "" {
			fmt.Fprintf(&b, ": %s", rule.Detail)
		}
		b.WriteString("\n")
	}
	for _, q := range r.QRCodes {
		where := fmt.Sprintf("page %d", q.Page)
		switch {
		case q.Image:
			fmt.Fprintf(&b, "QR code, image object %d: %s\n", q.Object, q.Payload)
			continue
		case q.Page == 0:
			where = fmt.Sprintf("object %d", q.Object)
		}
		fmt.Fprintf(&b, "QR code, %s, at %.1f,%.1f mm: %s\n", where, q.X, q.Y, q.Payload)
	}
	if len(r.QRCodes) == 0 {
		b.WriteString("QR codes: none found\n")
	}
	if r.SignatureError != "" {
		fmt.Fprintf(&b, "FAIL signatures: %s\n", r.SignatureError)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if len(r.Signatures) == 0 {
		_, err := io.WriteString(w, "signatures: none\n")
		return err
	}
	return (&verify.PDFReport{Signatures: r.Signatures}).WriteText(w, lang)
}

var (
	reStreamKw      = regexp.MustCompile(`stream\r?\n`)
	reObjStm        = regexp.MustCompile(`/Type\s*/(ObjStm|Metadata)\b`)
	reFilter        = regexp.MustCompile(`/Filter\b`)
	rePdfaPart      = regexp.MustCompile(`pdfaid:part\s*(?:=\s*["']\s*(\d)\s*["']|>\s*(\d)\s*<)`)
	rePdfaConf      = regexp.MustCompile(`pdfaid:conformance\s*(?:=\s*["']\s*([A-Za-z])\s*["']|>\s*([A-Za-z])\s*<)`)
	reForbidden     = regexp.MustCompile(`/(JavaScript|JS|Launch|AA|EmbeddedFiles|XFA)[\s/<>\[\]()]`)
	reNeedAppear    = regexp.MustCompile(`/NeedAppearances\s*true`)
	reOutputIntent  = regexp.MustCompile(`/S\s*/GTS_PDFA1\b`)
	reFontDesc      = regexp.MustCompile(`/Type\s*/FontDescriptor\b`)
	reFontFile      = regexp.MustCompile(`/FontFile[23]?\b`)
	reFontDict      = regexp.MustCompile(`/Type\s*/Font\b`)
	reSimpleFont    = regexp.MustCompile(`/Subtype\s*/(Type1|MMType1|TrueType)\b`)
	reAnnot         = regexp.MustCompile(`/Subtype\s*/(Widget|Text|Link|FreeText|Line|Square|Circle|Polygon|PolyLine|Highlight|Underline|Squiggly|StrikeOut|Stamp|Caret|Ink|FileAttachment|Popup)\b`)
	reAnnotFlags    = regexp.MustCompile(`/F\s+(\d+)`)
	reStartxref     = regexp.MustCompile(`startxref\s+(\d+)`)
	maxCheckDecoded = int64(64 << 20)
)

// checkPDF runs the byte-level PDF/A-2b checks of PDFA2B.md §5 on data.
func checkPDF(data []byte) *pdfCheckReport {
	r := &pdfCheckReport{Size: len(data), MaxSize: pdf.MaxSize, SizeOK: len(data) <= pdf.MaxSize}
	add := func(rule string, ok bool, detail string) {
		r.Rules = append(r.Rules, pdfCheckRule{rule, ok, detail})
	}

	// 1. Header and binary comment.
	hdrOK := len(data) > 9 && bytes.HasPrefix(data, []byte("%PDF-1.")) && data[7] >= '0' && data[7] <= '7' && (data[8] == '\n' || data[8] == '\r')
	add("header %PDF-1.n", hdrOK, "")
	binOK := false
	if hdrOK {
		rest := data[9:]
		if len(rest) > 0 && rest[0] == '\n' && data[8] == '\r' {
			rest = rest[1:]
		}
		if len(rest) >= 5 && rest[0] == '%' {
			binOK = true
			for _, c := range rest[1:5] {
				if c < 0x80 {
					binOK = false
				}
			}
		}
	}
	add("binary comment after the header", binOK, "")

	// 2. The newest trailer: /ID, no /Encrypt.
	trailer := lastTrailer(data)
	add("trailer /ID", bytes.Contains(trailer, []byte("/ID")), "")
	add("no encryption", !bytes.Contains(trailer, []byte("/Encrypt")), "")

	// The text to scan: the file and its decoded object streams.
	corpus := [][]byte{data}
	xmpRaw := rePdfaPart.Match(data)
	var decoded int64
	for _, loc := range reStreamKw.FindAllIndex(data, -1) {
		start := max(0, loc[0]-4096)
		dict := data[start:loc[0]]
		if i := bytes.LastIndex(dict, []byte("obj")); i >= 0 {
			dict = dict[i:]
		}
		if !reObjStm.Match(dict) || !reFilter.Match(dict) {
			continue
		}
		end := bytes.Index(data[loc[1]:], []byte("endstream"))
		if end < 0 {
			continue
		}
		zr, err := zlib.NewReader(bytes.NewReader(data[loc[1] : loc[1]+end]))
		if err != nil {
			continue
		}
		out, _ := io.ReadAll(io.LimitReader(zr, maxCheckDecoded-decoded))
		decoded += int64(len(out))
		corpus = append(corpus, out)
		if decoded >= maxCheckDecoded {
			break
		}
	}
	all := bytes.Join(corpus, []byte("\n"))

	// 3. XMP claim, unfiltered.
	if m := rePdfaPart.FindSubmatch(all); m != nil {
		r.PDFAPart = string(m[1]) + string(m[2])
	}
	if m := rePdfaConf.FindSubmatch(all); m != nil {
		r.PDFAConformance = strings.ToUpper(string(m[1]) + string(m[2]))
	}
	switch {
	case r.PDFAPart == "":
		add("XMP metadata with pdfaid part 2, conformance B", false, "no pdfaid claim")
	case !xmpRaw:
		add("XMP metadata with pdfaid part 2, conformance B", false, "the metadata stream is compressed")
	case r.PDFAPart != "2" || r.PDFAConformance != "B":
		add("XMP metadata with pdfaid part 2, conformance B", false, fmt.Sprintf("claims PDF/A-%s%s", r.PDFAPart, strings.ToLower(r.PDFAConformance)))
	default:
		add("XMP metadata with pdfaid part 2, conformance B", true, "")
	}

	// 4. Output intent.
	add("output intent GTS_PDFA1", bytes.Contains(all, []byte("/OutputIntents")) && reOutputIntent.Match(all), "")

	// 5. Fonts embedded.
	var notEmbedded int
	for _, loc := range reFontDesc.FindAllIndex(all, -1) {
		if !reFontFile.Match(enclosingDict(all, loc[0])) {
			notEmbedded++
		}
	}
	for _, loc := range reFontDict.FindAllIndex(all, -1) {
		d := enclosingDict(all, loc[0])
		if reSimpleFont.Match(d) && !bytes.Contains(d, []byte("/FontDescriptor")) {
			notEmbedded++
		}
	}
	detail := ""
	if notEmbedded > 0 {
		detail = fmt.Sprintf("%d font(s) not embedded", notEmbedded)
	}
	add("fonts embedded", notEmbedded == 0, detail)

	// 6. Forbidden actions and entries.
	var found []string
	seen := map[string]bool{}
	for _, m := range reForbidden.FindAllSubmatch(all, -1) {
		if name := "/" + string(m[1]); !seen[name] {
			seen[name] = true
			found = append(found, name)
		}
	}
	if reNeedAppear.Match(all) {
		found = append(found, "/NeedAppearances true")
	}
	add("no JavaScript, actions, embedded files, XFA", len(found) == 0, strings.Join(found, " "))

	// 7. Annotations printable, not hidden.
	badAnnots := 0
	for _, loc := range reAnnot.FindAllIndex(all, -1) {
		d := enclosingDict(all, loc[0])
		m := reAnnotFlags.FindSubmatch(d)
		if m == nil {
			if !bytes.Contains(d, []byte("/Popup")) {
				badAnnots++
			}
			continue
		}
		var f int
		fmt.Sscan(string(m[1]), &f)
		if f&4 == 0 || f&(1|2|32) != 0 {
			badAnnots++
		}
	}
	detail = ""
	if badAnnots > 0 {
		detail = fmt.Sprintf("%d annotation(s) not printable or hidden", badAnnots)
	}
	add("annotations printable (/F 4)", badAnnots == 0, detail)

	// 8. EOL before endstream.
	badEOL := 0
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("endstream"))
		if j < 0 {
			break
		}
		i += j
		if i == 0 || (data[i-1] != '\n' && data[i-1] != '\r') {
			badEOL++
		}
		i += len("endstream")
	}
	detail = ""
	if badEOL > 0 {
		detail = fmt.Sprintf("%d stream(s) without an EOL before endstream", badEOL)
	}
	add("EOL before endstream", badEOL == 0, detail)

	// Nothing after the last %%EOF but one end-of-line (ISO 19005-2 §6.1.3).
	tail := ""
	if i := bytes.LastIndex(data, []byte("%%EOF")); i < 0 {
		tail = "no %%EOF"
	} else if rest := string(data[i+5:]); rest != "" && rest != "\n" && rest != "\r\n" && rest != "\r" {
		tail = fmt.Sprintf("%d byte(s) after %%%%EOF", len(rest))
	}
	add("nothing after %%EOF", tail == "", tail)
	return r
}

// lastTrailer returns the dictionary of the newest cross-reference section:
// the trailer after a table, or the cross-reference stream's dictionary.
func lastTrailer(data []byte) []byte {
	ms := reStartxref.FindAllSubmatchIndex(data, -1)
	if len(ms) == 0 {
		return nil
	}
	m := ms[len(ms)-1]
	var off int
	fmt.Sscan(string(data[m[2]:m[3]]), &off)
	if off < 0 || off >= m[0] {
		return nil
	}
	sect := data[off:m[0]]
	if bytes.HasPrefix(sect, []byte("xref")) {
		if i := bytes.Index(sect, []byte("trailer")); i >= 0 {
			return sect[i:]
		}
		return nil
	}
	if i := bytes.Index(sect, []byte("stream")); i >= 0 {
		return sect[:i]
	}
	return sect
}

// enclosingDict returns the innermost dictionary << … >> around data[i].
func enclosingDict(data []byte, i int) []byte {
	depth := 0
	start := -1
	for j := i - 1; j > 0 && i-j < 1<<16; j-- {
		if data[j] == '>' && data[j-1] == '>' {
			depth++
			j--
		} else if data[j] == '<' && data[j-1] == '<' {
			if depth == 0 {
				start = j - 1
				break
			}
			depth--
			j--
		}
	}
	if start < 0 {
		return nil
	}
	depth = 0
	for j := start; j+1 < len(data) && j-start < 1<<16; j++ {
		if data[j] == '<' && data[j+1] == '<' {
			depth++
			j++
		} else if data[j] == '>' && data[j+1] == '>' {
			depth--
			j++
			if depth == 0 {
				return data[start : j+1]
			}
		}
	}
	return data[start:]
}

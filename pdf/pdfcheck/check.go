// Package pdfcheck checks a received PDF against what the portal takes: the
// PDF/A claim in its XMP metadata and the PDF/A-2b rules that can be checked
// without a full validator (shared spec/pdfa/PDFA2B.md §5 and §1: header and
// binary comment, trailer /ID, no encryption, unfiltered XMP with pdfaid
// part 2 conformance B whose fields and dates match the Info dictionary, an
// sRGB-kind output intent with a matching ICC profile, every font embedded,
// annotations printable with appearance streams, no JavaScript or forbidden
// actions, EOL before endstream, nothing after %%EOF), the size against the
// 5 MB limit, and the QR codes on its pages — drawn as filled vector
// rectangles (rasterised, then decoded) or as image XObjects — with page and
// position.
//
// It reads the file's structure with package pdfread; signatures are
// package verify's (verify.PDF), which the CLI puts beside this report.
// The rules are checks, not a validator: veraPDF or PDFBox Preflight give
// the verdict.
//
// # Security contract
//
// Every input is public; nothing is constant time. Check never panics on
// any input (FuzzCheck); memory and time are bounded: decoded streams 64 MiB
// each (pdfread), 32 MiB of content streams interpreted, QR decoding of at
// most 50 pages and images, 100 000 rectangles and 4 megapixels per page
// raster, 16 megapixels per image, Form XObjects nested at most 8 deep.
package pdfcheck

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/podpis/podpis/pdf"
	"github.com/podpis/podpis/pdf/internal/pdfread"
)

// ErrFormat is wrapped by Check's error for a file whose structure cannot
// be read (no cross-reference, no catalog).
var ErrFormat = pdfread.ErrFormat

// Rule is one check and its outcome.
type Rule struct {
	Rule   string `json:"rule"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

// Report is what Check found.
type Report struct {
	Size    int  `json:"size"`
	MaxSize int  `json:"maxSize"`
	SizeOK  bool `json:"sizeOK"`
	// PDFAPart and PDFAConformance are the XMP pdfaid claim, empty if none.
	PDFAPart        string `json:"pdfaPart,omitempty"`
	PDFAConformance string `json:"pdfaConformance,omitempty"`
	// Encrypted says the file has an /Encrypt dictionary; its objects were
	// not read.
	Encrypted bool   `json:"encrypted,omitempty"`
	Rules     []Rule `json:"rules"`
	// QRCodes are the QR codes found on the pages, decoded.
	QRCodes []QRCode `json:"qrCodes"`
}

// Failed lists in a few words what failed; empty when nothing did.
func (r *Report) Failed() []string {
	var bad []string
	if !r.SizeOK {
		bad = append(bad, "over 5 MB")
	}
	switch {
	case r.Encrypted:
		return append(bad, "encrypted (not read further)")
	case r.PDFAPart == "":
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
	return bad
}

// Rule names, stable: programs read them from the JSON report.
const (
	RuleHeader       = "header %PDF-1.n"
	RuleBinary       = "binary comment after the header"
	RuleID           = "trailer /ID"
	RuleEncryption   = "no encryption"
	RuleXMP          = "XMP metadata with pdfaid part 2, conformance B"
	RuleInfoXMP      = "Info dictionary matches XMP"
	RuleOutputIntent = "output intent GTS_PDFA1"
	RuleFonts        = "fonts embedded"
	RuleActions      = "no JavaScript, actions, embedded files, XFA"
	RuleAnnotFlags   = "annotations printable (/F 4)"
	RuleAppearance   = "annotations have appearance streams (/AP /N)"
	RuleEOL          = "EOL before endstream"
	RuleEOF          = "nothing after %%EOF"
)

var (
	reStreamKw  = regexp.MustCompile(`stream\r?\n`)
	reObjStm    = regexp.MustCompile(`/Type\s*/ObjStm\b`)
	reFilter    = regexp.MustCompile(`/Filter\b`)
	reForbidden = regexp.MustCompile(`/(JavaScript|JS|Launch|AA|EmbeddedFiles|XFA|ImportData|ResetForm|Movie|Sound|Rendition|SetOCGState|GoTo3DView|Hide)[\s/<>\[\]()]`)
	reNeedAppr  = regexp.MustCompile(`/NeedAppearances\s*true`)
)

// maxScanned bounds the decoded object streams scanned for forbidden keys.
const maxScanned = 64 << 20

// Check checks the PDF data. A Go error (wrapping ErrFormat) means its
// structure could not be read; everything else is in the Report, an
// encrypted file included.
func Check(data []byte) (*Report, error) {
	r := &Report{Size: len(data), MaxSize: pdf.MaxSize, SizeOK: len(data) <= pdf.MaxSize, Rules: []Rule{}, QRCodes: []QRCode{}}
	add := func(rule string, ok bool, detail string) {
		r.Rules = append(r.Rules, Rule{rule, ok, detail})
	}
	d, err := pdfread.Parse(data)
	if errors.Is(err, pdfread.ErrEncrypted) {
		r.Encrypted = true
	} else if err != nil {
		return nil, fmt.Errorf("pdfcheck: %w", err)
	}

	// Header and binary comment (ISO 19005-2 §6.1.2).
	hdrOK := len(data) > 9 && bytes.HasPrefix(data, []byte("%PDF-1.")) && data[7] >= '0' && data[7] <= '7' && (data[8] == '\n' || data[8] == '\r')
	add(RuleHeader, hdrOK, "")
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
	add(RuleBinary, binOK, "")
	if r.Encrypted {
		add(RuleEncryption, false, "the trailer has /Encrypt; nothing else was read")
		return r, nil
	}
	add(RuleEncryption, true, "")
	id, _ := d.Trailer["ID"].(pdfread.Array)
	idOK := len(id) == 2
	for _, v := range id {
		if _, ok := v.(pdfread.Str); !ok {
			idOK = false
		}
	}
	add(RuleID, idOK, "")

	catalog, err := d.Catalog()
	if err != nil {
		return nil, fmt.Errorf("pdfcheck: %w", err)
	}
	c := &checker{d: d, r: r, add: add, catalog: catalog}
	c.metadata()
	c.outputIntent()
	pages, err := d.Pages(catalog)
	if err != nil {
		return nil, fmt.Errorf("pdfcheck: %w", err)
	}
	c.pages = pages
	c.fonts()
	c.actions(data)
	c.annotations()
	eolAndEOF(data, add)
	r.QRCodes = findQRCodes(d, pages)
	return r, nil
}

type checker struct {
	d       *pdfread.Document
	r       *Report
	add     func(rule string, ok bool, detail string)
	catalog pdfread.Dict
	pages   []pdfread.Ref
}

// actions scans every object, in the file and in decoded object streams,
// for the keys PDF/A-2 forbids (ISO 19005-2 §6.5.1, §6.6.1, §6.8, §6.9:
// JavaScript, Launch and the other forbidden actions, additional actions,
// embedded files (level 2b), XFA) and NeedAppearances true.
func (c *checker) actions(data []byte) {
	corpus := [][]byte{data}
	var decoded int64
	for _, loc := range reStreamKw.FindAllIndex(data, -1) {
		dict := data[max(0, loc[0]-4096):loc[0]]
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
		out, _ := io.ReadAll(io.LimitReader(zr, maxScanned-decoded))
		decoded += int64(len(out))
		corpus = append(corpus, out)
		if decoded >= maxScanned {
			break
		}
	}
	var found []string
	seen := map[string]bool{}
	for _, b := range corpus {
		for _, m := range reForbidden.FindAllSubmatch(b, -1) {
			if name := "/" + string(m[1]); !seen[name] {
				seen[name] = true
				found = append(found, name)
			}
		}
		if reNeedAppr.Match(b) && !seen["NA"] {
			seen["NA"] = true
			found = append(found, "/NeedAppearances true")
		}
	}
	c.add(RuleActions, len(found) == 0, strings.Join(found, " "))
}

// eolAndEOF checks that every endstream follows an end-of-line (ISO
// 19005-2 §6.1.7) and nothing but one EOL follows the last %%EOF (§6.1.3).
func eolAndEOF(data []byte, add func(string, bool, string)) {
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
	detail := ""
	if badEOL > 0 {
		detail = fmt.Sprintf("%d stream(s) without an EOL before endstream", badEOL)
	}
	add(RuleEOL, badEOL == 0, detail)
	tail := ""
	if i := bytes.LastIndex(data, []byte("%%EOF")); i < 0 {
		tail = "no %%EOF"
	} else if rest := string(data[i+5:]); rest != "" && rest != "\n" && rest != "\r\n" && rest != "\r" {
		tail = fmt.Sprintf("%d byte(s) after %%%%EOF", len(rest))
	}
	add(RuleEOF, tail == "", tail)
}

package verify

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/pki"
)

// Kind is what a file is, sniffed from its bytes (never from its name).
type Kind string

// Kinds of file Sniff tells apart, and kinds of Result.
const (
	// KindCMS is a CMS SignedData: DER, BER, PEM or bare Base64 (cms.Parse).
	KindCMS Kind = "cms"
	// KindPDF is a PDF: "%PDF-" within the first 1024 bytes (ISO 32000-1
	// §7.5.2 puts the header first; readers accept it within 1024 bytes,
	// as Adobe's implementation notes say).
	KindPDF Kind = "pdf"
	// KindMCHD is an EMCHD_1 power of attorney: XML whose root element is
	// Доверенность (FORMAT.md §3).
	KindMCHD Kind = "mchd"
	// KindData is anything else: a document that a detached signature may
	// cover.
	KindData Kind = "data"
	// KindRepresentative is a Result for a document signed by a
	// representative, checked together with the POA that empowers them.
	KindRepresentative Kind = "representative"
)

// CodeMCHDPowerNotChecked warns that a document signed by a representative
// was checked without a power code: the POA names the signer, but whether it
// grants the power the document needs was not asked (FORMAT.md §8.3.7).
const CodeMCHDPowerNotChecked Code = "MCHD_POWER_NOT_CHECKED"

// CodeMCHDSignedOutsideTerm: the document was signed (timestamp, else the
// signer's claim) outside the POA's term, ДатаВыдДовер … СрокДейст
// inclusive, in Moscow days (FORMAT.md §8.3.5).
const CodeMCHDSignedOutsideTerm Code = "MCHD_SIGNED_OUTSIDE_TERM"

// ErrUnrecognized is returned by Any when the files do not make a signed
// object it can check; the message says what was found.
var ErrUnrecognized = errors.New("verify: nothing to verify")

// Input is one file given to Any: its name (for the report and the ИдФайл
// check of a POA; may be empty) and its bytes.
type Input struct {
	Name string
	Data []byte
}

// AnyOptions are the inputs of Any besides the files: Options for every
// signature; Registry, PrintedForm and Power for a POA. Representative is
// ignored: for a document signed by a representative it is the document
// signer's certificate.
type AnyOptions struct {
	MCHDOptions
}

// Role is what one input turned out to be.
type Role struct {
	Name string `json:"name,omitempty"`
	Kind Kind   `json:"kind"`
	// Role is signature, document, pdf, mchd or mchd-signature.
	Role string `json:"role"`
}

// Result is the outcome of Any: the overall verdict and, by Kind, the
// report of the CMS signature, the PDF or the POA. For a document signed
// by a representative CMS is the document's signature and MCHD the POA
// check with its power answer. JSON field names are stable (fields may be
// added, none renamed).
type Result struct {
	Kind           Kind          `json:"kind"`
	Indication     Indication    `json:"indication"`
	SubIndication  SubIndication `json:"subIndication,omitempty"`
	Code           Code          `json:"code"`
	Detail         string        `json:"detail,omitempty"`
	ValidationTime time.Time     `json:"validationTime"`
	Files          []Role        `json:"files"`
	Warnings       []Warning     `json:"warnings,omitempty"`

	CMS  *Report     `json:"cms,omitempty"`
	PDF  *PDFReport  `json:"pdf,omitempty"`
	MCHD *MCHDReport `json:"mchd,omitempty"`
}

// Passed reports whether everything checked passed.
func (r *Result) Passed() bool { return r.Indication == TotalPassed }

// maxSniff bounds what Sniff looks at (the PDF header window; the XML
// prologue before the root element).
const maxSniff = 1024

// Sniff says what data is. It reads at most the first kilobyte for PDF and
// XML; a CMS is recognised by parsing it (cms.Parse: bounded, never panics).
func Sniff(data []byte) Kind {
	k, _ := sniff(data)
	return k
}

func sniff(data []byte) (Kind, *cms.SignedData) {
	head := data[:min(len(data), maxSniff)]
	if bytes.Contains(head, []byte("%PDF-")) {
		return KindPDF, nil
	}
	if isMCHD(head) {
		return KindMCHD, nil
	}
	if sd, err := cms.Parse(data); err == nil {
		return KindCMS, sd
	}
	return KindData, nil
}

// rootCP1251 is "<Доверенность" in windows-1251, the encoding of the older
// format 002 (FORMAT.md §2): sniffed as a POA so that the check says which
// format it is not, rather than treating it as a plain document.
var rootCP1251 = []byte{'<', 0xC4, 0xEE, 0xE2, 0xE5, 0xF0, 0xE5, 0xED, 0xED, 0xEE, 0xF1, 0xF2, 0xFC}

// isMCHD reports whether head starts an XML document whose root element is
// Доверенность.
func isMCHD(head []byte) bool {
	head = bytes.TrimPrefix(head, utf8BOM)
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) == 0 || t[0] != '<' {
		return false
	}
	if bytes.HasPrefix(t, []byte("<?xml")) && bytes.Contains(head, rootCP1251) {
		return true
	}
	d := xml.NewDecoder(bytes.NewReader(head))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		tok, err := d.RawToken()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local == "Доверенность"
		}
	}
}

// sniffed is an input with what it is.
type sniffed struct {
	Input
	kind Kind
	sd   *cms.SignedData
	// signs is the index of the input a detached signature covers, -1
	// when none was found; a CMS with content signs itself.
	signs int
	used  bool
}

// Any verifies whatever in is: a CMS signature attached, or detached with
// its document (DER, BER, PEM or Base64); a signed PDF; a power of attorney
// (EMCHD_1 XML) with its detached signature; or a document signed by a
// representative together with the POA that empowers them and the POA's
// signature. What each file is comes from its bytes (Sniff); which document
// a detached signature covers from its messageDigest. It then runs CMS, PDF
// or MCHD; for a representative, CMS on the document and MCHD with the
// document signer's certificate as the representative and opts.Power as the
// power asked, and checks that the document was signed within the POA's
// term.
//
// A Go error means the files do not make something to check (ErrUnrecognized,
// with what was found) or the context ended; every verdict is in the Result.
func Any(ctx context.Context, in []Input, opts AnyOptions) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.At.IsZero() {
		opts.At = time.Now()
	}
	if len(in) == 0 {
		return nil, fmt.Errorf("%w: no files given", ErrUnrecognized)
	}
	files := make([]*sniffed, len(in))
	for i, f := range in {
		k, sd := sniff(f.Data)
		files[i] = &sniffed{Input: f, kind: k, sd: sd, signs: -1}
	}
	pair(files)
	var sigs, mchds, pdfs []*sniffed
	for _, f := range files {
		switch f.kind {
		case KindCMS:
			sigs = append(sigs, f)
		case KindMCHD:
			mchds = append(mchds, f)
		case KindPDF:
			pdfs = append(pdfs, f)
		}
	}
	var res *Result
	var err error
	switch {
	case len(mchds) > 1:
		return nil, fmt.Errorf("%w: %d powers of attorney given; give one", ErrUnrecognized, len(mchds))
	case len(mchds) == 1:
		res, err = anyMCHD(ctx, files, mchds[0], sigs, opts)
	case len(sigs) == 0 && len(pdfs) == 1 && len(files) == 1:
		res, err = anyPDF(ctx, pdfs[0], opts)
	case len(sigs) == 1:
		res, err = anyCMS(ctx, files, sigs[0], opts.Options)
	default:
		return nil, fmt.Errorf("%w: %s", ErrUnrecognized, describe(files))
	}
	if err != nil {
		return nil, err
	}
	if err := leftover(files); err != nil {
		return nil, err
	}
	return res, nil
}

// pair finds, for each CMS, the input it signs: itself when attached; for a
// detached one the input whose digest equals the first signer's
// messageDigest, or else the only input that is not a signature.
func pair(files []*sniffed) {
	var docs []int
	for i, f := range files {
		if f.kind != KindCMS {
			docs = append(docs, i)
		}
	}
	for i, f := range files {
		if f.kind != KindCMS {
			continue
		}
		if !f.sd.Detached {
			f.signs = i
			continue
		}
		for _, j := range docs {
			if CoversDigest(f.sd, files[j].Data) {
				f.signs = j
				break
			}
		}
	}
	// A detached signature whose digest matched nothing (it may be
	// unreadable): give it the only document left, so that CMS reports why.
	var unsigned []int
	for _, j := range docs {
		taken := false
		for _, f := range files {
			if f.signs == j {
				taken = true
			}
		}
		if !taken {
			unsigned = append(unsigned, j)
		}
	}
	var lost []*sniffed
	for _, f := range files {
		if f.kind == KindCMS && f.signs < 0 {
			lost = append(lost, f)
		}
	}
	if len(lost) == 1 && len(unsigned) == 1 {
		lost[0].signs = unsigned[0]
	}
}

// CoversDigest reports whether a signer of sd has a messageDigest equal to
// the digest of content under that signer's digest algorithm: whether sd
// claims to sign content (the signature itself is not checked). Bulk
// verification uses it to pair a signature with its document.
func CoversDigest(sd *cms.SignedData, content []byte) bool {
	for _, si := range sd.Signers {
		if si.Err != nil {
			continue
		}
		md, ok := MessageDigest(si)
		if !ok {
			continue
		}
		newHash, ok := pki.HashByOID(si.DigestAlgorithm.Algorithm)
		if !ok {
			continue
		}
		h := newHash()
		h.Write(content)
		if bytes.Equal(h.Sum(nil), md) {
			return true
		}
	}
	return false
}

// MessageDigest returns the messageDigest signed attribute of si (RFC 5652
// §11.2: an OCTET STRING).
func MessageDigest(si *cms.SignerInfo) ([]byte, bool) {
	a, ok := cms.Get(si.SignedAttrs, cms.OIDAttrMessageDigest)
	if !ok || len(a.Values) != 1 {
		return nil, false
	}
	v := a.Values[0]
	// DER OCTET STRING with a short or long definite length.
	if len(v) < 2 || v[0] != 0x04 {
		return nil, false
	}
	n, off := int(v[1]), 2
	if n >= 0x80 {
		l := n & 0x7f
		if l == 0 || l > 2 || len(v) < 2+l {
			return nil, false
		}
		n = 0
		for _, b := range v[2 : 2+l] {
			n = n<<8 | int(b)
		}
		off = 2 + l
	}
	if len(v) != off+n {
		return nil, false
	}
	return v[off:], true
}

func anyCMS(ctx context.Context, files []*sniffed, sig *sniffed, opts Options) (*Result, error) {
	sig.used = true
	res := &Result{Kind: KindCMS, Files: []Role{{sig.Name, KindCMS, "signature"}}}
	var rep *Report
	var err error
	if sig.signs >= 0 && files[sig.signs] != sig {
		doc := files[sig.signs]
		doc.used = true
		res.Files = append(res.Files, Role{doc.Name, doc.kind, "document"})
		// The SignedData sniffing parsed is verified as it is: parsing it
		// again (certificates, key checks) would cost a third of the time
		// of a small file.
		rep, _, err = cmsReport(ctx, sig.sd, doc.Data, opts)
	} else {
		rep, err = CMS(ctx, sig.Data, nil, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sig.Name, err)
	}
	rep.File = sig.Name
	res.CMS = rep
	res.ValidationTime = rep.ValidationTime
	res.Indication = rep.Indication
	res.SubIndication, res.Code, res.Detail = firstProblem(rep)
	return res, nil
}

// firstProblem is the sub-indication, code and detail of the first signature
// that did not pass (OK when all did).
func firstProblem(rep *Report) (SubIndication, Code, string) {
	if len(rep.Signatures) == 0 {
		return FormatFailure, CodeFormatFailure, "the SignedData holds no signature"
	}
	for _, want := range []Indication{TotalFailed, Indeterminate} {
		for _, s := range rep.Signatures {
			if s.Indication == want {
				return s.SubIndication, s.Code, s.Detail
			}
		}
	}
	return "", CodeOK, ""
}

func anyPDF(ctx context.Context, f *sniffed, opts AnyOptions) (*Result, error) {
	f.used = true
	rep, err := PDF(ctx, bytes.NewReader(f.Data), int64(len(f.Data)), opts.Options)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	rep.File = f.Name
	res := pdfResult(rep)
	if res.ValidationTime.IsZero() {
		res.ValidationTime = opts.At.UTC()
	}
	return res, nil
}

// pdfResult sums up a PDF report: no signature fails it; otherwise the
// worst signature decides — a broken ByteRange or unreadable /Contents
// fails the PDF, a failed CMS fails it, an undecided one leaves it
// undecided.
func pdfResult(r *PDFReport) *Result {
	res := &Result{Kind: KindPDF, PDF: r, Indication: TotalPassed, Code: CodeOK, Files: []Role{{r.File, KindPDF, "pdf"}}}
	if len(r.Signatures) == 0 {
		res.Indication, res.SubIndication, res.Code, res.Detail = TotalFailed, SignedDataNotFound, CodeFormatFailure, "the PDF has no signature"
		return res
	}
	for i := range r.Signatures {
		s := &r.Signatures[i]
		switch {
		case !s.ByteRangeOK:
			res.Indication, res.SubIndication, res.Code = TotalFailed, HashFailure, CodeContentMismatch
			res.Detail = fmt.Sprintf("signature %d (%s): the ByteRange %s", i+1, s.Field, s.ByteRangeProblem)
			return res
		case s.Report == nil:
			res.Indication, res.SubIndication, res.Code = TotalFailed, FormatFailure, CodeFormatFailure
			res.Detail = fmt.Sprintf("signature %d (%s): /Contents cannot be read", i+1, s.Field)
			return res
		}
		if i == 0 {
			res.ValidationTime = s.Report.ValidationTime
		}
		if rank(s.Report.Indication) > rank(res.Indication) {
			res.Indication = s.Report.Indication
			res.SubIndication, res.Code, res.Detail = firstProblem(s.Report)
			res.Detail = fmt.Sprintf("signature %d (%s): %s", i+1, s.Field, res.Detail)
		}
	}
	return res
}

// anyMCHD checks a POA; when another signature covers a document, the
// document's signer is asked about as the representative.
func anyMCHD(ctx context.Context, files []*sniffed, poa *sniffed, sigs []*sniffed, opts AnyOptions) (*Result, error) {
	poa.used = true
	var poaSig, docSig *sniffed
	for _, s := range sigs {
		switch {
		case s.signs >= 0 && files[s.signs] == poa && poaSig == nil:
			poaSig = s
		case docSig == nil && (s.signs < 0 || files[s.signs] != poa):
			docSig = s
		default:
			return nil, fmt.Errorf("%w: more signatures than a POA, its signature and one signed document: %s", ErrUnrecognized, describe(files))
		}
	}
	f := MCHDFile{Name: baseName(poa.Name), XML: poa.Data}
	roles := []Role{{poa.Name, KindMCHD, "mchd"}}
	if poaSig != nil {
		poaSig.used = true
		f.Signature = poaSig.Data
		roles = append(roles, Role{poaSig.Name, KindCMS, "mchd-signature"})
	}
	mopts := opts.MCHDOptions
	mopts.Representative = nil
	if docSig == nil {
		mopts.Power = ""
		rep, err := MCHD(ctx, f, mopts)
		if err != nil {
			return nil, err
		}
		res := &Result{Kind: KindMCHD, MCHD: rep, Files: roles, ValidationTime: rep.ValidationTime,
			Indication: rep.Indication, SubIndication: rep.SubIndication, Code: rep.Code, Detail: rep.Detail}
		return res, nil
	}
	res, err := anyCMS(ctx, files, docSig, opts.Options)
	if err != nil {
		return nil, err
	}
	res.Kind = KindRepresentative
	res.Files = append(res.Files, roles...)
	cert := signerCert(docSig.sd, opts.Certificates)
	if cert == nil {
		// CMS has reported SIGNER_CERT_NOT_FOUND: there is nobody to ask about.
		rep, err := MCHD(ctx, f, mopts)
		if err != nil {
			return nil, err
		}
		res.MCHD = rep
		return res, nil
	}
	mopts.Representative = cert
	noPower := mopts.Power == ""
	if noPower {
		// MCHD asks the power question only with a power; ask it with a
		// code no POA grants and keep the answer about the person.
		mopts.Power = noPowerAsked
	}
	rep, err := MCHD(ctx, f, mopts)
	if err != nil {
		return nil, err
	}
	if noPower {
		unaskPower(rep)
		res.Warnings = append(res.Warnings, Warning{CodeMCHDPowerNotChecked,
			"no power code was given: the POA names the signer as a representative, but whether it grants the power this document needs was not checked"})
	}
	res.MCHD = rep
	mergeMCHD(res, rep)
	checkSignedInTerm(res, rep)
	return res, nil
}

// noPowerAsked stands for "no power" in the power question; it is no valid
// power code (those are letters, digits, '_' and '.'; FORMAT.md §7).
const noPowerAsked = "\x00"

// unaskPower turns the step about a power nobody asked for back into a step
// about the person: a missing power is then no failure.
func unaskPower(rep *MCHDReport) {
	for i, s := range rep.Steps {
		if s.Step == "power" && (s.Code == CodeMCHDPowerMissing || s.Code == CodeMCHDTextPowers) {
			rep.Steps[i] = MCHDStep{Step: "power", Indication: TotalPassed, Code: CodeOK}
		}
	}
	if rep.Answer != nil {
		rep.Answer.Power = ""
	}
	rep.finish()
	if rep.Answer != nil {
		rep.Answer.Allowed = rep.Passed()
		rep.Answer.Codes = nil
		for _, s := range rep.Steps {
			if s.Indication != TotalPassed {
				rep.Answer.Codes = append(rep.Answer.Codes, s.Code)
			}
		}
	}
}

// mergeMCHD makes res the worse of the document's verdict and the POA's.
func mergeMCHD(res *Result, rep *MCHDReport) {
	if rank(rep.Indication) > rank(res.Indication) {
		res.Indication, res.SubIndication, res.Code, res.Detail = rep.Indication, rep.SubIndication, rep.Code, "the power of attorney: "+rep.Detail
	}
}

func rank(i Indication) int {
	switch i {
	case TotalPassed:
		return 0
	case Indeterminate:
		return 1
	}
	return 2
}

// checkSignedInTerm fails res when the document's first signature was made
// outside the POA's term (days in Moscow time, both ends inclusive).
func checkSignedInTerm(res *Result, rep *MCHDReport) {
	if res.CMS == nil || len(res.CMS.Signatures) == 0 || rep.POA == nil {
		return
	}
	s := res.CMS.Signatures[0]
	var when time.Time
	switch {
	case s.Timestamp != nil && s.Timestamp.Valid:
		when = s.Timestamp.Time
	case s.SigningTime != nil:
		when = *s.SigningTime
	default:
		return
	}
	issued, err1 := mchd.ParseDate(rep.POA.Issued)
	until, err2 := mchd.ParseDate(rep.POA.ValidUntil)
	if err1 != nil || err2 != nil {
		return // the POA's own term step has failed
	}
	d := day(when)
	if d.Before(issued) || d.After(until) {
		res.Indication, res.SubIndication, res.Code = TotalFailed, SigConstraintsFailure, CodeMCHDSignedOutsideTerm
		res.Detail = fmt.Sprintf("the document was signed on %s; the POA is valid from %s through %s",
			d.Format(time.DateOnly), rep.POA.Issued, rep.POA.ValidUntil)
	}
}

// signerCert finds the first signer's certificate among those sd carries,
// the signer's certValues and extra.
func signerCert(sd *cms.SignedData, extra []*pki.Certificate) *pki.Certificate {
	if sd == nil || len(sd.Signers) == 0 || sd.Signers[0].Err != nil {
		return nil
	}
	si := sd.Signers[0]
	for _, list := range [][]*pki.Certificate{sd.Certificates, si.CertificateValues(), extra} {
		for _, c := range list {
			if si.SID.Matches(c) {
				return c
			}
		}
	}
	return nil
}

// leftover reports inputs that played no part: the caller gave something
// that was not checked, which must not pass silently.
func leftover(files []*sniffed) error {
	var names []string
	for _, f := range files {
		if !f.used {
			names = append(names, label(f))
		}
	}
	if len(names) == 0 {
		return nil
	}
	return fmt.Errorf("%w: no signature covers %s", ErrUnrecognized, strings.Join(names, ", "))
}

// describe lists the inputs and what each is, for an error message.
func describe(files []*sniffed) string {
	parts := make([]string, len(files))
	for i, f := range files {
		parts[i] = label(f) + " (" + kindWords(f) + ")"
	}
	return strings.Join(parts, ", ")
}

func label(f *sniffed) string {
	if f.Name != "" {
		return f.Name
	}
	return fmt.Sprintf("%d bytes", len(f.Data))
}

func kindWords(f *sniffed) string {
	switch f.kind {
	case KindCMS:
		if f.sd.Detached {
			if f.signs < 0 {
				return "a detached signature of none of the other files"
			}
			return "a detached signature"
		}
		return "a signature with its content"
	case KindPDF:
		return "a PDF"
	case KindMCHD:
		return "a power of attorney"
	}
	if len(f.Data) == 0 {
		return "empty"
	}
	if utf8.Valid(f.Data[:min(len(f.Data), maxSniff)]) {
		return "text, not a signature"
	}
	return "not a signature, PDF or power of attorney"
}

// baseName is the last element of a slash- or backslash-separated name.
func baseName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		return name[i+1:]
	}
	return name
}

package pdfsign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/pdf"
	"github.com/podpis/podpis/pki"
)

// Signer is what signs a PDF: a private key with its certificate and chain.
// A sign.Signer (a key file or a token key) is one.
type Signer interface {
	crypto.Signer
	Certificate() *pki.Certificate
	Chain() []*pki.Certificate
}

// Options shape a signature. The zero value makes an invisible signature
// field named "Signature1" (or the next free number) on the first page,
// signed now.
type Options struct {
	// FieldName is the signature field's partial name (/T); empty means
	// "SignatureN" with the first N not taken.
	FieldName string
	// Page is the 1-based page the widget is on; 0 means the first.
	Page int
	// Time is the signing time (/M and the signingTime attribute); zero
	// means now.
	Time time.Time
	// Reason and Location go into the signature dictionary when set.
	Reason, Location string
	// Stamp, when set, makes the signature visible; nil means invisible.
	Stamp *Stamp
	// Timestamper, when set, time-stamps the signature (CAdES-T, ETSI EN
	// 319 122-1 §5.3; PAdES B-T): a tsp.Client for an RFC 3161 TSA. It is
	// asked twice: once over a dummy digest to learn the token's size for
	// the /Contents reserve, once over the signature value.
	Timestamper cms.Timestamper
}

// maxSize bounds what Sign accepts: the cross-reference stream writes
// offsets in four bytes.
const maxSize = 1 << 31

// byteRangeWidth is the width of each number patched into /ByteRange.
const byteRangeWidth = 10

// Sign appends to the PDF in[0:size] an incremental update that signs it
// and writes the whole signed file to out. The original bytes are copied
// unchanged (ISO 32000-1 §7.5.6): a signature dictionary, a signature field
// merged with its widget annotation, a new version of the catalog with
// /AcroForm and of the page with /Annots, and a cross-reference section
// of the kind the original uses. /Contents holds a detached CAdES-BES
// SignedData over the /ByteRange (ETSI EN 319 142-1 PAdES baseline B).
func Sign(ctx context.Context, in io.ReaderAt, size int64, out io.Writer, signer Signer, opts Options) error {
	if size < 0 || size > maxSize {
		return fmt.Errorf("pdfsign: file too large (%d bytes)", size)
	}
	buf := getBuffer(int(size))
	defer putBuffer(buf)
	data := *buf
	if n, err := in.ReadAt(data, 0); n < len(data) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("pdfsign: reading: %w", err)
	}
	upd, err := signUpdate(ctx, data, signer, opts)
	if err != nil {
		return wrap(err)
	}
	if _, err := out.Write(data); err != nil {
		return err
	}
	_, err = out.Write(upd)
	return err
}

// Sign reads a file into a buffer from bufferPool, so that signing many files
// neither zeroes nor garbage-collects a fresh buffer each time. Nothing keeps
// a reference to the buffer after Sign returns: the update is built in a
// buffer of its own, and io.Writer's contract forbids out to retain it.
var bufferPool sync.Pool // of *[]byte

// maxPooled bounds the buffers kept: a rare huge file is not held on to.
const maxPooled = 16 << 20

func getBuffer(n int) *[]byte {
	if n <= maxPooled {
		if b, ok := bufferPool.Get().(*[]byte); ok && cap(*b) >= n {
			*b = (*b)[:n]
			return b
		}
	}
	b := make([]byte, n)
	return &b
}

func putBuffer(b *[]byte) {
	if cap(*b) <= maxPooled {
		bufferPool.Put(b)
	}
}

// SignBytes is Sign for a PDF in memory; it returns the signed file and
// leaves data unchanged.
func SignBytes(ctx context.Context, data []byte, signer Signer, opts Options) ([]byte, error) {
	upd, err := signUpdate(ctx, data, signer, opts)
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]byte, 0, len(data)+len(upd))
	return append(append(out, data...), upd...), nil
}

// signUpdate returns the incremental update that signs data.
func signUpdate(ctx context.Context, data []byte, signer Signer, opts Options) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d, err := parse(data)
	if err != nil {
		return nil, err
	}
	root := d.Trailer["Root"].(ref)
	catalog, err := d.DictOf(root)
	if err != nil || catalog == nil {
		return nil, formatErr("catalog not readable")
	}
	if d.noChangesPermitted(catalog) {
		return nil, ErrCertified
	}
	pageRef, page, err := d.page(catalog, opts.Page)
	if err != nil {
		return nil, err
	}
	// New objects take numbers above every one in use, whatever /Size
	// claims.
	size, _ := d.Trailer["Size"].(int)
	for n := range d.Entries {
		size = max(size, n+1)
	}
	for n := range d.Free {
		size = max(size, n+1)
	}
	if size <= 0 || size > 1<<23 {
		return nil, formatErr("bad trailer /Size")
	}
	sigNum, fieldNum, apNum := size, size+1, size+2
	var xrefNum int

	when := opts.Time
	if when.IsZero() {
		when = time.Now()
	}
	u := &update{base: len(data), offsets: map[int]int{}}
	if data[len(data)-1] != '\n' && data[len(data)-1] != '\r' {
		u.buf.WriteByte('\n')
	}

	// The AcroForm, inline in the new catalog (§12.7.2), with the field
	// added and /SigFlags 3 (SignaturesExist, AppendOnly).
	catalog = cloneDict(catalog)
	form, err := d.DictOf(catalog["AcroForm"])
	if err != nil {
		return nil, err
	}
	form = cloneDict(form)
	fields, err := d.Resolve(form["Fields"])
	if err != nil {
		return nil, err
	}
	fa, _ := fields.(array)
	taken := d.fieldNames(fa)
	fieldName := opts.FieldName
	switch {
	case fieldName == "":
		for i := 1; fieldName == "" || taken[fieldName]; i++ {
			fieldName = "Signature" + strconv.Itoa(i)
		}
	case taken[fieldName]:
		return nil, fmt.Errorf("pdfsign: the document already has a field named %q", fieldName)
	case strings.Contains(fieldName, "."):
		// A period separates the parts of a fully qualified name (§12.7.3.2).
		return nil, fmt.Errorf("pdfsign: a field name may not contain a period: %q", fieldName)
	}
	form["Fields"] = append(cloneArray(fa), ref{Num: fieldNum})
	form["SigFlags"] = 3
	// PDF/A forbids NeedAppearances true (ISO 19005-2 §6.4.1).
	delete(form, "NeedAppearances")
	if r, ok := catalog["AcroForm"].(ref); ok {
		u.put(r.Num, form)
	} else {
		catalog["AcroForm"] = form
	}
	u.put(root.Num, catalog)

	// The page, with the widget in /Annots.
	page = cloneDict(page)
	annots, err := d.Resolve(page["Annots"])
	if err != nil {
		return nil, err
	}
	aa, _ := annots.(array)
	page["Annots"] = append(cloneArray(aa), ref{Num: fieldNum})
	u.put(pageRef.Num, page)

	// The field merged with its widget (§12.7.3.1, §12.5.6.19), printable
	// (/F 4) and with an appearance stream so that the file stays PDF/A
	// (ISO 19005-2 §6.3.3): invisible, a zero-area rectangle and an empty
	// form; or the stamp drawn by package pdf with its fonts embedded.
	rect := array{0, 0, 0, 0}
	xrefNum = apNum + 1
	if st := opts.Stamp; st != nil {
		ur, matrix, w, h, err := d.placeStamp(page, st.Rect, opts.Page)
		if err != nil {
			return nil, err
		}
		content := st.Content
		if content.Certificate == "" && content.Owner == "" {
			content = StampContent(signer.Certificate())
		}
		if need := content.Height(w); h < need-0.5 {
			return nil, fmt.Errorf("pdfsign: the stamp's text needs %.0f mm of height, the rectangle has %.0f", need/pdf.Mm(1), h/pdf.Mm(1))
		}
		app := pdf.StampAppearance(content, w, h)
		if d.intentNotRGB(catalog) {
			app.Gray()
		}
		objs := app.Objects(apNum)
		// Turn the form against the page's /Rotate so the stamp reads
		// upright (§12.5.5: the viewer fits the transformed BBox to /Rect).
		if matrix != nil {
			objs[0].Data = append([]byte("<< /Matrix "+matrix.String()+" "), bytes.TrimPrefix(objs[0].Data, []byte("<< "))...)
		}
		for _, o := range objs {
			u.putRaw(o.Num, o.Data)
		}
		xrefNum = apNum + len(objs)
		rect = array{num(ur[0]), num(ur[1]), num(ur[2]), num(ur[3])}
	} else {
		u.putStream(apNum, dict{"Type": name("XObject"), "Subtype": name("Form"), "Resources": dict{}, "BBox": array{0, 0, 0, 0}}, nil)
	}
	u.put(fieldNum, dict{
		"Type": name("Annot"), "Subtype": name("Widget"), "FT": name("Sig"),
		"T": str(textBytes(fieldName)), "V": ref{Num: sigNum}, "P": pageRef,
		"Rect": rect, "F": 4,
		"AP": dict{"N": ref{Num: apNum}},
	})

	// The signature dictionary (§12.8.1), written by hand so that the
	// positions of /ByteRange and /Contents are known.
	reserve := contentsSize(signer)
	if opts.Timestamper != nil {
		n, err := tokenSize(ctx, opts.Timestamper)
		if err != nil {
			return nil, fmt.Errorf("pdfsign: %w", err)
		}
		reserve += n
	}
	u.begin(sigNum)
	b := &u.buf
	b.WriteString("<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M ")
	writeObject(b, str(pdfDate(when)))
	if opts.Reason != "" {
		b.WriteString(" /Reason ")
		writeObject(b, str(textBytes(opts.Reason)))
	}
	if opts.Location != "" {
		b.WriteString(" /Location ")
		writeObject(b, str(textBytes(opts.Location)))
	}
	b.WriteString(" /ByteRange [")
	brPos := b.Len()
	for i := range 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.Write(bytes.Repeat([]byte("0"), byteRangeWidth))
	}
	b.WriteString("] /Contents ")
	holeStart := b.Len()
	b.WriteByte('<')
	b.Write(bytes.Repeat([]byte("0"), 2*reserve))
	b.WriteByte('>')
	holeEnd := b.Len()
	b.WriteString(">>\nendobj\n")

	trailer := dict{"Size": xrefNum, "Root": root, "Prev": startxrefOf(data)}
	if v, ok := d.Trailer["Info"]; ok {
		trailer["Info"] = v
	}
	if v, ok := d.Trailer["ID"]; ok {
		trailer["ID"] = v
	} else {
		// PDF/A wants an /ID in every trailer (ISO 19005-2 §6.1.3).
		id := sha256.Sum256(data)
		trailer["ID"] = array{str(id[:16]), str(id[:16])}
	}
	_, useStream := d.Trailer["Type"]
	if useStream {
		trailer["Size"] = xrefNum + 1
	}
	u.finish(trailer, useStream, xrefNum)

	upd := u.buf.Bytes()
	total := len(data) + len(upd)
	br := [4]int{0, len(data) + holeStart, len(data) + holeEnd, total - len(data) - holeEnd}
	for i, v := range br {
		s := fmt.Sprintf("%0*d", byteRangeWidth, v)
		copy(upd[brPos+i*(byteRangeWidth+1):], s)
	}

	content := io.MultiReader(bytes.NewReader(data), bytes.NewReader(upd[:holeStart]), bytes.NewReader(upd[holeEnd:]))
	sig, err := cms.Sign(content, cms.SignerConfig{
		Signer: signer, Certificate: signer.Certificate(), Chain: signer.Chain(), SigningTime: when,
	}, cms.SignOptions{Detached: true})
	if err != nil {
		return nil, fmt.Errorf("pdfsign: %w", err)
	}
	if opts.Timestamper != nil {
		if sig, err = cms.AddTimestamp(ctx, sig, opts.Timestamper); err != nil {
			return nil, fmt.Errorf("pdfsign: %w", err)
		}
	}
	if len(sig) > reserve {
		// The TSA's second token came out larger than its first (the
		// margin in tokenSize covers a longer serial number and time).
		return nil, fmt.Errorf("pdfsign: the signature (%d bytes) does not fit the %d bytes reserved; the timestamp authority's tokens vary in size", len(sig), reserve)
	}
	hex.Encode(upd[holeStart+1:], sig)
	return upd, nil
}

// contentsSize is the room reserved for the SignedData, computed from what
// goes in it: the certificates (embedded whole), the issuer name and serial
// again in signingCertificateV2 and issuerAndSerialNumber, a signature no
// larger than the public key's encoding, and 1 KiB for the fixed structure
// (algorithm identifiers, contentType, signingTime, messageDigest, tags).
func contentsSize(s Signer) int {
	c := s.Certificate()
	n := len(c.Raw) + 2*(len(c.RawIssuer)+len(c.SerialNumber.Bytes())) + len(c.RawSubjectPublicKeyInfo) + 1024
	for _, x := range s.Chain() {
		n += len(x.Raw)
	}
	return n
}

// tokenSize asks tsa for a token over a dummy Streebog-512 digest (the
// longest imprint podpis asks for) and returns its size with the attribute
// that wraps it (id-aa-signatureTimeStampToken: SEQUENCE, OID, SET, and
// the unsignedAttrs [1] tag, under 32 bytes) and 64 bytes for a token that
// differs in its serial number, time or nonce.
func tokenSize(ctx context.Context, tsa cms.Timestamper) (int, error) {
	probe := make([]byte, 64)
	tok, err := tsa.Timestamp(ctx, pki.OIDStreebog512, probe)
	if err != nil {
		return 0, fmt.Errorf("timestamp: %w", err)
	}
	return len(tok) + 32 + 64, nil
}

func cloneDict(d dict) dict {
	out := dict{}
	for k, v := range d {
		out[k] = v
	}
	return out
}

func cloneArray(a array) array { return append(array(nil), a...) }

// pdfDate formats a date as §7.9.4 says.
func pdfDate(t time.Time) string {
	s := t.Format("D:20060102150405-07'00'")
	if _, off := t.Zone(); off == 0 {
		s = t.Format("D:20060102150405") + "Z"
	}
	return s
}

// utf16BE encodes a text string with the BOM (§7.9.2.2).
func utf16BE(s string) []byte {
	out := []byte{0xFE, 0xFF}
	for _, r := range s {
		if r > 0xFFFF {
			r -= 0x10000
			hi, lo := 0xD800+(r>>10), 0xDC00+(r&0x3FF)
			out = append(out, byte(hi>>8), byte(hi), byte(lo>>8), byte(lo))
			continue
		}
		out = append(out, byte(r>>8), byte(r))
	}
	return out
}

// page finds the n-th (1-based, 0 = first) page of the page tree (§7.7.3).
func (d *document) page(catalog dict, n int) (ref, dict, error) {
	if n <= 0 {
		n = 1
	}
	pages, err := d.Pages(catalog)
	if err != nil {
		return ref{}, nil, err
	}
	if n > len(pages) {
		return ref{}, nil, fmt.Errorf("pdfsign: no page %d (the document has %d)", n, len(pages))
	}
	p, err := d.DictOf(pages[n-1])
	if err != nil || p == nil {
		return ref{}, nil, formatErr("page %d not readable", n)
	}
	return pages[n-1], p, nil
}

// fieldNames are the partial names of the top-level fields.
func (d *document) fieldNames(fields array) map[string]bool {
	taken := map[string]bool{}
	for _, f := range fields {
		if fd, _ := d.DictOf(f); fd != nil {
			if t, ok := fd["T"].(str); ok {
				taken[textString(t)] = true
			}
		}
	}
	return taken
}

// textBytes encodes a text string (§7.9.2.2): ASCII as is, anything else
// in UTF-16BE with a BOM.
func textBytes(s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return utf16BE(s)
		}
	}
	return []byte(s)
}

// num writes a coordinate with at most two decimals.
func num(v float64) real {
	return real(strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64))
}

// ErrCertified is returned for a document whose certification signature
// permits no changes (DocMDP /P 1, §12.8.2.2): another signature would
// invalidate it.
var ErrCertified = errors.New("pdfsign: the document is certified with no changes permitted")

// noChangesPermitted reads the DocMDP transform parameters of the
// certification signature named in /Perms.
func (d *document) noChangesPermitted(catalog dict) bool {
	perms, _ := d.DictOf(catalog["Perms"])
	sig, _ := d.DictOf(perms["DocMDP"])
	refs, _ := d.Resolve(sig["Reference"])
	ra, _ := refs.(array)
	for _, r := range ra {
		rd, _ := d.DictOf(r)
		if rd["TransformMethod"] != name("DocMDP") {
			continue
		}
		params, _ := d.DictOf(rd["TransformParams"])
		if params["P"] == 1 {
			return true
		}
	}
	return false
}

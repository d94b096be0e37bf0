package mchd

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Namespace is the XML namespace of EMCHD_1 (FORMAT.md §2).
const Namespace = "urn://x-artefacts/EMCHD_1"

// FormatVersion is the only allowed value of @ВерсФорм.
const FormatVersion = "EMCHD_1"

// ProfileBasic is the @ПрЭлФорм value of the basic business profile
// (FORMAT.md §4.1).
const ProfileBasic = "00000000"

// header is the XML declaration real files carry (FORMAT.md §2).
const header = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// Document is an EMCHD_1 power of attorney (Доверенность). Exactly one of
// POA and Retrust is set. Document implements xml.Marshaler and
// xml.Unmarshaler with the same mapping as Marshal and Parse (without
// Marshal's layout of the root element and without keeping raw bytes).
type Document struct {
	// OtherInfo is ИнСвед, other information as free text.
	OtherInfo string
	// KND is Документ/@КНД, the form code (1110415 in the tax profile).
	KND string
	// POA is Документ/Довер, an original power of attorney.
	POA *POA
	// Retrust is Документ/Передов, a power of attorney issued by retrust.
	Retrust *Retrust

	// Version is @ВерсФорм, always FormatVersion (required).
	Version string
	// Profile is @ПрЭлФорм, 8 flags of 0 or 1 (required, FORMAT.md §4.1).
	Profile string
	// FileID is @ИдФайл, the file name without .xml (required).
	FileID string
	// TaxFileID is @ИдФайлНО, the identifier for tax authorities.
	TaxFileID string
	// OID is @OID, the external identifier of an ESIA object.
	OID string

	raw []byte
}

// POA is an original power of attorney (Довер).
type POA struct {
	// Info is СвДов (required).
	Info POAInfo `xml:"СвДов"`
	// Principals is СвДоверит (one or more).
	Principals []Principal `xml:"СвДоверит"`
	// Representatives is СвУпПред (one or more).
	Representatives []Representative `xml:"СвУпПред"`
	// Powers is СвПолн (required).
	Powers Powers `xml:"СвПолн"`
	// Notary is СвНотУд.
	Notary *NotaryCertification `xml:"СвНотУд,omitempty"`
}

// body is Документ, the choice between Довер and Передов.
type body struct {
	POA     *POA     `xml:"Довер,omitempty"`
	Retrust *Retrust `xml:"Передов,omitempty"`
	KND     string   `xml:"КНД,attr,omitempty"`
}

// wire is Document as encoding/xml sees it: Документ becomes a field.
type wire struct {
	XMLName   xml.Name `xml:"urn://x-artefacts/EMCHD_1 Доверенность"`
	OtherInfo string   `xml:"ИнСвед,omitempty"`
	Body      body     `xml:"Документ"`
	Version   string   `xml:"ВерсФорм,attr"`
	Profile   string   `xml:"ПрЭлФорм,attr"`
	FileID    string   `xml:"ИдФайл,attr"`
	TaxFileID string   `xml:"ИдФайлНО,attr,omitempty"`
	OID       string   `xml:"OID,attr,omitempty"`
}

func (d *Document) toWire() *wire {
	return &wire{
		XMLName:   xml.Name{Space: Namespace, Local: "Доверенность"},
		OtherInfo: d.OtherInfo,
		Body:      body{POA: d.POA, Retrust: d.Retrust, KND: d.KND},
		Version:   d.Version,
		Profile:   d.Profile,
		FileID:    d.FileID,
		TaxFileID: d.TaxFileID,
		OID:       d.OID,
	}
}

func (w *wire) document() *Document {
	return &Document{
		OtherInfo: w.OtherInfo,
		KND:       w.Body.KND,
		POA:       w.Body.POA,
		Retrust:   w.Body.Retrust,
		Version:   w.Version,
		Profile:   w.Profile,
		FileID:    w.FileID,
		TaxFileID: w.TaxFileID,
		OID:       w.OID,
	}
}

// MarshalXML implements xml.Marshaler.
func (d *Document) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	return e.Encode(d.toWire())
}

// UnmarshalXML implements xml.Unmarshaler. It does not keep raw bytes: use
// Parse for files that are or will be signed.
func (d *Document) UnmarshalXML(dec *xml.Decoder, start xml.StartElement) error {
	var w wire
	if err := dec.DecodeElement(&w, &start); err != nil {
		return err
	}
	*d = *w.document()
	return nil
}

// Info returns the data of this POA: СвДов of an original, СвПереДовер of a
// retrust, or nil if the document has neither.
func (d *Document) Info() *POAInfo {
	switch {
	case d.POA != nil:
		return &d.POA.Info
	case d.Retrust != nil:
		return &d.Retrust.Info
	}
	return nil
}

// Raw returns the bytes the document was parsed from, or nil for a document
// built in memory. These are the bytes a signature covers: store and ship
// them, never Marshal's output, once the document is signed.
func (d *Document) Raw() []byte { return d.raw }

// ErrMalformed is returned (wrapped) by Parse for input that is not a
// well-formed EMCHD_1 document.
var ErrMalformed = errors.New("mchd: malformed document")

var bom = []byte{0xEF, 0xBB, 0xBF}

// Parse reads an EMCHD_1 document. It accepts any well-formed document in the
// EMCHD_1 namespace whose Документ holds Довер or Передов; it does not check
// the XSD facets or business rules. The document keeps a copy of data,
// returned by Raw. Errors wrap ErrMalformed and fit on one line.
func Parse(data []byte) (*Document, error) {
	if err := wellFormed(bytes.TrimPrefix(data, bom)); err != nil {
		return nil, err
	}
	return decode(data)
}

// decode is Parse after the well-formedness pass, for callers that have
// made it already (CheckFile, through parseTree).
func decode(data []byte) (*Document, error) {
	in := bytes.TrimPrefix(data, bom)
	var w wire
	dec := xml.NewDecoder(bytes.NewReader(in))
	dec.CharsetReader = charsetReader
	if err := dec.Decode(&w); err != nil {
		return nil, malformed(err.Error())
	}
	switch {
	case w.Body.POA == nil && w.Body.Retrust == nil:
		return nil, malformed("Документ has neither Довер nor Передов")
	case w.Body.POA != nil && w.Body.Retrust != nil:
		return nil, malformed("Документ has both Довер and Передов")
	}
	d := w.document()
	d.raw = bytes.Clone(data)
	return d, nil
}

// charsetReader refuses every encoding but UTF-8: EMCHD_1 files are UTF-8,
// and windows-1251 marks format 002 (FORMAT.md §2.1), a different schema.
func charsetReader(label string, _ io.Reader) (io.Reader, error) {
	return nil, fmt.Errorf("encoding %q is not UTF-8, so not an EMCHD_1 file", label)
}

// wellFormed checks what encoding/xml lets through when decoding into a
// struct: a DTD, duplicate attributes, content after the root element, no
// root element at all.
func wellFormed(in []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(in))
	dec.CharsetReader = charsetReader
	depth, roots := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return malformed(err.Error())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if roots++; roots > 1 {
					return malformed("content after the root element")
				}
			}
			depth++
			seen := make(map[xml.Name]bool, len(t.Attr))
			for _, a := range t.Attr {
				if seen[a.Name] {
					return malformed(fmt.Sprintf("duplicate attribute %s on <%s>", a.Name.Local, t.Name.Local))
				}
				seen[a.Name] = true
			}
		case xml.EndElement:
			depth--
		case xml.Directive:
			// Real files have no DTD; refusing it also keeps entity tricks out.
			return malformed("DTD or other directive not allowed")
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) != 0 {
				return malformed("text outside the root element")
			}
		}
	}
	if roots == 0 {
		return malformed("no root element")
	}
	return nil
}

func malformed(msg string) error {
	msg = strings.Join(strings.Fields(msg), " ")
	return fmt.Errorf("%w: %s", ErrMalformed, msg)
}

// Marshal writes d as real files are written (FORMAT.md §2): UTF-8 without
// BOM, the XML declaration, two-space indent, LF line ends and no final line
// end, elements in XSD order, empty elements self-closed, the root element
// laid out as the FNS service writes it. For the two real samples of
// FORMAT.md §12 the output is byte-identical to the file. The output is
// deterministic. It never returns d.Raw(): for a signed document use Raw.
func Marshal(d *Document) ([]byte, error) {
	if d == nil {
		return nil, errors.New("mchd: nil document")
	}
	if (d.POA == nil) == (d.Retrust == nil) {
		return nil, errors.New("mchd: exactly one of POA and Retrust must be set")
	}
	out, err := xml.MarshalIndent(d.toWire(), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("mchd: %w", err)
	}
	// Lay the root start tag out as the FNS service does: the unused xsi and
	// xsd declarations first, the default namespace after the attributes.
	// encoding/xml writes the default namespace first and escapes '>' in
	// attribute values, so the first '>' ends the root start tag.
	out, ok := bytes.CutPrefix(out, []byte(`<Доверенность xmlns="`+Namespace+`"`))
	end := bytes.IndexByte(out, '>')
	if !ok || end < 0 {
		panic("mchd: internal error: unexpected root element from encoding/xml")
	}
	var b bytes.Buffer
	b.Grow(len(header) + len(rootOpen) + len(out) + len(rootNS))
	b.WriteString(header)
	b.WriteString(rootOpen)
	b.Write(out[:end])
	b.WriteString(rootNS)
	b.Write(selfClose(out[end:]))
	return b.Bytes(), nil
}

const (
	rootOpen = `<Доверенность xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"`
	rootNS   = ` xmlns="` + Namespace + `"`
)

// selfClose rewrites the empty elements encoding/xml writes as <a x="1"></a>
// into <a x="1" />, and the &#34; escape into &quot;, as .NET-made real files
// have them. Neither changes the XML infoset. encoding/xml escapes < and > in
// attribute values and text, so a bare < or > is always markup.
func selfClose(in []byte) []byte {
	out := make([]byte, 0, len(in))
	last := 0 // in[last:] not yet copied
	for i := 0; ; {
		k := bytes.Index(in[i:], []byte("></"))
		if k < 0 {
			break
		}
		k += i
		i = k + 3
		end := bytes.IndexByte(in[k+3:], '>')
		if end < 0 {
			break
		}
		name := in[k+3 : k+3+end]
		start := bytes.LastIndexByte(in[:k], '<')
		if start < 0 || start < last {
			continue
		}
		tag := in[start+1 : k]
		if !bytes.HasPrefix(tag, name) || (len(tag) > len(name) && tag[len(name)] != ' ') {
			continue
		}
		out = append(out, in[last:k]...)
		out = append(out, " />"...)
		last = k + 3 + end + 1
		i = last
	}
	out = append(out, in[last:]...)
	return bytes.ReplaceAll(out, []byte("&#34;"), []byte("&quot;"))
}

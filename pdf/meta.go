package pdf

import (
	"fmt"
	"strings"
	"time"
)

// Producer is written to the Info dictionary and to XMP pdf:Producer.
const Producer = "podpis"

// pdfDate formats t as a PDF date with an explicit +HH'mm' offset
// (ISO 32000-1 §7.9.4; PDFA2B.md §1 "Dates": never the Z00'00' form).
func pdfDate(t time.Time) string {
	return "D:" + t.Format("20060102150405") + offset(t, "'") + "'"
}

// xmpDate formats t as the XMP twin of pdfDate (ISO 8601 with +HH:MM).
func xmpDate(t time.Time) string {
	return t.Format("2006-01-02T15:04:05") + offset(t, ":")
}

func offset(t time.Time, sep string) string {
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return fmt.Sprintf("%s%02d%s%02d", sign, off/3600, sep, off/60%60)
}

// infoDict returns the document information dictionary (ISO 32000-1
// §14.3.3). Every entry has an XMP twin written by xmpPacket with the same
// value (ISO 19005-2 §6.6.3; PDFA2B.md §1 "Info ↔ XMP consistency").
func infoDict(o *Options, created time.Time) string {
	var b strings.Builder
	b.WriteString("<<")
	add := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, " /%s %s", k, textString(v))
		}
	}
	add("Title", o.Title)
	add("Author", o.Author)
	add("Subject", o.Subject)
	add("Keywords", o.Keywords)
	add("Creator", o.Creator)
	add("Producer", Producer)
	add("CreationDate", pdfDate(created))
	add("ModDate", pdfDate(created))
	b.WriteString(" >>")
	return b.String()
}

// xmpPacket returns the XMP metadata stream content: PDF/A identification
// (part 2, conformance B) and the Info entries' twins, using only the dc,
// xmp, pdf and pdfaid schemas so no extension schema is needed.
func xmpPacket(o *Options, created time.Time) []byte {
	var b strings.Builder
	b.WriteString("<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n" +
		"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n" +
		"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n" +
		"<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n" +
		"<pdfaid:part>2</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n" +
		"</rdf:Description>\n" +
		"<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n" +
		"<dc:format>application/pdf</dc:format>\n")
	if o.Title != "" {
		fmt.Fprintf(&b, "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">%s</rdf:li></rdf:Alt></dc:title>\n", xmlEscape(o.Title))
	}
	if o.Author != "" {
		fmt.Fprintf(&b, "<dc:creator><rdf:Seq><rdf:li>%s</rdf:li></rdf:Seq></dc:creator>\n", xmlEscape(o.Author))
	}
	if o.Subject != "" {
		fmt.Fprintf(&b, "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">%s</rdf:li></rdf:Alt></dc:description>\n", xmlEscape(o.Subject))
	}
	b.WriteString("</rdf:Description>\n" +
		"<rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n")
	fmt.Fprintf(&b, "<xmp:CreateDate>%s</xmp:CreateDate>\n<xmp:ModifyDate>%s</xmp:ModifyDate>\n<xmp:MetadataDate>%s</xmp:MetadataDate>\n",
		xmpDate(created), xmpDate(created), xmpDate(created))
	if o.Creator != "" {
		fmt.Fprintf(&b, "<xmp:CreatorTool>%s</xmp:CreatorTool>\n", xmlEscape(o.Creator))
	}
	b.WriteString("</rdf:Description>\n" +
		"<rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n")
	fmt.Fprintf(&b, "<pdf:Producer>%s</pdf:Producer>\n", Producer)
	if o.Keywords != "" {
		fmt.Fprintf(&b, "<pdf:Keywords>%s</pdf:Keywords>\n", xmlEscape(o.Keywords))
	}
	b.WriteString("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>")
	return []byte(b.String())
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&quot;").Replace(s)
}

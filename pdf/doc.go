// Package pdf writes PDF/A-2b documents (ISO 19005-2, conformance level B,
// on ISO 32000-1): letters, acts and printed forms with Cyrillic text,
// tables, vector QR codes and electronic-signature stamps.
//
//	doc := pdf.New(pdf.Options{Title: "Акт", Created: t, PageNumbers: true})
//	doc.Paragraph("Акт приёма-передачи", pdf.Style{Size: 16, Bold: true, Align: pdf.Center})
//	doc.Runs([]pdf.Run{pdf.B("Основание:"), pdf.R(" договор № 42")}, pdf.Style{})
//	doc.Table(pdf.Table{Header: true, Rows: rows})
//	doc.QR(payload, pdf.Mm(40), pdf.Right, pdf.QRMedium)
//	doc.Stamp(stamp, pdf.Mm(85), pdf.Left)
//	n, err := doc.WriteTo(w)
//
// What the writer guarantees, by construction (the checklist of
// shared/spec/pdfa/PDFA2B.md §1, checked by the tests with qpdf, poppler and
// Apache PDFBox Preflight as in PDFA2B.md §3):
//
//   - File structure: %PDF-1.7 header and binary comment, a classic xref
//     table, trailer /ID, no encryption, nothing after %%EOF but one EOL,
//     every stream with an exact /Length and an EOL before endstream,
//     Flate only.
//   - Metadata: an uncompressed XMP packet with pdfaid:part 2 and
//     pdfaid:conformance B; every Info entry has its XMP twin with the same
//     value; dates carry an explicit +HH'mm' offset (never Z00'00').
//   - Colour: an sRGB output intent (GTS_PDFA1) with the ICC profile from
//     Debian icc-profiles-free embedded, so DeviceRGB is legal.
//   - Fonts: DejaVu Sans and DejaVu Sans Bold, embedded as subsets, as Type 0
//     fonts over CIDFontType2 with Identity-H, CIDToGIDMap /Identity, /W
//     widths from the font's hmtx, a CIDSet and a ToUnicode CMap so text
//     copies and searches. Characters missing from the font print as '?'
//     (the .notdef glyph is never shown).
//   - No JavaScript, actions, annotations, transparency or embedded files.
//   - Determinism: the same content, Options.Created and Options.ID give a
//     byte-identical file; a nil ID is derived from the content.
//
// Layout: Document's flow methods (Paragraph, Runs, Table, Image, QR,
// Stamp, Space, Rule) place content at a cursor and break pages; Page's
// methods (Text, TextBox, Line, Rect, FillRect, Image, QR, Stamp) draw at
// fixed positions. Text wraps at spaces (inside a word only when it alone
// is too wide), tables wrap cell text and repeat the header row on every
// page, and Options.PageNumbers numbers the pages.
//
// QR codes are vector: the matrix from github.com/skip2/go-qrcode drawn as
// filled rectangles (runs merged across rows) with the 4-module quiet zone;
// modules smaller than 0.33 mm are refused (ErrQRTooDense) so a 300-dpi
// rendering reads back.
//
// Signature stamps are drawn per GOST R 7.0.97-2016 (Stamp); StampAppearance
// renders one as a self-contained Form XObject with its own fonts, as
// numbered objects another writer (an incremental update) can append, for
// the /AP /N of a signature widget.
//
// Images: PNG and JPEG (ParseImage); baseline JPEG passes through as
// DCTDecode, the rest is stored as 8-bit RGB or grey with alpha flattened
// onto white, so no soft masks.
//
// Coordinates are points (1/72 in) from the top-left corner of an A4 page,
// y growing downwards; Mm converts millimetres. The package does not read
// PDFs; see the pdfsign package for signatures.
package pdf

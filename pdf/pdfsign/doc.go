// Package pdfsign signs PDF files with CAdES signatures by incremental update
// and finds the signatures a PDF carries, with their ByteRange checked and
// the changes made after each (package verify checks the CMS: verify.PDF).
//
// # Signing
//
// Sign follows ISO 32000-1 §12.8 (digital signatures) and ETSI EN 319 142-1
// (PAdES baseline B-B): the original file is kept byte for byte and an
// incremental update (§7.5.6) is appended with
//
//   - a signature dictionary /Type /Sig, /Filter /Adobe.PPKLite,
//     /SubFilter /ETSI.CAdES.detached, /M, /ByteRange [0 a b c] written
//     with fixed-width numbers and patched in place, and /Contents a
//     hexadecimal string of zeros reserved before signing, its size computed
//     from the signer's certificate and chain (contentsSize), not guessed;
//   - a signature field merged with its widget annotation, printable (/F 4),
//     with an appearance stream (/AP /N) so the file stays PDF/A-2b
//     (shared spec/pdfa/PDFA2B.md §1, ISO 19005-2 §6.3.3): invisible (a
//     zero-area rectangle and an empty form) or, with Options.Stamp, the
//     mark of GOST R 7.0.97-2016 in a frame, drawn by package pdf
//     (pdf.StampAppearance) with DejaVu Sans embedded as a subset and
//     placed upright on pages turned by /Rotate (a /Matrix on the form);
//   - new versions of the catalog (with /AcroForm, /SigFlags 3 and no
//     /NeedAppearances) and of the page (with /Annots);
//   - a cross-reference table when the last section was a table, a
//     cross-reference stream otherwise, with /Prev, the same /Root, /Info
//     and /ID.
//
// /Contents is a detached CAdES-BES SignedData made by package cms (FACTS
// §4.5: signingCertificateV2, Streebog for GOST keys) over the two
// ByteRange pieces, time-stamped (CAdES-T) when Options.Timestamper is set.
// Any sign.Signer works: a key file or a token key
// reached through a pkcs11: URI; the key signs once.
//
// Signing a signed file adds a further update; earlier signatures stay valid
// because their bytes are not touched.
//
// # Finding signatures
//
// Find lists the signature fields of the newest revision's form (/FT /Sig
// with a /V) and for each:
//
//   - /SubFilter, which must be ETSI.CAdES.detached or adbe.pkcs7.detached;
//   - whether /ByteRange starts at 0, stays inside the file, leaves out
//     exactly the /Contents hexadecimal string of that signature dictionary,
//     and ends at the end of a revision (%%EOF);
//   - the CMS bytes of /Contents and the ByteRange pieces they should cover;
//   - whether anything was appended after the signed revision, and then
//     which objects the later cross-reference sections list, which pages
//     those are and how many later signatures.
//
// The cryptographic and certificate checks are package verify's
// (verify.PDF), which is downstream of this package. Find does not judge
// whether later changes were permitted (DocMDP, FieldMDP, §12.8.2; a later
// update may change how a page looks), does not render or compare page
// content, and does not check PDF/A conformance (package pdfcheck does). It
// reads signature dictionaries only as top-level objects (where /ByteRange
// can point into them), reads no encrypted PDFs and decodes only the
// FlateDecode streams the structure needs.
//
// # Security contract
//
// Every input is public; nothing is constant time. Parsing never panics,
// bounds nesting (maxDepth), /Prev chains and decoded stream sizes
// (maxDecoded); a Go error is one line and means the file could not be read
// as a PDF. The bytes verified are the bytes received: ByteRange pieces are
// streamed to the digest as they are in the file.
package pdfsign

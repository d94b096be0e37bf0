// Package form renders the printed form of a machine-readable power of
// attorney (МЧД, EMCHD_1): a PDF/A-2b document (ISO 19005-2, level B) laid
// out like a power of attorney a person would sign on paper — the title
// with the number and dates, the POA's requisites, the principal(s), the
// representative(s) or, for a retrust, the original POA, the grantor and the
// recipient, the powers (machine-readable codes with their names and
// restrictions, text powers), notarial data — and, where a handwritten
// signature would be, a QR code and one electronic-signature stamp per
// signature.
//
// Sources: shared/spec/mchd/FORMAT.md §4–§7 and §9 for the content, §13 for
// what the codes mean and how sure that is (codes of unknown or disputed
// meaning are printed as codes), §14 for the printed form; the stamp is the
// mark of GOST R 7.0.97-2016 («Документ подписан электронной подписью», the
// certificate's serial number, its owner, «Действителен с … по …»), drawn by
// package pdf. The PDF/A rules are package pdf's (shared/spec/pdfa/PDFA2B.md);
// with Options.Attach the XML and signature files are embedded as associated
// files and the file is PDF/A-3b, since PDF/A-2 admits only PDF/A
// attachments.
//
// The QR code's payload is one line in a fixed order: the registry check URL
// (mchd.StatusURL, which carries the GUID) then "#streebog256=" and the
// lower-case hex Streebog-256 (GOST R 34.11-2012) of the exact bytes of the
// XML file — not of a re-serialisation — so that a checker holding the file
// can tell from the printout whether it is the same file, and a phone opens
// the registry page. QRPayload makes it and ParseQRPayload reads it back.
//
// Security contract: a printout has no legal force (FORMAT.md §14) and the
// form says so. Render does not judge the document or its signatures: it
// prints what the file says, as written. Signatures refuses a signature file
// that does not sign exactly the XML's bytes, so no stamp shows a signature
// over other bytes; trust, chains, revocation and the signer's authority are
// for `podpis mchd check`. The renderer reads nothing but its arguments.
package form

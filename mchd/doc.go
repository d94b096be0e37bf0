// Package mchd models the unified machine-readable power of attorney
// (машиночитаемая доверенность, МЧД), format version 003, format id EMCHD_1,
// as defined by the FNS schema ON_EMCHD_1_928_00_01_01_01.xsd
// (namespace urn://x-artefacts/EMCHD_1).
//
// The Go types follow the XSD one to one (shared/spec/mchd/FORMAT.md §3 tree,
// §4 СвДов, §5 principals, §6 representatives, §7 powers, §9 retrust): each
// type and field names in its doc comment the Russian element or attribute it
// maps to, and the struct field order is the XSD sequence order, so Marshal
// writes elements in the order the schema requires. Values are kept as the
// strings found in the file (dates as xs:date lexical forms, codes as their
// digits), so that any valid file reads and writes back without loss.
//
// Files are written as real FNS files are (FORMAT.md §2): UTF-8 without BOM,
// the declaration <?xml version="1.0" encoding="UTF-8"?>, two-space indent,
// the default namespace urn://x-artefacts/EMCHD_1. The file identity of §2.1
// (file name ON_EMCHD_YYYYMMDD_GUID.xml, ИдФайл = the name without extension,
// НомДовер = GUID, СведСист = the registry check URL) is made consistent by
// New and NewRetrust.
//
// Security contract: a power of attorney is signed over the exact bytes of
// its file (FORMAT.md §8.1). Parse keeps those bytes and Document.Raw returns
// them verbatim; a signed document must be stored and shipped as Raw, never
// re-serialised with Marshal, which writes equivalent XML but not
// necessarily the same bytes. Parse never panics on input and reads nothing
// but its argument: a DTD is refused (real files have none), so no entity
// is ever declared or fetched. Parse checks well-formedness and the document's shape (root element and namespace,
// Довер or Передов), not the XSD facets or the rules of FORMAT.md §11.
package mchd

// Package tsp speaks the Time-Stamp Protocol of RFC 3161 (with the ESSCertIDv2
// update of RFC 5816): requests and responses, a small time-stamp authority
// (Authority, also an http.Handler) and an HTTP client (Fetch, Client).
// Tokens are CMS SignedData over a TSTInfo, made and checked with package cms;
// a Client is the cms.Timestamper that cms.AddTimestamp turns CAdES-BES into
// CAdES-T with (ETSI EN 319 122-1 §5.3).
//
// With GOST keys the token is signed like any podpis signature: Streebog over
// DER signed attributes, the key OID as signatureAlgorithm, and a
// signingCertificateV2 attribute with a Streebog-256 ESSCertIDv2 (FACTS §4.5,
// RFC 5816 §2.2.1), which is what CryptoPro's TSP server writes too.
//
// The Authority is meant for tests, demos and a local endpoint: it keeps no
// log, gives no ordering guarantee and has whatever clock it is given.
// Security: the HTTP handler reads at most MaxRequestSize bytes, accepts only
// POST with application/timestamp-query, and answers every malformed request
// with an RFC 3161 rejection, never with the parser's error text.
package tsp

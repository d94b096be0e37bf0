package cms

import "encoding/asn1"

// Content types (RFC 5652 §4, §5; RFC 3161 §2.4.2).
var (
	OIDData       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}        // id-data
	OIDSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}        // id-signedData
	OIDTSTInfo    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4} // id-ct-TSTInfo
)

// Attribute types: RFC 5652 §11, RFC 2634 §5.4, RFC 5035 §3, RFC 3161
// Appendix A, ETSI EN 319 122-1 §5.3, §5.4.
var (
	OIDAttrContentType          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	OIDAttrMessageDigest        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	OIDAttrSigningTime          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	OIDAttrSigningCertificate   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12} // ESS v1, SHA-1 only
	OIDAttrSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	OIDAttrTimeStampToken       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14} // id-aa-signatureTimeStampToken
	OIDAttrCertValues           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 23} // id-aa-ets-certValues
)

// Algorithm identifiers cms needs beyond those of package pki.
var oidSHA1 = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26} // RFC 3279 §2.2.1; ESS signingCertificate v1

package tokend

// Consent is what an OriginPolicy says about an origin.
type Consent int

// The answers of an OriginPolicy (issue 9, "Consent: an admin policy file
// (system-wide) plus first-use consent per origin stored per user").
const (
	ConsentDenied  Consent = iota // not allowed and the person may not be asked
	ConsentAllowed                // allowed by the admin policy or by the person before
	ConsentAsk                    // unknown: ask the person once (first-use consent)
)

// OriginPolicy decides origins that are not in Config.Origins. Package
// tokend/policy implements it over the admin's system-wide policy file and
// the person's own list of allowed origins.
type OriginPolicy interface {
	Consent(origin string) Consent
	// Remember records that the person allowed origin in the first-use dialog.
	Remember(origin string) error
}

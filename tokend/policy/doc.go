// Package policy decides which web origins may use tokend: the admin's
// system-wide policy file plus the origins each person has allowed (issue 9,
// "Consent: an admin policy file (system-wide) plus first-use consent per
// origin stored per user"; shared/spec/tokend/ANCHORS.md §6 item 7, "exact
// allowlist from (a) an admin policy file and (b) first-use user consent
// stored per origin, with a command and a UI to list and revoke").
//
// The admin policy file (DefaultAdminPath, /etc/podpis/tokend-policy.yaml
// unless configured otherwise) is YAML with three optional fields:
//
//	allow:            # origins allowed without asking anyone
//	  - https://portal.example
//	deny:             # origins never allowed, whatever else says so
//	  - https://lk.bad.example:8443
//	first_use: ask    # ask (default): an unknown origin may ask the person once;
//	                  # deny: only the origins allowed here or by `tokend allow`
//
// A missing file means the defaults (no allow, no deny, first_use: ask). A
// file that is there but malformed — a syntax error, an unknown field, an
// origin not in the form browsers send, an origin both allowed and denied —
// is an error naming the file and the line, and the daemon refuses to start
// (fail closed): a typo must not silently widen or drop the policy.
//
// The person's own list (DefaultStorePath,
// $XDG_CONFIG_HOME/podpis/tokend/origins.json, ~/.config/… when the
// variable is unset) is JSON written only by this package: an object with an
// "origins" array of {origin, allowedAt, how}, how being "dialog" (the
// first-use dialog) or "cli" (`tokend allow`). The daemon reloads it when it
// changes on disk, so `tokend allow` and `tokend revoke-origin` take effect
// without a restart.
//
// The rules (Policy.Consent), in order: an origin not in the browser's form
// for https (authtoken.CheckOrigin) is denied; an origin on the admin deny
// list is denied; on the admin allow list it is allowed; allowed by the
// person it is allowed; otherwise first_use decides (ask or deny).
//
// Security contract. Origins are compared as whole strings in the browser's
// serialisation (scheme, host and port), never as prefixes or patterns.
// Only https origins can be allowed through this package; http://localhost
// for development stays a command-line choice (tokend run --dev-localhost).
// The admin file is read once, when the daemon starts. The person's file is
// written atomically (internal/atomicfile) with mode 0600 in a 0700
// directory, under an advisory lock so that the daemon and the command line
// do not lose each other's changes; a file that another user could write
// (group- or world-writable, or owned by someone else) is refused, and while
// it is unreadable or malformed no origin is allowed through it (Consent
// answers ConsentDenied rather than asking). Nothing here ever holds a PIN
// or any certificate data.
package policy

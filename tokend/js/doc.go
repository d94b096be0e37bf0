// Package js holds tokend.js, the page-side client of tokend: an ES module
// with no build step and JSDoc types (issue 9, "tokend/js";
// shared/spec/tokend/ANCHORS.md §6 item 8). Source is the file, embedded so
// that a Go site can serve it (examples/login does).
//
// Its calls: status, certificates, authenticate (login), sign (a document:
// detached CMS over a digest the site's server computed, or over small
// data; Tokend.fingerprint gives the string the daemon's dialog shows, the
// same as tokend/validate.Fingerprint on the server), cancel, and
// on('token'|'error') for token events.
package js

import _ "embed"

// Source is tokend.js.
//
//go:embed tokend.js
var Source []byte

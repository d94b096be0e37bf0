// Package tokend is the local daemon that lets a login page use the
// person's GOST token: an HTTP server on the loopback interface that a page
// calls through tokend/js, which asks the person for consent and the PIN in
// its own dialog (pinentry) and answers with an origin-bound login token
// (package tokend/authtoken) that the site's server checks with
// tokend/validate.
//
// The reference is shared/spec/tokend/ANCHORS.md: the browser rules for
// loopback servers (§3: Local Network Access, mixed content, the headless
// recipe of §3.6) and the ten design requirements (§6), which this package
// follows item by item:
//
//   - Transport (§6 item 1): plain HTTP on 127.0.0.1 and [::1] only, never
//     a wildcard address, on a fixed port (DefaultPort unless configured),
//     JSON under /v1/.
//   - The gate (§6 item 2; Server.ServeHTTP lists the steps): every request
//     is checked before routing — Host exactly the loopback name and port
//     (DNS rebinding, §3.2), one Origin header exactly on the allowlist
//     (scheme, host, port; https, or http://localhost when configured for
//     development), the same on a WebSocket upgrade, preflighted POSTs
//     only (Content-Type application/json and the Tokend-Protocol header),
//     CORS echoing only the allowed origin, deny-all CSP, nosniff, no
//     caching and no cookies. Sec-Fetch-* headers are not relied on (§3.2).
//   - The origin is the browser's (§6 item 3): authenticate signs
//     Streebog(Streebog(origin) ‖ Streebog(nonce)) with the origin taken from
//     the Origin header, which a page cannot forge in a browser; no request
//     field names an origin, and there is no "sign these bytes for login"
//     call.
//   - PIN only in the daemon's dialog (§6 item 5): the API refuses any
//     request member whose name contains "pin" (PIN_NOT_ACCEPTED); the PIN
//     goes from pinentry to sign/pkcs11's C_Login and is zeroed there; the
//     dialog names the origin and the certificate and shows what the token
//     says about the retries left; no PIN and no login is kept between
//     operations (the key is closed after each, which calls C_Logout); a
//     rejected PIN is PIN_INCORRECT (retriesLeft on the final try) and a
//     locked token PIN_LOCKED; the daemon never tries a PIN again by
//     itself.
//   - Certificates come from present tokens only, paired with a key on the
//     token; unusable ones are listed with the reason (§6 item 6).
//   - One operation per token, request ids, cancel, a 2-minute default
//     timeout for the person, stable error codes (§6 item 9); the request
//     log holds no PINs, nonces or document content.
//
// Security contract. The daemon trusts: the browser to send a true Origin
// header (it does for fetch and WebSocket, §3.2); the allowlist it was
// configured with; the PKCS#11 module; and the pinentry program it was told
// to run. It trusts nothing a page sends beyond that: request bodies are
// parsed strictly (unknown members refused, 64 KiB at most) and a nonce is
// only ever hashed. It never listens beyond loopback, never answers an
// origin that is not allowed except with ORIGIN_NOT_ALLOWED (from
// /v1/status, so that a page can tell "not allowed" from "not running"),
// never takes or returns a PIN, never caches one, never signs for a login
// anything but the origin-bound digest, and never changes state on GET.
// It does not protect against other programs of the same user, which can
// talk to the token directly.
//
// Not yet here (issue 9, later sessions): the events WebSocket (an upgrade
// passes the gate and is then answered NOT_FOUND), sign, first-use consent
// and the admin policy file (the allowlist is Config.Origins), tokend allow /
// origins / revoke-origin / doctor, revocation checks in tokend/validate, and
// the audit log's own file (the request log is slog on stderr).
package tokend

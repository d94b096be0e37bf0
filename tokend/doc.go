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
//   - Document signing (§6 item 4; sign.go): POST /v1/sign takes the
//     document's digest (base64 Streebog-256 or -512, matching the
//     certificate's key; the portal's server computes it,
//     validate.DocumentDigest) or a small document as data (MaxSignData),
//     a documentName and a format: "cms", a detached CAdES-BES SignedData
//     (cms.SignDigest: contentType, signingTime, messageDigest,
//     signingCertificateV2, the certificate embedded), or "raw" (below).
//     Only a certificate allowed to sign: keyUsage with digitalSignature or
//     nonRepudiation when it has keyUsage, and not a login-only certificate
//     (extKeyUsage clientAuth alone); the page is told which rule refused it
//     (CERTIFICATE_NOT_FOR_SIGNING, signReason in /v1/certificates). The
//     person first confirms (pinentry CONFIRM) a dialog naming the origin,
//     the document name (cleaned: one line, no invisible formatting
//     characters, 200 characters at most) and the digest's fingerprint,
//     validate.Fingerprint — the first 20 hex digits in groups of four,
//     which the portal shows beside the document so the two can be
//     compared — and then types the PIN.
//   - One operation per token, request ids, cancel, a 2-minute default
//     timeout for the person, stable error codes (§6 item 9); the request
//     log holds no PINs, nonces or document content.
//   - The audit log (§6 item 10; audit.go): with Config.Audit, one JSON
//     record per authenticate, sign and cancel — time, origin, request id,
//     certificate (CN, serial, SHA-256), the digest signed, the result —
//     and never a PIN, a nonce, a document or its name.
//
// Why sign is not a way to log in. A login token is a GOST signature over
// Digest(alg, origin, nonce) = H(H(origin) ‖ H(nonce)) with the origin from
// the browser (authtoken). A "cms" signature never signs a digest the page
// chose: the key signs the DER signed attributes (contentType, signingTime,
// messageDigest = the page's digest, signingCertificateV2), so the signature
// value inside it verifies over H(signed attributes) and a validator
// checking it over H(origin) ‖ H(nonce) refuses it; a page would need a
// Streebog preimage to do better. A "raw" signature is different: it is a
// signature over whatever digest the page sends, and the page can send
// Digest(alg, "https://bank.example", nonce) for a nonce it fetched from the
// bank — the result is a valid login token for the bank, which no validator
// can tell from one authenticate made (TestSignIsNotLogin shows it). The
// dialog says "sign a document", not "log in to the bank", but the person
// cannot see the difference in a fingerprint. So raw signatures are off:
// an origin may ask for them only when the daemon's owner names it with
// Server.AllowRawSign (RAW_NOT_ALLOWED otherwise), which should be done
// only for a site trusted as much as every site the same certificate logs
// in to. The same holds for any other protocol that accepts a bare GOST
// signature over a digest.
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
// anything but the origin-bound digest, never signs a document without the
// person's confirmation of what it is, never makes a raw signature for an
// origin not named for it, and never changes state on GET.
// It does not protect against other programs of the same user, which can
// talk to the token directly.
//
// Token events (the /v1/events WebSocket, events.go) and origin consent
// beyond Config.Origins (the admin policy file and first-use consent,
// consent.go and package tokend/policy) are described in their files.
//
// Not yet here (issue 9): revocation checks in tokend/validate; raw
// signatures cannot be allowed from cmd/tokend's configuration yet (only
// through Server.AllowRawSign); sign data is bounded by the 64 KiB request
// body (MaxSignData, 32 KiB: larger documents go as a digest).
package tokend

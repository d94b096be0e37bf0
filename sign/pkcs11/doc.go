// Package pkcs11 signs with keys on smart cards and USB tokens (Rutoken,
// JaCarta, ESMART, …) through their vendor's PKCS#11 module, over
// github.com/miekg/pkcs11. A key is named by an RFC 7512 "pkcs11:" URI and
// opened with Open; the *Key is a crypto.Signer, a crypto.MessageSigner and
// a sign.Signer (it carries the certificate found beside it on the token).
//
// Standards: PKCS#11 v2.40 (OASIS, 2015) for the interface, RFC 7512 for
// URIs (see ParseURI), and for GOST R 34.10-2012 the TC 26 vendor extension,
// whose constants miekg/pkcs11 lacks and consts.go defines, with the
// mechanism semantics and byte forms of FACTS §5 (spec/gost/FACTS.md):
// CKM_GOSTR3410 and CKM_GOSTR3410_512 sign a Streebog digest given in wire
// order and return BE(s) ‖ BE(r), used as is; a GOST public key's CKA_VALUE
// is LE(x) ‖ LE(y), raw or wrapped in an OCTET STRING.
//
// # Finding the module, the token and the key
//
// The module is the URI's module-path or module-name, else Options.Module,
// else $PODPIS_PKCS11_MODULE, else every installed module of the
// well-known list (WellKnownModules: Rutoken librtpkcs11ecp, JaCarta
// libjcPKCS11-2, ESMART libesmart*, OpenSC opensc-pkcs11, SoftHSM2
// libsofthsm2, in the system and vendor directories). The URI's token
// attributes (token, serial, model, manufacturer, slot-id, …) pick the
// token; object (CKA_LABEL), id (CKA_ID) and type pick the key. A URI that
// fits no key or several is an error listing the candidates (*MatchError).
// The private key, public key and certificate of a pair share a CKA_ID;
// failing that, a certificate is paired with the key whose public key it
// carries (FACTS §5.3).
//
// # Sessions and concurrency
//
// A Key is safe for concurrent use. Modules are loaded once per process and
// shared; each token has one login and a pool of sessions
// (Options.Sessions, DefaultSessions by default), one per operation in
// progress, plus one session held open to keep the login. Waiting for a
// session or for a login honours the context of SignContext. The last Key
// closed on a token logs out and closes its sessions; the last one on a
// module calls C_Finalize. A token pulled out makes every operation on its
// keys fail with ErrTokenNotPresent (the keys must be opened again), never
// hang.
//
// Signing on several sessions at once scales as far as cgo lets C calls of a
// signature's length scale, which on a machine with as many cores as
// signatures in flight is less than C threads get: while every P's goroutine
// is inside C for longer than a sysmon tick (20 µs), the runtime retakes a P
// and starts a spinning thread for it (runtime/proc.go, retake and
// handoffp), and that thread's CPU comes out of the signing threads'.
// BenchmarkTokenSign measures the library's scaling beside a C loop of the
// same length called the same way and from C threads (internal/cgobench).
//
// # Security contract
//
//   - PINs come from a PIN pad (CKF_PROTECTED_AUTHENTICATION_PATH: no PIN
//     passes through the host), the URI's pin-source (a file, or env:NAME),
//     Options.PIN (a prompt: TerminalPIN, or any PINSource), or $PODPIS_PIN
//     — never from a URI's pin-value, which ParseURI refuses (ErrPINInURI),
//     nor from a command line.
//   - A PIN is asked for when the token needs a login, handed to C_Login in
//     the buffer the source returned (on Unix the module's C_Login is called
//     directly, so no copy is made on the way) and zeroed as soon as C_Login
//     returns. It is never stored, logged or put in an error.
//   - Before asking, the token's PIN flags are read: a locked PIN fails with
//     ErrPINLocked without a login attempt, and the prompt is told about the
//     attempts left. A rejected PIN is a *PINError saying what the token now
//     reports ("1 attempt left — the next wrong PIN locks the token"). This
//     package never tries a PIN again by itself, and the file and
//     environment sources refuse to give a PIN once one was rejected in the
//     process, or when the token is on its final try: no loop of calls and
//     no unattended source can lock a token.
//   - A key with CKA_ALWAYS_AUTHENTICATE gets a context-specific login, with
//     the PIN asked for again, for each signature.
//   - Every signature the token returns is verified with the key's public
//     key (gost3410.Verify, crypto/ecdsa, crypto/rsa) before it is given
//     out: a faulty token or module cannot hand out a bad signature.
//   - Private keys made by GenerateKey are sensitive and not extractable.
//
// What the standard leaves open: PKCS#11 reports only "a wrong PIN was
// entered" (COUNT_LOW), "final try" and "locked", not a count, so messages
// say "1 attempt left" only on the final try. TerminalPIN reads through
// golang.org/x/term, whose buffers are not cleared.
//
// # Token management
//
// ListTokens, GenerateKey (GOST R 34.10-2012 on any TC 26 parameter set the
// token accepts), GenerateECDSAKey, ImportCertificate and Certificates serve
// `podpis token …`; a PKCS#10 request is made with
// pki.CreateCertificateRequest and a Key.
//
// # Builds without cgo
//
// The modules are C libraries reached through cgo. Built with
// CGO_ENABLED=0, URIs, PIN sources and module discovery still work and every
// token operation returns ErrNoCgo.
package pkcs11

package pkcs11

// DefaultSessions is the size of a token's session pool when Options leave
// it zero.
const DefaultSessions = 4

// Options say what a URI alone does not. The zero value is usable: the PIN
// then comes from the URI's pin-source or $PODPIS_PIN, the module from the
// URI, $PODPIS_PKCS11_MODULE or the well-known list, and each token gets
// DefaultSessions sessions.
type Options struct {
	// PIN gives the PIN when the URI has no pin-source (a prompt, PINFile,
	// PINEnv). Without either, $PODPIS_PIN is used when set.
	PIN PINSource
	// Module is the module file to use when the URI names none.
	Module string
	// Sessions bounds the sessions opened on a token for concurrent
	// operations (DefaultSessions when zero). It applies when the token is
	// first opened in the process; later Opens share that pool.
	Sessions int
	// VerifyEach checks every GOST and ECDSA signature the token makes
	// against the key's public key before returning it. By default only the
	// first signature of each opened Key is checked — which catches a module
	// with another byte order, parameter set or key than it claims, at about
	// the cost of one more signature — because on a fast token checking each
	// would cost more than the token's own work. RSA signatures are always
	// checked: a faulty RSA-CRT signature can reveal the key.
	VerifyEach bool
}

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
}

//go:build !unix && cgo

package pkcs11

import "github.com/miekg/pkcs11"

// directLogin is not available off Unix: Windows packs CK_FUNCTION_LIST, and
// the module is reached through Ctx.Login (see login_unix.go).
type directLogin struct{}

func attachLogin(string) *directLogin { return nil }

func (*directLogin) login(pkcs11.SessionHandle, uint, []byte) error { panic("unreachable") }

func (*directLogin) detach() {}

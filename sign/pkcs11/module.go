//go:build cgo

package pkcs11

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unsafe"

	"github.com/miekg/pkcs11"
)

// module is one loaded and initialised PKCS#11 library. A process loads a
// library once: dlopen returns the same instance for the same file, and a
// second C_Initialize would fail (miekg/pkcs11 p11/module.go explains the
// same), so modules are shared and reference-counted, as crypto11 does.
type module struct {
	path  string // as resolved, symlinks followed
	ctx   *pkcs11.Ctx
	login *directLogin // nil: use ctx.Login
	info  pkcs11.Info
	// ownInit: this package's C_Initialize succeeded, so C_Finalize is ours
	// to call; false when someone else in the process initialised it.
	ownInit bool

	// Guarded by registry.mu.
	refs   int             // open tokens and callers holding the module
	tokens map[uint]*token // live tokens by slot ID
}

var registry struct {
	mu      sync.Mutex
	modules map[string]*module
}

// openModule loads and initialises the module at path, or shares the one
// already open, and takes a reference the caller gives back with release.
func openModule(path string) (*module, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, condErrorf(ErrModuleNotFound, "module %s not found: the file does not exist", path)
		}
		return nil, fmt.Errorf("pkcs11: module %s: %w", path, err)
	}
	if real, err = filepath.Abs(real); err != nil {
		return nil, err
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if m := registry.modules[real]; m != nil {
		m.refs++
		return m, nil
	}
	ctx := pkcs11.New(real)
	if ctx == nil {
		return nil, fmt.Errorf("pkcs11: cannot load %s as a PKCS#11 module (not a shared library for this system, or it lacks C_GetFunctionList)", path)
	}
	m := &module{path: real, ctx: ctx, ownInit: true, refs: 1, tokens: map[uint]*token{}}
	if err := ctx.Initialize(); err != nil {
		if rvOf(err) != pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED {
			ctx.Destroy()
			return nil, fmt.Errorf("pkcs11: module %s: %w", path, callErr("C_Initialize", err))
		}
		m.ownInit = false
	}
	if m.info, err = ctx.GetInfo(); err != nil {
		m.finalize()
		return nil, fmt.Errorf("pkcs11: module %s: %w", path, callErr("C_GetInfo", err))
	}
	m.info.ManufacturerID = trimPad(m.info.ManufacturerID)
	m.info.LibraryDescription = trimPad(m.info.LibraryDescription)
	m.login = attachLogin(real)
	if registry.modules == nil {
		registry.modules = map[string]*module{}
	}
	registry.modules[real] = m
	return m, nil
}

// release gives back a reference; the last one finalises and unloads the
// module.
func (m *module) release() {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	m.refs--
	if m.refs > 0 {
		return
	}
	delete(registry.modules, m.path)
	m.finalize()
}

func (m *module) finalize() {
	if m.login != nil {
		m.login.detach()
	}
	if m.ownInit {
		m.ctx.Finalize()
	}
	m.ctx.Destroy()
}

// loginWith calls C_Login with pin (nil for a PIN pad) and zeroes pin
// before returning, whatever the outcome.
func (m *module) loginWith(s pkcs11.SessionHandle, userType uint, pin []byte) error {
	defer clear(pin)
	if m.login != nil {
		return m.login.login(s, userType, pin)
	}
	return m.ctx.Login(s, userType, unsafeString(pin))
}

// unsafeString views pin as a string without copying it, for Ctx.Login,
// which copies it once more into C memory for the call. The string must not
// outlive the call: pin is zeroed right after.
func unsafeString(pin []byte) string {
	if len(pin) == 0 {
		return ""
	}
	return unsafe.String(&pin[0], len(pin))
}

// openModules reports how many modules are loaded (for tests).
func openModules() int {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	return len(registry.modules)
}

// trimPad removes the blank (and NUL) padding of CK_*_INFO text fields.
func trimPad(s string) string { return strings.TrimRight(s, " \x00") }

// matchesLibrary reports whether the module fits the URI's library-*
// attributes.
func (m *module) matchesLibrary(u *URI) bool {
	if u.LibraryManufacturer != "" && u.LibraryManufacturer != m.info.ManufacturerID {
		return false
	}
	if u.LibraryDescription != "" && u.LibraryDescription != m.info.LibraryDescription {
		return false
	}
	if u.LibraryVersion != "" {
		major, minor, _ := parseVersion(u.LibraryVersion)
		if m.info.LibraryVersion.Major != major || m.info.LibraryVersion.Minor != minor {
			return false
		}
	}
	return true
}

//go:build unix && cgo

package pkcs11

/*
#cgo linux LDFLAGS: -ldl
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>

typedef unsigned long podpis_ulong; // CK_ULONG on every Unix ABI

// podpis_fnlist mirrors the head of CK_FUNCTION_LIST (PKCS#11 v2.40
// pkcs11.h, functions in pkcs11f.h order): a CK_VERSION, then the function
// pointers; C_Login is the nineteenth (index 18). Unix headers do not pack
// the structure, so the pointers start at pointer alignment, as here.
typedef struct {
	unsigned char major, minor;
	void *fn[19];
} podpis_fnlist;

typedef podpis_ulong (*podpis_get_list)(podpis_fnlist **);
typedef podpis_ulong (*podpis_login_fn)(podpis_ulong, podpis_ulong, unsigned char *, podpis_ulong);

// podpis_attach finds an already loaded module (RTLD_NOLOAD: never a second
// copy) and its function list.
static void *podpis_attach(const char *path, podpis_fnlist **list) {
	void *h = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
	if (h == NULL) return NULL;
	podpis_get_list get = (podpis_get_list)dlsym(h, "C_GetFunctionList");
	if (get == NULL || get(list) != 0 || *list == NULL || (*list)->fn[18] == NULL) {
		dlclose(h);
		return NULL;
	}
	return h;
}

static podpis_ulong podpis_login(podpis_fnlist *list, podpis_ulong session, podpis_ulong user,
		unsigned char *pin, podpis_ulong len) {
	return ((podpis_login_fn)list->fn[18])(session, user, len ? pin : NULL, len);
}

static void podpis_detach(void *h) { dlclose(h); }
*/
import "C"

import (
	"unsafe"

	"github.com/miekg/pkcs11"
)

// directLogin calls the module's C_Login with a pointer to the caller's PIN
// buffer. miekg/pkcs11's Login takes a Go string and copies it into C memory
// that it frees without clearing; calling the function directly leaves the
// PIN in exactly one place, the buffer this package zeroes after the call.
type directLogin struct {
	handle unsafe.Pointer
	list   *C.podpis_fnlist
}

// attachLogin returns a directLogin for the module at path, which must
// already be loaded by miekg/pkcs11, or nil when that fails (Ctx.Login is
// used then).
func attachLogin(path string) *directLogin {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var list *C.podpis_fnlist
	h := C.podpis_attach(cpath, &list)
	if h == nil {
		return nil
	}
	return &directLogin{handle: h, list: list}
}

func (d *directLogin) login(session pkcs11.SessionHandle, userType uint, pin []byte) error {
	var p *C.uchar
	if len(pin) > 0 {
		p = (*C.uchar)(unsafe.Pointer(&pin[0]))
	}
	rv := C.podpis_login(d.list, C.podpis_ulong(session), C.podpis_ulong(userType), p, C.podpis_ulong(len(pin)))
	if rv != 0 {
		return pkcs11.Error(rv)
	}
	return nil
}

func (d *directLogin) detach() { C.podpis_detach(d.handle) }

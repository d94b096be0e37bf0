//go:build cgo

package pkcs11

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestModuleNotFound: every way of naming a module that is not there says
// which and where it looked.
func TestModuleNotFound(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, tc := range []struct {
		uri  string
		opts Options
		env  string
		want []string
	}{
		{"pkcs11:token=t?module-name=nosuchvendor", Options{}, "",
			[]string{`module "nosuchvendor" not found (tried: `, "libnosuchvendor.so", "/usr/lib/" + multiarch() + "/libnosuchvendor.so"}},
		{"pkcs11:token=t?module-path=/nonexistent/libx.so", Options{}, "", []string{"module /nonexistent/libx.so not found"}},
		{"pkcs11:token=t?module-path=" + dir, Options{}, "", []string{"no well-known module in directory " + dir}},
		{"pkcs11:token=t?module-path=" + dir + "&module-name=vendor", Options{}, "",
			[]string{`module "vendor" not found (tried: ` + filepath.Join(dir, "libvendor.so") + ", " + filepath.Join(dir, "vendor.so") + ")"}},
		{"pkcs11:token=t", Options{Module: "/nonexistent/m.so"}, "", []string{"module /nonexistent/m.so not found"}},
		{"pkcs11:token=t", Options{}, "/nonexistent/env.so", []string{"/nonexistent/env.so (from PODPIS_PKCS11_MODULE) not found"}},
	} {
		t.Setenv(EnvModule, tc.env)
		_, err := Open(ctx, tc.uri, tc.opts)
		if !errors.Is(err, ErrModuleNotFound) {
			t.Errorf("%s: %v, want ErrModuleNotFound", tc.uri, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", tc.uri, err, w)
			}
		}
	}
	// A file that is not a PKCS#11 module.
	bogus := filepath.Join(dir, "libbogus.so")
	os.WriteFile(bogus, []byte("not a library"), 0o644)
	if _, err := Open(ctx, "pkcs11:?module-path="+bogus, Options{}); err == nil || !strings.Contains(err.Error(), "cannot load") {
		t.Errorf("bogus module: %v", err)
	}
}

// TestWellKnownModules: the documented list names every vendor, in order,
// and the installed SoftHSM2 is found through it and through
// PODPIS_PKCS11_MODULE.
func TestWellKnownModules(t *testing.T) {
	list := strings.Join(WellKnownModules(), " ")
	last := -1
	for _, name := range []string{"librtpkcs11ecp.so", "libjcPKCS11-2.so", "libesmart*.so", "opensc-pkcs11.so", "libsofthsm2.so"} {
		i := strings.Index(list, name)
		if i < 0 || i < last {
			t.Errorf("%s missing or out of order in %s", name, list)
		}
		last = i
	}
	h := newSoftHSM(t)
	h.initToken("t1")
	ecKey(t, h, "t1", "k")
	found := false
	for _, m := range FindModules() {
		found = found || strings.HasSuffix(m, "libsofthsm2.so")
	}
	if !found {
		t.Errorf("FindModules() = %v lacks SoftHSM2", FindModules())
	}
	t.Setenv(EnvModule, h.module)
	k := open(t, "pkcs11:token=t1;object=k", pinOpts())
	if !strings.Contains(k.tok.mod.path, "softhsm") {
		t.Errorf("opened through %s", k.tok.mod.path)
	}
	k.Close()
	// module-path as a directory finds the well-known module in it.
	t.Setenv(EnvModule, "")
	k = open(t, "pkcs11:token=t1;object=k?module-path="+filepath.Dir(h.module), pinOpts())
	k.Close()
	// module-name as RFC 7512 means it.
	k = open(t, "pkcs11:token=t1;object=k?module-name=softhsm2", pinOpts())
	k.Close()
}

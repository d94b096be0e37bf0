package pkcs11

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPINSources: where the PIN comes from, in order, and what each source
// refuses.
func TestPINSources(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		return p
	}
	for _, tc := range []struct {
		content, want string
	}{
		{"1234\n", "1234"}, {"1234\r\nsecond line\n", "1234"}, {"пин-код", "пин-код"}, {" 12 34 ", " 12 34 "},
	} {
		pin, err := PINFile(write("pin", tc.content)).PIN(ctx, PINInfo{Token: "t"})
		if err != nil || string(pin) != tc.want {
			t.Errorf("PINFile(%q) = %q, %v", tc.content, pin, err)
		}
	}
	for _, tc := range []struct {
		src  PINSource
		info PINInfo
		want string
	}{
		{PINFile(write("empty", "\n")), PINInfo{}, "is empty"},
		{PINFile(filepath.Join(dir, "missing")), PINInfo{}, "no such file"},
		{PINFile(write("p", "1")), PINInfo{Token: "t", Retry: true}, "rejected a PIN earlier"},
		{PINFile(write("p", "1")), PINInfo{Token: "t", FinalTry: true}, "final PIN try"},
		{PINEnv("PODPIS_TEST_NO_SUCH_VAR"), PINInfo{}, "holds no PIN"},
		{PINEnv("HOME"), PINInfo{FinalTry: true}, "final PIN try"},
	} {
		if _, err := tc.src.PIN(ctx, tc.info); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%T %+v: %v, want %q", tc.src, tc.info, err, tc.want)
		}
	}
	t.Setenv("PODPIS_TEST_PIN", "4321")
	if pin, err := PINEnv("PODPIS_TEST_PIN").PIN(ctx, PINInfo{}); err != nil || string(pin) != "4321" {
		t.Errorf("PINEnv: %q, %v", pin, err)
	}

	// Order: the URI's pin-source, Options.PIN, $PODPIS_PIN.
	file := write("f", "from-file\n")
	opt := PINFunc(func(context.Context, PINInfo) ([]byte, error) { return []byte("from-options"), nil })
	t.Setenv(EnvPIN, "from-env")
	for _, tc := range []struct {
		uri  string
		opts Options
		want string
	}{
		{"pkcs11:?pin-source=" + file, Options{PIN: opt}, "from-file"},
		{"pkcs11:?pin-source=file:" + file, Options{}, "from-file"},
		{"pkcs11:?pin-source=file://" + file, Options{}, "from-file"},
		{"pkcs11:?pin-source=env:PODPIS_TEST_PIN", Options{PIN: opt}, "4321"},
		{"pkcs11:", Options{PIN: opt}, "from-options"},
		{"pkcs11:", Options{}, "from-env"},
	} {
		u, _ := ParseURI(tc.uri)
		src, err := pinSourceFor(u, tc.opts)
		if err != nil || src == nil {
			t.Errorf("%s: %v", tc.uri, err)
			continue
		}
		if pin, err := src.PIN(ctx, PINInfo{}); err != nil || string(pin) != tc.want {
			t.Errorf("%s: PIN %q, %v, want %q", tc.uri, pin, err, tc.want)
		}
	}
	u, _ := ParseURI("pkcs11:?pin-source=file://otherhost/pin")
	if _, err := pinSourceFor(u, Options{}); err == nil {
		t.Error("a file on another host accepted")
	}
	os.Unsetenv(EnvPIN)
	if src, _ := pinSourceFor(&URI{}, Options{}); src != nil {
		t.Error("a PIN source with none given")
	}
}

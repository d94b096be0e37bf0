package main

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/tokend/tokendtest"
)

// freePort returns a port nothing listens on (just now) on 127.0.0.1.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// report runs tokend doctor and returns the exit status and its JSON
// findings by area, besides the text report.
func doctorRun(t *testing.T, args ...string) (int, string, []finding) {
	t.Helper()
	code, out, errs := cli(t, append([]string{"doctor"}, args...)...)
	_, js, _ := cli(t, append([]string{"doctor", "--format", "json"}, args...)...)
	var rep struct {
		OK     bool      `json:"ok"`
		Checks []finding `json:"checks"`
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatalf("doctor --format json: %v\n%s", err, js)
	}
	if rep.OK != (code == 0) {
		t.Errorf("json ok %v, exit %d", rep.OK, code)
	}
	if code == 1 && (!strings.Contains(errs, "doctor:") || strings.Count(strings.TrimSpace(errs), "\n") != 0) {
		t.Errorf("stderr %q", errs)
	}
	return code, out, rep.Checks
}

func has(fs []finding, area string, ok bool, text string) bool {
	for _, f := range fs {
		if f.Area == area && f.OK == ok && strings.Contains(f.Message+" "+f.Fix, text) {
			return true
		}
	}
	return false
}

// TestDoctorAllWell: the GOST test token with a key and its certificate,
// a free port, a valid policy file, the scripted pinentry: all ✓, exit 0,
// in both languages.
func TestDoctorAllWell(t *testing.T) {
	tk := tokendtest.New(t, 1)
	tk.Key(0, "auth", gost3410.TC26256A)
	pol, _ := policyEnv(t, "allow: [https://gov.example]\nfirst_use: deny\n")
	port := freePort(t)
	args := []string{"--module", tk.Module, "--pinentry", tokendtest.Pinentry(t), "--port", port, "--policy", pol}
	code, out, fs := doctorRun(t, args...)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{
		"✓ Модуль " + tk.Module + " загружается",
		"✓ Токен «g0»", "сертификатов с ключом: 1",
		"✓ Порт " + port + " свободен",
		"✓ Файл политики " + pol + ": разрешено сайтов 1, запрещено 0, новые сайты: deny",
		"✓ Ваш список разрешённых сайтов",
		"✓ Программа pinentry " + tokendtest.Pinentry(t) + " отвечает (версия testpinentry)",
		"Всё в порядке.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "✗") || len(fs) != 6 {
		t.Errorf("%d findings:\n%s", len(fs), out)
	}
	code, out, _ = doctorRun(t, append(args, "--lang", "en")...)
	if code != 0 || !strings.Contains(out, "✓ Token \"g0\"") || !strings.Contains(out, "1 certificate(s) with a key") || !strings.Contains(out, "All is well.") {
		t.Errorf("--lang en: %d\n%s", code, out)
	}
	// Three wrong PINs lock the test token (testdata/gosttoken README).
	for range 3 {
		exec.Command("pkcs11-tool", "--module", tk.Module, "--token-label", "g0", "--login", "--pin", "00000000", "--list-objects").Run()
	}
	code, out, fs = doctorRun(t, args...)
	if code != 1 || !has(fs, "token", false, "Токен «g0»") || !has(fs, "token", false, "PIN заблокирован") || !has(fs, "token", false, "SO PIN") {
		t.Errorf("locked token: %d\n%s", code, out)
	}
}

// TestDoctorProblems: each thing that is wrong is a ✗ with what to do,
// and the exit status is 1.
func TestDoctorProblems(t *testing.T) {
	pol, store := policyEnv(t, "allow:\n  - https://gov.example/\n")
	os.MkdirAll(filepath.Dir(store), 0o700)
	os.WriteFile(store, []byte("{"), 0o600)
	// The port: another program (an HTTP server that is not tokend).
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go http.Serve(ln, http.NotFoundHandler())
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	missing := filepath.Join(t.TempDir(), "libnothing.so")
	code, out, fs := doctorRun(t, "--module", missing, "--pinentry", "no-such-pinentry-program", "--port", port, "--policy", pol)
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	for _, c := range []struct {
		area string
		text string
	}{
		{"modules", "Модуль " + missing + " не загружается"},
		{"modules", "переустановите драйвер"},
		{"token", "Ни одного токена не подключено"},
		{"port", "Порт " + port + " занят другой программой (не tokend)"},
		{"port", "ss -ltnp"},
		{"policy", pol + ":2: allow"},
		{"policy", "исправьте указанную строку"},
		{"origins", store},
		{"pinentry", "no-such-pinentry-program не найдена"},
		{"pinentry", "apt install pinentry-gnome3"},
	} {
		if !has(fs, c.area, false, c.text) {
			t.Errorf("no ✗ %s with %q in\n%s", c.area, c.text, out)
		}
	}
	if !strings.Contains(out, "    Что сделать: ") || !strings.Contains(out, "Нужно исправить: 6.") {
		t.Errorf("report:\n%s", out)
	}
	// A program that is no pinentry; an --origin the admin denies.
	os.WriteFile(pol, []byte("deny: [https://evil.example]\n"), 0o644)
	os.Remove(store)
	code, out, fs = doctorRun(t, "--module", missing, "--pinentry", "true", "--port", freePort(t), "--policy", pol, "--lang", "en")
	if code != 1 || !has(fs, "pinentry", false, "does not speak Assuan: the program ended without answering") || !has(fs, "origins", true, "Your list of allowed sites") {
		t.Errorf("exit %d\n%s", code, out)
	}
	cfg := filepath.Join(t.TempDir(), "tokend.yaml")
	os.WriteFile(cfg, []byte("origins: [https://evil.example]\nlang: en\n"), 0o600)
	_, out, fs = doctorRun(t, "--config", cfg, "--module", missing, "--pinentry", "true", "--port", freePort(t), "--policy", pol)
	if !has(fs, "policy", false, "https://evil.example is configured for tokend but denied") {
		t.Errorf("denied configured origin not reported:\n%s", out)
	}
	// Bad flags are exit 2 (could not run), not a finding.
	if code, _, errs := cli(t, "doctor", "--port", "70000"); code != 2 || !strings.Contains(errs, "out of range") {
		t.Errorf("--port 70000: %d %q", code, errs)
	}
}

// TestDoctorTokendRunning: the port is in use by a running tokend, which
// doctor recognises by its /v1/status answer.
func TestDoctorTokendRunning(t *testing.T) {
	pol, _ := policyEnv(t, "")
	port, _, stop := startDaemon(t, "--origin", "https://portal.example", "--module", filepath.Join(t.TempDir(), "none.so"), "--policy", pol)
	defer stop()
	_, out, fs := doctorRun(t, "--port", port, "--policy", pol, "--module", filepath.Join(t.TempDir(), "none.so"), "--lang", "en")
	if !has(fs, "port", true, "Port "+port+": tokend is running (protocol 1)") {
		t.Errorf("running tokend not recognised:\n%s", out)
	}
}

// TestDoctorSoftHSM: SoftHSM2's real module with a token that holds no
// key: loadable, but nothing to log in with.
func TestDoctorSoftHSM(t *testing.T) {
	const module = "/usr/lib/softhsm/libsofthsm2.so"
	_, err := exec.LookPath("softhsm2-util")
	_, serr := os.Stat(module)
	tokendtest.Require(t, "SoftHSM2 (Debian softhsm2)", err == nil && serr == nil)
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "tokens"), 0o700)
	conf := filepath.Join(dir, "softhsm2.conf")
	os.WriteFile(conf, []byte("directories.tokendir = "+filepath.Join(dir, "tokens")+"\nobjectstore.backend = file\nlog.level = ERROR\n"), 0o600)
	t.Setenv("SOFTHSM2_CONF", conf)
	if out, err := exec.Command("softhsm2-util", "--init-token", "--free", "--label", "s0", "--so-pin", tokendtest.SOPIN, "--pin", tokendtest.PIN).CombinedOutput(); err != nil {
		t.Fatalf("softhsm2-util: %v\n%s", err, out)
	}
	pol, _ := policyEnv(t, "")
	code, out, fs := doctorRun(t, "--module", module, "--pinentry", tokendtest.Pinentry(t), "--port", freePort(t), "--policy", pol)
	if code != 1 || !has(fs, "modules", true, "Модуль "+module+" загружается") || !has(fs, "token", false, "Токен «s0»") || !has(fs, "token", false, "нет сертификата при ключе") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// TestDoctorPinentryTTY: Debian's pinentry-tty answers GETINFO version
// (no terminal is needed for it).
func TestDoctorPinentryTTY(t *testing.T) {
	path, err := exec.LookPath("pinentry-tty")
	tokendtest.Require(t, "pinentry-tty (Debian pinentry-tty)", err == nil)
	out, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", "pinentry-tty").Output()
	d := &doctor{}
	d.lang = "en"
	d.pinentry(t.Context(), "pinentry-tty")
	if len(d.found) != 1 || !d.found[0].OK || !strings.Contains(d.found[0].Message, path+" answers (version ") {
		t.Fatalf("%+v", d.found)
	}
	// The version is the package's upstream version (1.2.1 in Debian's 1.2.1-3).
	if err == nil && !strings.Contains(d.found[0].Message, "(version "+strings.SplitN(string(out), "-", 2)[0]+")") {
		t.Errorf("%s; package version %s", d.found[0].Message, out)
	}
}

// TestDoctorPCSC: a smart-card module (OpenSC's, from Debian) needs pcscd;
// its socket is looked for where libpcsclite looks ($PCSCLITE_CSOCK_NAME).
func TestDoctorPCSC(t *testing.T) {
	module := openSCModule(t)
	pol, _ := policyEnv(t, "")
	sock := filepath.Join(t.TempDir(), "pcscd.comm")
	t.Setenv("PCSCLITE_CSOCK_NAME", sock)
	_, out, fs := doctorRun(t, "--module", module, "--pinentry", "true", "--port", freePort(t), "--policy", pol)
	if !has(fs, "pcscd", false, "pcscd не запущена (нет "+sock+")") || !has(fs, "pcscd", false, "systemctl enable --now pcscd.socket") {
		t.Errorf("missing pcscd not reported:\n%s", out)
	}
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// It accepts and hangs up: the module gives up at once (no readers),
	// doctor sees a daemon listening.
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, out, fs = doctorRun(t, "--module", module, "--pinentry", "true", "--port", freePort(t), "--policy", pol)
	if !has(fs, "pcscd", true, "pcscd доступна ("+sock+")") {
		t.Errorf("pcscd socket not found:\n%s", out)
	}
	// A software token's module does not need it.
	_, _, fs = doctorRun(t, "--module", filepath.Join(t.TempDir(), "libsofthsm2.so"), "--pinentry", "true", "--port", freePort(t), "--policy", pol)
	for _, f := range fs {
		if f.Area == "pcscd" {
			t.Errorf("pcscd checked for a software module: %+v", f)
		}
	}
}

// TestDoctorModuleHangs: a pcscd that accepts and never answers makes
// OpenSC's C_Initialize wait; doctor reports the module instead of hanging.
func TestDoctorModuleHangs(t *testing.T) {
	module := openSCModule(t)
	pol, _ := policyEnv(t, "")
	sock := filepath.Join(t.TempDir(), "pcscd.comm")
	t.Setenv("PCSCLITE_CSOCK_NAME", sock)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	defer func() { // let the module's call return, for the tests after this one
		ln.Close()
		<-accepted
		for _, c := range held {
			c.Close()
		}
	}()
	defer func(d time.Duration) { moduleTimeout = d }(moduleTimeout)
	moduleTimeout = 500 * time.Millisecond
	code, out, _ := cli(t, "doctor", "--module", module, "--pinentry", "true", "--port", freePort(t), "--policy", pol, "--lang", "en")
	if code != 1 || !strings.Contains(out, "✗ Module "+module+" cannot be loaded: no answer in 500ms") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// openSCModule is Debian's OpenSC module (package opensc-pkcs11, in the
// multiarch directory).
func openSCModule(t *testing.T) string {
	t.Helper()
	m, _ := filepath.Glob("/usr/lib/*/opensc-pkcs11.so")
	tokendtest.Require(t, "OpenSC's PKCS#11 module (Debian opensc-pkcs11)", len(m) > 0)
	return m[0]
}

package pinentry

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var testProg struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// testpinentry builds internal/testpinentry (once per test binary).
func testpinentry(t *testing.T) string {
	t.Helper()
	testProg.once.Do(func() {
		dir, err := os.MkdirTemp("", "testpinentry-")
		if err != nil {
			testProg.err = err
			return
		}
		testProg.path = filepath.Join(dir, "testpinentry")
		testProg.out, testProg.err = exec.Command("go", "build", "-o", testProg.path, "./internal/testpinentry").CombinedOutput()
	})
	if testProg.err != nil {
		t.Fatalf("go build testpinentry: %v\n%s", testProg.err, testProg.out)
	}
	return testProg.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if testProg.path != "" {
		os.RemoveAll(filepath.Dir(testProg.path))
	}
	os.Exit(code)
}

// scripted returns a Program running testpinentry with the given mode and
// PIN, and the file its received commands are logged to.
func scripted(t *testing.T, mode, pin string) (*Program, string) {
	log := filepath.Join(t.TempDir(), "log")
	env := append(os.Environ(), "TESTPINENTRY_MODE="+mode, "TESTPINENTRY_PIN="+pin, "TESTPINENTRY_LOG="+log)
	return &Program{Path: testpinentry(t), Env: env}, log
}

func TestGetPIN(t *testing.T) {
	for _, pin := range []string{"12345678", "12%34 é+x", strings.Repeat("9", 64)} {
		p, log := scripted(t, "", pin)
		got, err := p.GetPIN(context.Background(), Dialog{
			Title:       "tokend",
			Description: "Сайт https://portal.example:8443 просит войти.\n100% ваш сертификат\r",
			Prompt:      "PIN:",
			Timeout:     1500 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != pin {
			t.Errorf("PIN %q, want %q", got, pin)
		}
		data, err := os.ReadFile(log)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"SETTITLE tokend",
			"SETDESC Сайт https://portal.example:8443 просит войти.%0A100%25 ваш сертификат%0D",
			"SETPROMPT PIN:",
			"SETTIMEOUT 2",
			"GETPIN",
			"BYE",
		}
		if g := strings.Split(strings.TrimSpace(string(data)), "\n"); strings.Join(g, "\n") != strings.Join(want, "\n") {
			t.Errorf("commands sent:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(want, "\n"))
		}
	}
}

func TestConfirm(t *testing.T) {
	p, log := scripted(t, "", "")
	if err := p.Confirm(context.Background(), Dialog{Description: "Разрешить?", OK: "Да", Cancel: "Нет"}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(log)
	if !bytes.Contains(data, []byte("SETOK Да\nSETCANCEL Нет\nCONFIRM\n")) {
		t.Errorf("commands sent:\n%s", data)
	}
}

func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		mode    string
		confirm bool
		want    error
	}{
		{"cancel", false, ErrCancelled},
		{"cancel", true, ErrCancelled},
		{"notconfirmed", true, ErrCancelled},
		{"timeout", false, ErrTimeout},
		{"timeout", true, ErrTimeout},
	} {
		p, _ := scripted(t, tc.mode, "1234")
		var err error
		if tc.confirm {
			err = p.Confirm(context.Background(), Dialog{Description: "x"})
		} else {
			var pin []byte
			pin, err = p.GetPIN(context.Background(), Dialog{Description: "x"})
			if pin != nil {
				t.Errorf("%s: PIN returned with an error", tc.mode)
			}
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s (confirm %v): %v, want %v", tc.mode, tc.confirm, err, tc.want)
		}
	}
}

func TestContextEndsDialog(t *testing.T) {
	p, _ := scripted(t, "hang", "1234")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := p.GetPIN(ctx, Dialog{Description: "x"})
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("deadline: %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the dialog took %v to end after the deadline", d)
	}
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	if err := p.Confirm(ctx, Dialog{Description: "x"}); !errors.Is(err, ErrCancelled) {
		t.Errorf("cancel: %v, want ErrCancelled", err)
	}
}

func TestProtocolErrors(t *testing.T) {
	p, _ := scripted(t, "garbage", "")
	if _, err := p.GetPIN(context.Background(), Dialog{}); err == nil || !strings.Contains(err.Error(), "protocol error") {
		t.Errorf("bad escape: %v", err)
	}
	p = &Program{Path: filepath.Join(t.TempDir(), "no-such-pinentry")}
	if _, err := p.GetPIN(context.Background(), Dialog{}); err == nil {
		t.Error("a missing program gave no error")
	}
	// /bin/true ends without a greeting.
	p = &Program{Path: "/bin/true"}
	if _, err := p.GetPIN(context.Background(), Dialog{}); err == nil || !strings.Contains(err.Error(), "did not greet") {
		t.Errorf("a program that says nothing: %v", err)
	}
	p, _ = scripted(t, "", "1")
	if _, err := p.GetPIN(context.Background(), Dialog{Description: strings.Repeat("x", 1200)}); err == nil || !strings.Contains(err.Error(), "too long") {
		t.Errorf("a description over the Assuan line limit: %v", err)
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"a b":      "a b",
		"50%":      "50%25",
		"x\ny\rz":  "x%0Ay%0Dz",
		"\x01\x7f": "%01%7F",
		"пин":      "пин",
	} {
		if got := escape(in); got != want {
			t.Errorf("escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLineReader(t *testing.T) {
	c := &conn{r: strings.NewReader("OK hi\n# c\nS X\nD 1%32%0a\nOK\n")}
	if s, err := c.readResponse(); err != nil || s != "hi" {
		t.Fatalf("%q %v", s, err)
	}
	var got []byte
	if _, err := c.readResponseData(func(d []byte) error { got = append(got, d...); return nil }); err != nil {
		t.Fatal(err)
	}
	if string(got) != "1%32%0a" {
		t.Errorf("data %q", got)
	}
	c.wipe()
	for _, b := range c.buf {
		if b != 0 {
			t.Fatal("buffer not zeroed")
		}
	}
	c = &conn{r: strings.NewReader(strings.Repeat("x", 2000))}
	if _, err := c.readResponse(); err == nil {
		t.Error("an over-long line was accepted")
	}
}

// FuzzReadResponse feeds arbitrary program output to the response reader:
// it must return an answer or an error, never panic or loop.
func FuzzReadResponse(f *testing.F) {
	for _, s := range []string{"OK\n", "OK hi\nD 12%34\nOK\n", "ERR 83886179 Operation cancelled\n", "S X\n# c\nINQUIRE Q\nOK\n", "D %G1\nOK\n", "D %4\n", "junk\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &conn{r: bytes.NewReader(data), w: io.Discard}
		for range 4 {
			var pin []byte
			if _, err := c.readResponseData(func(d []byte) error { pin = append(pin, d...); return nil }); err != nil {
				break
			}
		}
		c = &conn{r: bytes.NewReader(append([]byte("OK\n"), data...)), w: io.Discard}
		c.readResponse()
		c.getpin()
	})
}

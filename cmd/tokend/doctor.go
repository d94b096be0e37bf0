package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/podpis/podpis/sign/pkcs11"
	"github.com/podpis/podpis/tokend"
	"github.com/podpis/podpis/tokend/policy"
	"github.com/spf13/cobra"
)

// `tokend doctor` checks what the daemon needs, the way `tokend run` would
// see it (issue 9: "modules found and loadable, tokens, port free/in use,
// policy file, pinentry program, and what to fix, in Russian and English";
// ANCHORS §6 item 9, §2 "Diagnosable failures"). Each line is ✓ or ✗; a ✗
// says what to do. Exit 0 when all is well, 1 when something needs fixing,
// 2 when the check itself could not run (bad flags or configuration file).

// errNeedsFixing is doctor's "checked, and something needs fixing" (exit 1).
type errNeedsFixing struct{ msg string }

func (e errNeedsFixing) Error() string { return e.msg }

// finding is one line of the report.
type finding struct {
	OK      bool   `json:"ok"`
	Area    string `json:"area"` // modules, token, port, policy, origins, pinentry, pcscd
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
}

type doctor struct {
	langFlags
	found []finding
}

func (d *doctor) ok(area, ru, en string) {
	d.found = append(d.found, finding{OK: true, Area: area, Message: d.tr(ru, en)})
}

func (d *doctor) bad(area, ru, en, fixRu, fixEn string) {
	d.found = append(d.found, finding{Area: area, Message: d.tr(ru, en), Fix: d.tr(fixRu, fixEn)})
}

func newDoctor(stdout io.Writer) *cobra.Command {
	var (
		d          doctor
		configPath string
		adminPath  string
		format     string
		fc         fileConfig
	)
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "check the token modules, tokens, port, policy and pinentry, and say what to fix",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if configPath != "" {
				file, err := loadConfig(configPath)
				if err != nil {
					return err
				}
				merge(cmd, &fc, file)
			}
			d.lang = fc.Lang
			if err := d.check(); err != nil {
				return err
			}
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: want text or json", format)
			}
			if fc.Port < 1 || fc.Port > 65535 {
				return fmt.Errorf("port %d is out of range 1–65535", fc.Port)
			}
			ctx := cmd.Context()
			d.modules(ctx, fc.Modules)
			d.port(ctx, fc.Port)
			d.policy(adminPath, fc.Origins)
			d.pinentry(ctx, fc.Pinentry)
			if format == "json" {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(map[string]any{"ok": d.failures() == 0, "checks": d.found}); err != nil {
					return err
				}
			} else {
				d.write(stdout)
			}
			if n := d.failures(); n > 0 {
				return errNeedsFixing{d.tr(fmt.Sprintf("doctor: нужно исправить: %d", n), fmt.Sprintf("doctor: %d thing(s) to fix", n))}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&configPath, "config", "", "the configuration file tokend run uses")
	f.IntVar(&fc.Port, "port", tokend.DefaultPort, "the port tokend run listens on")
	f.StringArrayVar(&fc.Modules, "module", nil, "PKCS#11 module path; repeatable (default: the well-known modules installed here)")
	f.StringVar(&fc.Pinentry, "pinentry", "pinentry", "the pinentry program tokend run uses")
	f.StringVar(&fc.Lang, "lang", "ru", "language of the report: ru or en")
	f.StringVar(&format, "format", "text", "report format: text or json")
	addPolicyFlag(f.StringVar, &adminPath)
	return cmd
}

func (d *doctor) failures() int {
	n := 0
	for _, f := range d.found {
		if !f.OK {
			n++
		}
	}
	return n
}

func (d *doctor) write(w io.Writer) {
	for _, f := range d.found {
		mark := "✓"
		if !f.OK {
			mark = "✗"
		}
		fmt.Fprintf(w, "%s %s\n", mark, f.Message)
		if f.Fix != "" {
			fmt.Fprintf(w, "    %s %s\n", d.tr("Что сделать:", "To fix:"), f.Fix)
		}
	}
	if n := d.failures(); n == 0 {
		fmt.Fprintln(w, d.tr("Всё в порядке.", "All is well."))
	} else {
		fmt.Fprintln(w, d.tr(fmt.Sprintf("Нужно исправить: %d.", n), fmt.Sprintf("To fix: %d.", n)))
	}
}

// smartCardModules are the well-known modules (sign/pkcs11's list) whose
// tokens are reached through the PC/SC daemon, pcscd.
var smartCardModules = []string{"librtpkcs11ecp", "libjcPKCS11", "libesmart", "opensc-pkcs11"}

// modules loads each module tokend run would use (the same rule: --module
// or the configuration, else the well-known modules installed here) and
// lists its tokens, as sign/pkcs11 does for `podpis token list`.
func (d *doctor) modules(ctx context.Context, mods []string) {
	if len(mods) == 0 {
		mods = pkcs11.FindModules()
	}
	if len(mods) == 0 {
		d.bad("modules", "Не найден ни один модуль PKCS#11 (драйвер токена)", "No PKCS#11 module (token driver) found",
			"установите драйвер токена (Рутокен: librtpkcs11ecp.so, JaCarta: libjcPKCS11-2.so, ESMART: libesmart*.so, смарт-карты: apt install opensc-pkcs11) или укажите путь: --module ФАЙЛ, modules: в файле настройки",
			"install the token's driver (Rutoken: librtpkcs11ecp.so, JaCarta: libjcPKCS11-2.so, ESMART: libesmart*.so, smart cards: apt install opensc-pkcs11) or give its path: --module FILE, modules: in the configuration file")
		return
	}
	tokens, needPCSC := 0, false
	for _, m := range mods {
		for _, sc := range smartCardModules {
			if strings.HasPrefix(filepath.Base(m), sc) {
				needPCSC = true
			}
		}
		infos, err := listTokens(ctx, m)
		if err != nil {
			d.bad("modules", "Модуль "+m+" не загружается: "+err.Error(), "Module "+m+" cannot be loaded: "+err.Error(),
				"проверьте путь и переустановите драйвер токена (модуль должен быть той же разрядности, что и tokend)",
				"check the path and reinstall the token's driver (the module must match tokend's architecture)")
			continue
		}
		d.ok("modules", fmt.Sprintf("Модуль %s загружается (слотов: %d)", m, len(infos)), fmt.Sprintf("Module %s loads (%d slot(s))", m, len(infos)))
		for _, ti := range infos {
			if ti.Present {
				tokens++
				d.token(ti)
			}
		}
	}
	if tokens == 0 {
		d.bad("token", "Ни одного токена не подключено", "No token is plugged in",
			"вставьте токен; если он вставлен, а его не видно — проверьте службу pcscd и драйвер токена",
			"plug in the token; if it is plugged in and not seen, check the pcscd service and the token's driver")
	}
	if needPCSC {
		d.pcscd()
	}
}

// moduleTimeout bounds loading one module and listing its tokens: a module
// waiting on a hung pcscd would otherwise hang doctor, whose job is to say so.
var moduleTimeout = 20 * time.Second

// listTokens is pkcs11.ListTokens bounded by moduleTimeout. A module call
// cannot be interrupted, so on timeout it is left running; doctor exits soon
// after.
func listTokens(ctx context.Context, module string) ([]pkcs11.TokenInfo, error) {
	type result struct {
		infos []pkcs11.TokenInfo
		err   error
	}
	ch := make(chan result, 1)
	go func() {
		infos, err := pkcs11.ListTokens(ctx, module)
		ch <- result{infos, err}
	}()
	select {
	case r := <-ch:
		return r.infos, r.err
	case <-time.After(moduleTimeout):
		return nil, fmt.Errorf("no answer in %v (a module of a smart-card token waits for pcscd)", moduleTimeout)
	}
}

func (d *doctor) token(ti pkcs11.TokenInfo) {
	name := fmt.Sprintf("«%s» (%s, № %s, слот %d)", ti.Label, ti.Model, ti.Serial, ti.SlotID)
	nameEn := fmt.Sprintf("%q (%s, serial %s, slot %d)", ti.Label, ti.Model, ti.Serial, ti.SlotID)
	for _, fl := range ti.Flags {
		if strings.HasPrefix(fl, "PIN: PIN locked") {
			d.bad("token", "Токен "+name+": PIN заблокирован", "Token "+nameEn+": the PIN is locked",
				"разблокируйте PIN PIN-кодом администратора (SO PIN) утилитой производителя токена",
				"unlock the PIN with the SO PIN in the token vendor's tool")
			return
		}
		if fl == "not initialised" || fl == "user PIN not set" {
			d.bad("token", "Токен "+name+": "+fl, "Token "+nameEn+": "+fl,
				"подготовьте токен утилитой производителя (инициализация и PIN пользователя)",
				"prepare the token with the vendor's tool (initialisation and user PIN)")
			return
		}
	}
	if ti.Problem != "" {
		d.bad("token", "Токен "+name+": объекты не читаются: "+ti.Problem, "Token "+nameEn+": objects cannot be read: "+ti.Problem,
			"выньте и снова вставьте токен; если не помогло — переустановите драйвер", "unplug and plug in the token again; if that does not help, reinstall the driver")
		return
	}
	certs := 0
	for _, k := range ti.Keys {
		if k.Certificate != nil {
			certs++
		}
	}
	if certs == 0 {
		d.bad("token", "Токен "+name+": нет сертификата при ключе — войти им нельзя", "Token "+nameEn+": no certificate beside a key, so it cannot log in",
			"запишите на токен сертификат ключа (его выдаёт удостоверяющий центр; podpis token import-cert или утилита производителя)",
			"store the key's certificate on the token (your CA issues it; podpis token import-cert or the vendor's tool)")
		return
	}
	d.ok("token", fmt.Sprintf("Токен %s: сертификатов с ключом: %d", name, certs), fmt.Sprintf("Token %s: %d certificate(s) with a key", nameEn, certs))
}

// pcscd connects to the PC/SC daemon's socket (pcsc-lite's default path on
// Debian, or $PCSCLITE_CSOCK_NAME, which libpcsclite also reads).
func (d *doctor) pcscd() {
	sock := os.Getenv("PCSCLITE_CSOCK_NAME")
	if sock == "" {
		sock = "/run/pcscd/pcscd.comm"
	}
	// A connection accepted means a daemon listens (a socket file alone
	// may be left over from one that stopped).
	if c, err := net.DialTimeout("unix", sock, 2*time.Second); err == nil {
		c.Close()
		d.ok("pcscd", "Служба pcscd доступна ("+sock+")", "The pcscd service is reachable ("+sock+")")
		return
	}
	d.bad("pcscd", "Служба pcscd не запущена (нет "+sock+"): USB-токены через неё не видны", "The pcscd service is not running (no "+sock+"): USB tokens are not seen without it",
		"sudo apt install pcscd && sudo systemctl enable --now pcscd.socket", "sudo apt install pcscd && sudo systemctl enable --now pcscd.socket")
}

// port checks the port on 127.0.0.1 and [::1]: free, used by a running
// tokend (its /v1/status answers with the protocol, also to an origin it
// does not allow), or used by another program.
func (d *doctor) port(ctx context.Context, port int) {
	p := strconv.Itoa(port)
	busy := false
	for _, addr := range []struct{ network, host string }{{"tcp4", "127.0.0.1"}, {"tcp6", "::1"}} {
		ln, err := net.Listen(addr.network, net.JoinHostPort(addr.host, p))
		switch {
		case err == nil:
			ln.Close()
		case errors.Is(err, syscall.EADDRINUSE):
			busy = true
		case addr.network == "tcp6":
			// No IPv6 here: tokend serves 127.0.0.1 alone.
		default:
			d.bad("port", "На порту "+p+" нельзя слушать: "+err.Error(), "Cannot listen on port "+p+": "+err.Error(),
				"задайте tokend порт от 1024 (--port, port: в файле настройки)", "give tokend a port from 1024 up (--port, port: in the configuration file)")
			return
		}
	}
	if !busy {
		d.ok("port", "Порт "+p+" свободен", "Port "+p+" is free")
		return
	}
	if proto, ok := probeTokend(ctx, port); ok {
		d.ok("port", "Порт "+p+": tokend уже запущен (протокол "+proto+")", "Port "+p+": tokend is running (protocol "+proto+")")
		return
	}
	d.bad("port", "Порт "+p+" занят другой программой (не tokend)", "Port "+p+" is used by another program (not tokend)",
		"найдите её (ss -ltnp 'sport = :"+p+"') и остановите, или задайте tokend другой порт (--port, port: в файле настройки) — тогда его нужно указать и сайтам",
		"find it (ss -ltnp 'sport = :"+p+"') and stop it, or give tokend another port (--port, port: in the configuration file), which sites must then be told")
}

// probeTokend asks 127.0.0.1:port for POST /v1/status as a page of an
// origin that no policy allows (the .invalid name, RFC 6761 §6.4): a tokend
// answers ORIGIN_NOT_ALLOWED with its protocol version and nothing else,
// and shows no dialog.
func probeTokend(ctx context.Context, port int) (string, bool) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1:"+strconv.Itoa(port)+"/v1/status", strings.NewReader("{}"))
	if err != nil {
		return "", false
	}
	req.Header.Set("Origin", "https://tokend-doctor.invalid")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(tokend.ProtocolHeader, tokend.Protocol)
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		return "", false
	}
	defer resp.Body.Close()
	var body struct {
		Protocol string `json:"protocol"`
	}
	if json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body) != nil || body.Protocol == "" {
		return "", false
	}
	return body.Protocol, true
}

// policy checks the admin policy file, the person's list and the
// configured origins against the file's deny list.
func (d *doctor) policy(adminPath string, origins []string) {
	a, err := policy.LoadAdmin(adminPath)
	switch {
	case err != nil:
		d.bad("policy", "Файл политики не читается: "+err.Error(), "The policy file cannot be used: "+err.Error(),
			"исправьте указанную строку (поля: allow, deny, first_use) или уберите файл; пока он неверен, tokend не запустится",
			"fix the line named (the fields are allow, deny, first_use) or remove the file; tokend will not start until it is right")
	case !a.Exists:
		d.ok("policy", "Файла политики "+a.Path+" нет: действуют умолчания (новые сайты спрашивают разрешения)",
			"No policy file "+a.Path+": the defaults apply (new sites ask for permission)")
	default:
		d.ok("policy", fmt.Sprintf("Файл политики %s: разрешено сайтов %d, запрещено %d, новые сайты: %s", a.Path, len(a.Allow), len(a.Deny), a.FirstUse),
			fmt.Sprintf("Policy file %s: %d site(s) allowed, %d denied, new sites: %s", a.Path, len(a.Allow), len(a.Deny), a.FirstUse))
		for _, o := range origins {
			if a.Denied(o) {
				d.bad("policy", o+" задан в настройке tokend, но запрещён политикой администратора", o+" is configured for tokend but denied by the administrator's policy",
					"уберите его из --origin / origins: в файле настройки; tokend run с ним не запустится",
					"remove it from --origin / origins: in the configuration file; tokend run refuses to start with it")
			}
		}
	}
	s, err := policy.OpenStore("")
	if err == nil {
		var es []policy.Entry
		if es, err = s.List(); err == nil {
			d.ok("origins", fmt.Sprintf("Ваш список разрешённых сайтов %s: %d", s.Path(), len(es)), fmt.Sprintf("Your list of allowed sites %s: %d", s.Path(), len(es)))
			return
		}
	}
	d.bad("origins", "Ваш список разрешённых сайтов не читается: "+err.Error(), "Your list of allowed sites cannot be read: "+err.Error(),
		"исправьте или удалите файл (сайты снова спросят разрешения); пока он неверен, tokend не пускает сайты из него",
		"fix or delete the file (sites will ask again); while it is wrong, tokend refuses the sites in it")
}

// pinentry checks that the program is there and speaks Assuan.
func (d *doctor) pinentry(ctx context.Context, prog string) {
	path, err := exec.LookPath(prog)
	if err != nil {
		d.bad("pinentry", "Программа pinentry "+prog+" не найдена: tokend не сможет спросить PIN", "The pinentry program "+prog+" is not found: tokend cannot ask for the PIN",
			"sudo apt install pinentry-gnome3 (или pinentry-qt для KDE, pinentry-curses/pinentry-tty для терминала), либо укажите программу: --pinentry, pinentry: в файле настройки",
			"sudo apt install pinentry-gnome3 (or pinentry-qt for KDE, pinentry-curses/pinentry-tty for a terminal), or name the program: --pinentry, pinentry: in the configuration file")
		return
	}
	v, err := pinentryVersion(ctx, path)
	if err != nil {
		d.bad("pinentry", "Программа pinentry "+path+" не отвечает по протоколу Assuan: "+err.Error(), "The pinentry program "+path+" does not speak Assuan: "+err.Error(),
			"укажите настоящий pinentry (pinentry-gnome3, pinentry-qt, pinentry-curses, pinentry-tty)", "name a real pinentry (pinentry-gnome3, pinentry-qt, pinentry-curses, pinentry-tty)")
		return
	}
	d.ok("pinentry", "Программа pinentry "+path+" отвечает (версия "+v+")", "The pinentry program "+path+" answers (version "+v+")")
}

// pinentryVersion runs the program and asks GETINFO version (pinentry's
// Assuan commands, shared/spec/infra/RECIPES.md "pinentry"): greeting "OK",
// then "D <version>" and "OK". No dialog is shown.
func pinentryVersion(ctx context.Context, path string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path)
	cmd.WaitDelay = time.Second
	in, err := cmd.StdinPipe()
	if err != nil {
		return "", err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	defer func() { in.Close(); cmd.Wait() }()
	r := bufio.NewReaderSize(out, 1024)
	read := func() (string, error) {
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				if ctx.Err() != nil {
					return "", errors.New("no answer in 5 s")
				}
				return "", errors.New("the program ended without answering")
			}
			l = strings.TrimRight(l, "\r\n")
			if !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "S ") {
				return l, nil
			}
		}
	}
	if l, err := read(); err != nil {
		return "", err
	} else if l != "OK" && !strings.HasPrefix(l, "OK ") {
		return "", fmt.Errorf("greeting %.40q, want OK", l)
	}
	if _, err := io.WriteString(in, "GETINFO version\n"); err != nil {
		return "", err
	}
	version := ""
	for {
		l, err := read()
		if err != nil {
			return "", err
		}
		switch {
		case strings.HasPrefix(l, "D "):
			version = l[2:]
		case l == "OK" || strings.HasPrefix(l, "OK "):
			io.WriteString(in, "BYE\n")
			if version == "" {
				return "", errors.New("GETINFO version: no version")
			}
			return version, nil
		default:
			return "", fmt.Errorf("GETINFO version: %.60q", l)
		}
	}
}

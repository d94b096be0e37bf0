package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"sync"

	"github.com/podpis/podpis/pki/ruid"
	"github.com/podpis/podpis/tokend/js"
	"github.com/podpis/podpis/tokend/validate"
)

// site is the example portal: a login page with "Войти с помощью токена",
// the nonce and login endpoints, and a page showing who logged in.
type site struct {
	origin     string // this site's origin, as browsers send it
	tokendPort int
	v          *validate.Validator
	log        *slog.Logger

	mu       sync.Mutex
	sessions map[string]*validate.Person // session id → person (nil until logged in)
}

const sessionCookie = "portal_session"

func newSite(origin string, tokendPort int, v *validate.Validator, log *slog.Logger) *site {
	return &site{origin: origin, tokendPort: tokendPort, v: v, log: log, sessions: make(map[string]*validate.Person)}
}

func (s *site) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.loginPage)
	mux.HandleFunc("GET /static/tokend.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Write(js.Source)
	})
	mux.HandleFunc("POST /login/nonce", s.sameOrigin(s.nonce))
	mux.HandleFunc("POST /login", s.sameOrigin(s.login))
	mux.HandleFunc("POST /logout", s.sameOrigin(s.logout))
	mux.HandleFunc("GET /me", s.me)
	return mux
}

// session returns the request's session id, making one (and its cookie)
// when there is none.
func (s *site) session(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.mu.Lock()
		_, ok := s.sessions[c.Value]
		s.mu.Unlock()
		if ok {
			return c.Value
		}
	}
	var b [16]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	s.mu.Lock()
	s.sessions[id] = nil
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	return id
}

// sameOrigin refuses state-changing requests from other sites (login CSRF,
// ANCHORS §1.2: "Login POSTs need normal CSRF protection too").
func (s *site) sameOrigin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Origin") != s.origin || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		h(w, r)
	}
}

func (s *site) nonce(w http.ResponseWriter, r *http.Request) {
	id := s.session(w, r)
	n, err := s.v.Nonces.Issue(id)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"nonce": n})
}

func (s *site) login(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "NO_SESSION"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 16<<10))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "TOKEN_MALFORMED"})
		return
	}
	p, err := s.v.Validate(c.Value, body)
	if err != nil {
		var ve *validate.Error
		code := "INTERNAL_ERROR"
		if asValidateError(err, &ve) {
			code = string(ve.Code)
		}
		s.log.Info("login refused", "code", code, "err", err)
		writeJSON(w, http.StatusForbidden, map[string]string{"error": code})
		return
	}
	s.mu.Lock()
	s.sessions[c.Value] = p
	s.mu.Unlock()
	s.log.Info("login", "certificate_serial", p.Certificate.SerialNumber.String())
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (s *site) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.mu.Lock()
		delete(s.sessions, c.Value)
		s.mu.Unlock()
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (s *site) person(r *http.Request) *validate.Person {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[c.Value]
}

func (s *site) loginPage(w http.ResponseWriter, r *http.Request) {
	s.session(w, r)
	securityHeaders(w)
	loginTmpl.Execute(w, map[string]any{"TokendPort": s.tokendPort})
}

func (s *site) me(w http.ResponseWriter, r *http.Request) {
	p := s.person(r)
	if p == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	securityHeaders(w)
	snils, err := ruid.FormatSNILS(p.SNILS)
	if err != nil {
		snils = p.SNILS
	}
	meTmpl.Execute(w, map[string]any{
		"P": p, "SNILS": snils, "Issuer": p.Certificate.IssuerName.CommonName,
		"Until": p.Certificate.NotAfter.Format("02.01.2006"),
	})
}

func securityHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; connect-src 'self' http://127.0.0.1:* http://[::1]:*; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

var loginTmpl = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>Портал организации — вход</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;color:#1b1b1b}
button{font-size:1.1em;padding:.6em 1.4em;border-radius:6px;border:1px solid #0b5394;background:#0b5394;color:#fff;cursor:pointer}
#msg{margin-top:1.5em;white-space:pre-line}
.err{color:#a40000}
</style></head>
<body data-tokend-port="{{.TokendPort}}">
<h1>Личный кабинет организации</h1>
<p>Вход по квалифицированному сертификату на USB-токене. PIN вы вводите только в окне программы tokend на своём компьютере — сайт его не видит.</p>
<button id="login">Войти с помощью токена</button>
<div id="msg" role="status"></div>
<script type="module">
import { Tokend, TokendError } from "/static/tokend.js";
const texts = {
  LOOPBACK_PERMISSION_DENIED: "Браузер не разрешил сайту обратиться к tokend. Разрешите «Приложения на этом устройстве» в настройках сайта и повторите.",
  DAEMON_UNREACHABLE: "Программа tokend не запущена на этом компьютере. Запустите её и повторите.",
  ORIGIN_NOT_ALLOWED: "tokend на этом компьютере не разрешает вход на этот сайт.",
  NO_TOKEN: "Вставьте токен и повторите.",
  NO_CERTIFICATE: "На токене нет подходящего сертификата.",
  PIN_INCORRECT: "Неверный PIN.",
  PIN_LOCKED: "PIN заблокирован. Обратитесь к администратору токена.",
  USER_CANCELLED: "Вход отменён.",
  USER_TIMEOUT: "Время ожидания истекло.",
  TOKEN_REMOVED: "Токен извлечён во время входа.",
};
const msg = document.getElementById("msg");
const tokend = new Tokend({ port: Number(document.body.dataset.tokendPort) });
async function post(path, body) {
  const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return { status: r.status, data: await r.json() };
}
document.getElementById("login").addEventListener("click", async () => {
  msg.className = ""; msg.textContent = "Подтвердите вход в окне tokend…";
  try {
    const { data } = await post("/login/nonce", {});
    const { authToken } = await tokend.authenticate(data.nonce);
    const r = await post("/login", authToken);
    if (r.status !== 200) throw new TokendError(r.data.error, "сервер не принял вход");
    location.href = "/me";
  } catch (e) {
    msg.className = "err";
    let t = texts[e.code] || ("Не удалось войти: " + (e.code || e.message));
    if (e.code === "PIN_INCORRECT" && e.retriesLeft === 1) t += " Осталась одна попытка.";
    msg.textContent = t;
    msg.dataset.code = e.code || "ERROR";
  }
});
window.ready = true;
</script>
</body></html>`))

var meTmpl = template.Must(template.New("me").Parse(`<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>Портал организации</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;color:#1b1b1b}
dt{color:#555;margin-top:.6em}dd{margin:0;font-weight:600}
</style></head>
<body>
<h1>Вы вошли</h1>
<dl id="person">
<dt>Пользователь</dt><dd id="name">{{.P.Name}}</dd>
{{with .P.Title}}<dt>Должность</dt><dd>{{.}}</dd>{{end}}
{{with .SNILS}}<dt>СНИЛС</dt><dd id="snils">{{.}}</dd>{{end}}
{{with .P.INN}}<dt>ИНН</dt><dd>{{.}}</dd>{{end}}
{{with .P.Organization}}<dt>Организация</dt><dd id="org">{{.}}</dd>{{end}}
{{with .P.OrgINN}}<dt>ИНН организации</dt><dd id="orginn">{{.}}</dd>{{end}}
{{with .P.OGRN}}<dt>ОГРН</dt><dd>{{.}}</dd>{{end}}
<dt>Сертификат</dt><dd>выдан: {{.Issuer}}, действует до {{.Until}}</dd>
</dl>
</body></html>`))

func asValidateError(err error, target **validate.Error) bool {
	return errors.As(err, target)
}

package serve

import "strings"

// Error codes of the JSON error answers; stable, programs switch on them.
const (
	codeUnauthorized     = "UNAUTHORIZED"           // 401: no or bad API key or JWT
	codeNotFound         = "NOT_FOUND"              // 404
	codeMethodNotAllowed = "METHOD_NOT_ALLOWED"     // 405
	codeRequestTimeout   = "REQUEST_TIMEOUT"        // 408: the body did not arrive in time
	codeTooLarge         = "REQUEST_TOO_LARGE"      // 413
	codeUnsupportedMedia = "UNSUPPORTED_MEDIA_TYPE" // 415: not multipart/form-data
	codeBadRequest       = "BAD_REQUEST"            // 400: a malformed body, no files, an unknown field
	codeUnrecognized     = "UNRECOGNIZED"           // 422: the files make nothing verify can check
	codeBusy             = "BUSY"                   // 503: every verification slot is taken
	codeTimeout          = "TIMEOUT"                // 504: the verification did not finish in time
	codeInternal         = "INTERNAL"               // 500
)

// messages are the texts of the codes: English, Russian.
var messages = map[string][2]string{
	codeUnauthorized:     {"authentication required: send an API key in X-API-Key or a JWT in Authorization: Bearer", "нужна аутентификация: передайте API-ключ в заголовке X-API-Key или JWT в Authorization: Bearer"},
	codeNotFound:         {"no such resource; see /v1/openapi.json", "такого ресурса нет; см. /v1/openapi.json"},
	codeMethodNotAllowed: {"method not allowed for this resource; see the Allow header", "метод не допускается для этого ресурса; см. заголовок Allow"},
	codeRequestTimeout:   {"the request body did not arrive in time", "тело запроса не получено вовремя"},
	codeTooLarge:         {"the request is larger than the server accepts", "запрос больше, чем принимает сервер"},
	codeUnsupportedMedia: {"send the files as multipart/form-data", "передайте файлы как multipart/form-data"},
	codeBadRequest:       {"the request is malformed", "запрос составлен неверно"},
	codeUnrecognized:     {"the files do not make a signed object that can be verified", "файлы не составляют подписанный объект, который можно проверить"},
	codeBusy:             {"the server is busy verifying; retry later", "сервер занят проверками; повторите позже"},
	codeTimeout:          {"the verification did not finish in time", "проверка не завершилась вовремя"},
	codeInternal:         {"internal error", "внутренняя ошибка"},
}

// message is the text of code in Russian or English, with the English
// detail after it.
func message(code string, ru bool, detail string) string {
	m := messages[code]
	text := m[0]
	if ru {
		text = m[1]
	}
	if detail != "" {
		text += ": " + detail
	}
	return text
}

// prefersRussian reports whether an Accept-Language header (RFC 9110
// §12.5.4) puts Russian first. Quality values are not weighed: the first
// range listed decides, which is how browsers and HTTP clients send it.
func prefersRussian(h string) bool {
	first, _, _ := strings.Cut(h, ",")
	first, _, _ = strings.Cut(first, ";")
	first = strings.ToLower(strings.TrimSpace(first))
	return first == "ru" || strings.HasPrefix(first, "ru-")
}

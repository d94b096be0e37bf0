// Package serve is the verification API that `podpis serve` runs: an
// http.Handler over package verify for systems that send signed files over
// HTTP instead of running the command line (issue 8, "podpis serve").
//
// Routes (the OpenAPI 3 document served at /v1/openapi.json describes them,
// and a test keeps it equal to what the handler does):
//
//   - POST /v1/verify: multipart/form-data whose file parts are the files of
//     one case — a signed PDF, a CMS signature (with its document when
//     detached), a power of attorney (EMCHD_1 XML) with its signature, or a
//     document signed by a representative with the POA that empowers them. An
//     optional form field "power" asks whether the POA grants that power
//     code. verify.Any works out what each file is from its bytes; the answer
//     is the verify.Result as JSON, the same JSON as
//     `podpis verify FILE... --format json`, with status 200 whatever the
//     verdict: a verdict is data.
//   - GET /v1/health: {"status":"ok"}, without authentication.
//   - GET /v1/openapi.json: the OpenAPI document, without authentication.
//
// Errors are JSON: {"error": {"code": "...", "message": "..."}}, the message
// in English, or in Russian when the request's Accept-Language prefers ru.
//
// # Security contract
//
// Every call to /v1/verify is authenticated before its body is read, by an
// API key (header X-API-Key; see KeyStore) or a bearer JWT signed with GOST R
// 34.10-2012 (header Authorization: Bearer; see JWTVerifier). A request
// without valid credentials gets 401 and costs no verification.
//
// A client cannot take more than its share: the body is bounded
// (Config.MaxRequest, default 20 MB; more is 413 and is not read), the whole
// request — reading the body and verifying — by Config.Timeout (default 30 s:
// a slow body gets 408, a slow verification 504), and the number of
// verifications in flight by Config.Concurrency (default: one per CPU); a
// request beyond it is refused at once with 503 and Retry-After instead of
// queueing. So memory is bounded by about Concurrency × MaxRequest.
//
// Logs (log/slog) carry one record per request: a request id (also sent back
// in the X-Request-Id header), method, route, status, sizes, duration, how
// the caller authenticated (and the API key's id, which is not secret), and
// the verdict's kind, indication and code. They never carry the files'
// contents or names, the signers' or principals' names and numbers, the JWT's
// subject, or any credential: those are personal data or secrets.
//
// Revocation, trust and the registry are those of Config.Verify: a hostile
// CRL or OCSP server is bounded by verify's own fetch limits and by the
// request's timeout.
package serve

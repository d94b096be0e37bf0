package tokend

import (
	"errors"
	"fmt"
	"net/http"
)

// Code is a stable error code given to the page (issue 9, "Stable error
// codes"; ANCHORS §6 item 9). Pages switch on it; the cause stays in the
// daemon's log.
type Code string

// The codes. LOOPBACK_PERMISSION_DENIED and DAEMON_UNREACHABLE are made by
// tokend/js, never by the daemon: a request the browser refuses never
// reaches it (ANCHORS §3.2).
const (
	CodeHostNotAllowed      Code = "HOST_NOT_ALLOWED"
	CodeOriginNotAllowed    Code = "ORIGIN_NOT_ALLOWED"
	CodeVersionMismatch     Code = "VERSION_MISMATCH"
	CodeBadRequest          Code = "BAD_REQUEST"
	CodeMethodNotAllowed    Code = "METHOD_NOT_ALLOWED"
	CodeUnsupportedMedia    Code = "UNSUPPORTED_MEDIA_TYPE"
	CodeNotFound            Code = "NOT_FOUND"
	CodePINNotAccepted      Code = "PIN_NOT_ACCEPTED"
	CodeBadNonce            Code = "BAD_NONCE"
	CodeNoToken             Code = "NO_TOKEN"
	CodeNoCertificate       Code = "NO_CERTIFICATE"
	CodeCertificateUnusable Code = "CERTIFICATE_UNUSABLE"
	// CodeNotForSigning: sign with a certificate whose keyUsage or
	// extKeyUsage does not allow signing documents (sign.go, signRefusal).
	CodeNotForSigning Code = "CERTIFICATE_NOT_FOR_SIGNING"
	// CodeBadDigest: a sign digest that is not base64 or not the length of
	// the certificate's Streebog variant.
	CodeBadDigest Code = "BAD_DIGEST"
	// CodeDataTooLarge: sign data over MaxSignData; the portal's server
	// should hash the document and send the digest.
	CodeDataTooLarge Code = "DATA_TOO_LARGE"
	// CodeRawNotAllowed: a raw signature asked for by an origin that
	// Server.AllowRawSign did not name (doc.go, "Raw signatures").
	CodeRawNotAllowed    Code = "RAW_NOT_ALLOWED"
	CodeOperationPending Code = "OPERATION_PENDING"
	CodePINIncorrect     Code = "PIN_INCORRECT"
	CodePINLocked        Code = "PIN_LOCKED"
	CodeUserCancelled    Code = "USER_CANCELLED"
	CodeUserTimeout      Code = "USER_TIMEOUT"
	CodeTokenRemoved     Code = "TOKEN_REMOVED"
	CodePinentryFailed   Code = "PINENTRY_FAILED"
	CodeInternal         Code = "INTERNAL_ERROR"
)

// status is the HTTP status of each code.
var status = map[Code]int{
	CodeHostNotAllowed:      http.StatusForbidden,
	CodeOriginNotAllowed:    http.StatusForbidden,
	CodeVersionMismatch:     http.StatusBadRequest,
	CodeBadRequest:          http.StatusBadRequest,
	CodeMethodNotAllowed:    http.StatusMethodNotAllowed,
	CodeUnsupportedMedia:    http.StatusUnsupportedMediaType,
	CodeNotFound:            http.StatusNotFound,
	CodePINNotAccepted:      http.StatusBadRequest,
	CodeBadNonce:            http.StatusBadRequest,
	CodeNoToken:             http.StatusNotFound,
	CodeNoCertificate:       http.StatusNotFound,
	CodeCertificateUnusable: http.StatusConflict,
	CodeNotForSigning:       http.StatusConflict,
	CodeBadDigest:           http.StatusBadRequest,
	CodeDataTooLarge:        http.StatusRequestEntityTooLarge,
	CodeRawNotAllowed:       http.StatusForbidden,
	CodeOperationPending:    http.StatusConflict,
	CodePINIncorrect:        http.StatusUnauthorized,
	CodePINLocked:           http.StatusLocked,
	CodeUserCancelled:       http.StatusConflict,
	CodeUserTimeout:         http.StatusRequestTimeout,
	CodeTokenRemoved:        http.StatusGone,
	CodePinentryFailed:      http.StatusInternalServerError,
	CodeInternal:            http.StatusInternalServerError,
}

// Error is an error answered to the page: a code, a message for the page's
// developer (English; the page shows its own text for the code), and
// details (retriesLeft for PIN_INCORRECT). Cause is logged, never sent.
type Error struct {
	Code    Code
	Message string
	// RetriesLeft is set for PIN_INCORRECT when the token says how many
	// tries are left (PKCS#11 says so only for the final try).
	RetriesLeft *int
	Cause       error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Cause }

func apiErr(code Code, msg string, cause error) *Error {
	return &Error{Code: code, Message: msg, Cause: cause}
}

// asAPIError turns any error into an *Error (INTERNAL_ERROR when it is not one).
func asAPIError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return apiErr(CodeInternal, "internal error (see the daemon's log)", err)
}

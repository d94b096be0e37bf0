package tokend

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"

	"github.com/podpis/podpis/pki"
)

// The audit log (issue 9: "An audit log (slog, JSON) of each operation:
// time, origin, certificate, digest, result — never PINs or document
// content"; ANCHORS §6 item 10). Config.Audit receives one record per
// authenticate, sign and cancel request that reached its operation, with the
// message "operation" and these attributes (slog adds time and level):
//
//	operation    "authenticate", "sign" or "cancel"
//	origin       the page's origin (the Origin header)
//	requestId    the request id (absent when the request did not parse)
//	certificate  subject (CN), serial (hex), sha256 (hex of the DER: the id
//	             of /v1/certificates) — once a certificate was chosen
//	digest       hex of what the key signs or was about to sign: for sign
//	             the document's digest (the CMS messageDigest, or the raw
//	             digest), for authenticate Streebog(Streebog(origin) ‖
//	             Streebog(nonce)) — never the nonce or the document
//	format       sign only: "cms" or "raw"
//	target       cancel only: the request id cancelled
//	result       "OK" or the error code the page got
//
// The first-use consent dialog (consent.go) adds records with the message
// "consent": origin, result and whether the answer was remembered.
//
// The record is written after the operation ends, whatever the outcome, so a
// refused, cancelled or timed-out operation is there too. Nothing else from
// the request goes in: no PIN (the daemon never has one outside C_Login), no
// nonce, no document bytes, no document name (a name may say more than the
// person wants kept).

// auditRecord collects what one operation's audit record says.
type auditRecord struct {
	op, origin, requestID string
	cert                  *pki.Certificate
	token                 string // the token's label, for the request log only
	digest                []byte
	format, target        string
}

// audit writes a's record with the operation's result.
func (s *Server) audit(a *auditRecord, result Code) {
	if s.cfg.Audit == nil || a == nil {
		return
	}
	attrs := []slog.Attr{slog.String("operation", a.op), slog.String("origin", a.origin)}
	if a.requestID != "" {
		attrs = append(attrs, slog.String("requestId", a.requestID))
	}
	if c := a.cert; c != nil {
		sum := sha256.Sum256(c.Raw)
		attrs = append(attrs, slog.Group("certificate",
			slog.String("subject", c.SubjectName.CommonName),
			slog.String("serial", hex.EncodeToString(c.SerialNumber.Bytes())),
			slog.String("sha256", hex.EncodeToString(sum[:]))))
	}
	if a.digest != nil {
		attrs = append(attrs, slog.String("digest", hex.EncodeToString(a.digest)))
	}
	if a.format != "" {
		attrs = append(attrs, slog.String("format", a.format))
	}
	if a.target != "" {
		attrs = append(attrs, slog.String("target", a.target))
	}
	attrs = append(attrs, slog.String("result", string(result)))
	s.cfg.Audit.LogAttrs(context.Background(), slog.LevelInfo, "operation", attrs...)
}

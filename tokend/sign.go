package tokend

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/sign/pkcs11"
	"github.com/podpis/podpis/tokend/authtoken"
	"github.com/podpis/podpis/tokend/validate"
)

// MaxSignData bounds the data member of a sign request (decoded). The
// request body as a whole is bounded at 64 KiB (maxBody) before it is
// parsed, which base64 data of 32 KiB fits with room to spare. Larger
// documents are hashed by the portal's server (validate.DocumentDigest) and
// sent as a digest: that is the intended use, and the page then never holds
// the document at all.
const MaxSignData = 32 << 10

// MaxDocumentName bounds the document name shown in the dialog, in
// characters (after the clean-up of cleanDocumentName).
const MaxDocumentName = 200

// The formats of a signature.
const (
	// FormatCMS is a detached CAdES-BES SignedData (package cms: signed
	// attributes contentType, signingTime, messageDigest and
	// signingCertificateV2; the signer's certificate embedded), DER.
	FormatCMS = "cms"
	// FormatRaw is the GOST R 34.10-2012 signature over the digest, BE(s) ‖
	// BE(r) as the token's CKM_GOSTR3410 returns it (spec/gost FACTS §5.3,
	// the byte order of X.509 and CMS, FACTS §4.4). Only for the origins of
	// Server.AllowRawSign (doc.go, "Raw signatures").
	FormatRaw = "raw"
)

// signRequest is the body of POST /v1/sign.
type signRequest struct {
	RequestID string `json:"requestId"`
	// Certificate is a certificate id of /v1/certificates; optional when
	// one certificate on the present tokens may sign.
	Certificate string `json:"certificate"`
	// Digest (base64) is the document's digest computed by the portal:
	// Streebog-256 for a GOST3410_2012_256 certificate, Streebog-512 for
	// GOST3410_2012_512, in wire order. Exactly one of Digest and Data.
	Digest string `json:"digest"`
	// Data (base64, at most MaxSignData bytes decoded) is a small document
	// the daemon hashes itself.
	Data string `json:"data"`
	// Format is FormatCMS (the default) or FormatRaw.
	Format string `json:"format"`
	// DocumentName is what the person is told they sign (required).
	DocumentName string `json:"documentName"`
}

// SignResult is the answer of /v1/sign.
type SignResult struct {
	RequestID string `json:"requestId,omitempty"`
	Format    string `json:"format"`
	// Signature is base64: the DER ContentInfo for FormatCMS, BE(s) ‖ BE(r)
	// for FormatRaw.
	Signature string `json:"signature"`
	// Algorithm is the certificate's (authtoken.GOST256 or GOST512).
	Algorithm string `json:"algorithm"`
	// Digest (base64) is the digest signed over: the document's digest.
	Digest string `json:"digest"`
	// Fingerprint is validate.Fingerprint(digest), as the dialog showed it.
	Fingerprint string `json:"fingerprint"`
	// Certificate is the signer's certificate, base64 DER.
	Certificate string `json:"certificate"`
}

// signRefusal says why a certificate may not sign documents ("" when it may),
// as the reason of CertificateEntry.SignReason and the message of
// CERTIFICATE_NOT_FOR_SIGNING (issue 9: "only with a certificate allowed for
// signing (keyUsage digitalSignature/nonRepudiation)"; ANCHORS §6 item 4:
// "where a token does have separate keys, the authentication key is never
// used for documents"):
//
//   - keyUsage present without digitalSignature and without nonRepudiation
//     (contentCommitment): the key is for key agreement or encipherment
//     (RFC 5280 §4.2.1.3); a certificate without keyUsage is not
//     restricted;
//   - extKeyUsage present and naming client authentication alone: the
//     certificate is the token's login certificate (RFC 5280 §4.2.1.12).
func signRefusal(c *pki.Certificate) (reason, why string) {
	const ds, nr = 1 << 0, 1 << 1
	if c.KeyUsage != 0 && int(c.KeyUsage)&(ds|nr) == 0 {
		return "KEY_USAGE", "its keyUsage allows neither digitalSignature nor nonRepudiation"
	}
	if len(c.UnknownExtKeyUsage) == 0 && len(c.ExtKeyUsage) > 0 && !slices.ContainsFunc(c.ExtKeyUsage, func(u x509.ExtKeyUsage) bool { return u != x509.ExtKeyUsageClientAuth }) {
		return "AUTHENTICATION_ONLY", "its extKeyUsage allows client authentication only (a login certificate)"
	}
	return "", ""
}

// sign makes a document signature (issue 9, "sign"; ANCHORS §6 item 4): the
// person sees the origin, the document's name and the digest's fingerprint
// in a CONFIRM dialog and agrees, then types the PIN in the daemon's own
// dialog; the key is opened for this operation and closed after it (which
// logs out, C_Logout).
func (s *Server) sign(ctx context.Context, a *auditRecord, origin string, req signRequest) (any, *Error) {
	format := req.Format
	if format == "" {
		format = FormatCMS
	}
	a.format = format
	if format != FormatCMS && format != FormatRaw {
		return nil, apiErr(CodeBadRequest, `format must be "cms" or "raw"`, nil)
	}
	if format == FormatRaw && !s.rawAllowed(origin) {
		return nil, apiErr(CodeRawNotAllowed, "this site may not ask for raw signatures (see tokend's documentation: a raw signature over a digest the page chooses could serve as any other site's login)", fmt.Errorf("origin %q not allowed raw signatures (AllowRawSign)", origin))
	}
	name, nerr := cleanDocumentName(req.DocumentName)
	if nerr != nil {
		return nil, nerr
	}
	var digest, data []byte
	switch {
	case (req.Digest == "") == (req.Data == ""):
		return nil, apiErr(CodeBadRequest, "give exactly one of digest and data", nil)
	case req.Digest != "":
		d, err := base64.StdEncoding.Strict().DecodeString(req.Digest)
		if err != nil {
			return nil, apiErr(CodeBadDigest, "digest must be standard base64", err)
		}
		digest = d
	default:
		if len(req.Data) > base64.StdEncoding.EncodedLen(MaxSignData) {
			return nil, apiErr(CodeDataTooLarge, fmt.Sprintf("data is limited to %d bytes: hash a larger document on the server and send its digest", MaxSignData), nil)
		}
		d, err := base64.StdEncoding.Strict().DecodeString(req.Data)
		if err != nil {
			return nil, apiErr(CodeBadRequest, "data must be standard base64", err)
		}
		if len(d) > MaxSignData {
			return nil, apiErr(CodeDataTooLarge, fmt.Sprintf("data is limited to %d bytes: hash a larger document on the server and send its digest", MaxSignData), nil)
		}
		data = d
	}

	c, err := s.choose(ctx, req.Certificate, func(c candidate) bool { return c.entry.Usable && c.entry.SignReason == "" })
	if err != nil {
		return nil, err
	}
	cert := c.key.Certificate
	a.cert, a.token = cert, c.tok.info.Label
	if err := unusable(c); err != nil {
		return nil, err
	}
	if _, why := signRefusal(cert); why != "" {
		return nil, apiErr(CodeNotForSigning, "this certificate may not sign documents: "+why, nil)
	}
	alg := c.entry.Algorithm
	h, _ := authtoken.Hash(alg)
	if data != nil {
		d := h.New()
		d.Write(data)
		digest = d.Sum(nil)
	} else if len(digest) != h.Size() {
		return nil, apiErr(CodeBadDigest, fmt.Sprintf("the digest is %d bytes; a %s certificate signs a Streebog-%d digest (%d bytes)", len(digest), alg, h.Size()*8, h.Size()), nil)
	}
	a.digest = digest
	fp := validate.Fingerprint(digest)

	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	if err := s.ops.begin(c.tok.key(), a.requestID, origin, cancel); err != nil {
		return nil, err
	}
	defer s.ops.end(c.tok.key(), a.requestID)

	d := s.signDialogText(origin, c, name, fp, format)
	// Consent first, always, with what is signed; then the PIN (typing it
	// is not enough here: the PIN dialog is the same for every operation).
	if err := s.confirm(ctx, d); err != nil {
		return nil, errorFor(err)
	}
	src := &pinSource{s: s, d: d, consented: true}
	key, kerr := pkcs11.Open(ctx, c.key.URI, pkcs11.Options{Module: c.tok.module, PIN: src, Sessions: 1})
	if kerr != nil {
		return nil, errorFor(kerr)
	}
	defer key.Close()
	kc := key.Certificate()
	if kc == nil || !bytes.Equal(kc.Raw, cert.Raw) {
		return nil, apiErr(CodeNoCertificate, "the certificate's key is no longer on the token", errors.New("certificate changed"))
	}
	var sig []byte
	var serr error
	if format == FormatCMS {
		sig, serr = cms.SignDigest(digest, cms.SignerConfig{Signer: ctxSigner{ctx, key}, Certificate: kc, SigningTime: s.cfg.Now()}, cms.SignOptions{Detached: true})
	} else {
		sig, serr = key.SignContext(ctx, digest, gost3410.SignerOpts{Hash: h})
	}
	if serr != nil {
		return nil, errorFor(serr)
	}
	return SignResult{
		Format: format, Signature: base64.StdEncoding.EncodeToString(sig), Algorithm: alg,
		Digest: base64.StdEncoding.EncodeToString(digest), Fingerprint: fp,
		Certificate: base64.StdEncoding.EncodeToString(kc.Raw),
	}, nil
}

// AllowRawSign lets origins ask /v1/sign for raw signatures (format
// "raw"). No origin may by default, because a raw signature over a digest
// the page chooses can be any other site's login token (doc.go, "Raw
// signatures"); name only a site that needs raw signatures and that you
// trust as much as every site you log in to with the same certificate.
// Each origin must also be allowed (Config.Origins). Safe to call at any time.
func (s *Server) AllowRawSign(origins ...string) {
	s.ops.mu.Lock()
	defer s.ops.mu.Unlock()
	for _, o := range origins {
		s.ops.raw[o] = true
	}
}

// rawAllowed reports whether origin may ask for raw signatures.
func (s *Server) rawAllowed(origin string) bool {
	s.ops.mu.Lock()
	defer s.ops.mu.Unlock()
	return s.ops.raw[origin]
}

// ctxSigner signs with the operation's context, so that cancel and the
// timeout also end a wait for the token's session.
type ctxSigner struct {
	ctx context.Context
	k   *pkcs11.Key
}

func (c ctxSigner) Public() crypto.PublicKey { return c.k.Public() }

func (c ctxSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return c.k.SignContext(c.ctx, digest, opts)
}

// cleanDocumentName makes a page's document name fit to show: valid UTF-8
// required; control characters (line breaks, tabs) become spaces so that a
// name cannot fake lines of the dialog; invisible formatting characters
// (Unicode category Cf: bidirectional overrides that turn "cod.exe" into
// "exe.doc", zero-width characters) are refused, since a name that hides
// part of itself is not what the person reads; runs of spaces are folded;
// 1 to MaxDocumentName characters remain.
func cleanDocumentName(name string) (string, *Error) {
	if !utf8.ValidString(name) {
		return "", apiErr(CodeBadRequest, "documentName must be UTF-8", nil)
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.Is(unicode.Cf, r):
			return "", apiErr(CodeBadRequest, fmt.Sprintf("documentName holds an invisible formatting character (U+%04X)", r), nil)
		case unicode.IsControl(r), unicode.IsSpace(r):
			r = ' '
		}
		b.WriteRune(r)
	}
	clean := strings.Join(strings.Fields(b.String()), " ")
	switch n := utf8.RuneCountInString(clean); {
	case n == 0:
		return "", apiErr(CodeBadRequest, "documentName is required: the person is shown what they sign", nil)
	case n > MaxDocumentName:
		return "", apiErr(CodeBadRequest, fmt.Sprintf("documentName is longer than %d characters", MaxDocumentName), nil)
	}
	return clean, nil
}

// maxDesc bounds a dialog description: pinentry sends it on one Assuan line
// of at most 1000 bytes with "SETDESC " and the newline, escaped (package
// pinentry), and the PIN dialog adds a sentence about the retries left
// (pinSource.PIN, under 160 bytes escaped).
const maxDesc = 1000 - len("SETDESC \n") - 160

// assuanLen is the length of s on an Assuan line: '%', control characters
// and DEL are sent as %XX (pinentry's escape).
func assuanLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '%' || c < 0x20 || c == 0x7f {
			n += 2
		}
	}
	return n
}

// shorten cuts s to n characters, the last an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// signDialogText is the text of a sign operation's dialogs: the origin, the
// document's name, the fingerprint to compare with the portal's, and the
// certificate. When the whole would not fit on pinentry's line (a long
// origin, a long name and a certificate with long names together), the
// issuer, the holder and then the document name are shortened, marked
// with "…"; the origin and the fingerprint are always shown whole.
func (s *Server) signDialogText(origin string, c candidate, name, fp, format string) dialog {
	who, issuer, until := certWords(c)
	d := s.signDialog(origin, c, who, issuer, until, name, fp, format)
	for _, step := range []func(){
		func() { issuer = shorten(issuer, 40) },
		func() { who = shorten(who, 60) },
		func() { name = shorten(name, 60) },
		func() { who, issuer = shorten(who, 30), shorten(issuer, 20) },
		func() { name = shorten(name, 30) },
	} {
		if assuanLen(d.confirmDesc) <= maxDesc && assuanLen(d.desc) <= maxDesc {
			break
		}
		step()
		d = s.signDialog(origin, c, who, issuer, until, name, fp, format)
	}
	return d
}

func (s *Server) signDialog(origin string, c candidate, who, issuer, until, name, fp, format string) dialog {
	if s.cfg.Lang == "en" {
		what := fmt.Sprintf("The site %s asks you to sign the document\n“%s”\nFingerprint: %s (compare it with the one the site shows)", origin, name, fp)
		if format == FormatRaw {
			what += "\nA raw signature over the digest, without a CMS container."
		}
		cert := fmt.Sprintf("Certificate: %s\nissued by %s, valid until %s (token %q).", who, issuer, until, c.tok.info.Label)
		return dialog{lang: "en", title: "tokend: sign a document",
			confirmDesc: what + "\n\n" + cert + "\n\nSign? If the token has a PIN pad, type the PIN on it after confirming.",
			desc:        what + "\n\n" + cert + "\n\nType the token's PIN to sign.",
			prompt:      "PIN:", ok: "Sign", cancel: "Cancel"}
	}
	what := fmt.Sprintf("Сайт %s просит подписать документ\n«%s»\nОтпечаток: %s (сверьте с отпечатком на сайте)", origin, name, fp)
	if format == FormatRaw {
		what += "\nПодпись без контейнера CMS, непосредственно над хешем."
	}
	cert := fmt.Sprintf("Сертификат: %s\nвыдан: %s, действует до %s (токен «%s»).", who, issuer, until, c.tok.info.Label)
	return dialog{lang: "ru", title: "tokend: подписание документа",
		confirmDesc: what + "\n\n" + cert + "\n\nПодписать? Если у токена есть клавиатура, введите PIN на ней после подтверждения.",
		desc:        what + "\n\n" + cert + "\n\nВведите PIN токена, чтобы подписать.",
		prompt:      "PIN:", ok: "Подписать", cancel: "Отмена"}
}

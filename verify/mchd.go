package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/mchd"
	"github.com/podpis/podpis/pki"
)

// Codes of a power-of-attorney check (MCHD). They name the step of
// shared/spec/mchd/FORMAT.md §8.3 that failed; the codes of CMS apply to the
// signature itself.
const (
	CodeMCHDFormat             Code = "MCHD_FORMAT"               // §8.3.1: the XML breaks the XSD or a rule (mchd.Check)
	CodeMCHDUnsigned           Code = "MCHD_UNSIGNED"             // §8.3.2: no signature was given
	CodeMCHDNotGOST            Code = "MCHD_NOT_GOST"             // §8.3.2: the signature is not GOST R 34.10-2012
	CodeMCHDNotQualified       Code = "MCHD_NOT_QUALIFIED"        // §8.3.3: the signer's certificate lacks the qualified-certificate extensions (FACTS §6.2)
	CodeMCHDSignerNotPrincipal Code = "MCHD_SIGNER_NOT_PRINCIPAL" // §8.3.4: the signer is not the principal's head (or the grantor of a retrust)
	CodeMCHDPrincipalUnsigned  Code = "MCHD_PRINCIPAL_UNSIGNED"   // §8.3.4: a principal of several has no signature
	CodeMCHDNotYetValid        Code = "MCHD_NOT_YET_VALID"        // §8.3.5: the validation day is before ДатаВыдДовер
	CodeMCHDExpired            Code = "MCHD_EXPIRED"              // §8.3.5: the validation day is after СрокДейст
	CodeMCHDSignedAfterTerm    Code = "MCHD_SIGNED_AFTER_TERM"    // §8.3.5: signed after СрокДейст
	CodeMCHDRevoked            Code = "MCHD_REVOKED"              // §8.3.6: the registry says revoked at the validation time
	CodeMCHDRegistryError      Code = "MCHD_REGISTRY_UNAVAILABLE" // §8.3.6: the registry could not be asked
	CodeMCHDParentInvalid      Code = "MCHD_PARENT_INVALID"       // §9: the POA a retrust is based on fails its own check
	CodeMCHDParentMismatch     Code = "MCHD_PARENT_MISMATCH"      // §9: the retrust does not fit the parent given (mchd.CheckParent)
	CodeMCHDQRMismatch         Code = "MCHD_QR_MISMATCH"          // §14: the printed form's QR names another POA or other bytes
	CodeMCHDQRMissing          Code = "MCHD_QR_MISSING"           // §14: the printed form carries no QR code of this format
	CodeMCHDNotRepresentative  Code = "MCHD_NOT_REPRESENTATIVE"   // §8.3.7: the certificate is not of a representative
	CodeMCHDPowerMissing       Code = "MCHD_POWER_MISSING"        // §8.3.7: the power code is not granted
	CodeMCHDTextPowers         Code = "MCHD_TEXT_POWERS"          // §8.3.7: powers are text: a person must judge
	CodeMCHDRepresentativeCert Code = "MCHD_REPRESENTATIVE_CERT"  // §8.3.7: the representative's certificate is not valid now

	// Warnings.
	CodeMCHDRuleWarning        Code = "MCHD_RULE_WARNING"         // a rule FORMAT.md marks uncertain ([R]) or a convention
	CodeMCHDCheckedAtSigning   Code = "MCHD_CHECKED_AT_SIGNING"   // no longer reported: a claimed signing time proves nothing (see MCHD); kept for programs that name it
	CodeMCHDRegistryNotChecked Code = "MCHD_REGISTRY_NOT_CHECKED" // no registry was given (§8.3.6)
	CodeMCHDNotRegistered      Code = "MCHD_NOT_REGISTERED"       // the registry does not know the GUID
	CodeMCHDRevokedLater       Code = "MCHD_REVOKED_LATER"        // revoked after the validation time
	CodeMCHDParentNotChecked   Code = "MCHD_PARENT_NOT_CHECKED"   // a retrust checked without its parent (FORMAT.md §15.7)
	CodeMCHDJointPowers        Code = "MCHD_JOINT_POWERS"         // representatives act jointly: all must sign (§8.3.7)
	CodeMCHDNameMismatch       Code = "MCHD_NAME_MISMATCH"        // numbers match, the name differs
)

// MCHDRegistry gives the status of a power of attorney by its GUID
// (FORMAT.md §10): a local registry, or a client of the FNS one. An error
// means the registry could not answer.
type MCHDRegistry interface {
	MCHDStatus(ctx context.Context, guid string) (MCHDStatus, error)
}

// MCHDStatus is what a registry knows of a POA.
type MCHDStatus struct {
	// Known reports that the registry holds the POA.
	Known bool `json:"known"`
	// Revoked reports that it was revoked, at RevokedAt (zero: time unknown,
	// taken as before any validation time) for Reason.
	Revoked   bool      `json:"revoked"`
	RevokedAt time.Time `json:"revokedAt,omitzero"`
	Reason    string    `json:"reason,omitempty"`
}

// MCHDFile is a power of attorney to check: the exact bytes of its XML file,
// its detached CMS signature, and for a retrust the POA it is directly based
// on.
type MCHDFile struct {
	// Name is the file's base name, for the ИдФайл check (FORMAT.md §2.1);
	// empty skips that check.
	Name string
	// XML are the file's bytes as stored: what the signature covers.
	XML []byte
	// Signature is the detached CMS (DER, PEM or Base64); nil when there is
	// none, which leaves the check INDETERMINATE.
	Signature []byte
	// Parent is the POA a retrust is directly based on, checked in turn.
	Parent *MCHDFile
}

// MCHDOptions are the inputs of MCHD besides the file.
type MCHDOptions struct {
	// Options are the trust anchors, CRLs and validation time (zero: now)
	// used for the signatures.
	Options
	// Registry, when set, is asked for the POA's status (and its parents').
	Registry MCHDRegistry
	// PrintedForm, when set, holds the QR payloads decoded from a printed
	// form to compare with the XML.
	PrintedForm *PrintedForm
	// Power and Representative ask the counterparty's question (FORMAT.md
	// §8.3.7): may the holder of Representative sign documents needing the
	// machine-readable power Power for the principal at the validation time?
	// Both must be set to ask it.
	Power          string
	Representative *pki.Certificate
}

// PrintedForm is what was read from a printed form (FORMAT.md §14).
type PrintedForm struct {
	// Name names the form (a file name) in the report.
	Name string
	// Payloads are the texts of the QR codes found on it, in order.
	Payloads []string
}

// MCHDReport is the outcome of checking a power of attorney: the overall
// indication and code (those of the first step that failed, else of the
// first undecided one), every step in the order of FORMAT.md §8.3, the
// signature report, and what the POA says.
type MCHDReport struct {
	Indication    Indication    `json:"indication"`
	SubIndication SubIndication `json:"subIndication,omitempty"`
	Code          Code          `json:"code"`
	Detail        string        `json:"detail,omitempty"`
	// ValidationTime is the time the POA was checked at.
	ValidationTime time.Time `json:"validationTime"`
	// File names the XML file, when known.
	File string `json:"file,omitempty"`

	Steps    []MCHDStep     `json:"steps"`
	Warnings []Warning      `json:"warnings,omitempty"`
	Problems []mchd.Problem `json:"problems,omitempty"`
	// Signature is the report on the CMS signature; nil when none was given.
	Signature *Report `json:"signature,omitempty"`
	// POA is what the power of attorney says; nil when it could not be read.
	POA *MCHDInfo `json:"mchd,omitempty"`
	// Registry is the registry's answer; nil when none was asked.
	Registry *MCHDStatus `json:"registry,omitempty"`
	// Parent is the report on the POA a retrust is based on.
	Parent *MCHDReport `json:"parent,omitempty"`
	// Answer answers the power question, when asked.
	Answer *PowerAnswer `json:"answer,omitempty"`
}

// MCHDStep is the outcome of one step of FORMAT.md §8.3.
type MCHDStep struct {
	// Step is format, signature, certificate, signer, term, registry,
	// parent, printed-form or power.
	Step          string        `json:"step"`
	Indication    Indication    `json:"indication"`
	SubIndication SubIndication `json:"subIndication,omitempty"`
	Code          Code          `json:"code"`
	Detail        string        `json:"detail,omitempty"`
}

// PowerAnswer answers "may this person sign this kind of document for this
// organisation at the validation time?".
type PowerAnswer struct {
	Allowed bool   `json:"allowed"`
	Power   string `json:"power"`
	// Representative names the certificate holder asked about.
	Representative *Party `json:"representative,omitempty"`
	// Codes are the reasons for a no (empty for a yes).
	Codes []Code `json:"codes,omitempty"`
}

// Passed reports whether the POA passed every step.
func (r *MCHDReport) Passed() bool { return r.Indication == TotalPassed }

// maxParents bounds the retrust chain followed (each level is one more
// parent given by the caller).
const maxParents = 8

// MCHD checks a power of attorney (EMCHD_1) as FORMAT.md §8.3 orders: the XSD
// and rules (mchd.CheckFile); the CMS signature over the exact bytes (GOST R
// 34.10-2012, CAdES-BES or -T, by CMS); the signer's certificate —
// qualified, chained to opts.Roots, valid at the proven signing time (see
// Time); the signer against the principal (ИНН ЮЛ, ОГРН, СНИЛС, ИНН); the
// term at the validation time; the registry status; for a retrust the parent
// POA, recursively, and mchd.CheckParent; the printed form's QR codes; and,
// when asked, the power question.
//
// A Go error means the check could not run (the context ended); a POA that
// cannot be read is a TOTAL-FAILED report.
//
// Time: FORMAT.md §8.3.3 (a checklist without a source mark) says to check
// the certificate at the signing time — "the timestamp if present, else
// signingTime, else now". The signingTime attribute is the signer's own
// claim, and ETSI EN 319 102-1 (§5.5, §5.6) accepts only a proof of
// existence to move the validation time back, so MCHD follows the rule of
// CMS, as for any other signature: a trusted signature timestamp lets a
// certificate that has expired since pass (VALIDATED_AT_TIMESTAMP); without
// one an expired certificate leaves the certificate step INDETERMINATE,
// OUT_OF_BOUNDS_NO_POE (CERT_EXPIRED). The FNS service's POAs are CAdES-T
// (FORMAT.md §8.1), and podpis mchd sign --tsa makes one, so a POA that must
// outlive its signer's certificate can. The claim still counts against the
// signer: a claim after СрокДейст (MCHD_SIGNED_AFTER_TERM) or before the
// certificate (SIGNED_BEFORE_CERT) fails.
//
// Security contract: the signature is checked over f.XML exactly as given,
// never over a re-serialisation (FORMAT.md §8.1). The signer is tied to the
// principal only through the registration numbers in a certificate that
// chains to opts.Roots (or opts.Trust), so the verdict is as good as those
// anchors. Without opts.Registry a revoked POA still passes (with the
// warning MCHD_REGISTRY_NOT_CHECKED): only a registry knows of revocations
// (FORMAT.md §10). Text powers are never read as granting a code: the power
// question then stays INDETERMINATE for a person to decide.
func MCHD(ctx context.Context, f MCHDFile, opts MCHDOptions) (*MCHDReport, error) {
	if opts.At.IsZero() {
		opts.At = time.Now()
	}
	rep, _, err := checkMCHD(ctx, &f, &opts, 0)
	return rep, err
}

// checkMCHD checks f and returns the report and the document (nil when it
// could not be read).
func checkMCHD(ctx context.Context, f *MCHDFile, opts *MCHDOptions, depth int) (*MCHDReport, *mchd.Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	rep := &MCHDReport{ValidationTime: opts.At.UTC(), File: f.Name}
	doc := rep.checkFormat(f)
	if doc == nil {
		rep.finish()
		return rep, nil, nil
	}
	rep.POA = mchdInfo(doc)
	signers, err := rep.checkSignature(ctx, f, opts)
	if err != nil {
		return nil, nil, err
	}
	rep.checkSigner(signers)
	rep.checkTerm(doc, signers, opts.At)
	if err := rep.checkRegistry(ctx, doc, opts); err != nil {
		return nil, nil, err
	}
	if doc.Retrust != nil {
		if err := rep.checkParent(ctx, doc, f.Parent, opts, depth); err != nil {
			return nil, nil, err
		}
	}
	if opts.PrintedForm != nil && depth == 0 {
		rep.checkPrintedForm(doc, f.XML, opts.PrintedForm)
	}
	if opts.Representative != nil && opts.Power != "" && depth == 0 {
		rep.checkPower(doc, opts)
	}
	rep.finish()
	if rep.Answer != nil {
		rep.Answer.Allowed = rep.Passed()
		for _, s := range rep.Steps {
			if s.Indication != TotalPassed {
				rep.Answer.Codes = append(rep.Answer.Codes, s.Code)
			}
		}
	}
	return rep, doc, nil
}

func (r *MCHDReport) step(name string, ind Indication, sub SubIndication, code Code, detail string) {
	r.Steps = append(r.Steps, MCHDStep{Step: name, Indication: ind, SubIndication: sub, Code: code, Detail: detail})
}

func (r *MCHDReport) pass(name string) { r.step(name, TotalPassed, "", CodeOK, "") }

func (r *MCHDReport) warn(code Code, format string, args ...any) {
	r.Warnings = append(r.Warnings, Warning{Code: code, Detail: fmt.Sprintf(format, args...)})
}

// finish sets the overall verdict: the first failed step, else the first
// undecided one, else passed.
func (r *MCHDReport) finish() {
	r.Indication, r.SubIndication, r.Code, r.Detail = TotalPassed, "", CodeOK, ""
	for _, want := range []Indication{TotalFailed, Indeterminate} {
		for _, s := range r.Steps {
			if s.Indication == want {
				r.Indication, r.SubIndication, r.Code, r.Detail = s.Indication, s.SubIndication, s.Code, s.Detail
				return
			}
		}
	}
}

// checkFormat is §8.3.1: the XSD and the rules. Errors fail the POA;
// warnings are kept as warnings.
func (r *MCHDReport) checkFormat(f *MCHDFile) *mchd.Document {
	doc, problems, err := mchd.CheckFile(f.Name, f.XML)
	r.Problems = problems
	if err != nil {
		r.step("format", TotalFailed, FormatFailure, CodeMCHDFormat, err.Error())
		return nil
	}
	if bytes.HasPrefix(f.XML, utf8BOM) {
		r.warn(CodeMCHDRuleWarning, "the file starts with a byte-order mark; EMCHD files have none (FORMAT.md §2) and signing tools may have signed the bytes without it")
	}
	var first *mchd.Problem
	errs := 0
	for i, p := range problems {
		if p.Severity == mchd.SeverityError {
			if first == nil {
				first = &problems[i]
			}
			errs++
			continue
		}
		r.warn(CodeMCHDRuleWarning, "%s %s: %s", p.Code, p.Path, p.MessageEN)
	}
	if first != nil {
		r.step("format", TotalFailed, FormatFailure, CodeMCHDFormat,
			fmt.Sprintf("%d error(s); first: %s %s: %s", errs, first.Code, first.Path, first.MessageEN))
	} else {
		r.pass("format")
	}
	return doc
}

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// signatureCodes are the CMS codes about the signature itself (§8.3.2); the
// others are about the certificate (§8.3.3).
var signatureCodes = map[Code]bool{
	CodeFormatFailure: true, CodeSignatureInvalid: true, CodeContentMismatch: true, CodeContentMissing: true,
	CodeSignerCertNotFound: true, CodeSigningCertMismatch: true, CodeAlgorithmUnsupported: true, CodeTimestampInvalid: true,
}

// signer is one signature's certificate holder, for §8.3.4 and §8.3.5.
type signer struct {
	party *Party
	cert  *pki.Certificate
	// when is the signing time: the timestamp's when valid, else the
	// signer's claim; zero when neither.
	when time.Time
}

// checkSignature is §8.3.2 and §8.3.3: the CMS signature over the exact
// bytes with verify.CMS, GOST keys only, and qualified certificates. The
// time rule is CMS's (see MCHD): a certificate that has expired since is
// checked at a trusted timestamp's time, never at the signer's claim.
func (r *MCHDReport) checkSignature(ctx context.Context, f *MCHDFile, opts *MCHDOptions) ([]signer, error) {
	if len(f.Signature) == 0 {
		r.step("signature", Indeterminate, SignedDataNotFound, CodeMCHDUnsigned, "no signature was given")
		return nil, nil
	}
	sd, err := cms.Parse(f.Signature)
	if err != nil {
		r.step("signature", TotalFailed, FormatFailure, CodeFormatFailure, err.Error())
		return nil, nil
	}
	rep, certs, err := cmsReport(ctx, sd, f.XML, opts.Options)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		r.step("signature", TotalFailed, FormatFailure, CodeFormatFailure, err.Error())
		return nil, nil
	}
	r.Signature = rep

	var signers []signer
	sigStep, certStep := MCHDStep{Step: "signature", Indication: TotalPassed, Code: CodeOK}, MCHDStep{Step: "certificate", Indication: TotalPassed, Code: CodeOK}
	worse := func(st *MCHDStep, ind Indication, sub SubIndication, code Code, detail string) {
		if st.Indication == TotalFailed || (st.Indication == Indeterminate && ind != TotalFailed) {
			return
		}
		*st = MCHDStep{Step: st.Step, Indication: ind, SubIndication: sub, Code: code, Detail: detail}
	}
	if len(rep.Signatures) == 0 {
		worse(&sigStep, TotalFailed, FormatFailure, CodeFormatFailure, "the signature file holds no signature")
	}
	for i, s := range rep.Signatures {
		n := fmt.Sprintf("signature %d: ", s.Index+1)
		if s.Code != CodeOK {
			st := &certStep
			if signatureCodes[s.Code] {
				st = &sigStep
			}
			worse(st, s.Indication, s.SubIndication, s.Code, n+s.Detail)
		}
		cert := certs[i]
		if cert == nil {
			continue
		}
		if _, ok := cert.PublicKey.(*gost3410.PublicKey); !ok {
			worse(&sigStep, TotalFailed, CryptoConstraintsFailureNoPOE, CodeMCHDNotGOST,
				n+"the signer's key is "+keyName(cert.PublicKey)+"; a power of attorney is signed with GOST R 34.10-2012")
		}
		if !qualified(cert) {
			worse(&certStep, TotalFailed, ChainConstraintsFailure, CodeMCHDNotQualified,
				n+"the certificate lacks subjectSignTool, issuerSignTool or the sign-tool class policies of a qualified certificate")
		}
		sg := signer{party: s.Signer, cert: cert}
		if s.Timestamp != nil && s.Timestamp.Valid {
			sg.when = s.Timestamp.Time
		} else if s.SigningTime != nil {
			sg.when = *s.SigningTime
		}
		signers = append(signers, sg)
	}
	r.Steps = append(r.Steps, sigStep, certStep)
	return signers, nil
}

// cmsReport is CMS for a SignedData already parsed and content held in
// memory: it returns, beside the report, each signature's certificate,
// which a POA check needs for §8.3.3 and §8.3.4. The per-signature checks are CMS's own
// (checkSigner); only the parse is shared.
func cmsReport(ctx context.Context, sd *cms.SignedData, content []byte, opts Options) (*Report, []*pki.Certificate, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	at := opts.At
	if at.IsZero() {
		at = time.Now()
	}
	res, err := sd.Verify(cms.VerifyOptions{Content: bytes.NewReader(content), Certificates: opts.Certificates})
	if err != nil {
		return nil, nil, err
	}
	rep := &Report{ValidationTime: at.UTC()}
	inter := pki.NewCertPool()
	if opts.Intermediates != nil {
		for _, c := range opts.Intermediates.Certificates() {
			inter.AddCert(c)
		}
	}
	for _, c := range sd.Certificates {
		inter.AddCert(c)
	}
	certs := make([]*pki.Certificate, len(res.Signers))
	rc := newRevChecker(ctx, &opts)
	for i := range res.Signers {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		rep.Signatures = append(rep.Signatures, rc.checkSigner(&res.Signers[i], inter, at))
		certs[i] = res.Signers[i].Certificate
	}
	rep.Indication = overall(rep.Signatures)
	return rep, certs, nil
}

// qualified reports whether c carries the extensions every Russian
// qualified certificate has (FACTS §6.2): subjectSignTool, issuerSignTool
// and at least one sign-tool class policy.
func qualified(c *pki.Certificate) bool {
	return c.SubjectSignTool != "" && c.IssuerSignTool != nil && len(c.SignToolClasses) > 0
}

// moscow is the zone operators read POA dates in (FORMAT.md §4): UTC+3,
// without daylight saving since 2014.
var moscow = time.FixedZone("MSK", 3*60*60)

// day returns t's calendar date in Moscow, as mchd.ParseDate returns dates.
func day(t time.Time) time.Time {
	y, m, d := t.In(moscow).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// checkTerm is §8.3.5: ДатаВыдДовер ≤ the validation day ≤ СрокДейст, and no
// signature made after СрокДейст (days in Moscow time, СрокДейст inclusive).
func (r *MCHDReport) checkTerm(doc *mchd.Document, signers []signer, at time.Time) {
	info := doc.Info()
	issued, err1 := mchd.ParseDate(info.IssueDate)
	until, err2 := mchd.ParseDate(info.ValidUntil)
	if err := errors.Join(err1, err2); err != nil {
		r.step("term", TotalFailed, FormatFailure, CodeMCHDFormat, "the term cannot be read: "+err.Error())
		return
	}
	today := day(at)
	for _, s := range signers {
		if !s.when.IsZero() && day(s.when).After(until) {
			r.step("term", TotalFailed, SigConstraintsFailure, CodeMCHDSignedAfterTerm,
				fmt.Sprintf("signed on %s, after the last day of validity %s", day(s.when).Format(time.DateOnly), info.ValidUntil))
			return
		}
	}
	switch {
	case today.Before(issued):
		r.step("term", Indeterminate, NotYetValid, CodeMCHDNotYetValid,
			fmt.Sprintf("issued on %s, after the validation day %s", info.IssueDate, today.Format(time.DateOnly)))
	case today.After(until):
		r.step("term", TotalFailed, SigConstraintsFailure, CodeMCHDExpired,
			fmt.Sprintf("valid through %s, the validation day is %s", info.ValidUntil, today.Format(time.DateOnly)))
	default:
		r.pass("term")
	}
}

// checkRegistry is §8.3.6.
func (r *MCHDReport) checkRegistry(ctx context.Context, doc *mchd.Document, opts *MCHDOptions) error {
	if opts.Registry == nil {
		r.warn(CodeMCHDRegistryNotChecked, "no registry was given; whether the POA was revoked was not checked")
		return nil
	}
	guid := strings.ToLower(doc.Info().GUID)
	st, err := opts.Registry.MCHDStatus(ctx, guid)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.step("registry", Indeterminate, TryLater, CodeMCHDRegistryError, err.Error())
		return nil
	}
	r.Registry = &st
	switch {
	case st.Revoked && (st.RevokedAt.IsZero() || !st.RevokedAt.After(opts.At)):
		detail := "the registry lists the POA as revoked"
		if !st.RevokedAt.IsZero() {
			detail += " on " + st.RevokedAt.UTC().Format(time.RFC3339)
		}
		if st.Reason != "" {
			detail += ": " + st.Reason
		}
		r.step("registry", TotalFailed, Revoked, CodeMCHDRevoked, detail)
		return nil
	case st.Revoked:
		r.warn(CodeMCHDRevokedLater, "revoked on %s, after the validation time", st.RevokedAt.UTC().Format(time.RFC3339))
	case !st.Known:
		r.warn(CodeMCHDNotRegistered, "the registry does not hold POA %s", guid)
	}
	r.pass("registry")
	return nil
}

// checkParent is FORMAT.md §9: the parent's own check, recursively, and
// mchd.CheckParent. Without a parent the report says it was not checked
// (FORMAT.md §15.7).
func (r *MCHDReport) checkParent(ctx context.Context, doc *mchd.Document, parent *MCHDFile, opts *MCHDOptions, depth int) error {
	if parent == nil {
		r.warn(CodeMCHDParentNotChecked, "the POA this retrust is based on was not given; whether it allows retrust, its term and status were not checked")
		return nil
	}
	if depth+1 >= maxParents {
		r.step("parent", Indeterminate, FormatFailure, CodeMCHDParentInvalid, fmt.Sprintf("more than %d levels of retrust", maxParents))
		return nil
	}
	prep, pdoc, err := checkMCHD(ctx, parent, opts, depth+1)
	if err != nil {
		return err
	}
	r.Parent = prep
	if !prep.Passed() || pdoc == nil {
		r.step("parent", prep.Indication, prep.SubIndication, CodeMCHDParentInvalid,
			fmt.Sprintf("the parent POA: %s", prep.Code)+detailSuffix(prep.Detail))
		return nil
	}
	for _, p := range doc.CheckParent(pdoc) {
		if p.Severity == mchd.SeverityError {
			r.step("parent", TotalFailed, SigConstraintsFailure, CodeMCHDParentMismatch,
				fmt.Sprintf("%s %s: %s", p.Code, p.Path, p.MessageEN))
			return nil
		}
		r.warn(CodeMCHDRuleWarning, "%s %s: %s", p.Code, p.Path, p.MessageEN)
	}
	if d := grantorNotRepresentative(doc, pdoc); d != "" {
		r.step("parent", TotalFailed, SigConstraintsFailure, CodeMCHDParentMismatch, d)
		return nil
	}
	r.pass("parent")
	return nil
}

func detailSuffix(d string) string {
	if d == "" {
		return ""
	}
	return " — " + d
}

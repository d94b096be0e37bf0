package mchd

import (
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// StatusURLPrefix is the СведСист of every real file, followed by the GUID
// (FORMAT.md §2.1, §10).
const StatusURLPrefix = "https://m4d.nalog.gov.ru/emchd/check-status?guid="

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// NewGUID returns a random (version 4) GUID in the lower-case hyphenated form
// of FORMAT.md §2.1, from crypto/rand.
func NewGUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails, see crypto/rand.Read
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// ValidGUID reports whether s has the XSD form of a GUID: 36 characters,
// hex 8-4-4-4-12, either case.
func ValidGUID(s string) bool { return guidRE.MatchString(s) }

// FileID returns ИдФайл for a POA formed on date with the given GUID:
// ON_EMCHD_YYYYMMDD_GUID (FORMAT.md §2.1).
func FileID(date time.Time, guid string) string {
	return "ON_EMCHD_" + date.Format("20060102") + "_" + guid
}

// FileName returns the file name of d: its ИдФайл with .xml.
func (d *Document) FileName() string { return d.FileID + ".xml" }

// StatusURL returns the СведСист value for guid.
func StatusURL(guid string) string { return StatusURLPrefix + guid }

// Identity sets the file identity of d consistently (FORMAT.md §2.1):
// ИдФайл = ON_EMCHD_<issue date>_<guid>, НомДовер = guid, СведСист =
// StatusURL(guid), ДатаВыдДовер = issued. It does not touch ИдФайлНО.
func (d *Document) Identity(guid string, issued time.Time) error {
	if !ValidGUID(guid) {
		return fmt.Errorf("mchd: invalid GUID %q", guid)
	}
	info := d.Info()
	if info == nil {
		return errors.New("mchd: document has neither POA nor Retrust")
	}
	d.FileID = FileID(issued, guid)
	info.GUID = guid
	info.StatusURL = StatusURL(guid)
	info.IssueDate = FormatDate(issued)
	return nil
}

// New returns an original power of attorney with a new GUID and a
// consistent identity: format version, basic profile, revocable, no retrust,
// issued on issued and valid through validUntil (both as calendar dates).
// The caller fills the internal number, principals, representatives and
// powers.
func New(issued, validUntil time.Time) *Document {
	d := &Document{
		Version: FormatVersion,
		Profile: ProfileBasic,
		POA: &POA{Info: POAInfo{
			Kind:       KindRevocable,
			Retrust:    RetrustForbidden,
			ValidUntil: FormatDate(validUntil),
		}},
	}
	if err := d.Identity(NewGUID(), issued); err != nil {
		panic("mchd: internal error: " + err.Error())
	}
	return d
}

// NewRetrust returns a power of attorney issued by retrust of parent, with
// a new GUID and a consistent identity, valid through validUntil. The
// original POA reference (СвПервДовер) is taken from parent: for an original
// parent it is parent itself; for a retrust parent it is parent's original,
// and parent becomes the direct base (СвПередов, НомДоверN), as FORMAT.md
// §9 and §15.2 describe. The retrust itself forbids further retrust
// (ПрПередов=1), which a one-time parent requires. NewRetrust refuses a
// parent that forbids retrust and a term past the parent's. The caller fills
// grantors, recipients and powers.
func NewRetrust(parent *Document, issued, validUntil time.Time) (*Document, error) {
	pi := parent.Info()
	if pi == nil {
		return nil, errors.New("mchd: parent has neither POA nor Retrust")
	}
	if pi.Retrust == RetrustForbidden {
		return nil, fmt.Errorf("mchd: parent POA %s forbids retrust (ПрПередов=1)", pi.GUID)
	}
	// A retrust may not outlast the POA it is based on (Civil Code art. 187,
	// FORMAT.md §9).
	if end, err := ParseDate(pi.ValidUntil); err == nil && FormatDate(validUntil) > FormatDate(end) {
		return nil, fmt.Errorf("mchd: retrust valid until %s outlasts its parent (СрокДейст %s)", FormatDate(validUntil), pi.ValidUntil)
	}
	r := &Retrust{
		HasBase: "0",
		Info: POAInfo{
			Kind:       KindRevocable,
			Retrust:    RetrustForbidden,
			ValidUntil: FormatDate(validUntil),
		},
	}
	switch {
	case parent.POA != nil:
		r.Original = ParentPOA{
			Kind:                    ParentOriginal,
			Form:                    FormElectronic,
			IssueDate:               pi.IssueDate,
			ValidUntil:              pi.ValidUntil,
			OriginalInternalNumber:  pi.InternalNumber,
			OriginalGUID:            pi.GUID,
			OriginalNotaryRegNumber: pi.NotaryRegNumber,
			ParentGUID:              pi.GUID,
			ParentInternalNumber:    pi.InternalNumber,
		}
		for _, p := range parent.POA.Principals {
			r.Original.Principals = append(r.Original.Principals, parentPrincipal(p))
		}
	default:
		r.Original = parent.Retrust.Original
		r.Original.ParentGUID = pi.GUID
		r.Original.ParentInternalNumber = pi.InternalNumber
		r.Original.ParentNotaryRegNumber = pi.NotaryRegNumber
		r.HasBase = "1"
		r.Base = &ParentPOA{
			Kind:                   ParentRetrust,
			Form:                   FormElectronic,
			IssueDate:              pi.IssueDate,
			ValidUntil:             pi.ValidUntil,
			OriginalInternalNumber: r.Original.OriginalInternalNumber,
			OriginalGUID:           r.Original.OriginalGUID,
			ParentInternalNumber:   pi.InternalNumber,
			ParentGUID:             pi.GUID,
			ParentNotaryRegNumber:  pi.NotaryRegNumber,
			Principals:             r.Original.Principals,
		}
	}
	d := &Document{Version: FormatVersion, Profile: ProfileBasic, Retrust: r}
	if err := d.Identity(NewGUID(), issued); err != nil {
		return nil, err
	}
	return d, nil
}

// parentPrincipal converts a principal of an original POA to the different
// type used for the original's principals in a retrust (FORMAT.md §15.3).
func parentPrincipal(p Principal) ParentPrincipal {
	pp := ParentPrincipal{Kind: p.Kind, Entrepreneur: p.Entrepreneur, Person: p.Person}
	if p.Russian != nil {
		o := p.Russian.Organization
		pp.Russian = &o
	}
	if p.Foreign != nil {
		o := p.Foreign.Organization
		pp.Foreign = &o
	}
	return pp
}

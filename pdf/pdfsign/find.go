package pdfsign

import (
	"bytes"
	"fmt"
	"io"
	"slices"
)

// Signature is one signature field of a PDF as its bytes show it: where the
// signature sits, what /ByteRange covers and what was written after it. The
// cryptographic check of Contents over the ByteRange is package verify's
// (verify.PDF).
type Signature struct {
	// Field is the field's fully qualified name (§12.7.3.2).
	Field     string `json:"field"`
	SubFilter string `json:"subFilter"`
	// SigningTime is /M as written, when present.
	SigningTime string `json:"signingTime,omitempty"`
	ByteRange   []int  `json:"byteRange"`
	// ByteRangeOK says /ByteRange starts at 0, covers the file up to the
	// end of a revision and leaves out exactly this dictionary's /Contents
	// hexadecimal string; ByteRangeProblem says why not.
	ByteRangeOK      bool   `json:"byteRangeOK"`
	ByteRangeProblem string `json:"byteRangeProblem,omitempty"`
	// Modified says bytes were appended after the signed revision.
	Modified bool `json:"modified"`
	// ChangedObjects are the objects written by later revisions; ChangedPages
	// the 1-based pages among them; LaterSignatures how many of the later
	// revisions' objects are signature dictionaries.
	ChangedObjects  []int `json:"changedObjects,omitempty"`
	ChangedPages    []int `json:"changedPages,omitempty"`
	LaterSignatures int   `json:"laterSignatures,omitempty"`
	// Contents is the decoded /Contents string (a DER CMS SignedData,
	// usually followed by zero padding); nil when it could not be read.
	Contents []byte `json:"-"`
	// Signed is nil or the ByteRange pieces of the file, in order, when
	// /ByteRange is four integers inside the file starting at 0 (even if
	// ByteRangeOK is false): the bytes the CMS should cover.
	Signed [][]byte `json:"-"`
}

// SignedContent streams the bytes the ByteRange covers; nil when the
// ByteRange could not be used.
func (s *Signature) SignedContent() io.Reader {
	if s.Signed == nil {
		return nil
	}
	rs := make([]io.Reader, len(s.Signed))
	for i, b := range s.Signed {
		rs[i] = bytes.NewReader(b)
	}
	return io.MultiReader(rs...)
}

// Summary says in one line what changed after this signature.
func (s *Signature) Summary() string {
	if !s.Modified {
		return "the signature covers the whole file"
	}
	return fmt.Sprintf("%d objects changed after this signature (pages %v, %d later signatures)",
		len(s.ChangedObjects), s.ChangedPages, s.LaterSignatures)
}

// Find lists the signatures of a PDF: every signature field with a value in
// the newest revision's form, in the order of the form's fields, with its
// ByteRange checked against the file and the later revisions' changes. A Go
// error means the file could not be read as a PDF (ErrEncrypted for an
// encrypted one); a bad ByteRange is reported in its Signature. The
// Signature's Contents and Signed alias data.
func Find(data []byte) ([]Signature, error) {
	sigs, err := find(data)
	return sigs, wrap(err)
}

func find(data []byte) ([]Signature, error) {
	d, err := parse(data)
	if err != nil {
		return nil, err
	}
	catalog, err := d.DictOf(d.Trailer["Root"])
	if err != nil || catalog == nil {
		return nil, formatErr("catalog not readable")
	}
	form, err := d.DictOf(catalog["AcroForm"])
	if err != nil {
		return nil, err
	}
	fields, err := d.Resolve(form["Fields"])
	if err != nil {
		return nil, err
	}
	fa, _ := fields.(array)
	var sigs []fieldSig
	seen := map[int]bool{}
	if err := d.collect(fa, "", 0, seen, &sigs); err != nil {
		return nil, err
	}
	pageOf := map[int]int{}
	if pages, err := d.Pages(catalog); err == nil {
		for i, p := range pages {
			pageOf[p.Num] = i + 1
		}
	}
	sigObjs := map[int]bool{}
	for _, s := range sigs {
		sigObjs[s.ref.Num] = true
	}
	var res []Signature
	for _, fs := range sigs {
		s := d.check(fs)
		if end := s.end(); s.ByteRangeOK && end < len(data) {
			s.Modified = true
			for _, sec := range d.Sections {
				if sec.Offset < end {
					continue
				}
				for _, n := range sec.Objects {
					s.ChangedObjects = append(s.ChangedObjects, n)
					if p, ok := pageOf[n]; ok {
						s.ChangedPages = append(s.ChangedPages, p)
					}
					if sigObjs[n] {
						s.LaterSignatures++
					}
				}
			}
			slices.Sort(s.ChangedObjects)
			s.ChangedObjects = slices.Compact(s.ChangedObjects)
			slices.Sort(s.ChangedPages)
			s.ChangedPages = slices.Compact(s.ChangedPages)
		}
		res = append(res, s)
	}
	return res, nil
}

func (s *Signature) end() int {
	if len(s.ByteRange) != 4 {
		return 0
	}
	return s.ByteRange[2] + s.ByteRange[3]
}

type fieldSig struct {
	name string
	ref  ref
}

// collect walks the field tree (§12.7.3.1) for signature fields with a value.
func (d *document) collect(fields array, prefix string, depth int, seen map[int]bool, out *[]fieldSig) error {
	if depth > maxDepth {
		return formatErr("field tree too deep")
	}
	for _, f := range fields {
		if r, ok := f.(ref); ok {
			if seen[r.Num] {
				continue
			}
			seen[r.Num] = true
		}
		fd, err := d.DictOf(f)
		if err != nil {
			return err
		}
		if fd == nil {
			continue
		}
		full := prefix
		if t, ok := fd["T"].(str); ok {
			if full != "" {
				full += "."
			}
			full += textString(t)
		}
		if kids, err := d.Resolve(fd["Kids"]); err == nil {
			if ka, ok := kids.(array); ok {
				if err := d.collect(ka, full, depth+1, seen, out); err != nil {
					return err
				}
			}
		}
		if fd["FT"] != name("Sig") {
			continue
		}
		if v, ok := fd["V"].(ref); ok {
			*out = append(*out, fieldSig{full, v})
		}
	}
	return nil
}

// check reads one signature dictionary and its ByteRange.
func (d *document) check(fs fieldSig) Signature {
	s := Signature{Field: fs.name}
	e, ok := d.Entries[fs.ref.Num]
	if !ok || e.InStream {
		s.ByteRangeProblem = "the signature dictionary is not a top-level object"
		return s
	}
	o, hex, err := d.ObjectAt(e.Offset, fs.ref.Num)
	if err != nil {
		s.ByteRangeProblem = wrap(err).Error()
		return s
	}
	sd, _ := o.(dict)
	if sf, ok := sd["SubFilter"].(name); ok {
		s.SubFilter = string(sf)
	}
	if m, ok := sd["M"].(str); ok {
		s.SigningTime = textString(m)
	}
	if s.SubFilter != "ETSI.CAdES.detached" && s.SubFilter != "adbe.pkcs7.detached" {
		s.ByteRangeProblem = "unsupported /SubFilter " + s.SubFilter
		return s
	}
	ba, _ := sd["ByteRange"].(array)
	for _, v := range ba {
		n, ok := v.(int)
		if !ok {
			break
		}
		s.ByteRange = append(s.ByteRange, n)
	}
	contents, ok := sd["Contents"].(str)
	if ok {
		s.Contents = contents
	}
	hp, hok := hex["Contents"]
	br := s.ByteRange
	data := d.Data
	switch {
	case len(br) != 4 || len(ba) != 4:
		s.ByteRangeProblem = "/ByteRange is not four integers"
	case !ok || !hok:
		s.ByteRangeProblem = "/Contents is not a hexadecimal string"
	case br[0] != 0:
		s.ByteRangeProblem = "/ByteRange does not start at 0"
	case br[1] < 0 || br[2] < br[1] || br[3] < 0 || br[2]+br[3] > len(data):
		s.ByteRangeProblem = "/ByteRange is out of the file"
	case br[1] != hp.Start || br[2] != hp.End:
		s.ByteRangeProblem = "/ByteRange leaves out more or less than /Contents"
	case !revisionEnd(data[:br[2]+br[3]]):
		s.ByteRangeProblem = "/ByteRange does not end at the end of a revision"
	default:
		s.ByteRangeOK = true
	}
	if len(br) == 4 && br[0] == 0 && br[1] >= 0 && br[2] >= br[1] && br[3] >= 0 && br[2]+br[3] <= len(data) {
		s.Signed = [][]byte{data[:br[1]], data[br[2] : br[2]+br[3]]}
	}
	return s
}

// revisionEnd says b ends with %%EOF and an optional end-of-line marker.
func revisionEnd(b []byte) bool {
	b = bytes.TrimRight(b, "\r\n")
	return bytes.HasSuffix(b, []byte("%%EOF"))
}

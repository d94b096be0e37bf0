package bulk

import (
	"bufio"
	"encoding/asn1"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/verify"
)

// Entry is one signed object to verify: the files verify.Any is given.
type Entry struct {
	// ID names the entry in the JSON-lines output and for --resume: the
	// files' paths as given (relative to the directory or the manifest's
	// folder), joined by " + ".
	ID string
	// Files are the paths to read.
	Files []string
	// Problem, when set, says why the entry cannot be checked (a document
	// no signature names or covers); Run records it without reading.
	Problem string
}

// ProblemUnsigned is the Problem of a document that no signature names
// or covers.
const ProblemUnsigned = "no signature names or covers this file"

// sigExts are the file name extensions of detached and attached signatures
// in Russian document flows (КриптоАРМ, CryptoPro, the FNS: .sig, .sgn,
// .p7s), compared without case.
var sigExts = []string{".sig", ".sgn", ".p7s"}

func sigExt(name string) string {
	ext := strings.ToLower(filepath.Ext(name))
	for _, e := range sigExts {
		if ext == e {
			return ext
		}
	}
	return ""
}

// maxSigFile bounds what pairing reads of a signature file whose name
// names no document (a CMS of a few certificates is a few kilobytes; a
// signature with embedded revocation data can reach megabytes).
const maxSigFile = 16 << 20

// ScanDir pairs the regular files under dir (recursively, in name order):
// X with X.sig, X.sgn or X.p7s by name; a signature file whose name names
// no file with the document whose digest equals its messageDigest
// (verify.CoversDigest), or alone when it carries its content; any other
// file alone (a signed PDF, a POA, an attached signature under another
// name). A document that no signature names or covers and that is itself
// no signed object becomes an entry with a Problem. skip lists paths not to
// consider (the run's own outputs).
func ScanDir(dir string, skip ...string) ([]Entry, error) {
	skipAbs := map[string]bool{}
	for _, s := range skip {
		if a, err := filepath.Abs(s); err == nil {
			skipAbs[a] = true
		}
	}
	names, err := regularFiles(dir, skipAbs)
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return pairFiles(dir, names)
}

// regularFiles returns the paths, relative to dir and slash-separated, of
// the regular files under dir (recursively, in no particular order), not
// following symbolic links (dir itself included, as filepath.WalkDir does)
// and leaving out those whose absolute path is in skipAbs. It is the serial
// part of a batch, before the jobs start: it reads each folder once, unsorted
// (ScanDir sorts the names once), and computes an absolute path only when
// there is something to skip.
func regularFiles(dir string, skipAbs map[string]bool) ([]string, error) {
	fi, err := os.Lstat(dir)
	if err != nil {
		return nil, err
	}
	skipped := func(p string) bool {
		if len(skipAbs) == 0 {
			return false
		}
		a, err := filepath.Abs(p)
		return err == nil && skipAbs[a]
	}
	if !fi.IsDir() {
		if fi.Mode().IsRegular() && !skipped(dir) {
			return []string{"."}, nil
		}
		return nil, nil
	}
	var names []string
	var walk func(path, rel string) error
	walk = func(path, rel string) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		list, err := f.ReadDir(-1)
		f.Close()
		if err != nil {
			return err
		}
		for _, d := range list {
			name := d.Name()
			r := name
			if rel != "" {
				r = rel + "/" + name
			}
			switch {
			case d.IsDir():
				if err := walk(filepath.Join(path, name), r); err != nil {
					return err
				}
			case d.Type().IsRegular() && !skipped(filepath.Join(path, name)):
				names = append(names, r)
			}
		}
		return nil
	}
	if err := walk(dir, ""); err != nil {
		return nil, err
	}
	return names, nil
}

// pairFiles pairs names (slash-separated, relative to dir).
func pairFiles(dir string, names []string) ([]Entry, error) {
	exists := make(map[string]bool, len(names))
	for _, n := range names {
		exists[n] = true
	}
	claimed := make(map[string]bool, len(names))
	var entries []Entry
	var orphans []string // signatures whose name names no file
	for _, n := range names {
		ext := sigExt(n)
		if ext == "" {
			continue
		}
		doc := n[:len(n)-len(ext)]
		if exists[doc] && sigExt(doc) == "" {
			entries = append(entries, Entry{ID: doc + " + " + n, Files: []string{n, doc}})
			claimed[n], claimed[doc] = true, true
			continue
		}
		orphans = append(orphans, n)
	}
	var docs []string
	for _, n := range names {
		if !claimed[n] && sigExt(n) == "" {
			docs = append(docs, n)
		}
	}
	byDigest := newDigestIndex(dir, docs)
	for _, n := range orphans {
		claimed[n] = true
		sd := parseSig(filepath.Join(dir, filepath.FromSlash(n)))
		if sd == nil || !sd.Detached {
			// Not readable as CMS here, or attached: verify.Any says what it is.
			entries = append(entries, Entry{ID: n, Files: []string{n}})
			continue
		}
		doc := byDigest.find(sd, claimed)
		if doc == "" {
			entries = append(entries, Entry{ID: n, Files: []string{n}})
			continue
		}
		claimed[doc] = true
		entries = append(entries, Entry{ID: doc + " + " + n, Files: []string{n, doc}})
	}
	for _, n := range docs {
		if claimed[n] {
			continue
		}
		e := Entry{ID: n, Files: []string{n}}
		if k := sniffFile(filepath.Join(dir, filepath.FromSlash(n))); k == verify.KindData {
			e.Problem = ProblemUnsigned
		}
		entries = append(entries, e)
	}
	slices.SortFunc(entries, func(a, b Entry) int { return strings.Compare(a.ID, b.ID) })
	for i := range entries {
		for j, f := range entries[i].Files {
			entries[i].Files[j] = filepath.Join(dir, filepath.FromSlash(f))
		}
	}
	return entries, nil
}

func parseSig(path string) *cms.SignedData {
	data, err := readBounded(path, maxSigFile)
	if err != nil {
		return nil
	}
	sd, err := cms.Parse(data)
	if err != nil {
		return nil
	}
	return sd
}

// sniffFile sniffs a file from its first kilobytes; a file that starts
// like a signature is read whole (up to maxSigFile) to be sure.
func sniffFile(path string) verify.Kind {
	data, err := readBounded(path, maxSigFile)
	if err != nil {
		return verify.KindData
	}
	return verify.Sniff(data)
}

// digestIndex finds documents by digest; each document is hashed once per
// digest algorithm asked for, lazily.
type digestIndex struct {
	dir  string
	docs []string
	// byAlg maps a digest algorithm OID to the documents' digests.
	byAlg map[string]map[string][]string
}

func newDigestIndex(dir string, docs []string) *digestIndex {
	return &digestIndex{dir: dir, docs: docs, byAlg: map[string]map[string][]string{}}
}

// find returns an unclaimed document whose digest a signer of sd names.
func (x *digestIndex) find(sd *cms.SignedData, claimed map[string]bool) string {
	for _, si := range sd.Signers {
		if si.Err != nil {
			continue
		}
		md, ok := verify.MessageDigest(si)
		if !ok {
			continue
		}
		m := x.digests(si.DigestAlgorithm.Algorithm)
		for _, d := range m[string(md)] {
			if !claimed[d] {
				return d
			}
		}
	}
	return ""
}

func (x *digestIndex) digests(oid asn1.ObjectIdentifier) map[string][]string {
	if m, ok := x.byAlg[oid.String()]; ok {
		return m
	}
	m := map[string][]string{}
	x.byAlg[oid.String()] = m
	newHash, ok := pki.HashByOID(oid)
	if !ok {
		return m
	}
	for _, d := range x.docs {
		f, err := os.Open(filepath.Join(x.dir, filepath.FromSlash(d)))
		if err != nil {
			continue
		}
		h := newHash()
		_, err = io.Copy(h, f)
		f.Close()
		if err == nil {
			k := string(h.Sum(nil))
			m[k] = append(m[k], d)
		}
	}
	return m
}

// ReadManifest reads a manifest: one entry per line, the entry's files
// separated by TAB characters (a signature and its document; a POA, its
// signature, a document and its signature; or one file); relative paths are
// relative to base (the manifest's folder). Blank lines and lines starting
// with '#' are skipped. An entry of one file that a signature would need
// to cover is left to verify.Any to report.
func ReadManifest(r io.Reader, base string) ([]Entry, error) {
	var entries []Entry
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		var files []string
		for _, f := range strings.Split(text, "\t") {
			if f = strings.TrimSpace(f); f != "" {
				files = append(files, f)
			}
		}
		id := strings.Join(files, " + ")
		if prev, ok := seen[id]; ok {
			return nil, fmt.Errorf("manifest line %d: the same entry as line %d", line, prev)
		}
		seen[id] = line
		for i, f := range files {
			if !filepath.IsAbs(f) {
				files[i] = filepath.Join(base, filepath.FromSlash(f))
			}
		}
		entries = append(entries, Entry{ID: id, Files: files})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("manifest line %d: %w", line+1, err)
	}
	return entries, nil
}

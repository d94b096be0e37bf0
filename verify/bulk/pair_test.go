package bulk

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// walkRef is what ScanDir listed before regularFiles: filepath.WalkDir,
// regular files only, skip by absolute path, relative slash paths.
func walkRef(dir string, skipAbs map[string]bool) ([]string, error) {
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if a, err := filepath.Abs(p); err == nil && skipAbs[a] {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		names = append(names, filepath.ToSlash(rel))
		return nil
	})
	return names, err
}

// regularFiles lists what filepath.WalkDir does: nested folders, names that
// sort differently as paths than as folder entries ("a/x" and "a.txt"),
// symbolic links (not followed, root included), a root that is a file, and
// skipped outputs given relative or absolute.
func TestRegularFiles(t *testing.T) {
	root := t.TempDir()
	for _, n := range []string{"a.txt", "a/x", "a/b/c.sig", "a-b", "Я/документ.pdf", "z", "deep/1/2/3/4/f"} {
		write(t, root, n, []byte(n))
	}
	if err := os.MkdirAll(filepath.Join(root, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	links := os.Symlink(filepath.Join(root, "a"), filepath.Join(root, "link-dir")) == nil &&
		os.Symlink(filepath.Join(root, "z"), filepath.Join(root, "link-file")) == nil
	if !links {
		t.Log("no symbolic links here; checked without them")
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	relRoot, err := filepath.Rel(wd, root)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		dir  string
		skip []string
	}{
		{root, nil},
		{root + string(filepath.Separator), nil},
		{relRoot, nil},
		{root, []string{filepath.Join(root, "a.txt"), filepath.Join(relRoot, "a", "b", "c.sig"), filepath.Join(root, "nothing")}},
		{filepath.Join(root, "a"), []string{filepath.Join(root, "a", "x")}},
		{filepath.Join(root, "z"), nil},
		{filepath.Join(root, "z"), []string{filepath.Join(root, "z")}},
		{filepath.Join(root, "empty"), nil},
	}
	if links {
		cases = append(cases, struct {
			dir  string
			skip []string
		}{filepath.Join(root, "link-dir"), nil})
	}
	for _, c := range cases {
		skipAbs := map[string]bool{}
		for _, s := range c.skip {
			a, _ := filepath.Abs(s)
			skipAbs[a] = true
		}
		want, werr := walkRef(c.dir, skipAbs)
		got, err := regularFiles(c.dir, skipAbs)
		slices.Sort(want)
		slices.Sort(got)
		if (err != nil) != (werr != nil) || strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s skip %v:\n got %q %v\nwant %q %v", c.dir, c.skip, got, err, want, werr)
		}
	}
	if _, err := regularFiles(filepath.Join(root, "missing"), nil); !os.IsNotExist(err) {
		t.Errorf("missing folder: %v", err)
	}
}

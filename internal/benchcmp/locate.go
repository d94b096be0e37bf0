package main

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// findBenchmarks returns, for each named benchmark function, the packages
// (directories relative to root, slash-separated, sorted) whose _test.go files
// declare it; a name declared nowhere is absent. It reads the module's sources
// rather than asking `go test -list`, which would compile every test binary of
// the module: several of the benchmarks are being written while the report is
// used, and a package that does not build must not hide the others. Like the go
// command it skips testdata, vendor, directories starting with . or _, nested
// modules, and files whose build constraints exclude them here (go/build).
func findBenchmarks(root string, names []string) (map[string][]string, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	found := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path == root {
				return nil
			}
			if name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
			return nil
		}
		if !strings.HasSuffix(name, "_test.go") || !d.Type().IsRegular() {
			return nil
		}
		dir := filepath.Dir(path)
		if ok, err := build.Default.MatchFile(dir, name); err != nil || !ok {
			return nil // excluded here, or unreadable: go test would not run it either
		}
		// Declarations only; a file that does not parse is go test's to report.
		f, _ := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if f == nil {
			return nil
		}
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(rel)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if ok && fn.Recv == nil && want[fn.Name.Name] && !slices.Contains(found[fn.Name.Name], pkg) {
				found[fn.Name.Name] = append(found[fn.Name.Name], pkg)
			}
		}
		return nil
	})
	for _, pkgs := range found {
		slices.Sort(pkgs)
	}
	return found, err
}

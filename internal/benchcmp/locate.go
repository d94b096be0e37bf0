package main

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	pathpkg "path"
	"path/filepath"
	"slices"
	"strings"
)

// declarations says where benchmark functions are declared.
type declarations struct {
	// pkgs lists, per function, the packages (directories relative to the
	// module root, slash-separated, sorted) whose _test.go files declare it.
	pkgs map[string][]string
	// excluded names, per function declared only in files that build
	// constraints exclude here (//go:build cgo with CGO_ENABLED=0, say), the
	// first such file, slash-separated.
	excluded map[string]string
}

// findBenchmarks looks for the named benchmark functions in the _test.go files
// of the module at root. It reads the sources rather than asking `go test
// -list`, which would compile every test binary of the module: several of the
// benchmarks are being written while the report is used, and a package that
// does not build must not hide the others. Like the go command it skips
// testdata, vendor, directories starting with . or _, and nested modules; files
// whose build constraints exclude them here (go/build) are noted apart.
func findBenchmarks(root string, names []string) (declarations, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	found := map[string][]string{}
	excluded := map[string]string{}
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
		match, err := build.Default.MatchFile(dir, name)
		if err != nil {
			return nil // unreadable: go test would not run it either
		}
		// Declarations only; a file that does not parse is go test's to report.
		f, _ := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if f == nil {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		pkg, _ := pathpkg.Split(rel)
		pkg = strings.TrimSuffix(pkg, "/")
		if pkg == "" {
			pkg = "."
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !want[fn.Name.Name] {
				continue
			}
			name := fn.Name.Name
			switch {
			case !match:
				if _, seen := excluded[name]; !seen {
					excluded[name] = rel
				}
			case !slices.Contains(found[name], pkg):
				found[name] = append(found[name], pkg)
			}
		}
		return nil
	})
	for name, pkgs := range found {
		slices.Sort(pkgs)
		delete(excluded, name)
	}
	return declarations{pkgs: found, excluded: excluded}, err
}

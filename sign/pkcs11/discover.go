package pkcs11

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// EnvModule is the environment variable naming the PKCS#11 module to use
// when neither the URI nor Options name one.
const EnvModule = "PODPIS_PKCS11_MODULE"

// knownModule is a token vendor's module: its file name (a glob for ESMART,
// whose file names vary by release) and the directories its installer uses
// besides the system library directories.
type knownModule struct {
	vendor string
	name   string
	dirs   []string
}

// knownModules are the modules looked for when nothing names one, in the
// order tried: the vendor modules of the tokens Russian qualified signatures
// live on first, then OpenSC (generic smart cards), then SoftHSM2 (a software
// token for tests).
var knownModules = []knownModule{
	{"Rutoken (Aktiv)", "librtpkcs11ecp" + soExt, []string{"/opt/aktivco/rutokenecp/" + archDir()}},
	{"JaCarta (Aladdin R.D.)", "libjcPKCS11-2" + soExt, []string{"/opt/aladdin/jcpkcs11/lib"}},
	{"ESMART (ISBC)", "libesmart*" + soExt, []string{"/opt/esmart/lib"}},
	{"OpenSC", "opensc-pkcs11" + soExt, []string{"/Library/OpenSC/lib"}},
	{"SoftHSM2", "libsofthsm2" + soExt, []string{"/usr/lib/softhsm", "/usr/lib/" + multiarch() + "/softhsm", "/usr/local/lib/softhsm", "/opt/homebrew/lib/softhsm"}},
}

// soExt is the shared-library suffix of the platform.
var soExt = func() string {
	switch runtime.GOOS {
	case "darwin":
		return ".dylib"
	case "windows":
		return ".dll"
	}
	return ".so"
}()

// libDirs are the system library directories searched for every module name.
func libDirs() []string {
	switch runtime.GOOS {
	case "windows":
		return []string{filepath.Join(os.Getenv("SystemRoot"), "System32")}
	case "darwin":
		return []string{"/usr/local/lib", "/opt/homebrew/lib", "/usr/lib"}
	}
	ma := multiarch()
	return []string{"/usr/lib/" + ma, "/usr/lib/" + ma + "/pkcs11", "/usr/lib64", "/usr/lib64/pkcs11", "/usr/lib", "/usr/lib/pkcs11", "/usr/local/lib"}
}

// multiarch is Debian's multiarch triplet for this architecture.
func multiarch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64-linux-gnu"
	case "arm64":
		return "aarch64-linux-gnu"
	case "386":
		return "i386-linux-gnu"
	case "arm":
		return "arm-linux-gnueabihf"
	}
	return runtime.GOARCH + "-linux-gnu"
}

// archDir is the architecture directory of vendor tarballs (Rutoken).
func archDir() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	}
	return runtime.GOARCH
}

// WellKnownModules returns the module paths (some of them globs) looked for
// when nothing names a module, in order.
func WellKnownModules() []string {
	var out []string
	for _, k := range knownModules {
		for _, d := range append(libDirs(), k.dirs...) {
			out = append(out, filepath.Join(d, k.name))
		}
	}
	return out
}

// FindModules returns the well-known modules installed here, in the order of
// WellKnownModules.
func FindModules() []string {
	var found []string
	seen := map[string]bool{}
	for _, p := range WellKnownModules() {
		matches, _ := filepath.Glob(p)
		for _, m := range matches {
			real, err := filepath.EvalSymlinks(m)
			if err != nil || seen[real] || !isFile(real) {
				continue
			}
			seen[real] = true
			found = append(found, m)
		}
	}
	return found
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// modulePaths returns the modules to search for the URI's token, in order:
// the URI's module-path / module-name, else Options.Module, else
// $PODPIS_PKCS11_MODULE, else every well-known module installed.
func modulePaths(u *URI, opts Options) ([]string, error) {
	switch {
	case u.ModulePath != "" || u.ModuleName != "":
		p, err := findNamedModule(u.ModulePath, u.ModuleName)
		if err != nil {
			return nil, err
		}
		return []string{p}, nil
	case opts.Module != "":
		if !isFile(opts.Module) {
			return nil, condErrorf(ErrModuleNotFound, "module %s not found", opts.Module)
		}
		return []string{opts.Module}, nil
	}
	if env := os.Getenv(EnvModule); env != "" {
		if !isFile(env) {
			return nil, condErrorf(ErrModuleNotFound, "module %s (from %s) not found", env, EnvModule)
		}
		return []string{env}, nil
	}
	found := FindModules()
	if len(found) == 0 {
		return nil, condErrorf(ErrModuleNotFound, "no PKCS#11 module installed (tried: %s); install the token's driver, or name the module with module-path= in the URI, --module or %s", knownModulesTried(), EnvModule)
	}
	return found, nil
}

// findNamedModule resolves RFC 7512's module-path (a file, or a directory)
// and module-name ("rtpkcs11ecp" → librtpkcs11ecp.so).
func findNamedModule(path, name string) (string, error) {
	if path != "" && name == "" {
		fi, err := os.Stat(path)
		switch {
		case err != nil:
			return "", condErrorf(ErrModuleNotFound, "module %s not found", path)
		case fi.Mode().IsRegular():
			return path, nil
		case !fi.IsDir():
			return "", condErrorf(ErrModuleNotFound, "module-path %s is neither a file nor a directory", path)
		}
		for _, k := range knownModules {
			if m, _ := filepath.Glob(filepath.Join(path, k.name)); len(m) > 0 {
				return m[0], nil
			}
		}
		return "", condErrorf(ErrModuleNotFound, "no well-known module in directory %s; add module-name=", path)
	}
	dirs := libDirs()
	for _, k := range knownModules {
		dirs = append(dirs, k.dirs...)
	}
	if path != "" {
		dirs = []string{path}
	}
	var tried []string
	for _, d := range dirs {
		for _, f := range moduleFileNames(name) {
			p := filepath.Join(d, f)
			tried = append(tried, p)
			if isFile(p) {
				return p, nil
			}
		}
	}
	return "", condErrorf(ErrModuleNotFound, "module %q not found (tried: %s)", name, strings.Join(tried, ", "))
}

// moduleFileNames are the file names a module-name may have.
func moduleFileNames(name string) []string {
	if strings.ContainsRune(name, '.') {
		return []string{name}
	}
	return []string{"lib" + name + soExt, name + soExt}
}

// knownModulesTried describes the well-known list compactly for an error.
func knownModulesTried() string {
	var names []string
	for _, k := range knownModules {
		names = append(names, k.name)
	}
	return strings.Join(names, ", ") + " in " + strings.Join(libDirs(), ", ") + " and the vendors' directories"
}

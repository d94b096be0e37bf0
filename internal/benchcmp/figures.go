package main

import (
	"regexp"
	"strings"
)

// A figure is one number measured on both sides, named as the report prints it:
// "streebog256/8KiB" (MB/s) or "sign/256-a", "verify/cryptopro-a" (ops/s).
type figure struct {
	name   string
	pkg    string  // the podpis package whose benchmark measures it
	engine string  // the engine figure it is compared with: name, the same curve's, or the harness's name
	gogost float64 // gogost v5.14 reference (shared/bench/README.md); 0 if none
	// sameCurve marks 256-b, -c, -d, compared with the engine's CryptoPro
	// curve of another name; podpis may leave them out.
	sameCurve bool
}

const (
	pkgStreebog = "gost/streebog"
	pkgGost3410 = "gost/gost3410"
	pkgCMS      = "cms"
)

var (
	hashSizes = []string{"8KiB", "64KiB", "1MiB"}

	// curves are podpis's CLI curve names, in the order the report lists them.
	curves = []string{
		"256-a", "256-b", "256-c", "256-d",
		"cryptopro-a", "cryptopro-b", "cryptopro-c",
		"512-a", "512-b", "512-c",
	}

	// sameCurve maps a tc26 name to the CryptoPro set with the same curve. The engine
	// is measured on the CryptoPro parameter sets only; 256-b, -c, -d are compared
	// with those (and with gogost's CryptoPro-A figure for 256-b).
	sameCurve = map[string]string{
		"256-b": "cryptopro-a",
		"256-c": "cryptopro-b",
		"256-d": "cryptopro-c",
	}

	// gogostFigures are the gogost v5.14 figures of shared/bench/README.md,
	// measured on this machine kind; absolute numbers, not from this run.
	gogostFigures = map[string]float64{
		"streebog256/8KiB":   24.7,
		"streebog512/1MiB":   22.4,
		"sign/256-a":         915,
		"verify/256-a":       464,
		"sign/cryptopro-a":   912,
		"verify/cryptopro-a": 451,
		"sign/512-a":         236,
		"verify/512-a":       119,
	}

	// cmsFigures are BenchmarkCMSVerify/chain and /nochain (package cms) and
	// the harness's figures they are compared with: d2i_CMS + CMS_verify of
	// the same kind of signature, with and without CMS_NO_SIGNER_CERT_VERIFY.
	cmsFigures = []struct{ name, engine string }{
		{"cms_verify/nochain", "cms_verify_nochain"},
		{"cms_verify/chain", "cms_verify_chain"},
	}
)

// catalogue lists every figure the report knows, in report order.
func catalogue() []figure {
	var figs []figure
	for _, bits := range []string{"256", "512"} {
		for _, size := range hashSizes {
			name := "streebog" + bits + "/" + size
			figs = append(figs, figure{name: name, pkg: pkgStreebog, engine: name, gogost: gogostFigures[name]})
		}
	}
	for _, curve := range curves {
		for _, op := range []string{"sign", "verify"} {
			name := op + "/" + curve
			engine := name
			same, ok := sameCurve[curve]
			if ok {
				engine = op + "/" + same
			}
			figs = append(figs, figure{name: name, pkg: pkgGost3410, engine: engine, gogost: gogostFigures[engine], sameCurve: ok})
		}
	}
	for _, c := range cmsFigures {
		figs = append(figs, figure{name: c.name, pkg: pkgCMS, engine: c.engine})
	}
	return figs
}

// selectFigures returns the catalogue's figures whose names match only (all if nil).
func selectFigures(only *regexp.Regexp) []figure {
	var figs []figure
	for _, f := range catalogue() {
		if only == nil || only.MatchString(f.name) {
			figs = append(figs, f)
		}
	}
	return figs
}

// unit is the unit of a figure's value: MB/s (10^6 bytes) for hashing, ops/s otherwise.
func unit(name string) string {
	if strings.HasPrefix(name, "streebog") {
		return "MB/s"
	}
	return "ops/s"
}

// distinct returns key(f) for every f in figs, without repeats, in first-seen order:
// distinct(figs, figure.engineName) is what the harness must measure,
// distinct(figs, figure.pkgName) the packages whose benchmarks must run.
func distinct(figs []figure, key func(figure) string) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range figs {
		if k := key(f); !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

func (f figure) engineName() string { return f.engine }
func (f figure) pkgName() string    { return f.pkg }

# podpis — thin aliases over go commands (shared/STYLE.md §6).
# `make demo` and `make test` install what they need first (`make deps`).

GO          ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME    ?= 30s
BENCHFLAGS  ?=
# Debian packages the project needs: OpenSSL with the GOST engine (the test
# oracle and the benchmark reference); a C compiler with OpenSSL and PKCS#11
# (p11-kit) headers for the benchmark harness and the GOST test token
# (testdata/gosttoken); SoftHSM2 and OpenSC's pkcs11-tool for token tests;
# the PDF oracles (qpdf, poppler's pdffonts/pdfinfo/pdftoppm/pdfsig, zbarimg,
# PDFBox Preflight on a headless JRE — spec/pdfa/PDFA2B.md §3) and xmllint for
# the МЧД schema; PostgreSQL for the МЧД registry tests; pinentry-tty (the real
# Assuan peer of tokend/pinentry) and systemd-analyze for tokend (spec/infra/RECIPES.md).
DEB_PACKAGES := openssl libengine-gost-openssl gcc libc6-dev libssl-dev make \
	libp11-kit-dev softhsm2 opensc \
	qpdf poppler-utils zbar-tools libpdfbox2-java libactivation-java libjaxb-api-java \
	default-jre-headless libxml2-utils ghostscript fonts-dejavu-core icc-profiles-free \
	postgresql chromium pinentry-tty systemd

.PHONY: all deps build gosttoken test vet lint bench fuzz demo clean

all: build

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	$(GO) mod download

build:
	$(GO) build -o bin/podpis ./cmd/podpis

# The GOST PKCS#11 test token (a C module over OpenSSL's GOST engine).
gosttoken:
	$(MAKE) -C testdata/gosttoken OUT=$(CURDIR)/build/gosttoken

vet:
	@bad=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$bad" ]; then echo "gofmt needed:"; echo "$$bad"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

test: deps vet gosttoken
	$(MAKE) -C testdata/gosttoken test OUT=$(CURDIR)/build/gosttoken
	$(GO) test ./...

bench: deps
	$(GO) build -o bin/benchcmp ./internal/benchcmp
	bin/benchcmp $(BENCHFLAGS)

# Runs every Fuzz target for FUZZTIME each (go test runs one target at a time).
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; \
			$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

demo: deps build gosttoken
	sh examples/demo/demo.sh bin/podpis build/gosttoken/libgosttoken.so

clean:
	rm -rf bin build demo-out

# podpis — thin aliases over go commands (shared/STYLE.md §6).
# `make demo` and `make test` install what they need first (`make deps`).

GO          ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME    ?= 30s
BENCHFLAGS  ?=
# Debian packages the project needs: OpenSSL with the GOST engine (the test
# oracle and the benchmark reference) and a C compiler with OpenSSL headers
# (the benchmark harness; later the PKCS#11 test token).
DEB_PACKAGES := openssl libengine-gost-openssl gcc libc6-dev libssl-dev make

.PHONY: all deps build test vet lint bench fuzz demo clean

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

vet:
	@bad=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$bad" ]; then echo "gofmt needed:"; echo "$$bad"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

test: deps vet
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

demo: deps build
	sh examples/demo/demo.sh bin/podpis

clean:
	rm -rf bin demo-out

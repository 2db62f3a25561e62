# ctibridge build and test entry points. `make test` is what CI runs (.ci/run).
GO      ?= go
PKGS    ?= ./...
TAPI_H  := /usr/share/mingw-w64/include/tapi.h
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build tsp msi test test-short deps lint fmt-check vet staticcheck gocyclo cross fuzz bench clean

all: build

build:
	$(GO) build -o bin/ $(PKGS)

# deps makes sure the system tools the tests use are present: redis-server (store tests start
# their own on a free port), tapi.h (the TAPI constants are checked against it) and chromium
# with chromium-driver (the dashboard's browser test in package web), slapd and ldap-utils (the
# caller lookup's LDAP tests start their own slapd), wine64 and wixl/msitools (clients/tsp/harness
# runs the TSP DLL under Wine and builds and installs its MSI).
# Installs Debian packages when running as root; otherwise prints the exact command.
deps:
	@missing=""; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	[ -f $(TAPI_H) ] || missing="$$missing mingw-w64-x86-64-dev"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null 2>&1 || missing="$$missing chromium-driver"; \
	command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || missing="$$missing gcc-mingw-w64-x86-64"; \
	[ -x /usr/sbin/slapd ] || command -v slapd >/dev/null 2>&1 || missing="$$missing slapd"; \
	command -v ldapsearch >/dev/null 2>&1 || missing="$$missing ldap-utils"; \
	[ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null 2>&1 || missing="$$missing wine64"; \
	command -v wixl >/dev/null 2>&1 || missing="$$missing wixl msitools"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
		else \
			echo "missing system packages:$$missing"; \
			echo "install them with: sudo apt-get install -y$$missing"; exit 1; \
		fi; \
	fi

# tsp cross-builds the Windows TAPI service provider DLL (clients/tsp; needs the mingw-w64
# cross compiler that `make deps` installs).
tsp:
	GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc $(GO) build -buildmode=c-shared -o bin/ctibridge.tsp ./clients/tsp

# msi builds the TSP installer bin/ctibridge-tsp.msi with msitools' wixl (`make deps`); see
# clients/tsp/README.md for its properties. wixl reads the DLL relative to its directory.
MSI_VERSION ?= 1.0.0
msi: tsp
	cd bin && wixl -a x64 -D TspDll=ctibridge.tsp -D Version=$(MSI_VERSION) -o ctibridge-tsp.msi ../clients/tsp/installer/ctibridge-tsp.wxs

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(find . -name '*.go' -not -path './.git/*' | xargs -r gofmt -l); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

# staticcheck runs the pinned staticcheck through the Go module proxy (no install step: go run
# fetches and caches it).
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
staticcheck:
	$(GO) run $(STATICCHECK) $(PKGS)

# gocyclo holds non-test code to a cyclomatic complexity of 20 (issue 15). The XML scanner's
# inner loops (csta/xmlscan.go) are exempt: splitting them costs decoding speed.
GOCYCLO ?= github.com/fzipp/gocyclo/cmd/gocyclo@v0.6.0
gocyclo:
	$(GO) run $(GOCYCLO) -over 20 -ignore '_test\.go$$|csta/xmlscan\.go$$' .

lint: vet fmt-check staticcheck gocyclo

# cross builds every package for Windows and macOS: the daemon, SDKs and tools must not
# depend on Linux-only system calls outside files built for Unix.
cross:
	GOOS=windows $(GO) build $(PKGS)
	GOOS=darwin $(GO) build $(PKGS)

# -count=1: the process-level tests build and run the binaries themselves, which Go's test
# cache cannot see, so a cached pass could hide a change to them.
# The test binaries are built first, in parallel; then the packages run one at a time
# (-p 1): the failover tests measure heartbeats, leases and takeovers in real time with
# several bridge, Redis, PBX simulator and browser processes each, and on a small machine two
# such packages at once, under the race detector, starve each other of CPU.
test: deps vet fmt-check staticcheck gocyclo cross
	$(GO) test -race -count=1 -run '^$$' $(PKGS) >/dev/null
	$(GO) test -race -count=1 -p 1 -timeout 20m $(PKGS)

# test-short skips the slow process-level tests; handy while editing.
test-short: deps
	$(GO) test -short $(PKGS)

# fuzz runs every fuzz target of the project for FUZZTIME each (default 10m): the CSTA framer,
# decoders and event templates, the trace files, the reducer, the client and stored JSON, the
# history index, the number normaliser. A failing input is kept under the package's
# testdata/fuzz, where the plain tests replay it. FUZZ=regexp picks targets by name.
FUZZTIME ?= 10m
FUZZ ?= .
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' | grep -E '$(FUZZ)'); do \
			echo "== $$pkg $$f"; \
			$(GO) test $$pkg -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) || exit 1; \
		done; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

clean:
	rm -rf bin

# Signet: `make run` runs the app, `make test` runs every test (installing
# the Debian packages tests need when missing). See README.md.

GO ?= go
# Use the installed Go; never download a toolchain behind the user's back.
export GOTOOLCHAIN ?= local
# cgo: miekg/pkcs11 loads PKCS#11 modules with dlopen.
export CGO_ENABLED = 1

.PHONY: run test check lint fuzz bench build screenshots package packages

# Signet is two programs: signet (the command line and the agent, no GUI
# toolkit) and signet-app (the window), built side by side into $(BIN),
# where each finds the other. make run ARGS="verify x.pdf" runs a command;
# without ARGS it opens the window.
BIN ?= bin

run: build
	$(BIN)/signet $(ARGS)

build:
	@scripts/deps.sh run
	$(GO) build -buildvcs=auto -o $(BIN)/signet .
	$(GO) build -buildvcs=auto -o $(BIN)/signet-app ./cmd/signet-app

# The packages first: vet and the tests compile the app, which needs
# Fyne's C headers. vet and staticcheck build with -race too (GOFLAGS),
# so the three share one compilation of every package instead of two: on
# a cold cache that compilation is the slowest part of the run.
test:
	@scripts/deps.sh test
	@GOFLAGS="$$GOFLAGS -race" $(MAKE) --no-print-directory check
	$(GO) test -race -count=1 ./...
	@# Under CI the fuzz runs start from the seeds: a corpus cached by
	@# earlier runs would spend the 10 s on its baseline coverage.
	@if [ "$$CI" = true ]; then $(GO) clean -fuzzcache; fi
	scripts/fuzz_test.sh
	@$(MAKE) --no-print-directory fuzz FUZZTIME=10s
	GO=$(GO) scripts/packages-test.sh

# Formatting, vet and staticcheck (type-checking the app needs the build
# packages).
check:
	@scripts/deps.sh run
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then \
		echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

lint: check

# Each fuzz target for FUZZTIME (default 30s); make test runs each for 10s.
# Go minimizes every new interesting input for up to 60 s by default, and
# the execution count stands still meanwhile (the runs "stalled" after a
# handful of executions): 100 calls per minimization keep the time for
# fuzzing.
FUZZTIME ?= 30s
# scripts/fuzz.sh tells Go 1.26's coordinator race at the end of a run
# (golang/go#75804) from a finding.
FUZZ = GO=$(GO) scripts/fuzz.sh $(FUZZTIME)
fuzz:
	@scripts/deps.sh test
	$(FUZZ) '^FuzzParseURI$$' ./pkcs11
	$(FUZZ) '^FuzzOpenDocument$$' ./pdf
	$(FUZZ) '^FuzzXRefStream$$' ./pdf
	$(FUZZ) '^FuzzObjectStream$$' ./pdf
	$(FUZZ) '^FuzzParseCMS$$' ./pdf
	$(FUZZ) '^FuzzVerify$$' ./pdf
	$(FUZZ) '^FuzzCheckContainer$$' ./flow
	$(FUZZ) '^FuzzDecode$$' ./remote/eparaksts
	$(FUZZ) '^FuzzDecode$$' ./remote/remotesigning
	$(FUZZ) '^FuzzDecode$$' ./remote/cmd
	$(FUZZ) '^FuzzDecode$$' ./remote/biometrid
	$(FUZZ) '^FuzzDecode$$' ./remote/aadhaar
	$(FUZZ) '^FuzzDecode$$' ./remote/certeurope
	$(FUZZ) '^FuzzRequests$$' ./agent
	$(FUZZ) '^FuzzOpen$$' ./asice
	$(FUZZ) '^FuzzCheckXML$$' ./asice

# Speed against peers in one run (see scripts/).
bench:
	@scripts/deps.sh test
	scripts/bench-pkcs11.sh
	scripts/bench-sign.sh
	scripts/bench-verify.sh
	scripts/bench-open.sh
	scripts/bench-batch.sh
	scripts/bench-verify-small.sh
	scripts/bench-verify-container.sh
	scripts/idle-cpu.sh
	$(GO) test -run '^$$' -bench SignDigest -benchtime 2000x ./agent

# PNGs of the app's main screens for the README: the real app under Xvfb,
# on throw-away SoftHSM2 tokens.
# make screenshots LANG=lv (lv, pt, vi, hi, fr) writes docs/screenshots/lv/…
# on a 1440×900 screen, and docs/screenshots/800x600/lv/… on a small one.
SHOTLANG = $(if $(filter C C.UTF-8 POSIX,$(LANG)),en,$(LANG))
screenshots:
	@scripts/deps.sh screenshots
	LANG=C.UTF-8 xvfb-run -a -s "-screen 0 1440x900x24" $(GO) run ./internal/cmd/screenshots -out docs/screenshots -lang "$(SHOTLANG)"
	LANG=C.UTF-8 xvfb-run -a -s "-screen 0 800x600x24" $(GO) run ./internal/cmd/screenshots -out docs/screenshots/800x600 -lang "$(SHOTLANG)"

# dist/signet_<version>_amd64.deb and dist/signet-<version>-1.x86_64.rpm
# (packaging/nfpm.yaml; reproducible: two builds of a commit are the same
# bytes).
packages:
	@scripts/deps.sh packages
	GO=$(GO) scripts/packages.sh

# A Linux package (Signet.tar.xz: both programs, .desktop file, icon).
package: build
	BIN=$(BIN) GO=$(GO) scripts/package.sh

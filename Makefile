# Village. `make run` serves the seeded directory on http://localhost:8080;
# `make test` runs the whole suite. Nothing here installs anything outside
# the repository.

GO      ?= go
BIN     := bin/village
DB      ?= ./data/village.db
# make run: PORT (or ADDR) where to listen, DATABASE_URL the database,
# VILLAGE_FLAGS any other `village serve` flags. The database reaches the
# commands through the environment, so neither make's echo nor a process
# listing shows its password.
PORT    ?= 8080
ADDR    ?= $(if $(findstring :,$(PORT)),$(PORT),:$(PORT))
VILLAGE_FLAGS ?=
export VILLAGE_RUN_DB = $(or $(DATABASE_URL),$(DB))
export VILLAGE_RUN_ADDR = $(ADDR)
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
# The race detector instruments Village and every other Go package except
# modernc.org/sqlite/lib: SQLite translated from C, whose every memory access
# it would otherwise check, making each SQLite test several times slower.
# modernc.org/libc stays instrumented: without it the detector misses the
# synchronisation libc does and reports races between goroutines that never
# share memory unsynchronised (seen in reflect's layout cache under gqlgen).
RACE    := -race -gcflags='modernc.org/sqlite/lib=-race=false'
# The PostgreSQL half of the suite runs on the server VILLAGE_TEST_POSTGRES
# names, else one found the usual ways (internal/testdb/findpostgres says
# which, or that it is skipped); CI=true fails without one.

.PHONY: run build console test test-short test-browser test-replica test-validator bench bench-peers fuzz generate check-generated schema-check vet fmt lint clean

# Local development: no rate limit (VILLAGE_FLAGS='--rate-limit 20' sets one).
# serve seeds the database, samples too, only when it holds no records at
# all: an imported or working directory is served as it is.
run: build
	@DATABASE_URL="$$VILLAGE_RUN_DB" "$(BIN)" serve --samples --addr "$$VILLAGE_RUN_ADDR" --rate-limit 0 $(VILLAGE_FLAGS)

build:
	$(GO) build -buildvcs=auto -ldflags "-X main.version=$(VERSION) -X main.commit=$(COMMIT)" -o $(BIN) ./cmd/village

# The two longest packages are named first so that they start first, rather
# than running last and alone on a machine with a core to spare.
test: vet
	@pg=$$($(GO) run ./internal/testdb/findpostgres) || exit 1; \
	  VILLAGE_TEST_POSTGRES="$$pg" $(GO) test $(RACE) -count=1 -timeout 30m ./server ./internal/hsds ./...

# The quick loop: no race detector, -short, SQLite only unless
# VILLAGE_TEST_POSTGRES names a server.
test-short:
	@echo "make test-short: SQLite$${VILLAGE_TEST_POSTGRES:+ and PostgreSQL}, no race detector; make test runs everything" >&2
	@VILLAGE_TEST_POSTGRES="$${VILLAGE_TEST_POSTGRES:-off}" $(GO) test -short -count=1 ./...

# The call-center console (console/): installs its npm packages from its
# lockfile and builds it into server/consoleui/, which is committed and
# embedded, so that make run and make build need only Go.
console:
	@command -v npm >/dev/null 2>&1 || { echo "make console: node and npm are needed (apt-get install nodejs npm)" >&2; exit 1; }
	cd console && npm ci --no-audit --no-fund --silent && npm run build

# Suites with tools of their own. Each says in one line when it is skipped.
# The console in Debian's Chromium (console/test/browser.test.mjs) against
# the real village serve; screenshots go to console/screenshots/.
CHROMIUM ?= /usr/bin/chromium
test-browser: build
	@if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1 || ! [ -x "$(CHROMIUM)" ]; then \
		echo "make test-browser: SKIPPED: node, npm and Chromium are needed (apt-get install nodejs npm chromium)" >&2; \
		if [ "$$CI" = true ]; then exit 1; fi; exit 0; \
	fi
	cd console && npm ci --no-audit --no-fund --silent
	cd console && VILLAGE_BIN="$(CURDIR)/$(BIN)" CHROMIUM="$(CHROMIUM)" node --test --test-reporter=spec test/

# Read replicas: the suite creates a PostgreSQL primary and a streaming
# replica of its own (initdb, pg_basebackup; as user postgres when run as
# root), on free ports in a temporary folder it removes. Without
# PostgreSQL's server programs: one SKIPPED line, a failure under CI=true.
test-replica:
	@found=; for d in $$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) "$$(pg_config --bindir 2>/dev/null)" "$$(dirname "$$(command -v initdb 2>/dev/null || echo .)")"; do \
		if [ -x "$$d/initdb" ] && [ -x "$$d/pg_ctl" ] && [ -x "$$d/pg_basebackup" ]; then found=$$d; break; fi; \
	done; \
	if [ -z "$$found" ]; then \
		echo "make test-replica: SKIPPED: initdb, pg_ctl and pg_basebackup are needed (apt-get install postgresql)" >&2; \
		if [ "$$CI" = true ]; then exit 1; fi; exit 0; \
	fi; \
	echo "make test-replica: PostgreSQL's programs in $$found"; \
	VILLAGE_TEST_REPLICA=1 $(GO) test $(RACE) -count=1 -timeout 10m -run '^TestReplica' -v ./internal/store ./server

# Open Referral's own validator logic (the Frictionless datapackage and
# tableschema npm libraries, as openreferral/hsds-validator uses them, pinned
# in tools/hsds-validator/package-lock.json) on the CSV export of a package
# whose ids are no UUIDs. Without node and npm: one SKIPPED line, a failure
# under CI=true.
test-validator:
	@if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
		echo "make test-validator: SKIPPED: node and npm are needed (apt-get install nodejs npm)" >&2; \
		if [ "$$CI" = true ]; then exit 1; fi; exit 0; \
	fi
	cd tools/hsds-validator && npm ci --no-audit --no-fund --silent
	VILLAGE_REQUIRE_HSDS_VALIDATOR=1 $(GO) test -count=1 -run '^TestExportPassesOpenReferralValidator$$' -v ./internal/hsds

# Then HSDS import and export of the synthetic national directory, whole
# commands timed with their peak memory (tools/bench/hsds-scale.sh), and
# village serve's resident memory serving it (tools/bench/resident.sh).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 -timeout 60m ./...
	GO=$(GO) ./tools/bench/hsds-scale.sh
	GO=$(GO) ./tools/bench/resident.sh

# Village beside PostGraphile 5 and a hand-written Go floor on one PostgreSQL
# database of the synthetic national directory (issue 19; bench/peers.sh):
# checks the three answer with the same rows, then prints req/s, p50 and p99
# at 1 and 16 connections, the ratios and PASS/FAIL per target. PostGraphile
# is installed by npm ci into bench/.cache (git-ignored), the database
# (BENCH_DB, default village_bench) seeded on the first run and kept. About
# 7 minutes with the defaults; CI does not run it.
BENCH_ROUND  ?= 3s
BENCH_ROUNDS ?= 5
BENCH_CONNS  ?= 1,16
bench-peers:
	GO=$(GO) ROUND=$(BENCH_ROUND) ROUNDS=$(BENCH_ROUNDS) CONNS=$(BENCH_CONNS) ./bench/peers.sh

# The GraphQL fuzzer at length (make test sends a few thousand documents
# per backend); FUZZ_N documents per backend, seed VILLAGE_FUZZ_SEED if set.
FUZZ_N ?= 100000
fuzz:
	VILLAGE_FUZZ_N=$(FUZZ_N) $(GO) test -count=1 -timeout 2h -run '^TestFuzzGraphQL$$' -v ./server

generate:
	$(GO) generate ./...

# Fails when the committed generated code differs from what the generators
# produce now.
check-generated: generate
	@git diff --exit-code --stat -- ent graph || (echo "generated code is out of date: run make generate and commit" >&2; exit 1)
	@test -z "$$(git status --porcelain -- ent graph)" || (git status --porcelain -- ent graph; echo "generate left untracked files" >&2; exit 1)

# Breaking changes to graph/schema.graphql since the last release (or the
# merge base with main) must be named in CHANGELOG.md (README: Compatibility).
schema-check:
	$(GO) run ./cmd/schemacheck

vet:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

fmt:
	gofmt -w $$(git ls-files '*.go')

# Cheap checks: vet and gofmt, the schema's compatibility, the module cache's integrity, and that no Go
# file reads data from outside the repository (a fresh clone must pass).
lint: vet schema-check
	$(GO) mod verify
	@if grep -rn --include='*.go' -e '\.\./shared/' -e '"shared", "data"' . ; then \
	  echo "these files read data from outside the repository: vendor it into testdata" >&2; exit 1; fi

clean:
	rm -rf bin

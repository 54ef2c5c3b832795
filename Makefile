# Village. `make run` serves the seeded directory on http://localhost:8080;
# `make test` runs the whole suite. Nothing here installs anything outside
# the repository.

GO      ?= go
BIN     := bin/village
DB      ?= ./data/village.db
ADDR    ?= :8080
# Set VILLAGE_TEST_POSTGRES to a server URL to run the PostgreSQL half of
# the suite locally (CI always does).

.PHONY: run build test test-short bench fuzz generate check-generated vet fmt lint clean

run: build
	$(BIN) seed --db "$(or $(DATABASE_URL),$(DB))" --samples
	$(BIN) serve --db "$(or $(DATABASE_URL),$(DB))" --addr "$(ADDR)"

build:
	$(GO) build -o $(BIN) ./cmd/village

test: vet
	$(GO) test -race -count=1 -timeout 30m ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 -timeout 60m ./...

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

vet:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin

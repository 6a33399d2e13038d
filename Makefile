# drift — `make demo` shows it working, `make test` proves it. Both install what they need.
GO        ?= go
BIN       := bin/drift
GOFLAGS_T ?= -count=1 -timeout 40m -p 2

.PHONY: bench build demo deps fmt test test-deps vet

# --- build stamping (issue 17): `drift version` says what was built, from which commit, when.
# DATE is the commit's time, so one commit always builds the same binary. All three can be set
# from outside (the Dockerfile does, where there is no .git).
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE    ?= $(shell TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)
# ---

bench: deps build ## drift snapshot vs pg_dump --schema-only and drift diff with vs without --format sql (2,000 and 10,000 tables); introspection, replay and daemon-tick benchmarks
	$(GO) run ./cmd/drift-bench -drift $(BIN) -sizes 2000,10000 -runs 3
	$(GO) test -run '^$$' -bench 'BenchmarkIntrospect|BenchmarkPgDumpSchemaOnly' -benchtime 10x ./internal/postgres/catalog/
	$(GO) test -run '^$$' -bench 'Replay200' -benchtime 5x ./internal/postgres/shadow/
	$(GO) test -run '^$$' -bench 'Tick100' -benchtime 3x ./internal/daemon/

build: ## build bin/drift: a static binary, stamped with version, commit and date
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/drift

demo: deps build ## throwaway PostgreSQL, a demo database with hand-made drift, drift check on it
	$(GO) run ./cmd/drift-demo -drift $(BIN)

deps: ## install the PostgreSQL server binaries when missing
	.ci/ensure-postgres

fmt:
	gofmt -w $$(git ls-files '*.go')

test: test-deps ## the whole test suite against real PostgreSQL and Neo4j servers
	internal/neo4jtest/neo4j-server.sh run $(GO) test $(GOFLAGS_T) ./...

test-deps: deps ## and Java + Maven for the Neo4j test server
	.ci/ensure-java

vet:
	$(GO) vet ./...

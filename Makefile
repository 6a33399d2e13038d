# drift — `make demo` shows it working, `make test` proves it. Both install what they need.
GO        ?= go
BIN       := bin/drift
GOFLAGS_T ?= -count=1 -timeout 40m -p 2

.PHONY: bench build demo deps fmt test test-deps vet

bench: deps build ## drift snapshot vs pg_dump --schema-only and drift diff with vs without --format sql (2,000 and 10,000 tables); introspection, replay and daemon-tick benchmarks
	$(GO) run ./cmd/drift-bench -drift $(BIN) -sizes 2000,10000 -runs 3
	$(GO) test -run '^$$' -bench 'BenchmarkIntrospect|BenchmarkPgDumpSchemaOnly' -benchtime 10x ./internal/postgres/
	$(GO) test -run '^$$' -bench 'Replay200' -benchtime 5x ./internal/shadow/
	$(GO) test -run '^$$' -bench 'Tick100' -benchtime 3x ./internal/daemon/

build: ## build bin/drift
	$(GO) build -o $(BIN) ./cmd/drift

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

# drift — `make demo` shows it working, `make test` proves it. Both install what they need:
# PostgreSQL's server binaries are downloaded once into the user's cache (internal/pgbin), so
# neither needs root or a system package for PostgreSQL.
GO        ?= go
BIN       := bin/drift
GOFLAGS_T ?= -count=1 -timeout 40m -p 2 -parallel 4
# The tests' throwaway PostgreSQL and Neo4j servers live under TMPDIR. On a virtual disk creating
# an empty database took 280 ms, against 15 to 40 ms in memory, so the tests use a RAM-backed
# directory when the machine has one with room (2 GiB free in /dev/shm); TEST_TMPDIR=/some/dir
# chooses another, TEST_TMPDIR= keeps $$TMPDIR. drift itself never picks: a user's shadow cluster
# goes where TMPDIR says (README, "The shadow database").
TEST_TMPDIR ?= $(shell d=/dev/shm; [ -d $$d ] && [ -w $$d ] && [ "$$(df -Pk $$d 2>/dev/null | awk 'NR==2 {print $$4}')" -ge 2097152 ] 2>/dev/null && echo $$d)
TEST_ENV  := $(if $(TEST_TMPDIR),TMPDIR=$(TEST_TMPDIR))

.PHONY: bench build demo deps fmt test test-deps test-matrix vet

# --- version matrix (issue 11): the conformance subset on every supported major. Every object
# kind, the false-positive traps, migrations replay and dump/restore (skipped, saying why, where
# no pg_dump as new as the server is installed), and drift check from a migrations folder.
MATRIX_MAJORS ?= 13 14 15 16 17 18
MATRIX_PKGS   := ./internal/postgres/ ./internal/postgres/catalog/ ./internal/postgres/shadow/ ./cmd/drift/
MATRIX_RUN    := ^Test(Conformance|AtTimeZone|SQLSyntax|EachKindDifference|SameSQLGivesIdenticalSnapshots|NewKindsAreWhatTheCatalogWrites|DatabaseSearchPath|DatabaseDisplaySettings|ForeignKeyToPartitionedTable|GrantThenRevoke|AdvancedSequences|ColumnOrder|PgDump|InvalidIndex|RuntimePartitions|MoreKinds|NullDefaultIsNoDefault|PartitionsMadeAtRunTime|Postgres18|ExtensionMembers|Replay|ErrorLine|Build|CheckFromMigrations|CheckCleanDriftAndExitCodes)
# ---

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

demo: build ## throwaway PostgreSQL (PG_MAJOR, default 17; downloaded once when not installed), a demo database with hand-made drift, drift check on it
	$(GO) run ./cmd/drift-demo -drift $(BIN) $(if $(PG_MAJOR),-pg-major $(PG_MAJOR))

deps: ## Debian's PostgreSQL, for `make bench` (pg_dump); drift itself, the demo and the tests download server binaries instead
	.ci/ensure-postgres

fmt:
	gofmt -w $$(git ls-files '*.go')

test: test-deps ## the whole test suite against real PostgreSQL and Neo4j servers
	$(TEST_ENV) internal/neo4jtest/neo4j-server.sh run $(GO) test $(GOFLAGS_T) ./...

test-deps: ## Java + Maven for the Neo4j test server (PostgreSQL comes from pgbin's cache)
	.ci/ensure-java

test-matrix: ## the conformance subset on each of MATRIX_MAJORS (13 to 18), server binaries downloaded once per major
	@set -e; for m in $(MATRIX_MAJORS); do \
	  echo "== PostgreSQL $$m"; start=$$(date +%s); \
	  $(TEST_ENV) DRIFT_TEST_PG_MAJOR=$$m $(GO) test $(GOFLAGS_T) -run '$(MATRIX_RUN)' $(MATRIX_PKGS); \
	  echo "== PostgreSQL $$m: $$(( $$(date +%s) - start ))s"; \
	done

vet:
	$(GO) vet ./...

// Package engine is the contract between drift's one orchestration (internal/check) and a
// database engine. An engine reads a live database, builds the schema a migration set
// describes, and knows the rules its objects are compared by; the orchestration never names an
// engine. PostgreSQL (internal/postgres, with TimescaleDB as an extension module) and Neo4j
// (internal/neo4j) implement it, and the conformance suite in enginetest holds them to the same
// cases on their real servers.
package engine

import (
	"context"
	"log/slog"
	"time"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/snapshot"
)

// Engine is one database engine.
type Engine interface {
	// Name is the engine's name in configs, snapshots and findings: "postgres", "neo4j".
	Name() string
	// Language is the language of the migration files this engine builds from
	// (migrations.LanguageSQL, migrations.LanguageCypher).
	Language() string
	// Accepts reports whether source is a connection string of this engine (a live source).
	Accepts(source string) bool
	// Rules are the engine's comparison rules.
	Rules() diff.Rules
	// Kinds are the object kinds this engine's snapshots hold; a snapshot file with another
	// kind was not written by this engine and is refused.
	Kinds() []string
	// Introspect reads the schema of the live database at dsn. Its errors never carry the
	// connection string's password.
	Introspect(ctx context.Context, dsn string, o Options) (*Live, error)
	// Expected builds the schema the migration set describes. live is the database it will be
	// compared with, or nil when there is none: its server version, the migrations its
	// tracking table says are applied, and its roles decide what is built and how.
	Expected(ctx context.Context, set *migrations.Set, live *Live, o Options) (*Expected, error)
}

// Options are what one comparison asks of an engine.
type Options struct {
	// Target names the database, for logs and health findings' fingerprints.
	Target string
	// Schemas limits PostgreSQL introspection to these schemas; empty means all.
	Schemas []string
	// Tracking names a custom migration tracking table; zero finds the tools' own tables.
	Tracking migrations.TrackingOptions
	// ReplaySettings are run-time parameters set for every replayed migration, as the
	// project's runner sets them (PostgreSQL: search_path, ...); engines without such
	// parameters ignore them.
	ReplaySettings map[string]string
	// ReplayPrelude are statements run before the first replayed migration, for what the
	// project's setup creates outside its migrations; an engine that cannot run them says so.
	ReplayPrelude []string
	// Placeholders are the values of the placeholders the set's tool replaces in migrations
	// before running them (Flyway's ${name}); an engine whose migrations have none ignores them.
	Placeholders map[string]string
	// ComparePartitions compares every partition as a table of its own; by default partitions
	// made at run time are not compared, only whether they conform to their parent.
	ComparePartitions bool
	// Logger receives progress and what was skipped; nil discards it.
	Logger *slog.Logger
}

// Log returns the logger, never nil.
func (o Options) Log() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// Live is a live database as read by Introspect.
type Live struct {
	// DSN is where it was read from. It may hold a password: never print it.
	DSN string
	// Snapshot is its schema.
	Snapshot *snapshot.Snapshot
	// Health are findings about the state of objects rather than their definitions (an index
	// that is not ONLINE): reported beside the drift, never compared.
	Health []diff.Finding
}

// Expected is the schema a migration set describes, at the version the live database applied.
type Expected struct {
	Snapshot *snapshot.Snapshot
	// Pending are migrations of the set the live database has not applied: not drift.
	Pending []migrations.Migration
	// Findings are problems of the migration state itself: dirty, failed, changed since applied.
	Findings []diff.Finding
	// Warnings weaken the comparison without being drift (a shadow of another major version).
	Warnings []string
}

// Sweeper is an engine whose shadow databases a crashed run can leave behind, and which can
// find and drop them: only those it marked as its own, older than olderThan. It returns the
// names it dropped.
type Sweeper interface {
	SweepShadowOrphans(ctx context.Context, olderThan time.Duration) ([]string, error)
}

// Package check is the one orchestration shared by `drift check`, `drift diff`, `drift snapshot`
// and the daemon: get the expected schema, get the actual schema, compare them with the engine's
// rules (Runner.Check). Either side is a Source: a live database, a migration set (replayed by
// the engine), or a snapshot file. Engines come in through internal/engine; this package names
// none of them.
package check

import (
	"time"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/redact"
	"github.com/drift-schema/drift/internal/snapshot"
)

// Status is the outcome of checking one target.
type Status string

// Statuses, as they appear in JSON output and the run history.
const (
	StatusClean   Status = "clean"   // nothing at or above the reporting threshold
	StatusDrift   Status = "drift"   // findings
	StatusPending Status = "pending" // no drift, but migrations not yet applied
	StatusError   Status = "error"   // the check could not be done
)

// Expected-schema modes of a target.
const (
	ExpectSnapshot   = "snapshot"
	ExpectMigrations = "migrations"
)

// Target is one database to check. cmd/drift builds it from the config file; nothing below cmd/
// sees the config itself.
type Target struct {
	Name   string
	Engine string // an engine's Name: "postgres", "neo4j"
	// DSN is the live database's connection string (postgres:// or neo4j:// / bolt://). It holds
	// a password: never log it, never put it in an error.
	DSN string
	// Expected is ExpectSnapshot or ExpectMigrations.
	Expected      string
	SnapshotPath  string // snapshots/<name>.json when Expected is ExpectSnapshot
	MigrationsDir string // absolute path when Expected is ExpectMigrations
	// Migrations is the migration folder as the config writes it, for messages ("" when the
	// target has none).
	Migrations  string
	Schemas     []string
	ColumnOrder bool
	// TrackingTable and TrackingColumn name a custom migration tracking table; empty finds
	// golang-migrate's schema_migrations and Flyway's flyway_schema_history by themselves.
	TrackingTable  string
	TrackingColumn string
	// ReplaySettings are set for every replayed migration (a target's replay_settings).
	ReplaySettings map[string]string
	// ReplayPrelude runs before the first replayed migration (a target's replay_prelude).
	ReplayPrelude []string
	// Placeholders are the values of the migrations' Flyway placeholders (a target's
	// placeholders).
	Placeholders map[string]string
	Ignore       []diff.IgnoreRule
	Severities   []diff.SeverityRule
	Timeout      time.Duration

	// ComparePartitions compares every partition as a table (partitions: all).
	ComparePartitions bool
	// WholeSnapshots reads a snapshot file side whole (see Options.WholeSnapshots): set it when
	// the fix will be asked for.
	WholeSnapshots bool
	// Fix asks for each finding's fix (see Options.Fix); FixOptional lets the check go on
	// without it (see Options.FixOptional).
	Fix         FixMode
	FixOptional bool
}

// Sources returns the target's expected and actual sides.
func (t Target) Sources() (expected, actual Source) {
	actual = Source{Kind: SourceLive, Engine: t.Engine, DSN: t.DSN}
	if t.Expected == ExpectMigrations {
		return Source{Kind: SourceMigrations, Engine: t.Engine, Path: t.MigrationsDir}, actual
	}
	return Source{Kind: SourceSnapshot, Engine: t.Engine, Path: t.SnapshotPath}, actual
}

// Options returns the target's comparison options.
func (t Target) Options() Options {
	return Options{
		Name:         t.Name,
		Schemas:      t.Schemas,
		ColumnOrder:  t.ColumnOrder,
		Tracking:     migrations.TrackingOptions{Table: t.TrackingTable, Column: t.TrackingColumn},
		Replay:       t.ReplaySettings,
		Prelude:      t.ReplayPrelude,
		Placeholders: t.Placeholders,
		Partitions:   t.ComparePartitions,
		Ignore:       t.Ignore,
		Severities:   t.Severities,
		Timeout:      t.Timeout,
		// Fix SQL is written from whole schemas: a snapshot file side is then read whole.
		WholeSnapshots: t.WholeSnapshots,
		Fix:            t.Fix,
		FixOptional:    t.FixOptional,
	}
}

// Options tune one comparison.
type Options struct {
	// Name names the comparison (the target) in results, logs and fingerprints.
	Name        string
	Schemas     []string
	ColumnOrder bool
	Tracking    migrations.TrackingOptions
	Replay      map[string]string // set for every replayed migration (replay_settings)
	Prelude     []string          // run before the first replayed migration (replay_prelude)
	// Placeholders are the values of the migrations' Flyway placeholders (placeholders).
	Placeholders map[string]string
	Partitions   bool // compare every partition as a table (partitions: all)
	Ignore       []diff.IgnoreRule
	Severities   []diff.SeverityRule
	// Timeout bounds the whole comparison; zero: none beyond the context's.
	Timeout time.Duration
	// WholeSnapshots reads a snapshot file side whole, so that Result.Expected/Actual hold its
	// objects (fix SQL needs them). Otherwise it is read as a stream, object by object, and the
	// result holds its envelope alone: a large file is never in memory whole.
	WholeSnapshots bool
	// Fix asks for the statements that resolve the findings (see Runner.AttachFix); empty
	// asks for none.
	Fix FixMode
	// FixOptional keeps the findings when their fix cannot be written (Result.FixError says
	// why) instead of failing the check: the daemon alerts with or without it.
	FixOptional bool
	// FixForMigration writes the fix for a migration file rather than for running by hand.
	FixForMigration bool
}

// SourceKind says what a Source is.
type SourceKind string

// Source kinds.
const (
	SourceLive       SourceKind = "live"       // a live database
	SourceMigrations SourceKind = "migrations" // a migration directory, built by the engine
	SourceSnapshot   SourceKind = "snapshot"   // a snapshot file written by drift snapshot
)

// Source is one side of a comparison.
type Source struct {
	Kind SourceKind
	// Engine is the engine's name. A live source's is required; a migration directory's is
	// taken from the other side or from its files' language when empty; a snapshot file
	// records its own.
	Engine string
	// DSN is a live source's connection string. It holds a password: never print it.
	DSN string
	// Path is a migration directory or a snapshot file.
	Path string
}

// String describes the source for messages, never with its connection string.
func (s Source) String() string {
	switch s.Kind {
	case SourceLive:
		return "the live " + s.Engine + " database"
	case SourceMigrations:
		return "the migrations in " + s.Path
	}
	return "the snapshot " + s.Path
}

// Migration is a migration file not yet applied to the live database.
type Migration struct {
	Version string `json:"version"`
	File    string `json:"file"`
}

// Result is what checking one target found. Its JSON form is the per-target element of
// `drift check --format json`.
type Result struct {
	Name     string         `json:"name"`
	Engine   string         `json:"engine"`
	Status   Status         `json:"status"`
	Error    string         `json:"error"` // always present, empty unless Status is error
	Findings []diff.Finding `json:"findings"`
	// Pending lists migrations the live database has not applied yet: reported, not drift.
	Pending []Migration `json:"pending,omitempty"`
	// Warnings are conditions that weaken the comparison without being drift, such as a shadow
	// server of another PostgreSQL major version than the live one.
	Warnings []string `json:"warnings,omitempty"`
	// Ignored are the fingerprints of drift that is present but silenced by an ignore rule: the
	// daemon closes such alerts quietly instead of announcing them as resolved.
	Ignored []string `json:"-"`
	// StaleIgnores lists ignore rules past their expiry date.
	StaleIgnores []string      `json:"stale_ignores,omitempty"`
	Started      time.Time     `json:"-"`
	Duration     time.Duration `json:"-"`
	// Expected and Actual are the two schemas compared; the daemon keeps a live Actual in its
	// snapshot history. A snapshot file side holds its envelope alone unless
	// Options.WholeSnapshots.
	Expected *snapshot.Snapshot `json:"-"`
	Actual   *snapshot.Snapshot `json:"-"`
	// Fix holds the statements resolving the findings, when Options.Fix asked for them.
	Fix *Fix `json:"fix,omitempty"`
	// FixError says why no fix was written, when Options.FixOptional let the check go on.
	FixError string `json:"fix_error,omitempty"`

	sources     [2]SourceKind    // what the expected and actual sides were read from
	streamed    [2]bool          // a side read as a stream: its snapshot is an envelope alone
	columnOrder bool             // whether column positions were compared
	red         *redact.Redactor // the secrets of this comparison
}

// redactor returns the redactor of the comparison, never nil.
func (r *Result) redactor() *redact.Redactor {
	if r.red == nil {
		return redact.New()
	}
	return r.red
}

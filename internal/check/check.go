// Package check is the one orchestration shared by `drift check`, `drift diff` and the daemon:
// for one target, get the expected schema, get the actual schema, compare them.
package check

import (
	"time"

	"github.com/drift-schema/drift/internal/diff"
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
	Engine string // snapshot.EnginePostgres or snapshot.EngineNeo4j
	// DSN is the live database's connection string (postgres:// or neo4j:// / bolt://). It holds
	// a password: never log it, never put it in an error.
	DSN string
	// Expected is ExpectSnapshot or ExpectMigrations.
	Expected      string
	SnapshotPath  string // snapshots/<name>.json when Expected is ExpectSnapshot
	MigrationsDir string // absolute path when Expected is ExpectMigrations
	Schemas       []string
	ColumnOrder   bool
	// TrackingTable and TrackingColumn name a custom migration tracking table; empty finds
	// golang-migrate's schema_migrations and Flyway's flyway_schema_history by themselves.
	TrackingTable  string
	TrackingColumn string
	Ignore         []diff.IgnoreRule
	Severities     []diff.SeverityRule
	Timeout        time.Duration
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
	// Actual is the live snapshot, kept for the daemon's snapshot history.
	Actual *snapshot.Snapshot `json:"-"`
}

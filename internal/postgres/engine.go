// Package postgres is drift's PostgreSQL engine: it reads a live database (catalog), builds the
// schema a migration set describes by replaying it into a throwaway shadow database (shadow),
// and holds the rules PostgreSQL objects are compared by (Rules).
package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/pgbin"
	"github.com/drift-schema/drift/internal/pgdial"
	"github.com/drift-schema/drift/internal/postgres/catalog"
	"github.com/drift-schema/drift/internal/postgres/shadow"
	"github.com/drift-schema/drift/internal/postgres/timescale"
	"github.com/drift-schema/drift/internal/redact"
	"github.com/drift-schema/drift/internal/snapshot"
)

// Name is the engine's name.
const Name = snapshot.EnginePostgres

// Engine is the PostgreSQL engine. Create it with New.
type Engine struct {
	shadowDSN string
	cache     *shadow.Cache
	binaries  pgbin.Options

	// shadowStarted is the shadow server's start time, read once, to tell when the configured
	// shadow server is in fact a live one.
	shadowStartedOnce sync.Once
	shadowStarted     time.Time
}

var _ engine.Engine = (*Engine)(nil)

// Options configure the engine.
type Options struct {
	// ShadowDSN is a server on which drift may create and drop its shadow databases; empty
	// starts a throwaway local cluster of the live server's major version.
	ShadowDSN string
	// CacheDir keeps expected schemas between runs; empty keeps them for the process only.
	CacheDir string
	// Binaries say where the throwaway shadow cluster's server binaries come from (no
	// ShadowDSN); the zero value finds or downloads those of the live server's major.
	Binaries pgbin.Options
}

// New returns the engine. One engine serves a whole process: every target built from the
// same migrations at the same version shares one replay through its cache.
func New(o Options) *Engine {
	return &Engine{shadowDSN: o.ShadowDSN, cache: shadow.NewCache(o.CacheDir), binaries: o.Binaries}
}

// Name is "postgres".
func (e *Engine) Name() string { return Name }

// Language is SQL.
func (e *Engine) Language() string { return migrations.LanguageSQL }

// Rules are PostgreSQL's comparison rules.
func (e *Engine) Rules() diff.Rules { return Rules{} }

// Kinds are the object kinds of PostgreSQL snapshots.
func (e *Engine) Kinds() []string { return slices.Concat(kinds, newKinds, timescale.Kinds) }

// kinds lists every object kind the catalog package writes.
var kinds = []string{
	"schema", "extension", "table", "column", "constraint", "index", "view", "materialized_view",
	"sequence", "function", "procedure", "trigger", "type", "policy", "privilege", "comment",
}

// Accepts recognises postgres:// and postgresql:// URLs and keyword/value connection strings.
func (e *Engine) Accepts(source string) bool { return IsConnString(source) }

// IsConnString reports whether s reads as a PostgreSQL connection string.
func IsConnString(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") ||
		(strings.Contains(s, "=") && (strings.Contains(s, "host=") || strings.Contains(s, "dbname=")))
}

// Introspect reads the live schema at dsn.
func (e *Engine) Introspect(ctx context.Context, dsn string, o engine.Options) (*engine.Live, error) {
	s, err := catalog.IntrospectDSN(ctx, dsn, introspection(o))
	if err != nil {
		return nil, err
	}
	return &engine.Live{DSN: dsn, Snapshot: s}, nil
}

// introspection are the options both sides of a comparison are read with: its schemas, and
// its custom migration tracking table left out like the well-known ones.
func introspection(o engine.Options) catalog.Options {
	c := catalog.Options{Schemas: o.Schemas, Partitions: o.ComparePartitions}
	if o.Tracking.Table != "" {
		c.ExcludeTables = []string{o.Tracking.Table}
	}
	return c
}

// Expected replays the migration set into a shadow database. With a live database, the set is
// replayed up to the version its tracking table says is applied, as the live owner and with the
// live roles, on a shadow of the live major version; without one, all of it, as the shadow
// server's role.
func (e *Engine) Expected(ctx context.Context, set *migrations.Set, live *engine.Live, o engine.Options) (*engine.Expected, error) {
	log := o.Log()
	out := &engine.Expected{}
	for _, s := range set.Skipped {
		out.Warnings = append(out.Warnings, fmt.Sprintf("subfolder %s holds SQL files that are not read as migrations", s))
	}
	if w := codeWarning(set); w != "" {
		out.Warnings = append(out.Warnings, w)
	}
	if n := len(set.OtherDatabases); n > 0 {
		log.Info("migrations written for other databases are not replayed", "files", n, "first", set.OtherDatabases[0].File)
	}
	settings := replaySettings(o.ReplaySettings)
	if live == nil {
		replay, err := set.WithPlaceholders(placeholders(o, ""))
		if err != nil {
			return nil, err
		}
		s, warnings, err := shadow.Build(ctx, shadow.BuildOptions{
			ShadowDSN:     e.shadowDSN,
			Binaries:      e.binaries,
			Logger:        log,
			Cache:         e.cache,
			Introspection: introspection(o),
			Settings:      settings,
			Prelude:       o.ReplayPrelude,
		}, replay, replay.Migrations)
		if err != nil {
			return nil, redact.Error(err, e.shadowDSN)
		}
		out.Snapshot = s
		out.Warnings = append(out.Warnings, warnings...)
		return out, nil
	}

	facts, err := readLive(ctx, live.DSN, o.Tracking, set)
	if err != nil {
		return nil, err
	}
	if facts.applied.Note != "" {
		out.Warnings = append(out.Warnings, facts.applied.Note)
	}
	// The tracking table is the tool's, not the schema's, whatever its name.
	if facts.applied.Found() {
		*live.Snapshot = *withoutTable(live.Snapshot, facts.applied.Table)
	}
	toReplay, pending, findings := migrations.Plan(set, facts.applied)
	// Placeholders are replaced after the plan: Flyway's checksums are those of the files.
	replay, err := set.WithPlaceholders(placeholders(o, facts.owner))
	if err != nil {
		return nil, err
	}
	toReplay, pending = replay.Same(toReplay), replay.Same(pending)
	opts := shadow.BuildOptions{
		ShadowDSN:     e.shadowDSN,
		Binaries:      e.binaries,
		LiveMajor:     shadow.Major(live.Snapshot.ServerVersionNum),
		Logger:        log,
		Cache:         e.cache,
		Introspection: introspection(o),
		Owner:         facts.owner,
		Roles:         facts.roles,
		Settings:      settings,
		Prelude:       append(slices.Clone(o.ReplayPrelude), trackingPrelude(facts.applied, set.Migrations)...),
	}
	s, warnings, err := shadow.Build(ctx, opts, replay, toReplay)
	if err != nil {
		return nil, redact.Error(err, e.shadowDSN)
	}
	if facts.applied.Found() {
		s = withoutTable(s, facts.applied.Table) // created by the prelude when migrations touch it
	}
	out.Snapshot, out.Pending, out.Findings = s, pending, findings
	out.Warnings = append(out.Warnings, warnings...)
	if len(pending) > 0 {
		f, err := pendingFailure(ctx, opts, replay, toReplay, pending)
		if err != nil {
			return nil, redact.Error(err, e.shadowDSN)
		}
		if f != nil {
			out.Findings = append(out.Findings, *f)
		}
	}
	if e.shadowIsServer(ctx, facts.started) {
		out.Warnings = append(out.Warnings, "the shadow server is this target's live server: migrations are replayed there, "+
			"so any cluster-wide statement in them (CREATE ROLE, ALTER SYSTEM, ALTER DATABASE by name) acts on the live server; "+
			"configure a separate shadow server, or none for a throwaway local one")
	}
	return out, nil
}

// placeholders are the values a replay substitutes: the target's, and Flyway's own user, the
// role the migrations ran as (the live database's owner), when the target does not set it.
func placeholders(o engine.Options, owner string) migrations.Placeholders {
	values := migrations.Placeholders{}
	for k, v := range o.Placeholders {
		values[k] = v
	}
	if _, ok := values[migrations.FlywayUser]; !ok && owner != "" {
		values[migrations.FlywayUser] = owner
	}
	return values
}

// liveFacts is what replaying needs to know of the live database.
type liveFacts struct {
	applied *migrations.Applied // its migration tracking table
	owner   string              // the role owning it: the role the migrations ran as
	roles   []shadow.Role       // the cluster's roles, which the migrations may name
	started time.Time           // when its server started, to recognise that server elsewhere
}

// readLive reads the live database's facts, read-only.
func readLive(ctx context.Context, dsn string, tracking migrations.TrackingOptions, set *migrations.Set) (liveFacts, error) {
	var lv liveFacts
	conn, err := pgdial.Connect(ctx, dsn, "connecting to read the applied migrations")
	if err != nil {
		return lv, redact.Error(err, dsn)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	lv.applied, err = migrations.ReadAppliedFor(ctx, conn, tracking, set)
	if err != nil {
		return lv, redact.Error(fmt.Errorf("reading the applied migrations: %w", err), dsn)
	}
	lv.owner, lv.roles, err = shadow.ReadLiveRoles(ctx, conn)
	if err != nil {
		return lv, redact.Error(err, dsn)
	}
	if err := conn.QueryRow(ctx, "SELECT pg_catalog.pg_postmaster_start_time()").Scan(&lv.started); err != nil {
		return lv, redact.Error(fmt.Errorf("reading the live server's start time: %w", err), dsn)
	}
	return lv, nil
}

// shadowIsServer reports whether the configured shadow server is the server that started at
// started (two servers starting in the same microsecond is not a case worth a false alarm).
// An unreachable shadow server says nothing here; the build reports it.
func (e *Engine) shadowIsServer(ctx context.Context, started time.Time) bool {
	if e.shadowDSN == "" {
		return false
	}
	e.shadowStartedOnce.Do(func() {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		conn, err := pgdial.Connect(ctx, e.shadowDSN, "connecting to the shadow server")
		if err != nil {
			return
		}
		defer conn.Close(context.WithoutCancel(ctx))
		_ = conn.QueryRow(ctx, "SELECT pg_catalog.pg_postmaster_start_time()").Scan(&e.shadowStarted)
	})
	return !e.shadowStarted.IsZero() && e.shadowStarted.Equal(started)
}

// SweepShadowOrphans drops shadow databases left on the configured shadow server by a crashed
// run (only marked ones, older than olderThan), and returns their names.
func (e *Engine) SweepShadowOrphans(ctx context.Context, olderThan time.Duration) ([]string, error) {
	if e.shadowDSN == "" {
		return nil, nil
	}
	conn, err := pgdial.Connect(ctx, e.shadowDSN, "connecting to the shadow server to sweep orphaned shadow databases")
	if err != nil {
		return nil, redact.Error(err, e.shadowDSN)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return shadow.SweepOrphans(ctx, conn, olderThan)
}

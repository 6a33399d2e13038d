package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/config"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/postgres"
	"github.com/drift-schema/drift/internal/shadow"
	"github.com/drift-schema/drift/internal/snapshot"
)

// wiring builds drift's dependencies from the config, explicitly, in one place.
type wiring struct {
	cfg       *config.Config
	shadowDSN string
	log       *slog.Logger
	pgMig     *pgMigrations
	neoMig    *neo4jMigrations
}

func newWiring(cfg *config.Config, shadowDSN string, log *slog.Logger) *wiring {
	if shadowDSN == "" && cfg != nil {
		shadowDSN = cfg.Shadow.PostgresDSN.Value()
	}
	if shadowDSN == "" {
		shadowDSN = os.Getenv("DRIFT_SHADOW_DSN")
	}
	cacheDir := ""
	if cfg != nil {
		cacheDir = cfg.Resolve(cfg.Shadow.CacheDir)
	}
	// One cache per process: every target built from the same migrations at the same version
	// shares one replay.
	pgMig := &pgMigrations{shadowDSN: shadowDSN, cache: shadow.NewCache(cacheDir), log: log}
	scratch := ""
	if cfg != nil {
		scratch = cfg.Shadow.Neo4jURI.Value()
	}
	return &wiring{cfg: cfg, shadowDSN: shadowDSN, log: log, pgMig: pgMig, neoMig: &neo4jMigrations{scratchURI: scratch, log: log}}
}

// Runner returns the check runner with every engine wired in.
func (w *wiring) Runner() *check.Runner {
	return &check.Runner{
		Logger: w.log,
		Engines: map[string]check.Engine{
			snapshot.EnginePostgres: {Live: pgLive{}, Migrations: w.pgMig},
			snapshot.EngineNeo4j:    {Live: neo4jLive{}, Migrations: w.neoMig},
		},
	}
}

// buildFromMigrations builds the schema a whole migration directory describes. An empty engine
// is taken from the directory's language (.sql: PostgreSQL, .cypher: Neo4j).
func (w *wiring) buildFromMigrations(ctx context.Context, engine, dir string, schemas []string) (*snapshot.Snapshot, []string, error) {
	set, err := migrations.LoadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	if engine == "" {
		engine = snapshot.EnginePostgres
		if set.Language == migrations.LanguageCypher {
			engine = snapshot.EngineNeo4j
		}
	}
	switch {
	case engine == snapshot.EnginePostgres && set.Language == migrations.LanguageSQL:
		return w.pgMig.buildSet(ctx, set, schemas)
	case engine == snapshot.EngineNeo4j && set.Language == migrations.LanguageCypher:
		s, err := w.neoMig.buildSet(ctx, "", set, 0)
		return s, nil, err
	}
	return nil, nil, fmt.Errorf("%s holds %s migrations, which a %s target cannot use", dir, set.Language, engine)
}

// pgLive reads a live PostgreSQL schema.
type pgLive struct{}

func (pgLive) Live(ctx context.Context, t check.Target) (*snapshot.Snapshot, []diff.Finding, error) {
	s, err := postgres.IntrospectDSN(ctx, t.DSN, introspectionOptions(t))
	return s, nil, err
}

// introspectionOptions are the options both sides of a target are read with: its schemas, and
// its custom migration tracking table left out like the well-known ones.
func introspectionOptions(t check.Target) postgres.Options {
	o := postgres.Options{Schemas: t.Schemas}
	if t.TrackingTable != "" {
		o.ExcludeTables = []string{t.TrackingTable}
	}
	return o
}

// buildTargets turns config targets into the option structs the runner takes.
func buildTargets(cfg *config.Config, targets []config.Target) []check.Target {
	out := make([]check.Target, 0, len(targets))
	for _, t := range targets {
		ct := check.Target{
			Name:           t.Name,
			Engine:         t.Engine,
			DSN:            t.DSN.Value(),
			Expected:       t.Expected,
			SnapshotPath:   cfg.SnapshotPath(t),
			MigrationsDir:  cfg.Resolve(t.Migrations),
			Schemas:        t.Schemas,
			ColumnOrder:    t.ColumnOrder,
			TrackingTable:  t.Tracking.Table,
			TrackingColumn: t.Tracking.Column,
			Timeout:        time.Duration(t.Timeout),
		}
		// Target rules come first so that a target can narrow a global rule.
		ct.Ignore = append(ignoreRules(t.Ignore), ignoreRules(cfg.Ignore)...)
		ct.Severities = append(severityRules(t.Severity), severityRules(cfg.Severity)...)
		out = append(out, ct)
	}
	return out
}

func ignoreRules(in []config.Ignore) []diff.IgnoreRule {
	var out []diff.IgnoreRule
	for _, r := range in {
		out = append(out, diff.IgnoreRule{Kind: r.Kind, Object: r.Object, Reason: r.Reason, Expires: r.Expires.Time})
	}
	return out
}

func severityRules(in []config.Severity) []diff.SeverityRule {
	var out []diff.SeverityRule
	for _, r := range in {
		out = append(out, diff.SeverityRule{Kind: r.Kind, Object: r.Object, Change: diff.Change(r.Change), Severity: diff.Severity(r.Severity)})
	}
	return out
}

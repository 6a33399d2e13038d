package main

import (
	"os"
	"slices"
	"time"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/config"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/neo4j"
	"github.com/drift-schema/drift/internal/pgbin"
	"github.com/drift-schema/drift/internal/postgres"
	"github.com/drift-schema/drift/internal/redact"
)

// envPGBinariesURL names a Maven repository (a mirror) to download PostgreSQL server binaries
// from instead of Maven Central.
const envPGBinariesURL = "DRIFT_PG_BINARIES_URL"

// wiring builds drift's dependencies from the config, explicitly, in one place.
type wiring struct {
	shadowDSN string
	postgres  *postgres.Engine
	runner    *check.Runner
	redactor  *redact.Redactor
}

// newWiring wires the engines and the runner. cfg may be nil (drift diff and snapshot --from
// need no config file). The shadow server is the flag, else the config, else $DRIFT_SHADOW_DSN.
// Every secret involved is registered with g's redactor, which the runner and the logger share.
func newWiring(g *globals, cfg *config.Config, shadowDSN string) *wiring {
	if shadowDSN == "" && cfg != nil {
		shadowDSN = cfg.Shadow.PostgresDSN.Value()
	}
	if shadowDSN == "" {
		shadowDSN = os.Getenv("DRIFT_SHADOW_DSN")
	}
	g.secure(cfg, shadowDSN)
	cacheDir, scratch := "", ""
	bins := pgbin.Options{BinDir: g.postgresBinDir, BaseURL: os.Getenv(envPGBinariesURL)}
	if cfg != nil {
		cacheDir = cfg.Resolve(cfg.Shadow.CacheDir)
		scratch = cfg.Shadow.Neo4jURI.Value()
		if bins.BinDir == "" && cfg.Shadow.PostgresBinDir != "" {
			bins.BinDir = cfg.Resolve(cfg.Shadow.PostgresBinDir)
		}
	}
	pg := postgres.New(postgres.Options{ShadowDSN: shadowDSN, CacheDir: cacheDir, Binaries: bins})
	runner := check.NewRunner(check.RunnerOptions{
		Engines:  []engine.Engine{pg, neo4j.New(neo4j.EngineOptions{ScratchURI: scratch})},
		Logger:   g.logger(),
		Redactor: g.redactor,
	})
	return &wiring{shadowDSN: shadowDSN, postgres: pg, runner: runner, redactor: g.redactor}
}

// secretsOf lists every secret of the config, so that nothing prints them.
func secretsOf(cfg *config.Config) []string {
	s := []string{cfg.Store.DSN.Value(), cfg.Shadow.PostgresDSN.Value(), cfg.Slack.Token.Value(), cfg.Slack.WebhookURL.Value(), cfg.Shadow.Neo4jURI.Value()}
	for _, t := range cfg.Targets {
		s = append(s, t.DSN.Value(), t.URI.Value())
	}
	return s
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
			ReplaySettings: t.ReplaySettings,
			Timeout:        time.Duration(t.Timeout),
		}
		ct.ComparePartitions = t.Partitions == config.PartitionsAll
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

// requireEnv refuses a config whose settings the command uses hold an unset ${VAR}: sections
// always, and the shadow when one of targets is built from migrations and no shadow server was
// found (an unset variable there would silently mean "a throwaway local cluster").
func requireEnv(cfg *config.Config, targets []config.Target, shadowDSN string, sections ...string) error {
	if shadowDSN == "" && slices.ContainsFunc(targets, func(t config.Target) bool { return t.Expected == check.ExpectMigrations }) {
		sections = append(sections, "shadow")
	}
	// The error names the file and each setting: nothing to add.
	return cfg.RequireEnv(sections...)
}

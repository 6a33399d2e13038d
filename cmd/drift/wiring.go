package main

import (
	"os"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/config"
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
	return &wiring{shadowDSN: shadowDSN, runner: runner, redactor: g.redactor}
}

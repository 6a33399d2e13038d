package neo4j

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/snapshot"
)

// Name is the engine's name.
const Name = snapshot.EngineNeo4j

// Engine is the Neo4j engine: it reads indexes and constraints, and builds the expected ones
// from `.cypher` migrations, parsed statically or replayed into a scratch instance.
type Engine struct {
	scratchURI string
	// replaying serializes replays: they share the one scratch instance, and each one starts
	// by requiring it empty and ends by emptying it.
	replaying sync.Mutex
}

var _ engine.Engine = (*Engine)(nil)

// EngineOptions configure the engine.
type EngineOptions struct {
	// ScratchURI is an empty Neo4j the migrations are replayed into; empty parses them.
	ScratchURI string
}

// New returns the engine.
func New(o EngineOptions) *Engine { return &Engine{scratchURI: o.ScratchURI} }

// Name is "neo4j".
func (e *Engine) Name() string { return Name }

// Language is Cypher.
func (e *Engine) Language() string { return migrations.LanguageCypher }

// Rules are Neo4j's comparison rules.
func (e *Engine) Rules() diff.Rules { return Rules{} }

// Kinds are indexes and constraints.
func (e *Engine) Kinds() []string { return []string{KindIndex, KindConstraint} }

// Accepts recognises neo4j:// and bolt:// URIs, with their +s and +ssc variants.
func (e *Engine) Accepts(source string) bool { return IsURI(source) }

// IsURI reports whether s reads as a Neo4j connection URI.
func IsURI(s string) bool {
	for _, scheme := range []string{"neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://"} {
		if strings.HasPrefix(s, scheme) {
			return true
		}
	}
	return false
}

// Introspect reads the live schema; indexes that are not ONLINE come back as health findings.
func (e *Engine) Introspect(ctx context.Context, uri string, o engine.Options) (*engine.Live, error) {
	s, health, err := IntrospectURI(ctx, uri, Options{Target: o.Target, Logger: o.Logger})
	if err != nil {
		return nil, err
	}
	return &engine.Live{DSN: uri, Snapshot: s, Health: health}, nil
}

// Expected parses (or replays into the scratch instance) every migration of the set. A live
// server's version decides what a plain CREATE INDEX made (BTREE before 5.0, RANGE after).
func (e *Engine) Expected(ctx context.Context, set *migrations.Set, live *engine.Live, o engine.Options) (*engine.Expected, error) {
	files := make([]File, 0, len(set.Migrations))
	for _, mig := range set.Migrations {
		files = append(files, File{Name: mig.File, Content: mig.Content})
	}
	var s *snapshot.Snapshot
	if e.scratchURI != "" {
		var err error
		e.replaying.Lock()
		s, err = Replay(ctx, e.scratchURI, files, ReplayOptions{Logger: o.Logger})
		e.replaying.Unlock()
		if err != nil {
			return nil, fmt.Errorf("replaying into the scratch Neo4j: %w", err)
		}
	} else {
		versionNum := 0
		if live != nil {
			versionNum = live.Snapshot.ServerVersionNum
		}
		exp, err := Parse(files, ParseOptions{ServerVersionNum: versionNum})
		if err != nil {
			return nil, err
		}
		for _, sk := range exp.Skipped {
			o.Log().Info("skipped a statement that does not change the schema", "target", o.Target, "file", sk.File, "line", sk.Line, "reason", sk.Reason)
		}
		s = exp.Snapshot
	}
	version := ""
	if last, ok := migrations.Last(set.Migrations); ok {
		version = last.Version
	}
	s.Source = snapshot.Source{Kind: snapshot.SourceMigrations, Checksum: set.Checksum, Version: version}
	return &engine.Expected{Snapshot: s}, nil
}

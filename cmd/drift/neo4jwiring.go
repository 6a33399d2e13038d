package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/neo4j"
	"github.com/drift-schema/drift/internal/snapshot"
)

// neo4jLive reads a live Neo4j schema; indexes that are not ONLINE come back as health findings.
type neo4jLive struct{}

func (neo4jLive) Live(ctx context.Context, t check.Target) (*snapshot.Snapshot, []diff.Finding, error) {
	return neo4j.IntrospectURI(ctx, t.DSN, neo4j.Options{Target: t.Name})
}

// neo4jMigrations builds a Neo4j target's expected schema from its .cypher migrations: parsed
// statically, or replayed into a scratch instance when one is configured.
type neo4jMigrations struct {
	scratchURI string
	log        *slog.Logger
	// replaying serializes replays: they share the one scratch instance, and each one starts
	// by requiring it empty and ends by emptying it.
	replaying sync.Mutex
}

func (m *neo4jMigrations) Plan(ctx context.Context, t check.Target, live *snapshot.Snapshot) (*check.Planned, error) {
	set, err := loadSet(t.MigrationsDir, migrations.LanguageCypher)
	if err != nil {
		return nil, err
	}
	s, err := m.buildSet(ctx, t.Name, set, live.ServerVersionNum)
	if err != nil {
		return nil, err
	}
	return &check.Planned{Expected: s}, nil
}

// buildSet parses (or replays) a .cypher migration set. serverVersionNum selects 4.x semantics
// for a plain CREATE INDEX; zero means 5.x or later.
func (m *neo4jMigrations) buildSet(ctx context.Context, target string, set *migrations.Set, serverVersionNum int) (*snapshot.Snapshot, error) {
	files := make([]neo4j.File, 0, len(set.Migrations))
	for _, mig := range set.Migrations {
		files = append(files, neo4j.File{Name: mig.File, Content: mig.Content})
	}
	var s *snapshot.Snapshot
	if m.scratchURI != "" {
		var err error
		m.replaying.Lock()
		s, err = neo4j.Replay(ctx, m.scratchURI, files, neo4j.ReplayOptions{Logger: m.log})
		m.replaying.Unlock()
		if err != nil {
			return nil, fmt.Errorf("replaying into the scratch Neo4j: %w", err)
		}
	} else {
		exp, err := neo4j.Parse(files, neo4j.ParseOptions{ServerVersionNum: serverVersionNum})
		if err != nil {
			return nil, err
		}
		for _, sk := range exp.Skipped {
			m.log.Info("skipped a statement that does not change the schema", "target", target, "file", sk.File, "line", sk.Line, "reason", sk.Reason)
		}
		s = exp.Snapshot
	}
	s.Source = snapshot.Source{Kind: snapshot.SourceMigrations, Checksum: set.Checksum, Version: lastVersion(set)}
	return s, nil
}

func lastVersion(set *migrations.Set) string {
	if n := len(set.Migrations); n > 0 {
		return set.Migrations[n-1].Version
	}
	return ""
}

package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/postgres"
	"github.com/drift-schema/drift/internal/redact"
	"github.com/drift-schema/drift/internal/shadow"
	"github.com/drift-schema/drift/internal/snapshot"
)

// pgMigrations builds a PostgreSQL target's expected schema from its migration directory, at the
// version the live database has applied.
type pgMigrations struct {
	shadowDSN string
	cache     *shadow.Cache
	log       *slog.Logger

	// shadowStarted is the shadow server's start time, read once, to tell when the configured
	// shadow server is in fact a live one.
	shadowStartedOnce sync.Once
	shadowStarted     time.Time
}

func (m *pgMigrations) Plan(ctx context.Context, t check.Target, live *snapshot.Snapshot) (*check.Planned, error) {
	set, err := loadSet(t.MigrationsDir, migrations.LanguageSQL)
	if err != nil {
		return nil, err
	}
	lv, err := readLive(ctx, t)
	if err != nil {
		return nil, err
	}
	applied, owner, roles := lv.applied, lv.owner, lv.roles
	toReplay, pending, findings := migrations.Plan(set, applied)
	exp, warnings, err := shadow.Build(ctx, shadow.BuildOptions{
		ShadowDSN:     m.shadowDSN,
		LiveMajor:     shadow.Major(live.ServerVersionNum),
		Logger:        m.log.With("target", t.Name),
		Cache:         m.cache,
		Introspection: introspectionOptions(t),
		Owner:         owner,
		Roles:         roles,
	}, set, toReplay)
	if err != nil {
		return nil, redact.Error(err, m.shadowDSN)
	}
	plan := &check.Planned{Expected: exp, Findings: findings, Warnings: warnings}
	if m.shadowIsServer(ctx, lv.started) {
		plan.Warnings = append(plan.Warnings, "the shadow server is this target's live server: migrations are replayed there, "+
			"so any cluster-wide statement in them (CREATE ROLE, ALTER SYSTEM, ALTER DATABASE by name) acts on the live server; "+
			"configure a separate shadow server, or none for a throwaway local one")
	}
	for _, p := range pending {
		plan.Pending = append(plan.Pending, check.Migration{Version: p.Version, File: p.File})
	}
	for _, s := range set.Skipped {
		plan.Warnings = append(plan.Warnings, fmt.Sprintf("subfolder %s holds SQL files that are not read as migrations", s))
	}
	return plan, nil
}

// loadSet loads a migration directory and checks that it is in the engine's language.
func loadSet(dir, language string) (*migrations.Set, error) {
	set, err := migrations.LoadDir(dir)
	if err != nil {
		return nil, err
	}
	if set.Language != language {
		return nil, fmt.Errorf("%s holds %s migrations, not %s", dir, set.Language, language)
	}
	return set, nil
}

// liveFacts is what replaying needs to know of the live database.
type liveFacts struct {
	applied *migrations.Applied // its migration tracking table
	owner   string              // the role owning it: the role the migrations ran as
	roles   []shadow.Role       // the cluster's roles, which the migrations may name
	started time.Time           // when its server started, to recognise that server elsewhere
}

// readLive reads the live database's facts, read-only.
func readLive(ctx context.Context, t check.Target) (liveFacts, error) {
	var lv liveFacts
	conn, err := pgx.Connect(ctx, t.DSN)
	if err != nil {
		return lv, redact.Error(fmt.Errorf("connecting to read the applied migrations: %w", err), t.DSN)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	lv.applied, err = migrations.ReadApplied(ctx, conn, migrations.TrackingOptions{Table: t.TrackingTable, Column: t.TrackingColumn})
	if err != nil {
		return lv, redact.Error(fmt.Errorf("reading the applied migrations: %w", err), t.DSN)
	}
	lv.owner, lv.roles, err = shadow.ReadLiveRoles(ctx, conn)
	if err != nil {
		return lv, redact.Error(err, t.DSN)
	}
	if err := conn.QueryRow(ctx, "SELECT pg_catalog.pg_postmaster_start_time()").Scan(&lv.started); err != nil {
		return lv, redact.Error(fmt.Errorf("reading the live server's start time: %w", err), t.DSN)
	}
	return lv, nil
}

// shadowIsServer reports whether the configured shadow server is the server that started at
// started (two servers starting in the same microsecond is not a case worth a false alarm).
// An unreachable shadow server says nothing here; the build reports it.
func (m *pgMigrations) shadowIsServer(ctx context.Context, started time.Time) bool {
	if m.shadowDSN == "" {
		return false
	}
	m.shadowStartedOnce.Do(func() {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, m.shadowDSN)
		if err != nil {
			return
		}
		defer conn.Close(context.WithoutCancel(ctx))
		_ = conn.QueryRow(ctx, "SELECT pg_catalog.pg_postmaster_start_time()").Scan(&m.shadowStarted)
	})
	return !m.shadowStarted.IsZero() && m.shadowStarted.Equal(started)
}

// buildSet replays a whole migration set (a SOURCE given as a directory, or `drift snapshot`
// of a target) with no live database to compare versions with, so no owner or roles are known:
// the migrations are replayed as the shadow server's role.
func (m *pgMigrations) buildSet(ctx context.Context, set *migrations.Set, schemas []string) (*snapshot.Snapshot, []string, error) {
	s, warnings, err := shadow.Build(ctx, shadow.BuildOptions{
		ShadowDSN:     m.shadowDSN,
		Logger:        m.log,
		Cache:         m.cache,
		Introspection: postgres.Options{Schemas: schemas},
	}, set, set.Migrations)
	return s, warnings, redact.Error(err, m.shadowDSN)
}

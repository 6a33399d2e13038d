package main

import (
	"context"
	"fmt"
	"log/slog"

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
}

func (m *pgMigrations) Plan(ctx context.Context, t check.Target, live *snapshot.Snapshot) (*check.Planned, error) {
	set, err := loadSet(t.MigrationsDir, migrations.LanguageSQL)
	if err != nil {
		return nil, err
	}
	applied, owner, roles, err := readLive(ctx, t)
	if err != nil {
		return nil, err
	}
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

// readLive reads, read-only, what replaying needs to know of the live database: its migration
// tracking table, the role owning it (the role the migrations ran as) and the cluster's roles,
// which the migrations may name.
func readLive(ctx context.Context, t check.Target) (_ *migrations.Applied, owner string, roles []shadow.Role, err error) {
	conn, err := pgx.Connect(ctx, t.DSN)
	if err != nil {
		return nil, "", nil, redact.Error(fmt.Errorf("connecting to read the applied migrations: %w", err), t.DSN)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	applied, err := migrations.ReadApplied(ctx, conn, migrations.TrackingOptions{Table: t.TrackingTable, Column: t.TrackingColumn})
	if err != nil {
		return nil, "", nil, redact.Error(fmt.Errorf("reading the applied migrations: %w", err), t.DSN)
	}
	owner, roles, err = shadow.ReadLiveRoles(ctx, conn)
	if err != nil {
		return nil, "", nil, redact.Error(err, t.DSN)
	}
	return applied, owner, roles, nil
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

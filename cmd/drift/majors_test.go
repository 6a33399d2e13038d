package main

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgtest"
)

// TestCheckFromMigrationsWithoutAShadowServer is issue 11 end to end: a live database of the
// tests' major (DRIFT_TEST_PG_MAJOR: `make test-matrix` runs it on 13 to 18), a migrations
// folder, no shadow DSN. The shadow is a throwaway cluster of the live major, from a local
// install or from binaries downloaded into the cache; it is clean, and drift is found.
func TestCheckFromMigrationsWithoutAShadowServer(t *testing.T) {
	live := pgtest.NewDB(t)
	migrateLive(t, live, len(migrationFiles), false)
	cfg := migrationsConfig(t, live, migrationsDir(t))
	t.Setenv("DRIFT_SHADOW_DSN", "")

	code, out, stderr := drift(t, "check", "--config", cfg, "--format", "json", "--log-level", "info")
	require.Equal(t, 0, code, "%s\n%s", out, stderr)
	require.Contains(t, stderr, fmt.Sprintf("major=%d", pgtest.ServerMajor(t)), "the shadow runs the live major")
	require.NotContains(t, out, "the shadow server runs PostgreSQL", "no warning about another major")

	pgtest.Exec(t, live, "ALTER TABLE users ADD COLUMN hotfix text")
	code, out, stderr = drift(t, "check", "--config", cfg, "--format", "json")
	require.Equal(t, 1, code, "%s\n%s", out, stderr)
	var rep jsonReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Len(t, rep.Targets, 1)
	require.NotEmpty(t, rep.Targets[0].Findings)
	require.Equal(t, "public.users.hotfix", rep.Targets[0].Findings[0].Object)
}

// TestPostgresBinDirFlag: --postgres-bin-dir is the only place looked at; a wrong one fails the
// check (exit 2), naming the setting, and is never taken for drift.
func TestPostgresBinDirFlag(t *testing.T) {
	live := pgtest.NewDB(t)
	migrateLive(t, live, len(migrationFiles), false)
	cfg := migrationsConfig(t, live, migrationsDir(t))
	t.Setenv("DRIFT_SHADOW_DSN", "")

	code, out, stderr := drift(t, "check", "--config", cfg, "--postgres-bin-dir", pgtest.Binaries(t).Dir)
	require.Equal(t, 0, code, "%s\n%s", out, stderr)
	code, out, stderr = drift(t, "check", "--config", cfg, "--postgres-bin-dir", t.TempDir())
	require.Equal(t, 2, code, "%s\n%s", out, stderr)
	require.Contains(t, out+stderr, "shadow.postgres_bin_dir")
}

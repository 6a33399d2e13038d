package check_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/snapshot"
)

func TestReadExpected(t *testing.T) {
	got, err := check.Target{Name: "app", Engine: "postgres", Expected: check.ExpectMigrations, MigrationsDir: migrationsDir(t)}.ReadExpected()
	require.NoError(t, err)
	require.Equal(t, "1 sql migration, golang-migrate convention", got)
	_, err = check.Target{Name: "app", Engine: "postgres", Expected: check.ExpectMigrations, MigrationsDir: filepath.Join(t.TempDir(), "none")}.ReadExpected()
	require.ErrorContains(t, err, "migrations: ")

	file := filepath.Join(t.TempDir(), "app.json")
	require.NoError(t, snapshot.WriteFile(file, pgSnap(150018, snapshot.Object{Kind: "schema", Key: snapshot.Named("public")})))
	got, err = check.Target{Name: "app", Engine: "postgres", Expected: check.ExpectSnapshot, SnapshotPath: file}.ReadExpected()
	require.NoError(t, err)
	require.Equal(t, "snapshot "+file+", 1 objects", got)
	_, err = check.Target{Name: "graph", Engine: "neo4j", Expected: check.ExpectSnapshot, SnapshotPath: file}.ReadExpected()
	require.EqualError(t, err, "expected snapshot "+file+" is of a postgres schema, the target is neo4j")
	_, err = check.Target{Name: "app", Engine: "postgres", Expected: check.ExpectSnapshot, SnapshotPath: file + ".missing"}.ReadExpected()
	require.ErrorContains(t, err, "(write it with drift snapshot --target app)")
}

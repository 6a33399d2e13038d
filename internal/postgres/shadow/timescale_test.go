package shadow

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgcluster"
)

func TestNeedsTimescale(t *testing.T) {
	for sql, want := range map[string]bool{
		"CREATE EXTENSION timescaledb":                           true,
		"create extension if not exists timescaledb":             true,
		"CREATE EXTENSION IF NOT EXISTS \"timescaledb\" CASCADE": true,
		"CREATE EXTENSION timescaledb_toolkit":                   false,
		"CREATE EXTENSION pg_trgm":                               false,
		"-- CREATE EXTENSION timescaledb\nSELECT 1":              false,
	} {
		stmts, err := Split(sql)
		require.NoError(t, err)
		b := &builder{files: []plannedFile{{file: "001.sql", stmts: stmts}}}
		require.Equal(t, want, b.needsTimescale(), sql)
	}
}

// TestTimescalePreloadNeedsTheLibrary: binaries without timescaledb.so are refused with what to
// do, before any cluster starts; with it, the cluster preloads it.
func TestTimescalePreloadNeedsTheLibrary(t *testing.T) {
	stmts, err := Split("CREATE EXTENSION timescaledb;")
	require.NoError(t, err)
	b := &builder{files: []plannedFile{{file: "001.sql", stmts: stmts}}}
	root := t.TempDir()
	bin, lib := filepath.Join(root, "bin"), filepath.Join(root, "lib")
	require.NoError(t, os.MkdirAll(bin, 0o755))
	require.NoError(t, os.MkdirAll(lib, 0o755))

	_, err = b.timescalePreload(pgcluster.Options{BinDir: bin, Major: 15})
	require.ErrorContains(t, err, "do not have it (no timescaledb.so in "+lib+")")
	require.ErrorContains(t, err, "shadow.postgres_dsn")

	require.NoError(t, os.WriteFile(filepath.Join(lib, "timescaledb.so"), nil, 0o644))
	o, err := b.timescalePreload(pgcluster.Options{BinDir: bin, Major: 15, Settings: map[string]string{"work_mem": "'8MB'"}})
	require.NoError(t, err)
	require.Equal(t, "'timescaledb'", o.Settings["shared_preload_libraries"])
	require.Equal(t, "'8MB'", o.Settings["work_mem"])

	plain := &builder{}
	o, err = plain.timescalePreload(pgcluster.Options{BinDir: bin})
	require.NoError(t, err)
	require.Empty(t, o.Settings)
}

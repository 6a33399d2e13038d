package check_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/snapshot"
)

// TestRefreshSnapshot: a committed snapshot is written when missing, left alone when up to
// date, and with Verify reported (never written) when missing or stale, saying what differs.
func TestRefreshSnapshot(t *testing.T) {
	ctx := context.Background()
	table := snapshot.Object{Kind: "table", Key: snapshot.NewKey("public", "t"), Parent: snapshot.Named("public")}
	e := &stubEngine{expected: &engine.Expected{Snapshot: pgSnap(150018)}}
	r := runner(e)
	migs := check.Source{Kind: check.SourceMigrations, Engine: "postgres", Path: migrationsDir(t)}
	path := filepath.Join(t.TempDir(), "snapshots", "app.json")
	var out, log bytes.Buffer
	file := check.SnapshotFile{Path: path, Migrations: "db/migrations", Out: &out, Log: &log}
	refresh := func(verify bool) bool {
		out.Reset()
		log.Reset()
		f := file
		f.Verify = verify
		stale, err := r.RefreshSnapshot(ctx, migs, check.Options{Name: "app"}, f)
		require.NoError(t, err)
		return stale
	}

	require.True(t, refresh(true))
	require.Equal(t, path+" is missing: run `drift snapshot` and commit it\n", out.String())
	require.NoFileExists(t, path)

	require.False(t, refresh(false))
	require.Contains(t, log.String(), "created directory "+filepath.Dir(path)+"\n")
	require.Contains(t, log.String(), "wrote "+path+" (")
	written, err := snapshot.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "app", written.Target)

	require.False(t, refresh(true))
	require.Equal(t, path+" is up to date\n", log.String())
	require.Empty(t, out.String())

	e.expected = &engine.Expected{Snapshot: pgSnap(150018, table)}
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, refresh(true))
	require.Contains(t, out.String(), path+" is stale against db/migrations: run `drift snapshot` and commit it\n")
	require.Contains(t, out.String(), "\n  ", "what differs is listed")
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, before, after, "verify writes nothing")

	require.False(t, refresh(false))
	require.Contains(t, log.String(), "wrote "+path)
	require.False(t, refresh(true))
}

package shadow

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/pgtest"
)

// generatedSet is a 200-file migration set of the shapes real sets have: tables, added
// columns, indexes (some built concurrently), functions, triggers and views.
func generatedSet(b testing.TB) *migrations.Set {
	b.Helper()
	fsys := fstest.MapFS{}
	for i := 1; i <= 200; i++ {
		var sql strings.Builder
		t := fmt.Sprintf("t%03d", (i-1)/4)
		switch i % 4 {
		case 1:
			fmt.Fprintf(&sql, "CREATE TABLE %s (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    name text NOT NULL,\n    created_at timestamptz NOT NULL DEFAULT now()\n);\n", t)
		case 2:
			fmt.Fprintf(&sql, "ALTER TABLE %s ADD COLUMN status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'done'));\n", t)
			fmt.Fprintf(&sql, "CREATE INDEX %s_status_idx ON %s (status);\n", t, t)
		case 3:
			fmt.Fprintf(&sql, "CREATE FUNCTION %s_touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    NEW.created_at := now();\n    RETURN NEW;\nEND;\n$$;\n", t)
			fmt.Fprintf(&sql, "CREATE TRIGGER %s_touch BEFORE UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION %s_touch();\n", t, t, t)
		case 0:
			fmt.Fprintf(&sql, "CREATE INDEX CONCURRENTLY %s_name_idx ON %s (name);\n", t, t)
			fmt.Fprintf(&sql, "CREATE VIEW %s_done AS SELECT id, name FROM %s WHERE status = 'done';\n", t, t)
		}
		fsys[fmt.Sprintf("V%d__step_%d.sql", i, i)] = &fstest.MapFile{Data: []byte(sql.String())}
	}
	set, err := migrations.Load(fsys)
	require.NoError(b, err)
	require.Len(b, set.Migrations, 200)
	return set
}

// BenchmarkReplay200Cold builds the expected schema of a 200-file set with no cache: create a
// shadow database, replay, introspect, drop.
func BenchmarkReplay200Cold(b *testing.B) {
	set := generatedSet(b)
	opts := BuildOptions{ShadowDSN: pgtest.AdminDSN(b)}
	ctx := testCtx(b)
	for b.Loop() {
		snap, _, err := Build(ctx, opts, set, set.Migrations)
		require.NoError(b, err)
		require.NotEmpty(b, snap.Objects)
	}
}

// BenchmarkReplay200Cached builds it again with a warm cache.
func BenchmarkReplay200Cached(b *testing.B) {
	set := generatedSet(b)
	cache := NewCache(b.TempDir())
	opts := BuildOptions{ShadowDSN: pgtest.AdminDSN(b), Cache: cache}
	ctx := testCtx(b)
	_, _, err := Build(ctx, opts, set, set.Migrations)
	require.NoError(b, err)
	for b.Loop() {
		snap, _, err := Build(ctx, opts, set, set.Migrations)
		require.NoError(b, err)
		require.NotEmpty(b, snap.Objects)
	}
	require.Equal(b, 1, cache.Stats().Misses, "only the warm-up replays")
}

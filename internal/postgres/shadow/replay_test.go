package shadow

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/pgtest"
)

func memSet(t *testing.T, files map[string]string) *migrations.Set {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, content := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(content)}
	}
	s, err := migrations.Load(fsys)
	require.NoError(t, err)
	return s
}

func tableExists(t *testing.T, dsn, name string) bool {
	t.Helper()
	var ok bool
	require.NoError(t, connect(t, dsn).QueryRow(testCtx(t), "SELECT to_regclass($1) IS NOT NULL", name).Scan(&ok))
	return ok
}

func TestReplayRunsEachFileInATransaction(t *testing.T) {
	dsn := pgtest.NewDB(t)
	s := memSet(t, map[string]string{
		"V1__ok.sql":   "CREATE TABLE one (id int);",
		"V2__half.sql": "CREATE TABLE two (id int);\nCREATE TABLE one (id int);",
	})
	err := Replay(testCtx(t), connect(t, dsn), s.Migrations, nil)
	var re *ReplayError
	require.True(t, errors.As(err, &re))
	require.Equal(t, "V2__half.sql", re.File)
	require.Equal(t, 2, re.Line)
	require.Contains(t, err.Error(), `relation "one" already exists`)
	require.True(t, tableExists(t, dsn, "public.one"), "the first file was committed")
	require.False(t, tableExists(t, dsn, "public.two"), "the failed file was rolled back as a whole")
}

func TestReplayFileWithOwnTransactionControl(t *testing.T) {
	dsn := pgtest.NewDB(t)
	s := memSet(t, map[string]string{
		"V1__tx.sql":         "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\nBEGIN;\nCREATE TABLE b (id int);\nROLLBACK;\nCREATE TABLE c (id int);",
		"V2__concurrent.sql": "CREATE TABLE d (id int);\nCREATE INDEX CONCURRENTLY d_id ON d (id);\nVACUUM d;",
	})
	require.NoError(t, Replay(testCtx(t), connect(t, dsn), s.Migrations, nil))
	require.True(t, tableExists(t, dsn, "public.a"))
	require.False(t, tableExists(t, dsn, "public.b"), "the file's own ROLLBACK is honoured")
	require.True(t, tableExists(t, dsn, "public.c"))
	require.True(t, tableExists(t, dsn, "public.d_id"))
}

func TestReplayFileEndingInsideATransaction(t *testing.T) {
	dsn := pgtest.NewDB(t)
	s := memSet(t, map[string]string{"V1__open.sql": "BEGIN;\nCREATE TABLE a (id int);\n"})
	err := Replay(testCtx(t), connect(t, dsn), s.Migrations, nil)
	require.ErrorContains(t, err, "replaying migration V1__open.sql: the file ends inside a transaction block (BEGIN without COMMIT)")
	require.False(t, tableExists(t, dsn, "public.a"))
}

func TestReplayErrorsInsideBodiesCarryTheirContext(t *testing.T) {
	dsn := pgtest.NewDB(t)
	s := memSet(t, map[string]string{
		"V1__ok.sql": "CREATE TABLE a (id int);",
		"V2__do.sql": "-- one\n-- two\nDO $$\nBEGIN\n  RAISE EXCEPTION 'boom %', 42;\nEND\n$$;",
	})
	err := Replay(testCtx(t), connect(t, dsn), s.Migrations, nil)
	require.ErrorContains(t, err, "replaying migration V2__do.sql, line 3: ERROR: boom 42 (SQLSTATE P0001); context: PL/pgSQL function inline_code_block line 3 at RAISE")
}

func TestErrorLineFollowsTheServerPosition(t *testing.T) {
	dsn := pgtest.NewDB(t)
	s := memSet(t, map[string]string{
		"V1__multi.sql": "SELECT 1;\n\n-- ü before\nSELECT 'é',\n  'ü',\n  no_such_column;",
	})
	err := Replay(testCtx(t), connect(t, dsn), s.Migrations, nil)
	var re *ReplayError
	require.True(t, errors.As(err, &re))
	require.Equal(t, 6, re.Line, "the position is in characters, not bytes: %v", err)
}

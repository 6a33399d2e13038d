package shadow

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgtest"
)

func TestUpPart(t *testing.T) {
	t.Parallel()
	goose := "-- +goose Up\nCREATE TABLE a (id int);\n-- +goose StatementBegin\nSELECT 1;\n-- +goose StatementEnd\n\n-- +goose Down\nDROP TABLE a;\n"
	up, d := upPart(goose)
	require.Equal(t, "\nCREATE TABLE a (id int);\n-- +goose StatementBegin\nSELECT 1;\n-- +goose StatementEnd\n\n\n\n", up, "down part blanked, lines kept")
	require.False(t, d.noTransaction)

	_, d = upPart("-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY i ON a (id);\n")
	require.True(t, d.noTransaction)
	up, d = upPart("-- +migrate Up notransaction\nCREATE INDEX CONCURRENTLY i ON a (id);\n-- +migrate Down\nDROP INDEX i;")
	require.True(t, d.noTransaction)
	require.NotContains(t, up, "DROP")
	up, d = upPart("-- migrate:up transaction:false\nALTER TYPE e ADD VALUE 'x';\n-- migrate:down\n")
	require.True(t, d.noTransaction)
	require.Contains(t, up, "ADD VALUE")
	_, d = upPart("-- postgres-migrations disable-transaction\nCREATE INDEX CONCURRENTLY i ON a (id);")
	require.True(t, d.noTransaction)

	// node-pg-migrate's SQL files; a comment that only starts with the words is no marker.
	up, _ = upPart("-- Up Migration\nCREATE TABLE a (id int);\n-- Down Migration\nDROP TABLE a;\n")
	require.Equal(t, "\nCREATE TABLE a (id int);\n\n\n", up)
	up, _ = upPart("-- up migration for the users table\nCREATE TABLE u (id int);\n")
	require.Contains(t, up, "CREATE TABLE u")

	plain := "CREATE TABLE a (id int);\n-- a comment about going up\n"
	up, _ = upPart(plain)
	require.Equal(t, plain, up, "a file without markers runs whole")
}

// TestReplayToolSets replays small sets shaped like each tool's into real databases: only the
// up parts run, files marked to run outside a transaction do, and the tool's layout loads.
func TestReplayToolSets(t *testing.T) {
	t.Parallel()
	cases := []struct {
		dir    string
		exists []string
		absent []string
	}{
		{"goose", []string{"public.users", "public.users_email_idx", "public.users_touch()"}, nil},
		{"sql-migrate", []string{"public.accounts", "public.accounts_owner_idx", "public.accounts_count()"}, nil},
		{"dbmate", []string{"public.orders"}, nil},
		{"postgres-migrations", []string{"public.items", "public.items_label_idx"}, nil},
		{"diesel", []string{"public.users"}, nil},
		{"prisma", []string{`public."User"`, `public."Order"`}, nil},
		{"flyway-baseline", []string{"public.a", "public.b", "public.c", "public.abc"}, nil},
		{"mixed-up-plain", []string{"public.t"}, nil},
		{"drizzle", []string{"public.authors", "public.authors_name_idx"}, nil},
		{"sqitch", []string{"shop.customers", "shop.orders", "shop.customers_pkey"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			t.Parallel()
			set := loadSet(t, filepath.Join("..", "..", "migrations", "testdata", "tools", tc.dir))
			dsn := pgtest.NewDB(t)
			require.NoError(t, Replay(testCtx(t), connect(t, dsn), set.Migrations, nil))
			for _, name := range tc.exists {
				var ok bool
				q := "SELECT to_regclass($1) IS NOT NULL"
				if strings.HasSuffix(name, ")") {
					q = "SELECT to_regprocedure($1) IS NOT NULL"
				}
				require.NoError(t, connect(t, dsn).QueryRow(testCtx(t), q, name).Scan(&ok))
				require.True(t, ok, "%s missing after replaying %s", name, tc.dir)
			}
		})
	}
}

// TestReplayFilesThatNeedTheirOwnCommits: a DO block that commits, and a new enum value used
// in the file that adds it, run as their tools run them.
func TestReplayFilesThatNeedTheirOwnCommits(t *testing.T) {
	t.Parallel()
	s := memSet(t, map[string]string{
		"V1__enum.sql": "CREATE TYPE mood AS ENUM ('sad');\nCREATE TABLE m (v mood);",
		"V2__add.sql":  "ALTER TYPE mood ADD VALUE 'happy';\nINSERT INTO m VALUES ('happy');\nALTER TABLE m ALTER COLUMN v SET DEFAULT 'happy';",
		"V3__do.sql":   "CREATE TABLE batch (n int);\nDO $$\nBEGIN\n  FOR i IN 1..3 LOOP\n    INSERT INTO batch VALUES (i);\n    COMMIT;\n  END LOOP;\nEND $$;",
	})
	dsn := pgtest.NewDB(t)
	require.NoError(t, Replay(testCtx(t), connect(t, dsn), s.Migrations, nil))
	var n int
	require.NoError(t, connect(t, dsn).QueryRow(testCtx(t), "SELECT count(*) FROM batch").Scan(&n))
	require.Equal(t, 3, n)
}

// TestReplaySettingsApplyToEveryFile: replay_settings are set for every file, also after the
// session is reset between files.
func TestReplaySettingsApplyToEveryFile(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, "CREATE SCHEMA storage")
	s := memSet(t, map[string]string{
		"V1__a.sql": "CREATE TABLE a (id int);",
		"V2__b.sql": "SET search_path = public; CREATE TABLE elsewhere (id int);",
		"V3__c.sql": "CREATE TABLE c (id int);",
	})
	files, err := splitAll(s.Migrations)
	require.NoError(t, err)
	setup := sessionSetup{settings: []Setting{{Name: "search_path", Value: "storage, public"}}}
	require.NoError(t, replayFiles(testCtx(t), connect(t, dsn), files, slog.New(slog.DiscardHandler), setup))
	require.True(t, tableExists(t, dsn, "storage.a"))
	require.True(t, tableExists(t, dsn, "public.elsewhere"))
	require.True(t, tableExists(t, dsn, "storage.c"), "the setting came back after the reset")
}

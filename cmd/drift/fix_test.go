package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgtest"
)

// psql runs a script the way a person runs a fix: psql -f, stopping at the first error, each
// statement on its own (so CREATE INDEX CONCURRENTLY runs outside a transaction block).
func psql(t *testing.T, dsn, script string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "fix.sql")
	require.NoError(t, os.WriteFile(file, []byte(script), 0o600))
	out, err := exec.Command(pgtest.ClientBin(t, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", file).CombinedOutput()
	require.NoError(t, err, "psql: %s\n%s", out, script)
}

const driftedSQL = schemaSQL + `
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
ALTER TABLE users ADD COLUMN nick varchar(20);
CREATE INDEX users_nick_idx ON users (nick);
DROP INDEX users_email_idx;
`

// TestDiffFormatSQL: the SQL drift diff prints turns --from into --to when psql runs it, both
// ways, with live databases and a snapshot file on either side.
func TestDiffFormatSQL(t *testing.T) {
	t.Parallel()
	a, b := pgtest.Build(t, schemaSQL), pgtest.Build(t, driftedSQL)
	snapA := filepath.Join(t.TempDir(), "a.json")
	code, _, stderr := drift(t, "snapshot", "--from", a, "--out", snapA)
	require.Equal(t, 0, code, stderr)

	for _, tc := range []struct {
		name, from, to string
		start          string // SQL of the database the script runs on
		other          string // the side it must then equal
	}{
		{"adopt: live a into live b", a, b, schemaSQL, b},
		{"revert: live b into live a", b, a, driftedSQL, a},
		{"revert: live b into the snapshot of a", b, snapA, driftedSQL, snapA},
		{"adopt: the snapshot of a into live b", snapA, b, schemaSQL, b},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := drift(t, "diff", "--from", tc.from, "--to", tc.to, "--format", "sql")
			require.Equal(t, 1, code, stderr)
			require.Contains(t, out, "-- drift diff: the statements that turn the --from schema into the --to schema")
			require.Contains(t, out, "-- target diff (postgres): ")
			require.Contains(t, out, "; turns --from into --to; ", "the sides as the command line named them, whichever is live")
			if strings.HasPrefix(tc.from, "postgres") || strings.Contains(tc.from, "dbname=") {
				// The script runs on a live database: indexes are built online.
				require.Contains(t, out, "CONCURRENTLY")
			}
			copyDSN := pgtest.Build(t, tc.start)
			psql(t, copyDSN, out)
			code, out, stderr = drift(t, "diff", "--from", copyDSN, "--to", tc.other)
			require.Equal(t, 0, code, "after the fix: %s\n%s", out, stderr)
		})
	}

	code, out, _ := drift(t, "diff", "--from", a, "--to", a, "--format", "sql")
	require.Equal(t, 0, code)
	require.Contains(t, out, "no drift, nothing to do")
}

// TestCheckFixRevert prints, per target, the SQL reverting its drift; a target that could not
// be checked says so, and the exit code stays the check's.
func TestCheckFixRevert(t *testing.T) {
	t.Parallel()
	live := pgtest.Build(t, driftedSQL)
	cfg := writeConfig(t, fmt.Sprintf("targets:\n  - name: app\n    dsn: %q\n  - name: down\n    dsn: %q\n",
		live, "postgres://nobody:secret@127.0.0.1:1/none?connect_timeout=2"))
	snap := filepath.Join(filepath.Dir(cfg), "snapshots", "app.json")
	code, _, stderr := drift(t, "snapshot", "--from", pgtest.Build(t, schemaSQL), "--out", snap)
	require.Equal(t, 0, code, stderr)

	code, out, _ := drift(t, "check", "--config", cfg, "--fix", "revert")
	require.Equal(t, 2, code, out)
	require.Contains(t, out, "-- target app (postgres): 4 findings")
	require.Contains(t, out, "revert: turns the actual schema into the expected one")
	require.Contains(t, out, "-- hazard: drops data\nALTER TABLE public.users DROP COLUMN nick;")
	require.Contains(t, out, "CREATE INDEX CONCURRENTLY users_email_idx ON public.users USING btree (email);")
	require.Contains(t, out, "-- target down: could not be checked:")
	require.NotContains(t, out, "secret")

	psql(t, live, out)
	code, out, stderr = drift(t, "check", "--config", cfg, "--target", "app")
	require.Equal(t, 0, code, "after the fix: %s\n%s", out, stderr)

	code, _, stderr = drift(t, "check", "--config", cfg, "--fix", "sideways")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "want revert or adopt")
	code, _, stderr = drift(t, "check", "--config", cfg, "--fix", "revert", "--adopt")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "do not go together")
}

// TestCheckMarkdownCarriesTheFix: the pull-request report shows each finding's revert fix,
// collapsed.
func TestCheckMarkdownCarriesTheFix(t *testing.T) {
	t.Parallel()
	live := pgtest.Build(t, driftedSQL)
	cfg := writeConfig(t, fmt.Sprintf("targets:\n  - name: app\n    dsn: %q\n", live))
	snap := filepath.Join(filepath.Dir(cfg), "snapshots", "app.json")
	code, _, stderr := drift(t, "snapshot", "--from", pgtest.Build(t, schemaSQL), "--out", snap)
	require.Equal(t, 0, code, stderr)
	code, out, _ := drift(t, "check", "--config", cfg, "--format", "markdown")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "<details>\n<summary>index public.users_nick_idx is unexpected</summary>\n\nFix (revert):\n\n```sql\n-- run outside a transaction block\nDROP INDEX CONCURRENTLY IF EXISTS public.users_nick_idx;\n```\n\n</details>")
	require.Contains(t, out, "ALTER TABLE public.users ADD CONSTRAINT")
}

// TestCheckAdopt writes the adopting migration as the set's next golang-migrate pair; once the
// live database records it as applied, the set and the live database agree.
func TestCheckAdopt(t *testing.T) {
	t.Parallel()
	shadow := pgtest.AdminDSN(t)
	live := pgtest.NewDB(t)
	dir := migrationsDir(t)
	migrateLive(t, live, len(migrationFiles), false)
	pgtest.Exec(t, live, "CREATE INDEX users_email_idx ON users (email); ALTER TABLE orders ADD COLUMN note text NOT NULL DEFAULT '';")
	cfg := migrationsConfig(t, live, dir)

	code, out, stderr := drift(t, "check", "--config", cfg, "--shadow-dsn", shadow, "--adopt")
	require.Equal(t, 0, code, "%s\n%s", out, stderr)
	up, down := filepath.Join(dir, "000005_adopt_drift.up.sql"), filepath.Join(dir, "000005_adopt_drift.down.sql")
	require.Equal(t, up+"\n"+down+"\n", out)
	body, err := os.ReadFile(up)
	require.NoError(t, err)
	require.Contains(t, string(body), "record this migration as applied there")
	require.Contains(t, string(body), "CREATE INDEX users_email_idx ON public.users USING btree (email);")
	require.NotContains(t, string(body), "CONCURRENTLY", "a migration file runs in the tool's transaction")
	body, err = os.ReadFile(down)
	require.NoError(t, err)
	require.Contains(t, string(body), "DROP INDEX public.users_email_idx;")

	// The live database already has the schema: record the migration as applied (migrate
	// force 5), and nothing differs any more.
	pgtest.Exec(t, live, "UPDATE schema_migrations SET version = 5")
	code, out, stderr = drift(t, "check", "--config", cfg, "--shadow-dsn", shadow)
	require.Equal(t, 0, code, "%s\n%s", out, stderr)
	code, out, _ = drift(t, "check", "--config", cfg, "--shadow-dsn", shadow, "--adopt")
	require.Equal(t, 0, code)
	require.Equal(t, "app: no drift to adopt\n", out)

	// The down file takes a database at the new version back to the one before.
	older := pgtest.NewDB(t)
	for _, f := range migrationFiles {
		pgtest.Exec(t, older, f.sql)
	}
	upBody, _ := os.ReadFile(up)
	pgtest.Exec(t, older, string(upBody))
	downBody, _ := os.ReadFile(down)
	pgtest.Exec(t, older, string(downBody))
	require.NoError(t, os.Rename(up, up+".off"))
	require.NoError(t, os.Rename(down, down+".off"))
	code, out, stderr = drift(t, "diff", "--from", dir, "--to", older, "--shadow-dsn", shadow)
	require.Equal(t, 0, code, "%s\n%s", out, stderr)
}

// TestCheckAdoptRefuses: a snapshot target has no migration set to add to, and a target with
// pending migrations measures drift against an earlier version of its set.
func TestCheckAdoptRefuses(t *testing.T) {
	t.Parallel()
	shadow := pgtest.AdminDSN(t)
	live := pgtest.NewDB(t)
	dir := migrationsDir(t)
	migrateLive(t, live, 2, false)
	pgtest.Exec(t, live, "CREATE INDEX users_email_idx ON users (email)")
	code, out, stderr := drift(t, "check", "--config", migrationsConfig(t, live, dir), "--shadow-dsn", shadow, "--adopt")
	require.Equal(t, 2, code, out)
	require.Contains(t, stderr, "2 migrations of the set are not applied to the live database yet")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, len(migrationFiles)+1, "nothing written")

	cfg := writeConfig(t, fmt.Sprintf("targets:\n  - name: app\n    dsn: %q\n", live))
	snap := filepath.Join(filepath.Dir(cfg), "snapshots", "app.json")
	code, _, stderr = drift(t, "snapshot", "--from", pgtest.Build(t, schemaSQL), "--out", snap)
	require.Equal(t, 0, code, stderr)
	code, _, stderr = drift(t, "check", "--config", cfg, "--adopt")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "its expected schema is a snapshot file, not a migration set")
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgcluster"
	"github.com/drift-schema/drift/internal/pgtest"
)

var migrationFiles = []struct{ name, sql string }{
	{"000001_init.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);"},
	{"000002_orders.up.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));"},
	{"000003_index.up.sql", "CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);"},
	{"000004_nick.up.sql", "ALTER TABLE users ADD COLUMN nickname text;"},
}

// migrationsDir writes the migration set, with a down file that would destroy everything if it
// were ever replayed.
func migrationsDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range migrationFiles {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f.name), []byte(f.sql), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "000001_init.down.sql"), []byte("DROP SCHEMA public CASCADE;"), 0o644))
	return dir
}

// migrateLive applies the first n migrations to a live database the way golang-migrate does,
// recording the version in schema_migrations.
func migrateLive(t *testing.T, dsn string, n int, dirty bool) {
	t.Helper()
	for _, f := range migrationFiles[:n] {
		pgtest.Exec(t, dsn, f.sql)
	}
	pgtest.Exec(t, dsn, fmt.Sprintf(`CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
		INSERT INTO schema_migrations VALUES (%d, %t);`, n, dirty))
}

func migrationsConfig(t *testing.T, live, dir string) string {
	return writeConfig(t, fmt.Sprintf("targets:\n  - name: app\n    dsn: %q\n    migrations: %q\n    expected: migrations\n", live, dir))
}

func TestCheckFromMigrationsBehindIsPendingNotDrift(t *testing.T) {
	t.Parallel()
	shadow := pgtest.AdminDSN(t)
	live := pgtest.NewDB(t)
	dir := migrationsDir(t)
	migrateLive(t, live, 2, false)
	cfg := migrationsConfig(t, live, dir)

	code, out, stderr := drift(t, "check", "--config", cfg, "--shadow-dsn", shadow, "--format", "json")
	require.Equal(t, 0, code, "%s\n%s", out, stderr)
	var rep struct {
		Targets []struct {
			Status   string            `json:"status"`
			Findings []json.RawMessage `json:"findings"`
			Pending  []struct{ Version, File string }
		} `json:"targets"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Equal(t, "pending", rep.Targets[0].Status)
	require.Empty(t, rep.Targets[0].Findings)
	require.Len(t, rep.Targets[0].Pending, 2)
	require.Equal(t, "000003_index.up.sql", rep.Targets[0].Pending[0].File)

	code, _, _ = drift(t, "check", "--config", cfg, "--shadow-dsn", shadow, "--fail-on-pending")
	require.Equal(t, 1, code)

	// Drift on top of a database that is behind is still drift.
	pgtest.Exec(t, live, "DROP TABLE orders")
	code, out, _ = drift(t, "check", "--config", cfg, "--shadow-dsn", shadow, "--format", "json")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, `"object": "public.orders"`)
}

func TestCheckFromMigrationsDirtyIsCritical(t *testing.T) {
	t.Parallel()
	live := pgtest.NewDB(t)
	dir := migrationsDir(t)
	migrateLive(t, live, 4, true)
	code, out, stderr := drift(t, "check", "--config", migrationsConfig(t, live, dir), "--shadow-dsn", pgtest.AdminDSN(t), "--format", "json")
	require.Equal(t, 1, code, "%s\n%s", out, stderr)
	require.Contains(t, out, `"kind": "migration"`)
	require.Contains(t, out, `"severity": "critical"`)
	require.Contains(t, out, "dirty")
}

func TestCheckFromMigrationsFailingFileIsExit2AndLeavesNoDatabase(t *testing.T) {
	// Not parallel: it counts the shadow server's databases, which other tests create.
	shadow := pgtest.AdminDSN(t)
	live := pgtest.NewDB(t)
	dir := migrationsDir(t)
	migrateLive(t, live, 4, false)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "000003_index.up.sql"), []byte("-- oops\n\nCREATE INDEXX orders_user_id_idx ON orders (user_id);\n"), 0o644))
	before := databases(t, shadow)

	code, out, stderr := drift(t, "check", "--config", migrationsConfig(t, live, dir), "--shadow-dsn", shadow)
	require.Equal(t, 2, code, "%s\n%s", out, stderr)
	require.Contains(t, out, "000003_index.up.sql")
	require.Contains(t, out, "line 3")
	require.Equal(t, before, databases(t, shadow), "no shadow database may be left behind")
}

func TestDiffAndSnapshotFromMigrationDirectory(t *testing.T) {
	t.Parallel()
	shadow := pgtest.AdminDSN(t)
	live := pgtest.NewDB(t)
	dir := migrationsDir(t)
	migrateLive(t, live, 4, false)
	code, out, stderr := drift(t, "diff", "--from", dir, "--to", live, "--shadow-dsn", shadow)
	require.Equal(t, 0, code, "%s\n%s", out, stderr)

	// `drift snapshot` with no --from rebuilds every target's snapshot; --verify catches a stale one.
	cfg := writeConfig(t, fmt.Sprintf("targets:\n  - name: app\n    dsn: %q\n    migrations: %q\n    expected: snapshot\n", live, dir))
	code, _, stderr = drift(t, "snapshot", "--config", cfg, "--shadow-dsn", shadow, "--verify")
	require.Equal(t, 1, code, "a missing snapshot is stale: %s", stderr)
	code, _, stderr = drift(t, "snapshot", "--config", cfg, "--shadow-dsn", shadow)
	require.Equal(t, 0, code, stderr)
	snap := filepath.Join(filepath.Dir(cfg), "snapshots", "app.json")
	first, err := os.ReadFile(snap)
	require.NoError(t, err)
	require.Contains(t, string(first), `"kind": "migrations"`)
	code, _, stderr = drift(t, "snapshot", "--config", cfg, "--shadow-dsn", shadow, "--verify")
	require.Equal(t, 0, code, stderr)
	code, out, _ = drift(t, "check", "--config", cfg)
	require.Equal(t, 0, code, "the live database matches its committed snapshot: %s", out)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "000005_more.up.sql"), []byte("ALTER TABLE users ADD COLUMN age int;"), 0o644))
	code, out, _ = drift(t, "snapshot", "--config", cfg, "--shadow-dsn", shadow, "--verify")
	require.Equal(t, 1, code)
	require.Contains(t, out, "stale")
	after, err := os.ReadFile(snap)
	require.NoError(t, err)
	require.Equal(t, first, after, "--verify writes nothing")
}

func databases(t *testing.T, dsn string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'drift_shadow%' ORDER BY 1")
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return names
}

// TestCheckWithACustomTrackingTable: a team's own table of applied file names decides the
// version, and is itself never reported as an unexpected table.
func TestCheckWithACustomTrackingTable(t *testing.T) {
	t.Parallel()
	live := pgtest.NewDB(t)
	dir := migrationsDir(t)
	for _, f := range migrationFiles[:3] {
		pgtest.Exec(t, live, f.sql)
	}
	pgtest.Exec(t, live, `CREATE SCHEMA ops; CREATE TABLE ops.applied (filename text PRIMARY KEY, at timestamptz DEFAULT now());
		INSERT INTO ops.applied (filename) VALUES ('000001_init.up.sql'), ('000002_orders.up.sql'), ('000003_index.up.sql');`)
	cfg := writeConfig(t, fmt.Sprintf("targets:\n  - name: app\n    dsn: %q\n    migrations: %q\n    tracking: {table: ops.applied, column: filename}\n    schemas: [public]\n", live, dir))
	code, out, stderr := drift(t, "check", "--config", cfg, "--shadow-dsn", pgtest.AdminDSN(t), "--format", "json")
	require.Equal(t, 0, code, "%s\n%s", out, stderr)
	require.Contains(t, out, `"status": "pending"`)
	require.Contains(t, out, "000004_nick.up.sql")

	// Without the schema filter neither the tracking table nor the schema made for it alone is
	// a finding; once the schema holds something else, it is compared.
	cfg = writeConfig(t, fmt.Sprintf("targets:\n  - name: app\n    dsn: %q\n    migrations: %q\n    tracking: {table: ops.applied, column: filename}\n", live, dir))
	code, out, _ = drift(t, "check", "--config", cfg, "--shadow-dsn", pgtest.AdminDSN(t), "--format", "json")
	require.NotContains(t, out, "ops.applied", "the tracking table is never a finding")
	require.NotContains(t, out, `"object": "ops"`, "a schema holding the tracking table alone is the tool's")
	require.Equal(t, 0, code)
	pgtest.Exec(t, live, "CREATE TABLE ops.jobs (id int)")
	code, out, _ = drift(t, "check", "--config", cfg, "--shadow-dsn", pgtest.AdminDSN(t), "--format", "json")
	require.Contains(t, out, `"object": "ops"`, "the schema holds more than the tracking table")
	require.Equal(t, 1, code)
}

// TestSnapshotVerifyIgnoresAServerMinorUpdate: a committed snapshot whose only difference is the
// minor version of the server that rendered it is up to date, not stale.
func TestSnapshotVerifyIgnoresAServerMinorUpdate(t *testing.T) {
	t.Parallel()
	shadow := pgtest.AdminDSN(t)
	live := pgtest.NewDB(t)
	dir := migrationsDir(t)
	cfg := writeConfig(t, fmt.Sprintf("targets:\n  - name: app\n    dsn: %q\n    migrations: %q\n    expected: snapshot\n", live, dir))
	code, _, stderr := drift(t, "snapshot", "--config", cfg, "--shadow-dsn", shadow)
	require.Equal(t, 0, code, stderr)
	path := filepath.Join(filepath.Dir(cfg), "snapshots", "app.json")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	older := regexp.MustCompile(`"server_version": "(\d+)\.\d+`).ReplaceAll(data, []byte(`"server_version": "${1}.1`))
	older = regexp.MustCompile(`"server_version_num": (\d\d)\d{4}`).ReplaceAll(older, []byte(`"server_version_num": ${1}0001`))
	require.NotEqual(t, data, older)
	require.NoError(t, os.WriteFile(path, older, 0o644))

	code, out, stderr := drift(t, "snapshot", "--config", cfg, "--shadow-dsn", shadow, "--verify")
	require.Equal(t, 0, code, "%s\n%s", out, stderr)
	require.Contains(t, stderr, "only the server version differs")
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, older, after)

	// A real change is still stale.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "000005_more.up.sql"), []byte("ALTER TABLE users ADD COLUMN age int;"), 0o644))
	code, _, _ = drift(t, "snapshot", "--config", cfg, "--shadow-dsn", shadow, "--verify")
	require.Equal(t, 1, code)
}

// TestDiffFromMigrationsAgainstABehindDatabase: drift diff from a migration directory to a live
// database is the same check as drift check, so migrations not yet applied are pending, not drift.
func TestDiffFromMigrationsAgainstABehindDatabase(t *testing.T) {
	t.Parallel()
	live := pgtest.NewDB(t)
	dir := migrationsDir(t)
	migrateLive(t, live, 2, false)
	code, out, stderr := drift(t, "diff", "--from", dir, "--to", live, "--shadow-dsn", pgtest.AdminDSN(t), "--format", "json")
	require.Equal(t, 0, code, "%s\n%s", out, stderr)
	require.Contains(t, out, `"status": "pending"`)
	require.Contains(t, out, "000003_index.up.sql")
}

// TestDiffTracking: drift diff reads the applied version from the table --tracking names, as a
// target's tracking option does.
func TestDiffTracking(t *testing.T) {
	t.Parallel()
	live := pgtest.NewDB(t)
	dir := migrationsDir(t)
	migrateLive(t, live, 2, false)
	// A second table that claims every migration applied: read it, and the live database lacks
	// what migrations 3 and 4 make.
	pgtest.Exec(t, live, `CREATE SCHEMA ops; CREATE TABLE ops.applied (filename text);`)
	for _, f := range migrationFiles {
		pgtest.Exec(t, live, fmt.Sprintf("INSERT INTO ops.applied VALUES ('%s')", f.name))
	}
	code, out, stderr := drift(t, "diff", "--from", dir, "--to", live, "--shadow-dsn", pgtest.AdminDSN(t), "--format", "json",
		"--tracking", "ops.applied", "--tracking-column", "filename")
	require.Equal(t, 1, code, "%s\n%s", out, stderr)
	require.NotContains(t, out, `"status": "pending"`)
}

// TestCheckReportsAPendingMigrationThatWouldFail: drift check replays the pending migrations
// on a copy of the expected schema; one that would fail is critical drift (exit 1), named with
// its file and line, before the deploy that would run it.
func TestCheckReportsAPendingMigrationThatWouldFail(t *testing.T) {
	t.Parallel()
	live := pgtest.NewDB(t)
	dir := migrationsDir(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "000005_broken.up.sql"), []byte("-- a typo\nALTER TABLE nosuchtable ADD COLUMN x int;\n"), 0o644))
	migrateLive(t, live, 2, false)
	cfg := migrationsConfig(t, live, dir)
	code, out, stderr := drift(t, "check", "--config", cfg, "--shadow-dsn", pgtest.AdminDSN(t), "--format", "json")
	require.Equal(t, 1, code, "%s\n%s", out, stderr)
	require.Contains(t, out, "pending migration 000005 would fail on this database (000005_broken.up.sql, line 2)")
	require.Contains(t, out, `"severity": "critical"`)
}

// TestShadowServerThatIsTheLiveServerIsWarnedAbout: replaying migrations on the live server can
// let their cluster-wide statements act on it, so drift says so; a separate server is quiet.
func TestShadowServerThatIsTheLiveServerIsWarnedAbout(t *testing.T) {
	t.Parallel()
	live := pgtest.NewDB(t)
	dir := migrationsDir(t)
	migrateLive(t, live, 4, false)
	cfg := migrationsConfig(t, live, dir)
	const warning = "the shadow server is this target's live server"

	code, out, stderr := drift(t, "check", "--config", cfg, "--shadow-dsn", pgtest.AdminDSN(t), "--format", "json")
	require.Equal(t, 0, code, "%s\n%s", out, stderr)
	require.Contains(t, out, warning)

	other := pgtest.StartCluster(t, pgcluster.Options{})
	code, out, stderr = drift(t, "check", "--config", cfg, "--shadow-dsn", other.DSN("postgres"), "--format", "json")
	require.Equal(t, 0, code, "%s\n%s", out, stderr)
	require.NotContains(t, out, warning)
}

// TestReplayIsBounded: a migration that never finishes (pg_sleep(3600)) does not hold drift diff
// or drift snapshot: they give up at --timeout, exit 2 saying so, and leave no shadow database.
func TestReplayIsBounded(t *testing.T) {
	// Not parallel: it counts the shadow server's databases, which other tests create.
	shadow := pgtest.AdminDSN(t)
	live := pgtest.NewDB(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "000001_slow.up.sql"), []byte("CREATE TABLE t (id int);\nSELECT pg_sleep(3600);\n"), 0o644))
	before := databases(t, shadow)
	for _, args := range [][]string{
		{"diff", "--from", dir, "--to", live, "--shadow-dsn", shadow, "--timeout", "2s"},
		{"snapshot", "--from", dir, "--out", "-", "--shadow-dsn", shadow, "--timeout", "2s"},
	} {
		start := time.Now()
		code, out, stderr := drift(t, args...)
		require.Equal(t, 2, code, "%v\n%s\n%s", args, out, stderr)
		require.Contains(t, out+stderr, "timeout 2s")
		require.Less(t, time.Since(start), time.Minute, "bounded by --timeout")
	}
	require.Eventually(t, func() bool { return slices.Equal(before, databases(t, shadow)) }, 30*time.Second, 200*time.Millisecond,
		"no shadow database may be left behind")
}

// TestDiffFlywayPlaceholders: --placeholder gives a Flyway set's ${name} values; a value whose
// name says it is a secret never reaches the output, even through the server's error message.
func TestDiffFlywayPlaceholders(t *testing.T) {
	t.Parallel()
	live := pgtest.Build(t, "CREATE SCHEMA billing; CREATE TABLE billing.accounts (id int);")
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "V1__init.sql"), []byte("CREATE SCHEMA ${schema};\nCREATE TABLE ${schema}.accounts (id int);\n"), 0o644))
	code, out, stderr := drift(t, "diff", "--from", dir, "--to", live, "--shadow-dsn", pgtest.AdminDSN(t), "--placeholder", "schema=billing")
	require.Equal(t, 0, code, "%s\n%s", out, stderr)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "V2__role.sql"), []byte("SELECT '${app_password}'::int;\n"), 0o644))
	code, out, stderr = drift(t, "diff", "--from", dir, "--to", live, "--shadow-dsn", pgtest.AdminDSN(t),
		"--placeholder", "schema=billing", "--placeholder", "app_password=Plc3holderPw")
	require.Equal(t, 2, code, "%s\n%s", out, stderr)
	require.Contains(t, out+stderr, "V2__role.sql")
	require.NotContains(t, out+stderr, "Plc3holderPw")

	code, out, stderr = drift(t, "diff", "--from", dir, "--to", live, "--shadow-dsn", pgtest.AdminDSN(t))
	require.Equal(t, 2, code)
	require.Contains(t, out+stderr, "no value for the Flyway placeholder ${schema}")
}

package migrations

import (
	"context"
	"crypto/sha512"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/pgtest"
)

func loadTool(t *testing.T, name string) *Set {
	t.Helper()
	set, err := LoadDir(filepath.Join("testdata", "tools", name))
	require.NoError(t, err)
	return set
}

func TestLoadToolLayouts(t *testing.T) {
	t.Parallel()
	goose := loadTool(t, "goose")
	require.Equal(t, Numbered, goose.Convention)
	require.Equal(t, []string{"00001_create_users.sql", "00002_users_email_index.sql", "00004_add_name.sql"}, files(goose.Migrations))
	require.Equal(t, []string{"00003_backfill_names.go"}, files(goose.Code), "Go migrations are listed, not dropped")

	pm := loadTool(t, "postgres-migrations")
	require.Equal(t, Dashed, pm.Convention)
	require.Equal(t, []string{"0001", "0002"}, []string{pm.Migrations[0].Version, pm.Migrations[1].Version})

	diesel := loadTool(t, "diesel")
	require.Equal(t, Folders, diesel.Convention)
	require.Equal(t, []string{"2024-01-01-120000_create_users/up.sql", "2024-01-02-090000_add_email/up.sql"}, files(diesel.Migrations))
	require.Equal(t, "20240101120000", diesel.Migrations[0].Version, "diesel records the version without dashes")
	require.Len(t, diesel.Down, 2)

	prisma := loadTool(t, "prisma")
	require.Equal(t, []string{"20240101120000_init/migration.sql", "20240102120000_add_orders/migration.sql"}, files(prisma.Migrations))

	fb := loadTool(t, "flyway-baseline")
	require.Equal(t, []string{"B2__baseline.sql", "V3__create_c.sql", "R__view.sql"}, files(fb.Migrations), "the baseline stands for V1 and V2; the repeatable runs last")
	require.True(t, fb.Migrations[0].Baseline)
	require.Equal(t, []string{"V1__create_a.sql", "V2__create_b.sql"}, files(fb.Superseded))
	require.Equal(t, []string{"U3__drop_c.sql"}, files(fb.Down), "undo files never run")

	mixed := loadTool(t, "mixed-up-plain")
	require.Equal(t, GolangMigrate, mixed.Convention)
	require.Equal(t, []string{"000001_init.up.sql", "000002_more.sql"}, files(mixed.Migrations))
}

func TestGooseAppliedVersions(t *testing.T) {
	t.Parallel()
	set := loadTool(t, "goose")
	dsn := pgtest.NewDB(t)
	// goose starts its table with version 0; 4 was applied and then migrated down again.
	pgtest.Exec(t, dsn, `CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now());
INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (3, true), (4, true), (4, false);`)
	a := readApplied(t, dsn, TrackingOptions{})
	require.Equal(t, TrackingGoose, a.Format)
	require.Equal(t, "goose", a.Tool)
	require.Equal(t, "3", a.Version())
	toReplay, pending, findings := Plan(set, a)
	require.Equal(t, []string{"00001_create_users.sql", "00002_users_email_index.sql"}, files(toReplay))
	require.Equal(t, []string{"00004_add_name.sql"}, files(pending))
	// Version 3 is the Go migration: applied and known, though not replayed.
	require.Empty(t, findings)
}

func TestOtherToolsTrackingTables(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, set, sql string
		tool           string
		replay         []string
		failed         bool
	}{
		{"sql-migrate", "sql-migrate", `CREATE TABLE gorp_migrations (id text PRIMARY KEY, applied_at timestamptz);
INSERT INTO gorp_migrations VALUES ('1_init.sql', now());`, "sql-migrate", []string{"1_init.sql"}, false},
		{"dbmate", "dbmate", `CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY);
INSERT INTO schema_migrations VALUES ('20240101120000');`, "dbmate or Rails", []string{"20240101120000_create_orders.sql"}, false},
		{"postgres-migrations", "postgres-migrations", `CREATE TABLE migrations (id integer PRIMARY KEY, name varchar(100) UNIQUE NOT NULL, hash varchar(40) NOT NULL, executed_at timestamp DEFAULT now());
INSERT INTO migrations (id, name, hash) VALUES (0, 'create-migrations-table', 'x'), (1, 'create-items', 'y');`, "postgres-migrations", []string{"0001-create-items.sql"}, false},
		{"diesel", "diesel", `CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY, run_on timestamp NOT NULL DEFAULT now());
INSERT INTO __diesel_schema_migrations (version) VALUES ('20240101120000');`, "diesel", []string{"2024-01-01-120000_create_users/up.sql"}, false},
		{"sqlx failed", "goose", `CREATE TABLE _sqlx_migrations (version bigint PRIMARY KEY, description text NOT NULL, installed_on timestamptz NOT NULL DEFAULT now(), success boolean NOT NULL, checksum bytea NOT NULL, execution_time bigint NOT NULL);
INSERT INTO _sqlx_migrations VALUES (1, 'create users', now(), true, {{digest}}, 1), (2, 'index', now(), false, '\x00', 1);`, "sqlx", []string{"00001_create_users.sql"}, true},
		{"prisma", "prisma", `CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz, migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0);
INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name) VALUES ('a', 'x', now(), '20240101120000_init');
INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, rolled_back_at) VALUES ('b', 'x', NULL, '20240102120000_add_orders', now());`, "Prisma", []string{"20240101120000_init/migration.sql"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			set := loadTool(t, tc.set)
			dsn := pgtest.NewDB(t)
			sum := sha512.Sum384(set.Migrations[0].Content)
			pgtest.Exec(t, dsn, strings.ReplaceAll(tc.sql, "{{digest}}", `'\x`+hex.EncodeToString(sum[:])+`'`))
			a, err := ReadAppliedFor(context.Background(), connect(t, dsn), TrackingOptions{}, set)
			require.NoError(t, err)
			require.Equal(t, tc.tool, a.Tool)
			toReplay, _, findings := Plan(set, a)
			require.Equal(t, tc.replay, files(toReplay))
			failed := false
			for _, f := range findings {
				failed = failed || f.Severity == "critical"
				// The tool's own rows (postgres-migrations' create-migrations-table) are no
				// migration of the set: only a failure is reported here.
				require.Equal(t, "critical", string(f.Severity), "findings: %v", findings)
			}
			require.Equal(t, tc.failed, failed, "findings: %v", findings)
		})
	}
}

// TestTwoTrackingTablesPickTheOneInUse: an empty table of another tool is never an error; the
// one with rows that matches the files' naming is read, and the note says so.
func TestTwoTrackingTablesPickTheOneInUse(t *testing.T) {
	t.Parallel()
	set := loadTool(t, "mixed-up-plain")
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, golangMigrateTable+flywayTable+`INSERT INTO schema_migrations VALUES (2, false);`)
	a, err := ReadAppliedFor(context.Background(), connect(t, dsn), TrackingOptions{}, set)
	require.NoError(t, err)
	require.Equal(t, TrackingGolangMigrate, a.Format)
	require.Contains(t, a.Note, "it has rows")
	require.Contains(t, a.Note, "flyway_schema_history")
	require.Equal(t, []string{"version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL"}, a.Columns, "the table as the tool creates it")

	// Both with rows: the naming convention decides.
	dsn2 := pgtest.NewDB(t)
	pgtest.Exec(t, dsn2, golangMigrateTable+`INSERT INTO schema_migrations VALUES (2, false);
CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL);
INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true);`)
	a, err = ReadAppliedFor(context.Background(), connect(t, dsn2), TrackingOptions{}, set)
	require.NoError(t, err)
	require.Equal(t, "golang-migrate", a.Tool)
	require.Contains(t, a.Note, "golang-migrate naming")

	// An application table that only has a tool's name is not a tracking table.
	dsn3 := pgtest.NewDB(t)
	pgtest.Exec(t, dsn3, `CREATE TABLE migrations (id int, who text);`)
	a = readApplied(t, dsn3, TrackingOptions{})
	require.False(t, a.Found())
}

// TestSqlxChecksum: sqlx records the SHA-384 of each file it applied; a file changed since is a
// warning, as for Flyway.
func TestSqlxChecksum(t *testing.T) {
	t.Parallel()
	set := loadTool(t, "goose")
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, `CREATE TABLE _sqlx_migrations (version bigint PRIMARY KEY, description text NOT NULL, installed_on timestamptz NOT NULL DEFAULT now(), success boolean NOT NULL, checksum bytea NOT NULL, execution_time bigint NOT NULL);
INSERT INTO _sqlx_migrations VALUES (1, 'create users', now(), true, '\x0102', 1);`)
	a := readApplied(t, dsn, TrackingOptions{})
	_, _, findings := Plan(set, a)
	require.Len(t, findings, 1)
	require.Equal(t, "warning", string(findings[0].Severity))
	require.Contains(t, findings[0].Summary, "changed since it was applied")
}

// TestSupabaseServicesTablesAreNotTheProjects: a Supabase database holds the tracking tables
// of its own services (auth, realtime, storage) beside the CLI's; the project's migrations
// are the CLI's, read without asking which table.
func TestSupabaseServicesTablesAreNotTheProjects(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, `CREATE SCHEMA auth; CREATE SCHEMA realtime; CREATE SCHEMA storage; CREATE SCHEMA supabase_migrations;
CREATE TABLE auth.schema_migrations (version varchar(255) PRIMARY KEY);
INSERT INTO auth.schema_migrations VALUES ('20171026211738'), ('20221208132122');
CREATE TABLE realtime.schema_migrations (version bigint PRIMARY KEY, inserted_at timestamp(0));
INSERT INTO realtime.schema_migrations VALUES (20211116024918, now());
CREATE TABLE storage.migrations (id integer PRIMARY KEY, name varchar(100) UNIQUE NOT NULL, hash varchar(40) NOT NULL, executed_at timestamp DEFAULT now());
INSERT INTO storage.migrations (id, name, hash) VALUES (0, 'create-migrations-table', 'x'), (1, 'initialmigration', 'y');
CREATE TABLE supabase_migrations.schema_migrations (version text PRIMARY KEY, statements text[], name text);
INSERT INTO supabase_migrations.schema_migrations VALUES ('20240101120000', '{}', 'create_orders');`)
	set := loadTool(t, "dbmate")
	a, err := ReadAppliedFor(context.Background(), connect(t, dsn), TrackingOptions{}, set)
	require.NoError(t, err)
	require.Equal(t, "supabase_migrations.schema_migrations", a.Table)
	require.Empty(t, a.Note)
	toReplay, pending, findings := Plan(set, a)
	require.Equal(t, []string{"20240101120000_create_orders.sql"}, files(toReplay))
	require.Equal(t, []string{"20240102120000_add_shipped.sql"}, files(pending))
	require.Empty(t, findings)
}

// TestToolTableUnderAnotherName: a tool's table given another name (golang-migrate's
// x-migrations-table, flyway.table) is read as its tool writes it once configured; Flyway's
// table before version 5 (schema_version) and node-pg-migrate's are found by themselves.
func TestToolTableUnderAnotherName(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, `CREATE TABLE app_versions (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
INSERT INTO app_versions VALUES (2, false);`)
	a := readApplied(t, dsn, TrackingOptions{Table: "app_versions"})
	require.Equal(t, TrackingGolangMigrate, a.Format)
	require.Equal(t, "golang-migrate", a.Tool)
	toReplay, pending, findings := Plan(fourGolangMigrations(t), a)
	require.Equal(t, []string{"000001_init.up.sql", "000002_b.up.sql"}, files(toReplay), "every version up to the one row's is applied")
	require.Len(t, pending, 2)
	require.Empty(t, findings)

	legacy := pgtest.NewDB(t)
	pgtest.Exec(t, legacy, strings.ReplaceAll(flywayTable, "flyway_schema_history", "schema_version")+
		strings.ReplaceAll(flywayRow(1, "1", "V1__init.sql", FlywayChecksum([]byte("CREATE TABLE a (id int);\n")), true), "flyway_schema_history", "schema_version"))
	a = readApplied(t, legacy, TrackingOptions{})
	require.Equal(t, TrackingFlyway, a.Format)
	require.Equal(t, "public.schema_version", a.Table)
	require.Equal(t, "1", a.Version())

	npm := pgtest.NewDB(t)
	pgtest.Exec(t, npm, `CREATE TABLE pgmigrations (id serial PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL);
INSERT INTO pgmigrations (name, run_on) VALUES ('001_initial_schema', now());`)
	set, err := LoadDir("testdata/numbered")
	require.NoError(t, err)
	a = readApplied(t, npm, TrackingOptions{})
	require.Equal(t, "node-pg-migrate", a.Tool)
	toReplay, _, findings = Plan(set, a)
	require.Equal(t, []string{"001_initial_schema.sql"}, files(toReplay))
	require.Empty(t, findings)
}

// TestDrizzle: Drizzle records applied migrations by their journal time in
// drizzle.__drizzle_migrations; every migration up to the latest recorded time is applied.
func TestDrizzle(t *testing.T) {
	t.Parallel()
	set := loadTool(t, "drizzle")
	require.Equal(t, map[string]int64{"0000_curious_lizard.sql": 1733100000000, "0001_quiet_river.sql": 1733200000000}, set.Journal)
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, `CREATE SCHEMA drizzle;
CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('9f2c', 1733100000000);`)
	a, err := ReadAppliedFor(context.Background(), connect(t, dsn), TrackingOptions{}, set)
	require.NoError(t, err)
	require.Equal(t, "Drizzle", a.Tool)
	require.Equal(t, "drizzle.__drizzle_migrations", a.Table)
	toReplay, pending, findings := Plan(set, a)
	require.Equal(t, []string{"0000_curious_lizard.sql"}, files(toReplay))
	require.Equal(t, []string{"0001_quiet_river.sql"}, files(pending))
	require.Empty(t, findings)

	// Without the journal drift cannot tell, and says why.
	bare, err := Load(fstest.MapFS{"0000_curious_lizard.sql": {Data: []byte("SELECT 1;")}})
	require.NoError(t, err)
	_, err = ReadAppliedFor(context.Background(), connect(t, dsn), TrackingOptions{}, bare)
	require.ErrorContains(t, err, "meta/_journal.json")
	// A journal naming a file the folder lacks is an error naming it.
	_, err = Load(fstest.MapFS{"0000_a.sql": {Data: []byte("SELECT 1;")}, "meta/_journal.json": {Data: []byte(`{"entries":[{"when":1,"tag":"0001_gone"}]}`)}})
	require.ErrorContains(t, err, "meta/_journal.json names migration 0001_gone.sql")
}

// TestSqitch: a Sqitch project is ordered by its plan; a change reworked after a tag runs its
// earlier script (deploy/<name>@<tag>.sql) first; its registry says which changes of the
// project are deployed, a reworked one as many times as its instances are.
func TestSqitch(t *testing.T) {
	t.Parallel()
	set := loadTool(t, "sqitch")
	require.Equal(t, Sqitch, set.Convention)
	require.Equal(t, "shop", set.Project)
	require.Equal(t, []string{"deploy/appschema.sql", "deploy/customers@v1.0.sql", "deploy/orders.sql", "deploy/customers.sql"}, files(set.Migrations))
	require.Equal(t, []string{"1", "2", "3", "4"}, []string{set.Migrations[0].Version, set.Migrations[1].Version, set.Migrations[2].Version, set.Migrations[3].Version})
	require.Equal(t, "customers", set.Migrations[3].Description)
	require.Len(t, set.Down, 4, "revert scripts are down files")

	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, `CREATE SCHEMA sqitch;
CREATE TABLE sqitch.changes (change_id text PRIMARY KEY, script_hash text, change text NOT NULL, project text NOT NULL, note text);
INSERT INTO sqitch.changes VALUES ('a1', 'h1', 'appschema', 'shop', ''), ('a2', 'h2', 'customers', 'shop', ''), ('a3', 'h3', 'orders', 'shop', ''),
  ('b1', 'h4', 'customers', 'another_project', '');`)
	a, err := ReadAppliedFor(context.Background(), connect(t, dsn), TrackingOptions{}, set)
	require.NoError(t, err)
	require.Equal(t, "Sqitch", a.Tool)
	require.Equal(t, "sqitch.changes", a.Table)
	toReplay, pending, findings := Plan(set, a)
	require.Equal(t, []string{"deploy/appschema.sql", "deploy/customers@v1.0.sql", "deploy/orders.sql"}, files(toReplay))
	require.Equal(t, []string{"deploy/customers.sql"}, files(pending), "the rework is not deployed: customers is recorded once for this project")
	require.Empty(t, findings)

	// A plan whose change has no script, or whose rework has no tagged script, says which.
	_, err = Load(fstest.MapFS{"sqitch.plan": {Data: []byte("%project=x\nusers 2026-01-01T00:00:00Z A <a@b>\n")}})
	require.ErrorContains(t, err, "sqitch.plan line 2: change users has no deploy script deploy/users.sql")
	_, err = Load(fstest.MapFS{
		"sqitch.plan":      {Data: []byte("users 2026-01-01T00:00:00Z A <a@b>\n@v1 2026-01-02T00:00:00Z A <a@b>\nusers [users@v1] 2026-01-03T00:00:00Z A <a@b>\n")},
		"deploy/users.sql": {Data: []byte("SELECT 1;")},
	})
	require.ErrorContains(t, err, "sqitch.plan line 1: change users is reworked later, but no deploy script deploy/users@<tag>.sql")
	// sqitch.conf's top_dir moves the plan and the scripts.
	moved, err := Load(fstest.MapFS{
		"sqitch.conf":         {Data: []byte("[core]\n\tengine = pg\n\ttop_dir = db\n")},
		"db/sqitch.plan":      {Data: []byte("%project=x\nusers 2026-01-01T00:00:00Z A <a@b>\n")},
		"db/deploy/users.sql": {Data: []byte("CREATE TABLE users (id int);")},
	})
	require.NoError(t, err)
	require.Equal(t, []string{"db/deploy/users.sql"}, files(moved.Migrations))
	_, err = Load(fstest.MapFS{"sqitch.plan": {Data: []byte("this is not a plan\n")}})
	require.ErrorContains(t, err, "sqitch.plan line 1: not a change, tag or pragma")
}

// TestNumberOnlyFiles: files named by a number alone (graphile-migrate's committed 000001.sql,
// postgres-migrations' 1.sql) join the numbered or dashed files beside them; graphile-migrate's
// table records applied files by name.
func TestNumberOnlyFiles(t *testing.T) {
	t.Parallel()
	sql := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	set, err := Load(fstest.MapFS{"000001.sql": sql("--! Previous: -\n--! Hash: sha1:aa\n\nCREATE TABLE a (id int);\n"), "000002.sql": sql("CREATE TABLE b (id int);")})
	require.NoError(t, err)
	require.Equal(t, Numbered, set.Convention)
	require.Equal(t, []string{"000001.sql", "000002.sql"}, files(set.Migrations))
	set, err = Load(fstest.MapFS{"1.sql": sql("SELECT 1;"), "2-add-users.sql": sql("SELECT 1;")})
	require.NoError(t, err)
	require.Equal(t, Dashed, set.Convention)
	set, err = Load(fstest.MapFS{"10.sql": sql("SELECT 1;"), "2_add_users.sql": sql("SELECT 1;")})
	require.NoError(t, err)
	require.Equal(t, []string{"2_add_users.sql", "10.sql"}, files(set.Migrations), "ordered by number")

	graphile, err := Load(fstest.MapFS{"000001.sql": sql("CREATE TABLE a (id int);"), "000002.sql": sql("CREATE TABLE b (id int);")})
	require.NoError(t, err)
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, `CREATE SCHEMA graphile_migrate;
CREATE TABLE graphile_migrate.migrations (hash text PRIMARY KEY, previous_hash text REFERENCES graphile_migrate.migrations, filename text NOT NULL, date timestamptz NOT NULL DEFAULT now());
INSERT INTO graphile_migrate.migrations (hash, filename) VALUES ('sha1:aa', '000001.sql');`)
	a, err := ReadAppliedFor(context.Background(), connect(t, dsn), TrackingOptions{}, graphile)
	require.NoError(t, err)
	require.Equal(t, "graphile-migrate", a.Tool)
	toReplay, pending, findings := Plan(graphile, a)
	require.Equal(t, []string{"000001.sql"}, files(toReplay))
	require.Equal(t, []string{"000002.sql"}, files(pending))
	require.Empty(t, findings)
}

// TestPopLegacyVersions: Ory's popx counts a 20-digit migration applied when pop recorded its
// 14-digit version before, and keeps those rows: they are neither unknown versions nor leave
// the migrations they stand for pending.
func TestPopLegacyVersions(t *testing.T) {
	t.Parallel()
	sql := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	set, err := Load(fstest.MapFS{
		"20191100000001000000_identities.postgres.up.sql": sql("CREATE TABLE identities (id uuid);"),
		"20191100000001000001_identities.postgres.up.sql": sql("CREATE INDEX ON identities (id);"),
		"20200101000000000000_sessions.up.sql":            sql("CREATE TABLE sessions (id uuid);"),
		"20200201000000000000_devices.up.sql":             sql("CREATE TABLE devices (id uuid);"),
	})
	require.NoError(t, err)
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, `CREATE TABLE schema_migration (version varchar(48) NOT NULL, version_self int NOT NULL DEFAULT 0);
INSERT INTO schema_migration (version) VALUES ('20191100000001'), ('20200101000000000000');`)
	a, err := ReadAppliedFor(context.Background(), connect(t, dsn), TrackingOptions{}, set)
	require.NoError(t, err)
	require.Equal(t, "pop", a.Tool)
	toReplay, pending, findings := Plan(set, a)
	require.Equal(t, []string{"20191100000001000000_identities.postgres.up.sql", "20191100000001000001_identities.postgres.up.sql", "20200101000000000000_sessions.up.sql"}, files(toReplay))
	require.Equal(t, []string{"20200201000000000000_devices.up.sql"}, files(pending))
	require.Empty(t, findings)
}

// TestAtlas: Atlas's revisions table: a version is applied when all its statements ran without
// error; one stopped part way is a failure; its own identifier row is no version.
func TestAtlas(t *testing.T) {
	t.Parallel()
	sql := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	set, err := Load(fstest.MapFS{
		"20240101000000_init.sql": sql("CREATE TABLE a (id int);"),
		"20240102000000.sql":      sql("CREATE TABLE b (id int); CREATE TABLE c (id int);"),
		"20240103000000_more.sql": sql("CREATE TABLE d (id int);"),
		"atlas.sum":               sql("h1:x=\n"),
	})
	require.NoError(t, err)
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, `CREATE SCHEMA atlas_schema_revisions;
CREATE TABLE atlas_schema_revisions.atlas_schema_revisions ("version" character varying NOT NULL PRIMARY KEY, "description" character varying NOT NULL, "type" bigint NOT NULL DEFAULT 2, "applied" bigint NOT NULL DEFAULT 0, "total" bigint NOT NULL DEFAULT 0, "executed_at" timestamptz NOT NULL, "execution_time" bigint NOT NULL, "error" text NULL, "error_stmt" text NULL, "hash" character varying NOT NULL, "partial_hashes" jsonb NULL, "operator_version" character varying NOT NULL);
INSERT INTO atlas_schema_revisions.atlas_schema_revisions VALUES
  ('.atlas_cloud_identifier', 'x', 0, 0, 0, now(), 0, NULL, NULL, '', NULL, 'v0.12'),
  ('20240101000000', 'init', 2, 1, 1, now(), 1, NULL, NULL, 'h', NULL, 'v0.12'),
  ('20240102000000', '', 2, 1, 2, now(), 1, 'relation "c" already exists', 'CREATE TABLE c (id int);', 'h', NULL, 'v0.12');`)
	a, err := ReadAppliedFor(context.Background(), connect(t, dsn), TrackingOptions{}, set)
	require.NoError(t, err)
	require.Equal(t, "Atlas", a.Tool)
	toReplay, pending, findings := Plan(set, a)
	require.Equal(t, []string{"20240101000000_init.sql"}, files(toReplay))
	require.Equal(t, []string{"20240102000000.sql", "20240103000000_more.sql"}, files(pending))
	require.Len(t, findings, 1)
	require.Equal(t, diff.Critical, findings[0].Severity)
	require.Contains(t, findings[0].Summary, "migration 20240102000000")
}

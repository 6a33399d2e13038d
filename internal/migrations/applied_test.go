package migrations

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/pgtest"
)

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func readApplied(t *testing.T, dsn string, opts TrackingOptions) *Applied {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := ReadApplied(ctx, connect(t, dsn), opts)
	require.NoError(t, err)
	return a
}

func fourGolangMigrations(t *testing.T) *Set {
	t.Helper()
	set, err := Load(fstest.MapFS{
		"000001_init.up.sql":        {Data: []byte("CREATE TABLE a (id int);")},
		"000001_init.down.sql":      {Data: []byte("DROP TABLE a;")},
		"000002_b.up.sql":           {Data: []byte("CREATE TABLE b (id int);")},
		"000003_c.up.sql":           {Data: []byte("CREATE TABLE c (id int);")},
		"000004_d.up.sql":           {Data: []byte("CREATE TABLE d (id int);")},
		"000004_d.down.sql":         {Data: []byte("DROP TABLE d;")},
		"000003_c.down.sql":         {Data: []byte("DROP TABLE c;")},
		"000002_b.down.sql":         {Data: []byte("DROP TABLE b;")},
		"README.md":                 {Data: []byte("docs")},
		"000005_never.down.sql":     {Data: []byte("DROP SCHEMA public CASCADE;")},
		"000099_only_down.down.sql": {Data: []byte("DROP SCHEMA public CASCADE;")},
	})
	require.NoError(t, err)
	require.Len(t, set.Migrations, 4)
	return set
}

const golangMigrateTable = `CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);`

// The table Flyway 9/10 creates on PostgreSQL.
const flywayTable = `CREATE TABLE flyway_schema_history (
    installed_rank integer NOT NULL PRIMARY KEY,
    version varchar(50),
    description varchar(200) NOT NULL,
    type varchar(20) NOT NULL,
    script varchar(1000) NOT NULL,
    checksum integer,
    installed_by varchar(100) NOT NULL,
    installed_on timestamp NOT NULL DEFAULT now(),
    execution_time integer NOT NULL,
    success boolean NOT NULL);`

func TestReadAppliedNoTable(t *testing.T) {
	dsn := pgtest.NewDB(t)
	a := readApplied(t, dsn, TrackingOptions{})
	require.False(t, a.Found())
	require.Equal(t, "", a.Version())

	set := fourGolangMigrations(t)
	toReplay, pending, findings := Plan(set, a)
	require.Equal(t, files(set.Migrations), files(toReplay))
	require.Empty(t, pending)
	require.Empty(t, findings)

	_, err := ReadApplied(context.Background(), connect(t, dsn), TrackingOptions{Table: "app.migrations_log", Column: "name"})
	require.ErrorContains(t, err, "app.migrations_log does not exist")
}

func TestGolangMigrateBehindIsPending(t *testing.T) {
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, golangMigrateTable+`INSERT INTO schema_migrations VALUES (2, false);`)
	a := readApplied(t, dsn, TrackingOptions{})
	require.Equal(t, TrackingGolangMigrate, a.Format)
	require.Equal(t, "public.schema_migrations", a.Table)
	require.Equal(t, "2", a.Version())
	require.False(t, a.Dirty)

	toReplay, pending, findings := Plan(fourGolangMigrations(t), a)
	require.Equal(t, []string{"000001_init.up.sql", "000002_b.up.sql"}, files(toReplay))
	require.Equal(t, []string{"000003_c.up.sql", "000004_d.up.sql"}, files(pending))
	require.Empty(t, findings)
}

func TestGolangMigrateDirty(t *testing.T) {
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, golangMigrateTable+`INSERT INTO schema_migrations VALUES (3, true);`)
	a := readApplied(t, dsn, TrackingOptions{})
	require.True(t, a.Dirty)

	toReplay, pending, findings := Plan(fourGolangMigrations(t), a)
	require.Len(t, toReplay, 3)
	require.Equal(t, []string{"000004_d.up.sql"}, files(pending))
	require.Len(t, findings, 1)
	f := findings[0]
	require.Equal(t, "migration", f.Kind)
	require.Equal(t, "3", f.Object)
	require.Equal(t, diff.Changed, f.Change)
	require.Equal(t, diff.Critical, f.Severity)
	require.Contains(t, f.Summary, "migration 3 (000003_c.up.sql) is dirty (failed mid-way: its up, or the down of the version after it)")
}

// TestGolangMigrateDirtyWithNoVersion: a failed down of the first migration leaves golang-migrate's
// "no version" (-1) dirty: nothing is applied, and the dirt is reported, never read as version 1.
func TestGolangMigrateDirtyWithNoVersion(t *testing.T) {
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, golangMigrateTable+`INSERT INTO schema_migrations VALUES (-1, true);`)
	a := readApplied(t, dsn, TrackingOptions{})
	require.True(t, a.Dirty)
	require.Equal(t, "", a.Version())
	toReplay, pending, findings := Plan(fourGolangMigrations(t), a)
	require.Empty(t, toReplay)
	require.Len(t, pending, 4)
	require.Len(t, findings, 1)
	require.Equal(t, diff.Critical, findings[0].Severity)
	require.Contains(t, findings[0].Summary, "public.schema_migrations is dirty with no version")
}

// TestFlywayRepairedRepeatable: flyway repair marks a removed repeatable migration deleted (a
// DELETE row of its description): it is no longer applied, and no finding says it is.
func TestFlywayRepairedRepeatable(t *testing.T) {
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, flywayTable+
		flywayRow(1, "1", "V1__init.sql", FlywayChecksum([]byte("CREATE TABLE a (id int);\n")), true)+
		`INSERT INTO flyway_schema_history VALUES (2, NULL, 'old report', 'SQL', 'R__old_report.sql', 7, 'drift', now(), 1, true);
INSERT INTO flyway_schema_history VALUES (3, NULL, 'old report', 'DELETE', 'R__old_report.sql', 7, 'drift', now(), 0, true);`)
	_, _, findings := Plan(flywaySet(t), readApplied(t, dsn, TrackingOptions{}))
	for _, f := range findings {
		require.NotContains(t, f.Summary, "R__old_report.sql")
	}
}

func TestGolangMigrateVersionNotInSet(t *testing.T) {
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, golangMigrateTable+`INSERT INTO schema_migrations VALUES (7, false);`)
	toReplay, pending, findings := Plan(fourGolangMigrations(t), readApplied(t, dsn, TrackingOptions{}))
	require.Len(t, toReplay, 4)
	require.Empty(t, pending)
	require.Len(t, findings, 1)
	require.Equal(t, "7", findings[0].Object)
	require.Equal(t, diff.Unexpected, findings[0].Change)
	require.Contains(t, findings[0].Summary, "no file in the set has that version")
}

func TestGolangMigrateEmptyTableMeansNothingApplied(t *testing.T) {
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, golangMigrateTable)
	toReplay, pending, findings := Plan(fourGolangMigrations(t), readApplied(t, dsn, TrackingOptions{}))
	require.Empty(t, toReplay)
	require.Len(t, pending, 4)
	require.Empty(t, findings)
}

func flywaySet(t *testing.T) *Set {
	t.Helper()
	set, err := Load(fstest.MapFS{
		"V1__init.sql":   {Data: []byte("CREATE TABLE a (id int);\n")},
		"V2__b.sql":      {Data: []byte("CREATE TABLE b (id int);\n")},
		"V3__c.sql":      {Data: []byte("CREATE TABLE c (id int);\n")},
		"V4__d.sql":      {Data: []byte("CREATE TABLE d (id int);\n")},
		"R__views.sql":   {Data: []byte("CREATE OR REPLACE VIEW v AS SELECT 1 AS one;\n")},
		"R__reports.sql": {Data: []byte("CREATE OR REPLACE VIEW r AS SELECT 2 AS two;\n")},
	})
	require.NoError(t, err)
	return set
}

func flywayRow(rank int, version, script string, checksum any, success bool) string {
	v := "NULL"
	typ := "SQL"
	if version != "" {
		v = "'" + version + "'"
	}
	if version == "<baseline>" {
		v, typ = "'2'", "BASELINE"
	}
	return fmt.Sprintf("INSERT INTO flyway_schema_history VALUES (%d, %s, 'x', '%s', '%s', %v, 'drift', now(), 1, %t);", rank, v, typ, script, checksum, success)
}

func TestFlywayChangedChecksumIsAFinding(t *testing.T) {
	set := flywaySet(t)
	sum := func(file string) int32 {
		for _, m := range set.Migrations {
			if m.File == file {
				return FlywayChecksum(m.Content)
			}
		}
		t.Fatalf("no %s", file)
		return 0
	}
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, flywayTable+
		flywayRow(1, "1", "V1__init.sql", sum("V1__init.sql"), true)+
		flywayRow(2, "2", "V2__b.sql", 12345, true)+ // V2 changed since it was applied
		flywayRow(3, "", "R__views.sql", sum("R__views.sql"), true)+
		flywayRow(4, "", "R__reports.sql", 999, true)) // changed repeatable: re-applied next time
	a := readApplied(t, dsn, TrackingOptions{})
	require.Equal(t, TrackingFlyway, a.Format)
	require.Equal(t, "public.flyway_schema_history", a.Table)
	require.Equal(t, "2", a.Version())

	toReplay, pending, findings := Plan(set, a)
	require.Equal(t, []string{"V1__init.sql", "V2__b.sql", "R__reports.sql", "R__views.sql"}, files(toReplay))
	require.Equal(t, []string{"V3__c.sql", "V4__d.sql", "R__reports.sql"}, files(pending))
	require.Len(t, findings, 1)
	f := findings[0]
	require.Equal(t, "migration", f.Kind)
	require.Equal(t, "2", f.Object)
	require.Equal(t, diff.Changed, f.Change)
	require.Equal(t, diff.Warning, f.Severity)
	require.Contains(t, f.Summary, "V2__b.sql) changed since it was applied")
	require.Contains(t, f.Summary, "checksum 12345")
}

func TestFlywayFailedGapAndUnknownVersion(t *testing.T) {
	set := flywaySet(t)
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, flywayTable+
		flywayRow(1, "<baseline>", "<< Flyway Baseline >>", "NULL", true)+ // V1 and V2 baselined
		flywayRow(2, "4", "V4__d.sql", FlywayChecksum([]byte("CREATE TABLE d (id int);\n")), true)+
		flywayRow(3, "5", "V5__gone.sql", 1, true)+
		flywayRow(4, "6", "V6__broken.sql", 2, false))
	a := readApplied(t, dsn, TrackingOptions{})
	require.Equal(t, "5", a.Version())

	toReplay, pending, findings := Plan(set, a)
	require.Equal(t, []string{"V1__init.sql", "V2__b.sql", "V4__d.sql"}, files(toReplay))
	require.Equal(t, []string{"V3__c.sql", "R__reports.sql", "R__views.sql"}, files(pending))
	require.Len(t, findings, 3)

	require.Equal(t, "3", findings[0].Object)
	require.Equal(t, diff.Missing, findings[0].Change)
	require.Contains(t, findings[0].Summary, "has not been applied although later ones have")

	require.Equal(t, "5", findings[1].Object)
	require.Equal(t, diff.Unexpected, findings[1].Change)
	require.Contains(t, findings[1].Summary, "no file in the set has that version")

	require.Equal(t, "6", findings[2].Object)
	require.Equal(t, diff.Critical, findings[2].Severity)
	require.Contains(t, findings[2].Summary, "V6__broken.sql) failed")
}

func TestCustomTrackingTable(t *testing.T) {
	set, err := LoadDir("testdata/numbered")
	require.NoError(t, err)
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, `CREATE SCHEMA ops;
		CREATE TABLE ops.applied (filename text PRIMARY KEY, applied_at timestamptz DEFAULT now());
		INSERT INTO ops.applied (filename) VALUES ('001_initial_schema.sql'), ('002_add_balance');`)

	// The table's shape is not a known tool's: the column must be configured.
	_, err = ReadApplied(context.Background(), connect(t, dsn), TrackingOptions{Table: "ops.applied"})
	require.ErrorContains(t, err, "cannot tell what tracking table ops.applied holds")

	a := readApplied(t, dsn, TrackingOptions{Table: "ops.applied", Column: "filename"})
	require.Equal(t, TrackingList, a.Format)
	require.Equal(t, "ops.applied", a.Table)
	require.Equal(t, "002", a.Version())
	toReplay, pending, findings := Plan(set, a)
	require.Equal(t, []string{"001_initial_schema.sql", "002_add_balance.sql"}, files(toReplay))
	require.Equal(t, []string{"010_add_owner.sql"}, files(pending))
	require.Empty(t, findings)

	_, err = ReadApplied(context.Background(), connect(t, dsn), TrackingOptions{Table: "ops.applied", Column: "nope"})
	require.ErrorContains(t, err, `has no column "nope"`)
}

func TestVersionListTable(t *testing.T) {
	// A schema_migrations(version) table of another tool: one row per applied version.
	set, err := LoadDir("testdata/timestamped")
	require.NoError(t, err)
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, `CREATE TABLE schema_migrations (version varchar PRIMARY KEY);
		INSERT INTO schema_migrations VALUES ('20251120_143000');`)
	a := readApplied(t, dsn, TrackingOptions{})
	require.Equal(t, TrackingList, a.Format)
	toReplay, pending, findings := Plan(set, a)
	require.Equal(t, []string{"20251120_143000_schema_add_email_verification.sql"}, files(toReplay))
	require.Len(t, pending, 2)
	require.Empty(t, findings)
}

func TestReadAppliedIsReadOnlyAndAmbiguityIsAnError(t *testing.T) {
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, golangMigrateTable+flywayTable)
	_, err := ReadApplied(context.Background(), connect(t, dsn), TrackingOptions{})
	require.ErrorContains(t, err, "found both flyway_schema_history and schema_migrations")

	// Naming the table resolves it.
	a := readApplied(t, dsn, TrackingOptions{Table: "flyway_schema_history"})
	require.Equal(t, TrackingFlyway, a.Format)

	// The same name in two schemas, none current: ambiguous.
	dsn2 := pgtest.NewDB(t)
	pgtest.Exec(t, dsn2, `CREATE SCHEMA a; CREATE SCHEMA b;
		CREATE TABLE a.schema_migrations (version bigint, dirty boolean);
		CREATE TABLE b.schema_migrations (version bigint, dirty boolean);`)
	_, err = ReadApplied(context.Background(), connect(t, dsn2), TrackingOptions{})
	require.ErrorContains(t, err, "a.schema_migrations and b.schema_migrations")

	// The connection is left outside any transaction.
	conn := connect(t, dsn)
	_, err = ReadApplied(context.Background(), conn, TrackingOptions{Table: "schema_migrations"})
	require.NoError(t, err)
	require.Equal(t, byte('I'), conn.PgConn().TxStatus())
}

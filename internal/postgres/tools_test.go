package postgres

import (
	"context"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/pgtest"
)

// expectedFor builds the expected schema of set for the live database at dsn, as drift check
// does, on the test cluster as the shadow server.
func expectedFor(t *testing.T, set *migrations.Set, dsn string, o engine.Options) (*engine.Expected, *engine.Live) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e := New(Options{ShadowDSN: pgtest.AdminDSN(t)})
	live, err := e.Introspect(ctx, dsn, o)
	require.NoError(t, err)
	exp, err := e.Expected(ctx, set, live, o)
	require.NoError(t, err)
	return exp, live
}

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

// TestGooseSetAgainstItsDatabase: a database migrated by goose (its Down sections never run,
// a Go migration in between, the last migration rolled back) is clean against its set: the
// rolled-back migration is pending, the Go migration is named in a warning.
func TestGooseSetAgainstItsDatabase(t *testing.T) {
	t.Parallel()
	set, err := migrations.LoadDir(filepath.Join("..", "migrations", "testdata", "tools", "goose"))
	require.NoError(t, err)
	dsn := pgtest.Build(t, `
CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);
CREATE FUNCTION users_touch() RETURNS trigger LANGUAGE plpgsql AS '
BEGIN
    NEW.email := lower(NEW.email);
    RETURN NEW;
END;
';
CREATE INDEX users_email_idx ON users (email);
CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now());
INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (3, true), (4, true), (4, false);`)
	exp, live := expectedFor(t, set, dsn, engine.Options{Target: "goose"})
	require.Len(t, exp.Pending, 1)
	require.Equal(t, "00004_add_name.sql", exp.Pending[0].File)
	require.Empty(t, exp.Findings)
	require.Contains(t, exp.Warnings[0], "00003_backfill_names.go", "the Go migration is named")
	fs := diff.Compare(exp.Snapshot, live.Snapshot, diff.Options{Rules: Rules{}})
	require.Empty(t, fs, describe(fs))
}

// TestPendingMigrationThatWouldFail: pending migrations are replayed on a copy of the expected
// schema; the first that fails is a critical finding naming its file and line.
func TestPendingMigrationThatWouldFail(t *testing.T) {
	t.Parallel()
	set := memSet(t, map[string]string{
		"000001_init.up.sql":  "CREATE TABLE accounts (id int PRIMARY KEY, email text);",
		"000002_ok.up.sql":    "ALTER TABLE accounts ADD COLUMN name text;",
		"000003_dupe.up.sql":  "-- make email unique\nCREATE UNIQUE INDEX accounts_email ON accounts (email);\nALTER TABLE acounts ADD COLUMN typo int;",
		"000004_later.up.sql": "ALTER TABLE accounts ADD COLUMN later int;",
	})
	dsn := pgtest.Build(t, `CREATE TABLE accounts (id int PRIMARY KEY, email text);
CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
INSERT INTO schema_migrations VALUES (1, false);`)
	exp, _ := expectedFor(t, set, dsn, engine.Options{Target: "t"})
	require.Len(t, exp.Pending, 3)
	require.Len(t, exp.Findings, 1)
	f := exp.Findings[0]
	require.Equal(t, diff.Critical, f.Severity)
	require.Equal(t, "000003", f.Object)
	require.Contains(t, f.Summary, "000003_dupe.up.sql, line 3")
	require.Contains(t, f.Summary, `relation "acounts" does not exist`)
}

// TestMigrationsThatTouchTheTrackingTable: a set whose migration alters the tool's own table
// replays (the table is created in the shadow first, as the tool created it), and the table,
// whatever its name, is not compared.
func TestMigrationsThatTouchTheTrackingTable(t *testing.T) {
	t.Parallel()
	set := memSet(t, map[string]string{
		"0001-create-items.sql": "CREATE TABLE items (id int PRIMARY KEY);",
		"0002-stamp.sql":        "ALTER TABLE migrations ADD COLUMN note text;",
	})
	dsn := pgtest.Build(t, `CREATE TABLE items (id int PRIMARY KEY);
CREATE TABLE migrations (id integer PRIMARY KEY, name varchar(100) UNIQUE NOT NULL, hash varchar(40) NOT NULL, executed_at timestamp DEFAULT CURRENT_TIMESTAMP);
INSERT INTO migrations (id, name, hash) VALUES (1, '0001-create-items.sql', 'a'), (2, '0002-stamp.sql', 'b');
ALTER TABLE migrations ADD COLUMN note text;`)
	exp, live := expectedFor(t, set, dsn, engine.Options{Target: "t"})
	require.Empty(t, exp.Pending)
	fs := diff.Compare(exp.Snapshot, live.Snapshot, diff.Options{Rules: Rules{}})
	require.Empty(t, fs, describe(fs))
	require.Nil(t, findObj(live.Snapshot, "table", "public.migrations"))
}

// TestReplaySettingsOfATarget: a project whose runner sets search_path replays the same way.
func TestReplaySettingsOfATarget(t *testing.T) {
	t.Parallel()
	set := memSet(t, map[string]string{"V1__init.sql": "CREATE SCHEMA IF NOT EXISTS storage; CREATE TABLE objects (id int);"})
	dsn := pgtest.Build(t, "CREATE SCHEMA storage; CREATE TABLE storage.objects (id int);")
	exp, live := expectedFor(t, set, dsn, engine.Options{Target: "t", ReplaySettings: map[string]string{"search_path": "storage, public"}})
	fs := diff.Compare(exp.Snapshot, live.Snapshot, diff.Options{Rules: Rules{}})
	require.Empty(t, fs, describe(fs))
}

// TestReplayPreludeOfATarget: a project whose setup creates its schema before the migrator
// runs (measure's CREATE SCHEMA measure) replays with that statement as the target's
// replay_prelude, with or without a live database; without it the replay fails naming the file.
func TestReplayPreludeOfATarget(t *testing.T) {
	t.Parallel()
	set := memSet(t, map[string]string{"20240830075257_create_roles.sql": "-- migrate:up\ncreate table measure.roles (id int);\n-- migrate:down\ndrop table measure.roles;\n"})
	dsn := pgtest.Build(t, "CREATE SCHEMA measure; CREATE TABLE measure.roles (id int);")
	o := engine.Options{Target: "t", ReplayPrelude: []string{"CREATE SCHEMA IF NOT EXISTS measure"}}
	exp, live := expectedFor(t, set, dsn, o)
	fs := diff.Compare(exp.Snapshot, live.Snapshot, diff.Options{Rules: Rules{}})
	require.Empty(t, fs, describe(fs))

	e := New(Options{ShadowDSN: pgtest.AdminDSN(t)})
	alone, err := e.Expected(context.Background(), set, nil, o)
	require.NoError(t, err)
	fs = diff.Compare(alone.Snapshot, live.Snapshot, diff.Options{Rules: Rules{}})
	require.Empty(t, fs, describe(fs))

	_, err = e.Expected(context.Background(), set, nil, engine.Options{Target: "t"})
	require.ErrorContains(t, err, `20240830075257_create_roles.sql, line 2: ERROR: schema "measure" does not exist`)
}

// TestHistoryTableInItsOwnSchema: a migrator that keeps its history in a schema of its own
// leaves nothing to compare: neither the table nor the schema and its grants.
func TestHistoryTableInItsOwnSchema(t *testing.T) {
	t.Parallel()
	set := memSet(t, map[string]string{"V1__init.sql": "CREATE TABLE accounts (id int PRIMARY KEY);"})
	dsn := pgtest.Build(t, `CREATE TABLE accounts (id int PRIMARY KEY);
CREATE SCHEMA flyway; GRANT USAGE ON SCHEMA flyway TO PUBLIC;
CREATE TABLE flyway.flyway_schema_history (installed_rank integer NOT NULL PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL,
  type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum integer, installed_by varchar(100) NOT NULL,
  installed_on timestamp NOT NULL DEFAULT now(), execution_time integer NOT NULL, success boolean NOT NULL);
INSERT INTO flyway.flyway_schema_history VALUES (1, '1', 'init', 'SQL', 'V1__init.sql', NULL, 'me', now(), 1, true);`)
	exp, live := expectedFor(t, set, dsn, engine.Options{Target: "t"})
	fs := diff.Compare(exp.Snapshot, live.Snapshot, diff.Options{Rules: Rules{}})
	require.Empty(t, fs, describe(fs))
}

// TestPopSetAgainstItsDatabase: a database migrated by pop (Ory's projects) from files written
// per database is clean against its set: PostgreSQL's files are the ones replayed, the other
// databases' are not, pop's schema_migration table is read for the applied versions and left
// out of the comparison, and the migration not applied yet is pending.
func TestPopSetAgainstItsDatabase(t *testing.T) {
	t.Parallel()
	set := memSet(t, map[string]string{
		"20191100000001000000_identities.postgres.up.sql":   "CREATE TABLE identities (id uuid PRIMARY KEY, traits jsonb NOT NULL);",
		"20191100000001000000_identities.mysql.up.sql":      "CREATE TABLE identities (id char(36) PRIMARY KEY, traits json NOT NULL) ENGINE=InnoDB;",
		"20191100000001000000_identities.sqlite3.up.sql":    "CREATE TABLE identities (id TEXT PRIMARY KEY, traits TEXT NOT NULL);",
		"20191100000001000000_identities.postgres.down.sql": "DROP TABLE identities;",
		"20191100000002000000_state.up.sql":                 "ALTER TABLE identities ADD COLUMN state text NOT NULL DEFAULT 'active';",
		"20191100000003000000_state_idx.postgres.up.sql":    "CREATE INDEX identities_state_idx ON identities (state);",
		"20191100000003000000_state_idx.mysql.up.sql":       "CREATE INDEX identities_state_idx ON identities (state(32));",
	})
	require.Len(t, set.OtherDatabases, 3)
	dsn := pgtest.Build(t, `
CREATE TABLE identities (id uuid PRIMARY KEY, traits jsonb NOT NULL);
ALTER TABLE identities ADD COLUMN state text NOT NULL DEFAULT 'active';
CREATE TABLE schema_migration (version varchar(48) NOT NULL);
CREATE UNIQUE INDEX schema_migration_version_idx ON schema_migration (version);
INSERT INTO schema_migration VALUES ('20191100000001000000'), ('20191100000002000000');`)
	exp, live := expectedFor(t, set, dsn, engine.Options{Target: "pop"})
	require.Len(t, exp.Pending, 1)
	require.Equal(t, "20191100000003000000_state_idx.postgres.up.sql", exp.Pending[0].File)
	require.Empty(t, exp.Findings)
	fs := diff.Compare(exp.Snapshot, live.Snapshot, diff.Options{Rules: Rules{}})
	require.Empty(t, fs, describe(fs))
}

// TestFlywayPlaceholders: a Flyway set's ${name} placeholders are replaced as the project's
// Flyway configuration sets them (the target's placeholders), ${flyway:user} is the live
// database's owner; a placeholder with no value stops the replay, naming the file and line.
func TestFlywayPlaceholders(t *testing.T) {
	t.Parallel()
	set := memSet(t, map[string]string{
		"V1__init.sql": "CREATE SCHEMA ${schema};\nCREATE TABLE ${schema}.accounts (id int PRIMARY KEY, owner text DEFAULT '${flyway:user}');\n",
		"V2__more.sql": "CREATE INDEX accounts_owner ON ${schema}.accounts (owner); -- in ${flyway:filename}\n",
	})
	dsn := pgtest.Build(t, `CREATE SCHEMA billing;
CREATE TABLE billing.accounts (id int PRIMARY KEY, owner text DEFAULT 'postgres');
CREATE INDEX accounts_owner ON billing.accounts (owner);`)
	o := engine.Options{Target: "t", Placeholders: map[string]string{"schema": "billing"}}
	exp, live := expectedFor(t, set, dsn, o)
	fs := diff.Compare(exp.Snapshot, live.Snapshot, diff.Options{Rules: Rules{}})
	require.Empty(t, fs, describe(fs))

	e := New(Options{ShadowDSN: pgtest.AdminDSN(t)})
	_, err := e.Expected(context.Background(), set, nil, engine.Options{Target: "t", Placeholders: map[string]string{"flyway:user": "app"}})
	require.ErrorContains(t, err, "V1__init.sql line 1: no value for the Flyway placeholder ${schema}: set it")
}

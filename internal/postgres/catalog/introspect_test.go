package catalog

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/snapshot"
)

// TestReadOnlyRole introspects as a role that can log in and read the catalog but write
// nothing at all: no CREATE on the database or any schema, no TEMP, no table privileges.
func TestReadOnlyRole(t *testing.T) {
	owner := pgtest.NewRole(t, "")
	reader := pgtest.NewRole(t, "LOGIN")
	dsn := build(t, pgtest.WithRole(pgtest.RichSchema, owner))
	db := pgx.Identifier{pgtest.CurrentDatabase(t, dsn)}.Sanitize()
	pgtest.Exec(t, dsn, `
REVOKE ALL ON DATABASE `+db+` FROM PUBLIC;
GRANT CONNECT ON DATABASE `+db+` TO `+reader+`;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public, app TO `+reader+`;`)
	readerDSN := pgtest.WithUser(dsn, reader)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, readerDSN)
	require.NoError(t, err)
	defer conn.Close(ctx)
	// The role really cannot write.
	for _, stmt := range []string{
		"CREATE TABLE public.nope (id int)",
		"CREATE TABLE app.nope (id int)",
		"CREATE TEMP TABLE nope (id int)",
		"CREATE SCHEMA nope",
		"INSERT INTO app.orders (account_id) VALUES (1)",
	} {
		_, err := conn.Exec(ctx, stmt)
		require.Error(t, err, "the read-only role could run %q", stmt)
	}

	got, tx, err := introspect(ctx, conn, Options{})
	require.NoError(t, err)
	require.Equal(t, "on", tx.readOnly, "introspection must run in a READ ONLY transaction")
	require.Equal(t, "repeatable read", tx.isolation)
	require.Equal(t, byte('I'), conn.PgConn().TxStatus(), "introspection must end its transaction")

	// It sees exactly what the superuser sees, grants included.
	want := snap(t, dsn, Options{})
	wj, err := want.Marshal()
	require.NoError(t, err)
	gj, err := got.Marshal()
	require.NoError(t, err)
	require.Equal(t, string(wj), string(gj))
	require.NotNil(t, find(got, "function", "app.secret()"))
	require.NotNil(t, find(got, "privilege", "app.accounts:"+owner+":SELECT"))
}

func TestIntrospectRefusesAnOpenTransaction(t *testing.T) {
	dsn := build(t, ``)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "BEGIN")
	require.NoError(t, err)
	_, err = Introspect(ctx, conn, Options{})
	require.ErrorContains(t, err, "inside a transaction")
}

// TestFailedIntrospectionLeavesConnectionUsable makes one catalog query fail (the reading role
// may not call pg_get_functiondef in this database) and checks the error names the step and the
// connection is left outside any transaction.
func TestFailedIntrospectionLeavesConnectionUsable(t *testing.T) {
	reader := pgtest.NewRole(t, "LOGIN")
	dsn := build(t, `CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
REVOKE EXECUTE ON FUNCTION pg_catalog.pg_get_functiondef(oid) FROM PUBLIC;`)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.WithUser(dsn, reader))
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = Introspect(ctx, conn, Options{})
	require.ErrorContains(t, err, "introspecting functions")
	require.ErrorContains(t, err, "permission denied")
	require.Equal(t, byte('I'), conn.PgConn().TxStatus())
	var one int
	require.NoError(t, conn.QueryRow(ctx, "SELECT 1").Scan(&one))
}

func TestExtensionMembersAreExcluded(t *testing.T) {
	dsn := build(t, `CREATE EXTENSION citext; CREATE EXTENSION hstore; CREATE EXTENSION pg_trgm;
CREATE TABLE public.t (id int, e citext, h hstore);
CREATE INDEX t_e_trgm ON public.t USING gin ((e::text) gin_trgm_ops);`)
	s := snap(t, dsn, Options{})
	for _, ext := range []string{"citext", "hstore", "pg_trgm", "plpgsql"} {
		require.NotNil(t, find(s, "extension", ext), "extension %s", ext)
	}
	require.Equal(t, "public", find(s, "extension", "citext").Attrs.Value("schema"))
	require.Empty(t, keysOf(s, "function"), "extension functions leaked")
	require.Empty(t, keysOf(s, "type"), "extension types leaked")
	require.Empty(t, s.Unsupported, "extension aggregates and operators leaked")
	for _, o := range s.Objects {
		if o.Kind == "privilege" {
			require.Contains(t, []string{"table", "schema"}, o.Attrs.Value("on_kind"), "privilege on an extension member: %s", o.Key)
		}
	}
	// The user's objects that use the extensions are there.
	require.Equal(t, "public.citext", find(s, "column", "public.t.e").Attrs.Value("type"))
	require.NotNil(t, find(s, "index", "public.t_e_trgm"))
}

func TestUnsupportedObjectsAreFlagged(t *testing.T) {
	// Aggregates, statistics objects and rules are modelled; operators and their classes and
	// families, and text search parsers, are not yet: those are flagged, never dropped.
	dsn := build(t, `CREATE TABLE public.t (a int, b int);
CREATE AGGREGATE public.mysum(int) (sfunc = int4pl, stype = int);
CREATE FUNCTION public.eq(int, int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';
CREATE OPERATOR public.=== (leftarg = int, rightarg = int, function = public.eq);
CREATE OPERATOR FAMILY public.fam USING btree;`)
	s := snap(t, dsn, Options{})
	require.Equal(t, []snapshot.Unsupported{{Kind: "operator", Name: "public.===(integer, integer)"}, {Kind: "operator family", Name: "public.fam"}}, s.Unsupported)
	require.Nil(t, find(s, "function", "public.mysum(integer)"))
	require.NotNil(t, find(s, "aggregate", "public.mysum(integer)"))
}

// TestTrackingAndDriftTablesAreExcluded: the tables of migration tools and drift's own store
// are left out in every schema, with everything hanging off them, when they have their tool's
// columns; a table of the project's that only shares the name is watched.
func TestTrackingAndDriftTablesAreExcluded(t *testing.T) {
	dsn := build(t, `
CREATE SCHEMA other;
CREATE TABLE public.schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL);
CREATE TABLE other.flyway_schema_history (installed_rank int PRIMARY KEY, version text);
CREATE TABLE public.goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL);
CREATE TABLE public.__diesel_schema_migrations (version varchar(50) PRIMARY KEY);
CREATE TABLE public.alembic_version (version_num varchar(32) NOT NULL);
CREATE TABLE public.schema_drift_alerts (target text, fingerprint text PRIMARY KEY, note text);
CREATE INDEX schema_drift_alerts_note ON public.schema_drift_alerts (note);
CREATE TABLE public.drift_runs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, target text, scheduled_for timestamptz);
CREATE TABLE public.drift_snapshots (id serial PRIMARY KEY, target text, hash text);
CREATE TABLE public.drift_schema_version (version int);
COMMENT ON TABLE public.drift_runs IS 'drift''s own';
CREATE TABLE public.skipme (id int);
CREATE TABLE public.drift_events (id int);
CREATE TABLE public.users (id int PRIMARY KEY);
CREATE TABLE other.things (id int);
CREATE TABLE public.django_migrations (order_id uuid PRIMARY KEY, note text);
CREATE TABLE other.databasechangelog (x int);`)

	s := snap(t, dsn, Options{ExcludeTables: []string{"public.skipme"}})
	require.Equal(t, []string{"other.databasechangelog", "other.things", "public.django_migrations", "public.drift_events", "public.users"}, keysOf(s, "table"),
		"a user's drift_events table is watched, and so are tables that only share a tool's table name")
	require.Empty(t, keysOf(s, "sequence"), "sequences owned by tracking tables leaked")
	require.Empty(t, keysOf(s, "index"))
	require.Equal(t, []string{"public.django_migrations.django_migrations_pkey", "public.users.users_pkey"}, keysOf(s, "constraint"))
	require.Equal(t, []string{"plpgsql", "public"}, keysOf(s, "comment"), "comments on drift tables leaked")
	for _, o := range s.Objects {
		if n := o.Key.String(); strings.Contains(n, "django_migrations") || strings.Contains(n, "databasechangelog") {
			continue
		}
		for _, name := range []string{"migrations", "flyway", "goose", "alembic", "drift_runs", "drift_snapshots", "drift_schema_version", "schema_drift_alerts", "skipme"} {
			require.NotContains(t, o.Key.String(), name, "%s %s leaked", o.Kind, o.Key)
		}
	}

	// The schema filter.
	s = snap(t, dsn, Options{Schemas: []string{"other"}})
	require.Equal(t, []string{"other"}, keysOf(s, "schema"))
	require.Equal(t, []string{"other.databasechangelog", "other.things"}, keysOf(s, "table"))
	require.Equal(t, []string{"other.databasechangelog.x", "other.things.id"}, keysOf(s, "column"))
}

// TestToolSchemasAreExcluded: the schema a migration tool creates for its tracking tables
// (Drizzle's drizzle, the Supabase CLI's supabase_migrations, Sqitch's sqitch) is left out
// when it holds nothing else, and watched as soon as it does; two tools' tables of one name
// (postgres-migrations' and TypeORM's migrations) are each recognised by their own columns.
func TestToolSchemasAreExcluded(t *testing.T) {
	dsn := build(t, `
CREATE SCHEMA drizzle;
CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
CREATE SCHEMA supabase_migrations;
CREATE TABLE supabase_migrations.schema_migrations (version text PRIMARY KEY, statements text[], name text);
CREATE SCHEMA sqitch;
CREATE TABLE sqitch.projects (project text PRIMARY KEY, uri text, created_at timestamptz, creator_name text, creator_email text);
CREATE TABLE sqitch.changes (change_id text PRIMARY KEY, script_hash text, change text, project text REFERENCES sqitch.projects);
CREATE TABLE sqitch.notes (id int);
CREATE SCHEMA graphile_migrate;
CREATE FUNCTION graphile_migrate.helper() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE TABLE graphile_migrate.migrations (hash text PRIMARY KEY, previous_hash text, filename text, date timestamptz);
CREATE TABLE public.migrations (id integer PRIMARY KEY, name varchar(100) UNIQUE NOT NULL, hash varchar(40) NOT NULL, executed_at timestamp);
CREATE SCHEMA typeorm;
CREATE TABLE typeorm.migrations (id SERIAL PRIMARY KEY, "timestamp" bigint NOT NULL, name varchar NOT NULL);
CREATE SCHEMA mine;
CREATE TABLE mine.migrations (id int PRIMARY KEY, name text, hash text);`)

	s := snap(t, dsn, Options{})
	require.Equal(t, []string{"graphile_migrate", "mine", "public", "sqitch", "typeorm"}, keysOf(s, "schema"),
		"a tool's schema holding only its tables is left out; one with a function or a table of the project's is watched")
	require.Equal(t, []string{"mine.migrations", "sqitch.notes"}, keysOf(s, "table"),
		"tracking tables are left out by their own tool's columns, also when two tools share a name")
	require.Equal(t, []string{"graphile_migrate.helper()"}, keysOf(s, "function"))
	require.Empty(t, keysOf(s, "sequence"))
}

func TestIntrospectDSNDoesNotLeakPasswords(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const secret = "s3cretPassw0rd"
	for _, dsn := range []string{
		"postgres://drift:" + secret + "@127.0.0.1:1/db?connect_timeout=2",
		"host=127.0.0.1 port=1 user=drift password=" + secret + " dbname=db connect_timeout=2",
		"postgres://drift:" + secret + "@127.0.0.1:notaport/db",
		"host=127.0.0.1 port=1 password='" + secret + " user=drift",
		"postgres://drift:" + secret + "@%zz/db",
	} {
		_, err := IntrospectDSN(ctx, dsn, Options{})
		require.Error(t, err)
		require.NotContains(t, err.Error(), secret, "error text leaks the password: %v", err)
		require.True(t, strings.HasPrefix(err.Error(), "introspecting"), "error %q is not prefixed", err)
	}
}

func TestServerVersionNum(t *testing.T) {
	dsn := build(t, ``)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	n, err := ServerVersionNum(ctx, conn)
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, MinServerVersionNum)
	s, err := Introspect(ctx, conn, Options{})
	require.NoError(t, err)
	require.Equal(t, n, s.ServerVersionNum)
	require.Equal(t, n/10000, majorOf(s.ServerVersion))
}

func TestEncodeTextArray(t *testing.T) {
	require.Equal(t, `{}`, string(encodeTextArray(nil)))
	require.Equal(t, `{"a","b\"c","d\\e","f,g"}`, string(encodeTextArray([]string{"a", `b"c`, `d\e`, "f,g"})))
	require.Equal(t, 3, paramCount("SELECT $1, $3, $2"))
	require.Equal(t, 0, paramCount("SELECT 1"))
}

// TestCommentKeyCollision comments a column and a constraint of one table that share a name:
// both comments are kept, told apart by the commented object's kind.
func TestCommentKeyCollision(t *testing.T) {
	dsn := build(t, `CREATE TABLE public.t (x int CONSTRAINT x CHECK (x > 0), y int);
COMMENT ON COLUMN public.t.x IS 'the column';
COMMENT ON CONSTRAINT x ON public.t IS 'the constraint';
COMMENT ON COLUMN public.t.y IS 'plain';`)
	s := snap(t, dsn, Options{})
	require.Equal(t, "the column", find(s, "comment", "public.t.x (column)").Attrs.Value("text"))
	require.Equal(t, "the constraint", find(s, "comment", "public.t.x (constraint)").Attrs.Value("text"))
	require.Equal(t, "plain", find(s, "comment", "public.t.y").Attrs.Value("text"))
	require.Equal(t, snapshot.NewKey("public", "t", "x"), find(s, "comment", "public.t.x (column)").Parent)
}

// TestTwoConnectionsReadTheSameSchema compares the default two-connection introspection with
// the one-connection one, including the fallbacks: a role allowed one connection only, and a
// role that may not export snapshots.
func TestTwoConnectionsReadTheSameSchema(t *testing.T) {
	owner := pgtest.NewRole(t, "")
	single := pgtest.NewRole(t, "LOGIN CONNECTION LIMIT 1")
	noExport := pgtest.NewRole(t, "LOGIN")
	dsn := build(t, pgtest.WithRole(pgtest.RichSchema, owner)+`
REVOKE EXECUTE ON FUNCTION pg_catalog.pg_export_snapshot() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pg_catalog.pg_export_snapshot() TO `+single+`;
GRANT USAGE ON SCHEMA app TO `+single+`, `+noExport+`;`)

	one := snap(t, dsn, Options{Connections: 1})
	want, err := one.Marshal()
	require.NoError(t, err)
	for name, d := range map[string]string{
		"two connections":       dsn,
		"connection limit":      pgtest.WithUser(dsn, single),
		"export not allowed":    pgtest.WithUser(dsn, noExport),
		"two connections again": dsn,
	} {
		got, err := snap(t, d, Options{}).Marshal()
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), name)
	}
}

package postgres

import (
	"bytes"
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/postgres/catalog"
)

func requireNoFindings(t *testing.T, expDSN, actDSN string, opts diff.Options) {
	t.Helper()
	exp, act := snap(t, expDSN, catalog.Options{}), snap(t, actDSN, catalog.Options{})
	fs := diff.Compare(exp, act, opts)
	require.Empty(t, fs, "findings:\n%s", describe(fs))
}

func TestDatabaseSearchPathGivesNoFinding(t *testing.T) {
	role := pgtest.NewRole(t, "")
	exp := pgtest.Build(t, pgtest.WithRole(pgtest.RichSchema, role))
	act := pgtest.NewDB(t)
	pgtest.Exec(t, act, "ALTER DATABASE "+pgx.Identifier{pgtest.CurrentDatabase(t, act)}.Sanitize()+" SET search_path = app, public, pg_temp")
	// A new connection picks the database setting up, so the schema is created under it.
	pgtest.Exec(t, act, pgtest.WithRole(pgtest.RichSchema, role))
	requireNoFindings(t, exp, act, diff.Options{Rules: Rules{}})
}

// TestDatabaseDisplaySettingsGiveNoFinding: a live server in another time zone, date style and
// interval style deparses the same constants differently unless introspection fixes them.
func TestDatabaseDisplaySettingsGiveNoFinding(t *testing.T) {
	const schema = `
CREATE TABLE events (at timestamptz NOT NULL, day date DEFAULT '2024-01-31', span interval DEFAULT '1 day 02:00:00',
  ratio float8 DEFAULT 0.1, blob bytea DEFAULT '\x0102',
  CHECK (at > '2020-06-01 12:00:00+00')) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2025-01-01 00:00:00+00');
CREATE VIEW recent AS SELECT * FROM events WHERE at > '2024-03-01 00:00:00+00'::timestamptz - interval '3 days';`
	exp := pgtest.Build(t, schema)
	act := pgtest.NewDB(t)
	pgtest.Exec(t, act, "ALTER DATABASE "+pgx.Identifier{pgtest.CurrentDatabase(t, act)}.Sanitize()+
		" SET timezone = 'America/New_York'; ALTER DATABASE "+pgx.Identifier{pgtest.CurrentDatabase(t, act)}.Sanitize()+
		" SET datestyle = 'SQL, DMY'; ALTER DATABASE "+pgx.Identifier{pgtest.CurrentDatabase(t, act)}.Sanitize()+
		" SET intervalstyle = 'sql_standard'; ALTER DATABASE "+pgx.Identifier{pgtest.CurrentDatabase(t, act)}.Sanitize()+
		" SET extra_float_digits = 0; ALTER DATABASE "+pgx.Identifier{pgtest.CurrentDatabase(t, act)}.Sanitize()+" SET bytea_output = 'escape'")
	// A new connection picks the settings up, so the constants are even parsed under them.
	pgtest.Exec(t, act, "SET timezone = 'UTC'; SET datestyle = 'ISO, MDY';"+schema)
	requireNoFindings(t, exp, act, diff.Options{Rules: Rules{}})
}

// TestForeignKeyToPartitionedTable: PostgreSQL copies such a foreign key once per referenced
// partition, naming the copies in partition-creation order; only the declared key is compared.
func TestForeignKeyToPartitionedTable(t *testing.T) {
	const parent = `CREATE TABLE customers (id int, region text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE orders (id int PRIMARY KEY, cid int, region text, FOREIGN KEY (cid, region) REFERENCES customers);`
	exp := pgtest.Build(t, parent+`
CREATE TABLE customers_eu PARTITION OF customers FOR VALUES IN ('eu');
CREATE TABLE customers_us PARTITION OF customers FOR VALUES IN ('us');`)
	act := pgtest.Build(t, parent+`
CREATE TABLE customers_us PARTITION OF customers FOR VALUES IN ('us');
CREATE TABLE customers_eu PARTITION OF customers FOR VALUES IN ('eu');`)
	requireNoFindings(t, exp, act, diff.Options{Rules: Rules{}})

	// A partition added on the live side is, by default, a runtime object and no finding;
	// with partitions compared it is one finding: the table, not a constraint copy.
	pgtest.Exec(t, act, "CREATE TABLE customers_ap PARTITION OF customers FOR VALUES IN ('ap')")
	require.Empty(t, diff.Compare(snap(t, exp, catalog.Options{}), snap(t, act, catalog.Options{}), diff.Options{Rules: Rules{}}))
	fs := diff.Compare(snap(t, exp, catalog.Options{Partitions: true}), snap(t, act, catalog.Options{Partitions: true}), diff.Options{Rules: Rules{}})
	require.Len(t, fs, 1, "%+v", fs)
	require.Equal(t, "table", fs[0].Kind)
	require.Equal(t, "public.customers_ap", fs[0].Object)
}

func TestGrantThenRevokeGivesNoFinding(t *testing.T) {
	role := pgtest.NewRole(t, "")
	exp := pgtest.Build(t, pgtest.WithRole(pgtest.RichSchema, role))
	act := pgtest.Build(t, pgtest.WithRole(pgtest.RichSchema, role)+`
GRANT SELECT, UPDATE ON app.orders TO `+role+`; REVOKE SELECT, UPDATE ON app.orders FROM `+role+`;
GRANT EXECUTE ON FUNCTION app.touch(bigint) TO `+role+`; REVOKE EXECUTE ON FUNCTION app.touch(bigint) FROM `+role+`;
GRANT UPDATE (total) ON app.orders TO `+role+`; REVOKE UPDATE (total) ON app.orders FROM `+role+`;
GRANT CREATE ON SCHEMA app TO PUBLIC; REVOKE CREATE ON SCHEMA app FROM PUBLIC;
REVOKE ALL ON app.base FROM PUBLIC;
`)
	// The ACLs really are no longer NULL on the actual side: the fold into acldefault() is what
	// makes the comparison clean.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, act)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var explicit bool
	require.NoError(t, conn.QueryRow(ctx, "SELECT relacl IS NOT NULL FROM pg_class WHERE oid = 'app.orders'::regclass").Scan(&explicit))
	require.True(t, explicit)
	requireNoFindings(t, exp, act, diff.Options{Rules: Rules{}})
}

func TestAdvancedSequencesGiveNoFinding(t *testing.T) {
	role := pgtest.NewRole(t, "")
	exp := pgtest.Build(t, pgtest.WithRole(pgtest.RichSchema, role))
	act := pgtest.Build(t, pgtest.WithRole(pgtest.RichSchema, role)+`
INSERT INTO app.accounts (email, name, score) SELECT 'u' || g || '@x', 'u', g FROM generate_series(1, 500) g;
INSERT INTO app.orders (account_id, total) SELECT 1, g FROM generate_series(1, 500) g;
SELECT nextval('app.invoice_no') FROM generate_series(1, 50);
SELECT setval('app.orders_id_seq', 90000);
ANALYZE;
`)
	requireNoFindings(t, exp, act, diff.Options{Rules: Rules{}})
}

func TestColumnOrder(t *testing.T) {
	exp := pgtest.Build(t, `CREATE TABLE public.x (a int, b text, c int);`)
	act := pgtest.Build(t, `CREATE TABLE public.x (a int); ALTER TABLE public.x ADD COLUMN c int; ALTER TABLE public.x ADD COLUMN b text;`)
	// A dropped column leaves a hole in attnum but not in position.
	holes := pgtest.Build(t, `CREATE TABLE public.x (a int, junk int, b text, c int); ALTER TABLE public.x DROP COLUMN junk;`)

	se, sa, sh := snap(t, exp, catalog.Options{}), snap(t, act, catalog.Options{}), snap(t, holes, catalog.Options{})
	require.Empty(t, diff.Compare(se, sa, diff.Options{Rules: Rules{}}), "column order is not compared by default")
	require.Empty(t, diff.Compare(se, sh, diff.Options{Rules: Rules{}, ColumnOrder: true}), "dropped columns do not shift positions")

	require.Equal(t, "2", findObj(se, "column", "public.x.b").Attrs.Value("position"))
	require.Equal(t, "3", findObj(sa, "column", "public.x.b").Attrs.Value("position"))
	require.Equal(t, "3", findObj(se, "column", "public.x.c").Attrs.Value("position"))
	require.Equal(t, "2", findObj(sa, "column", "public.x.c").Attrs.Value("position"))
	require.Equal(t, "2", findObj(sh, "column", "public.x.b").Attrs.Value("position"))

	fs := diff.Compare(se, sa, diff.Options{Rules: Rules{}, ColumnOrder: true})
	var objects []string
	for _, f := range fs {
		require.Equal(t, "column", f.Kind)
		require.Equal(t, diff.Changed, f.Change)
		objects = append(objects, f.Object)
	}
	require.ElementsMatch(t, []string{"public.x.b", "public.x.c"}, objects)
}

func TestPgDumpRestoreIsClean(t *testing.T) {
	t.Parallel()
	role := pgtest.NewRole(t, "")
	exp := pgtest.Build(t, pgtest.WithRole(pgtest.RichSchema, role))
	act := dumpRestore(t, exp)
	se, sa := snap(t, exp, catalog.Options{}), snap(t, act, catalog.Options{})
	require.NotEmpty(t, keysOf(sa, "table"))
	fs := diff.Compare(se, sa, diff.Options{Rules: Rules{}, ColumnOrder: true})
	t.Logf("%d objects, %d findings after a pg_dump restore", len(sa.Objects), len(fs))
	for _, f := range fs {
		require.Equal(t, diff.Info, f.Severity, "a pg_dump restore drifted: %s %s %s\nexpected: %s\nactual: %s", f.Kind, f.Object, f.Change, f.Expected, f.Actual)
	}
}

// dumpRestore copies the schema of the database at src into a new database with
// pg_dump --schema-only | psql, and returns the new database.
func dumpRestore(t *testing.T, src string) string {
	t.Helper()
	dst := pgtest.NewDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var dump, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, pgtest.ClientBin(t, "pg_dump"), "--no-password", "--schema-only", "-d", src)
	cmd.Stdout, cmd.Stderr = &dump, &stderr
	require.NoError(t, cmd.Run(), "pg_dump: %s", stderr.String())
	require.Contains(t, dump.String(), "CREATE TABLE")

	stderr.Reset()
	cmd = exec.CommandContext(ctx, pgtest.ClientBin(t, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--no-password", "-d", dst)
	cmd.Stdin, cmd.Stderr = &dump, &stderr
	require.NoError(t, cmd.Run(), "psql: %s", stderr.String())
	return dst
}

// TestInvalidIndexIsReported leaves a unique index INVALID the way production does: CREATE
// UNIQUE INDEX CONCURRENTLY over duplicate data fails and leaves the index behind.
func TestInvalidIndexIsReported(t *testing.T) {
	const base = `CREATE TABLE public.u (id int, email text);`
	exp := pgtest.Build(t, base+`CREATE UNIQUE INDEX u_email_key ON public.u (email);`)
	act := pgtest.Build(t, base+`INSERT INTO public.u VALUES (1, 'a'), (2, 'a');`)

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, act)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `CREATE UNIQUE INDEX CONCURRENTLY u_email_key ON public.u (email)`)
	require.Error(t, err, "the concurrent build must fail on duplicates")

	se, sa := snap(t, exp, catalog.Options{}), snap(t, act, catalog.Options{})
	ei, ai := findObj(se, "index", "public.u_email_key"), findObj(sa, "index", "public.u_email_key")
	require.NotNil(t, ei)
	require.NotNil(t, ai, "the invalid index is still in the catalog and must be listed")
	require.Equal(t, "true", ei.Attrs.Value("valid"))
	require.Equal(t, "false", ai.Attrs.Value("valid"))
	require.Equal(t, ei.Attrs.Value("definition"), ai.Attrs.Value("definition"), "only validity tells them apart")

	fs := diff.Compare(se, sa, diff.Options{Rules: Rules{}})
	requireOnlyFinding(t, se, sa, fs, "index", "public.u_email_key", diff.Changed)
}

// TestInvalidIndexByCatalogUpdate marks an index invalid directly, as a superuser can.
func TestInvalidIndexByCatalogUpdate(t *testing.T) {
	dsn := pgtest.Build(t, `CREATE TABLE public.u (id int); CREATE INDEX u_id_idx ON public.u (id);
UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'public.u_id_idx'::regclass;`)
	s := snap(t, dsn, catalog.Options{})
	require.Equal(t, "false", findObj(s, "index", "public.u_id_idx").Attrs.Value("valid"))
}

// TestRuntimePartitionsAreNotDrift: a partition made at run time (today's, under today's name)
// is no drift; a partition that departs from its parent is, as a change of the parent's
// partitioning.
func TestRuntimePartitionsAreNotDrift(t *testing.T) {
	t.Parallel()
	const schema = `CREATE TABLE public.events (id bigint, at date NOT NULL, kind text) PARTITION BY RANGE (at);
CREATE INDEX events_at_idx ON public.events (at);
CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`
	exp := pgtest.Build(t, schema)
	act := pgtest.Build(t, schema+`
CREATE TABLE public.events_2025_03_14 PARTITION OF public.events FOR VALUES FROM ('2025-03-14') TO ('2025-03-15');`)
	requireNoFindings(t, exp, act, diff.Options{Rules: Rules{}})

	pgtest.Exec(t, act, `CREATE INDEX adhoc ON public.events_2025_03_14 (kind)`)
	fs := diff.Compare(snap(t, exp, catalog.Options{}), snap(t, act, catalog.Options{}), diff.Options{Rules: Rules{}})
	require.Len(t, fs, 1, describe(fs))
	require.Equal(t, "partitioning", fs[0].Kind)
	require.Equal(t, "public.events", fs[0].Object)
	require.Equal(t, diff.Warning, fs[0].Severity)
	require.Contains(t, fs[0].Actual, "a partition has an index of its own: CREATE INDEX ON <partition> USING btree (kind)")
}

// TestAtTimeZoneIsTheTimezoneCall: `x AT TIME ZONE z` is the call timezone(z, x); PostgreSQL
// 14 and later render each as written, earlier majors (and their dumps, restored anywhere) as
// the call. A migration written one way and a database the other differ in rendering alone:
// info, as any other rendering, never drift.
func TestAtTimeZoneIsTheTimezoneCall(t *testing.T) {
	t.Parallel()
	exp := pgtest.Build(t, `
CREATE TABLE events (id bigint NOT NULL, created_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
  CONSTRAINT events_tz_check CHECK ((created_at AT TIME ZONE 'UTC') > '2000-01-01'::timestamptz));
CREATE INDEX events_day ON events ((created_at AT TIME ZONE 'utc'));`)
	act := pgtest.Build(t, `
CREATE TABLE events (id bigint NOT NULL, created_at timestamp NOT NULL DEFAULT timezone('utc', now()),
  CONSTRAINT events_tz_check CHECK (timezone('UTC', created_at) > '2000-01-01'::timestamptz));
CREATE INDEX events_day ON events (timezone('utc', created_at));`)
	fs := diff.Compare(snap(t, exp, catalog.Options{}), snap(t, act, catalog.Options{}), diff.Options{Rules: Rules{}})
	if pgtest.Major() < 14 {
		require.Empty(t, fs, "before 14 the server renders both as the call")
	} else {
		require.Len(t, fs, 3, "the default, the check and the index, each said to be rendered differently:\n%s", describe(fs))
	}
	for _, f := range fs {
		require.Equal(t, diff.Info, f.Severity, "%s %s: %s", f.Kind, f.Object, f.Summary)
		require.Contains(t, f.Summary, "rendered differently")
	}

	// Another zone is another schema.
	other := pgtest.Build(t, `
CREATE TABLE events (id bigint NOT NULL, created_at timestamp NOT NULL DEFAULT timezone('cet', now()),
  CONSTRAINT events_tz_check CHECK (timezone('UTC', created_at) > '2000-01-01'::timestamptz));
CREATE INDEX events_day ON events (timezone('utc', created_at));`)
	fs = diff.Compare(snap(t, exp, catalog.Options{}), snap(t, other, catalog.Options{}), diff.Options{Rules: Rules{}})
	var worse []string
	for _, f := range fs {
		if f.Severity != diff.Info {
			worse = append(worse, f.Kind+" "+f.Object)
		}
	}
	require.Equal(t, []string{"column public.events.created_at"}, worse, describe(fs))
}

// TestSQLSyntaxAndItsCallAreInfo: what a dump from PostgreSQL 13 restores (the plain calls
// substring(), position(), btrim(), timezone()) beside what the same migrations build on 14 and
// later (SUBSTRING(x FROM 1 FOR 2), …) differs in rendering alone, in every place an expression
// is rendered: a default, a check, an index, a partition key, a function's argument default, a
// view. Written here both ways on one server, which keeps each as written.
func TestSQLSyntaxAndItsCallAreInfo(t *testing.T) {
	t.Parallel()
	const sqlSyntax = `
CREATE TABLE t (x text DEFAULT SUBSTRING('abc' FROM 1 FOR 2) CHECK (POSITION('z' IN x) = 0), y text);
CREATE INDEX t_trim ON t (TRIM(BOTH FROM y));
CREATE TABLE p (at timestamptz NOT NULL) PARTITION BY RANGE ((at AT TIME ZONE 'UTC'));
CREATE FUNCTION f(a timestamp DEFAULT (now() AT TIME ZONE 'UTC')) RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE VIEW v AS SELECT OVERLAY(x PLACING 'ab' FROM 2 FOR 1) AS o FROM t;`
	const calls = `
CREATE TABLE t (x text DEFAULT "substring"('abc', 1, 2) CHECK ("position"(x, 'z') = 0), y text);
CREATE INDEX t_trim ON t (btrim(y));
CREATE TABLE p (at timestamptz NOT NULL) PARTITION BY RANGE (timezone('UTC', at));
CREATE FUNCTION f(a timestamp DEFAULT timezone('UTC', now())) RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE VIEW v AS SELECT "overlay"(x, 'ab', 2, 1) AS o FROM t;`
	exp, act := pgtest.Build(t, sqlSyntax), pgtest.Build(t, calls)
	fs := diff.Compare(snap(t, exp, catalog.Options{}), snap(t, act, catalog.Options{}), diff.Options{Rules: Rules{}})
	if pgtest.Major() >= 14 {
		require.NotEmpty(t, fs, "14 and later keep each as written")
	}
	for _, f := range fs {
		require.Equal(t, diff.Info, f.Severity, "%s %s: %s\nexpected: %s\nactual: %s", f.Kind, f.Object, f.Summary, f.Expected, f.Actual)
	}
}

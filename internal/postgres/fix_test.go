package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/fixtest"
	"github.com/drift-schema/drift/internal/pgtest"
)

// fixRunner is the real orchestration over the real engine.
func fixRunner() *check.Runner {
	return check.NewRunner(check.RunnerOptions{Engines: []engine.Engine{New(Options{})}})
}

// fixCase is a schema difference whose fix must hold both ways. left lists, per mode, the
// findings (kind and object) allowed to remain after the fix, each because the fix says it
// cannot write SQL for it.
type fixCase struct {
	name             string
	expected, actual string
	left             map[check.FixMode][]string
}

// proveFix builds both sides, asks the real pipeline for the fix each way, applies it to a
// copy of the side it starts from, and compares again: nothing may be left but the findings
// the case lists, and each of those must carry a fix that says drift cannot write it.
// Reverting runs online on the live database; adopting is a migration file. It returns the
// comparison of the two sides (their schemas included) for a caller with more to assert.
func proveFix(t *testing.T, base string, tc fixCase) check.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	r := fixRunner()
	live := func(dsn string) check.Source {
		return check.Source{Kind: check.SourceLive, Engine: Name, DSN: dsn}
	}
	expDSN, actDSN := pgtest.Build(t, base+tc.expected), pgtest.Build(t, base+tc.actual)
	// One comparison serves both fixes: AttachFix writes each from the two schemas it kept, as
	// drift check --fix does.
	checked := r.Check(ctx, live(expDSN), live(actDSN), check.Options{Name: "fix", Partitions: true})
	require.NotEqual(t, check.StatusError, checked.Status, checked.Error)
	// After a fix, the side left alone is compared as the snapshot just read (a committed
	// snapshot, as `expected: snapshot` reads one): only the fixed copy is read again.
	expKept, actKept := fixtest.Kept(t, checked.Expected), fixtest.Kept(t, checked.Actual)
	for _, mode := range []check.FixMode{check.FixRevert, check.FixAdopt} {
		res := checked
		res.Findings = append([]diff.Finding(nil), checked.Findings...)
		require.NoError(t, r.AttachFix(&res, mode, mode == check.FixAdopt))
		findings := compared(res.Findings)
		require.NotEmpty(t, findings, "the case must differ")
		require.NotNil(t, res.Fix)
		for _, f := range findings {
			require.NotEmpty(t, f.Fix, "%s: finding %s %s %s has no fix\n%s", mode, f.Kind, f.Object, f.Change, res.Fix.Script())
		}
		var copyDSN string
		if mode == check.FixRevert {
			copyDSN = pgtest.Build(t, base+tc.actual)
		} else {
			copyDSN = pgtest.Build(t, base+tc.expected)
		}
		fixtest.ApplyFix(t, copyDSN, res.Fix)
		var after check.Result
		if mode == check.FixRevert {
			after = r.Check(ctx, expKept, live(copyDSN), check.Options{Name: "fix", Partitions: true})
		} else {
			after = r.Check(ctx, live(copyDSN), actKept, check.Options{Name: "fix", Partitions: true})
		}
		require.NotEqual(t, check.StatusError, after.Status, after.Error)
		var left []string
		for _, f := range compared(after.Findings) {
			left = append(left, f.Kind+" "+f.Object)
		}
		require.ElementsMatch(t, tc.left[mode], left, "%s: after the fix:\n%s\nthe fix:\n%s", mode, describe(after.Findings), res.Fix.Script())
		for _, l := range tc.left[mode] {
			kind, object, _ := strings.Cut(l, " ")
			f := findingOf(findings, kind, object)
			require.NotNil(t, f, "%s: %s was not a finding before the fix", mode, l)
			require.Contains(t, f.Fix, "drift cannot write SQL for", "%s: %s is left, so its fix must say why", mode, l)
		}
	}
	return checked
}

func findingOf(fs []diff.Finding, kind, object string) *diff.Finding {
	for i := range fs {
		if fs[i].Kind == kind && fs[i].Object == object {
			return &fs[i]
		}
	}
	return nil
}

// TestFixEachKind proves the fix of every kind drift compares, missing, unexpected and changed,
// both ways, on real databases.
func TestFixEachKind(t *testing.T) {
	role := pgtest.NewRole(t, "")
	cases := []fixCase{
		// schema, extension
		{name: "schema", expected: `CREATE SCHEMA extra;`},
		{name: "extension", expected: `CREATE EXTENSION hstore;`},
		{name: "extension version", expected: `CREATE EXTENSION citext VERSION '1.4';`, actual: `CREATE EXTENSION citext;`,
			left: map[check.FixMode][]string{check.FixRevert: {"extension citext"}}},
		// table
		{name: "table", expected: `CREATE TABLE public.t2 (id int PRIMARY KEY, v text NOT NULL DEFAULT 'x');`},
		{name: "table rls", expected: `ALTER TABLE public.t ENABLE ROW LEVEL SECURITY; ALTER TABLE public.t FORCE ROW LEVEL SECURITY;`},
		{name: "table unlogged", actual: `ALTER TABLE public.t SET UNLOGGED;`},
		{name: "table reloptions", expected: `ALTER TABLE public.t SET (fillfactor = 70, autovacuum_enabled = false);`, actual: `ALTER TABLE public.t SET (fillfactor = 80);`},
		{name: "table replica identity", actual: `ALTER TABLE public.t REPLICA IDENTITY FULL;`},
		{name: "table replica identity index", expected: `CREATE UNIQUE INDEX t_name_u ON public.t (id, n); ALTER TABLE public.t ALTER COLUMN n SET NOT NULL;
			ALTER TABLE public.t REPLICA IDENTITY USING INDEX t_name_u;`,
			actual: `CREATE UNIQUE INDEX t_name_u ON public.t (id, n); ALTER TABLE public.t ALTER COLUMN n SET NOT NULL;`},
		{name: "replica identity index built anew", expected: `CREATE UNIQUE INDEX t_u ON public.t (id); ALTER TABLE public.t REPLICA IDENTITY USING INDEX t_u;`,
			actual: `CREATE UNIQUE INDEX t_u ON public.t (id) INCLUDE (n); ALTER TABLE public.t REPLICA IDENTITY USING INDEX t_u;`},
		{name: "partition", expected: `CREATE TABLE public.p (a int, b text) PARTITION BY RANGE (a);
			CREATE TABLE public.p1 PARTITION OF public.p FOR VALUES FROM (0) TO (10);
			CREATE INDEX p_b_idx ON public.p (b);`},
		{name: "partition bound", expected: `CREATE TABLE public.p (a int) PARTITION BY RANGE (a); CREATE TABLE public.p1 PARTITION OF public.p FOR VALUES FROM (0) TO (10);`,
			actual: `CREATE TABLE public.p (a int) PARTITION BY RANGE (a); CREATE TABLE public.p1 PARTITION OF public.p FOR VALUES FROM (0) TO (20);`},
		{name: "partition key", expected: `CREATE TABLE public.p (a int, b int) PARTITION BY RANGE (a);`, actual: `CREATE TABLE public.p (a int, b int) PARTITION BY LIST (a);`,
			left: map[check.FixMode][]string{check.FixRevert: {"table public.p"}, check.FixAdopt: {"table public.p"}}},
		{name: "partitioned table becomes plain, its index with it", expected: `CREATE TABLE public.p (a int) PARTITION BY LIST (a); CREATE INDEX p_idx ON public.p (a);`,
			actual: `CREATE TABLE public.p (a int); CREATE INDEX p_idx ON public.p (a);`,
			left:   map[check.FixMode][]string{check.FixRevert: {"table public.p", "index public.p_idx", "partitioning public.p"}, check.FixAdopt: {"table public.p", "index public.p_idx", "partitioning public.p"}}},
		{name: "inherits", expected: `CREATE TABLE public.c (x int) INHERITS (public.t);`, actual: `CREATE TABLE public.c (id int NOT NULL, name text, n int, x int);`},
		// column
		{name: "column", expected: `ALTER TABLE public.t ADD COLUMN extra int;`},
		{name: "column type", expected: `CREATE TABLE public.c (v int DEFAULT 1);`, actual: `CREATE TABLE public.c (v bigint DEFAULT 2);`},
		{name: "column typmod", expected: `CREATE TABLE public.c (v varchar(10));`, actual: `CREATE TABLE public.c (v varchar(20));`},
		{name: "column not null", expected: `ALTER TABLE public.t ALTER COLUMN name SET NOT NULL;`},
		{name: "column default", expected: `ALTER TABLE public.t ALTER COLUMN n SET DEFAULT 1;`, actual: `ALTER TABLE public.t ALTER COLUMN n SET DEFAULT 2;`},
		{name: "column identity", expected: `CREATE TABLE public.c (v int GENERATED BY DEFAULT AS IDENTITY);`, actual: `CREATE TABLE public.c (v int NOT NULL);`},
		{name: "column identity kind", expected: `CREATE TABLE public.c (v int GENERATED BY DEFAULT AS IDENTITY);`, actual: `CREATE TABLE public.c (v int GENERATED ALWAYS AS IDENTITY);`},
		{name: "column identity with options", expected: `CREATE TABLE public.c (v int GENERATED BY DEFAULT AS IDENTITY (START WITH -100 INCREMENT BY 5 MINVALUE -100 MAXVALUE 100));`,
			actual: `CREATE TABLE public.c (v int NOT NULL);`},
		{name: "column identity options", expected: `CREATE TABLE public.c (v bigint GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 10 CACHE 5 CYCLE));`,
			actual: `CREATE TABLE public.c (v bigint GENERATED ALWAYS AS IDENTITY);`},
		{name: "column identity bounds around an unused sequence", expected: `CREATE TABLE public.c (v int GENERATED BY DEFAULT AS IDENTITY (MINVALUE 10));`,
			actual: `CREATE TABLE public.c (v int GENERATED BY DEFAULT AS IDENTITY);`},
		{name: "table with a descending identity", expected: `CREATE TABLE public.c (v smallint GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY -1), w int);`},
		{name: "column generated", expected: `CREATE TABLE public.c (a int, g int GENERATED ALWAYS AS (a * 2) STORED);`,
			actual: `CREATE TABLE public.c (a int, g int GENERATED ALWAYS AS (a * 3) STORED);`},
		{name: "column collation", expected: `CREATE TABLE public.c (v text COLLATE "C");`, actual: `CREATE TABLE public.c (v text);`},
		{name: "column serial", expected: `CREATE TABLE public.c (id serial, v text);`, actual: `CREATE TABLE public.c (v text);`},
		// constraint
		{name: "check", expected: `ALTER TABLE public.t ADD CONSTRAINT t_n_pos CHECK (n > 0);`},
		{name: "check changed", expected: `ALTER TABLE public.t ADD CONSTRAINT t_n_pos CHECK (n > 0);`, actual: `ALTER TABLE public.t ADD CONSTRAINT t_n_pos CHECK (n > 1);`},
		{name: "check not valid", expected: `ALTER TABLE public.t ADD CONSTRAINT t_n_pos CHECK (n > 0);`, actual: `ALTER TABLE public.t ADD CONSTRAINT t_n_pos CHECK (n > 0) NOT VALID;`},
		{name: "foreign key", actual: `CREATE TABLE public.c (t_id int CONSTRAINT c_t_fk REFERENCES public.t (id));`, expected: `CREATE TABLE public.c (t_id int);`},
		{name: "unique", expected: `ALTER TABLE public.t ADD CONSTRAINT t_name_key UNIQUE (name);`},
		{name: "primary key", expected: `CREATE TABLE public.c (a int NOT NULL, b int NOT NULL, CONSTRAINT c_pkey PRIMARY KEY (a, b));`, actual: `CREATE TABLE public.c (a int NOT NULL, b int NOT NULL);`},
		{name: "exclusion", expected: `CREATE EXTENSION btree_gist; CREATE TABLE public.c (r int4range, CONSTRAINT c_r_excl EXCLUDE USING gist (r WITH &&));`,
			actual: `CREATE EXTENSION btree_gist; CREATE TABLE public.c (r int4range);`},
		{name: "domain constraint", expected: `ALTER DOMAIN public.d ADD CONSTRAINT d_pos CHECK (VALUE > 0);`},
		// index
		{name: "index", expected: `CREATE INDEX t_name_idx ON public.t (name);`},
		{name: "index changed", expected: `CREATE INDEX t_name_idx ON public.t (name);`, actual: `CREATE INDEX t_name_idx ON public.t (name, n);`},
		{name: "index invalid", expected: `CREATE INDEX t_name_idx ON public.t (name);`,
			actual: `CREATE INDEX t_name_idx ON public.t (name); UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'public.t_name_idx'::regclass;`,
			left:   map[check.FixMode][]string{check.FixAdopt: {"index public.t_name_idx"}}},
		{name: "index renamed", expected: `CREATE TABLE public.c (a int UNIQUE);`,
			actual: `CREATE TABLE public.c (a int); CREATE INDEX c_a_key ON public.c (a); ALTER TABLE public.c ADD UNIQUE (a); DROP INDEX public.c_a_key;`},
		// view, materialized view
		{name: "view", expected: `CREATE VIEW public.v AS SELECT id FROM public.t;`},
		{name: "view changed", expected: `CREATE VIEW public.v AS SELECT id FROM public.t;`, actual: `CREATE VIEW public.v AS SELECT id, name FROM public.t WHERE n > 0;`},
		{name: "view options", expected: `CREATE VIEW public.v WITH (security_barrier) AS SELECT id FROM public.t;`, actual: `CREATE VIEW public.v AS SELECT id FROM public.t;`},
		{name: "materialized view", expected: `CREATE MATERIALIZED VIEW public.mv AS SELECT id FROM public.t; CREATE UNIQUE INDEX mv_id ON public.mv (id);`},
		{name: "materialized view changed", expected: `CREATE MATERIALIZED VIEW public.mv AS SELECT id FROM public.t; CREATE UNIQUE INDEX mv_id ON public.mv (id); COMMENT ON MATERIALIZED VIEW public.mv IS 'm';`,
			actual: `CREATE MATERIALIZED VIEW public.mv AS SELECT id, n FROM public.t; CREATE UNIQUE INDEX mv_id ON public.mv (id); COMMENT ON MATERIALIZED VIEW public.mv IS 'm';`},
		// sequence
		{name: "sequence", expected: `CREATE SEQUENCE public.s2 AS integer INCREMENT 3 START 7 CACHE 2 CYCLE;`},
		{name: "sequence changed", expected: `ALTER SEQUENCE public.s INCREMENT 10 MAXVALUE 1000;`, actual: `ALTER SEQUENCE public.s AS integer;`},
		{name: "sequence owned by", expected: `ALTER SEQUENCE public.s OWNED BY public.t.n;`},
		{name: "sequence minvalue above its value", expected: `ALTER SEQUENCE public.s MINVALUE 1000 START 1000 RESTART;`, actual: `SELECT nextval('public.s');`},
		{name: "serial column of a table another role owns", expected: `CREATE TABLE public.owned (x int, id serial); ALTER TABLE public.owned OWNER TO ` + role + `;`,
			actual: `CREATE TABLE public.owned (x int); ALTER TABLE public.owned OWNER TO ` + role + `;`},
		// function, procedure
		{name: "function body", expected: `CREATE OR REPLACE FUNCTION public.f(a int) RETURNS int LANGUAGE sql AS $$ SELECT a + 1 $$;`},
		{name: "function security definer", actual: `ALTER FUNCTION public.f(int) SECURITY DEFINER;`},
		{name: "function", expected: `CREATE FUNCTION public.f2(a bigint) RETURNS bigint LANGUAGE sql AS $$ SELECT a FROM public.t LIMIT 1 $$;`},
		{name: "procedure", expected: `CREATE PROCEDURE public.pr(x int) LANGUAGE sql AS $$ SELECT x $$;`},
		{name: "function sql standard body", expected: `CREATE FUNCTION public.g(a int) RETURNS bigint LANGUAGE sql RETURN (SELECT count(*) FROM public.t WHERE n > a);`},
		// trigger
		{name: "trigger", expected: `CREATE TRIGGER t_trg BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.trg();`},
		{name: "trigger disabled", expected: `CREATE TRIGGER t_trg BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.trg();`,
			actual: `CREATE TRIGGER t_trg BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.trg(); ALTER TABLE public.t DISABLE TRIGGER t_trg;`},
		{name: "trigger changed", expected: `CREATE TRIGGER t_trg BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.trg();`,
			actual: `CREATE TRIGGER t_trg BEFORE UPDATE ON public.t FOR EACH ROW EXECUTE FUNCTION public.trg();`},
		// type
		{name: "enum label added", actual: `ALTER TYPE public.mood ADD VALUE 'meh' BEFORE 'happy';`,
			left: map[check.FixMode][]string{check.FixRevert: {"type public.mood"}}},
		{name: "enum", expected: `CREATE TYPE public.e2 AS ENUM ('it''s', 'b');`},
		{name: "domain", expected: `CREATE DOMAIN public.d2 AS text COLLATE "C" DEFAULT 'x' NOT NULL;`},
		{name: "domain default and not null", expected: `ALTER DOMAIN public.d SET DEFAULT 1; ALTER DOMAIN public.d SET NOT NULL;`},
		{name: "domain base type", expected: `CREATE DOMAIN public.d2 AS int;`, actual: `CREATE DOMAIN public.d2 AS bigint;`},
		{name: "composite", expected: `CREATE TYPE public.addr AS (street text, zip varchar(10) COLLATE "C");`},
		{name: "composite attribute", expected: `CREATE TYPE public.addr AS (street text, zip text);`, actual: `CREATE TYPE public.addr AS (street varchar(3));`},
		{name: "range", expected: `CREATE TYPE public.fr AS RANGE (subtype = float8);`},
		// policy
		{name: "policy", expected: `CREATE POLICY p_sel ON public.t AS RESTRICTIVE FOR SELECT TO ` + role + ` USING (n > 0);`},
		{name: "policy changed", expected: `CREATE POLICY p_sel ON public.t FOR SELECT TO ` + role + ` USING (n > 0);`,
			actual: `CREATE POLICY p_sel ON public.t FOR SELECT USING (n > 1);`},
		{name: "policy command", expected: `CREATE POLICY p ON public.t FOR INSERT WITH CHECK (true);`, actual: `CREATE POLICY p ON public.t FOR ALL USING (true);`},
		// privilege
		{name: "grant to PUBLIC", actual: `GRANT SELECT ON public.t TO PUBLIC;`},
		{name: "grant option", expected: `GRANT SELECT ON public.t TO ` + role + `;`, actual: `GRANT SELECT ON public.t TO ` + role + ` WITH GRANT OPTION;`},
		{name: "owner privilege revoked", actual: `REVOKE TRUNCATE ON public.t FROM CURRENT_USER;`},
		{name: "column grant", actual: `GRANT UPDATE (name) ON public.t TO ` + role + `;`},
		{name: "function execute revoked", actual: `REVOKE EXECUTE ON FUNCTION public.f(int) FROM PUBLIC;`},
		{name: "schema usage", expected: `GRANT USAGE ON SCHEMA public TO ` + role + `;`},
		{name: "sequence usage", actual: `GRANT USAGE ON SEQUENCE public.s TO ` + role + `;`},
		{name: "type and domain usage", actual: `REVOKE USAGE ON TYPE public.mood FROM PUBLIC; REVOKE USAGE ON DOMAIN public.d FROM PUBLIC;`},
		{name: "grants on a new function", expected: `CREATE FUNCTION public.f3() RETURNS int LANGUAGE sql AS 'SELECT 1';
			REVOKE EXECUTE ON FUNCTION public.f3() FROM PUBLIC; GRANT EXECUTE ON FUNCTION public.f3() TO ` + role + `;`},
		// comment
		{name: "comments", expected: `COMMENT ON TABLE public.t IS 'it''s things'; COMMENT ON COLUMN public.t.name IS 'a\b';
			COMMENT ON FUNCTION public.f(int) IS 'identity'; COMMENT ON DOMAIN public.d IS 'dom'; COMMENT ON TYPE public.mood IS 'feelings';
			COMMENT ON SEQUENCE public.s IS 'seq'; COMMENT ON CONSTRAINT t_pkey ON public.t IS 'pk'; COMMENT ON SCHEMA public IS 'pub';
			COMMENT ON INDEX public.t_pkey IS 'pk index'`},
		{name: "comment changed", expected: `COMMENT ON COLUMN public.t.name IS 'a';`, actual: `COMMENT ON COLUMN public.t.name IS 'b';`},
		{name: "comments on triggers, policies, views", expected: `
			CREATE TRIGGER t_trg BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.trg();
			CREATE POLICY p ON public.t USING (true); CREATE VIEW public.v AS SELECT id FROM public.t;
			COMMENT ON TRIGGER t_trg ON public.t IS 'trg'; COMMENT ON POLICY p ON public.t IS 'pol'; COMMENT ON VIEW public.v IS 'view';
			COMMENT ON COLUMN public.v.id IS 'view column';`,
			actual: `CREATE TRIGGER t_trg BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.trg();
			CREATE POLICY p ON public.t USING (true); CREATE VIEW public.v AS SELECT id FROM public.t;`},
		// names that need quoting
		{name: "quoted names", expected: `CREATE SCHEMA "Odd Schema"; CREATE TABLE "Odd Schema"."Tab""le" ("Col" int, "select" text);
			CREATE INDEX "Idx" ON "Odd Schema"."Tab""le" ("Col"); CREATE VIEW "Odd Schema"."V" AS SELECT "Col" FROM "Odd Schema"."Tab""le";`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			proveFix(t, kindBase, tc)
		})
	}
}

// TestFixNeverCutsValues: reverting a widened varchar leaves the server's assignment cast to do
// the work, which stops on a value that no longer fits; an explicit cast in USING would have
// cut it to the old length without a word. A smaller numeric scale says it rounds.
func TestFixNeverCutsValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := fixRunner()
	live := func(dsn string) check.Source { return check.Source{Kind: check.SourceLive, Engine: Name, DSN: dsn} }
	exp := pgtest.Build(t, `CREATE TABLE public.keys (prefix varchar(16), amount numeric(10,2));`)
	act := pgtest.Build(t, `CREATE TABLE public.keys (prefix varchar(32), amount numeric(10,4));
INSERT INTO public.keys VALUES ('msrsh_0123456789abcdef', 1.2345);`)
	res := r.Check(ctx, live(exp), live(act), check.Options{Name: "fix", Fix: check.FixRevert})
	require.Equal(t, check.StatusDrift, res.Status, res.Error)
	script := res.Fix.Script()
	require.Contains(t, script, "ALTER TABLE public.keys ALTER COLUMN prefix TYPE character varying(16);")
	require.NotContains(t, script, "USING")
	require.Contains(t, script, "hazard: fails if a value does not fit character varying(16)")
	require.Contains(t, script, "hazard: rounds the column's values to 2 decimal places")

	conn, err := pgx.Connect(ctx, act)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "ALTER TABLE public.keys ALTER COLUMN prefix TYPE character varying(16)")
	require.ErrorContains(t, err, "value too long for type character varying(16)", "the statement stops")
	var prefix string
	require.NoError(t, conn.QueryRow(ctx, "SELECT prefix FROM public.keys").Scan(&prefix))
	require.Equal(t, "msrsh_0123456789abcdef", prefix, "nothing was cut")
}

// TestFixNewPartitionedTableSaysWhatItLeaves: partitions summed up (partitions: parents, the
// default) are not known by name, so creating a partitioned table whose partitions hold things
// of their own says it cannot write those, instead of a fix that looks whole.
func TestFixNewPartitionedTableSaysWhatItLeaves(t *testing.T) {
	t.Parallel()
	live := func(dsn string) check.Source { return check.Source{Kind: check.SourceLive, Engine: Name, DSN: dsn} }
	exp := pgtest.Build(t, `CREATE TABLE public.logs (at date NOT NULL, msg text) PARTITION BY RANGE (at);
CREATE TABLE public.logs_2024 PARTITION OF public.logs FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX logs_2024_msg ON public.logs_2024 (msg);`)
	act := pgtest.NewDB(t)
	res := fixRunner().Check(context.Background(), live(exp), live(act), check.Options{Name: "fix", Fix: check.FixRevert})
	require.Equal(t, check.StatusDrift, res.Status, res.Error)
	script := res.Fix.Script()
	require.Contains(t, script, "CREATE TABLE public.logs (")
	require.Contains(t, script, "drift cannot write SQL for partitioning public.logs: its partitions are not compared one by one", script)
}

// TestFixSaysWhatPartitionsMayHold: with partitions summed up, a partition's own trigger or
// foreign key is not an object of the fix; dropping what it uses says so instead of failing
// without a word.
func TestFixSaysWhatPartitionsMayHold(t *testing.T) {
	t.Parallel()
	live := func(dsn string) check.Source { return check.Source{Kind: check.SourceLive, Engine: Name, DSN: dsn} }
	const tables = `CREATE TABLE public.p (a int) PARTITION BY LIST (a); CREATE TABLE public.p1 PARTITION OF public.p (PRIMARY KEY (a)) FOR VALUES IN (1);
CREATE TABLE public.q (a int) PARTITION BY LIST (a); CREATE TABLE public.q1 PARTITION OF public.q FOR VALUES IN (1);`
	exp := pgtest.Build(t, `CREATE TABLE public.q (a int) PARTITION BY LIST (a); CREATE TABLE public.q1 PARTITION OF public.q FOR VALUES IN (1);`)
	act := pgtest.Build(t, tables+`
CREATE FUNCTION public.f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER t BEFORE UPDATE ON public.q1 FOR EACH ROW EXECUTE FUNCTION public.f();
ALTER TABLE public.q1 ADD CONSTRAINT q1_fk FOREIGN KEY (a) REFERENCES public.p1 (a);`)
	res := fixRunner().Check(context.Background(), live(exp), live(act), check.Options{Name: "fix", Fix: check.FixRevert})
	require.Equal(t, check.StatusDrift, res.Status, res.Error)
	script := res.Fix.Script()
	require.Contains(t, script, "a partition of public.q has a trigger of its own, which may call it", script)
	require.Contains(t, script, "a partition of public.q has a foreign key of its own that may reference it", script)
}

// TestFixReshapedTableSaysItOnce: an index rebuilt on a table whose partitioning changes is said
// to follow the table once, not once for its drop and again for its creation.
func TestFixReshapedTableSaysItOnce(t *testing.T) {
	t.Parallel()
	live := func(dsn string) check.Source { return check.Source{Kind: check.SourceLive, Engine: Name, DSN: dsn} }
	exp := pgtest.Build(t, `CREATE TABLE public.p (a int) PARTITION BY LIST (a); CREATE INDEX p_idx ON public.p (a);`)
	act := pgtest.Build(t, `CREATE TABLE public.p (a int); CREATE INDEX p_idx ON public.p (a);`)
	r := fixRunner()
	res := r.Check(context.Background(), live(exp), live(act), check.Options{Name: "fix", WholeSnapshots: true})
	require.Equal(t, check.StatusDrift, res.Status, res.Error)
	// For a migration file the index is dropped and created again, rather than swapped online.
	require.NoError(t, r.AttachFix(&res, check.FixAdopt, true))
	script := res.Fix.Script()
	require.Equal(t, 1, strings.Count(script, "drift cannot write SQL for index public.p_idx: its table public.p changes its partitioning"), script)
	require.NotContains(t, script, "CREATE INDEX", "nothing is built beside the old table")
}

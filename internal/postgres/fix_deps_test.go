package postgres

import (
	"testing"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/pgtest"
)

// TestFixDependencies proves fixes whose statements only work in the right order: what depends
// on a changing object is dropped first and made again after.
func TestFixDependencies(t *testing.T) {
	role := pgtest.NewRole(t, "")
	cases := []fixCase{
		{name: "views and a policy over a column whose type changes",
			expected: `CREATE TABLE public.c (id int, v int);
				CREATE VIEW public.v1 AS SELECT id, v FROM public.c; CREATE VIEW public.v2 AS SELECT v FROM public.v1;
				ALTER TABLE public.c ENABLE ROW LEVEL SECURITY; CREATE POLICY pv ON public.c USING (v > 0);
				CREATE INDEX c_v_idx ON public.c (v); ALTER TABLE public.c ADD CONSTRAINT c_v_check CHECK (v < 100);
				GRANT SELECT ON public.v2 TO ` + role + `; COMMENT ON VIEW public.v1 IS 'one';`,
			actual: `CREATE TABLE public.c (id int, v bigint);
				CREATE VIEW public.v1 AS SELECT id, v FROM public.c; CREATE VIEW public.v2 AS SELECT v FROM public.v1;
				ALTER TABLE public.c ENABLE ROW LEVEL SECURITY; CREATE POLICY pv ON public.c USING (v > 0);
				CREATE INDEX c_v_idx ON public.c (v); ALTER TABLE public.c ADD CONSTRAINT c_v_check CHECK (v < 100);
				GRANT SELECT ON public.v2 TO ` + role + `; COMMENT ON VIEW public.v1 IS 'one';`},
		{name: "a function whose signature changes, used by a trigger, a policy, a view, a check and a default",
			expected: `CREATE FUNCTION public.ok(x int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT x > 0';
				CREATE FUNCTION public.tf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
				CREATE TABLE public.c (v int DEFAULT public.ok(1)::int CHECK (public.ok(v)));
				CREATE TRIGGER c_tf BEFORE INSERT ON public.c FOR EACH ROW EXECUTE FUNCTION public.tf();
				ALTER TABLE public.c ENABLE ROW LEVEL SECURITY; CREATE POLICY pok ON public.c USING (public.ok(v));
				CREATE VIEW public.vok AS SELECT public.ok(v) AS ok FROM public.c;`,
			actual: `CREATE FUNCTION public.ok(y int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT y > 1';
				CREATE FUNCTION public.tf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
				CREATE TABLE public.c (v int DEFAULT public.ok(1)::int CHECK (public.ok(v)));
				CREATE TRIGGER c_tf BEFORE INSERT ON public.c FOR EACH ROW EXECUTE FUNCTION public.tf();
				ALTER TABLE public.c ENABLE ROW LEVEL SECURITY; CREATE POLICY pok ON public.c USING (public.ok(v));
				CREATE VIEW public.vok AS SELECT public.ok(v) AS ok FROM public.c;`},
		{name: "a trigger function whose result type changes",
			expected: `CREATE FUNCTION public.tf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
				CREATE TRIGGER t_tf BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.tf();`,
			actual: `CREATE FUNCTION public.tf() RETURNS int LANGUAGE sql AS 'SELECT 1';`},
		{name: "a primary key that changes, referenced by a foreign key",
			expected: `CREATE TABLE public.a (x int NOT NULL, y int NOT NULL, CONSTRAINT a_pkey PRIMARY KEY (x));
				CREATE TABLE public.b (ax int CONSTRAINT b_ax_fkey REFERENCES public.a (x));`,
			actual: `CREATE TABLE public.a (x int NOT NULL, y int NOT NULL, CONSTRAINT a_pkey PRIMARY KEY (x, y), CONSTRAINT a_x_key UNIQUE (x));
				CREATE TABLE public.b (ax int CONSTRAINT b_ax_fkey REFERENCES public.a (x));`},
		{name: "a table referenced by a foreign key and a view goes away",
			expected: `CREATE TABLE public.a (x int PRIMARY KEY); CREATE TABLE public.b (ax int REFERENCES public.a (x));
				CREATE VIEW public.va AS SELECT x FROM public.a;`,
			actual: `CREATE TABLE public.b (ax int);`},
		{name: "new tables referencing each other",
			expected: `CREATE TABLE public.a (x int PRIMARY KEY, by int); CREATE TABLE public.b (y int PRIMARY KEY, ax int REFERENCES public.a (x));
				ALTER TABLE public.a ADD CONSTRAINT a_by_fkey FOREIGN KEY (by) REFERENCES public.b (y);
				COMMENT ON TABLE public.a IS 'a'; COMMENT ON COLUMN public.b.ax IS 'to a';`},
		{name: "a view whose columns change, under another view",
			expected: `CREATE VIEW public.v1 AS SELECT id, name FROM public.t; CREATE VIEW public.v2 AS SELECT name FROM public.v1;`,
			actual:   `CREATE VIEW public.v1 AS SELECT name, n, id FROM public.t; CREATE VIEW public.v2 AS SELECT name FROM public.v1;`},
		{name: "a column dropped that a surviving view read",
			expected: `CREATE TABLE public.c (a int, b int); CREATE VIEW public.vc AS SELECT a, b FROM public.c;`,
			actual:   `CREATE TABLE public.c (a int); CREATE VIEW public.vc AS SELECT a FROM public.c;`},
		{name: "a sequence dropped that a default used",
			expected: `CREATE SEQUENCE public.s2; CREATE TABLE public.c (a bigint DEFAULT nextval('public.s2'));`,
			actual:   `CREATE TABLE public.c (a bigint);`},
		{name: "serial becomes identity",
			expected: `CREATE TABLE public.c (id serial PRIMARY KEY, v text); INSERT INTO public.c (v) VALUES ('a'), ('b');`,
			actual:   `CREATE TABLE public.c (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v text); INSERT INTO public.c (v) VALUES ('a'), ('b');`},
		{name: "an enum no column uses any more",
			expected: `CREATE TYPE public.e AS ENUM ('x', 'y'); CREATE TABLE public.c (s public.e);`,
			actual:   `CREATE TABLE public.c (s text);`},
		{name: "an inheritance parent dropped while its child stays",
			expected: `CREATE TABLE public.par (a int); CREATE TABLE public.ch (b int) INHERITS (public.par);`,
			actual:   `CREATE TABLE public.ch (a int, b int);`},
		{name: "partitions attached, detached and added under a parent index",
			expected: `CREATE TABLE public.p (a int, b text) PARTITION BY RANGE (a); CREATE INDEX p_b_idx ON public.p (b);
				CREATE TABLE public.p1 PARTITION OF public.p FOR VALUES FROM (0) TO (10);
				CREATE TABLE public.p2 PARTITION OF public.p FOR VALUES FROM (10) TO (20);`,
			actual: `CREATE TABLE public.p (a int, b text) PARTITION BY RANGE (a); CREATE INDEX p_b_idx ON public.p (b);
				CREATE TABLE public.p1 PARTITION OF public.p FOR VALUES FROM (0) TO (10);
				CREATE TABLE public.p2 (a int, b text); CREATE INDEX p2_b_idx ON public.p2 (b);
				CREATE TABLE public.p3 PARTITION OF public.p FOR VALUES FROM (20) TO (30);`},
		{name: "a column added to a partitioned table",
			expected: `CREATE TABLE public.p (a int, b text, c int DEFAULT 3 NOT NULL) PARTITION BY LIST (a);
				CREATE TABLE public.p1 PARTITION OF public.p FOR VALUES IN (1);`,
			actual: `CREATE TABLE public.p (a int, b text) PARTITION BY LIST (a);
				CREATE TABLE public.p1 PARTITION OF public.p FOR VALUES IN (1);`},
		{name: "a domain and its users",
			expected: `CREATE DOMAIN public.pos AS int CHECK (VALUE > 0); CREATE TABLE public.c (v public.pos);`},
		{name: "a materialized view over a view over a new column",
			expected: `ALTER TABLE public.t ADD COLUMN extra int; CREATE VIEW public.v AS SELECT id, extra FROM public.t;
				CREATE MATERIALIZED VIEW public.mv AS SELECT extra FROM public.v; CREATE INDEX mv_extra ON public.mv (extra);`},
		// Found by pg-schema-diff's acceptance cases, run against drift.
		{name: "a plpgsql function declaring a new table's row type",
			expected: `CREATE TABLE public.events (id int, event_type text);
				CREATE FUNCTION public.process_events() RETURNS void LANGUAGE plpgsql AS $$ DECLARE r public.events%ROWTYPE; BEGIN END; $$;`},
		{name: "a sequence owned by a column that goes",
			expected: `CREATE SEQUENCE public.s2; ALTER TABLE public.t ADD COLUMN a bigint, ADD COLUMN b bigint; ALTER SEQUENCE public.s2 OWNED BY public.t.a;`,
			actual:   `CREATE SEQUENCE public.s2; ALTER TABLE public.t ADD COLUMN b bigint; ALTER SEQUENCE public.s2 OWNED BY public.t.b;`},
		{name: "a composite type inside another",
			expected: `CREATE TYPE public.inner_t AS (n int); CREATE TYPE public.outer_t AS (i public.inner_t, label text);`},
		{name: "a domain whose check calls a function",
			expected: `CREATE FUNCTION public.finite(numeric) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 IS NOT NULL';
				CREATE DOMAIN public.fin AS numeric CHECK (public.finite(VALUE));`},
		{name: "a domain's base type changes under a function",
			expected: `CREATE DOMAIN public.d2 AS numeric(10,2); CREATE FUNCTION public.ident(v public.d2) RETURNS public.d2 LANGUAGE sql AS 'SELECT v';`,
			actual:   `CREATE DOMAIN public.d2 AS numeric(20,4); CREATE FUNCTION public.ident(v public.d2) RETURNS public.d2 LANGUAGE sql AS 'SELECT v';`},
		{name: "a row trigger on a partitioned table, named to be quoted",
			expected: `CREATE TABLE public."some foo" (id int, version int) PARTITION BY LIST (id);
				CREATE TABLE public."foobar 1" PARTITION OF public."some foo" FOR VALUES IN (1);
				CREATE FUNCTION public."increment version"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.version := NEW.version + 1; RETURN NEW; END $$;
				CREATE TRIGGER "some trigger" BEFORE UPDATE ON public."some foo" FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION public."increment version"();
				CREATE TRIGGER "some partition trigger" BEFORE UPDATE ON public."foobar 1" FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION public."increment version"();`,
			actual: `CREATE TABLE public."some foo" (id int, version int) PARTITION BY LIST (id);
				CREATE TABLE public."foobar 1" PARTITION OF public."some foo" FOR VALUES IN (1);`},
		{name: "a partitioned table's foreign key to a table that is replaced",
			expected: `CREATE TABLE public.r_new (a int UNIQUE); CREATE TABLE public.p (a int) PARTITION BY LIST (a);
				CREATE TABLE public.p1 PARTITION OF public.p FOR VALUES IN (1);
				ALTER TABLE public.p ADD CONSTRAINT p_fk FOREIGN KEY (a) REFERENCES public.r_new (a);`,
			actual: `CREATE TABLE public.r (a int UNIQUE); CREATE TABLE public.p (a int) PARTITION BY LIST (a);
				CREATE TABLE public.p1 PARTITION OF public.p FOR VALUES IN (1);
				ALTER TABLE public.p ADD CONSTRAINT p_fk FOREIGN KEY (a) REFERENCES public.r (a);`},
		{name: "a partition's primary key on a column its parent gets",
			expected: `CREATE TABLE public.p (a int, b int) PARTITION BY LIST (a); CREATE TABLE public.p1 PARTITION OF public.p (PRIMARY KEY (a, b)) FOR VALUES IN (1);`,
			actual:   `CREATE TABLE public.p (a int) PARTITION BY LIST (a); CREATE TABLE public.p1 PARTITION OF public.p FOR VALUES IN (1);`},
		{name: "a partition's primary key on a column its parent lets be null",
			expected: `CREATE TABLE public.p (a int) PARTITION BY LIST (a); CREATE TABLE public.p1 PARTITION OF public.p (PRIMARY KEY (a)) FOR VALUES IN (1);`,
			actual:   `CREATE TABLE public.p (a int NOT NULL) PARTITION BY LIST (a); CREATE TABLE public.p1 PARTITION OF public.p FOR VALUES IN (1);`},
		{name: "a unique index a foreign key needs changes",
			expected: `CREATE TABLE public.p (a int, b int); CREATE UNIQUE INDEX u ON public.p (a); CREATE TABLE public.c (a int REFERENCES public.p (a));`,
			actual:   `CREATE TABLE public.p (a int, b int); CREATE UNIQUE INDEX u ON public.p (a) INCLUDE (b); CREATE TABLE public.c (a int REFERENCES public.p (a));`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			proveFix(t, kindBase, tc)
		})
	}
}

// TestFixRichSchema proves the fix between nothing and the rich schema, which holds every kind
// at once: creating it all from nothing, and dropping it all again.
func TestFixRichSchema(t *testing.T) {
	role := pgtest.NewRole(t, "")
	proveFix(t, "", fixCase{name: "rich schema", expected: pgtest.WithRole(pgtest.RichSchema, role)})
	_ = check.FixRevert
}

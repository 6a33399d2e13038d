package fixsql

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/snapshot"
)

// These tests hold the pieces of the generator to their contracts without a server; that the
// SQL is right is proven on real databases in internal/postgres (fix_test.go and others).

func TestQuoting(t *testing.T) {
	for in, want := range map[string]string{
		"users": "users", "Users": `"Users"`, "select": `"select"`, "user": `"user"`, "a b": `"a b"`,
		`we"ird`: `"we""ird"`, "1st": `"1st"`, "_x1": "_x1", "": `""`, "naïve": `"naïve"`,
	} {
		require.Equal(t, want, quoteIdent(in), in)
	}
	require.Equal(t, `'it''s'`, quoteLiteral("it's"))
	require.Equal(t, `E'a\\b ''c'''`, quoteLiteral(`a\b 'c'`))
	require.Equal(t, `app."T"(integer, text)`, routineName(snapshot.NewKey("app", "T(integer, text)")))
}

func TestScanRefs(t *testing.T) {
	r := scanRefs(`SELECT a.id, "Odd"."Tab".x FROM app.orders a WHERE f = 'app.not_this' AND nextval('app.seq'::regclass) > app.touch(1) -- app.comment`)
	require.ElementsMatch(t, [][2]string{{"a", "id"}, {"Odd", "Tab"}, {"Tab", "x"}, {"app", "orders"}, {"app", "seq"}, {"app", "touch"}}, r.qualified)
	require.True(t, r.words["f"])
	require.False(t, r.words["not_this"], "string literals are not names")
	require.False(t, r.words["comment"], "comments are not names")
	var q [][2]string
	scanQualified(`CREATE FUNCTION x() AS $body$ SELECT 1 FROM app.hidden $body$; SELECT s."T".c`, func(a, b string) { q = append(q, [2]string{a, b}) })
	require.Equal(t, [][2]string{{"s", "T"}, {"T", "c"}}, q, "dollar-quoted bodies are skipped")
}

func TestPieces(t *testing.T) {
	require.True(t, binaryCoercible("character varying(10)", "character varying(20)"))
	require.True(t, binaryCoercible("character varying(10)", "text"))
	require.True(t, binaryCoercible("numeric(10,2)", "numeric(12,2)"))
	require.False(t, binaryCoercible("numeric(10,2)", "numeric(12,3)"))
	require.False(t, binaryCoercible("character varying(20)", "character varying(10)"))
	require.False(t, binaryCoercible("integer", "bigint"))

	idx, using, ok := uniqueIndexFor("t_pkey", "app.t", "PRIMARY KEY (a, b) INCLUDE (c) DEFERRABLE INITIALLY DEFERRED")
	require.True(t, ok)
	require.Equal(t, "CREATE UNIQUE INDEX CONCURRENTLY t_pkey ON app.t (a, b) INCLUDE (c);", idx)
	require.Equal(t, "PRIMARY KEY USING INDEX t_pkey DEFERRABLE INITIALLY DEFERRED", using)
	idx, _, ok = uniqueIndexFor("u", "app.t", "UNIQUE NULLS NOT DISTINCT (a) WITH (fillfactor='70')")
	require.True(t, ok)
	require.Equal(t, "CREATE UNIQUE INDEX CONCURRENTLY u ON app.t (a) NULLS NOT DISTINCT WITH (fillfactor='70');", idx)

	require.Equal(t, `CREATE INDEX CONCURRENTLY "New" ON app.p USING btree (b)`,
		indexSQL(`CREATE INDEX "Old" ON ONLY app.p USING btree (b)`, true, snapshot.NewKey("app", "p"), "New"))
	require.Equal(t, "CREATE INDEX  USING btree (b)", indexBody("CREATE INDEX p1_b_idx ON app.p1 USING btree (b)"))
	require.Equal(t, "CREATE TRIGGER  BEFORE INSERT ON  FOR EACH ROW EXECUTE FUNCTION app.f()",
		triggerBody("CREATE TRIGGER tr BEFORE INSERT ON app.p1 FOR EACH ROW EXECUTE FUNCTION app.f()"))
	require.True(t, subsequence([]string{"a", "c"}, []string{"a", "b", "c"}))
	require.False(t, subsequence([]string{"c", "a"}, []string{"a", "b", "c"}))
	require.Equal(t, "fillfactor=70, check_option=local, x='a b'", optionList("fillfactor=70, check_option=local, x=a b"))
	require.Negative(t, compareVersions("1.4", "1.10"))
}

// snap builds a normalized snapshot.
func snap(objs ...snapshot.Object) *snapshot.Snapshot {
	s := snapshot.New(snapshot.EnginePostgres)
	s.ServerVersionNum = 150000
	for _, o := range objs {
		s.Add(o)
	}
	if err := s.Normalize(); err != nil {
		panic(err)
	}
	return s
}

func sqlOf(stmts []engine.Statement) string { return engine.Script(stmts, "--") }

// A kind drift does not know is never silently skipped: each of its differences gets a
// comment, and what goes with a dropped owner goes without one.
func TestUnknownKind(t *testing.T) {
	table := snapshot.Object{Kind: "table", Key: snapshot.NewKey("app", "t"), Parent: snapshot.Named("app"),
		Attrs: snapshot.NewAttrs("persistence", "permanent")}
	rule := snapshot.Object{Kind: "rule", Key: snapshot.NewKey("app", "t", "r"), Parent: snapshot.NewKey("app", "t"),
		Attrs: snapshot.NewAttrs("definition", "CREATE RULE r AS ON UPDATE TO app.t DO INSTEAD NOTHING")}
	changed := rule
	changed.Attrs = snapshot.NewAttrs("definition", "CREATE RULE r AS ON DELETE TO app.t DO INSTEAD NOTHING")
	for _, tc := range []struct {
		name     string
		from, to *snapshot.Snapshot
	}{
		{"created", snap(table), snap(table, rule)},
		{"dropped", snap(table, rule), snap(table)},
		{"changed", snap(table, rule), snap(table, changed)},
	} {
		out := sqlOf(Generate(tc.from, tc.to, Options{}))
		require.Equal(t, "-- drift cannot write SQL for rule app.t.r: drift does not write SQL for this kind of object yet\n", out, tc.name)
	}
	out := sqlOf(Generate(snap(table, rule), snap(), Options{}))
	require.Equal(t, "-- hazard: drops data\nDROP TABLE app.t;\n", out, "the rule goes with its table")
}

// Statements come out dependency-ordered whatever order the objects sort in.
func TestOrdering(t *testing.T) {
	schema := snapshot.Object{Kind: "schema", Key: snapshot.Named("app")}
	table := snapshot.Object{Kind: "table", Key: snapshot.NewKey("app", "t"), Parent: snapshot.Named("app"), Attrs: snapshot.NewAttrs("persistence", "permanent")}
	col := snapshot.Object{Kind: "column", Key: snapshot.NewKey("app", "t", "a"), Parent: table.Key, Attrs: snapshot.NewAttrs("type", "integer", "position", "1")}
	view := func(name, from string) snapshot.Object {
		return snapshot.Object{Kind: "view", Key: snapshot.NewKey("app", name), Parent: snapshot.Named("app"),
			Attrs: snapshot.NewAttrs("definition", " SELECT a FROM app."+from+";")}
	}
	// "a_top" sorts before "b_mid", yet reads it: it must come after.
	top, mid := view("a_top", "b_mid"), view("b_mid", "t")
	out := sqlOf(Generate(snap(), snap(schema, table, col, top, mid), Options{}))
	order := []string{"CREATE SCHEMA app;", "CREATE TABLE app.t", "CREATE VIEW app.b_mid", "CREATE VIEW app.a_top"}
	last := -1
	for _, s := range order {
		i := strings.Index(out, s)
		require.Greater(t, i, last, "%s out of order:\n%s", s, out)
		last = i
	}
	out = sqlOf(Generate(snap(schema, table, col, top, mid), snap(), Options{}))
	order = []string{"DROP VIEW app.a_top;", "DROP VIEW app.b_mid;", "DROP TABLE app.t;", "DROP SCHEMA app;"}
	last = -1
	for _, s := range order {
		i := strings.Index(out, s)
		require.Greater(t, i, last, "%s out of order:\n%s", s, out)
		last = i
	}
}

// TestReadChain: both readers of dotted names agree, quoted parts keep their case and their
// doubled quotes, bare parts fold, a dot not followed by a name ends the chain.
func TestReadChain(t *testing.T) {
	cases := []struct {
		text string
		want []string
		end  int
	}{
		{`App.Orders x`, []string{"app", "orders"}, 10},
		{`"My ""Q"" s"."T".c;`, []string{`My "Q" s`, "T", "c"}, 18},
		{`a.b.c.d`, []string{"a", "b", "c", "d"}, 7},
		{`s.(x)`, []string{"s"}, 1},
		{`"unterminated`, []string{"unterminated"}, 13},
		{`1abc`, nil, 0},
	}
	for _, tc := range cases {
		parts, end := readChain(tc.text, 0)
		require.Equal(t, tc.want, parts, tc.text)
		require.Equal(t, tc.end, end, tc.text)
		var three [3]string
		n, end3 := readChainInto(tc.text, 0, &three)
		require.Equal(t, min(len(tc.want), 3), n, tc.text)
		require.Equal(t, tc.end, end3, tc.text)
		for i := 0; i < n; i++ {
			require.Equal(t, tc.want[i], three[i], tc.text)
		}
	}
}

// TestTypeChangeCasts: which type changes get a USING cast, which say they fail or round, and
// which warn that the server may have no cast.
func TestTypeChangeCasts(t *testing.T) {
	for _, tc := range []struct {
		from, to  string
		using     bool
		narrowing string
		family    bool
	}{
		{"character varying(32)", "character varying(16)", false, "fails if a value does not fit character varying(16) (nothing is cut: the statement stops)", false},
		{"numeric(10,4)", "numeric(10,2)", false, "rounds the column's values to 2 decimal places", true},
		{"numeric(10,2)", "numeric(8,2)", false, "fails if a value does not fit numeric(8,2) (nothing is cut: the statement stops)", true},
		{"integer", "text", false, "", false},
		{"uuid", "character varying(10)", false, "", false},
		{"character varying(10)[]", "character varying(5)[]", false, "", false},
		{"text", "integer", true, "", false},
		{"integer", "text[]", true, "", false},
		{"bigint", "integer", true, "", true},
		{"bigint", "timestamp without time zone", true, "", false},
		{"date", "timestamp with time zone", true, "", true},
		{"json", "jsonb", true, "", true},
	} {
		require.Equal(t, tc.using, needsUsing(tc.from, tc.to), "USING from %s to %s", tc.from, tc.to)
		require.Equal(t, tc.narrowing, narrowing(tc.from, tc.to), "%s to %s", tc.from, tc.to)
		require.Equal(t, tc.family, sameFamily(tc.from, tc.to), "%s to %s", tc.from, tc.to)
	}
}

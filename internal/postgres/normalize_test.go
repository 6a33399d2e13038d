package postgres

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSameExpression(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		a, b string
		same bool
	}{
		{"IN on varchar, created and restored",
			`CHECK (((status)::text = ANY ((ARRAY['new'::character varying, 'done'::character varying])::text[])))`,
			`CHECK (((status)::text = ANY (ARRAY[('new'::character varying)::text, ('done'::character varying)::text])))`, true},
		{"IN written out", `CHECK (status IN ('new', 'done'))`, `CHECK ((status = ANY (ARRAY['new'::text, 'done'::text])))`, true},
		{"NOT IN", `CHECK (status NOT IN ('x'))`, `CHECK ((status <> ALL (ARRAY['x'::text])))`, true},
		{"bigint literal", `'2'::bigint`, `2`, true},
		{"numeric scale", `0.010000`, `0.01`, true},
		{"numeric cast scale", `'0.01'::numeric(5,2)`, `0.010000`, true},
		{"redundant parentheses", `((a > 0) AND (b > 0))`, `(a > 0) AND (b > 0)`, true},
		{"timestamp literal", `'2020-01-01 00:00:00'::timestamp without time zone`, `'2020-01-01 00:00:00'`, true},
		{"AT TIME ZONE and timezone()", `(now() AT TIME ZONE 'utc'::text)`, `timezone('utc'::text, now())`, true},
		{"AT TIME ZONE in an index", `CREATE INDEX i ON public.e USING btree (((created_at AT TIME ZONE 'UTC'::text)))`,
			`CREATE INDEX i ON public.e USING btree (timezone('UTC'::text, created_at))`, true},
		{"AT TIME ZONE inside a call", `date_trunc('day'::text, (created_at AT TIME ZONE 'utc'::text))`,
			`date_trunc('day'::text, timezone('utc'::text, created_at))`, true},
		{"AT TIME ZONE twice", `((a AT TIME ZONE 'utc'::text) < (b AT TIME ZONE 'utc'::text))`, `(timezone('utc'::text, a) < timezone('utc'::text, b))`, true},
		{"AT TIME ZONE of a parenthesized sum", `(((a + b)) AT TIME ZONE 'utc'::text)`, `timezone('utc'::text, (a + b))`, true},
		// Real differences stay differences.
		{"another zone", `(now() AT TIME ZONE 'utc'::text)`, `timezone('cet'::text, now())`, false},
		{"the operands swapped", `(a AT TIME ZONE b)`, `timezone(a, b)`, false},
		{"other value", `CHECK ((a > 0))`, `CHECK ((a > 1))`, false},
		{"other list", `CHECK (status IN ('new', 'done'))`, `CHECK (status IN ('new', 'gone'))`, false},
		{"cast of a column to another type", `(a)::integer > 0`, `(a)::bigint > 0`, false},
		{"operator precedence", `(a + b) * c`, `a + (b * c)`, false},
		{"whitespace in a literal", `'a b'`, `'a  b'`, false},
		{"function call kept", `lower(name)`, `lower((name))`, true},
		{"other function", `lower(name)`, `upper(name)`, false},
	}
	for _, tc := range cases {
		require.Equal(t, tc.same, sameExpression(tc.a, tc.b), "%s: %s vs %s", tc.name, tc.a, tc.b)
	}
}

func TestSameCode(t *testing.T) {
	t.Parallel()
	body := "CREATE OR REPLACE FUNCTION public.f()\n RETURNS integer\n LANGUAGE sql\nAS $function$\nSELECT 1\n$function$\n"
	require.True(t, sameCode(body, "CREATE OR REPLACE FUNCTION public.f()\n RETURNS integer\n LANGUAGE sql\nAS $function$SELECT   1$function$\n"), "a trailing newline inside the body")
	require.True(t, sameCode("AS $$ BEGIN\n\tRETURN 1;\nEND $$", "AS $$BEGIN RETURN 1; END$$"))
	require.False(t, sameCode("AS $$ SELECT 'a b' $$", "AS $$ SELECT 'a  b' $$"), "whitespace in a string literal is data")
	require.False(t, sameCode("AS $$ SELECT 1 $$", "AS $$ SELECT 2 $$"))
	require.False(t, sameCode("AS $$ SELECT 1 -- one\n $$", "AS $$ SELECT 1 -- two\n $$"), "comments are compared")
	require.True(t, sameCode("SELECT a+b", "SELECT a + b"))
}

// TestSQLSyntaxIsTheCall: PostgreSQL 14 and later render a call written in SQL syntax in that
// syntax, earlier majors (and their dumps) as the function it is.
func TestSQLSyntaxIsTheCall(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		sql, call string
		same      bool
	}{
		{`CHECK ((SUBSTRING(x FROM 1 FOR 1) <> 'z'::text))`, `CHECK (("substring"(x, 1, 1) <> 'z'::text))`, true},
		{`SUBSTRING(x FROM 2)`, `"substring"(x, 2)`, true},
		{`SUBSTRING(x SIMILAR '%#"o_b#"%'::text ESCAPE '#'::text)`, `"substring"(x, '%#"o_b#"%'::text, '#'::text)`, true},
		{`POSITION(('a'::text) IN (b))`, `"position"(b, 'a'::text)`, true},
		{`TRIM(BOTH FROM x)`, `btrim(x)`, true},
		{`TRIM(BOTH 'x'::text FROM name)`, `btrim(name, 'x'::text)`, true},
		{`TRIM(LEADING FROM x)`, `ltrim(x)`, true},
		{`TRIM(TRAILING ' '::text FROM x)`, `rtrim(x, ' '::text)`, true},
		{`OVERLAY(x PLACING 'ab'::text FROM 2 FOR 3)`, `"overlay"(x, 'ab'::text, 2, 3)`, true},
		{`COLLATION FOR (x)`, `pg_collation_for(x)`, true},
		{`lower(SUBSTRING(upper(TRIM(BOTH FROM x)) FROM 1 FOR 2))`, `lower("substring"(upper(btrim(x)), 1, 2))`, true},
		{`CREATE INDEX i ON public.t USING btree ("position"(b, 'a'::text))`, `CREATE INDEX i ON public.t USING btree (POSITION(('a'::text) IN (b)))`, true},
		// Real differences stay differences.
		{`SUBSTRING(x FROM 1 FOR 2)`, `"substring"(x, 1, 3)`, false},
		{`POSITION(('a'::text) IN (b))`, `"position"('a'::text, b)`, false},
		{`TRIM(LEADING FROM x)`, `rtrim(x)`, false},
		{`TRIM(BOTH 'x'::text FROM name)`, `btrim(name, 'y'::text)`, false},
	} {
		require.Equal(t, tc.same, sameExpression(tc.sql, tc.call), "%s vs %s", tc.sql, tc.call)
		require.Equal(t, tc.same, sameExpression(tc.call, tc.sql), "%s vs %s", tc.call, tc.sql)
	}
}

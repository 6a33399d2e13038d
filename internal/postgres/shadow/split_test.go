package shadow

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// stmt is a compact expectation: the text, its line and its kind.
type stmt struct {
	sql  string
	line int
	kind StatementKind
}

func split(t *testing.T, script string) []stmt {
	t.Helper()
	got, err := Split(script)
	require.NoError(t, err)
	var out []stmt
	for _, s := range got {
		out = append(out, stmt{s.SQL, s.Line, s.Kind})
	}
	return out
}

func TestSplit(t *testing.T) {
	cases := []struct {
		name   string
		script string
		want   []stmt
	}{
		{
			name:   "simple statements and lines",
			script: "CREATE TABLE a (id int);\n\nCREATE TABLE b (\n  id int\n);\nSELECT 1",
			want: []stmt{
				{"CREATE TABLE a (id int)", 1, Plain},
				{"CREATE TABLE b (\n  id int\n)", 3, Plain},
				{"SELECT 1", 6, Plain},
			},
		},
		{
			name:   "empty statements and trailing whitespace",
			script: ";;\n  ;\nSELECT 1;  \n\n",
			want:   []stmt{{"SELECT 1", 3, Plain}},
		},
		{
			name:   "single-quoted strings with doubled quotes",
			script: "INSERT INTO t VALUES ('a;b', 'it''s; here');\nSELECT 2;",
			want: []stmt{
				{"INSERT INTO t VALUES ('a;b', 'it''s; here')", 1, Plain},
				{"SELECT 2", 2, Plain},
			},
		},
		{
			name:   "multi-line string counts lines",
			script: "INSERT INTO t VALUES ('line1;\nline2;\nline3');\nSELECT 3;",
			want: []stmt{
				{"INSERT INTO t VALUES ('line1;\nline2;\nline3')", 1, Plain},
				{"SELECT 3", 4, Plain},
			},
		},
		{
			name:   "E strings with backslash escapes",
			script: `SELECT E'it\'s; \\'; SELECT e'\';'; SELECT 'plain\'; SELECT 4;`,
			want: []stmt{
				{`SELECT E'it\'s; \\'`, 1, Plain},
				{`SELECT e'\';'`, 1, Plain},
				{`SELECT 'plain\'`, 1, Plain},
				{`SELECT 4`, 1, Plain},
			},
		},
		{
			name:   "an identifier ending in e is not an E string prefix",
			script: `SELECT name'x\'; SELECT 5;`,
			want: []stmt{
				{`SELECT name'x\'`, 1, Plain},
				{`SELECT 5`, 1, Plain},
			},
		},
		{
			name:   "double-quoted identifiers",
			script: `CREATE TABLE "we;ird ""name""" (id int); SELECT 6;`,
			want: []stmt{
				{`CREATE TABLE "we;ird ""name""" (id int)`, 1, Plain},
				{`SELECT 6`, 1, Plain},
			},
		},
		{
			name:   "comments, nested block comments",
			script: "-- leading; comment\n/* block; /* nested; */ still; */ SELECT 1; -- trailing;\nSELECT /* in; */ 2;\n-- done;",
			want: []stmt{
				{"SELECT 1", 2, Plain},
				{"SELECT /* in; */ 2", 3, Plain},
			},
		},
		{
			name:   "line comment inside a statement",
			script: "SELECT 1 -- a; b\n, 2;",
			want:   []stmt{{"SELECT 1 -- a; b\n, 2", 1, Plain}},
		},
		{
			name: "dollar-quoted bodies with and without tags",
			script: "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 1; -- ;\nEND;\n$$;\n" +
				"CREATE FUNCTION g() RETURNS text LANGUAGE plpgsql AS $fn$\nBEGIN\n  RETURN $$a;b$$ || 'c;';\nEND\n$fn$;\nSELECT 7;",
			want: []stmt{
				{"CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 1; -- ;\nEND;\n$$", 1, Plain},
				{"CREATE FUNCTION g() RETURNS text LANGUAGE plpgsql AS $fn$\nBEGIN\n  RETURN $$a;b$$ || 'c;';\nEND\n$fn$", 6, Plain},
				{"SELECT 7", 11, Plain},
			},
		},
		{
			name:   "positional parameters and dollar signs in identifiers are not quotes",
			script: "CREATE FUNCTION h(int) RETURNS int LANGUAGE sql AS 'SELECT $1'; SELECT a$b$c FROM t$1; SELECT 8;",
			want: []stmt{
				{"CREATE FUNCTION h(int) RETURNS int LANGUAGE sql AS 'SELECT $1'", 1, Plain},
				{"SELECT a$b$c FROM t$1", 1, Plain},
				{"SELECT 8", 1, Plain},
			},
		},
		{
			name:   "DO block",
			script: "DO $$\nBEGIN\n  IF true THEN\n    RAISE NOTICE 'x;';\n  END IF;\nEND\n$$;\n",
			want:   []stmt{{"DO $$\nBEGIN\n  IF true THEN\n    RAISE NOTICE 'x;';\n  END IF;\nEND\n$$", 1, DoBlock}},
		},
		{
			name:   "BEGIN ATOMIC bodies",
			script: "CREATE OR REPLACE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN a ELSE 0 END + b;\nEND;\nCREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); END;\nSELECT 9;",
			want: []stmt{
				{"CREATE OR REPLACE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN a ELSE 0 END + b;\nEND", 1, Plain},
				{"CREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); END", 5, Plain},
				{"SELECT 9", 6, Plain},
			},
		},
		{
			name:   "RETURN CASE in a SQL-standard function body",
			script: "CREATE FUNCTION sign1(x int) RETURNS int LANGUAGE sql RETURN CASE WHEN x > 0 THEN 1 ELSE 0 END;\nSELECT 10;",
			want: []stmt{
				{"CREATE FUNCTION sign1(x int) RETURNS int LANGUAGE sql RETURN CASE WHEN x > 0 THEN 1 ELSE 0 END", 1, Plain},
				{"SELECT 10", 2, Plain},
			},
		},
		{
			name:   "semicolons inside parentheses (rule actions)",
			script: "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO log VALUES (1); INSERT INTO log VALUES (2));\nSELECT 11;",
			want: []stmt{
				{"CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO log VALUES (1); INSERT INTO log VALUES (2))", 1, Plain},
				{"SELECT 11", 2, Plain},
			},
		},
		{
			name:   "transaction control",
			script: "BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;\nSTART TRANSACTION ISOLATION LEVEL SERIALIZABLE;\nSAVEPOINT s;\nROLLBACK TO SAVEPOINT s;\nROLLBACK;\nbegin work;\nend;\nABORT;",
			want: []stmt{
				{"BEGIN", 1, Begin},
				{"CREATE TABLE t (id int)", 2, Plain},
				{"COMMIT", 3, End},
				{"START TRANSACTION ISOLATION LEVEL SERIALIZABLE", 4, Begin},
				{"SAVEPOINT s", 5, Plain},
				{"ROLLBACK TO SAVEPOINT s", 6, Plain},
				{"ROLLBACK", 7, End},
				{"begin work", 8, Begin},
				{"end", 9, End},
				{"ABORT", 10, End},
			},
		},
		{
			name:   "BOM is ignored",
			script: "\uFEFFSELECT 1;",
			want:   []stmt{{"SELECT 1", 1, Plain}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, split(t, tc.script))
		})
	}
}

func TestSplitClassifiesNonTransactionalStatements(t *testing.T) {
	cases := []struct {
		sql  string
		kind StatementKind
	}{
		{"CREATE INDEX CONCURRENTLY i ON t (a)", NoTransaction},
		{"create unique index concurrently if not exists i on t (a)", NoTransaction},
		{"CREATE INDEX i ON t (concurrently)", Plain},
		{"DROP INDEX CONCURRENTLY IF EXISTS i", NoTransaction},
		{"DROP INDEX i", Plain},
		{"REINDEX INDEX CONCURRENTLY i", NoTransaction},
		{"REINDEX (VERBOSE) TABLE CONCURRENTLY t", NoTransaction},
		{"REINDEX DATABASE app", NoTransaction},
		{"REINDEX TABLE t", Plain},
		{"VACUUM ANALYZE t", NoTransaction},
		{"vacuum", NoTransaction},
		{"CREATE DATABASE other", NoTransaction},
		{"DROP DATABASE other", NoTransaction},
		{"CREATE TABLESPACE ts LOCATION '/x'", NoTransaction},
		{"ALTER SYSTEM SET work_mem = '64MB'", NoTransaction},
		{"ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY", NoTransaction},
		{"ALTER TABLE p DETACH PARTITION p1", Plain},
		{"COMMIT PREPARED 'x'", NoTransaction},
		{"ALTER TYPE mood ADD VALUE 'happy'", AddEnumValue},
		{"ALTER TYPE public.mood ADD VALUE IF NOT EXISTS 'happy' BEFORE 'sad'", AddEnumValue},
		{"ALTER TYPE point3 ADD ATTRIBUTE z int", Plain},
		{"ALTER TYPE mood RENAME VALUE 'a' TO 'b'", Plain},
		{"SELECT 'CREATE INDEX CONCURRENTLY'", Plain},
	}
	for _, tc := range cases {
		got := split(t, tc.sql+";")
		require.Len(t, got, 1, tc.sql)
		require.Equal(t, tc.kind, got[0].kind, tc.sql)
	}
	enum := Statement{Kind: AddEnumValue}
	require.True(t, enum.OutsideTransaction(110022), "PostgreSQL 11 cannot add enum values in a transaction")
	require.False(t, enum.OutsideTransaction(120000))
	require.True(t, Statement{Kind: NoTransaction}.OutsideTransaction(170000))
	require.False(t, Statement{Kind: Plain}.OutsideTransaction(90600))
}

func TestSplitErrors(t *testing.T) {
	cases := []struct {
		name   string
		script string
		line   int
		msg    string
	}{
		{"meta-command include", "SELECT 1;\n\\i other.sql\nSELECT 2;", 2, `psql meta-command \i is not supported`},
		{"meta-command set after indentation", "SELECT 1;\n\n   \\set ON_ERROR_STOP on\n", 3, `psql meta-command \set is not supported`},
		{"unterminated string", "SELECT 1;\nSELECT 'abc;\n", 2, "unterminated string"},
		{"unterminated identifier", "SELECT \"abc;\n", 1, "unterminated quoted identifier"},
		{"unterminated comment", "SELECT 1;\n/* one /* two */\nSELECT 2;", 2, "unterminated /* comment"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Split(tc.script)
			var se *SplitError
			require.True(t, errors.As(err, &se), "want a SplitError, got %v", err)
			require.Equal(t, tc.line, se.Line)
			require.Contains(t, se.Error(), tc.msg)
		})
	}
	// A backslash inside a string or a dollar quote is data, not a meta-command.
	got := split(t, "SELECT 'a\n\\b';\nSELECT $$\n\\c\n$$;")
	require.Len(t, got, 2)
}

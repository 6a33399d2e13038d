package benchgen

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func generate(t *testing.T, opts Options) []byte {
	t.Helper()
	var b bytes.Buffer
	_, err := Write(&b, opts)
	require.NoError(t, err)
	return b.Bytes()
}

func TestWriteIsDeterministic(t *testing.T) {
	a := generate(t, Options{Tables: 500})
	b := generate(t, Options{Tables: 500})
	require.Equal(t, a, b, "the same options must give the same bytes")

	// Chunking changes how the SQL is delivered, never what it says.
	require.Equal(t, a, generate(t, Options{Tables: 500, TablesPerChunk: 7}))

	// A bigger schema starts with the smaller one's tables: every table's shape is decided in
	// order, so the 500-table schema is a prefix of the 600-table schema.
	c := generate(t, Options{Tables: 600, Schemas: 8})
	require.NotEqual(t, a, c)
	require.True(t, bytes.HasPrefix(c, a), "the 500-table schema must be a prefix of the 600-table one")
}

func TestOptionsAreValidated(t *testing.T) {
	for _, opts := range []Options{{Tables: 0}, {Tables: -3}, {Tables: 10, Schemas: MaxSchemas + 1}, {Tables: 10, TablesPerChunk: -1}} {
		_, err := New(opts)
		require.Error(t, err, "%+v", opts)
	}
	g, err := New(Options{Tables: 20})
	require.NoError(t, err)
	require.Equal(t, 2, g.Options().Schemas)
	require.Equal(t, DefaultTablesPerChunk, g.Options().TablesPerChunk)
}

func TestCountsAtBenchmarkSize(t *testing.T) {
	c, err := Count(Options{Tables: 2000})
	require.NoError(t, err)
	require.Equal(t, 2000, c.Tables)
	require.Equal(t, 8, c.Schemas)
	require.Equal(t, 200, c.Views, "one view per ten tables")
	require.Equal(t, 20, c.MaterializedViews, "one materialized view per hundred tables")
	require.Equal(t, 2000/20+2*8, c.Functions, "one routine per twenty tables plus two trigger functions per schema")
	require.Equal(t, 16, c.Enums)
	require.Equal(t, 2000, c.PrimaryKeys)
	// Shape of a realistic schema: these bounds hold for the fixed seed and fail if the
	// generator stops emitting a feature.
	require.Greater(t, c.Columns, 2000*8)
	require.Greater(t, c.ForeignKeys, 1200)
	require.Greater(t, c.Indexes, 2000)
	require.Greater(t, c.Triggers, 700)
	require.Greater(t, c.CheckConstraints, 1000)
	require.Greater(t, c.UniqueConstraints, 400)
	require.Greater(t, c.Comments, 1000)
	require.Greater(t, c.Grants, 50)
}

// TestLoadCreatesWhatWasCounted loads a schema big enough to hold every kind of object (a
// materialized view, all four routine kinds) in chunks, and checks the catalog holds exactly
// what the generator counted.
func TestLoadCreatesWhatWasCounted(t *testing.T) {
	dsn := pgtest.NewDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)

	opts := Options{Tables: 300, TablesPerChunk: 70}
	counts, err := Load(ctx, conn, opts, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	require.Equal(t, 300, counts.Tables)

	schemas := schemaNames
	count := func(sql string) int {
		t.Helper()
		var n int
		require.NoError(t, conn.QueryRow(ctx, sql, schemas).Scan(&n), sql)
		return n
	}
	const inSchemas = "n.nspname = ANY($1)"
	require.Equal(t, counts.Schemas, count("SELECT count(*) FROM pg_namespace n WHERE "+inSchemas))
	relkind := func(kind string) int {
		return count("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = '" + kind + "' AND " + inSchemas)
	}
	require.Equal(t, counts.Tables, relkind("r"))
	require.Equal(t, counts.Views, relkind("v"))
	require.Equal(t, counts.MaterializedViews, relkind("m"))
	// Standalone sequences only: serial and identity sequences depend on their column.
	require.Equal(t, counts.Sequences, count(`SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind = 'S' AND `+inSchemas+` AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i'))`))
	require.Equal(t, counts.Columns, count(`SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND `+inSchemas))
	require.Equal(t, counts.Functions, count("SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE "+inSchemas))
	require.Equal(t, 3, count("SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.prokind = 'p' AND "+inSchemas))
	require.Equal(t, counts.Triggers, count(`SELECT count(*) FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE NOT g.tgisinternal AND `+inSchemas))
	contype := func(kind string) int {
		return count("SELECT count(*) FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE k.conrelid <> 0 AND k.contype = '" + kind + "' AND " + inSchemas)
	}
	require.Equal(t, counts.PrimaryKeys, contype("p"))
	require.Equal(t, counts.ForeignKeys, contype("f"))
	require.Equal(t, counts.UniqueConstraints, contype("u"))
	require.Equal(t, counts.CheckConstraints, contype("c"))
	require.Equal(t, counts.Indexes, count(`SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE `+inSchemas+` AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))`))
	require.Equal(t, counts.Enums, count("SELECT count(*) FROM pg_type y JOIN pg_namespace n ON n.oid = y.typnamespace WHERE y.typtype = 'e' AND "+inSchemas))
	require.Equal(t, counts.Domains, count("SELECT count(*) FROM pg_type y JOIN pg_namespace n ON n.oid = y.typnamespace WHERE y.typtype = 'd' AND "+inSchemas))

	// The variety the benchmark relies on is really there.
	require.Positive(t, count(`SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE i.indpred IS NOT NULL AND `+inSchemas), "partial indexes")
	require.Positive(t, count(`SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE i.indexprs IS NOT NULL AND `+inSchemas), "expression indexes")
	attrs := func(cond string) int {
		return count(`SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE c.relkind = 'r' AND a.attnum > 0 AND ` + cond + ` AND ` + inSchemas)
	}
	require.Positive(t, attrs("a.attidentity = 'a'"), "GENERATED ALWAYS identity columns")
	require.Positive(t, attrs("a.attidentity = 'd'"), "GENERATED BY DEFAULT identity columns")
	require.Positive(t, attrs("a.attgenerated = 's'"), "generated columns")
	require.Positive(t, attrs("a.attname = 'id' AND a.atttypid = 'uuid'::regtype"), "uuid keys")
	require.Positive(t, attrs("a.attname = 'id' AND a.atttypid = 'int4'::regtype"), "serial keys")
	require.Positive(t, attrs("a.attndims > 0 OR a.atttypid IN ('text[]'::regtype, 'int4[]'::regtype)"), "array columns")
	require.Positive(t, count(`SELECT count(*) FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE `+inSchemas), "comments")
}

// TestWholeScriptLoads runs the single-file form (what `psql -f` would get) of a 20-table schema
// in one go, twice in two databases of the same server: the roles it creates already exist the
// second time.
func TestWholeScriptLoads(t *testing.T) {
	script := string(generate(t, Options{Tables: 20}))
	require.Contains(t, script, "CREATE TABLE app.account_00000 (")
	require.Equal(t, 20, strings.Count(script, "CREATE TABLE "))
	for range 2 {
		dsn := pgtest.NewDB(t)
		pgtest.Exec(t, dsn, script)
	}
}

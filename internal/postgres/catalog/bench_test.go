package catalog

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgtest"
)

var benchTables = flag.Int("bench-tables", 500, "number of tables in the schema generated for the benchmarks")

// generatedSchema builds n tables shaped like an application's: a bigserial key, a foreign key
// to the previous table, assorted column types, defaults, a check, an index, a comment; and
// every 10th table a view, every 20th a trigger function and a trigger.
func generatedSchema(n int) string {
	return fmt.Sprintf(`
CREATE SCHEMA gen;
CREATE TYPE gen.status AS ENUM ('new', 'active', 'closed');
DO $gen$
BEGIN
  FOR i IN 1..%d LOOP
    EXECUTE format($t$
      CREATE TABLE gen.t%%1$s (
        id bigserial PRIMARY KEY,
        parent_id bigint %%2$s,
        name text NOT NULL DEFAULT '',
        email varchar(255),
        status gen.status NOT NULL DEFAULT 'new',
        amount numeric(12,2) CHECK (amount >= 0),
        payload jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz
      );
      CREATE INDEX t%%1$s_name_idx ON gen.t%%1$s (name);
      CREATE UNIQUE INDEX t%%1$s_email_idx ON gen.t%%1$s (lower(email)) WHERE email IS NOT NULL;
      COMMENT ON TABLE gen.t%%1$s IS 'generated table %%1$s';
    $t$, i, CASE WHEN i > 1 THEN format('REFERENCES gen.t%%s (id)', i - 1) ELSE '' END);
    IF i %% 10 = 0 THEN
      EXECUTE format('CREATE VIEW gen.v%%1$s AS SELECT id, name, status FROM gen.t%%1$s WHERE status <> %%2$L', i, 'closed');
    END IF;
    IF i %% 20 = 0 THEN
      EXECUTE format($f$
        CREATE FUNCTION gen.touch%%1$s() RETURNS trigger LANGUAGE plpgsql AS $b$ BEGIN NEW.updated_at := now(); RETURN NEW; END $b$;
        CREATE TRIGGER t%%1$s_touch BEFORE UPDATE ON gen.t%%1$s FOR EACH ROW EXECUTE FUNCTION gen.touch%%1$s();
      $f$, i);
    END IF;
  END LOOP;
END
$gen$;
ANALYZE;
`, n)
}

// BenchmarkIntrospect introspects a generated schema (500 tables by default; -bench-tables
// changes it) the way drift does: a fresh connection per run, so the server's catalog caches
// start cold, as they do for `drift snapshot`. The sub-benchmarks use one connection and the
// default two.
func BenchmarkIntrospect(b *testing.B) {
	dsn := pgtest.NewDB(b)
	pgtest.Exec(b, dsn, generatedSchema(*benchTables))
	for _, conns := range []int{1, 2} {
		b.Run(fmt.Sprintf("connections=%d", conns), func(b *testing.B) {
			ctx := context.Background()
			var objects int
			b.ReportAllocs()
			for b.Loop() {
				s, err := IntrospectDSN(ctx, dsn, Options{Connections: conns})
				if err != nil {
					b.Fatal(err)
				}
				objects = len(s.Objects)
			}
			b.ReportMetric(float64(objects), "objects")
		})
	}
}

// BenchmarkPgDumpSchemaOnly is the yardstick for BenchmarkIntrospect: pg_dump --schema-only of
// the same generated schema.
func BenchmarkPgDumpSchemaOnly(b *testing.B) {
	dsn := pgtest.NewDB(b)
	pgtest.Exec(b, dsn, generatedSchema(*benchTables))
	bin := pgtest.ClientBin(b, "pg_dump")
	b.ResetTimer()
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		cmd := exec.CommandContext(ctx, bin, "--schema-only", "--no-password", "-d", dsn)
		cmd.Stdout = io.Discard
		out, err := cmd.StderrPipe()
		require.NoError(b, err)
		require.NoError(b, cmd.Start())
		msg, _ := io.ReadAll(out)
		if err := cmd.Wait(); err != nil {
			cancel()
			b.Fatalf("pg_dump: %v: %s", err, msg)
		}
		cancel()
	}
}

// TestGeneratedSchemaIntrospects keeps the benchmark's generator honest at a small size, and
// checks a mid-sized schema gives the object counts the shape implies.
func TestGeneratedSchemaIntrospects(t *testing.T) {
	dsn := build(t, generatedSchema(40))
	s := snap(t, dsn, Options{})
	require.Len(t, keysOf(s, "table"), 40)
	require.Len(t, keysOf(s, "column"), 40*9+4*3) // 4 views of 3 columns
	require.Len(t, keysOf(s, "index"), 80)
	require.Len(t, keysOf(s, "view"), 4)
	require.Len(t, keysOf(s, "trigger"), 2)
	require.Len(t, keysOf(s, "function"), 2)
	require.Len(t, keysOf(s, "sequence"), 40)
	require.Len(t, keysOf(s, "constraint"), 40*3-1) // pkey, check, fkey (not on the first)
}

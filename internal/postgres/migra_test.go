package postgres

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/postgres/catalog"
	"github.com/drift-schema/drift/internal/snapshot"
)

// The migra project's test fixtures are shared beside the checkout (see
// ../shared/peer-fixtures/README.md). They are read in place, never copied into this repository.

// migraExceptions are the cases where differences legitimately remain after applying migra's
// statements; each has its own assertion of what remains, so an exception can hide nothing else.
var migraExceptions = map[string]func(t *testing.T, remaining []diff.Finding){
	// migra was run on schema goodschema only: everything left is outside it.
	"singleschema": onlyOutsideSchema("goodschema"),
	// migra was run excluding schema2... and the statements create schema2's table, so what is
	// left lives outside schema2's table.
	"excludeschema": func(t *testing.T, remaining []diff.Finding) {
		require.NotEmpty(t, remaining)
		for _, f := range remaining {
			require.NotContains(t, f.Object, "schema2.z", "schema2.z was migrated: %+v", f)
		}
	},
	// migra only created the missing extension (citext): hstore, which that mode never drops,
	// and the tables and types it did not look at still differ.
	"singleschema_ext": func(t *testing.T, remaining []diff.Finding) {
		require.NotEmpty(t, remaining)
		for _, f := range remaining {
			require.NotEqual(t, "citext", f.Object, "citext was migrated: %+v", f)
			if f.Kind == "extension" {
				require.Equal(t, "hstore", f.Object)
				require.Equal(t, diff.Missing, f.Change)
			}
		}
	},
	// A REVOKE from the table owner that migra does not model: the owner's privileges differ.
	"privileges": onlyOwnerPrivileges,
	"everything": onlyOwnerPrivilegesOrSequenceTypes,
	// A sequence created as bigint where serial made an integer one.
	"seq":  onlyOwnerPrivilegesOrSequenceTypes,
	"rls2": onlyOwnerPrivilegesOrSequenceTypes,
}

// migraFixExceptions are the migra cases where drift's own fix cannot make the two sides equal,
// per direction: the findings left, each of which the fix says it cannot write (proveFix
// asserts both). adopt turns a into b (migra's direction), revert turns b into a.
var migraFixExceptions = map[string]map[check.FixMode][]string{
	// b's enums hold labels a's do not: PostgreSQL cannot remove enum labels.
	"enumdefaults":     {check.FixRevert: {"type public.order_status"}},
	"enumdeps":         {check.FixRevert: {"type public.e"}},
	"singleschema":     {check.FixRevert: {"type goodschema.sdfasdfasdf"}},
	"singleschema_ext": {check.FixRevert: {"type goodschema.sdfasdfasdf"}},
	"everything":       {check.FixRevert: {"type public.shipping_status", "type public.unused_enum"}},
	// b's pg_trgm is newer than a's, and extensions ship no downgrade scripts.
	"extversions": {check.FixRevert: {"extension pg_trgm"}},
	// A table cannot become partitioned, or stop being, in place.
	"partitioning": {
		check.FixAdopt: {"table public.partitioned2reg", "table public.reg2partitioned",
			"partitioning public.partitioned2reg", "partitioning public.reg2partitioned"},
		check.FixRevert: {"table public.partitioned2reg", "table public.reg2partitioned",
			"partitioning public.partitioned2reg", "partitioning public.reg2partitioned"},
	},
}

func onlyOutsideSchema(schema string) func(t *testing.T, remaining []diff.Finding) {
	return func(t *testing.T, remaining []diff.Finding) {
		require.NotEmpty(t, remaining)
		for _, f := range remaining {
			require.False(t, f.Object == schema || strings.HasPrefix(f.Object, schema+"."), "%s was migrated, yet: %+v", schema, f)
		}
	}
}

func onlyOwnerPrivileges(t *testing.T, remaining []diff.Finding) {
	require.NotEmpty(t, remaining)
	for _, f := range remaining {
		require.Equal(t, "privilege", f.Kind, "%+v", f)
		require.Contains(t, f.Object, ":<owner>:", "%+v", f)
	}
}

func onlyOwnerPrivilegesOrSequenceTypes(t *testing.T, remaining []diff.Finding) {
	require.NotEmpty(t, remaining)
	for _, f := range remaining {
		switch f.Kind {
		case "privilege":
			require.Contains(t, f.Object, ":<owner>:", "%+v", f)
		case "sequence":
			require.Equal(t, diff.Changed, f.Change, "%+v", f)
			require.Subset(t, []string{"type", "max"}, f.Attributes, "%+v", f)
		default:
			t.Fatalf("unexpected remaining finding: %+v", f)
		}
	}
}

// TestMigraCorpus holds drift against a corpus it did not write, on real databases. a.sql stands
// for what the migrations produce and b.sql for the live database: drift must find differences;
// after migra's statements turn a into b, nothing may remain but the documented exceptions
// (migraExceptions); and drift's own fix must turn a into b and b back into a, leaving only
// what it says it cannot write (migraFixExceptions, proveFix). One pair of databases serves all
// three.
func TestMigraCorpus(t *testing.T) {
	migraDir := pgtest.SharedDir(t, 2, "peer-fixtures/migra")
	cases, err := os.ReadDir(migraDir)
	require.NoError(t, err)
	admin := pgtest.AdminDSN(t)
	pgtest.Exec(t, admin, `DO $$ BEGIN
		IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'schemainspect_test_role') THEN
			CREATE ROLE schemainspect_test_role;
		END IF; END $$`)
	ran := 0
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		name := c.Name()
		ran++
		t.Run(name, func(t *testing.T) {
			t.Parallel() // each case builds its own databases
			dir := filepath.Join(migraDir, name)
			a, err := os.ReadFile(filepath.Join(dir, "a.sql"))
			require.NoError(t, err)
			b, err := os.ReadFile(filepath.Join(dir, "b.sql"))
			require.NoError(t, err)
			checked := proveFix(t, "", fixCase{name: name, expected: string(a), actual: string(b), left: migraFixExceptions[name]})
			require.NotEmpty(t, compared(diff.Compare(checked.Expected, checked.Actual, diff.Options{Rules: Rules{}, Target: name})), "drift between a and b must be reported")

			variants := [][]string{{"a.sql", "expected.sql"}}
			// migra runs the variant only when additions.sql has statements; several are empty.
			if add, err := os.ReadFile(filepath.Join(dir, "additions.sql")); err == nil && strings.TrimSpace(string(add)) != "" {
				variants = append(variants, []string{"a.sql", "additions.sql", "expected2.sql"})
			}
			for _, files := range variants {
				if name == "generated_added" {
					// The fixture is broken: its statements do not apply. Say so, precisely.
					dsn := pgtest.NewDB(t)
					err := execFiles(dsn, dir, files...)
					require.Error(t, err, "generated_added's %v was expected not to apply", files)
					continue
				}
				c := loadMigra(t, dir, files...)
				remaining := compared(diff.Compare(c, checked.Actual, diff.Options{Rules: Rules{}, Target: name}))
				if check, ok := migraExceptions[name]; ok {
					check(t, remaining)
					continue
				}
				require.Empty(t, remaining, "after %v, a and b must not differ", files)
			}
		})
	}
	require.Greater(t, ran, 20, "the migra corpus must be there")
}

// compared leaves out what drift says it did not compare when both sides hold the same such
// objects: no difference is reported there, and none is hidden either (a different set of
// unmodelled objects is still a finding).
func compared(fs []diff.Finding) []diff.Finding {
	var out []diff.Finding
	for _, f := range fs {
		if f.Kind == diff.KindNotCompared && f.Expected == f.Actual {
			continue
		}
		out = append(out, f)
	}
	return out
}

// loadMigra builds a fresh database from the files and returns its snapshot, read as proveFix's
// comparison reads (every partition compared).
func loadMigra(t *testing.T, dir string, files ...string) *snapshot.Snapshot {
	t.Helper()
	dsn := pgtest.NewDB(t)
	require.NoError(t, execFiles(dsn, dir, files...))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := catalog.IntrospectDSN(ctx, dsn, catalog.Options{Partitions: true})
	require.NoError(t, err)
	return s
}

func execFiles(dsn, dir string, files ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, f := range files {
		sql, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, string(sql), pgx.QueryExecModeSimpleProtocol); err != nil {
			return err
		}
	}
	return nil
}

package postgres

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/pgtest"
)

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

// TestMigraCorpusFix runs drift's own SQL where the corpus has migra's expected.sql: a plus
// drift's fix must equal b, and b plus the reverse fix must equal a, on real databases.
func TestMigraCorpusFix(t *testing.T) {
	migraDir := pgtest.SharedDir(t, 2, "peer-fixtures/migra")
	cases, err := os.ReadDir(migraDir)
	require.NoError(t, err)
	pgtest.Exec(t, pgtest.AdminDSN(t), `DO $$ BEGIN
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
			t.Parallel()
			a, err := os.ReadFile(filepath.Join(migraDir, name, "a.sql"))
			require.NoError(t, err)
			b, err := os.ReadFile(filepath.Join(migraDir, name, "b.sql"))
			require.NoError(t, err)
			proveFix(t, "", fixCase{name: name, expected: string(a), actual: string(b), left: migraFixExceptions[name]})
		})
	}
	require.Greater(t, ran, 20, "the migra corpus must be there")
}

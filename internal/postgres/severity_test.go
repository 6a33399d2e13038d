package postgres

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/postgres/catalog"
)

// TestSeverityByWhatIsAtStake builds real databases and checks the severity of each finding
// against the rule: critical when data is exposed, lost or corrupted or a migration will fail,
// warning when behaviour differs, info when cosmetic.
func TestSeverityByWhatIsAtStake(t *testing.T) {
	t.Parallel()
	role := pgtest.NewRole(t, "NOLOGIN")
	const base = `CREATE TABLE public.t (id int PRIMARY KEY, a int, b int);
CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1';`
	cases := []struct {
		name, expected, actual string
		kind, object           string
		change                 diff.Change
		severity               diff.Severity
	}{
		{"a new function is not a grant to PUBLIC", ``, `CREATE FUNCTION public.g() RETURNS int LANGUAGE sql AS 'SELECT 2';`,
			"function", "public.g()", diff.Unexpected, diff.Warning},
		{"a new type is not a grant to PUBLIC", ``, `CREATE TYPE public.e AS ENUM ('x');`, "type", "public.e", diff.Unexpected, diff.Warning},
		{"a new SECURITY DEFINER function", ``, `CREATE FUNCTION public.g() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 2';`,
			"function", "public.g()", diff.Unexpected, diff.Critical},
		{"a revoke from PUBLIC that is missing", `REVOKE EXECUTE ON FUNCTION public.f() FROM PUBLIC;`, ``,
			"privilege", "public.f():PUBLIC:EXECUTE", diff.Missing, diff.Critical},
		{"a revoke from PUBLIC nobody asked for", ``, `REVOKE EXECUTE ON FUNCTION public.f() FROM PUBLIC;`,
			"privilege", "public.f():PUBLIC:EXECUTE", diff.Unexpected, diff.Warning},
		{"default privileges to PUBLIC", ``, `ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;`,
			"default_privilege", "postgres:tables:PUBLIC:SELECT", diff.Unexpected, diff.Critical},
		{"a default revoke from PUBLIC that is missing", `ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;`, ``,
			"default_privilege", "postgres:functions:PUBLIC:EXECUTE", diff.Missing, diff.Critical},
		{"an INSTEAD rule swallowing deletes", ``, `CREATE RULE keep AS ON DELETE TO public.t DO INSTEAD NOTHING;`,
			"rule", "public.t.keep", diff.Unexpected, diff.Critical},
		{"a missing rule", `CREATE RULE keep AS ON DELETE TO public.t DO INSTEAD NOTHING;`, ``, "rule", "public.t.keep", diff.Missing, diff.Critical},
		{"a permissive policy lets more rows through", `ALTER TABLE public.t ENABLE ROW LEVEL SECURITY;`,
			`ALTER TABLE public.t ENABLE ROW LEVEL SECURITY; CREATE POLICY everyone ON public.t USING (true);`, "policy", "public.t.everyone", diff.Unexpected, diff.Critical},
		{"a restrictive policy lets fewer through", ``, `CREATE POLICY narrow ON public.t AS RESTRICTIVE USING (a > 0);`,
			"policy", "public.t.narrow", diff.Unexpected, diff.Warning},
		{"planner statistics are cosmetic", ``, `CREATE STATISTICS public.st ON a, b FROM public.t;`, "statistics", "public.st", diff.Unexpected, diff.Info},
		{"a function that now runs as a superuser", `CREATE FUNCTION public.s() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1'; ALTER FUNCTION public.s() OWNER TO ` + role + `;`,
			`CREATE FUNCTION public.s() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1';`, "function", "public.s()", diff.Changed, diff.Critical},
	}
	var schemas snapMemo
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			exp := schemas.snap(t, base+tc.expected, catalog.Options{})
			act := schemas.snap(t, base+tc.actual, catalog.Options{})
			fs := diff.Compare(exp, act, diff.Options{Rules: Rules{}})
			found := false
			for _, f := range fs {
				if f.Kind == tc.kind && f.Object == tc.object && f.Change == tc.change {
					found = true
					require.Equal(t, tc.severity, f.Severity, f.Summary)
				}
			}
			require.True(t, found, "no %s %s %s in:\n%s", tc.kind, tc.object, tc.change, describe(fs))
		})
	}
}

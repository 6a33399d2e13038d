package timescale_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/fixtest"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/timescaletest"
)

// cannotFix lists, per case and direction, the findings whose fix is a note that drift cannot
// write it (and why), not SQL.
var cannotFix = map[string]map[check.FixMode][]string{
	// a hypertable does not turn back into a plain table in place
	"not a hypertable": {check.FixAdopt: {"hypertable public.events"}},
}

// TestFixEachDrift proves the fix SQL of every TimescaleDB drift both ways: reverting it on a
// database that drifted, and adopting it as a migration on a database built by the migrations;
// comparing again afterwards finds nothing but what the fix says it cannot write.
func TestFixEachDrift(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel) // not defer: the parallel subtests run after this function returns
	r := runner()
	for _, tc := range driftCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			build := func(sql string) string {
				db := timescaletest.NewDB(t, false)
				pgtest.Exec(t, db, sql)
				return db
			}
			expDSN, actDSN := build(migration), build(tc.live(migration))
			// One comparison serves both fixes (AttachFix, as drift check --fix does); after a
			// fix, the side left alone is compared as the snapshot just read.
			checked := r.Check(ctx, live(expDSN), live(actDSN), check.Options{Name: "fix"})
			require.NotEqual(t, check.StatusError, checked.Status, checked.Error)
			expKept, actKept := fixtest.Kept(t, checked.Expected), fixtest.Kept(t, checked.Actual)
			for _, mode := range []check.FixMode{check.FixRevert, check.FixAdopt} {
				res := checked
				res.Findings = append([]diff.Finding(nil), checked.Findings...)
				require.NoError(t, r.AttachFix(&res, mode, mode == check.FixAdopt))
				require.NotEmpty(t, compared(res.Findings))
				require.NotNil(t, res.Fix)
				t.Logf("%s:\n%s", mode, res.Fix.Script())
				var copyDSN string
				if mode == check.FixRevert {
					copyDSN = build(tc.live(migration))
				} else {
					copyDSN = build(migration)
				}
				fixtest.ApplyFix(t, copyDSN, res.Fix)
				var after check.Result
				if mode == check.FixRevert {
					after = r.Check(ctx, expKept, live(copyDSN), check.Options{Name: "fix"})
				} else {
					after = r.Check(ctx, live(copyDSN), actKept, check.Options{Name: "fix"})
				}
				require.NotEqual(t, check.StatusError, after.Status, after.Error)
				var left []string
				for _, f := range compared(after.Findings) {
					left = append(left, f.Kind+" "+f.Object)
				}
				require.ElementsMatch(t, cannotFix[tc.name][mode], left, "%s: after the fix:\n%s\nthe fix:\n%s", mode, describe(after.Findings), res.Fix.Script())
				for _, f := range compared(res.Findings) {
					for _, l := range cannotFix[tc.name][mode] {
						if f.Kind+" "+f.Object == l {
							require.Contains(t, f.Fix, "drift cannot write SQL for")
						}
					}
				}
			}
		})
	}
}

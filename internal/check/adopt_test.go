package check_test

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/diff"
)

// TestAdoptRefuses: what cannot be adopted is refused before anything is read or written (the
// migration itself is tested end to end in cmd/drift, with real engines writing the fix).
func TestAdoptRefuses(t *testing.T) {
	r := runner(&stubEngine{})
	dir := migrationsDir(t)
	drifted := []diff.Finding{{Summary: "extra index"}}
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for _, c := range []struct {
		name   string
		target check.Target
		res    check.Result
		want   string
	}{
		{"error", check.Target{Expected: check.ExpectMigrations, MigrationsDir: dir}, check.Result{Status: check.StatusError, Error: "connection refused"}, "could not be checked: connection refused"},
		{"clean", check.Target{Expected: check.ExpectMigrations, MigrationsDir: dir}, check.Result{Status: check.StatusClean}, "no drift to adopt"},
		{"snapshot", check.Target{Expected: check.ExpectSnapshot, SnapshotPath: "snapshots/app.json"}, check.Result{Status: check.StatusDrift, Findings: drifted}, "rewrite snapshots/app.json from the live database"},
		{"pending", check.Target{Expected: check.ExpectMigrations, MigrationsDir: dir}, check.Result{Status: check.StatusDrift, Findings: drifted, Pending: []check.Migration{{}}}, "1 migrations of the set are not applied"},
	} {
		_, err := r.Adopt(c.target, &c.res, now)
		require.ErrorContains(t, err, c.want, c.name)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "nothing was written")
}

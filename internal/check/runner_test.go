package check_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/snapshot"
)

// stubLive stands in for a database engine: these tests are about the runner's own decisions
// (statuses, errors, timeouts), which need no server. The real engines are tested in their
// packages and end to end in cmd/drift.
type stubLive struct {
	snap *snapshot.Snapshot
	err  error
	wait time.Duration
}

func (s stubLive) Live(ctx context.Context, _ check.Target) (*snapshot.Snapshot, []diff.Finding, error) {
	select {
	case <-time.After(s.wait):
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	return s.snap, nil, s.err
}

type stubMigrations struct{ plan *check.Planned }

func (s stubMigrations) Plan(context.Context, check.Target, *snapshot.Snapshot) (*check.Planned, error) {
	return s.plan, nil
}

func pgSnap(version int, objs ...snapshot.Object) *snapshot.Snapshot {
	s := snapshot.New(snapshot.EnginePostgres)
	s.ServerVersionNum = version
	s.ServerVersion = map[int]string{150018: "15.18", 160004: "16.4"}[version]
	for _, o := range objs {
		s.Add(o)
	}
	return s
}

func TestRunnerStatuses(t *testing.T) {
	table := snapshot.Object{Kind: "table", Key: "public.t", Parent: "public"}
	planned := func(p *check.Planned) check.Engine {
		return check.Engine{Live: stubLive{snap: pgSnap(150018, table)}, Migrations: stubMigrations{p}}
	}
	cases := []struct {
		name     string
		engine   check.Engine
		target   check.Target
		status   check.Status
		errPart  string
		warnPart string
	}{
		{"clean", planned(&check.Planned{Expected: pgSnap(150018, table)}), check.Target{Expected: check.ExpectMigrations, MigrationsDir: "."}, check.StatusClean, "", ""},
		{"drift", planned(&check.Planned{Expected: pgSnap(150018)}), check.Target{Expected: check.ExpectMigrations, MigrationsDir: "."}, check.StatusDrift, "", ""},
		{"pending", planned(&check.Planned{Expected: pgSnap(150018, table), Pending: []check.Migration{{Version: "3"}}}), check.Target{Expected: check.ExpectMigrations, MigrationsDir: "."}, check.StatusPending, "", ""},
		{"major mismatch warns", planned(&check.Planned{Expected: pgSnap(160004, table)}), check.Target{Expected: check.ExpectMigrations, MigrationsDir: "."}, check.StatusClean, "", "16.4"},
		{"unreadable live", check.Engine{Live: stubLive{err: errors.New("connection refused for postgres://u:sekrit99@h/d")}, Migrations: stubMigrations{}}, check.Target{Expected: check.ExpectMigrations, MigrationsDir: ".", DSN: "postgres://u:sekrit99@h/d"}, check.StatusError, "reading the live schema: connection refused", ""},
		{"timeout", check.Engine{Live: stubLive{wait: time.Minute}, Migrations: stubMigrations{}}, check.Target{Expected: check.ExpectMigrations, MigrationsDir: ".", Timeout: 50 * time.Millisecond}, check.StatusError, "timeout 50ms", ""},
		{"missing snapshot", check.Engine{Live: stubLive{snap: pgSnap(150018)}}, check.Target{Expected: check.ExpectSnapshot, SnapshotPath: "/nonexistent/app.json"}, check.StatusError, "reading the expected snapshot", ""},
		{"no migrations support", check.Engine{Live: stubLive{snap: pgSnap(150018)}}, check.Target{Expected: check.ExpectMigrations, MigrationsDir: "."}, check.StatusError, "cannot build the expected schema from migrations", ""},
		{"missing migrations dir comes before the live database", check.Engine{Live: stubLive{err: errors.New("unreachable")}, Migrations: stubMigrations{}}, check.Target{Expected: check.ExpectMigrations, MigrationsDir: "/nonexistent/migrations"}, check.StatusError, "the migrations directory /nonexistent/migrations does not exist", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &check.Runner{Engines: map[string]check.Engine{"postgres": c.engine}}
			c.target.Name, c.target.Engine = "app", "postgres"
			res := r.Check(context.Background(), c.target)
			require.Equal(t, c.status, res.Status, res.Error)
			require.NotContains(t, res.Error, "sekrit99")
			if c.errPart != "" {
				require.Contains(t, res.Error, c.errPart)
			}
			if c.warnPart != "" {
				require.Len(t, res.Warnings, 1)
				require.Contains(t, res.Warnings[0], c.warnPart)
			}
			require.NotNil(t, res.Findings, "findings are an array, never null")
		})
	}
	res := (&check.Runner{}).Check(context.Background(), check.Target{Name: "x", Engine: "mysql"})
	require.Equal(t, check.StatusError, res.Status)
	require.Contains(t, res.Error, `engine "mysql" is not supported`)
}

func TestExitCode(t *testing.T) {
	warn := check.Result{Status: check.StatusDrift, Findings: []diff.Finding{{Severity: diff.Warning}}}
	info := check.Result{Status: check.StatusDrift, Findings: []diff.Finding{{Severity: diff.Info}}}
	pending := check.Result{Status: check.StatusPending, Pending: []check.Migration{{Version: "2"}}}
	broken := check.Result{Status: check.StatusError}
	require.Equal(t, 0, check.ExitCode(nil, diff.Warning, false))
	require.Equal(t, 1, check.ExitCode([]check.Result{warn}, diff.Warning, false))
	require.Equal(t, 0, check.ExitCode([]check.Result{warn}, diff.Critical, false))
	require.Equal(t, 0, check.ExitCode([]check.Result{info}, diff.Warning, false))
	require.Equal(t, 1, check.ExitCode([]check.Result{info}, diff.Info, false))
	require.Equal(t, 0, check.ExitCode([]check.Result{pending}, diff.Warning, false))
	require.Equal(t, 1, check.ExitCode([]check.Result{pending}, diff.Warning, true))
	require.Equal(t, 2, check.ExitCode([]check.Result{warn, broken}, diff.Warning, false), "could not check wins over drift")
}

func TestRunnerReportsWhatIgnoreRulesSilence(t *testing.T) {
	table := snapshot.Object{Kind: "table", Key: "public.t", Parent: "public"}
	idx := snapshot.Object{Kind: "index", Key: "public.tmp_report_idx", Parent: "public.t"}
	r := &check.Runner{Engines: map[string]check.Engine{"postgres": {
		Live:       stubLive{snap: pgSnap(150018, table, idx)},
		Migrations: stubMigrations{&check.Planned{Expected: pgSnap(150018, table)}},
	}}}
	res := r.Check(context.Background(), check.Target{Name: "app", Engine: "postgres", Expected: check.ExpectMigrations, MigrationsDir: ".",
		Ignore: []diff.IgnoreRule{{Kind: "index", Object: "public.tmp_*", Reason: "reports"}}})
	require.Equal(t, check.StatusClean, res.Status)
	require.Empty(t, res.Findings)
	require.Equal(t, []string{diff.Fingerprint("app", "index", "public.tmp_report_idx", diff.Unexpected)}, res.Ignored)
}

func TestRunnerScrubsCredentialsFromDefinitions(t *testing.T) {
	fn := func(body string) snapshot.Object {
		return snapshot.Object{Kind: "function", Key: "public.sync()", Parent: "public", Attrs: snapshot.NewAttrs("definition", body)}
	}
	r := &check.Runner{Engines: map[string]check.Engine{"postgres": {
		Live:       stubLive{snap: pgSnap(150018, fn("SELECT dblink_connect('host=db user=etl password=Hunter2Hunter2 dbname=x')"))},
		Migrations: stubMigrations{&check.Planned{Expected: pgSnap(150018, fn("SELECT dblink_connect('postgres://etl:Sw0rdfish99@db/x')"))}},
	}}}
	res := r.Check(context.Background(), check.Target{Name: "app", Engine: "postgres", Expected: check.ExpectMigrations, MigrationsDir: "."})
	require.Len(t, res.Findings, 1)
	f := res.Findings[0]
	for _, text := range []string{f.Summary, f.Expected, f.Actual, f.Diff} {
		require.NotContains(t, text, "Hunter2Hunter2")
		require.NotContains(t, text, "Sw0rdfish99")
	}
	require.Contains(t, f.Actual, "password=<secret>")
}

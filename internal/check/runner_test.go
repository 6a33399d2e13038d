package check_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/redact"
	"github.com/drift-schema/drift/internal/snapshot"
)

// stubEngine stands in for a database engine: these tests are about the runner's own
// decisions (statuses, errors, timeouts, which side is read when), which need no server. The
// real engines are tested in their packages, against the conformance suite, and end to end in
// cmd/drift.
type stubEngine struct {
	live     *snapshot.Snapshot
	liveErr  error
	wait     time.Duration
	expected *engine.Expected
	noBuild  bool
}

func (s *stubEngine) Name() string               { return "postgres" }
func (s *stubEngine) Language() string           { return migrations.LanguageSQL }
func (s *stubEngine) Accepts(source string) bool { return strings.HasPrefix(source, "postgres://") }
func (s *stubEngine) Rules() diff.Rules          { return diff.BaseRules{} }
func (s *stubEngine) Kinds() []string            { return []string{"table", "index", "function"} }
func (s *stubEngine) Introspect(ctx context.Context, dsn string, _ engine.Options) (*engine.Live, error) {
	select {
	case <-time.After(s.wait):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if s.liveErr != nil {
		return nil, s.liveErr
	}
	return &engine.Live{DSN: dsn, Snapshot: s.live}, nil
}
func (s *stubEngine) Expected(context.Context, *migrations.Set, *engine.Live, engine.Options) (*engine.Expected, error) {
	if s.noBuild {
		return nil, errors.New("cannot build the expected schema from migrations")
	}
	return s.expected, nil
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

// migrationsDir is a one-file migration set.
func migrationsDir(t *testing.T) string {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "000001_init.up.sql"), []byte("CREATE TABLE t (id int);"), 0o644))
	return dir
}

func runner(e *stubEngine) *check.Runner {
	return check.NewRunner(check.RunnerOptions{Engines: []engine.Engine{e}})
}

func TestRunnerStatuses(t *testing.T) {
	table := snapshot.Object{Kind: "table", Key: snapshot.NewKey("public", "t"), Parent: snapshot.Named("public")}
	dir := migrationsDir(t)
	planned := func(e *engine.Expected) *stubEngine { return &stubEngine{live: pgSnap(150018, table), expected: e} }
	mig := check.Target{Expected: check.ExpectMigrations, MigrationsDir: dir}
	cases := []struct {
		name     string
		engine   *stubEngine
		target   check.Target
		status   check.Status
		errPart  string
		warnPart string
	}{
		{"clean", planned(&engine.Expected{Snapshot: pgSnap(150018, table)}), mig, check.StatusClean, "", ""},
		{"drift", planned(&engine.Expected{Snapshot: pgSnap(150018)}), mig, check.StatusDrift, "", ""},
		{"pending", planned(&engine.Expected{Snapshot: pgSnap(150018, table), Pending: []migrations.Migration{{Version: "3"}}}), mig, check.StatusPending, "", ""},
		{"major mismatch warns", planned(&engine.Expected{Snapshot: pgSnap(160004, table)}), mig, check.StatusClean, "", "16.4"},
		{"unreadable live", &stubEngine{liveErr: errors.New("connection refused for postgres://u:sekrit99@h/d")}, check.Target{Expected: check.ExpectMigrations, MigrationsDir: dir, DSN: "postgres://u:sekrit99@h/d"}, check.StatusError, "reading the live schema: connection refused", ""},
		{"timeout", &stubEngine{wait: time.Minute}, check.Target{Expected: check.ExpectMigrations, MigrationsDir: dir, Timeout: 50 * time.Millisecond}, check.StatusError, "timeout 50ms", ""},
		{"missing snapshot", &stubEngine{live: pgSnap(150018)}, check.Target{Expected: check.ExpectSnapshot, SnapshotPath: "/nonexistent/app.json"}, check.StatusError, "reading the expected snapshot", ""},
		{"build fails", &stubEngine{live: pgSnap(150018), noBuild: true}, mig, check.StatusError, "cannot build the expected schema from migrations", ""},
		{"missing migrations dir comes before the live database", &stubEngine{liveErr: errors.New("unreachable")}, check.Target{Expected: check.ExpectMigrations, MigrationsDir: "/nonexistent/migrations"}, check.StatusError, "the migrations directory /nonexistent/migrations does not exist", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.target.Name, c.target.Engine = "app", "postgres"
			res := runner(c.engine).CheckTarget(context.Background(), c.target)
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
	res := runner(&stubEngine{}).CheckTarget(context.Background(), check.Target{Name: "x", Engine: "mysql", DSN: "mysql://x"})
	require.Equal(t, check.StatusError, res.Status)
	require.Contains(t, res.Error, `engine "mysql" is not supported`)
}

// TestSourcesOnEitherSide: any source on either side, with the engine found from the live
// side, the snapshot file or the migrations' language, and mismatches refused.
func TestSourcesOnEitherSide(t *testing.T) {
	table := snapshot.Object{Kind: "table", Key: snapshot.NewKey("public", "t"), Parent: snapshot.Named("public")}
	e := &stubEngine{live: pgSnap(150018, table), expected: &engine.Expected{Snapshot: pgSnap(150018)}}
	r := runner(e)
	dir := migrationsDir(t)
	file := filepath.Join(t.TempDir(), "app.json")
	require.NoError(t, snapshot.WriteFile(file, pgSnap(150018, table)))
	neo := filepath.Join(t.TempDir(), "graph.json")
	require.NoError(t, snapshot.WriteFile(neo, snapshot.New(snapshot.EngineNeo4j)))

	src := func(spec string) check.Source {
		s, err := r.Source(spec)
		require.NoError(t, err, spec)
		return s
	}
	require.Equal(t, check.Source{Kind: check.SourceLive, Engine: "postgres", DSN: "postgres://h/d"}, src("postgres://h/d"))
	require.Equal(t, check.Source{Kind: check.SourceMigrations, Path: dir}, src(dir))
	require.Equal(t, check.Source{Kind: check.SourceSnapshot, Path: file}, src(file))
	_, err := r.Source("postgres//u:hunter2hunter2@h/db")
	require.Error(t, err)
	require.NotContains(t, err.Error(), "hunter2hunter2")

	ctx := context.Background()
	for _, c := range []struct {
		from, to string
		status   check.Status
		change   diff.Change
	}{
		{"postgres://h/d", dir, check.StatusDrift, diff.Missing},    // live -> migrations: the revert direction
		{dir, "postgres://h/d", check.StatusDrift, diff.Unexpected}, // migrations -> live: drift check's
		{file, dir, check.StatusDrift, diff.Missing},
		{dir, file, check.StatusDrift, diff.Unexpected},
		{file, "postgres://h/d", check.StatusClean, ""},
		{file, file, check.StatusClean, ""},
	} {
		res := r.Check(ctx, src(c.from), src(c.to), check.Options{Name: "diff"})
		require.Equal(t, c.status, res.Status, "%s -> %s: %s", c.from, c.to, res.Error)
		if c.change != "" {
			require.Equal(t, c.change, res.Findings[0].Change, "%s -> %s", c.from, c.to)
		}
		require.Equal(t, "postgres", res.Engine)
	}
	res := r.Check(ctx, src(neo), src(file), check.Options{})
	require.Equal(t, check.StatusError, res.Status)
	require.Contains(t, res.Error, "cannot compare a neo4j schema with a postgres schema")

	odd := filepath.Join(t.TempDir(), "odd.json")
	edited := pgSnap(150018, table, snapshot.Object{Kind: "tabel", Key: snapshot.NewKey("public", "x")})
	require.NoError(t, snapshot.WriteFile(odd, edited))
	res = r.Check(ctx, src(odd), src("postgres://h/d"), check.Options{})
	require.Equal(t, check.StatusError, res.Status)
	require.Contains(t, res.Error, `holds tabel "public.x", which is not a kind of postgres object`)
}

func TestFailPolicyExitCode(t *testing.T) {
	warn := check.Result{Status: check.StatusDrift, Findings: []diff.Finding{{Severity: diff.Warning}}}
	info := check.Result{Status: check.StatusDrift, Findings: []diff.Finding{{Severity: diff.Info}}}
	pending := check.Result{Status: check.StatusPending, Pending: []check.Migration{{Version: "2"}}}
	broken := check.Result{Status: check.StatusError}
	on := func(s diff.Severity) check.FailPolicy { return check.FailPolicy{Severity: s} }
	require.Equal(t, 0, on(diff.Warning).ExitCode(nil))
	require.Equal(t, 1, on(diff.Warning).ExitCode([]check.Result{warn}))
	require.Equal(t, 0, on(diff.Critical).ExitCode([]check.Result{warn}))
	require.Equal(t, 0, on(diff.Warning).ExitCode([]check.Result{info}))
	require.Equal(t, 1, on(diff.Info).ExitCode([]check.Result{info}))
	require.Equal(t, 0, on(diff.Warning).ExitCode([]check.Result{pending}))
	require.Equal(t, 1, check.FailPolicy{Severity: diff.Warning, Pending: true}.ExitCode([]check.Result{pending}))
	require.Equal(t, 2, on(diff.Warning).ExitCode([]check.Result{warn, broken}), "could not check wins over drift")

	never, err := check.ParseFailPolicy(" Never ", true)
	require.NoError(t, err)
	require.Equal(t, 0, never.ExitCode([]check.Result{warn, pending}), "never: drift is not a failure")
	require.Equal(t, 2, never.ExitCode([]check.Result{warn, broken}), "never: a target that could not be checked still is")
	p, err := check.ParseFailPolicy("info", false)
	require.NoError(t, err)
	require.Equal(t, check.FailPolicy{Severity: diff.Info}, p)
	_, err = check.ParseFailPolicy("loud", false)
	require.EqualError(t, err, `--fail-on must be critical, warning, info or never, not "loud"`)
}

func TestRunnerReportsWhatIgnoreRulesSilence(t *testing.T) {
	table := snapshot.Object{Kind: "table", Key: snapshot.NewKey("public", "t"), Parent: snapshot.Named("public")}
	idx := snapshot.Object{Kind: "index", Key: snapshot.NewKey("public", "tmp_report_idx"), Parent: snapshot.NewKey("public", "t")}
	r := runner(&stubEngine{live: pgSnap(150018, table, idx), expected: &engine.Expected{Snapshot: pgSnap(150018, table)}})
	res := r.CheckTarget(context.Background(), check.Target{Name: "app", Engine: "postgres", Expected: check.ExpectMigrations, MigrationsDir: migrationsDir(t),
		Ignore: []diff.IgnoreRule{{Kind: "index", Object: "public.tmp_*", Reason: "reports"}}})
	require.Equal(t, check.StatusClean, res.Status)
	require.Empty(t, res.Findings)
	require.Equal(t, []string{diff.Fingerprint("app", "index", "public.tmp_report_idx", diff.Unexpected)}, res.Ignored)
}

func TestRunnerScrubsCredentialsFromDefinitions(t *testing.T) {
	fn := func(body string) snapshot.Object {
		return snapshot.Object{Kind: "function", Key: snapshot.NewKey("public", "sync()"), Parent: snapshot.Named("public"), Attrs: snapshot.NewAttrs("definition", body)}
	}
	r := runner(&stubEngine{
		live:     pgSnap(150018, fn("SELECT dblink_connect('host=db user=etl password=Hunter2Hunter2 dbname=x')")),
		expected: &engine.Expected{Snapshot: pgSnap(150018, fn("SELECT dblink_connect('postgres://etl:Sw0rdfish99@db/x')"))},
	})
	res := r.CheckTarget(context.Background(), check.Target{Name: "app", Engine: "postgres", Expected: check.ExpectMigrations, MigrationsDir: migrationsDir(t)})
	require.Len(t, res.Findings, 1)
	f := res.Findings[0]
	for _, text := range []string{f.Summary, f.Expected, f.Actual, f.Diff} {
		require.NotContains(t, text, "Hunter2Hunter2")
		require.NotContains(t, text, "Sw0rdfish99")
	}
	require.Contains(t, f.Actual, "password=<secret>")
}

func TestDiffNamesTheSideItCannotRead(t *testing.T) {
	table := snapshot.Object{Kind: "table", Key: snapshot.NewKey("public", "t"), Parent: snapshot.Named("public")}
	r := runner(&stubEngine{live: pgSnap(150018, table), expected: &engine.Expected{Snapshot: pgSnap(150018)}})
	ctx := context.Background()
	res := r.Diff(ctx, "postgres//nowhere", "postgres://h/d", check.Options{Name: "diff"})
	require.Equal(t, check.StatusError, res.Status)
	require.True(t, strings.HasPrefix(res.Error, "reading --from: "), res.Error)
	require.NotNil(t, res.Findings, "findings are an array, even empty")
	res = r.Diff(ctx, "postgres://h/d", "postgres//nowhere", check.Options{Name: "diff"})
	require.True(t, strings.HasPrefix(res.Error, "reading --to: "), res.Error)
	res = r.Diff(ctx, migrationsDir(t), "postgres://h/d", check.Options{Name: "diff"})
	require.Equal(t, check.StatusDrift, res.Status, res.Error)
	require.Equal(t, "diff", res.Name)
}

func TestSnapshotOfRecordsTheName(t *testing.T) {
	table := snapshot.Object{Kind: "table", Key: snapshot.NewKey("public", "t"), Parent: snapshot.Named("public")}
	r := runner(&stubEngine{live: pgSnap(150018, table)})
	ctx := context.Background()
	s, warnings, err := r.SnapshotOf(ctx, "postgres://h/d", check.Options{Name: "app"})
	require.NoError(t, err)
	require.Empty(t, warnings)
	require.Equal(t, "app", s.Target)
	require.Len(t, s.Objects, 1)
	_, _, err = r.SnapshotOf(ctx, "postgres//u:hunter2hunter2@h/db", check.Options{})
	require.Error(t, err)
	require.NotContains(t, err.Error(), "hunter2hunter2")
}

// TestSnapshotFileReadWhileTheLiveSideIs: a snapshot file read whole (for a fix) is decoded
// while the live database is read, and is still what a comparison reports first: a broken file
// stops a hanging introspection, and a file of another engine is refused.
func TestSnapshotFileReadWhileTheLiveSideIs(t *testing.T) {
	table := snapshot.Object{Kind: "table", Key: snapshot.NewKey("public", "t"), Parent: snapshot.Named("public")}
	dir := t.TempDir()
	good := filepath.Join(dir, "app.json")
	require.NoError(t, snapshot.WriteFile(good, pgSnap(150018, table)))
	broken := filepath.Join(dir, "broken.json")
	require.NoError(t, os.WriteFile(broken, []byte(`{"format_version": 2, "engine": "postgres", "objects": {"table": [`), 0o644))
	graph := filepath.Join(dir, "graph.json")
	require.NoError(t, snapshot.WriteFile(graph, snapshot.New(snapshot.EngineNeo4j)))
	target := func(path string) check.Target {
		return check.Target{Name: "app", Engine: "postgres", Expected: check.ExpectSnapshot, SnapshotPath: path, WholeSnapshots: true}
	}

	res := runner(&stubEngine{live: pgSnap(150018, table)}).CheckTarget(context.Background(), target(good))
	require.Equal(t, check.StatusClean, res.Status, res.Error)
	require.Len(t, res.Expected.Objects, 1, "the file was read whole")
	res = runner(&stubEngine{live: pgSnap(150018)}).CheckTarget(context.Background(), target(good))
	require.Equal(t, check.StatusDrift, res.Status, res.Error)
	require.Equal(t, diff.Missing, res.Findings[0].Change)

	done := make(chan check.Result)
	go func() { done <- runner(&stubEngine{wait: time.Hour}).CheckTarget(context.Background(), target(broken)) }()
	select {
	case res = <-done:
	case <-time.After(time.Minute):
		t.Fatal("a broken snapshot file did not stop the introspection of the live side")
	}
	require.Equal(t, check.StatusError, res.Status)
	require.Contains(t, res.Error, "reading the expected snapshot: "+broken)

	res = runner(&stubEngine{liveErr: errors.New("unreachable")}).CheckTarget(context.Background(), target(filepath.Join(dir, "nonexistent.json")))
	require.Contains(t, res.Error, "reading the expected snapshot")
	require.NotContains(t, res.Error, "unreachable")

	res = runner(&stubEngine{live: pgSnap(150018, table)}).CheckTarget(context.Background(), target(graph))
	require.Equal(t, check.StatusError, res.Status)
	require.Contains(t, res.Error, "cannot compare a neo4j schema with a postgres schema")
}

// sweepingEngine is a stub engine that leaves shadow databases behind.
type sweepingEngine struct {
	stubEngine
	dropped []string
	err     error
	asked   time.Duration
}

func (s *sweepingEngine) SweepShadowOrphans(_ context.Context, olderThan time.Duration) ([]string, error) {
	s.asked = olderThan
	return s.dropped, s.err
}

// TestSweepShadowOrphans: the daemon's start sweeps every engine that leaves shadow databases
// behind, and says what it dropped; a failure is logged (without its password), not returned.
func TestSweepShadowOrphans(t *testing.T) {
	var log strings.Builder
	e := &sweepingEngine{dropped: []string{"drift_shadow_1a2b"}}
	r := check.NewRunner(check.RunnerOptions{Engines: []engine.Engine{e}, Logger: slog.New(slog.NewTextHandler(&log, nil)), Redactor: redact.New("sw33pSecret")})
	r.SweepShadowOrphans(context.Background(), time.Hour)
	require.Equal(t, time.Hour, e.asked)
	require.Contains(t, log.String(), `msg="dropped an orphaned shadow database" engine=postgres database=drift_shadow_1a2b`)

	log.Reset()
	e.dropped, e.err = nil, errors.New("connecting to postgres://drift:sw33pSecret@shadow/postgres: refused")
	r.SweepShadowOrphans(context.Background(), time.Hour)
	require.Contains(t, log.String(), `level=WARN msg="sweeping orphaned shadow databases" engine=postgres`)
	require.NotContains(t, log.String(), "sw33pSecret")
}

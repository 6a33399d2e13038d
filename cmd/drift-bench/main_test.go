package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgcluster"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/snapshot"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestSplitWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"psql {dsn} -c 'select 1'", []string{"psql", "{dsn}", "-c", "select 1"}},
		{`  a   "b c"  d\ e `, []string{"a", "b c", "d e"}},
		{`x"y"'z'`, []string{"xyz"}},
		{`say "a \"quoted\" \\ word" '$HOME'`, []string{"say", `a "quoted" \ word`, "$HOME"}},
		{`''`, []string{""}},
		{"", nil},
	} {
		got, err := splitWords(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
	for _, bad := range []string{"a 'b", `a "b`} {
		_, err := splitWords(bad)
		require.Error(t, err, bad)
	}
}

func TestTargetFor(t *testing.T) {
	for _, tc := range []struct {
		name, dsn, url, password string
	}{
		{
			name: "keyword form over a socket",
			dsn:  "host=/tmp/drift-pg-1 port=5432 user=postgres dbname=postgres sslmode=disable",
			url:  "postgres://postgres@/drift_bench_20?host=%2Ftmp%2Fdrift-pg-1&port=5432&sslmode=disable",
		},
		{
			name:     "keyword form with a quoted password",
			dsn:      `host=db.internal user=bench password='s3cr\'et pw' dbname=app`,
			url:      "postgres://bench@/drift_bench_20?host=db.internal",
			password: "s3cr'et pw",
		},
		{
			name:     "URL with a password",
			dsn:      "postgres://bench:hunter2@db.internal:6432/app?sslmode=require",
			url:      "postgres://bench@db.internal:6432/drift_bench_20?sslmode=require",
			password: "hunter2",
		},
		{
			name:     "URL with the password in the query",
			dsn:      "postgresql://bench@db.internal/app?password=hunter2&dbname=other",
			url:      "postgresql://bench@db.internal/drift_bench_20",
			password: "hunter2",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := targetFor(tc.dsn, "drift_bench_20")
			require.NoError(t, err)
			require.Equal(t, tc.url, got.url)
			require.Equal(t, tc.password, got.password)
		})
	}
	_, err := targetFor("host=/tmp password='unterminated", "x")
	require.Error(t, err)
	require.NotContains(t, err.Error(), "unterminated'", "the DSN must not be echoed")
	_, err = targetFor("postgres://u:hunter2@%zz/db", "x")
	require.Error(t, err)
	require.NotContains(t, err.Error(), "hunter2")
}

func TestJudge(t *testing.T) {
	run := func(wall time.Duration, rss int64) sample { return sample{wall: wall, peakRSSKiB: rss} }
	r := sizeResult{
		tables: 2000,
		drift:  []sample{run(900*time.Millisecond, 30000), run(1000*time.Millisecond, 31000), run(5*time.Second, 29000)},
		pgDump: []sample{run(2*time.Second, 40000), run(2100*time.Millisecond, 41000), run(2200*time.Millisecond, 40000)},
	}
	v := judge(r)
	require.Equal(t, time.Second, v.driftWall, "the median ignores the slow outlier")
	require.Equal(t, 2100*time.Millisecond, v.pgDumpWall)
	require.InDelta(t, 2.1, v.speedup, 1e-9)
	require.InDelta(t, 30000.0/40000, v.memoryRatio, 1e-9)
	require.True(t, v.pass)

	slow := r
	slow.pgDump = []sample{run(1900*time.Millisecond, 40000)}
	require.False(t, judge(slow).pass, "1.9x is short of the 2x target")

	fat := r
	fat.pgDump = []sample{run(10*time.Second, 30000)}
	require.False(t, judge(fat).pass, "equal memory is not lower memory")

	unknown := r
	unknown.pgDump = []sample{run(10*time.Second, -1)}
	require.False(t, judge(unknown).pass, "an unknown peak RSS cannot pass")

	require.Equal(t, 5*time.Second/2, median([]time.Duration{time.Second, 4 * time.Second}))
	require.Equal(t, "10,000", thousands(10000))
	require.Equal(t, "999", thousands(999))
	require.Equal(t, "1,234,567", thousands(1234567))
}

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-sizes", "2000,x"}, `"x" is not a positive number`},
		{[]string{"-sizes", "0"}, "not a positive number"},
		{[]string{"-runs", "0"}, "-runs must be at least 1"},
		{[]string{"-drift", "/bin/true", "-drift-cmd", "true"}, "mutually exclusive"},
		{[]string{"-drift", "/nonexistent/drift"}, "-drift-cmd"},
		{[]string{"-drift-cmd", "'unterminated"}, "unterminated single quote"},
		{[]string{"-drift-cmd", "true", "extra"}, "unexpected arguments"},
	} {
		var stderr bytes.Buffer
		code := run(tc.args, &bytes.Buffer{}, &stderr)
		require.Equal(t, exitUsage, code, "%v", tc.args)
		require.Contains(t, stderr.String(), tc.want, "%v", tc.args)
	}
	o, err := parseFlags([]string{"-drift-cmd", "psql {dsn} -c 'select 1'"}, &bytes.Buffer{})
	require.NoError(t, err)
	require.Equal(t, []int{2000, 10000}, o.sizes)
	require.Equal(t, 3, o.runs)
	require.Equal(t, []string{"psql", "{dsn}", "-c", "select 1"}, o.drift)
}

// TestBenchOnThrowawayCluster runs the whole harness the way `make bench` does, on a small
// schema, timing pg_dump against a second pg_dump that writes its output to {out}.
func TestBenchOnThrowawayCluster(t *testing.T) {
	// The harness's own cluster comes from a local install, beside the pg_dump it is timed
	// against; the binaries drift downloads ship no pg_dump.
	if _, _, err := pgcluster.FindBinaries(0); err != nil {
		t.Skipf("the benchmark compares with pg_dump and needs a local PostgreSQL install (`make deps`): %v", err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{
		"-sizes", "30,40", "-runs", "2",
		"-drift-cmd", "{pgbin}/pg_dump --schema-only -f {out} -d {dsn}",
	}, &stdout, &stderr)
	require.Equal(t, exitOK, code, "stderr:\n%s", stderr.String())
	out := stdout.String()
	require.Regexp(t, `30 tables: loaded 30 tables in 3 schemas \(\d+ columns.*\) in \d+\.\d{3} s \(vacuum analyze \d+\.\d{3} s\)`, out)
	require.Regexp(t, `30 tables: run 1  drift    wall \d+\.\d{3} s  cpu \d+\.\d{3} s  peak RSS \d+\.\d MiB  \(wrote \d+\.\d MiB\)`, out)
	require.Regexp(t, `40 tables: run 2  pg_dump  wall \d+\.\d{3} s  cpu \d+\.\d{3} s  peak RSS \d+\.\d MiB`, out)
	require.Regexp(t, `PostgreSQL \d+\.\d+.*, \d+ CPU cores`, out)
	require.Contains(t, out, "Peak RSS and CPU are each client process's own")
	require.Regexp(t, `(?m)^40 +pg_dump +2 +\d+\.\d{3} s +\d+\.\d{3} s +\d+\.\d MiB$`, out)
	// The verdict itself is tested in TestJudge; here, that every size gets one.
	require.Regexp(t, `(?m)^30 +\d+\.\d+x +\d\.\d\d +(PASS|FAIL)$`, out)
	require.Regexp(t, `(?m)^40 +\d+\.\d+x +\d\.\d\d +(PASS|FAIL)$`, out)
}

// TestBenchOnExistingServer uses -dsn: the benchmark database is created on that server and
// dropped afterwards, and a failing tool is a harness error (exit 1), not a FAIL.
func TestBenchOnExistingServer(t *testing.T) {
	admin := pgtest.AdminDSN(t)
	// The test server may be newer than any pg_dump here (downloaded binaries ship none).
	pgDump, psql := pgtest.ClientBin(t, "pg_dump"), pgtest.ClientBin(t, "psql")
	var stdout, stderr bytes.Buffer
	code := run([]string{"-dsn", admin, "-pgdump", pgDump, "-sizes", "25", "-runs", "1", "-drift-cmd", psql + " {dsn} -Atc 'select 1'"}, &stdout, &stderr)
	require.Equal(t, exitOK, code, "stderr:\n%s", stderr.String())
	require.Regexp(t, `(?m)^25 +drift +1 +\d+\.\d{3} s`, stdout.String())
	requireNoBenchDatabase(t, admin)

	stdout.Reset()
	stderr.Reset()
	code = run([]string{"-dsn", admin, "-pgdump", pgDump, "-sizes", "25", "-runs", "1", "-drift-cmd", psql + " {dsn} -c 'select * from no_such_table'"}, &stdout, &stderr)
	require.Equal(t, exitHarnessError, code)
	require.Contains(t, stderr.String(), "drift run 1: running "+psql)
	require.Contains(t, stderr.String(), "no_such_table")
	require.NotContains(t, stdout.String(), "PASS")
	requireNoBenchDatabase(t, admin)
}

func requireNoBenchDatabase(t *testing.T, admin string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var names []string
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'drift_bench_%'")
	require.NoError(t, err)
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		names = append(names, n)
	}
	require.NoError(t, rows.Err())
	require.Empty(t, names, "the benchmark database must be dropped")
}

// TestBenchFixSQL runs the harness with a real drift binary: besides drift snapshot, it times
// drift diff with and without --format sql against a drifted snapshot and reports the ratio.
func TestBenchFixSQL(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "drift")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/drift-schema/drift/cmd/drift").CombinedOutput()
	require.NoError(t, err, "building drift: %s", out)
	var stdout, stderr bytes.Buffer
	code := run([]string{"-dsn", pgtest.AdminDSN(t), "-pgdump", pgtest.ClientBin(t, "pg_dump"), "-sizes", "60", "-runs", "1", "-drift", bin}, &stdout, &stderr)
	require.Equal(t, exitOK, code, "stderr:\n%s", stderr.String())
	text := stdout.String()
	require.Regexp(t, `60 tables: run 1  drift diff                wall \d+\.\d{3} s`, text)
	require.Regexp(t, `60 tables: run 1  drift diff --format sql   wall \d+\.\d{3} s`, text)
	require.Regexp(t, `(?m)^60 +6 +\d+\.\d{3} s +\d+\.\d{3} s +[+-]\d+\.\d% +(PASS|FAIL)$`, text)
}

// TestDriftSnapshot: the drifted copy differs from the original in one table of ten.
func TestDriftSnapshot(t *testing.T) {
	s := snapshot.New(snapshot.EnginePostgres)
	for i := range 20 {
		k := snapshot.NewKey("public", fmt.Sprintf("t%02d", i))
		s.Add(snapshot.Object{Kind: "table", Key: k, Parent: snapshot.Named("public")})
		s.Add(snapshot.Object{Kind: "column", Key: snapshot.NewKey("public", k.Name(), "id"), Parent: k, Attrs: snapshot.NewAttrs("type", "integer", "position", "1")})
		s.Add(snapshot.Object{Kind: "index", Key: snapshot.NewKey("public", k.Name()+"_idx"), Parent: k, Attrs: snapshot.NewAttrs("definition", "x")})
	}
	in, out := filepath.Join(t.TempDir(), "in.json"), filepath.Join(t.TempDir(), "out.json")
	require.NoError(t, snapshot.WriteFile(in, s))
	n, err := driftSnapshot(in, out)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	d, err := snapshot.ReadFile(out)
	require.NoError(t, err)
	require.Nil(t, d.Find("table", "public.t00"), "every fiftieth table is gone")
	require.Equal(t, "bigint", d.Find("column", "public.t10.id").Attrs.Value("type"))
	require.Nil(t, d.Find("index", "public.t10_idx"))
	require.NotNil(t, d.Find("column", "public.t10.drift_extra"))
	require.Equal(t, "integer", d.Find("column", "public.t11.id").Attrs.Value("type"))
}

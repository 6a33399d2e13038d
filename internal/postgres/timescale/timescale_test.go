package timescale_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/postgres"
	"github.com/drift-schema/drift/internal/timescaletest"
)

// migration is the migration set of the tests: every kind of TimescaleDB object drift compares.
const migration = `
CREATE EXTENSION IF NOT EXISTS timescaledb;
CREATE TABLE metrics (time timestamptz NOT NULL, device_id int NOT NULL, value double precision);
SELECT create_hypertable('metrics', by_range('time', INTERVAL '1 day'));
SELECT add_dimension('metrics', by_hash('device_id', 4));
ALTER TABLE metrics SET (timescaledb.compress, timescaledb.compress_segmentby = 'device_id', timescaledb.compress_orderby = 'time DESC');
SELECT add_retention_policy('metrics', INTERVAL '400 days');
SELECT add_compression_policy('metrics', INTERVAL '7 days');
CREATE TABLE events (id bigint NOT NULL, at timestamptz NOT NULL);
SELECT create_hypertable('events', by_range('at', INTERVAL '7 days'));
CREATE MATERIALIZED VIEW metrics_hourly WITH (timescaledb.continuous) AS
  SELECT time_bucket('1 hour', time) AS bucket, device_id, avg(value) AS avg_value FROM metrics GROUP BY 1, 2 WITH NO DATA;
CREATE INDEX metrics_hourly_dev ON metrics_hourly (device_id, bucket);
SELECT add_continuous_aggregate_policy('metrics_hourly', start_offset => INTERVAL '30 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '1 hour');
CREATE MATERIALIZED VIEW metrics_daily WITH (timescaledb.continuous) AS
  SELECT time_bucket('1 day', bucket) AS day, device_id, max(avg_value) AS peak FROM metrics_hourly GROUP BY 1, 2 WITH NO DATA;
CREATE PROCEDURE tidy(job_id int, config jsonb) LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; END $$;
SELECT add_job('tidy', '1 day', config => '{"keep": 5}');
`

// runtime is what an application and TimescaleDB's jobs do to a database: many chunks of data,
// some of them compressed, the aggregate refreshed, every job run. None of it is schema.
var runtime = []string{
	`INSERT INTO metrics SELECT t, d, random() FROM generate_series(now() - INTERVAL '60 days', now(), INTERVAL '1 hour') AS t, generate_series(1, 8) AS d`,
	`INSERT INTO events SELECT i, now() - i * INTERVAL '1 hour' FROM generate_series(1, 2000) AS i`,
	// TimescaleDB's own scheduler may be compressing the same chunks meanwhile.
	`DO $$ DECLARE c regclass; BEGIN FOR c IN SELECT show_chunks('metrics', older_than => INTERVAL '14 days') LOOP
  BEGIN PERFORM compress_chunk(c, true); EXCEPTION WHEN duplicate_object OR lock_not_available THEN NULL; END; END LOOP; END $$`,
	`CALL refresh_continuous_aggregate('metrics_hourly', NULL, NULL)`,
	`CALL refresh_continuous_aggregate('metrics_daily', NULL, NULL)`,
	`DO $$ DECLARE j int; BEGIN FOR j IN SELECT job_id FROM timescaledb_information.jobs WHERE job_id >= 1000 ORDER BY job_id LOOP CALL run_job(j); COMMIT; END LOOP; END $$`,
	`ANALYZE`,
}

func writeMigrations(t *testing.T, sql string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "001_timescale.sql"), []byte(sql), 0o644))
	return dir
}

func runner() *check.Runner {
	return check.NewRunner(check.RunnerOptions{Engines: []engine.Engine{postgres.New(postgres.Options{})}})
}

func live(dsn string) check.Source {
	return check.Source{Kind: check.SourceLive, Engine: postgres.Name, DSN: dsn}
}

// compared leaves out the "not compared" notes that are the same on both sides.
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

func describe(fs []diff.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s %s %s: %s\n    expected: %q\n    actual:   %q\n", f.Severity, f.Kind, f.Object, f.Change, f.Summary, f.Expected, f.Actual)
	}
	return b.String()
}

// TestRuntimeIsNotDrift: a database built by the migrations and then used (chunks, compressed
// chunks, a refreshed aggregate, jobs run) matches the migrations replayed into a shadow, which
// drift starts with TimescaleDB preloaded because the migrations create the extension.
func TestRuntimeIsNotDrift(t *testing.T) {
	// History first, so that every hypertable and job ID differs from the shadow's.
	db := timescaletest.NewDB(t, true)
	pgtest.Exec(t, db, `CREATE TABLE old (at timestamptz NOT NULL); SELECT create_hypertable('old', by_range('at'));
SELECT add_retention_policy('old', INTERVAL '1 day'); DROP TABLE old;
CREATE TABLE old2 (at timestamptz NOT NULL); SELECT create_hypertable('old2', by_range('at')); DROP TABLE old2;`)
	pgtest.Exec(t, db, migration)
	timescaletest.ExecEach(t, db, runtime...)
	require.Greater(t, pgtest.QueryValue[int](t, db, "SELECT count(*) FROM timescaledb_information.chunks WHERE is_compressed"), 10,
		"the trap needs compressed chunks")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res := runner().Check(ctx, check.Source{Kind: check.SourceMigrations, Path: writeMigrations(t, migration)}, live(db), check.Options{Name: "ts"})
	require.Equal(t, check.StatusClean, res.Status, "%s\n%s", res.Error, describe(res.Findings))
	require.Empty(t, compared(res.Findings), describe(res.Findings))
}

// driftCase is a live database that departs from the migrations in one TimescaleDB way.
type driftCase struct {
	name string
	// live builds the live database from the migration SQL.
	live     func(migration string) string
	after    []string // run on their own after live (procedures that refuse a transaction block)
	kind     string
	object   string
	change   diff.Change
	severity diff.Severity
	summary  string // a part of the finding's summary
}

var driftCases = []driftCase{
	{name: "not a hypertable", kind: "hypertable", object: "public.events", change: diff.Missing, severity: diff.Critical, summary: "public.events is not a hypertable",
		live: func(m string) string {
			return strings.Replace(m, "SELECT create_hypertable('events', by_range('at', INTERVAL '7 days'));", "", 1)
		}},
	{name: "chunk interval", kind: "hypertable", object: "public.metrics", change: diff.Changed, severity: diff.Warning, summary: "chunk_interval",
		live: func(m string) string { return m + "SELECT set_chunk_time_interval('metrics', INTERVAL '2 days');" }},
	{name: "space partitions", kind: "hypertable", object: "public.metrics", change: diff.Changed, severity: diff.Warning, summary: "dimensions",
		live: func(m string) string {
			return strings.Replace(m, "by_hash('device_id', 4)", "by_hash('device_id', 8)", 1)
		}},
	{name: "segmentby", kind: "hypertable", object: "public.metrics", change: diff.Changed, severity: diff.Warning, summary: "segmentby",
		live: func(m string) string {
			return m + "ALTER TABLE metrics SET (timescaledb.compress_segmentby = '', timescaledb.compress_orderby = 'time DESC, device_id');"
		}},
	{name: "compression off", kind: "hypertable", object: "public.metrics", change: diff.Changed, severity: diff.Warning, summary: "compression was turned off",
		live: func(m string) string {
			return m + "SELECT remove_compression_policy('metrics'); ALTER TABLE metrics SET (timescaledb.compress = false);"
		}},
	{name: "retention removed", kind: "job", object: "public.metrics.retention", change: diff.Missing, severity: diff.Critical, summary: "public.metrics retention policy is missing",
		live: func(m string) string { return m + "SELECT remove_retention_policy('metrics');" }},
	{name: "retention changed", kind: "job", object: "public.metrics.retention", change: diff.Changed, severity: diff.Warning, summary: "drop_after",
		live: func(m string) string {
			return m + "SELECT remove_retention_policy('metrics'); SELECT add_retention_policy('metrics', INTERVAL '90 days');"
		}},
	{name: "unexpected retention", kind: "job", object: "public.events.retention", change: diff.Unexpected, severity: diff.Warning, summary: "public.events retention policy is unexpected",
		live: func(m string) string { return m + "SELECT add_retention_policy('events', INTERVAL '10 days');" }},
	{name: "aggregate compression", kind: "continuous_aggregate", object: "public.metrics_hourly", change: diff.Changed, severity: diff.Warning, summary: "compression was turned on",
		live: func(m string) string {
			return m + "ALTER MATERIALIZED VIEW metrics_hourly SET (timescaledb.compress = true);"
		}},
	{name: "compression policy removed", kind: "job", object: "public.metrics.compression", change: diff.Missing, severity: diff.Warning, summary: "public.metrics compression policy",
		live: func(m string) string { return m + "SELECT remove_compression_policy('metrics');" }},
	{name: "refresh offsets", kind: "job", object: "public.metrics_hourly.refresh", change: diff.Changed, severity: diff.Warning, summary: "start_offset",
		live: func(m string) string {
			return m + "SELECT remove_continuous_aggregate_policy('metrics_hourly'); " +
				"SELECT add_continuous_aggregate_policy('metrics_hourly', start_offset => INTERVAL '7 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '1 hour');"
		}},
	{name: "refresh schedule", kind: "job", object: "public.metrics_hourly.refresh", change: diff.Changed, severity: diff.Warning, summary: "schedule_interval",
		live: func(m string) string {
			return m + "SELECT alter_job(job_id, schedule_interval => INTERVAL '2 hours') FROM timescaledb_information.jobs WHERE proc_name = 'policy_refresh_continuous_aggregate';"
		}},
	{name: "custom job config", kind: "job", object: `public.tidy.custom:{"keep": 5}`, change: diff.Missing, severity: diff.Warning, summary: "custom job public.tidy",
		live: func(m string) string {
			return m + `SELECT alter_job(job_id, config => '{"keep": 9}') FROM timescaledb_information.jobs WHERE proc_name = 'tidy';`
		}},
	{name: "materialized only", kind: "continuous_aggregate", object: "public.metrics_hourly", change: diff.Changed, severity: diff.Warning, summary: "materialized_only",
		live: func(m string) string {
			return m + "ALTER MATERIALIZED VIEW metrics_hourly SET (timescaledb.materialized_only = false);"
		}},
	{name: "aggregate query", kind: "continuous_aggregate", object: "public.metrics_hourly", change: diff.Changed, severity: diff.Warning, summary: "definition",
		live: func(m string) string {
			return strings.Replace(m, "avg(value) AS avg_value", "max(value) AS avg_value", 1)
		}},
	{name: "aggregate index", kind: "continuous_aggregate_index", object: "public.metrics_hourly.metrics_hourly_dev", change: diff.Missing, severity: diff.Warning, summary: "metrics_hourly_dev",
		live: func(m string) string {
			return strings.Replace(m, "CREATE INDEX metrics_hourly_dev ON metrics_hourly (device_id, bucket);", "", 1)
		}},
	{name: "generated aggregate index", kind: "continuous_aggregate_index", object: "public.metrics_hourly.metrics_hourly_bucket_idx (generated)", change: diff.Missing, severity: diff.Warning, summary: "metrics_hourly_bucket_idx",
		live: func(m string) string {
			return m + `DO $$ BEGIN EXECUTE (SELECT format('DROP INDEX %I.%I', materialization_hypertable_schema, materialization_hypertable_name || '_bucket_idx')
  FROM timescaledb_information.continuous_aggregates WHERE view_name = 'metrics_hourly'); END $$;`
		}},
	{name: "aggregate index changed", kind: "continuous_aggregate_index", object: "public.metrics_hourly.metrics_hourly_dev", change: diff.Changed, severity: diff.Warning, summary: "definition",
		live: func(m string) string {
			return strings.Replace(m, "CREATE INDEX metrics_hourly_dev ON metrics_hourly (device_id, bucket);", "CREATE INDEX metrics_hourly_dev ON metrics_hourly (bucket, device_id);", 1)
		}},
}

// TestFindsEachDrift: each kind of TimescaleDB drift is one finding, worded by the object it is
// about, at its severity, compared with the migrations and with a database built from them.
func TestFindsEachDrift(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel) // not defer: the parallel subtests run after this function returns
	r := runner()
	migrations := check.Source{Kind: check.SourceMigrations, Path: writeMigrations(t, migration)}
	reference := timescaletest.NewDB(t, false)
	pgtest.Exec(t, reference, migration)
	for _, tc := range driftCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := timescaletest.NewDB(t, false)
			pgtest.Exec(t, db, tc.live(migration))
			timescaletest.ExecEach(t, db, tc.after...)
			for _, expected := range []check.Source{migrations, live(reference)} {
				res := r.Check(ctx, expected, live(db), check.Options{Name: "ts"})
				require.NotEqual(t, check.StatusError, res.Status, res.Error)
				fs := compared(res.Findings)
				var f *diff.Finding
				for i := range fs {
					if fs[i].Kind == tc.kind && fs[i].Object == tc.object && fs[i].Change == tc.change {
						f = &fs[i]
					}
				}
				t.Logf("%s:\n%s", expected, describe(fs))
				require.NotNil(t, f, "%s: no %s %s %s finding in\n%s", expected, tc.kind, tc.object, tc.change, describe(fs))
				require.Equal(t, tc.severity, f.Severity, describe(fs))
				require.Contains(t, f.Summary, tc.summary, describe(fs))
				require.NotContains(t, f.Summary, "hypertable_id", describe(fs))
			}
		})
	}
}

// TestShadowServerWithoutPreload: a configured shadow server that does not preload TimescaleDB
// is refused with what to configure, not with the error CREATE EXTENSION would give.
func TestShadowServerWithoutPreload(t *testing.T) {
	timescaletest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := check.NewRunner(check.RunnerOptions{Engines: []engine.Engine{postgres.New(postgres.Options{ShadowDSN: pgtest.AdminDSN(t)})}})
	db := timescaletest.NewDB(t, false)
	pgtest.Exec(t, db, migration)
	res := r.Check(ctx, check.Source{Kind: check.SourceMigrations, Path: writeMigrations(t, migration)}, live(db), check.Options{Name: "ts"})
	require.Equal(t, check.StatusError, res.Status)
	t.Log(res.Error)
	require.Contains(t, res.Error, "shadow.postgres_dsn")
	require.Contains(t, res.Error, "shared_preload_libraries")
}

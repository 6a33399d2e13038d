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
CREATE PROCEDURE tidy(job_id int, config jsonb) LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; END $$;
SELECT add_job('tidy', '1 day', config => '{"keep": 5}');
`

// runtime is what an application and TimescaleDB's jobs do to a database: many chunks of data,
// some of them compressed, the aggregate refreshed, every job run. None of it is schema.
var runtime = []string{
	`INSERT INTO metrics SELECT t, d, random() FROM generate_series(now() - INTERVAL '60 days', now(), INTERVAL '1 hour') AS t, generate_series(1, 8) AS d`,
	`INSERT INTO events SELECT i, now() - i * INTERVAL '1 hour' FROM generate_series(1, 2000) AS i`,
	`SELECT count(compress_chunk(c, true)) FROM show_chunks('metrics', older_than => INTERVAL '14 days') AS c`,
	`CALL refresh_continuous_aggregate('metrics_hourly', NULL, NULL)`,
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
	db := timescaletest.NewDB(t, false)
	pgtest.Exec(t, db, migration)
	timescaletest.ExecEach(t, db, runtime...)
	require.Greater(t, timescaletest.QueryInt(t, db, "SELECT count(*) FROM timescaledb_information.chunks WHERE is_compressed"), 10,
		"the trap needs compressed chunks")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res := runner().Check(ctx, check.Source{Kind: check.SourceMigrations, Path: writeMigrations(t, migration)}, live(db), check.Options{Name: "ts"})
	require.Equal(t, check.StatusClean, res.Status, "%s\n%s", res.Error, describe(res.Findings))
	require.Empty(t, compared(res.Findings), describe(res.Findings))
}

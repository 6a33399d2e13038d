package timescale_test

import (
	"os"
	"testing"

	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/timescaletest"
)

func TestMain(m *testing.M) { os.Exit(timescaletest.Main(m)) }

func pgtest_exec(t *testing.T, dsn, sql string) { pgtest.Exec(t, dsn, sql) }

const schemaSQL = `
CREATE EXTENSION IF NOT EXISTS timescaledb;
CREATE TABLE metrics (time timestamptz NOT NULL, device_id int NOT NULL, value double precision);
SELECT create_hypertable('metrics', by_range('time', INTERVAL '1 day'));
SELECT add_dimension('metrics', by_hash('device_id', 4));
ALTER TABLE metrics SET (timescaledb.compress, timescaledb.compress_segmentby = 'device_id', timescaledb.compress_orderby = 'time DESC');
SELECT add_retention_policy('metrics', INTERVAL '30 days');
SELECT add_compression_policy('metrics', INTERVAL '7 days');
CREATE TABLE events (id bigint NOT NULL, at bigint NOT NULL);
SELECT create_hypertable('events', by_range('at', 1000));
CREATE MATERIALIZED VIEW metrics_hourly WITH (timescaledb.continuous) AS
  SELECT time_bucket('1 hour', time) AS bucket, device_id, avg(value) AS avg_value FROM metrics GROUP BY 1, 2 WITH NO DATA;
CREATE INDEX metrics_hourly_dev ON metrics_hourly (device_id, bucket);
SELECT add_continuous_aggregate_policy('metrics_hourly', start_offset => INTERVAL '3 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '1 hour');
CREATE PROCEDURE tidy(job_id int, config jsonb) LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; END $$;
SELECT add_job('tidy', '1 day', config => '{"keep": 5}');
CREATE TABLE plain (id int PRIMARY KEY);
`

// Package timescale is the TimescaleDB module of drift's PostgreSQL engine: when the
// timescaledb extension is installed in a database, its hypertables, continuous aggregates,
// compression settings and jobs are schema, and are compared like tables and indexes.
//
// It reads timescaledb_information.* (the extension's documented views), never the
// _timescaledb_* catalogs, and writes four kinds of snapshot objects:
//
//	hypertable                  public.metrics                     time column, chunk interval, other dimensions, compression
//	continuous_aggregate        public.metrics_hourly              query, materialized-only, compression, chunk interval
//	continuous_aggregate_index  public.metrics_hourly.by_device    an index on the aggregate's materialization
//	job                         public.metrics.retention           a policy by the object it serves; custom jobs by procedure and config
//
// What differs between any two databases built from the same migrations is never recorded: job
// and hypertable IDs (jobs are keyed by what they serve, and hypertable_id is taken out of their
// config), the internal names of materialization hypertables (an aggregate's indexes are shown on
// the aggregate), chunks, compressed chunks, job run state, and the extension's own jobs
// (telemetry, job history retention: IDs below 1000).
//
// The catalog package runs Queries in its introspection transaction when the extension is
// installed, and Prune afterwards to take out what TimescaleDB made of plain objects: the view a
// continuous aggregate is (it is compared as a continuous_aggregate), and the triggers
// TimescaleDB puts on hypertables.
package timescale

import (
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// Extension is the extension's name in pg_extension.
const Extension = "timescaledb"

// Kinds are the object kinds this module writes.
var Kinds = []string{"hypertable", "continuous_aggregate", "continuous_aggregate_index", "job"}

// Job kinds, the sub-name of a job's key: what the policy does to the object it serves.
const (
	JobRetention     = "retention"
	JobCompression   = "compression"
	JobRecompression = "recompression"
	JobRefresh       = "refresh"
	JobCustom        = "custom"
)

// GeneratedSuffix marks the name of an index TimescaleDB made on a continuous aggregate's
// materialization when it created the aggregate: "metrics_hourly_bucket_idx (generated)".
const GeneratedSuffix = " (generated)"

func quoteLit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Query is one catalog query, read like the catalog package's own (columns by name: kind, key
// parts, parent parts, attributes). $1 is the schemas to read (empty: all).
type Query struct {
	What string
	SQL  string
}

// Queries are the module's catalog queries.
func Queries() []Query {
	return []Query{
		{What: "TimescaleDB hypertables", SQL: hypertablesSQL},
		{What: "TimescaleDB continuous aggregates", SQL: caggsSQL},
		{What: "TimescaleDB continuous aggregate indexes", SQL: caggIndexesSQL},
		{What: "TimescaleDB jobs", SQL: jobsSQL},
	}
}

// interval renders the interval of the dimension row alias: an interval for time types, a
// number for integer time.
func interval(alias string) string {
	return "coalesce(" + alias + ".time_interval::text, " + alias + ".integer_interval::text)"
}

var hypertablesSQL = `SELECT 'hypertable' AS kind, h.hypertable_schema AS key_schema, h.hypertable_name AS key_name,
  h.hypertable_schema AS parent_schema, h.hypertable_name AS parent_name,
  d.column_name::text AS time_column, ` + interval("d") + ` AS chunk_interval,
  d.integer_now_func::text AS integer_now_func,
  -- the dimensions after the first: space ones with their partitions, further time ones with their interval
  (SELECT string_agg(format('%I', o.column_name) || CASE WHEN o.dimension_type = 'Space'
      THEN ' (' || o.num_partitions || ' partitions)' ELSE ' (interval ' || ` + interval("o") + ` || ')' END,
      ', ' ORDER BY o.dimension_number)
   FROM timescaledb_information.dimensions o
   WHERE o.hypertable_schema = h.hypertable_schema AND o.hypertable_name = h.hypertable_name AND o.dimension_number > 1) AS dimensions,
  h.compression_enabled::text AS compression_enabled,
  CASE WHEN h.compression_enabled THEN nullif(s.segmentby, '') END AS segmentby,
  CASE WHEN h.compression_enabled THEN nullif(s.orderby, '') END AS orderby
FROM timescaledb_information.hypertables h
JOIN timescaledb_information.dimensions d
  ON d.hypertable_schema = h.hypertable_schema AND d.hypertable_name = h.hypertable_name AND d.dimension_number = 1
LEFT JOIN timescaledb_information.hypertable_compression_settings s
  ON s.hypertable = format('%I.%I', h.hypertable_schema, h.hypertable_name)::regclass
WHERE (cardinality($1::text[]) = 0 OR h.hypertable_schema = ANY ($1::text[]))`

// An aggregate's query is its direct view's definition: the user-facing view of a real-time
// aggregate unions the materialization, named by an internal ID, with a watermark call on it.
var caggsSQL = `SELECT 'continuous_aggregate' AS kind, c.view_schema AS key_schema, c.view_name AS key_name,
  c.view_schema AS parent_name,
  -- an aggregate over an aggregate reads the other's materialization, named by an internal ID:
  -- it is shown as that aggregate
  CASE WHEN up.view_name IS NULL THEN format('%I.%I', c.hypertable_schema, c.hypertable_name)
    ELSE format('%I.%I', up.view_schema, up.view_name) END AS hypertable,
  c.view_definition AS definition, c.materialized_only::text AS materialized_only,
  ` + interval("d") + ` AS chunk_interval,
  c.compression_enabled::text AS compression_enabled,
  CASE WHEN c.compression_enabled THEN nullif(s.segmentby, '') END AS segmentby,
  CASE WHEN c.compression_enabled THEN nullif(s.orderby, '') END AS orderby
FROM timescaledb_information.continuous_aggregates c
LEFT JOIN timescaledb_information.continuous_aggregates up
  ON up.materialization_hypertable_schema = c.hypertable_schema AND up.materialization_hypertable_name = c.hypertable_name
LEFT JOIN timescaledb_information.dimensions d
  ON d.hypertable_schema = c.materialization_hypertable_schema AND d.hypertable_name = c.materialization_hypertable_name
  AND d.dimension_number = 1
LEFT JOIN timescaledb_information.hypertable_compression_settings s
  ON s.hypertable = format('%I.%I', c.materialization_hypertable_schema, c.materialization_hypertable_name)::regclass
WHERE (cardinality($1::text[]) = 0 OR c.view_schema = ANY ($1::text[]))`

// An index on an aggregate lives on its materialization hypertable, whose name carries an
// internal ID: the index is shown on the aggregate, with that name replaced by the aggregate's
// (in the definition, and in the index names TimescaleDB generates, which are marked with
// GeneratedSuffix so that they never collide with an index a user named so).
var caggIndexesSQL = `SELECT 'continuous_aggregate_index' AS kind, c.view_schema AS key_schema, c.view_name AS key_name,
  CASE WHEN starts_with(i.relname, c.materialization_hypertable_name || '_')
    THEN c.view_name || substr(i.relname, length(c.materialization_hypertable_name) + 1) || ` + quoteLit(GeneratedSuffix) + `
    ELSE i.relname END AS key_sub,
  c.view_schema AS parent_schema, c.view_name AS parent_name,
  replace(replace(pg_get_indexdef(i.oid),
      format('%I.%I', c.materialization_hypertable_schema, c.materialization_hypertable_name),
      format('%I.%I', c.view_schema, c.view_name)),
    c.materialization_hypertable_name, c.view_name) AS definition
FROM timescaledb_information.continuous_aggregates c
JOIN pg_index x ON x.indrelid = format('%I.%I', c.materialization_hypertable_schema, c.materialization_hypertable_name)::regclass
JOIN pg_class i ON i.oid = x.indexrelid
WHERE (cardinality($1::text[]) = 0 OR c.view_schema = ANY ($1::text[]))`

// A policy is keyed by the hypertable or aggregate it serves and what it does; a custom job by
// its procedure and its configuration. The IDs in a configuration are taken out, the settings
// a policy is made with become attributes of their own, and what remains is "config". Run
// state (next start, last run, failures) is never read; the extension's own jobs (IDs below
// 1000) are not the schema's.
var jobsSQL = `SELECT 'job' AS kind,
  CASE WHEN p.kind = 'custom' THEN j.proc_schema::text ELSE j.hypertable_schema::text END AS key_schema,
  CASE WHEN p.kind = 'custom' THEN j.proc_name::text ELSE j.hypertable_name::text END AS key_name,
  p.kind AS key_sub,
  CASE WHEN p.kind = 'custom' THEN coalesce(cfg.config::text, '{}') END AS key_detail,
  coalesce(j.hypertable_schema::text, j.proc_schema::text) AS parent_schema,
  coalesce(j.hypertable_name::text, CASE WHEN p.kind = 'custom' THEN j.proc_name::text END) AS parent_name,
  CASE WHEN p.kind = 'custom' AND j.hypertable_name IS NOT NULL THEN format('%I.%I', j.hypertable_schema, j.hypertable_name) END AS hypertable,
  CASE WHEN p.kind <> 'custom' THEN format('%I.%I', j.proc_schema, j.proc_name) END AS procedure,
  j.schedule_interval::text AS schedule_interval, j.scheduled::text AS scheduled,
  j.config->>'drop_after' AS drop_after, j.config->>'drop_created_before' AS drop_created_before,
  j.config->>'compress_after' AS compress_after, j.config->>'compress_created_before' AS compress_created_before,
  j.config->>'start_offset' AS start_offset, j.config->>'end_offset' AS end_offset,
  CASE WHEN p.kind <> 'custom' THEN nullif((cfg.config - 'drop_after' - 'drop_created_before' - 'compress_after'
    - 'compress_created_before' - 'start_offset' - 'end_offset')::text, '{}') END AS config
FROM timescaledb_information.jobs j
CROSS JOIN LATERAL (SELECT CASE WHEN j.proc_schema IN ('_timescaledb_functions', '_timescaledb_internal') THEN
    CASE j.proc_name
      WHEN 'policy_retention' THEN 'retention'
      WHEN 'policy_compression' THEN 'compression'
      WHEN 'policy_columnstore' THEN 'compression'
      WHEN 'policy_recompression' THEN 'recompression'
      WHEN 'policy_refresh_continuous_aggregate' THEN 'refresh'
      ELSE 'custom' END
  ELSE 'custom' END AS kind) p
CROSS JOIN LATERAL (SELECT j.config - 'hypertable_id' - 'mat_hypertable_id' AS config) cfg
WHERE j.job_id >= 1000
  AND (cardinality($1::text[]) = 0 OR coalesce(j.hypertable_schema, j.proc_schema) = ANY ($1::text[]))`

// Prune takes out of a snapshot's objects what TimescaleDB made of plain objects, and returns
// what is left: the view of each continuous aggregate (and its columns), and the triggers
// TimescaleDB puts on hypertables (the insert blocker, the aggregates' invalidation trigger),
// which call its own functions. Grants and comments on an aggregate stay: they are the user's.
func Prune(objects []snapshot.Object) []snapshot.Object {
	caggs := map[snapshot.Key]bool{}
	for _, o := range objects {
		if o.Kind == "continuous_aggregate" {
			caggs[o.Key] = true
		}
	}
	out := objects[:0]
	for _, o := range objects {
		switch {
		case o.Kind == "view" && caggs[o.Key]:
			continue
		case o.Kind == "column" && caggs[o.Parent]:
			continue
		case o.Kind == "trigger" && internalTrigger(o.Attrs.Value("definition")):
			continue
		}
		out = append(out, o)
	}
	return out
}

// internalTrigger reports a trigger that runs one of TimescaleDB's own functions.
func internalTrigger(def string) bool {
	return strings.Contains(def, "EXECUTE FUNCTION _timescaledb_functions.") ||
		strings.Contains(def, "EXECUTE FUNCTION _timescaledb_internal.")
}

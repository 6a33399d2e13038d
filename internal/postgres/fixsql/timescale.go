package fixsql

import (
	"strconv"
	"strings"

	"github.com/drift-schema/drift/internal/postgres/timescale"
	"github.com/drift-schema/drift/internal/snapshot"
)

// TimescaleDB objects (internal/postgres/timescale) are made and changed by the extension's
// functions: create_hypertable, set_chunk_time_interval, add_retention_policy, ALTER TABLE …
// SET (timescaledb.compress, …), CREATE MATERIALIZED VIEW … WITH (timescaledb.continuous).
// A hypertable comes after its table's columns, indexes and constraints; an aggregate after its
// hypertable; a job after what it serves. Jobs are dropped first.
const (
	rankHypertable     = 67
	rankCagg           = 76
	rankCaggIndex      = 77
	rankJob            = 88
	rankDropJob        = 15
	rankDropCaggIndex  = 25
	rankDropCagg       = 30
	timescaleInternals = "_timescaledb_internal" // where the materializations of aggregates live
)

// hypertableMark is what a hypertable step provides, beside its table's key: a policy or an
// aggregate needs the table to be a hypertable already (and compression turned on), not only
// to exist.
func hypertableMark(k snapshot.Key) snapshot.Key {
	return snapshot.KeyOf(k.Schema(), k.Name(), "", "#hypertable")
}

// regclassLiteral is a relation name as a literal for a regclass argument: 'public.metrics'.
func regclassLiteral(k snapshot.Key) string { return quoteLiteral(relName(k)) }

// tsValue renders an interval or number setting: a number as it is, anything else as an
// interval literal. Integer hypertables take numbers; time ones intervals.
func tsValue(v string) string {
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		return v
	}
	return "INTERVAL " + quoteLiteral(v)
}

// createHypertable turns a table into a hypertable, with its dimensions and compression.
func createHypertable(g *gen, t *snapshot.Object) {
	a := t.Attrs
	table := regclassLiteral(t.Key)
	s := g.add(createPhase, rankHypertable, t, "SELECT create_hypertable("+table+", by_range("+
		quoteLiteral(a.Value("time_column"))+", "+tsValue(a.Value("chunk_interval"))+"), migrate_data => true);")
	if g.from.table(t.Key) != nil {
		s.hazards = append(s.hazards, "moves the table's rows into chunks under ACCESS EXCLUSIVE")
	}
	for _, d := range dimensions(a.Value("dimensions")) {
		g.add(createPhase, rankHypertable, t, "SELECT add_dimension("+table+", "+d+");")
	}
	if f, ok := a.Get("integer_now_func"); ok {
		g.add(createPhase, rankHypertable, t, "SELECT set_integer_now_func("+table+", "+quoteLiteral(f)+");")
	}
	if a.Value("compression_enabled") == "true" {
		g.add(createPhase, rankHypertable, t, "ALTER TABLE "+relName(t.Key)+" SET ("+compressionOptions(a)+");")
	}
}

// dimensions parses the dimensions attribute ("device_id (4 partitions), at2 (interval 1 day)")
// into by_hash / by_range dimension builders.
func dimensions(text string) []string {
	var out []string
	for text != "" {
		open := strings.Index(text, " (")
		end := strings.Index(text, ")")
		if open < 0 || end < open {
			break
		}
		col, spec := text[:open], text[open+2:end]
		text = strings.TrimPrefix(text[end+1:], ", ")
		col = strings.Trim(col, `"`)
		if n, ok := strings.CutSuffix(spec, " partitions"); ok {
			out = append(out, "by_hash("+quoteLiteral(col)+", "+n+")")
		} else if iv, ok := strings.CutPrefix(spec, "interval "); ok {
			out = append(out, "by_range("+quoteLiteral(col)+", "+tsValue(iv)+")")
		}
	}
	return out
}

// compressionOptions are the WITH options turning compression on with its settings.
func compressionOptions(a snapshot.Attrs) string {
	return "timescaledb.compress, timescaledb.compress_segmentby = " + quoteLiteral(a.Value("segmentby")) +
		", timescaledb.compress_orderby = " + quoteLiteral(a.Value("orderby"))
}

// dropHypertable: a hypertable cannot become a plain table again in place.
func dropHypertable(g *gen, f *snapshot.Object) {
	if g.to.table(f.Key) == nil {
		return // the table goes, and the hypertable with it
	}
	g.cannot(f, "a hypertable cannot be turned back into a plain table in place: create a plain table, copy the rows into it, and swap the names")
}

// alterHypertable changes the chunk interval (for new chunks), the number of space partitions
// and the compression settings in place.
func alterHypertable(g *gen, f, t *snapshot.Object) {
	table := regclassLiteral(t.Key)
	if attrChanged(f, t, "time_column") {
		g.cannot(t, "a hypertable's time column cannot change in place")
		return
	}
	if attrChanged(f, t, "chunk_interval") {
		s := g.add(createPhase, rankHypertable, t, "SELECT set_chunk_time_interval("+table+", "+tsValue(t.Attrs.Value("chunk_interval"))+");")
		s.notes = append(s.notes, "applies to chunks created from now on; existing chunks keep their interval")
	}
	if attrChanged(f, t, "dimensions") {
		fd, td := dimensions(f.Attrs.Value("dimensions")), dimensions(t.Attrs.Value("dimensions"))
		if len(fd) != len(td) {
			g.cannot(t, "dimensions can be added only to an empty hypertable and never removed")
		} else {
			for i := range td {
				if fd[i] == td[i] {
					continue
				}
				col, n, ok := hashDimension(td[i])
				_, _, fok := hashDimension(fd[i])
				if !ok || !fok {
					g.cannot(t, "a dimension other than a space partitioning cannot change in place")
					continue
				}
				g.add(createPhase, rankHypertable, t, "SELECT set_number_partitions("+table+", "+n+", "+col+");")
			}
		}
	}
	if attrChanged(f, t, "integer_now_func") {
		if fn, ok := t.Attrs.Get("integer_now_func"); ok {
			g.add(createPhase, rankHypertable, t, "SELECT set_integer_now_func("+table+", "+quoteLiteral(fn)+", replace_if_exists => true);")
		}
	}
	compression(g, t, f.Attrs, t.Attrs, "ALTER TABLE "+relName(t.Key))
}

// compression writes the change of compression settings of a hypertable or an aggregate.
func compression(g *gen, t *snapshot.Object, from, to snapshot.Attrs, alter string) {
	on := to.Value("compression_enabled") == "true"
	switch {
	case from.Value("compression_enabled") == "true" && !on:
		s := g.add(createPhase, rankHypertable, t, alter+" SET (timescaledb.compress = false);")
		s.notes = append(s.notes, "fails while compressed chunks remain: decompress_chunk() them first")
	case on && (from.Value("compression_enabled") != "true" || from.Value("segmentby") != to.Value("segmentby") || from.Value("orderby") != to.Value("orderby")):
		s := g.add(createPhase, rankHypertable, t, alter+" SET ("+compressionOptions(to)+");")
		if from.Value("compression_enabled") == "true" {
			s.notes = append(s.notes, "applies to chunks compressed from now on")
		}
	}
}

// hashDimension reads back a by_hash builder: its column literal and number of partitions.
func hashDimension(d string) (col, n string, ok bool) {
	inner, ok := strings.CutPrefix(d, "by_hash(")
	if !ok {
		return "", "", false
	}
	inner = strings.TrimSuffix(inner, ")")
	i := strings.LastIndex(inner, ", ")
	if i < 0 {
		return "", "", false
	}
	return inner[:i], inner[i+2:], true
}

// createCagg creates a continuous aggregate from its query, without data (a refresh policy or
// refresh_continuous_aggregate fills it).
func createCagg(g *gen, t *snapshot.Object) {
	a := t.Attrs
	name := relName(t.Key)
	query := strings.TrimSuffix(strings.TrimSpace(a.Value("definition")), ";")
	s := g.add(createPhase, rankCagg, t, "CREATE MATERIALIZED VIEW "+name+" WITH (timescaledb.continuous, timescaledb.materialized_only = "+
		boolWord(a.Value("materialized_only"))+") AS\n"+query+"\nWITH NO DATA;")
	s.noTx = true
	s.notes = append(s.notes, "created empty: CALL refresh_continuous_aggregate("+regclassLiteral(t.Key)+", NULL, NULL) fills it")
	if iv, ok := a.Get("chunk_interval"); ok {
		g.add(createPhase, rankCagg, t, "SELECT set_chunk_time_interval("+regclassLiteral(t.Key)+", "+tsValue(iv)+");")
	}
	compression(g, t, nil, a, "ALTER MATERIALIZED VIEW "+name)
}

func boolWord(v string) string {
	if v == "true" {
		return "true"
	}
	return "false"
}

// dropCagg drops a continuous aggregate, with what it materialized.
func dropCagg(g *gen, f *snapshot.Object) {
	s := g.add(dropPhase, rankDropCagg, f, "DROP MATERIALIZED VIEW "+relName(f.Key)+";")
	s.hazards = append(s.hazards, hazardDropsData)
}

// rebuildCagg: an aggregate's query cannot change in place.
func rebuildCagg(_ *gen, f, t *snapshot.Object) bool {
	return attrChanged(f, t, "definition") || attrChanged(f, t, "hypertable")
}

func alterCagg(g *gen, f, t *snapshot.Object) {
	name := relName(t.Key)
	if attrChanged(f, t, "materialized_only") {
		g.add(createPhase, rankCagg, t, "ALTER MATERIALIZED VIEW "+name+" SET (timescaledb.materialized_only = "+boolWord(t.Attrs.Value("materialized_only"))+");")
	}
	if attrChanged(f, t, "chunk_interval") {
		if iv, ok := t.Attrs.Get("chunk_interval"); ok {
			g.add(createPhase, rankCagg, t, "SELECT set_chunk_time_interval("+regclassLiteral(t.Key)+", "+tsValue(iv)+");")
		}
	}
	compression(g, t, f.Attrs, t.Attrs, "ALTER MATERIALIZED VIEW "+name)
}

// createCaggIndex creates an index on an aggregate: TimescaleDB builds it on the
// materialization. An index TimescaleDB generated is created without a name, so PostgreSQL
// names it after the materialization again, as TimescaleDB did.
func createCaggIndex(g *gen, t *snapshot.Object) {
	def := t.Attrs.Value("definition")
	if strings.HasSuffix(t.Key.Sub(), timescale.GeneratedSuffix) {
		if g.fresh[snapshot.ID{Kind: "continuous_aggregate", Key: t.Parent}] != nil {
			return // TimescaleDB makes it with the aggregate
		}
		if i, j := strings.Index(def, "INDEX "), strings.Index(def, " ON "); i >= 0 && j > i {
			def = def[:i+len("INDEX")] + def[j:]
		}
	}
	g.add(createPhase, rankCaggIndex, t, def+";")
}

// dropCaggIndex drops an aggregate's index where it lives, beside the materialization. The name
// of one TimescaleDB generated starts with the materialization's internal name, which the
// snapshot does not record: it is looked up when the statement runs.
func dropCaggIndex(g *gen, f *snapshot.Object) {
	if g.gone[snapshot.ID{Kind: "continuous_aggregate", Key: f.Parent}] != nil || g.rebuilt[snapshot.ID{Kind: "continuous_aggregate", Key: f.Parent}] {
		return // dropped with the aggregate
	}
	sub, generated := strings.CutSuffix(f.Key.Sub(), timescale.GeneratedSuffix)
	if !generated {
		g.add(dropPhase, rankDropCaggIndex, f, "DROP INDEX "+qualified(timescaleInternals, sub)+";")
		return
	}
	suffix := strings.TrimPrefix(sub, f.Key.Name())
	g.add(dropPhase, rankDropCaggIndex, f, "DO $drift$ BEGIN EXECUTE (SELECT format('DROP INDEX %I.%I', materialization_hypertable_schema, "+
		"materialization_hypertable_name || "+quoteLiteral(suffix)+") FROM timescaledb_information.continuous_aggregates WHERE view_schema = "+
		quoteLiteral(f.Key.Schema())+" AND view_name = "+quoteLiteral(f.Key.Name())+"); END $drift$;")
}

func rebuildCaggIndex(_ *gen, f, t *snapshot.Object) bool { return attrChanged(f, t, "definition") }

func alterCaggIndex(*gen, *snapshot.Object, *snapshot.Object) {}

// jobTarget is the relation a policy serves (its key without the job kind).
func jobTarget(o *snapshot.Object) snapshot.Key {
	return snapshot.KeyOf(o.Key.Schema(), o.Key.Name(), "", "")
}

// policyFunctions are the add and remove functions of each policy kind, and the arguments
// its settings are given as.
var policyFunctions = map[string]struct {
	add, remove string
	args        []string
}{
	"retention":   {"add_retention_policy", "remove_retention_policy", []string{"drop_after", "drop_created_before"}},
	"compression": {"add_compression_policy", "remove_compression_policy", []string{"compress_after", "compress_created_before"}},
	"refresh":     {"add_continuous_aggregate_policy", "remove_continuous_aggregate_policy", []string{"start_offset", "end_offset"}},
}

// createJob adds a policy or a custom job with its schedule.
func createJob(g *gen, t *snapshot.Object) {
	a := t.Attrs
	var call string
	if p, ok := policyFunctions[t.Key.Sub()]; ok {
		args := []string{regclassLiteral(jobTarget(t))}
		for _, name := range p.args {
			if v, ok := a.Get(name); ok {
				args = append(args, name+" => "+tsValue(v))
			} else if t.Key.Sub() == "refresh" {
				args = append(args, name+" => NULL") // an open end is a setting of its own
			}
		}
		if v, ok := a.Get("schedule_interval"); ok {
			args = append(args, "schedule_interval => INTERVAL "+quoteLiteral(v))
		}
		call = p.add + "(" + strings.Join(args, ", ") + ")"
	} else if t.Key.Sub() == "custom" {
		call = "add_job(" + quoteLiteral(qualified(t.Key.Schema(), t.Key.Name())) + ", " + quoteLiteral(a.Value("schedule_interval")) +
			", config => " + quoteLiteral(t.Key.Detail()) + "::jsonb)"
	} else {
		g.cannot(t, "drift does not write SQL for TimescaleDB "+t.Key.Sub()+" jobs")
		return
	}
	if a.Value("scheduled") == "false" {
		call = "alter_job(" + call + ", scheduled => false)"
	}
	s := g.add(createPhase, rankJob, t, "SELECT "+call+";")
	if c, ok := a.Get("config"); ok {
		s.notes = append(s.notes, "its config also holds "+c+": set it with alter_job(job_id, config => ...)")
	}
}

// jobRow selects the job's ID from timescaledb_information.jobs.
func jobRow(o *snapshot.Object) string {
	if o.Key.Sub() == "custom" {
		return "FROM timescaledb_information.jobs WHERE proc_schema = " + quoteLiteral(o.Key.Schema()) + " AND proc_name = " + quoteLiteral(o.Key.Name()) +
			" AND coalesce(config - 'hypertable_id' - 'mat_hypertable_id', '{}') = " + quoteLiteral(o.Key.Detail()) + "::jsonb"
	}
	procs := map[string]string{"retention": "'policy_retention'", "compression": "'policy_compression', 'policy_columnstore'",
		"recompression": "'policy_recompression'", "refresh": "'policy_refresh_continuous_aggregate'"}
	return "FROM timescaledb_information.jobs WHERE hypertable_schema = " + quoteLiteral(o.Key.Schema()) + " AND hypertable_name = " +
		quoteLiteral(o.Key.Name()) + " AND proc_name IN (" + procs[o.Key.Sub()] + ")"
}

// dropJob removes a policy or deletes a custom job.
func dropJob(g *gen, f *snapshot.Object) {
	target := jobTarget(f)
	if g.gone[snapshot.ID{Kind: "continuous_aggregate", Key: target}] != nil || g.gone[snapshot.ID{Kind: "table", Key: target}] != nil {
		return // goes with what it serves
	}
	if p, ok := policyFunctions[f.Key.Sub()]; ok {
		g.add(dropPhase, rankDropJob, f, "SELECT "+p.remove+"("+regclassLiteral(target)+");")
		return
	}
	g.add(dropPhase, rankDropJob, f, "SELECT delete_job(job_id) "+jobRow(f)+";")
}

// rebuildJob: a policy's settings other than its schedule are given when it is added.
func rebuildJob(_ *gen, f, t *snapshot.Object) bool {
	for _, a := range append(f.Attrs.Clone(), t.Attrs...) {
		if a.Name != "schedule_interval" && a.Name != "scheduled" && attrChanged(f, t, a.Name) {
			return true
		}
	}
	return false
}

// alterJob changes a job's schedule in place.
func alterJob(g *gen, f, t *snapshot.Object) {
	var args []string
	if attrChanged(f, t, "schedule_interval") {
		args = append(args, "schedule_interval => INTERVAL "+quoteLiteral(t.Attrs.Value("schedule_interval")))
	}
	if attrChanged(f, t, "scheduled") {
		args = append(args, "scheduled => "+boolWord(t.Attrs.Value("scheduled")))
	}
	if len(args) > 0 {
		g.add(createPhase, rankJob, t, "SELECT alter_job(job_id, "+strings.Join(args, ", ")+") "+jobRow(t)+";")
	}
}

// isHypertable reports whether the table k is a hypertable on side s: TimescaleDB builds and
// drops no index CONCURRENTLY on one.
func isHypertable(s *side, k snapshot.Key) bool { return s.find("hypertable", k) != nil }

// timescaleChildren are the TimescaleDB kinds an object owns: they go and come back with it.
var timescaleChildren = map[string][]string{
	"table":                {"hypertable", "job"},
	"continuous_aggregate": {"continuous_aggregate_index", "job"},
}

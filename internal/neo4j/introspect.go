package neo4j

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/snapshot"
)

// The catalog queries. Every column is read by name, so the different column sets of 4.4 (no
// owningConstraint, a uniqueness column), 5.x and 2025.x (enforcedLabel) all work.
const (
	queryComponents  = "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition"
	queryIndexes     = "SHOW INDEXES YIELD *"
	queryConstraints = "SHOW CONSTRAINTS YIELD *"
)

// Options tune introspection.
type Options struct {
	// Target names the database in health findings' fingerprints.
	Target string
	// Database is the Neo4j database to read; empty means the user's home database.
	Database string
	// ConnectTimeout bounds reaching the server; zero means DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// Logger receives debug output; nil discards it.
	Logger *slog.Logger
}

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Introspect reads the indexes and constraints of a live Neo4j database, in one read
// transaction. It returns the schema snapshot and, separately, health findings: indexes (and
// the indexes behind constraints) that are not ONLINE. Those are not drift (their definitions
// are what the migrations asked for) but someone should look at them.
func Introspect(ctx context.Context, driver neo4jdrv.DriverWithContext, opts Options) (*snapshot.Snapshot, []diff.Finding, error) {
	session := driver.NewSession(ctx, neo4jdrv.SessionConfig{
		AccessMode:   neo4jdrv.AccessModeRead,
		DatabaseName: opts.Database,
	})
	defer session.Close(ctx)
	res, err := session.ExecuteRead(ctx, func(tx neo4jdrv.ManagedTransaction) (any, error) {
		var rows catalogRows
		var err error
		if rows.components, err = collect(ctx, tx, queryComponents); err != nil {
			return nil, fmt.Errorf("reading server version: %w", err)
		}
		if rows.indexes, err = collect(ctx, tx, queryIndexes); err != nil {
			return nil, fmt.Errorf("reading indexes: %w", err)
		}
		if rows.constraints, err = collect(ctx, tx, queryConstraints); err != nil {
			return nil, fmt.Errorf("reading constraints: %w", err)
		}
		return rows, nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("introspecting neo4j: %w", err)
	}
	rows := res.(catalogRows)
	opts.logger().Debug("neo4j catalog read", "indexes", len(rows.indexes), "constraints", len(rows.constraints))
	return buildSnapshot(rows, opts)
}

func collect(ctx context.Context, tx neo4jdrv.ManagedTransaction, query string) ([]map[string]any, error) {
	result, err := tx.Run(ctx, query, nil)
	if err != nil {
		return nil, err
	}
	records, err := result.Collect(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(records))
	for i, r := range records {
		out[i] = r.AsMap()
	}
	return out, nil
}

// catalogRows are the raw rows of the catalog queries, keyed by column name.
type catalogRows struct {
	components  []map[string]any
	indexes     []map[string]any
	constraints []map[string]any
}

// indexState is the volatile state of one index, kept only for health findings.
type indexState struct {
	state, failure string
	percent        float64
}

// buildSnapshot turns catalog rows into a snapshot and health findings. It does no I/O, so the
// recorded rows of servers that cannot run here (4.4, Enterprise) go through the same code.
func buildSnapshot(rows catalogRows, opts Options) (*snapshot.Snapshot, []diff.Finding, error) {
	snap := snapshot.New(snapshot.EngineNeo4j)
	snap.Target = opts.Target
	snap.Source = snapshot.Source{Kind: snapshot.SourceLive}
	snap.ServerVersion, snap.ServerVersionNum = serverVersion(rows.components)
	items, health, unsupported := liveItems(rows, opts.Target)
	snap.Unsupported = append(snap.Unsupported, unsupported...)
	addItems(snap, items)
	if err := snap.Normalize(); err != nil {
		return nil, nil, fmt.Errorf("building neo4j snapshot: %w", err)
	}
	diff.Sort(health)
	return snap, health, nil
}

// liveItems reads the indexes and constraints of catalog rows, with their names, leaving out
// what is not compared (LOOKUP indexes, indexes owned by constraints, migration tools' items),
// and the health findings of indexes that are not ONLINE.
func liveItems(rows catalogRows, target string) (items []item, health []diff.Finding, unsupported []snapshot.Unsupported) {
	byName := map[string]indexState{}
	byID := map[string]indexState{}
	for _, r := range rows.indexes {
		st := indexState{state: str(r["state"]), failure: str(r["failureMessage"]), percent: num(r["populationPercent"])}
		byName[str(r["name"])] = st
		if id, ok := r["id"]; ok && id != nil {
			byID[renderValue(id)] = st
		}
		typ := canonicalIndexType(str(r["type"]))
		if typ == "LOOKUP" || typ == "" {
			continue
		}
		if r["owningConstraint"] != nil || str(r["uniqueness"]) == "UNIQUE" {
			// Owned by a constraint (4.4 has no owningConstraint column, only uniqueness).
			continue
		}
		it := item{
			kind:   KindIndex,
			name:   str(r["name"]),
			typ:    typ,
			entity: strings.ToUpper(str(r["entityType"])),
			labels: strs(r["labelsOrTypes"]),
			props:  strs(r["properties"]),
		}
		if isMigrationToolItem(it.name, it.labels) {
			continue
		}
		if options, ok := r["options"].(map[string]any); ok {
			if cfg, ok := options["indexConfig"].(map[string]any); ok {
				it.config = configAttrs(typ, cfg)
			}
		}
		items = append(items, it)
		if f, ok := healthFinding(target, KindIndex, it.key(), st); ok {
			health = append(health, f)
		}
	}
	for _, r := range rows.constraints {
		it := item{
			kind:          KindConstraint,
			name:          str(r["name"]),
			typ:           canonicalConstraintType(str(r["type"])),
			entity:        strings.ToUpper(str(r["entityType"])),
			labels:        strs(r["labelsOrTypes"]),
			props:         strs(r["properties"]),
			enforcedLabel: str(r["enforcedLabel"]),
		}
		if isMigrationToolItem(it.name, it.labels) {
			continue
		}
		if pt := str(r["propertyType"]); pt != "" {
			norm, err := normalizePropertyType(pt)
			if err != nil {
				unsupported = append(unsupported, snapshot.Unsupported{Kind: "property type", Name: it.name, Reason: err.Error()})
				norm = pt
			}
			it.propertyType = norm
		}
		items = append(items, it)
		st, ok := byName[str(r["ownedIndex"])]
		if !ok && r["ownedIndexId"] != nil {
			st, ok = byID[renderValue(r["ownedIndexId"])]
		}
		if ok {
			if f, ok := healthFinding(target, KindConstraint, it.key(), st); ok {
				health = append(health, f)
			}
		}
	}
	return items, health, unsupported
}

// addItems adds items as objects. Two items with one content key cannot both exist on a server
// (Neo4j rejects equivalent indexes), but if a server ever returns them, the second is keyed by
// its name too and flagged, rather than failing the whole snapshot.
func addItems(snap *snapshot.Snapshot, items []item) {
	seen := map[snapshot.ID]bool{}
	for _, it := range items {
		o := it.object()
		if seen[o.ID()] {
			o.Key = o.Key.WithSuffix(" [" + it.name + "]")
			snap.Unsupported = append(snap.Unsupported, snapshot.Unsupported{Kind: o.Kind, Name: it.name, Reason: "same content as another item"})
		}
		seen[o.ID()] = true
		snap.Add(o)
	}
}

// HealthSuffix is appended to the object key in the fingerprint of a health finding, so that an
// index that is both changed and FAILED yields two distinct alerts.
const HealthSuffix = "#state"

// healthFinding reports an index that is not ONLINE. FAILED is a warning (queries fall back to
// scans, and the index will not heal by itself); POPULATING is info (it will be ONLINE soon).
func healthFinding(target, kind, key string, st indexState) (diff.Finding, bool) {
	state := strings.ToUpper(st.state)
	if state == "" || state == "ONLINE" {
		return diff.Finding{}, false
	}
	what := "index"
	if kind == KindConstraint {
		what = "the index behind this constraint"
	}
	f := diff.Finding{
		Kind:       kind,
		Object:     key,
		Change:     diff.Changed,
		Severity:   diff.Warning,
		Expected:   "state: ONLINE",
		Actual:     "state: " + state,
		Attributes: []string{"state"},
	}
	switch state {
	case "POPULATING":
		f.Severity = diff.Info
		f.Summary = fmt.Sprintf("%s is POPULATING (%s%% done); queries cannot use it yet", what, formatFloat(st.percent))
	case "FAILED":
		f.Summary = fmt.Sprintf("%s is FAILED and will not recover by itself: drop and recreate it", what)
		if st.failure != "" {
			f.Summary += " (" + firstLine(st.failure) + ")"
		}
	default:
		f.Summary = fmt.Sprintf("%s is %s, not ONLINE", what, state)
	}
	f.Fingerprint = diff.Fingerprint(target, kind, key+HealthSuffix, diff.Changed)
	return f, true
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return strings.TrimSpace(s)
}

var versionNumbers = regexp.MustCompile(`^(\d+)\.(\d+)(?:\.(\d+))?`)

// serverVersion reads "5.26.12 (community)" and 52612 from dbms.components(). Calendar versions
// compare the same way: 2025.06.0 is 20250600.
func serverVersion(components []map[string]any) (string, int) {
	for _, c := range components {
		if str(c["name"]) != "Neo4j Kernel" {
			continue
		}
		versions := strs(c["versions"])
		if len(versions) == 0 {
			return "", 0
		}
		v := versions[0]
		human := v
		if ed := str(c["edition"]); ed != "" {
			human += " (" + ed + ")"
		}
		return human, versionNum(v)
	}
	return "", 0
}

func versionNum(v string) int {
	m := versionNumbers.FindStringSubmatch(v)
	if m == nil {
		return 0
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	patch, _ := strconv.Atoi(m[3])
	return major*10000 + minor*100 + patch
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return renderValue(v)
}

func strs(v any) []string {
	switch x := v.(type) {
	case []string:
		return append([]string(nil), x...)
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, str(e))
		}
		return out
	}
	return nil
}

func num(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	case int:
		return float64(x)
	}
	return 0
}

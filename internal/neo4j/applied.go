package neo4j

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/drift-schema/drift/internal/migrations"
)

// What the migration tools record in a live Neo4j database:
//
//   - neo4j-migrations: a chain (:__Neo4jMigration {version: 'BASELINE'})-[:MIGRATED_TO]->
//     (:__Neo4jMigration {version, description, type, source, checksum, repeatable})->...,
//     one node per applied migration in order; a repeatable migration applied again gets a
//     (n)-[:REPEATED {checksum, at}]->(n) loop. A run holds a (:__Neo4jMigrationsLock) node and
//     deletes it when it ends: one left behind means a run is going on or crashed. Chains that
//     a separate schema database keeps for other databases carry a migrationTarget and are
//     not this database's.
//   - golang-migrate: (:SchemaMigration {version, dirty, ts}), one node per version it set;
//     the latest (by ts, then version) is the state, and version -1 means nothing applied.

// Queries reading the tools' records. Read-only, as everything drift runs on a watched database.
const (
	queryChain = `MATCH p = (b:__Neo4jMigration {version: 'BASELINE'})-[:MIGRATED_TO*]->(l:__Neo4jMigration)
WHERE b.migrationTarget IS NULL AND NOT (l)-[:MIGRATED_TO]->(:__Neo4jMigration)
RETURN [n IN tail(nodes(p)) | {version: n.version, description: n.description, type: n.type, source: n.source,
  checksum: n.checksum, repeatable: coalesce(n.repeatable, false), failed: coalesce(n.flyway_failed, false),
  repeated: [(n)-[r:REPEATED]->(n) | {checksum: r.checksum, at: r.at}]}] AS chain`
	queryBaseline      = "MATCH (b:__Neo4jMigration {version: 'BASELINE'}) WHERE b.migrationTarget IS NULL RETURN count(b) AS n"
	queryLocks         = "MATCH (l:__Neo4jMigrationsLock) RETURN l.name AS name"
	querySchemaVersion = "MATCH (sm:SchemaMigration) RETURN sm.version AS version, sm.dirty AS dirty, sm.ts AS ts"
)

// Where the tools keep their records, for messages.
const (
	chainWhere         = "the (:__Neo4jMigration) chain"
	schemaMigrationWhr = "(:SchemaMigration)"
)

// chainEntry is one applied migration of a neo4j-migrations chain.
type chainEntry struct {
	version, description, typ, source, checksum string
	repeatable, failed                          bool
}

// liveState is what Expected reads from the live database besides its schema.
type liveState struct {
	// database is the name of the database read (the home database when the URI names none).
	database string
	// chain is neo4j-migrations' record, in chain order; found says whether there is one.
	chain      []chainEntry
	chainFound bool
	// locks are the names of neo4j-migrations lock nodes left in the database.
	locks []string
	// golang is golang-migrate's record, or nil.
	golang *migrations.Applied
	// items are the live indexes and constraints, with their names.
	items []item
}

// readLiveState reads, in one read transaction on the database the URI names (or the home
// database), the migration tools' records and the indexes and constraints with their names.
func readLiveState(ctx context.Context, uri string, connectTimeout time.Duration) (*liveState, error) {
	conn, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	d, err := conn.Connect(ctx, connectTimeout)
	if err != nil {
		return nil, err
	}
	defer d.Close(context.WithoutCancel(ctx))
	session := d.NewSession(ctx, neo4jdrv.SessionConfig{AccessMode: neo4jdrv.AccessModeRead, DatabaseName: conn.Database})
	defer session.Close(context.WithoutCancel(ctx))
	type raw struct {
		database                               string
		rows                                   catalogRows
		chain, baseline, locks, schemaVersions []map[string]any
	}
	res, err := session.ExecuteRead(ctx, func(tx neo4jdrv.ManagedTransaction) (any, error) {
		var r raw
		result, err := tx.Run(ctx, queryBaseline, nil)
		if err != nil {
			return nil, fmt.Errorf("reading the neo4j-migrations chain: %w", err)
		}
		recs, err := result.Collect(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the neo4j-migrations chain: %w", err)
		}
		for _, rec := range recs {
			r.baseline = append(r.baseline, rec.AsMap())
		}
		if summary, err := result.Consume(ctx); err == nil && summary.Database() != nil {
			r.database = summary.Database().Name()
		}
		steps := []struct {
			what, query string
			into        *[]map[string]any
		}{
			{"the neo4j-migrations chain", queryChain, &r.chain},
			{"neo4j-migrations locks", queryLocks, &r.locks},
			{"golang-migrate's SchemaMigration", querySchemaVersion, &r.schemaVersions},
			{"the server version", queryComponents, &r.rows.components},
			{"indexes", queryIndexes, &r.rows.indexes},
			{"constraints", queryConstraints, &r.rows.constraints},
		}
		for _, s := range steps {
			if *s.into, err = collect(ctx, tx, s.query); err != nil {
				return nil, fmt.Errorf("reading %s: %w", s.what, err)
			}
		}
		return r, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: reading the applied migrations: %w", conn, err)
	}
	r := res.(raw)
	st := &liveState{database: r.database}
	if st.database == "" {
		st.database = conn.Database
	}
	st.items, _, _ = liveItems(r.rows, "")
	if len(r.baseline) > 0 && num(r.baseline[0]["n"]) > 0 {
		st.chainFound = true
	}
	if len(r.chain) > 0 {
		st.chain = chainEntries(r.chain[0]["chain"])
	}
	for _, l := range r.locks {
		st.locks = append(st.locks, str(l["name"]))
	}
	st.golang = golangMigrateState(r.schemaVersions)
	return st, nil
}

// chainEntries reads the chain query's list of maps. A repeatable migration applied again
// counts with the checksum of its latest repetition.
func chainEntries(v any) []chainEntry {
	list, _ := v.([]any)
	out := make([]chainEntry, 0, len(list))
	for _, x := range list {
		m, _ := x.(map[string]any)
		e := chainEntry{
			version: str(m["version"]), description: str(m["description"]), typ: str(m["type"]),
			source: str(m["source"]), checksum: str(m["checksum"]),
			repeatable: m["repeatable"] == true, failed: m["failed"] == true,
		}
		var latest time.Time
		reps, _ := m["repeated"].([]any)
		for _, rep := range reps {
			rm, _ := rep.(map[string]any)
			at, _ := rm["at"].(time.Time)
			if c := str(rm["checksum"]); c != "" && !at.Before(latest) {
				e.checksum, latest = c, at
			}
		}
		if e.typ == "DELETE" {
			continue
		}
		out = append(out, e)
	}
	return out
}

// golangMigrateState reads golang-migrate's SchemaMigration nodes: the latest one is the state.
func golangMigrateState(rows []map[string]any) *migrations.Applied {
	if len(rows) == 0 {
		return nil
	}
	sort.SliceStable(rows, func(i, j int) bool {
		ti, _ := rows[i]["ts"].(time.Time)
		tj, _ := rows[j]["ts"].(time.Time)
		if !ti.Equal(tj) {
			return ti.After(tj)
		}
		return num(rows[i]["version"]) > num(rows[j]["version"])
	})
	latest := rows[0]
	a := &migrations.Applied{Table: schemaMigrationWhr, Format: migrations.TrackingGolangMigrate, Dirty: latest["dirty"] == true}
	if v := int64(num(latest["version"])); v >= 0 {
		a.Entries = []migrations.AppliedEntry{{Version: strconv.FormatInt(v, 10), Success: !a.Dirty}}
	}
	return a
}

package neo4j

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/neo4jtest"
)

// The migration set of the tracking tests, and the checksum neo4j-migrations records for each
// file (computed independently, see TestNeo4jMigrationsChecksum).
var trackedSet = []struct{ file, content, checksum string }{
	{"V1__init.cypher", "CREATE INDEX person_name FOR (p:Person) ON (p.name);\n", "163566424"},
	{"V2__more.cypher", "CREATE CONSTRAINT person_id FOR (p:Person) REQUIRE p.id IS UNIQUE;\n", "144988622"},
	{"R2_5__cities.cypher", "CREATE INDEX city_name IF NOT EXISTS FOR (c:City) ON (c.name);\n", "4288242371"},
	{"V3__later.cypher", "CREATE TEXT INDEX person_bio FOR (p:Person) ON (p.bio);\n", ""},
}

func writeSet(t *testing.T, rename func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range trackedSet {
		require.NoError(t, os.WriteFile(filepath.Join(dir, rename(f.file)), []byte(f.content), 0o644))
	}
	return dir
}

// chainNode is one applied migration, as neo4j-migrations records it.
type chainNode struct {
	version, source, checksum string
	repeatable, failed        bool
	repeatedWith              string // the checksum of a later repetition, if any
}

// writeChain records applied migrations the way neo4j-migrations does (ChainBuilder and
// MigrationsLock in its source): a BASELINE node, then one __Neo4jMigration node per migration
// joined by MIGRATED_TO, a REPEATED loop for a repeatable migration applied again.
func writeChain(t *testing.T, uri string, nodes ...chainNode) {
	t.Helper()
	stmt := "CREATE (n0:__Neo4jMigration {version: 'BASELINE'})"
	for i, n := range nodes {
		stmt += fmt.Sprintf("\nCREATE (n%d:__Neo4jMigration {version: '%s', description: 'd', type: 'CYPHER', source: '%s', checksum: '%s', repeatable: %t",
			i+1, n.version, n.source, n.checksum, n.repeatable)
		if n.failed {
			stmt += ", flyway_failed: true"
		}
		stmt += "})"
		stmt += fmt.Sprintf("\nCREATE (n%d)-[:MIGRATED_TO {at: datetime(), in: duration('PT0.1S'), by: 'drift', connectedAs: 'neo4j'}]->(n%d)", i, i+1)
		if n.repeatedWith != "" {
			stmt += fmt.Sprintf("\nCREATE (n%d)-[:REPEATED {checksum: '%s', at: datetime() + duration('PT1M'), in: duration('PT0.1S'), by: 'drift', connectedAs: 'neo4j'}]->(n%d)", i+1, n.repeatedWith, i+1)
		}
	}
	neo4jtest.Exec(t, uri, stmt)
}

// applied applies the files of the set up to and including the one named last.
func applied(t *testing.T, uri, last string) {
	t.Helper()
	for _, f := range trackedSet {
		neo4jtest.Exec(t, uri, strings.TrimSuffix(strings.TrimSpace(f.content), ";"))
		if f.file == last {
			return
		}
	}
}

var (
	v1 = chainNode{version: "1", source: "V1__init.cypher", checksum: "163566424"}
	v2 = chainNode{version: "2", source: "V2__more.cypher", checksum: "144988622"}
	r  = chainNode{version: "2.5", source: "R2_5__cities.cypher", checksum: "4288242371", repeatable: true}
)

// TestNeo4jMigrationsChain reads neo4j-migrations' record of what is applied: the expected
// schema is the set up to the applied version, later migrations are pending (not drift), and a
// changed checksum, a failed migration, a lock left behind and a version without a file are
// findings, as for PostgreSQL's tracking tables.
func TestNeo4jMigrationsChain(t *testing.T) {
	dir := writeSet(t, func(s string) string { return s })
	cases := []struct {
		name     string
		chain    []chainNode
		extra    []string // statements run after the chain is written
		findings []finding
		severity []diff.Severity
		pending  []string
	}{
		{name: "behind: the rest is pending", chain: []chainNode{v1, v2, r}, pending: []string{"V3__later.cypher"}},
		{name: "changed checksum of an applied migration", chain: []chainNode{v1, {version: "2", source: "V2__more.cypher", checksum: "12345"}, r},
			findings: []finding{{migrations.FindingKind, "2", diff.Changed}}, severity: []diff.Severity{diff.Warning}, pending: []string{"V3__later.cypher"}},
		{name: "a repeatable migration changed since is applied again: pending", chain: []chainNode{v1, v2, {version: "2.5", source: "R2_5__cities.cypher", checksum: "4288242371", repeatable: true, repeatedWith: "99"}},
			pending: []string{"R2_5__cities.cypher", "V3__later.cypher"}},
		{name: "a failed migration", chain: []chainNode{v1, v2, r, {version: "3", source: "V3__later.cypher", checksum: "1", failed: true}},
			findings: []finding{{migrations.FindingKind, "3", diff.Changed}}, severity: []diff.Severity{diff.Critical}, pending: []string{"V3__later.cypher"}},
		{name: "a lock left behind", chain: []chainNode{v1, v2, r}, extra: []string{"CREATE (:__Neo4jMigrationsLock {id: 'x', name: 'John Doe'})"},
			findings: []finding{{migrations.FindingKind, "lock John Doe", diff.Changed}}, severity: []diff.Severity{diff.Critical}, pending: []string{"V3__later.cypher"}},
		{name: "an applied version without a file", chain: []chainNode{v1, v2, r, {version: "9", source: "V9__gone.cypher", checksum: "1"}},
			findings: []finding{{migrations.FindingKind, "3", diff.Missing}, {migrations.FindingKind, "9", diff.Unexpected}},
			severity: []diff.Severity{diff.Warning, diff.Warning}, pending: []string{"V3__later.cypher"}},
	}
	uri := neo4jtest.Fresh(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wipe(t, uri)
			applied(t, uri, "R2_5__cities.cypher")
			writeChain(t, uri, tc.chain...)
			neo4jtest.Exec(t, uri, tc.extra...)
			res := checkDir(t, uri, dir)
			require.Equal(t, orEmpty(tc.findings), findings(res.Findings), describeFindings(res.Findings))
			for i, f := range res.Findings {
				require.Equal(t, tc.severity[i], f.Severity, f.Summary)
				require.NotEmpty(t, f.Fingerprint)
			}
			var pending []string
			for _, p := range res.Pending {
				pending = append(pending, p.File)
			}
			require.Equal(t, tc.pending, pending)
			if len(tc.findings) == 0 {
				require.Equal(t, check.StatusPending, res.Status)
			}
		})
	}

	t.Run("everything applied: clean", func(t *testing.T) {
		wipe(t, uri)
		applied(t, uri, "V3__later.cypher")
		writeChain(t, uri, v1, v2, r, chainNode{version: "3", source: "V3__later.cypher", checksum: Neo4jMigrationsChecksum([]byte(trackedSet[3].content))})
		res := checkDir(t, uri, dir)
		require.Empty(t, res.Findings, describeFindings(res.Findings))
		require.Empty(t, res.Pending)
		require.Equal(t, check.StatusClean, res.Status)

		// What Expected read: the database's own name (the home database here), the chain.
		st, err := readLiveState(t.Context(), uri, 0)
		require.NoError(t, err)
		require.Equal(t, "neo4j", st.database)
		require.True(t, st.chainFound)
		require.Len(t, st.chain, 4)
		require.Equal(t, chainEntry{version: "2.5", description: "d", typ: "CYPHER", source: "R2_5__cities.cypher", checksum: "4288242371", repeatable: true}, st.chain[2])
		require.Nil(t, st.golang)
		require.Len(t, st.items, 4)
	})
	t.Run("the summary names the file and both checksums", func(t *testing.T) {
		wipe(t, uri)
		applied(t, uri, "R2_5__cities.cypher")
		writeChain(t, uri, v1, chainNode{version: "2", source: "V2__more.cypher", checksum: "12345"}, r)
		res := checkDir(t, uri, dir)
		require.Len(t, res.Findings, 1)
		require.Equal(t, "migration 2 (V2__more.cypher) changed since it was applied: checksum 12345 in the (:__Neo4jMigration) chain, 144988622 for the file now", res.Findings[0].Summary)
	})
}

// TestGolangMigrateSchemaMigration reads golang-migrate's (:SchemaMigration {version, dirty})
// nodes: the latest is the state; a dirty one is critical; what follows it is pending.
func TestGolangMigrateSchemaMigration(t *testing.T) {
	n := 0
	dir := writeSet(t, func(s string) string {
		if strings.HasPrefix(s, "R") {
			return "README.md" // golang-migrate has no repeatable migrations
		}
		n++
		return fmt.Sprintf("%06d_%s.up.cypher", n, strings.TrimSuffix(s[strings.Index(s, "__")+2:], ".cypher"))
	})
	uri := neo4jtest.Fresh(t)

	applied(t, uri, "V2__more.cypher")
	neo4jtest.Exec(t, uri,
		"CREATE (:SchemaMigration {version: 1, dirty: false, ts: datetime() - duration('PT1H')})",
		"CREATE (:SchemaMigration {version: 2, dirty: false, ts: datetime()})")
	res := checkDir(t, uri, dir)
	require.Empty(t, res.Findings, describeFindings(res.Findings))
	require.Len(t, res.Pending, 1)
	require.Equal(t, "000003_later.up.cypher", res.Pending[0].File)
	require.Equal(t, check.StatusPending, res.Status)

	neo4jtest.Exec(t, uri, "MATCH (s:SchemaMigration {version: 2}) SET s.dirty = true")
	res = checkDir(t, uri, dir)
	require.Equal(t, []finding{{migrations.FindingKind, "2", diff.Changed}}, findings(res.Findings))
	require.Equal(t, diff.Critical, res.Findings[0].Severity)
	require.Contains(t, res.Findings[0].Summary, "dirty")
	require.Contains(t, res.Findings[0].Summary, "(:SchemaMigration)")

	// Migrated all the way down: golang-migrate records version -1, and everything is pending.
	wipe(t, uri)
	neo4jtest.Exec(t, uri, "CREATE (:SchemaMigration {version: -1, dirty: false, ts: datetime()})")
	res = checkDir(t, uri, dir)
	require.Empty(t, res.Findings, describeFindings(res.Findings))
	require.Len(t, res.Pending, 3)
}

func wipe(t *testing.T, uri string) {
	t.Helper()
	ctx := t.Context()
	require.NoError(t, neo4jtest.Wipe(ctx, neo4jtest.Driver(t, uri)))
}

func orEmpty(f []finding) []finding {
	if f == nil {
		return []finding{}
	}
	return f
}

package neo4j

import (
	"context"
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
	"github.com/drift-schema/drift/internal/neo4jtest"
)

const projects = "testdata/projects"

// expectedOf builds a migration folder's expected schema without a live database.
func expectedOf(t *testing.T, dir string) *engine.Expected {
	t.Helper()
	set, err := migrations.LoadDir(dir)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	exp, err := New(EngineOptions{}).Expected(ctx, set, nil, engine.Options{})
	require.NoError(t, err)
	return exp
}

// checkDir runs the one comparison drift check runs: a migration folder against the live
// database at uri.
func checkDir(t *testing.T, uri, dir string) check.Result {
	t.Helper()
	r := check.NewRunner(check.RunnerOptions{Engines: []engine.Engine{New(EngineOptions{})}})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	neo4jtest.AwaitIndexes(t, uri)
	res := r.Check(ctx, check.Source{Kind: check.SourceMigrations, Path: dir},
		check.Source{Kind: check.SourceLive, Engine: Name, DSN: uri}, check.Options{Name: "graph"})
	require.NotEqual(t, check.StatusError, res.Status, res.Error)
	return res
}

// execFile runs a migration file's statements on the server.
func execFile(t *testing.T, uri, file string) {
	t.Helper()
	content, err := os.ReadFile(file)
	require.NoError(t, err)
	neo4jtest.Exec(t, uri, splitForExec(t, string(content))...)
}

// TestNeo4jMigrationsProjectReadsAsPlainDDL: a project laid out as neo4j-migrations lays it
// out — callbacks, a versioned repeatable migration, an XML catalog migration, :use and USE for
// another database, CYPHER 5 prefixes, fulltext and vector indexes made by procedures — reads
// as the same schema as the same items written as plain DDL, and as the real server holding
// them. Only what the set sends to the other database and the callback of a phase that does
// not run around migrate are left out, and said.
func TestNeo4jMigrationsProjectReadsAsPlainDDL(t *testing.T) {
	project := filepath.Join(projects, "neo4j-migrations")
	plain := filepath.Join(projects, "neo4j-migrations-plain")
	got, want := expectedOf(t, project), expectedOf(t, plain)
	require.Equal(t, want.Snapshot.Objects, got.Snapshot.Objects)
	require.Len(t, got.Snapshot.Objects, 8)
	require.Empty(t, want.Warnings)
	require.Equal(t, []string{
		"callback afterInfo__marker.cypher changes the schema, or may: it is not counted, because neo4j-migrations runs afterInfo callbacks only around info, not around migrate",
		"statements for other databases than neo4j are not compared (2 for movies): compare each database with a target of its own (a URI with ?database=NAME)",
	}, got.Warnings)

	// The real server, built from the plain DDL (5.26 has no fulltext procedure any more):
	// the project checks clean against it.
	uri := neo4jtest.Fresh(t)
	execFile(t, uri, filepath.Join(plain, "V1__all.cypher"))
	res := checkDir(t, uri, project)
	require.Empty(t, res.Findings, describeFindings(res.Findings))
	require.Equal(t, check.StatusClean, res.Status)
	require.Empty(t, res.Pending)

	// Drift is still drift: one index dropped by hand is the one finding.
	neo4jtest.Exec(t, uri, "DROP INDEX embeddings")
	res = checkDir(t, uri, project)
	require.Equal(t, []finding{{KindIndex, "embeddings", diff.Missing}}, findings(res.Findings))
}

// TestCypher44And2025SetsReadAsTheSameSchema: the same schema written in Neo4j 4.4's syntax
// (ON ... ASSERT, CREATE INDEX ON :Label(prop), the schema procedures) and in 2025.x's (Cypher
// 25, FOR ... REQUIRE, typed indexes) reads as one schema, and as the real server holding it.
func TestCypher44And2025SetsReadAsTheSameSchema(t *testing.T) {
	old, modern := filepath.Join(projects, "syntax-4.4"), filepath.Join(projects, "syntax-2025")
	a, b := expectedOf(t, old), expectedOf(t, modern)
	require.Equal(t, b.Snapshot.Objects, a.Snapshot.Objects)
	require.Len(t, a.Snapshot.Objects, 10)

	// 5.26 runs Cypher 5 only; the 2025.x statements are the same in Cypher 5.
	uri := neo4jtest.Fresh(t)
	content, err := os.ReadFile(filepath.Join(modern, "V1__schema.cypher"))
	require.NoError(t, err)
	neo4jtest.Exec(t, uri, splitForExec(t, strings.ReplaceAll(string(content), "CYPHER 25 ", "CYPHER 5 "))...)
	for _, dir := range []string{old, modern} {
		res := checkDir(t, uri, dir)
		require.Empty(t, res.Findings, "%s:\n%s", dir, describeFindings(res.Findings))
	}
}

// TestNamedDifferently: the migrations name an index and a constraint, the live database has
// them under names Neo4j generated. Each is one info finding that shows the live name, not a
// missing item and an unexpected one.
func TestNamedDifferently(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "V1__init.cypher"), []byte(
		"CREATE INDEX person_name FOR (p:Person) ON (p.name);\nCREATE CONSTRAINT person_id FOR (p:Person) REQUIRE p.id IS UNIQUE;\nCREATE TEXT INDEX person_bio FOR (p:Person) ON (p.bio);\n"), 0o644))
	uri := neo4jtest.Fresh(t)
	neo4jtest.Exec(t, uri,
		"CREATE INDEX FOR (p:Person) ON (p.name)",
		"CREATE CONSTRAINT FOR (p:Person) REQUIRE p.id IS UNIQUE",
		"CREATE TEXT INDEX person_bio FOR (p:Person) ON (p.bio)")
	res := checkDir(t, uri, dir)
	require.Equal(t, []finding{{KindConstraint, "person_id", diff.Changed}, {KindIndex, "person_name", diff.Changed}}, findings(res.Findings), describeFindings(res.Findings))
	for _, f := range res.Findings {
		require.Equal(t, diff.Info, f.Severity)
		require.Regexp(t, `^Neo4j (index|constraint) person_(name|id) is named differently: the live database has it as (index|constraint)_[0-9a-f]+, a name Neo4j generated`, f.Summary)
		require.Regexp(t, `^name: (index|constraint)_[0-9a-f]+$`, f.Actual)
		require.Equal(t, []string{"name"}, f.Attributes)
	}
	require.Equal(t, check.StatusDrift, res.Status)
	require.Zero(t, check.FailPolicy{Severity: diff.Warning}.ExitCode([]check.Result{res}), "named differently is info: it does not fail a release at --fail-on warning")
}

// TestTwoGeneratedNamesAreOneItem: the same unnamed index on two databases has two generated
// names (here one given by hand in the generated form); it is keyed by content on both sides,
// so there is nothing to report.
func TestTwoGeneratedNamesAreOneItem(t *testing.T) {
	uri := neo4jtest.Fresh(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	neo4jtest.Exec(t, uri, "CREATE INDEX FOR (m:Movie) ON (m.title)")
	neo4jtest.AwaitIndexes(t, uri)
	a, _, err := IntrospectURI(ctx, uri, Options{})
	require.NoError(t, err)
	wipe(t, uri)
	neo4jtest.Exec(t, uri, "CREATE INDEX index_deadbeef FOR (m:Movie) ON (m.title)")
	neo4jtest.AwaitIndexes(t, uri)
	b, _, err := IntrospectURI(ctx, uri, Options{})
	require.NoError(t, err)
	require.Len(t, a.Objects, 1)
	require.Empty(t, diff.Compare(a, b, diff.Options{Rules: Rules{}}))
}

func describeFindings(fs []diff.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.Kind + " " + f.Object + " " + string(f.Change) + " " + string(f.Severity) + ": " + f.Summary + "\n")
	}
	return b.String()
}

// TestReplayAgreesWithParseOnNewForms replays, on the real server, a set with every form this
// package learned to read — a CYPHER 5 prefix, :use and USE to this and another database, the
// vector procedure, XML catalog migrations creating and dropping, callbacks — and expects what
// the scratch database ends up with to be what the parser reads.
func TestReplayAgreesWithParseOnNewForms(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	write("beforeMigrate.cypher", "CREATE CONSTRAINT person_id IF NOT EXISTS FOR (p:Person) REQUIRE p.id IS UNIQUE;\n")
	write("V1__cypher.cypher", "CYPHER 5 CREATE INDEX person_name FOR (p:Person) ON (p.name);\n:use movies;\nCREATE INDEX movie_title FOR (m:Movie) ON (m.title);\n"+
		":use neo4j\nUSE neo4j CREATE TEXT INDEX person_bio FOR (p:Person) ON (p.bio);\nUSE movies CREATE INDEX elsewhere FOR (m:Movie) ON (m.x);\n")
	write("V2__vector.cypher", "CALL db.index.vector.createNodeIndex('embeddings', 'Doc', 'embedding', 64, 'euclidean');\n")
	write("V3__catalog.xml", catalogNS+`<catalog><indexes>
		<index name="search" type="fulltext"><label>Movie|Book</label><properties><property>title</property></properties></index>
		<index name="city_name"><label>City</label><properties><property>name</property></properties></index></indexes>
		<constraints><constraint name="liked_at" type="unique"><type>LIKED</type><properties><property>at</property></properties></constraint></constraints>
		</catalog><create item="search"/><create item="city_name"/><create item="liked_at"/></migration>`)
	write("V4__catalog_drop.xml", catalogNS+`<drop item="city_name"/></migration>`)
	write("afterMigrate.cypher", "CREATE INDEX seed_at IF NOT EXISTS FOR (s:Seed) ON (s.at);\n")

	parsed := expectedOf(t, dir)
	uri := neo4jtest.Fresh(t)
	set, err := migrations.LoadDir(dir)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	replayed, err := New(EngineOptions{ScratchURI: uri}).Expected(ctx, set, nil, engine.Options{})
	require.NoError(t, err)
	require.Equal(t, parsed.Snapshot.Objects, replayed.Snapshot.Objects)
	require.Len(t, replayed.Snapshot.Objects, 7)
	require.Equal(t, parsed.Warnings, replayed.Warnings)
	require.Len(t, replayed.Warnings, 1, "the statements for movies")
	assertNoNodes(t, uri)
}

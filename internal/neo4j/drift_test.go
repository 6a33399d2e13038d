package neo4j

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/neo4jtest"
	"github.com/drift-schema/drift/internal/snapshot"
)

// finding is the part of a diff.Finding the drift tests pin down.
type finding struct {
	Kind   string
	Object string
	Change diff.Change
}

func findings(fs []diff.Finding) []finding {
	out := []finding{}
	for _, f := range fs {
		out = append(out, finding{f.Kind, f.Object, f.Change})
	}
	return out
}

// checkDrift introspects the server and compares it with the migrations parsed statically.
func checkDrift(t *testing.T, uri, migration string) []finding {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	exp, err := parseOne(t, migration, ParseOptions{})
	require.NoError(t, err)
	neo4jtest.AwaitIndexes(t, uri)
	live, health, err := IntrospectURI(ctx, uri, Options{Target: "graph"})
	require.NoError(t, err)
	require.Empty(t, health)
	require.Equal(t, snapshot.EngineNeo4j, live.Engine)
	require.Equal(t, snapshot.SourceLive, live.Source.Kind)
	return findings(diff.Compare(exp.Snapshot, live, diff.Options{Rules: Rules{}, Target: "graph"}))
}

// TestDriftPerItemType applies a migration to the real server, then drifts it by hand three
// ways (dropped, added, changed properties) and expects exactly the one matching finding each
// time, for every index type Neo4j Community has and for uniqueness constraints.
func TestDriftPerItemType(t *testing.T) {
	cases := []struct {
		name      string
		migration string // creates the item called "item"
		kind      string
		drop      string
		add       string // an unnamed item of the same kind, added by hand
		addedKey  string
		change    string // recreates "item" on other properties
	}{
		{
			name:      "range index",
			migration: "CREATE INDEX item FOR (p:Person) ON (p.name)",
			kind:      KindIndex, drop: "DROP INDEX item",
			add: "CREATE INDEX FOR (p:Person) ON (p.nick)", addedKey: "range (:Person)(nick)",
			change: "CREATE INDEX item FOR (p:Person) ON (p.name, p.born)",
		},
		{
			name:      "range relationship index",
			migration: "CREATE INDEX item FOR ()-[k:KNOWS]-() ON (k.since)",
			kind:      KindIndex, drop: "DROP INDEX item",
			add: "CREATE INDEX FOR ()-[k:KNOWS]-() ON (k.how)", addedKey: "range ()-[:KNOWS]-()(how)",
			change: "CREATE INDEX item FOR ()-[k:KNOWS]-() ON (k.until)",
		},
		{
			name:      "text index",
			migration: "CREATE TEXT INDEX item FOR (m:Movie) ON (m.title)",
			kind:      KindIndex, drop: "DROP INDEX item",
			add: "CREATE TEXT INDEX FOR (m:Movie) ON (m.tagline)", addedKey: "text (:Movie)(tagline)",
			change: "CREATE TEXT INDEX item FOR (m:Movie) ON (m.plot)",
		},
		{
			name:      "point index",
			migration: "CREATE POINT INDEX item FOR (p:Place) ON (p.location)",
			kind:      KindIndex, drop: "DROP INDEX item",
			add: "CREATE POINT INDEX FOR (p:Place) ON (p.entrance)", addedKey: "point (:Place)(entrance)",
			change: "CREATE POINT INDEX item FOR (p:Place) ON (p.center)",
		},
		{
			name:      "fulltext index",
			migration: "CREATE FULLTEXT INDEX item FOR (n:Movie|Book) ON EACH [n.title]",
			kind:      KindIndex, drop: "DROP INDEX item",
			add: "CREATE FULLTEXT INDEX FOR (n:Review) ON EACH [n.text]", addedKey: "fulltext (:Review)(text)",
			change: "CREATE FULLTEXT INDEX item FOR (n:Movie|Book) ON EACH [n.title, n.plot]",
		},
		{
			name:      "vector index",
			migration: "CREATE VECTOR INDEX item FOR (d:Doc) ON (d.embedding) OPTIONS {indexConfig: {`vector.dimensions`: 3}}",
			kind:      KindIndex, drop: "DROP INDEX item",
			add: "CREATE VECTOR INDEX FOR (c:Chunk) ON (c.embedding)", addedKey: "vector (:Chunk)(embedding)",
			change: "CREATE VECTOR INDEX item FOR (d:Doc) ON (d.summaryEmbedding) OPTIONS {indexConfig: {`vector.dimensions`: 3}}",
		},
		{
			name:      "uniqueness constraint",
			migration: "CREATE CONSTRAINT item FOR (u:User) REQUIRE u.email IS UNIQUE",
			kind:      KindConstraint, drop: "DROP CONSTRAINT item",
			add: "CREATE CONSTRAINT FOR (u:User) REQUIRE u.handle IS UNIQUE", addedKey: "unique (:User)(handle)",
			change: "CREATE CONSTRAINT item FOR (u:User) REQUIRE (u.email, u.tenant) IS UNIQUE",
		},
		{
			name:      "relationship uniqueness constraint",
			migration: "CREATE CONSTRAINT item FOR ()-[o:OWNS]-() REQUIRE o.ref IS UNIQUE",
			kind:      KindConstraint, drop: "DROP CONSTRAINT item",
			add: "CREATE CONSTRAINT FOR ()-[o:OWNS]-() REQUIRE o.serial IS UNIQUE", addedKey: "unique ()-[:OWNS]-()(serial)",
			change: "CREATE CONSTRAINT item FOR ()-[o:OWNS]-() REQUIRE o.refNo IS UNIQUE",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			uri := neo4jtest.Fresh(t)
			neo4jtest.Exec(t, uri, tc.migration)
			require.Empty(t, checkDrift(t, uri, tc.migration), "freshly migrated")

			neo4jtest.Exec(t, uri, tc.drop)
			require.Equal(t, []finding{{tc.kind, "item", diff.Missing}}, checkDrift(t, uri, tc.migration), "dropped by hand")

			neo4jtest.Exec(t, uri, tc.migration, tc.add)
			require.Equal(t, []finding{{tc.kind, tc.addedKey, diff.Unexpected}}, checkDrift(t, uri, tc.migration), "added by hand")

			neo4jtest.Exec(t, uri, dropStatement(tc.kind, tc.addedKey, uri, t), tc.drop, tc.change)
			require.Equal(t, []finding{{tc.kind, "item", diff.Changed}}, checkDrift(t, uri, tc.migration), "changed properties")
		})
	}
}

// dropStatement finds the generated name of the item with the given content key on the server
// and returns the statement that drops it.
func dropStatement(kind, key, uri string, t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r := runner{d: neo4jtest.Driver(t, uri)}
	if kind == KindConstraint {
		names, err := r.strings(ctx, "SHOW CONSTRAINTS YIELD name WHERE name STARTS WITH 'constraint_' RETURN name")
		require.NoError(t, err)
		require.Len(t, names, 1)
		return "DROP CONSTRAINT " + quoteName(names[0])
	}
	names, err := r.strings(ctx, "SHOW INDEXES YIELD name, type WHERE name STARTS WITH 'index_' AND type <> 'LOOKUP' RETURN name")
	require.NoError(t, err)
	require.Len(t, names, 1)
	return "DROP INDEX " + quoteName(names[0])
}

// TestDriftInIndexSettings changes what OPTIONS chose, with the same labels and properties.
func TestDriftInIndexSettings(t *testing.T) {
	uri := neo4jtest.Fresh(t)
	migration := "CREATE FULLTEXT INDEX search FOR (n:Doc) ON EACH [n.body] OPTIONS {indexConfig: {`fulltext.analyzer`: 'english'}};\n" +
		"CREATE VECTOR INDEX emb FOR (n:Doc) ON (n.vec) OPTIONS {indexConfig: {`vector.dimensions`: 3, `vector.similarity_function`: 'euclidean'}}"
	neo4jtest.Exec(t, uri, splitForExec(t, migration)...)
	require.Empty(t, checkDrift(t, uri, migration))

	neo4jtest.Exec(t, uri, "DROP INDEX search", "CREATE FULLTEXT INDEX search FOR (n:Doc) ON EACH [n.body]",
		"DROP INDEX emb", "CREATE VECTOR INDEX emb FOR (n:Doc) ON (n.vec) OPTIONS {indexConfig: {`vector.dimensions`: 3}}")
	require.Equal(t, []finding{
		{KindIndex, "emb", diff.Changed},
		{KindIndex, "search", diff.Changed},
	}, checkDrift(t, uri, migration))
}

// TestGeneratedNamesNeverDrift creates every kind of item without a name, so the server names
// them index_… and constraint_…, and expects the statically parsed migrations to match.
func TestGeneratedNamesNeverDrift(t *testing.T) {
	uri := neo4jtest.Fresh(t)
	migration := `CREATE INDEX FOR (p:Person) ON (p.name);
CREATE INDEX FOR ()-[r:RATED]-() ON (r.stars, r.at);
CREATE TEXT INDEX FOR (m:Movie) ON (m.title);
CREATE POINT INDEX FOR (p:Place) ON (p.location);
CREATE FULLTEXT INDEX FOR (n:Movie|Book) ON EACH [n.title, n.plot];
CREATE VECTOR INDEX FOR (d:Doc) ON (d.embedding) OPTIONS {indexConfig: {` + "`vector.dimensions`" + `: 8}};
CREATE CONSTRAINT FOR (u:User) REQUIRE u.email IS UNIQUE;
CREATE CONSTRAINT FOR ()-[o:OWNS]-() REQUIRE (o.a, o.b) IS UNIQUE`
	neo4jtest.Exec(t, uri, splitForExec(t, migration)...)
	require.Empty(t, checkDrift(t, uri, migration))

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	live, _, err := IntrospectURI(ctx, uri, Options{})
	require.NoError(t, err)
	require.Len(t, live.Objects, 8)
	r := runner{d: neo4jtest.Driver(t, uri)}
	generated, err := r.strings(ctx, "SHOW INDEXES YIELD name, type, owningConstraint WHERE type <> 'LOOKUP' AND owningConstraint IS NULL RETURN name")
	require.NoError(t, err)
	constraints, err := r.strings(ctx, "SHOW CONSTRAINTS YIELD name RETURN name")
	require.NoError(t, err)
	generated = append(generated, constraints...)
	require.Len(t, generated, 8)
	for _, name := range generated {
		require.True(t, isGeneratedName(name), "the server named an item %q", name)
	}
	for _, o := range live.Objects {
		require.False(t, isGeneratedName(o.Key.String()), "key %q is a generated name", o.Key)
		require.NotContains(t, o.Key.String(), "index_")
		require.NotContains(t, o.Key.String(), "constraint_")
	}
}

// TestIntrospectReadsServer checks the envelope and what is left out on a live server.
func TestIntrospectReadsServer(t *testing.T) {
	uri := neo4jtest.Fresh(t)
	neo4jtest.Exec(t, uri,
		"CREATE CONSTRAINT FOR (m:SchemaMigration) REQUIRE m.version IS UNIQUE",
		"CREATE CONSTRAINT chain FOR (m:__Neo4jMigration) REQUIRE m.version IS UNIQUE",
		"CREATE CONSTRAINT user_email FOR (u:User) REQUIRE u.email IS UNIQUE",
	)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	live, health, err := IntrospectURI(ctx, uri, Options{})
	require.NoError(t, err)
	require.Empty(t, health)
	// Only the user's constraint: not its backing index, not the LOOKUP indexes, not the
	// migration tools' bookkeeping.
	require.Equal(t, []snapshot.Object{obj(KindConstraint, "user_email", node("NODE_PROPERTY_UNIQUENESS", "User", "email"))}, live.Objects)
	require.Regexp(t, `^5\.26\.\d+ \(community\)$`, live.ServerVersion)
	require.Greater(t, live.ServerVersionNum, 52600)
	require.Less(t, live.ServerVersionNum, 52700)
}

func TestIntrospectURIErrorsHideCredentials(t *testing.T) {
	// The driver retries an unreachable server until the context ends: keep that short.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	// Nothing listens on port 1: the connection fails, and the error must not carry the password.
	_, _, err := IntrospectURI(ctx, "bolt://drift:s3cr3t-pw@127.0.0.1:1", Options{})
	require.Error(t, err)
	require.NotContains(t, err.Error(), "s3cr3t-pw")
	require.Contains(t, err.Error(), "bolt://127.0.0.1:1")

	_, _, err = IntrospectURI(ctx, "http://drift:s3cr3t-pw@127.0.0.1:1", Options{})
	require.Error(t, err)
	require.NotContains(t, err.Error(), "s3cr3t-pw")

	_, err = ParseURI("bolt://u:s3cr3t-pw@host:7687/graph")
	require.EqualError(t, err, "parsing neo4j uri bolt://host:7687/graph: a path is not allowed; name the database with ?database=graph")

	c, err := ParseURI("neo4j+s://u:s3cr3t-pw@host:7687?database=graph&policy=eu")
	require.NoError(t, err)
	require.Equal(t, "neo4j+s://host:7687?policy=eu", c.URI)
	require.Equal(t, "graph", c.Database)
	require.Equal(t, "bolt://u:xxxxx@host", RedactURI("bolt://u:s3cr3t-pw@host"))
}

// splitForExec splits a migration into statements for neo4jtest.Exec.
func splitForExec(t *testing.T, src string) []string {
	t.Helper()
	stmts, err := splitStatements("inline", []byte(src))
	require.NoError(t, err)
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i] = s.text
	}
	return out
}

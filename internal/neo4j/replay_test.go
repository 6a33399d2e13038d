package neo4j

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/neo4jtest"
	"github.com/drift-schema/drift/internal/snapshot"
)

func TestReplayRefusesNonEmptyDatabase(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	files := []File{{Name: "V001__a.cypher", Content: []byte("CREATE INDEX a FOR (n:A) ON (n.x);")}}

	t.Run("a node", func(t *testing.T) {
		uri := neo4jtest.Fresh(t)
		neo4jtest.Exec(t, uri, "CREATE (:Precious {id: 1})")
		_, err := Replay(ctx, uri, files, ReplayOptions{})
		require.ErrorContains(t, err, "the scratch database holds nodes; refusing to replay into it")
		// Nothing was touched: the node is still there and no index was created.
		live, _, err := IntrospectURI(ctx, uri, Options{})
		require.NoError(t, err)
		require.Empty(t, live.Objects)
		r := runner{d: neo4jtest.Driver(t, uri)}
		ids, err := r.strings(ctx, "MATCH (n:Precious) RETURN n.id")
		require.NoError(t, err)
		require.Equal(t, []string{"1"}, ids)
	})
	t.Run("an index", func(t *testing.T) {
		uri := neo4jtest.Fresh(t)
		neo4jtest.Exec(t, uri, "CREATE INDEX theirs FOR (n:T) ON (n.x)")
		_, err := Replay(ctx, uri, files, ReplayOptions{})
		require.ErrorContains(t, err, "the scratch database already has indexes or constraints (theirs); refusing to replay into it")
		live, _, err := IntrospectURI(ctx, uri, Options{})
		require.NoError(t, err)
		require.Equal(t, []string{"theirs"}, keys(live.Objects))
	})
}

func TestReplayFailingMigrationCleansUp(t *testing.T) {
	uri := neo4jtest.Fresh(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	files := []File{
		{Name: "V001__ok.cypher", Content: []byte("CREATE INDEX a FOR (n:A) ON (n.x);\nCREATE (:A {x: 1});\nCREATE CONSTRAINT c FOR (n:C) REQUIRE n.y IS UNIQUE;")},
		{Name: "V002__bad.cypher", Content: []byte("// fails: the index exists\n\nCREATE INDEX a FOR (n:A) ON (n.x);")},
	}
	_, err := Replay(ctx, uri, files, ReplayOptions{})
	require.Error(t, err)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "V002__bad.cypher", pe.File)
	require.Equal(t, 3, pe.Line)
	require.Contains(t, err.Error(), "migration failed: Neo4jError: Neo.ClientError.Schema.")

	// The static parser rejects the same migrations at the same place.
	_, perr := Parse(files, ParseOptions{})
	require.EqualError(t, perr, "V002__bad.cypher:3: an index named a already exists (created at V001__ok.cypher:1)")

	// Everything the replay created is gone; Neo4j's own lookup indexes are not.
	live, _, err := IntrospectURI(ctx, uri, Options{})
	require.NoError(t, err)
	require.Empty(t, live.Objects)
	assertNoNodes(t, uri)
	r := runner{d: neo4jtest.Driver(t, uri)}
	lookups, err := r.strings(ctx, "SHOW INDEXES YIELD type WHERE type = 'LOOKUP' RETURN type")
	require.NoError(t, err)
	require.Len(t, lookups, 2)
}

// TestReplayRunsDataStatements: a replay runs the data statements the parser skips, and
// deletes the data afterwards.
func TestReplayRunsDataStatements(t *testing.T) {
	uri := neo4jtest.Fresh(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	files := []File{{Name: "V001__seed.cypher", Content: []byte(
		"CREATE CONSTRAINT person_id FOR (p:Person) REQUIRE p.id IS UNIQUE;\n" +
			"UNWIND range(1, 50) AS i CREATE (:Person {id: i});\n" +
			"MATCH (p:Person) WHERE p.id % 2 = 0 SET p:Even;\n" +
			"CREATE INDEX even_id FOR (e:Even) ON (e.id);\n")}}
	snap, err := Replay(ctx, uri, files, ReplayOptions{AwaitIndexes: 30 * time.Second})
	require.NoError(t, err)
	require.Equal(t, []string{"person_id", "even_id"}, keys(snap.Objects)) // constraints sort first
	assertNoNodes(t, uri)
}

func keys(objs []snapshot.Object) []string {
	out := []string{}
	for _, o := range objs {
		out = append(out, o.Key.String())
	}
	return out
}

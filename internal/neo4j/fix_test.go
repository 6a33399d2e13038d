package neo4j

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/neo4jtest"
	"github.com/drift-schema/drift/internal/snapshot"
)

// fixSchema holds every index type and the constraints Neo4j Community has, named and unnamed,
// on nodes and relationships, with settings that differ from the defaults.
var fixSchema = []string{
	"CREATE INDEX person_name FOR (p:Person) ON (p.name, p.`last name`)",
	"CREATE TEXT INDEX movie_title FOR (m:Movie) ON (m.title)",
	"CREATE POINT INDEX place_at FOR (p:Place) ON (p.at) OPTIONS {indexConfig: {`spatial.cartesian.min`: [-100.0, -100.0], `spatial.cartesian.max`: [100.0, 100.0]}}",
	"CREATE FULLTEXT INDEX texts FOR (n:Movie|Book) ON EACH [n.title, n.plot] OPTIONS {indexConfig: {`fulltext.analyzer`: 'english'}}",
	"CREATE VECTOR INDEX embeddings FOR (d:Doc) ON d.vec OPTIONS {indexConfig: {`vector.dimensions`: 4, `vector.similarity_function`: 'euclidean'}}",
	"CREATE INDEX rated_at FOR ()-[r:RATED]-() ON (r.at)",
	"CREATE CONSTRAINT person_id FOR (p:Person) REQUIRE p.id IS UNIQUE",
	"CREATE CONSTRAINT owns_key FOR ()-[o:OWNS]-() REQUIRE (o.a, o.b) IS UNIQUE",
	"CREATE INDEX FOR (c:City) ON (c.zip)",
}

// TestFixCypher proves the Cypher fix on the real server both ways: from an empty database to
// fixSchema (every statement a CREATE … IF NOT EXISTS) and back (DROP … IF EXISTS), where the
// one item whose name Neo4j generated cannot be dropped by a statement written in advance and
// its fix says how to find the name.
func TestFixCypher(t *testing.T) {
	uri := neo4jtest.Fresh(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e := New(EngineOptions{})
	introspect := func() *snapshot.Snapshot {
		neo4jtest.AwaitIndexes(t, uri)
		live, err := e.Introspect(ctx, uri, engine.Options{Target: "fix"})
		require.NoError(t, err)
		return live.Snapshot
	}
	apply := func(stmts []engine.Statement) {
		for _, s := range stmts {
			if s.SQL != "" {
				neo4jtest.Exec(t, uri, s.SQL)
			}
		}
	}
	empty := introspect()
	neo4jtest.Exec(t, uri, fixSchema...)
	full := introspect()
	require.Len(t, full.Objects, len(fixSchema))

	// From nothing to everything.
	create, err := e.Fix(empty, full, engine.FixOptions{})
	require.NoError(t, err)
	require.Len(t, create, len(fixSchema))
	for _, s := range create {
		require.Contains(t, s.SQL, "IF NOT EXISTS", s.SQL)
	}
	require.NoError(t, neo4jtest.Wipe(ctx, neo4jtest.Driver(t, uri)))
	apply(create)
	require.Empty(t, diff.Compare(full, introspect(), diff.Options{Rules: Rules{}}), engine.Script(create, "//"))

	// From everything to nothing: all but the unnamed index go.
	drop, err := e.Fix(full, empty, engine.FixOptions{})
	require.NoError(t, err)
	apply(drop)
	left := introspect()
	require.Equal(t, []string{"range (:City)(zip)"}, left.Keys(KindIndex), engine.Script(drop, "//"))
	require.Empty(t, left.Keys(KindConstraint))
	for _, s := range drop {
		if s.SQL == "" {
			require.Contains(t, s.Text("//"), "// drift cannot write Cypher for Neo4j index range (:City)(zip)")
			require.Contains(t, s.Text("//"), "WHERE labelsOrTypes = ['City'] AND properties = ['zip']")
			continue
		}
		require.Contains(t, s.SQL, "IF EXISTS")
	}

	// A changed definition is dropped and created again.
	neo4jtest.Exec(t, uri, "CREATE INDEX movie_title FOR (m:Movie) ON (m.title)")
	changed := introspect()
	neo4jtest.Exec(t, uri, "DROP INDEX movie_title", "CREATE TEXT INDEX movie_title FOR (m:Movie) ON (m.title)")
	fix, err := e.Fix(introspect(), changed, engine.FixOptions{})
	require.NoError(t, err)
	require.Equal(t, []string{"DROP INDEX movie_title IF EXISTS;", "CREATE INDEX movie_title IF NOT EXISTS FOR (n:Movie) ON (n.title);"},
		[]string{fix[0].SQL, fix[1].SQL})
	apply(fix)
	require.Empty(t, diff.Compare(changed, introspect(), diff.Options{Rules: Rules{}}))
}

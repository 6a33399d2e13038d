package neo4j

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/engine/enginetest"
	"github.com/drift-schema/drift/internal/neo4jtest"
)

// neo4jServer is the one Neo4j the test run shares: Community has a single user database, so
// each side of a case empties it again, and the cases run one after another.
type neo4jServer struct{ uri string }

func (s *neo4jServer) Parallel() bool { return false }

func (s *neo4jServer) Empty(t *testing.T) string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, neo4jtest.Wipe(ctx, neo4jtest.Driver(t, s.uri)))
	return s.uri
}

func (s *neo4jServer) Exec(t *testing.T, uri string, statements ...string) {
	neo4jtest.Exec(t, uri, statements...)
	neo4jtest.AwaitIndexes(t, uri)
}

// TestConformance runs the engine conformance suite on the real server.
func TestConformance(t *testing.T) {
	// Held for the whole suite: Fresh's lock ends with the test it was taken for, and the
	// other test binaries must not use the server between two cases.
	srv := &neo4jServer{uri: neo4jtest.Fresh(t)}
	enginetest.Run(t, New(EngineOptions{}), srv, enginetest.Cases{
		Kinds: []enginetest.Kind{
			{Kind: KindIndex, Object: "person_name", Create: []string{"CREATE INDEX person_name FOR (p:Person) ON (p.name)"},
				Change: []string{"DROP INDEX person_name", "CREATE TEXT INDEX person_name FOR (p:Person) ON (p.name)"}},
			{Kind: KindConstraint, Object: "person_id", Create: []string{"CREATE CONSTRAINT person_id FOR (p:Person) REQUIRE p.id IS UNIQUE"},
				Change: []string{"DROP CONSTRAINT person_id", "CREATE CONSTRAINT person_id FOR (p:Person) REQUIRE (p.id, p.tenant) IS UNIQUE"}},
		},
		// The expected side names the index, the live side has it under a name Neo4j generated
		// (index_1a2b3c4d), keyed by content: the same index, named differently, at most info.
		// (Two generated names never differ at all: TestTwoGeneratedNamesAreOneItem.)
		Rename: enginetest.Rename{
			Expected: []string{"CREATE INDEX movie_title FOR (m:Movie) ON (m.title)"},
			Actual:   []string{"CREATE INDEX FOR (m:Movie) ON (m.title)"},
			Want:     &enginetest.Want{Kind: KindIndex, Object: "movie_title", Change: diff.Changed, Severity: diff.Info},
		},
	})
}

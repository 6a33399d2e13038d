package neo4j

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/neo4jtest"
)

// assertNoNodes fails when the database holds any node.
func assertNoNodes(t *testing.T, uri string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := runner{d: neo4jtest.Driver(t, uri)}
	ids, err := r.strings(ctx, "MATCH (n) RETURN elementId(n) LIMIT 1")
	require.NoError(t, err)
	require.Empty(t, ids, "the database still holds nodes")
}

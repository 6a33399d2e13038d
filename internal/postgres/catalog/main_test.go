package catalog

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/snapshot"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// snap introspects dsn and fails the test on error.
func snap(t testing.TB, dsn string, opts Options) *snapshot.Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := IntrospectDSN(ctx, dsn, opts)
	require.NoError(t, err)
	return s
}

// build creates a fresh database with sql applied and returns its DSN.
func build(t *testing.T, sql string) string { return pgtest.Build(t, sql) }

// find returns the object of a kind and key, or nil.
func find(s *snapshot.Snapshot, kind, key string) *snapshot.Object { return s.Find(kind, key) }

// keysOf lists the keys of the objects of a kind.
func keysOf(s *snapshot.Snapshot, kind string) []string { return s.Keys(kind) }

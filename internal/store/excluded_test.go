package store

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/postgres/catalog"
)

// TestStoreTablesAreLeftOutOfSnapshots holds the store and the introspector together: when the
// store shares a database with a watched target, none of its tables may show up as drift, so
// every table Migrate creates must be on the introspector's list of drift's own tables.
func TestStoreTablesAreLeftOutOfSnapshots(t *testing.T) {
	t.Parallel()
	_, dsn := newStore(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')`)
	require.NoError(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.NotEmpty(t, tables)
	require.Subset(t, catalog.TrackingTables(), tables)

	s, err := catalog.IntrospectDSN(ctx, dsn, catalog.Options{})
	require.NoError(t, err)
	for _, o := range s.Objects {
		require.NotEqual(t, "table", o.Kind, "store table %s leaked into a snapshot", o.Key)
	}
}

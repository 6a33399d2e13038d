package shadow

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgtest"
)

func TestCreateAndDropDatabase(t *testing.T) {
	admin := connect(t, pgtest.AdminDSN(t))
	ctx := testCtx(t)
	name, err := CreateDatabase(ctx, admin)
	require.NoError(t, err)
	require.Regexp(t, `^drift_shadow_[0-9a-f]{16}$`, name)

	var comment string
	require.NoError(t, admin.QueryRow(ctx, "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1", name).Scan(&comment))
	require.Regexp(t, `^drift shadow database, created \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ by pid \d+$`, comment)
	created, ok := markerTime(comment)
	require.True(t, ok)
	require.WithinDuration(t, time.Now(), created, time.Minute)

	// A connection left open does not stop the drop.
	other := connect(t, pgtest.WithDatabase(pgtest.AdminDSN(t), name))
	require.NoError(t, other.Ping(ctx))

	require.NoError(t, DropDatabase(ctx, admin, name))
	require.False(t, shadowDatabases(t)[name])
	require.NoError(t, DropDatabase(ctx, admin, name), "dropping a database already gone is fine")
}

func TestDropRefusesWhatDriftDidNotCreate(t *testing.T) {
	admin := connect(t, pgtest.AdminDSN(t))
	ctx := testCtx(t)
	unmarked := "drift_shadow_notours"
	pgtest.Exec(t, pgtest.AdminDSN(t), "CREATE DATABASE "+unmarked)
	t.Cleanup(func() { pgtest.Exec(t, pgtest.AdminDSN(t), "DROP DATABASE IF EXISTS "+unmarked) })

	err := DropDatabase(ctx, admin, unmarked)
	require.ErrorContains(t, err, "refusing to drop database drift_shadow_notours: it has no drift shadow marker comment")
	require.True(t, shadowDatabases(t)[unmarked])

	err = DropDatabase(ctx, admin, "postgres")
	require.ErrorContains(t, err, "refusing to drop database postgres: it is not a drift shadow database")
}

func TestSweepDropsOnlyMarkedOrphans(t *testing.T) {
	adminDSN := pgtest.AdminDSN(t)
	admin := connect(t, adminDSN)
	ctx := testCtx(t)

	// An orphan of a crashed run two hours ago.
	orphan, err := CreateDatabase(ctx, admin)
	require.NoError(t, err)
	old := marker(time.Now().Add(-2 * time.Hour))
	pgtest.Exec(t, adminDSN, "COMMENT ON DATABASE "+orphan+" IS "+quoteLiteral(old))
	// The shadow database of a run still going.
	recent, err := CreateDatabase(ctx, admin)
	require.NoError(t, err)
	t.Cleanup(func() { _ = DropDatabase(context.Background(), admin, recent) })
	// Look-alikes drift did not create: a prefixed name without the marker, a prefixed name
	// with another comment, and the marker on a database without the prefix.
	for _, sql := range []string{
		"CREATE DATABASE drift_shadow_x",
		"CREATE DATABASE drift_shadow_commented",
		"COMMENT ON DATABASE drift_shadow_commented IS 'shadow of something else'",
		"CREATE DATABASE sweep_bystander",
		"COMMENT ON DATABASE sweep_bystander IS " + quoteLiteral(old),
	} {
		pgtest.Exec(t, adminDSN, sql)
	}
	t.Cleanup(func() {
		pgtest.Exec(t, adminDSN, "DROP DATABASE IF EXISTS drift_shadow_x")
		pgtest.Exec(t, adminDSN, "DROP DATABASE IF EXISTS drift_shadow_commented")
		pgtest.Exec(t, adminDSN, "DROP DATABASE IF EXISTS sweep_bystander")
	})

	dropped, err := SweepOrphans(ctx, admin, time.Hour)
	require.NoError(t, err)
	require.Equal(t, []string{orphan}, dropped)

	left := shadowDatabases(t)
	require.False(t, left[orphan])
	require.True(t, left[recent], "a recent shadow database is left to its run")
	require.True(t, left["drift_shadow_x"], "an unmarked database survives")
	require.True(t, left["drift_shadow_commented"])
	var n int
	require.NoError(t, admin.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = 'sweep_bystander'").Scan(&n))
	require.Equal(t, 1, n)
}

func TestQuoteLiteral(t *testing.T) {
	require.Equal(t, `'it''s'`, quoteLiteral("it's"))
	require.Equal(t, `E'a\\b''c'`, quoteLiteral(`a\b'c`))
}

package pgcluster

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

func TestStartServeStopLeavesNothing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := Start(ctx, Options{Settings: map[string]string{"work_mem": "'8MB'"}})
	require.NoError(t, err, "the PostgreSQL server binaries must be installed (make test installs them)")
	dir := c.Dir()
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	require.NoError(t, err)
	var workMem, listen string
	require.NoError(t, conn.QueryRow(ctx, "SELECT current_setting('work_mem'), current_setting('listen_addresses')").Scan(&workMem, &listen))
	require.Equal(t, "8MB", workMem, "extra settings are applied")
	require.Equal(t, "", listen, "no TCP port is opened")
	var major int
	require.NoError(t, conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int / 10000").Scan(&major))
	require.Equal(t, c.Major(), major)
	conn.Close(ctx)

	require.NoError(t, c.Stop(ctx))
	_, err = os.Stat(dir)
	require.True(t, os.IsNotExist(err), "the cluster's directory is removed")
	require.NoError(t, c.Stop(ctx), "stopping twice is harmless")
}

func TestFindBinariesOfAMissingMajor(t *testing.T) {
	_, _, err := FindBinaries(7)
	require.Error(t, err)
	require.Contains(t, err.Error(), "PostgreSQL 7")
}

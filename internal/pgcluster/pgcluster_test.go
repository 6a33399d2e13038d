package pgcluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

func TestSweepOrphansStopsClustersOfDeadOwnersOnly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	orphan, err := Start(ctx, Options{})
	require.NoError(t, err)
	alive, err := Start(ctx, Options{})
	require.NoError(t, err)
	defer alive.Stop(ctx)

	// Make the first cluster look like the leftover of a process that died.
	dead := exec.Command("true")
	require.NoError(t, dead.Run())
	require.NoError(t, os.WriteFile(filepath.Join(orphan.Dir(), ownerFile), []byte(fmt.Sprintf("%d\n%s\n", dead.Process.Pid, orphan.BinDir())), 0o644))

	swept := SweepOrphans(ctx)
	require.Contains(t, swept, orphan.Dir())
	require.NotContains(t, swept, alive.Dir(), "a cluster whose owner lives is never touched")
	_, err = os.Stat(orphan.Dir())
	require.True(t, os.IsNotExist(err))
	_, err = pgx.Connect(ctx, orphan.DSN("postgres"))
	require.Error(t, err, "the orphan's server is stopped")
	conn, err := pgx.Connect(ctx, alive.DSN("postgres"))
	require.NoError(t, err)
	conn.Close(ctx)
}

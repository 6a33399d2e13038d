package pgcluster_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	. "github.com/drift-schema/drift/internal/pgcluster"
	"github.com/drift-schema/drift/internal/pgtest"
)

// binaries are the test clusters' server binaries (pgtest: DRIFT_TEST_PG_MAJOR, downloaded
// when missing).
func binaries(t *testing.T) Options {
	b := pgtest.Binaries(t)
	return Options{BinDir: b.Dir, Major: b.Major}
}

func TestStartServeStopLeavesNothing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts := binaries(t)
	opts.Settings = map[string]string{"work_mem": "'8MB'"}
	c, err := Start(ctx, opts)
	require.NoError(t, err)
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
	require.Empty(t, c.Trouble(10), "a healthy server's log has no trouble")

	// A server process that dies takes the server through crash recovery: the log says so,
	// and Trouble finds it for a failing test to show.
	var pid int
	require.NoError(t, conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid))
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
	conn.Close(ctx)
	require.Eventually(t, func() bool { return strings.Contains(c.Trouble(10), "terminated by signal 9") }, 30*time.Second, 50*time.Millisecond)
	require.NoError(t, WaitReady(ctx, time.Minute, func(ctx context.Context) error {
		conn, err := pgx.Connect(ctx, c.DSN("postgres"))
		if err == nil {
			conn.Close(ctx)
		}
		return err
	}))

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
	orphan, err := Start(ctx, binaries(t))
	require.NoError(t, err)
	alive, err := Start(ctx, binaries(t))
	require.NoError(t, err)
	defer alive.Stop(ctx)

	// Make the first cluster look like the leftover of a process that died.
	dead := exec.Command("true")
	require.NoError(t, dead.Run())
	require.NoError(t, os.WriteFile(filepath.Join(orphan.Dir(), OwnerFile), []byte(fmt.Sprintf("%d\n%s\n", dead.Process.Pid, orphan.BinDir())), 0o644))

	swept := SweepOrphans(ctx, orphan.BinDir())
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

// TestSweepOrphansIgnoresPlantedDirectories: the temporary directory is world-writable, so a
// drift-pg-* directory that is not private to the cluster user, or that names binaries of its
// own, is never acted on.
func TestSweepOrphansIgnoresPlantedDirectories(t *testing.T) {
	ctx := context.Background()
	evil := t.TempDir()
	marker := filepath.Join(evil, "ran")
	require.NoError(t, os.WriteFile(filepath.Join(evil, "pg_ctl"), []byte("#!/bin/sh\ntouch "+marker+"\n"), 0o755))
	dead := exec.Command("true")
	require.NoError(t, dead.Run())
	for _, mode := range []os.FileMode{0o700, 0o777} {
		dir, err := os.MkdirTemp("", "drift-pg-")
		require.NoError(t, err)
		defer os.RemoveAll(dir)
		require.NoError(t, os.Chmod(dir, mode))
		if os.Geteuid() == 0 {
			// Owned by the clusters' user, so only the binaries check stands in the way.
			cred, err := Unprivileged()
			require.NoError(t, err)
			require.NoError(t, os.Chown(dir, int(cred.Uid), int(cred.Gid)))
		}
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "data"), 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "data", "postmaster.pid"), []byte("1\n"), 0o600))
		require.NoError(t, os.WriteFile(filepath.Join(dir, OwnerFile), []byte(fmt.Sprintf("%d\n%s\n", dead.Process.Pid, evil)), 0o644))
		require.Empty(t, SweepOrphans(ctx, pgtest.Binaries(t).Dir))
		_, err = os.Stat(dir)
		require.NoError(t, err, "a planted directory is left alone")
	}
	_, err := os.Stat(marker)
	require.True(t, os.IsNotExist(err), "a program named by a planted directory must never run")
}

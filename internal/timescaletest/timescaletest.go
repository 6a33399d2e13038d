// Package timescaletest gives tests a real PostgreSQL 15 server with TimescaleDB preloaded: a
// throwaway cluster started from Debian's binaries at BinDir (the TimescaleDB that
// .ci/ensure-timescaledb builds is for that major), with shared_preload_libraries set.
//
// Where TimescaleDB is not installed a test skips, saying why, on a developer's machine; with
// DRIFT_TEST_REQUIRE_TIMESCALEDB=1 (CI sets it) it fails instead, so a missing extension can
// never pass as a green run.
package timescaletest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drift-schema/drift/internal/pgcluster"
	"github.com/drift-schema/drift/internal/pgtest"
)

// BinDir holds the server binaries the TimescaleDB tests use: Debian's PostgreSQL 15, whatever
// binaries other tests pick, because that is the major .ci/ensure-timescaledb builds for.
const BinDir = "/usr/lib/postgresql/15/bin"

// EnvRequire makes a missing TimescaleDB a failure rather than a skip.
const EnvRequire = "DRIFT_TEST_REQUIRE_TIMESCALEDB"

// Settings are the server settings TimescaleDB needs, and quiet tests want.
var Settings = map[string]string{
	"shared_preload_libraries":    "'timescaledb'",
	"timescaledb.telemetry_level": "off",
	// TimescaleDB's workers beside the tests' connections.
	"max_worker_processes": "32",
	// No job runs: a policy refreshing a continuous aggregate while a test drops it fails the
	// DROP with "tuple concurrently updated". The jobs are still created, and read.
	"timescaledb.max_background_workers": "0",
}

var (
	seq      atomic.Int64
	mu       sync.Mutex
	cluster  *pgcluster.Cluster
	startErr error
)

// Main runs the tests of a package and stops the clusters (pgtest's and this one) afterwards.
func Main(m *testing.M) int {
	code := pgtest.Main(m)
	mu.Lock()
	defer mu.Unlock()
	if cluster != nil {
		if trouble := cluster.Trouble(40); code != 0 && trouble != "" {
			fmt.Fprintf(os.Stderr, "timescaletest: the TimescaleDB server's log says:\n%s\n", trouble)
		}
		if err := cluster.Stop(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "timescaletest: stopping throwaway cluster:", err)
			if code == 0 {
				code = 1
			}
		}
		cluster = nil
	}
	return code
}

// Installed reports whether the PostgreSQL 15 binaries have TimescaleDB, and if not, why.
func Installed() (bool, string) {
	if _, err := os.Stat(filepath.Join(BinDir, "initdb")); err != nil {
		return false, "PostgreSQL 15 is not installed at " + BinDir
	}
	libs, _ := filepath.Glob(filepath.Join(filepath.Dir(BinDir), "lib", "timescaledb*.so"))
	if len(libs) == 0 {
		return false, "TimescaleDB is not installed for PostgreSQL 15 (run .ci/ensure-timescaledb)"
	}
	return true, ""
}

// Require skips the test when TimescaleDB is not installed, or fails it when
// DRIFT_TEST_REQUIRE_TIMESCALEDB=1.
func Require(t testing.TB) {
	t.Helper()
	if ok, why := Installed(); !ok {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("this test needs TimescaleDB (%s=1): %s", EnvRequire, why)
		}
		t.Skipf("this test needs TimescaleDB: %s", why)
	}
}

// AdminDSN returns a superuser DSN on the "postgres" database of the TimescaleDB cluster,
// starting it on first use.
func AdminDSN(t testing.TB) string {
	t.Helper()
	Require(t)
	mu.Lock()
	defer mu.Unlock()
	if cluster == nil && startErr == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cluster, startErr = pgcluster.Start(ctx, pgcluster.Options{BinDir: BinDir, Settings: Settings})
	}
	if startErr != nil {
		t.Fatalf("starting a PostgreSQL 15 cluster with TimescaleDB: %v", startErr)
	}
	return cluster.DSN("postgres")
}

// NewDB creates an empty database on the TimescaleDB cluster, with the extension created in
// it when withExtension is set, and drops it when the test ends. It returns a superuser DSN for it.
func NewDB(t testing.TB, withExtension bool) string {
	t.Helper()
	admin := AdminDSN(t)
	name := fmt.Sprintf("drift_ts_%d_%d", time.Now().UnixNano(), seq.Add(1))
	pgtest.Exec(t, admin, "CREATE DATABASE "+name+" TEMPLATE template0")
	t.Cleanup(func() { pgtest.Exec(t, admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	dsn := pgtest.WithDatabase(admin, name)
	if withExtension {
		pgtest.Exec(t, dsn, "CREATE EXTENSION timescaledb")
	}
	return dsn
}

// ExecEach runs each statement on its own (CALL refresh_continuous_aggregate and run_job cannot
// run inside a transaction block, which one multi-statement Exec would be).
func ExecEach(t testing.TB, dsn string, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		pgtest.Exec(t, dsn, s)
	}
}

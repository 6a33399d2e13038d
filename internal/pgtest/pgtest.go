// Package pgtest gives tests a real PostgreSQL server: the one named by DRIFT_TEST_PG_DSN (a
// superuser connection to an existing server), or else a throwaway cluster for this test
// binary, of the major DRIFT_TEST_PG_MAJOR names (default pgbin.DefaultMajor), from binaries
// pgbin finds or downloads (DRIFT_TEST_PG_BIN_DIR forces a directory, such as a Debian
// install with extensions of its own).
//
// There is no skip: a test that needs PostgreSQL and cannot have one fails, with the reason, so
// a missing database can never pass as a green run.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/drift-schema/drift/internal/pgbin"
	"github.com/drift-schema/drift/internal/pgcluster"
)

// EnvDSN names the environment variable holding a superuser DSN of an existing server.
const EnvDSN = "DRIFT_TEST_PG_DSN"

// EnvMajor names the environment variable choosing the major version of the test clusters
// (13 to 18; `make test-matrix` runs the conformance subset on each).
const EnvMajor = "DRIFT_TEST_PG_MAJOR"

// EnvBinDir names the environment variable pointing the test clusters at a directory of
// server binaries (/usr/lib/postgresql/15/bin); its major wins over DRIFT_TEST_PG_MAJOR.
const EnvBinDir = "DRIFT_TEST_PG_BIN_DIR"

// Major is the major version the test clusters run: DRIFT_TEST_PG_MAJOR, else
// pgbin.DefaultMajor. A value that is not a number is pgbin's to refuse (it names what is
// supported), so it becomes -1.
func Major() int {
	v := os.Getenv(EnvMajor)
	if v == "" {
		return pgbin.DefaultMajor
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return -1
	}
	return n
}

// Binaries resolves the server binaries of the test clusters (downloading them into the
// user's cache the first time), or fails the test.
func Binaries(t testing.TB) pgbin.Binaries {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	b, err := resolve(ctx)
	if err != nil {
		t.Fatalf("this test needs PostgreSQL server binaries: %v", err)
	}
	return b
}

func resolve(ctx context.Context) (pgbin.Binaries, error) {
	return pgbin.Resolve(ctx, Major(), pgbin.Options{
		BinDir:   os.Getenv(EnvBinDir),
		BaseURL:  os.Getenv("DRIFT_PG_BINARIES_URL"),
		Progress: os.Stderr,
	})
}

// StartCluster starts another throwaway cluster of the test clusters' binaries, with extra
// options (settings), stopped when the test ends.
func StartCluster(t testing.TB, opts pgcluster.Options) *pgcluster.Cluster {
	t.Helper()
	if opts.BinDir == "" {
		b := Binaries(t)
		opts.BinDir, opts.Major = b.Dir, b.Major
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := pgcluster.Start(ctx, opts)
	if err != nil {
		t.Fatalf("starting a throwaway cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(context.Background()); err != nil {
			t.Errorf("stopping a throwaway cluster: %v", err)
		}
	})
	return c
}

var (
	mu       sync.Mutex
	adminDSN string
	cluster  *pgcluster.Cluster
	startErr error
)

// Main runs the tests of a package and stops the throwaway cluster afterwards. Use it from
// TestMain: func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }.
func Main(m *testing.M) int {
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if cluster != nil {
		if trouble := cluster.Trouble(40); code != 0 && trouble != "" {
			fmt.Fprintf(os.Stderr, "pgtest: the throwaway server's log says:\n%s\n", trouble)
		}
		if err := cluster.Stop(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest: stopping throwaway cluster:", err)
			if code == 0 {
				code = 1
			}
		}
		cluster = nil
	}
	return code
}

// AdminDSN returns a superuser DSN on the server's "postgres" database, starting a throwaway
// cluster on first use when DRIFT_TEST_PG_DSN is unset. It fails the test when neither works.
func AdminDSN(t testing.TB) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if adminDSN == "" && startErr == nil {
		if dsn := os.Getenv(EnvDSN); dsn != "" {
			adminDSN = dsn
		} else {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			var b pgbin.Binaries
			if b, startErr = resolve(ctx); startErr == nil {
				cluster, startErr = pgcluster.Start(ctx, pgcluster.Options{BinDir: b.Dir, Major: b.Major})
			}
			if startErr == nil {
				adminDSN = cluster.DSN("postgres")
			}
		}
	}
	if startErr != nil {
		t.Fatalf("this test needs PostgreSQL: set %s, or let drift download the server binaries (network), or set %s: %v", EnvDSN, EnvBinDir, startErr)
	}
	return adminDSN
}

// WithDatabase returns dsn pointed at another database.
func WithDatabase(dsn, database string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			u.Path = "/" + database
			return u.String()
		}
	}
	return dsn + " dbname=" + database
}

// NewDB creates an empty database with a random name and drops it when the test ends. It returns
// a superuser DSN for it.
func NewDB(t testing.TB) string {
	t.Helper()
	admin := AdminDSN(t)
	name := "drift_test_" + randomHex(6)
	Exec(t, admin, "CREATE DATABASE "+name+" TEMPLATE template0")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("dropping %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
	})
	return WithDatabase(admin, name)
}

// Exec runs SQL (several statements are fine) on dsn and fails the test on error.
func Exec(t testing.TB, dsn, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	defer conn.Close(ctx)
	// The simple protocol lets one call carry many statements.
	if _, err := conn.Exec(ctx, sql, pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatalf("executing SQL: %v\n%s", err, sql)
	}
}

// Cluster returns the throwaway cluster started by this package, or nil when the tests use
// DRIFT_TEST_PG_DSN. Tests that need the binaries (pg_dump, psql) use its BinDir.
func Cluster() *pgcluster.Cluster {
	mu.Lock()
	defer mu.Unlock()
	return cluster
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

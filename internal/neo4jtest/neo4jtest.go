// Package neo4jtest gives tests the real Neo4j server that `make test` starts for the whole run
// (neo4j-server.sh next to this file) and exports as DRIFT_TEST_NEO4J_URI.
//
// Neo4j Community has one user database, so tests cannot each get a database of their own:
// Fresh hands a test the server with no indexes, constraints or data, and holds a lock (a file
// lock keyed by the URI) until the test ends, so the test binaries of different packages, which
// `go test ./...` runs in parallel, take turns. Tests that use it must not call t.Parallel.
//
// Without DRIFT_TEST_NEO4J_URI a test is skipped, unless DRIFT_TEST_REQUIRE_NEO4J is set (CI
// sets it): then it fails, so a missing server can never pass as a green run.
package neo4jtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Environment variables read by this package.
const (
	// EnvURI holds the Bolt URI of the test server (no authentication).
	EnvURI = "DRIFT_TEST_NEO4J_URI"
	// EnvRequire, when set to anything, turns a missing EnvURI from a skip into a failure.
	EnvRequire = "DRIFT_TEST_REQUIRE_NEO4J"
)

// URI returns the test server's URI. Without one it skips the test, or fails it when
// DRIFT_TEST_REQUIRE_NEO4J is set.
func URI(t testing.TB) string {
	t.Helper()
	uri := os.Getenv(EnvURI)
	if uri != "" {
		return uri
	}
	msg := fmt.Sprintf("this test needs Neo4j: run it through `make test`, or start one with "+
		"internal/neo4jtest/neo4j-server.sh start DIR and export %s", EnvURI)
	if os.Getenv(EnvRequire) != "" {
		t.Fatalf("%s (%s is set, so a missing server is a failure)", msg, EnvRequire)
	}
	t.Skip(msg)
	return ""
}

// Fresh returns the test server's URI with the database emptied of indexes, constraints and
// data, and holds the server for this test alone until it ends (when it is emptied again).
func Fresh(t testing.TB) string {
	t.Helper()
	uri := URI(t)
	unlock, err := lock(uri)
	if err != nil {
		t.Fatalf("locking the test Neo4j: %v", err)
	}
	d := Driver(t, uri)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := Wipe(ctx, d); err != nil {
		unlock()
		t.Fatalf("emptying the test Neo4j: %v", err)
	}
	t.Cleanup(func() {
		defer unlock()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := Wipe(ctx, d); err != nil {
			t.Errorf("emptying the test Neo4j after the test: %v", err)
		}
	})
	return uri
}

// Driver opens a driver to uri (no authentication) that is closed when the test ends.
func Driver(t testing.TB, uri string) neo4jdrv.DriverWithContext {
	t.Helper()
	d, err := neo4jdrv.NewDriverWithContext(uri, neo4jdrv.NoAuth())
	if err != nil {
		t.Fatalf("connecting to the test Neo4j: %v", err)
	}
	t.Cleanup(func() { d.Close(context.Background()) })
	return d
}

// Exec runs each statement in its own auto-commit transaction (schema statements cannot share
// a transaction with writes), failing the test on the first error.
func Exec(t testing.TB, uri string, statements ...string) {
	t.Helper()
	d := Driver(t, uri)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, stmt := range statements {
		if err := run(ctx, d, stmt); err != nil {
			t.Fatalf("running %q: %v", stmt, err)
		}
	}
}

// AwaitIndexes waits until every index is ONLINE (an index is POPULATING for a moment after
// it is created, and introspection reports that as a health finding).
func AwaitIndexes(t testing.TB, uri string) {
	t.Helper()
	Exec(t, uri, "CALL db.awaitIndexes(60)")
}

// Wipe drops every constraint and every index except the LOOKUP ones Neo4j creates itself,
// and deletes all nodes and relationships.
func Wipe(ctx context.Context, d neo4jdrv.DriverWithContext) error {
	constraints, err := names(ctx, d, "SHOW CONSTRAINTS YIELD name RETURN name")
	if err != nil {
		return err
	}
	for _, n := range constraints {
		if err := run(ctx, d, "DROP CONSTRAINT "+QuoteName(n)+" IF EXISTS"); err != nil {
			return err
		}
	}
	indexes, err := names(ctx, d, "SHOW INDEXES YIELD name, type, owningConstraint "+
		"WHERE type <> 'LOOKUP' AND owningConstraint IS NULL RETURN name")
	if err != nil {
		return err
	}
	for _, n := range indexes {
		if err := run(ctx, d, "DROP INDEX "+QuoteName(n)+" IF EXISTS"); err != nil {
			return err
		}
	}
	return run(ctx, d, "MATCH (n) DETACH DELETE n")
}

// QuoteName quotes a Cypher symbolic name with backticks.
func QuoteName(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

func run(ctx context.Context, d neo4jdrv.DriverWithContext, stmt string) error {
	s := d.NewSession(ctx, neo4jdrv.SessionConfig{})
	defer s.Close(ctx)
	res, err := s.Run(ctx, stmt, nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		return fmt.Errorf("running %s: %w", stmt, err)
	}
	return nil
}

func names(ctx context.Context, d neo4jdrv.DriverWithContext, query string) ([]string, error) {
	s := d.NewSession(ctx, neo4jdrv.SessionConfig{})
	defer s.Close(ctx)
	res, err := s.Run(ctx, query, nil)
	if err != nil {
		return nil, fmt.Errorf("running %s: %w", query, err)
	}
	recs, err := res.Collect(ctx)
	if err != nil {
		return nil, fmt.Errorf("running %s: %w", query, err)
	}
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		if n, ok := r.Values[0].(string); ok {
			out = append(out, n)
		}
	}
	return out, nil
}

// lock takes an exclusive file lock keyed by the server URI, shared by every test binary on
// the machine. It blocks until the lock is free.
func lock(uri string) (func(), error) {
	sum := sha256.Sum256([]byte(uri))
	path := filepath.Join(os.TempDir(), "drift-neo4jtest-"+hex.EncodeToString(sum[:6])+".lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

package neo4jtest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// childEnv marks the re-executed test binary of TestURIWithoutServer.
const childEnv = "DRIFT_NEO4JTEST_CHILD"

// TestChildURI is run by TestURIWithoutServer in a child process; on its own it does nothing.
func TestChildURI(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		return
	}
	URI(t)
	t.Log("URI returned without a server")
}

func TestURIWithoutServer(t *testing.T) {
	run := func(require bool) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestChildURI$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), childEnv+"=1", EnvURI+"=", EnvRequire+"=")
		if require {
			cmd.Env = append(cmd.Env, EnvRequire+"=1")
		}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run(false)
	require.NoError(t, err, out)
	require.Contains(t, out, "--- SKIP: TestChildURI")
	require.Contains(t, out, "this test needs Neo4j")
	require.NotContains(t, out, "URI returned without a server")

	out, err = run(true)
	require.Error(t, err, out)
	require.Contains(t, out, "--- FAIL: TestChildURI")
	require.Contains(t, out, "DRIFT_TEST_REQUIRE_NEO4J is set, so a missing server is a failure")
	require.NotContains(t, out, "URI returned without a server")
}

func TestURIFromEnvironment(t *testing.T) {
	t.Setenv(EnvURI, "bolt://127.0.0.1:1")
	require.Equal(t, "bolt://127.0.0.1:1", URI(t))
}

func TestFreshEmptiesTheServer(t *testing.T) {
	uri := Fresh(t)
	Exec(t, uri,
		"CREATE INDEX left_over FOR (n:A) ON (n.x)",
		"CREATE CONSTRAINT also_left FOR (n:B) REQUIRE n.y IS UNIQUE",
		"CREATE FULLTEXT INDEX FOR (n:C) ON EACH [n.z]",
		"UNWIND range(1, 10) AS i CREATE (:A {x: i})-[:R]->(:B {y: i})",
	)
	AwaitIndexes(t, uri)
	d := Driver(t, uri)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, Wipe(ctx, d))

	constraints, err := names(ctx, d, "SHOW CONSTRAINTS YIELD name RETURN name")
	require.NoError(t, err)
	require.Empty(t, constraints)
	indexes, err := names(ctx, d, "SHOW INDEXES YIELD name, type RETURN type")
	require.NoError(t, err)
	require.Equal(t, []string{"LOOKUP", "LOOKUP"}, indexes, "only Neo4j's own lookup indexes remain")
	nodes, err := names(ctx, d, "MATCH (n) RETURN toString(count(n))")
	require.NoError(t, err)
	require.Equal(t, []string{"0"}, nodes)
}

func TestQuoteName(t *testing.T) {
	require.Equal(t, "`plain`", QuoteName("plain"))
	require.Equal(t, "`we``ird`", QuoteName("we`ird"))
}

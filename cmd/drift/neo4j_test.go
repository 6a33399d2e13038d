package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/neo4jtest"
)

// TestCheckNeo4jTargetFromCypherMigrations runs `drift check` on a real Neo4j whose schema was
// made by the same migrations, then drifts it by hand.
func TestCheckNeo4jTargetFromCypherMigrations(t *testing.T) {
	t.Parallel()
	uri := neo4jtest.Fresh(t)
	dir := t.TempDir()
	files := map[string]string{
		"V001__people.cypher":   "CREATE CONSTRAINT person_email IF NOT EXISTS FOR (p:Person) REQUIRE p.email IS UNIQUE;\n",
		"V002__ratings.cypher":  "CREATE INDEX FOR (m:Movie) ON (m.rating);\nMATCH (m:Movie) SET m.rating = 0;\n",
		"V010__fulltext.cypher": "CREATE FULLTEXT INDEX movie_titles FOR (m:Movie) ON EACH [m.title];\n",
	}
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
		neo4jtest.Exec(t, uri, firstStatement(body))
	}
	neo4jtest.AwaitIndexes(t, uri)
	cfg := writeConfig(t, fmt.Sprintf("targets:\n  - name: graph\n    engine: neo4j\n    uri: %q\n    migrations: %q\n", uri, dir))

	code, out, stderr := drift(t, "check", "--config", cfg)
	require.Equal(t, 0, code, "the graph was made by its migrations: %s %s", out, stderr)

	neo4jtest.Exec(t, uri, "DROP CONSTRAINT person_email")
	neo4jtest.Exec(t, uri, "CREATE INDEX hotfix FOR (p:Person) ON (p.name)")
	neo4jtest.AwaitIndexes(t, uri)
	code, out, _ = drift(t, "check", "--config", cfg, "--format", "json")
	require.Equal(t, 1, code, out)
	var rep jsonReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	got := map[string]string{}
	for _, f := range rep.Targets[0].Findings {
		got[f.Kind+" "+f.Object] = f.Change + " " + f.Severity
	}
	require.Equal(t, map[string]string{
		"neo4j_constraint person_email": "missing critical",
		"neo4j_index hotfix":            "unexpected warning",
	}, got)

	// The same comparison through drift diff with a directory and a bolt:// SOURCE.
	code, out, _ = drift(t, "diff", "--from", dir, "--to", uri)
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "person_email")

	// The fix is Cypher: reverting prints it, adopting writes it as the set's next file, after
	// which the migrations describe the graph again.
	code, out, _ = drift(t, "check", "--config", cfg, "--fix", "revert")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "// target graph (neo4j): 2 findings")
	require.Contains(t, out, "CREATE CONSTRAINT person_email IF NOT EXISTS FOR (n:Person) REQUIRE n.email IS UNIQUE;")
	require.Contains(t, out, "DROP INDEX hotfix IF EXISTS;")
	code, out, stderr = drift(t, "check", "--config", cfg, "--adopt")
	require.Equal(t, 0, code, stderr)
	adopted := filepath.Join(dir, "V011__adopt_drift.cypher")
	require.Equal(t, adopted+"\n", out)
	body, err := os.ReadFile(adopted)
	require.NoError(t, err)
	require.Contains(t, string(body), "// Written by drift check --adopt")
	require.Contains(t, string(body), "DROP CONSTRAINT person_email IF EXISTS;")
	require.Contains(t, string(body), "CREATE INDEX hotfix IF NOT EXISTS FOR (n:Person) ON (n.name);")
	code, out, stderr = drift(t, "check", "--config", cfg)
	require.Equal(t, 0, code, "the migrations adopted the drift: %s %s", out, stderr)
}

// firstStatement returns the schema statement of a one-schema-statement migration file.
func firstStatement(body string) string {
	for i, r := range body {
		if r == ';' {
			return body[:i]
		}
	}
	return body
}

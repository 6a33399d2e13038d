package neo4j

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/migrations"
)

// TestNeo4jMigrationsChecksum pins checksums computed independently (CRC32 of the statements
// as neo4j-migrations splits them, by another implementation) for the forms that matter:
// one statement, line endings, the last statement without its semicolon, a comment inside a
// statement, and a :use command, which becomes a statement of its own ahead of the rest.
func TestNeo4jMigrationsChecksum(t *testing.T) {
	cases := []struct{ name, content, want string }{
		{"one statement", "CREATE INDEX person_name FOR (p:Person) ON (p.name);\n", "163566424"},
		{"CRLF and no final newline", "CREATE INDEX person_name FOR (p:Person) ON (p.name);\r\n", "163566424"},
		{"last statement without semicolon", "  CREATE INDEX person_name FOR (p:Person) ON (p.name)\n\n", "163566424"},
		{"comments and :use", ":use movies;\nCREATE INDEX a FOR (n:A) ON (n.x);\n// note\nMATCH (n) RETURN n;\n", "2236563382"},
		{":use at the head of a statement", ":use movies\nCREATE INDEX b FOR (n:B) ON (n.x);\n", "814690506"},
		{"a semicolon inside a line does not split", "CREATE CONSTRAINT person_id FOR (p:Person) REQUIRE p.id IS UNIQUE;\n", "144988622"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, Neo4jMigrationsChecksum([]byte(tc.content)))
			require.True(t, checksumMatches(tc.want, []byte(tc.content)))
		})
	}
	// The Flyway-compatible checksum neo4j-migrations can be configured to record is accepted.
	content := []byte("CREATE INDEX person_name FOR (p:Person) ON (p.name);\n")
	require.True(t, checksumMatches(strconv.Itoa(int(migrations.FlywayChecksum(content))), content))
	require.False(t, checksumMatches("163566425", content))
}

package neo4j

import (
	"hash/crc32"
	"regexp"
	"strconv"
	"strings"

	"github.com/drift-schema/drift/internal/migrations"
)

// neo4j-migrations records a checksum for every applied Cypher migration: the CRC32 of its
// statements, as an unsigned decimal. It splits a script on a semicolon followed by a line
// break, trims each statement and the semicolon of the last one, drops empty ones, and moves
// each `:use db` command into a statement of its own; the checksum is over the UTF-8 bytes of
// the statements, one after another. With its Flyway-compatible option it records Flyway's
// checksum instead (a signed decimal), which drift accepts as well.

var (
	statementDelimiter = regexp.MustCompile(`;(?:\r?\n|\r)`)
	useDatabase        = regexp.MustCompile(`(?i):use +([a-z0-9][a-z0-9.\-]*)(?:;?(?:\r?\n|\r)?)?`)
)

// Neo4jMigrationsChecksum is the checksum neo4j-migrations records for a Cypher migration.
func Neo4jMigrationsChecksum(content []byte) string {
	h := crc32.NewIEEE()
	for _, s := range neo4jMigrationsStatements(string(content)) {
		h.Write([]byte(s))
	}
	return strconv.FormatUint(uint64(h.Sum32()), 10)
}

// neo4jMigrationsStatements splits a script the way neo4j-migrations does for its checksum:
// the `:use` commands of a statement come first, then what is left of it.
func neo4jMigrationsStatements(src string) []string {
	var out []string
	for _, part := range statementDelimiter.Split(src, -1) {
		stmt := javaTrim(strings.TrimSuffix(javaTrim(part), ";"))
		if stmt == "" {
			continue
		}
		locs := useDatabase.FindAllStringIndex(stmt, -1)
		var rest strings.Builder
		prev := 0
		for _, loc := range locs {
			out = append(out, javaTrim(stmt[loc[0]:loc[1]]))
			rest.WriteString(stmt[prev:loc[0]])
			prev = loc[1]
		}
		rest.WriteString(stmt[prev:])
		if rest.Len() > 0 {
			out = append(out, rest.String())
		}
	}
	return out
}

// javaTrim is Java's String.trim: it removes the characters up to U+0020 at both ends, and
// nothing else (not U+00A0, not U+0085), so that checksums agree byte for byte.
func javaTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
}

// checksumMatches reports whether a recorded neo4j-migrations checksum is that of content:
// the tool's own, or the Flyway-compatible one.
func checksumMatches(recorded string, content []byte) bool {
	return recorded == Neo4jMigrationsChecksum(content) ||
		recorded == strconv.FormatInt(int64(migrations.FlywayChecksum(content)), 10)
}

package neo4j

import (
	"fmt"
	"strings"
)

// A migration set may switch databases: cypher-shell's and neo4j-migrations' `:use db` command
// sends the statements after it, up to the end of the file or the next `:use`, to db; Cypher's
// `USE db` clause sends one statement. drift compares one database per target, so statements
// for another database are skipped (and reported as such) and statements without a database,
// which run in the database the migrations target, count. A set that maintains several
// databases is compared by a target per database.

// useCommand reads a `:use db` command (`:use db;`, `:USE `my-db“). ok is false for any
// other statement. `:use` alone goes back to the database the file started in, returned as "".
func useCommand(st statement) (db string, ok bool, err error) {
	if !st.command {
		return "", false, nil
	}
	text := strings.TrimSpace(strings.TrimPrefix(st.text, ":"))
	word, rest, _ := strings.Cut(text, " ")
	if !strings.EqualFold(strings.TrimSuffix(word, ";"), "use") {
		return "", false, nil
	}
	rest = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), ";"))
	if rest == "" {
		return "", true, nil
	}
	if strings.HasPrefix(rest, "`") {
		if len(rest) < 2 || !strings.HasSuffix(rest, "`") {
			return "", true, &ParseError{File: st.file, Line: st.line, Msg: "unterminated `quoted` database name in " + st.text}
		}
		return strings.ReplaceAll(rest[1:len(rest)-1], "``", "`"), true, nil
	}
	if strings.ContainsAny(rest, " \t;") {
		return "", true, &ParseError{File: st.file, Line: st.line, Msg: fmt.Sprintf("cannot read the database of %q", st.text)}
	}
	return rest, true, nil
}

// sameDatabase compares database names the way Neo4j does: without regard to case.
func sameDatabase(a, b string) bool { return strings.EqualFold(a, b) }

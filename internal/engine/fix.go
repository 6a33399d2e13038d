package engine

import (
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// Fixer is implemented by engines that can write the statements reconciling two schemas: the
// fix for drift. internal/check asks for it through a type assertion, so an engine without one
// still compares; its findings simply carry no fix.
//
// drift prints these statements and writes them into migration files; it never runs them
// against a database it watches.
type Fixer interface {
	// Fix returns the statements that turn the schema from into the schema to, in the order
	// they must run: dependents dropped before what they depend on, dependencies created before
	// what needs them. Every difference gets at least one statement; one the engine cannot
	// write is a comment that says so and why, never silence.
	Fix(from, to *snapshot.Snapshot, o FixOptions) ([]Statement, error)
	// LineComment starts a comment line in the engine's language: "--" for SQL, "//" for Cypher.
	LineComment() string
}

// FixOptions say where the statements will run.
type FixOptions struct {
	// Online: the statements run by hand on a live database that serves traffic, so they take
	// the forms that hold the weakest locks (CREATE INDEX CONCURRENTLY, constraints added NOT
	// VALID then validated), even where that means running outside a transaction block. Off,
	// they are for a migration file, run by a tool that may wrap the file in a transaction.
	Online bool
	// ColumnOrder: column positions are compared, so a different order is a difference to fix
	// (or to say cannot be fixed in place).
	ColumnOrder bool
}

// Statement is one statement of a fix.
type Statement struct {
	// SQL is the statement as it runs, with its terminator; empty when the engine can only say
	// why it cannot write one (see Notes).
	SQL string `json:"sql,omitempty"`
	// Hazards say how running it can hurt: "drops data", "rewrites the table under ACCESS
	// EXCLUSIVE", "validates constraint on all rows".
	Hazards []string `json:"hazards,omitempty"`
	// Notes are further comments for the person running it: a safer way, what to do when it
	// fails, or why no statement could be written.
	Notes []string `json:"notes,omitempty"`
	// NoTransaction: it must run outside a transaction block (CREATE INDEX CONCURRENTLY), or
	// be committed before the statements after it use what it made (ALTER TYPE … ADD VALUE).
	NoTransaction bool `json:"no_transaction,omitempty"`
	// Objects are the objects whose difference it resolves, on either side: the object it acts
	// on, and those that made it necessary (a view dropped so that a column can change type
	// serves the column's finding too). Findings find their statements through them.
	Objects []snapshot.ID `json:"-"`
}

// Text renders the statement for a reader: its hazards ("<comment> hazard: drops data"), its
// notes, "must run outside a transaction block" when it must, each as a comment line, then the
// statement itself. comment is the engine's LineComment.
func (s Statement) Text(comment string) string {
	var b strings.Builder
	for _, h := range s.Hazards {
		b.WriteString(comment + " hazard: " + h + "\n")
	}
	for _, n := range s.Notes {
		for line := range strings.SplitSeq(n, "\n") {
			b.WriteString(comment + " " + line + "\n")
		}
	}
	if s.NoTransaction && s.SQL != "" {
		b.WriteString(comment + " run outside a transaction block\n")
	}
	b.WriteString(s.SQL)
	return strings.TrimRight(b.String(), "\n")
}

// Script renders statements one after another, separated by blank lines, ending with a newline;
// "" when there are none.
func Script(stmts []Statement, comment string) string {
	var b strings.Builder
	for i, s := range stmts {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(s.Text(comment))
	}
	if b.Len() > 0 {
		b.WriteByte('\n')
	}
	return b.String()
}

package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/engine"
)

// FixScript writes the fixes of results as one script a person can read and run: a heading,
// then per target a comment saying which way its fix goes and how many statements it holds,
// and the statements (hazards and notes as comments above each). A target with no drift, with
// no fix (its engine writes none) or that could not be checked says so in a comment. It
// writes, never runs: drift never runs a fix against a database it watches.
func FixScript(w io.Writer, results []check.Result, heading string) error {
	e := errWriter{w: w}
	comment := "--"
	for _, r := range results {
		if r.Fix != nil {
			comment = r.Fix.Comment
			break
		}
	}
	e.printf("%s %s\n", comment, heading)
	e.printf("%s drift writes these statements and never runs them. Review them first: each one that can hurt says\n", comment)
	e.printf("%s how (\"%s hazard: …\"); one that must run outside a transaction block says so.\n", comment, comment)
	for _, r := range results {
		c := comment
		if r.Fix != nil {
			c = r.Fix.Comment
		}
		e.printf("\n%s target %s: ", c, targetTitle(r))
		switch {
		case r.Status == check.StatusError:
			e.printf("could not be checked: %s\n", oneLine(r.Error))
		case len(r.Findings) == 0:
			e.printf("no drift, nothing to do\n")
		case r.Fix == nil:
			e.printf("%s; drift writes no fix for this engine\n", countLine(r.Findings))
		default:
			e.printf("%s; %s; %s\n", countLine(r.Findings), r.Fix.Describe(), statementCount(r.Fix.Statements))
			if len(r.Fix.Statements) > 0 {
				e.printf("\n%s", r.Fix.Script())
			}
		}
	}
	if e.err != nil {
		return fmt.Errorf("writing the fix: %w", e.err)
	}
	return nil
}

func statementCount(stmts []engine.Statement) string {
	n, cannot := 0, 0
	for _, s := range stmts {
		switch {
		case s.SQL != "":
			n++
		case slices.ContainsFunc(s.Notes, func(n string) bool { return strings.HasPrefix(n, "drift cannot write") }):
			cannot++ // a note that only explains (what another statement makes) is no difference left
		}
	}
	out := fmt.Sprintf("%d statements", n)
	if n == 1 {
		out = "1 statement"
	}
	switch {
	case cannot == 1:
		out += ", 1 difference drift cannot write (see the comments)"
	case cannot > 1:
		out += fmt.Sprintf(", %d differences drift cannot write (see the comments)", cannot)
	}
	return out
}

package fixsql

import (
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// Functions, procedures and triggers.

func routineWord(kind string) string {
	if kind == "procedure" {
		return "PROCEDURE"
	}
	return "FUNCTION"
}

// standardBody reports whether pg_get_functiondef's text has an SQL-standard body (BEGIN
// ATOMIC … END, or RETURN expr): the server parses it at creation and records what it uses,
// so it depends on objects the way a view does. Other bodies are strings ("AS $function$…").
func standardBody(def string) bool {
	for line := range strings.SplitSeq(def, "\n") {
		if strings.HasPrefix(line, "AS ") {
			return false
		}
	}
	return def != ""
}

// routineHeader is the part of a definition CREATE OR REPLACE cannot change: the name, the
// arguments with their names and defaults, the result type.
func routineHeader(def string) string {
	if i := strings.Index(def, "\n LANGUAGE "); i >= 0 {
		return def[:i]
	}
	return def
}

func createRoutine(g *gen, t *snapshot.Object) {
	def := strings.TrimRight(t.Attrs.Value("definition"), "\n")
	if def == "" {
		g.cannot(t, "the snapshot holds no definition for it")
		return
	}
	rank := rankFunction
	standard := standardBody(def)
	if standard {
		rank = rankView
	}
	s := g.add(createPhase, rank, t, def+";")
	// Any language: a plpgsql DECLARE names tables (events%ROWTYPE) that may come later.
	s.bodyCheckOff = !standard
}

func dropRoutine(g *gen, f *snapshot.Object) {
	rank := rankDropFunction
	if standardBody(f.Attrs.Value("definition")) {
		rank = rankDropView
	}
	s := g.add(dropPhase, rank, f, "DROP "+routineWord(f.Kind)+" "+routineName(f.Key)+";")
	if strings.Contains(f.Attrs.Value("definition"), "\n RETURNS trigger\n") {
		if who := g.partitionSummaryNaming("a partition has a trigger of its own"); who != "" {
			s.notes = append(s.notes, "a partition of "+who+" has a trigger of its own, which may call it (partitions are not compared one by one): if the DROP fails, drop that trigger first, or set partitions: all to have it written")
		}
	}
}

// rebuildRoutine: CREATE OR REPLACE cannot change argument names or defaults or the result
// type; the function is dropped and created again, with everything that uses it.
func rebuildRoutine(_ *gen, f, t *snapshot.Object) bool {
	return routineHeader(f.Attrs.Value("definition")) != routineHeader(t.Attrs.Value("definition"))
}

func alterRoutine(g *gen, _, t *snapshot.Object) {
	createRoutine(g, t)
}

// triggerBody is a trigger definition without its name and table: what a partition's copy of
// a parent's row trigger has in common with it.
func triggerBody(def string) string {
	head := "CREATE TRIGGER "
	if strings.HasPrefix(def, "CREATE CONSTRAINT TRIGGER ") {
		head = "CREATE CONSTRAINT TRIGGER "
	} else if !strings.HasPrefix(def, head) {
		return def
	}
	_, end := readChain(def, len(head))
	rest := def[end:]
	on := strings.Index(rest, " ON ")
	if on < 0 {
		return def
	}
	_, tend := readChain(rest, on+len(" ON "))
	return head + rest[:on] + " ON " + rest[tend:]
}

// withoutWhen drops a trigger definition's WHEN (…) condition.
func withoutWhen(def string) string {
	i := strings.Index(def, " WHEN (")
	if i < 0 {
		return def
	}
	depth, quoted := 0, false
	for j := i + len(" WHEN "); j < len(def); j++ {
		switch c := def[j]; {
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return def[:i] + def[j+1:]
			}
		}
	}
	return def
}

func enableTrigger(g *gen, t *snapshot.Object, state string) {
	what := map[string]string{"origin": "ENABLE", "disabled": "DISABLE", "replica": "ENABLE REPLICA", "always": "ENABLE ALWAYS"}[state]
	if what == "" {
		g.cannot(t, "its enabled state "+state+" is not one drift knows")
		return
	}
	g.add(createPhase, rankTrigger, t, "ALTER TABLE "+relName(t.Parent)+" "+what+" TRIGGER "+quoteIdent(t.Key.Sub())+";")
}

func createTrigger(g *gen, t *snapshot.Object) {
	g.add(createPhase, rankTrigger, t, t.Attrs.Value("definition")+";")
	if state := t.Attrs.Value("enabled"); state != "" && state != "origin" {
		enableTrigger(g, t, state)
	}
}

func dropTrigger(g *gen, f *snapshot.Object) {
	g.add(dropPhase, rankDropTrigger, f, "DROP TRIGGER "+quoteIdent(f.Key.Sub())+" ON "+relName(f.Parent)+";")
}

func rebuildTrigger(_ *gen, f, t *snapshot.Object) bool {
	return attrChanged(f, t, "definition")
}

func alterTrigger(g *gen, f, t *snapshot.Object) {
	if attrChanged(f, t, "enabled") {
		enableTrigger(g, t, t.Attrs.Value("enabled"))
	}
}

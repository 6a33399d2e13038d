package fixsql

import (
	"slices"
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// User-defined types: enums, domains, composite types, ranges.

// labels splits an enum's labels as the catalog joins them ("sad, ok, happy").
func labels(text string) []string {
	if text == "" {
		return nil
	}
	return strings.Split(text, ", ")
}

func quoteLabels(ls []string) string {
	q := make([]string, len(ls))
	for i, l := range ls {
		q[i] = quoteLiteral(l)
	}
	return strings.Join(q, ", ")
}

func createType(g *gen, t *snapshot.Object) {
	a := t.Attrs
	name := relName(t.Key)
	switch a.Value("type") {
	case "enum":
		g.add(createPhase, rankType, t, "CREATE TYPE "+name+" AS ENUM ("+quoteLabels(labels(a.Value("labels")))+");")
	case "domain":
		sql := "CREATE DOMAIN " + name + " AS " + a.Value("base_type")
		if c, ok := a.Get("collation"); ok {
			sql += " COLLATE " + g.collation(c)
		}
		if d, ok := a.Get("default"); ok {
			sql += " DEFAULT " + d
		}
		if a.Value("not_null") == "true" {
			sql += " NOT NULL"
		}
		g.add(createPhase, rankType, t, sql+";")
	case "composite":
		cols := columnsOf(g.to, t.Key)
		defs := make([]string, len(cols))
		for i, c := range cols {
			defs[i] = "\n    " + attributeDef(g, c)
		}
		g.add(createPhase, rankType, t, "CREATE TYPE "+name+" AS ("+strings.Join(defs, ",")+"\n);")
	case "range":
		g.add(createPhase, rankType, t, "CREATE TYPE "+name+" AS RANGE (subtype = "+a.Value("subtype")+");")
	default:
		g.cannot(t, "drift does not write SQL for "+a.Value("type")+" types")
	}
}

func dropType(g *gen, f *snapshot.Object) {
	what := "TYPE "
	if f.Attrs.Value("type") == "domain" {
		what = "DOMAIN "
	}
	g.add(dropPhase, rankDropType, f, "DROP "+what+relName(f.Key)+";")
}

// rebuildType: a type whose kind, domain base type or collation, or range subtype changes is
// dropped and created again, when no column uses it (a column cannot be rebuilt; alterType
// says so instead).
func rebuildType(g *gen, f, t *snapshot.Object) bool {
	if !(attrChanged(f, t, "type") || attrChanged(f, t, "base_type") || attrChanged(f, t, "subtype") ||
		(t.Attrs.Value("type") == "domain" && attrChanged(f, t, "collation"))) {
		return false
	}
	return len(typeUsers(g, f)) == 0
}

// typeUsers lists the surviving columns whose type is the given type (or an array of it).
func typeUsers(g *gen, f *snapshot.Object) []string {
	var users []string
	for _, c := range g.from.ofKind("column") {
		if g.to.get(c.ID()) == nil {
			continue
		}
		for _, q := range scanRefs(c.Attrs.Value("type")).qualified {
			if q[0] == f.Key.Schema() && q[1] == f.Key.Name() {
				users = append(users, c.Key.String())
			}
		}
	}
	return users
}

func alterType(g *gen, f, t *snapshot.Object) {
	name := relName(t.Key)
	if attrChanged(f, t, "type") || attrChanged(f, t, "base_type") || attrChanged(f, t, "subtype") ||
		(t.Attrs.Value("type") == "domain" && attrChanged(f, t, "collation")) {
		g.cannot(t, "it changes in a way that needs it dropped and created again, and columns use it ("+
			strings.Join(typeUsers(g, f), ", ")+"): change those columns' type first")
		return
	}
	switch t.Attrs.Value("type") {
	case "enum":
		alterEnum(g, f, t)
	case "domain":
		alter := "ALTER DOMAIN " + name + " "
		if attrChanged(f, t, "default") {
			if d, ok := t.Attrs.Get("default"); ok {
				g.add(createPhase, rankType, t, alter+"SET DEFAULT "+d+";")
			} else {
				g.add(createPhase, rankType, t, alter+"DROP DEFAULT;")
			}
		}
		if attrChanged(f, t, "not_null") {
			if t.Attrs.Value("not_null") == "true" {
				s := g.add(createPhase, rankType, t, alter+"SET NOT NULL;")
				s.hazards = append(s.hazards, "checks every row of every column of the domain")
			} else {
				g.add(createPhase, rankType, t, alter+"DROP NOT NULL;")
			}
		}
	}
}

// alterEnum adds the missing labels of an enum in their places. PostgreSQL cannot remove or
// reorder labels: that is said, not attempted.
func alterEnum(g *gen, f, t *snapshot.Object) {
	was, now := labels(f.Attrs.Value("labels")), labels(t.Attrs.Value("labels"))
	if !subsequence(was, now) {
		var gone []string
		for _, l := range was {
			if !slices.Contains(now, l) {
				gone = append(gone, quoteLiteral(l))
			}
		}
		why := "the labels would have to be reordered"
		if len(gone) > 0 {
			why = "the labels " + strings.Join(gone, ", ") + " would have to be removed"
		}
		s := g.add(createPhase, rankNote, t, "")
		s.hazards = append(s.hazards, "PostgreSQL cannot remove or reorder the values of an enum")
		s.notes = append(s.notes, "drift cannot write SQL for type "+t.Key.String()+": "+why+
			". Recreate the type by hand: rename it, create it anew, ALTER each column to it USING col::text::type, drop the old one")
		return
	}
	have := slices.Clone(was)
	for i, l := range now {
		if slices.Contains(have, l) {
			continue
		}
		where := ""
		for _, next := range now[i+1:] {
			if slices.Contains(have, next) {
				where = " BEFORE " + quoteLiteral(next)
				break
			}
		}
		if where == "" && i > 0 {
			where = " AFTER " + quoteLiteral(now[i-1])
		}
		s := g.add(createPhase, rankType, t, "ALTER TYPE "+relName(t.Key)+" ADD VALUE "+quoteLiteral(l)+where+";")
		s.noTx = true
		s.notes = append(s.notes, "commit it before anything uses the new value")
		have = append(have, l)
	}
}

// subsequence reports whether a appears in b in the same order (b may hold more).
func subsequence(a, b []string) bool {
	i := 0
	for _, x := range b {
		if i < len(a) && a[i] == x {
			i++
		}
	}
	return i == len(a)
}

package fixsql

import (
	"strconv"
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// Views and materialized views, and sequences.

func viewWord(kind string) string {
	if kind == "materialized_view" {
		return "MATERIALIZED VIEW"
	}
	return "VIEW"
}

// viewBody is pg_get_viewdef's text as it follows AS: without its trailing semicolon.
func viewBody(def string) string {
	return strings.TrimRight(strings.TrimSpace(def), ";")
}

func viewSQL(verb string, t *snapshot.Object) string {
	sql := verb + " " + viewWord(t.Kind) + " " + relName(t.Key)
	if opts, ok := t.Attrs.Get("options"); ok {
		sql += " WITH (" + optionList(opts) + ")"
	}
	return sql + " AS\n" + viewBody(t.Attrs.Value("definition")) + ";"
}

func createView(g *gen, t *snapshot.Object) {
	g.add(createPhase, rankView, t, viewSQL("CREATE", t))
}

func dropView(g *gen, f *snapshot.Object) {
	g.add(dropPhase, rankDropView, f, "DROP "+viewWord(f.Kind)+" "+relName(f.Key)+";")
}

// rebuildView: a materialized view is always built again; a view when its columns change in a
// way CREATE OR REPLACE VIEW refuses (only new columns at the end may be added).
func rebuildView(g *gen, f, t *snapshot.Object) bool {
	if !attrChanged(f, t, "definition") {
		return false
	}
	if t.Kind == "materialized_view" {
		return true
	}
	was, now := columnsOf(g.from, f.Key), columnsOf(g.to, t.Key)
	if len(now) < len(was) {
		return true
	}
	for i, c := range was {
		n := now[i]
		if c.Key.Sub() != n.Key.Sub() || c.Attrs.Value("type") != n.Attrs.Value("type") || c.Attrs.Value("collation") != n.Attrs.Value("collation") {
			return true
		}
	}
	return false
}

func alterView(g *gen, f, t *snapshot.Object) {
	if attrChanged(f, t, "definition") {
		// Only a plain view gets here (rebuildView): CREATE OR REPLACE sets its options too.
		g.add(createPhase, rankView, t, viewSQL("CREATE OR REPLACE", t))
		if f.Attrs.Has("options") && !t.Attrs.Has("options") {
			setOptions(g, t, "ALTER VIEW "+relName(t.Key)+" ", f.Attrs.Value("options"), "")
		}
		return
	}
	if attrChanged(f, t, "options") {
		setOptions(g, t, "ALTER "+viewWord(t.Kind)+" "+relName(t.Key)+" ", f.Attrs.Value("options"), t.Attrs.Value("options"))
	}
}

func sequenceOptions(f, t *snapshot.Object) string {
	a := t.Attrs
	var parts []string
	typeChanged := f == nil || attrChanged(f, t, "type")
	if typeChanged {
		parts = append(parts, "AS "+a.Value("type"))
	}
	opt := func(attr, words string) {
		if v, ok := a.Get(attr); ok && (f == nil || typeChanged && (attr == "min" || attr == "max") || attrChanged(f, t, attr)) {
			parts = append(parts, words+" "+v)
		}
	}
	opt("increment", "INCREMENT BY")
	opt("min", "MINVALUE")
	opt("max", "MAXVALUE")
	opt("start", "START WITH")
	opt("cache", "CACHE")
	if f == nil || attrChanged(f, t, "cycle") {
		if a.Value("cycle") == "true" {
			parts = append(parts, "CYCLE")
		} else {
			parts = append(parts, "NO CYCLE")
		}
	}
	return strings.Join(parts, " ")
}

func createSequence(g *gen, t *snapshot.Object) {
	g.add(createPhase, rankSequence, t, "CREATE SEQUENCE "+relName(t.Key)+" "+sequenceOptions(nil, t)+";")
	if v, ok := t.Attrs.Get("owned_by"); ok {
		if c, found := g.to.column(v); found {
			// A sequence tied to a column must have its table's owner, and a new one has the
			// role that runs the fix (an administrator, for a table an application role owns).
			table := relName(c.Object())
			s := g.add(createPhase, rankOwnedBy, t, "DO $drift$ BEGIN EXECUTE pg_catalog.format("+
				quoteLiteral("ALTER SEQUENCE "+strings.ReplaceAll(relName(t.Key), "%", "%%")+" OWNER TO %I")+", ("+relOwner(table)+")); END $drift$;")
			s.needs = append(s.needs, c.Object())
		}
		ownedBy(g, t)
	}
}

// ownedBy ties a sequence to its column, once the column exists.
func ownedBy(g *gen, t *snapshot.Object) {
	target := "NONE"
	var col snapshot.Key
	if v, ok := t.Attrs.Get("owned_by"); ok {
		c, found := g.to.column(v)
		if !found {
			g.cannot(t, "the column that owns it, "+v+", is not in the schema")
			return
		}
		col, target = c, relName(c.Object())+"."+quoteIdent(c.Sub())
	}
	s := g.add(createPhase, rankOwnedBy, t, "ALTER SEQUENCE "+relName(t.Key)+" OWNED BY "+target+";")
	if !col.IsZero() {
		s.needs = append(s.needs, col)
	}
}

func dropSequence(g *gen, f *snapshot.Object) {
	g.add(dropPhase, rankDropSequence, f, "DROP SEQUENCE "+relName(f.Key)+";")
}

func alterSequence(g *gen, f, t *snapshot.Object) {
	if min := t.Attrs.Value("min"); attrChanged(f, t, "min") && numericLess(f.Attrs.Value("min"), min) && !strings.HasPrefix(t.Attrs.Value("increment"), "-") {
		// A higher MINVALUE than the sequence's current value is refused ("RESTART value
		// cannot be less than MINVALUE"): move the value up to it first, never down.
		seq := relName(t.Key)
		g.add(createPhase, rankSequence, t, "SELECT pg_catalog.setval("+quoteLiteral(seq)+", GREATEST("+min+", last_value), last_value >= "+min+" AND is_called) FROM "+seq+";")
	}
	if opts := sequenceOptions(f, t); opts != "" {
		g.add(createPhase, rankSequence, t, "ALTER SEQUENCE "+relName(t.Key)+" "+opts+";")
	}
	if attrChanged(f, t, "owned_by") {
		if col, ok := g.from.column(f.Attrs.Value("owned_by")); ok &&
			(g.gone[snapshot.ID{Kind: "column", Key: col}] != nil || g.gone[snapshot.ID{Kind: "table", Key: col.Object()}] != nil) {
			// Its old column goes, and would take the sequence with it: release it first.
			s := g.add(dropPhase, rankDropDefault, f, "ALTER SEQUENCE "+relName(f.Key)+" OWNED BY NONE;")
			s.needs = append(s.needs, col, col.Object())
		}
		ownedBy(g, t)
	}
}

// numericLess reports whether a < b, both integers as the catalog writes them.
func numericLess(a, b string) bool {
	x, errA := strconv.ParseInt(a, 10, 64)
	y, errB := strconv.ParseInt(b, 10, 64)
	return errA == nil && errB == nil && x < y
}

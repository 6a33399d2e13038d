package fixsql

import (
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// Schemas and extensions.

func createSchema(g *gen, t *snapshot.Object) {
	g.add(createPhase, rankSchema, t, "CREATE SCHEMA "+quoteIdent(t.Key.Name())+";")
}

// dropSchema drops the schema without CASCADE: its objects are dropped one by one before it,
// each with its own hazard, so the DROP fails (and changes nothing) if it still holds anything
// drift does not model.
func dropSchema(g *gen, f *snapshot.Object) {
	g.add(dropPhase, rankDropSchema, f, "DROP SCHEMA "+quoteIdent(f.Key.Name())+";")
}

// alterSchema: a schema has no attributes of its own; its grants and comment are objects.
func alterSchema(g *gen, _, t *snapshot.Object) {
	g.cannot(t, "a schema has no attributes drift knows how to change")
}

func createExtension(g *gen, t *snapshot.Object) {
	sql := "CREATE EXTENSION " + quoteIdent(t.Key.Name())
	if s, ok := t.Attrs.Get("schema"); ok {
		sql += " WITH SCHEMA " + quoteIdent(s)
	}
	if v, ok := t.Attrs.Get("version"); ok {
		sql += " VERSION " + quoteLiteral(v)
	}
	g.add(createPhase, rankExtension, t, sql+";")
}

// dropExtension drops the extension without CASCADE: whatever still uses its types or
// functions makes the DROP fail rather than disappear with it.
func dropExtension(g *gen, f *snapshot.Object) {
	g.add(dropPhase, rankDropExtension, f, "DROP EXTENSION "+quoteIdent(f.Key.Name())+";")
}

func alterExtension(g *gen, f, t *snapshot.Object) {
	name := quoteIdent(t.Key.Name())
	if attrChanged(f, t, "schema") {
		g.add(createPhase, rankExtension, t, "ALTER EXTENSION "+name+" SET SCHEMA "+quoteIdent(t.Attrs.Value("schema"))+";")
	}
	if attrChanged(f, t, "version") {
		was, now := f.Attrs.Value("version"), t.Attrs.Value("version")
		if compareVersions(now, was) < 0 {
			g.cannot(t, "extensions ship update scripts, rarely downgrade ones: going from "+was+" back to "+now+
				" means DROP EXTENSION and CREATE EXTENSION … VERSION "+quoteLiteral(now)+", after moving aside whatever uses it")
			return
		}
		s := g.add(createPhase, rankExtension, t, "ALTER EXTENSION "+name+" UPDATE TO "+quoteLiteral(now)+";")
		s.notes = append(s.notes, "fails if the extension ships no update script from "+was+" to "+now)
	}
}

// compareVersions compares dotted version strings part by part, numerically where both parts
// are numbers.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y string
		if i < len(as) {
			x = as[i]
		}
		if i < len(bs) {
			y = bs[i]
		}
		xn, xok := atoi(x)
		yn, yok := atoi(y)
		switch {
		case xok && yok && xn != yn:
			return xn - yn
		case !(xok && yok) && x != y:
			return strings.Compare(x, y)
		}
	}
	return 0
}

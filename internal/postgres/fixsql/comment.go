package fixsql

import (
	"github.com/drift-schema/drift/internal/snapshot"
)

// Comments, keyed like the object they describe.

// commentTarget renders what COMMENT ON names for a comment object.
func commentTarget(sd *side, o *snapshot.Object) (string, bool) {
	on := o.Parent
	switch kind := o.Attrs.Value("on_kind"); kind {
	case "schema", "extension":
		return map[string]string{"schema": "SCHEMA ", "extension": "EXTENSION "}[kind] + quoteIdent(on.Name()), true
	case "table", "view", "materialized_view", "sequence", "index":
		return map[string]string{"table": "TABLE ", "view": "VIEW ", "materialized_view": "MATERIALIZED VIEW ",
			"sequence": "SEQUENCE ", "index": "INDEX "}[kind] + relName(on), true
	case "column":
		return "COLUMN " + relName(on.Object()) + "." + quoteIdent(on.Sub()), true
	case "constraint":
		owner := snapshot.KeyOf(on.Schema(), on.Name(), "", "")
		if t := sd.find("type", owner); t != nil {
			return "CONSTRAINT " + quoteIdent(on.Sub()) + " ON DOMAIN " + relName(owner), true
		}
		return "CONSTRAINT " + quoteIdent(on.Sub()) + " ON " + relName(owner), true
	case "trigger", "policy":
		word := map[string]string{"trigger": "TRIGGER ", "policy": "POLICY "}[kind]
		return word + quoteIdent(on.Sub()) + " ON " + relName(on.Object()), true
	case "function", "procedure":
		return routineWord(kind) + " " + routineName(on), true
	case "type":
		if t := sd.find("type", on); t != nil && t.Attrs.Value("type") == "domain" {
			return "DOMAIN " + relName(on), true
		}
		return "TYPE " + relName(on), true
	}
	return "", false
}

func setComment(g *gen, t *snapshot.Object) {
	target, ok := commentTarget(g.to, t)
	if !ok {
		g.cannot(t, "drift does not write comments on "+t.Attrs.Value("on_kind")+" objects yet")
		return
	}
	g.add(createPhase, rankComment, t, "COMMENT ON "+target+" IS "+quoteLiteral(t.Attrs.Value("text"))+";")
}

func removeComment(g *gen, f *snapshot.Object) {
	target, ok := commentTarget(g.from, f)
	if !ok {
		g.cannot(f, "drift does not write comments on "+f.Attrs.Value("on_kind")+" objects yet")
		return
	}
	g.add(dropPhase, rankDropComment, f, "COMMENT ON "+target+" IS NULL;")
}

func changeComment(g *gen, _, t *snapshot.Object) { setComment(g, t) }
